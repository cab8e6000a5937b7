"""persistence.py in process: a restored session goes on exactly where the saved one stopped,
a file wrong anywhere loads nothing, and a save that fails leaves the previous file whole."""

from __future__ import annotations

import asyncio
import os

import orjson
import pytest

from mock_server import Settings, create_app, persistence
from mock_server.persistence import Saved, StateFileError

KEY = "ad_PersistTestAdminKey000000000000000000000"


def app():
    return create_app(Settings(admin_key=KEY, seed=7))


def saved_of(mock, tmp_path) -> Saved:
    """A snapshot through its file form (JSON), as a restart reads it."""
    path = tmp_path / "state.json"
    persistence.write_atomic(path, persistence.encode(asyncio.run(persistence.snapshot(mock))))
    return persistence.read(path)


def test_a_restored_session_mints_exactly_what_the_saved_one_would_have_next(tmp_path):
    before = app().mock
    session = asyncio.run(before.sessions.get("s"))
    for _ in range(5):
        session.ids.new("thread"), session.clock.now(), session.chance.random()
    session.clock.advance(60)
    saved = saved_of(before, tmp_path)

    after = app().mock
    assert asyncio.run(persistence.restore(after, saved)) == 1
    restored = after.sessions.peek("s")
    assert restored.ids.new("thread") == session.ids.new("thread")
    assert restored.clock.now() == session.clock.now()
    assert restored.chance.random() == session.chance.random()


def test_one_wrong_row_in_any_session_loads_no_session(tmp_path):
    before = app().mock
    for name in ("a", "b"):
        asyncio.run(before.sessions.get(name))
    saved = saved_of(before, tmp_path)
    saved.sessions[1]["state"]["tables"]["users"][0]["email"] = 42
    after = app().mock
    with pytest.raises(StateFileError, match=r"sessions\[1\] \('b'\): tables.users\[0\]"):
        asyncio.run(persistence.restore(after, saved))
    assert after.sessions.names() == []


def test_a_session_twice_in_a_file_is_refused(tmp_path):
    before = app().mock
    asyncio.run(before.sessions.get("a"))
    saved = saved_of(before, tmp_path)
    saved.sessions.append(saved.sessions[0])
    with pytest.raises(StateFileError, match="names a session twice"):
        asyncio.run(persistence.restore(app().mock, saved))


def test_a_save_that_fails_midway_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    persistence.write_atomic(path, b'{"previous": true}')

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        persistence.write_atomic(path, orjson.dumps({"next": True}))
    assert path.read_bytes() == b'{"previous": true}'
    assert os.listdir(tmp_path) == ["state.json"]  # no temp file left behind


def test_another_admin_key_than_the_files_is_refused_and_none_takes_the_files(tmp_path):
    saved = saved_of(app().mock, tmp_path)
    assert persistence.check_compatible(saved, 7, None) == KEY
    with pytest.raises(StateFileError, match="another admin key"):
        persistence.check_compatible(saved, 7, "ad_SomeOtherAdminKey00000000000000000000000")
