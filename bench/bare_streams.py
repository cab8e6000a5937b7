"""The streams ceiling: a bare Starlette SSE endpoint sending the frames the mock's completion sends.

    python -m bench.bare_streams --port P --tokens 100 [--tokens-per-second 20]

`POST /v1/completions` reads the body's `run_id` and streams, as the mock's turn does for a reply
of `--tokens` words: `status` started, one `content` frame per word (each after the pause the pace
asks), `status` processing, `status` complete, then `[DONE]`; the same JSON, the same headers. No
store, no contract, no validation: what uvicorn and Starlette cost per frame, and nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from mock_server.collector import keep_pauses_short
from mock_server.engine.sse import DONE, STREAM_HEADERS
from mock_server.engine.turns import deltas
from mock_server.rendering import frame
from mock_server.reply import Event
from mock_server.serving import raise_file_limit


def reply_text(tokens: int) -> str:
    """A reply of `tokens` words: `deltas` cuts it into `tokens` pieces (the mock's script says it)."""
    return " ".join(f"word{n}" for n in range(tokens))


def frames(run_id: str, text: str) -> list[Event]:
    """The mock's completion stream for a plain reply of `text` (engine/turns.py, engine/sse.py)."""
    events = [Event({"type": "status", "status": "started", "run_id": run_id})]
    events += [Event({"type": "content", "content": piece, "run_id": run_id}) for piece in deltas(text)]
    events += [
        Event({"type": "status", "status": "processing", "run_id": run_id}),
        Event({"type": "status", "status": "complete", "run_id": run_id}),
        Event(DONE),
    ]
    return events


def create_bare_streams(tokens: int, delay: float) -> Starlette:
    text = reply_text(tokens)

    async def completion(request: Request) -> StreamingResponse:
        run_id = orjson.loads(await request.body())["run_id"]

        async def paced() -> AsyncIterator[bytes]:
            for event in frames(run_id, text):
                # The mock pauses before each content frame, and between no others.
                if delay and isinstance(event.data, dict) and event.data["type"] == "content":
                    await asyncio.sleep(delay)
                yield frame(event).encode()

        return StreamingResponse(paced(), media_type="text/event-stream", headers=STREAM_HEADERS)

    return Starlette(routes=[Route("/v1/completions", completion, methods=["POST"])])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.bare_streams", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", type=int, required=True, help="content frames per stream")
    parser.add_argument("--tokens-per-second", type=float, default=20.0)
    parser.add_argument("--max-connections", type=int, default=2_000, help="uvicorn's limit_concurrency")
    args = parser.parse_args(argv)
    app = create_bare_streams(args.tokens, 1 / args.tokens_per_second)
    keep_pauses_short()  # as the mock's CLI does
    raise_file_limit()
    config = {"limit_concurrency": args.max_connections, "proxy_headers": False, "log_level": "warning"}
    uvicorn.run(app, host="127.0.0.1", port=args.port, **config)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
