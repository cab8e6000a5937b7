"""The memory journal keeps each entry packed into one bytes object: what is read back is what was recorded."""

from __future__ import annotations

import asyncio

from mock_server.control.journal import Entry, MemoryJournal, Query


def recorded(headers=None, response_headers=None, body=b'{"id": "msg_1"}') -> Entry:
    entry = Entry(
        1_700_000_000.25,
        "POST",
        "/v1/messages",
        b"a=1",
        headers if headers is not None else [(b"x-api-key", b"ad_secretkey"), (b"x-mock-session", b"team-a")],
    )
    entry.request_body, entry.request_truncated = b'{"content": "hi"}', True
    entry.operation, entry.status, entry.duration_ms = "createMessage", 200, 1.5
    json_type = [(b"content-type", b"application/json")]
    entry.response_headers = response_headers if response_headers is not None else json_type
    entry.response_body, entry.fault, entry.seq = body, "slow", 7
    return entry


def test_an_unpacked_entry_reads_as_the_entry_recorded():
    entry = recorded()
    again = Entry.unpack(entry.pack())
    assert again.as_json() == entry.as_json()
    assert again.session == "team-a" and again.media_type == "application/json"


def test_headers_and_bodies_of_other_types_are_packed_as_plain_bytes():
    entry = recorded(
        headers=map(tuple, [[b"x-mock-session", b"team-b"]]),
        response_headers=((bytearray(b"content-type"), b"text/plain"),),
        body=memoryview(b"plain text"),
    )
    again = Entry.unpack(entry.pack())
    assert again.session == "team-b" and again.media_type == "text/plain"
    assert again.as_json()["response"]["body"] == "plain text"


def test_the_journal_shows_what_was_recorded_not_what_the_lists_became_later():
    journal, headers = MemoryJournal(10), [(b"x-mock-session", b"team-a")]
    asyncio.run(journal.record(recorded(headers=headers)))
    headers.append((b"x-late", b"added after the answer"))
    [entry] = asyncio.run(journal.entries(Query(session="team-a")))
    assert entry.as_json()["request"]["headers"] == {"x-mock-session": "team-a"}
    assert entry.seq == 1
