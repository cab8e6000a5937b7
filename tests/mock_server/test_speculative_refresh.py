"""On the Redis store a request's session refresh goes with its first command: a page of
messages, or a message written, is one round trip."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mock_server import Settings, create_app
from mock_server.store.redis_wire import RedisWire
from tests.mock_server.conftest import ADMIN_KEY, message_body


@pytest.fixture
def exchanges(monkeypatch, redis_server):
    """Each exchange on the wire, as the command names it sent; and a client of a fresh app on Redis."""
    seen: list[list[str]] = []
    send = RedisWire.exchange

    async def recorded(self: RedisWire, commands: Any) -> list[Any]:
        seen.append([str(command[0]) for command in commands])
        return await send(self, commands)

    monkeypatch.setattr(RedisWire, "exchange", recorded)
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=3, store=redis_server.url))
    headers = {"X-API-Key": ADMIN_KEY, "X-Mock-Session": f"one-trip-{uuid.uuid4().hex}"}
    with app.test_client(headers=headers) as client:
        yield seen, client


def test_a_page_of_messages_is_read_in_the_round_trip_of_its_session_refresh(exchanges):
    seen, client = exchanges
    thread = client.post("/v1/threads", json={}).json()["id"]
    client.post("/v1/messages", json=message_body(thread))
    client.get(f"/v1/threads/{thread}/messages")  # the thread is now in the replica's copy
    seen.clear()
    page = client.get(f"/v1/threads/{thread}/messages", params={"limit": 5})
    assert page.status_code == 200 and len(page.json()["data"]) == 1
    first, *rest = seen
    assert first == ["EVALSHA", "SORT"]  # the refresh and the page, one exchange
    assert all("SORT" not in exchange for exchange in rest)  # after it: the journal's entry only


def test_a_message_is_written_in_the_round_trip_of_its_session_refresh(exchanges):
    seen, client = exchanges
    thread = client.post("/v1/threads", json={}).json()["id"]
    client.post("/v1/messages", json=message_body(thread))  # the thread's first message marks it used
    client.get(f"/v1/threads/{thread}")  # the thread and the assistant are now in the replica's copy
    seen.clear()
    assert client.post("/v1/messages", json=message_body(thread)).status_code == 200
    assert seen[0] == ["EVALSHA", "EVALSHA"]  # SYNC, then the WRITE script under its guard
