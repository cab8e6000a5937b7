"""Sessions: each made from the seed, with ids and a clock of its own; capped, least recently used
dropped first; none made by looking."""

from __future__ import annotations

import pytest

from mock_server.seeding import build_seed
from mock_server.session import DEFAULT, SessionNameTooLong, Sessions
from mock_server.store import MemoryBackend
from mock_server.store.memory import run_now


def sessions(seed_value: int | None = 5, *, cap: int = 10) -> Sessions:
    seed = build_seed({}, seed_value, "ad_SessionTestAdminKey000000000000000")
    return Sessions(seed, lambda _: MemoryBackend(), seed_value=seed_value, max_sessions=cap, max_name_length=16)


def minted(registry: Sessions, name: str, n: int = 3) -> list[object]:
    session = run_now(registry.get(name))
    return [(session.ids.new("thread"), session.clock.now()) for _ in range(n)]


def test_under_a_seed_a_sessions_ids_and_times_depend_on_its_own_traffic_only():
    quiet = sessions()
    busy = sessions()
    minted(busy, "other", n=50)  # another session's traffic
    assert minted(quiet, "mine") == minted(busy, "mine")
    assert minted(sessions(), "mine") != minted(sessions(), "yours")


def test_a_session_made_again_starts_exactly_as_the_first_did():
    registry = sessions()
    first = minted(registry, "again")
    registry.drop("again")
    assert minted(registry, "again") == first


def test_every_session_starts_from_the_seed_and_keeps_its_rows_to_itself():
    registry = sessions()
    one, two = run_now(registry.get("one")), run_now(registry.get("two"))
    admin = registry.seed.admin_user_id
    assert run_now(one.store.users.get(admin))["id"] == admin
    run_now(one.store.users.update(admin, {"full_name": "Changed"}))
    assert run_now(two.store.users.get(admin))["full_name"] == "Mock Admin"


def test_a_sessions_clock_goes_on_after_the_seeds_timestamps():
    registry = sessions()
    session = run_now(registry.get("clock"))
    assert session.clock.now() > registry.seed.clock_end


def test_peeking_makes_no_session():
    registry = sessions()
    assert registry.peek("nobody") is None and len(registry) == 0


def test_past_the_cap_the_least_recently_used_session_goes_but_never_the_default():
    registry = sessions(cap=3)
    for name in (DEFAULT, "a", "b"):
        run_now(registry.get(name))
    registry.peek("a")  # used: "b" is now the least recently used besides the default
    run_now(registry.get(DEFAULT))
    run_now(registry.get("c"))
    assert sorted(registry.names()) == sorted([DEFAULT, "a", "c"])
    run_now(registry.get("d"))
    assert DEFAULT in registry.names() and len(registry) == 3


def test_a_session_name_past_the_limit_is_refused():
    with pytest.raises(SessionNameTooLong):
        sessions().peek("x" * 17)
