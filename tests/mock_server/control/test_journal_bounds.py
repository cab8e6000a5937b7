"""The journal's bounds: the newest entries kept, the oldest dropped and counted, bodies cut."""

from __future__ import annotations

import pytest

from mock_server import Settings, create_app
from tests.mock_server.conftest import ADMIN_KEY
from tests.mock_server.control.conftest import ADMIN
from tests.mock_server.control.test_journal import journal

pytestmark = pytest.mark.both_stores


@pytest.fixture
def app(store_kind, request):
    # On Redis a database of its own: the journal is one list for the whole store, and this one is capped.
    store = request.getfixturevalue("redis_server").url.rsplit("/", 1)[0] + "/3" if store_kind == "redis" else "memory"
    return create_app(
        Settings(admin_key=ADMIN_KEY, seed=5, max_journal_entries=3, max_journal_body_bytes=10, store=store)
    )


def test_the_journal_keeps_the_newest_entries_and_counts_the_dropped(client, alice):
    client.delete("/__mock__/journal", headers=ADMIN)
    before = journal(client)["dropped"]
    for _ in range(5):
        client.get("/v1/assistants", headers=alice.headers)
    shown = journal(client)
    assert len(shown["entries"]) == 3
    assert shown["dropped"] - before == 2
    assert [e["seq"] for e in shown["entries"]] == list(range(shown["last_seq"] - 2, shown["last_seq"] + 1))


def test_bodies_are_cut_at_the_configured_size_and_say_so(client, alice):
    client.post("/v1/threads", json={"meta_data": {"long": "x" * 100}}, headers=alice.headers)
    [entry] = journal(client, operation="createThread")["entries"]
    assert entry["request"] == {**entry["request"], "body": '{"meta_dat', "truncated": True}
    assert len(entry["response"]["body"]) == 10 and entry["response"]["truncated"] is True
