"""The speculation stage: a request whose session copy was stale is made again before anything
of it is sent, once, without speculating; one whose copy was current is answered as it was."""

from __future__ import annotations

import asyncio
from typing import Any

from mock_server.speculation_stage import SpeculationMiddleware
from mock_server.store.speculation import SPECULATION, Seen, StaleCopy, speculating

CURRENT, STALE = Seen(1, 0, [b"1"]), Seen(1, 0, [b"2"])


class Request:
    """An app that speculates on a copy (generation 1, its cached table at counter b"1") the first
    time, then answers, fails or writes as told; it records each try."""

    def __init__(self, seen: Seen, then: str = "answer") -> None:
        self.seen, self.then = seen, then
        self.tries: list[bool] = []  # per try: whether it was speculating
        self.written = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        speculation = SPECULATION.get()
        self.tries.append(speculation is not None)
        if speculation is not None:
            refresh = asyncio.get_running_loop().create_future()
            refresh.set_result(self.seen)
            speculation.attach(1, 0, refresh)
            speculation.use(0, b"1")
        if self.then == "fail":
            raise LookupError(f"try {len(self.tries)}")
        if self.then == "write":  # as the backend writes: under a guard the stale copy fails
            writing = speculating()
            if writing is not None and self.seen is STALE:
                writing.refused()
                raise StaleCopy
            if writing is not None:
                await writing.written()
            self.written += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": f"try {len(self.tries)}".encode()})


def serve(app: Request) -> tuple[list[dict[str, Any]], BaseException | None]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    try:
        asyncio.run(SpeculationMiddleware(app)({"type": "http"}, receive, send))
    except Exception as error:  # noqa: BLE001 - what the stage let through
        return sent, error
    return sent, None


def test_a_request_whose_copy_was_current_is_answered_from_its_one_try():
    app = Request(CURRENT)
    sent, error = serve(app)
    assert error is None and app.tries == [True] and sent[-1]["body"] == b"try 1"


def test_a_request_whose_copy_was_stale_is_made_again_once_without_speculating_and_only_that_is_sent():
    app = Request(STALE)
    sent, error = serve(app)
    assert error is None and app.tries == [True, False]
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert sent[-1]["body"] == b"try 2"


def test_an_error_from_a_current_copy_is_the_requests_answer_and_one_from_a_stale_copy_is_made_again():
    current = Request(CURRENT, then="fail")
    assert str(serve(current)[1]) == "try 1" and current.tries == [True]
    stale = Request(STALE, then="fail")
    assert str(serve(stale)[1]) == "try 2" and stale.tries == [True, False]


def test_a_write_from_a_stale_copy_is_never_made_only_the_write_of_the_try_made_again():
    app = Request(STALE, then="write")
    sent, error = serve(app)
    assert error is None and app.written == 1 and sent[-1]["body"] == b"try 2"
