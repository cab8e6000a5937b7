"""Seed data: the admin user and key, and fixture rows (users, keys, assistants, threads,
messages) and rules from a YAML or JSON file. Resolved once at start into rows; every session is
filled with copies of them (see session.py)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mock_server.auth import PREFIX_LENGTH, new_key
from mock_server.engine.assistant import Rule, rule_from_fixture
from mock_server.ids import Clock, IdFactory
from mock_server.records import new_assistant, new_message, new_thread, new_user
from mock_server.store import Store

SECTIONS = ("users", "assistants", "threads", "messages", "rules")
Row = dict[str, Any]


class FixtureError(ValueError):
    """The fixture file is not what the mock can load: one line per problem, each saying where."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Seed:
    admin_user_id: str
    admin_key: str
    tables: dict[str, list[Row]] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    clock_end: int | None = None  # the seeded clock's last reading: sessions' clocks go on from it

    async def fill(self, store: Store) -> None:
        for table, rows in self.tables.items():
            repository = store.repository(table)
            for row in rows:
                await repository.add(copy.deepcopy(row))

    def __post_init__(self) -> None:
        self._by_id = {name: {row["id"]: row for row in rows} for name, rows in self.tables.items()}

    # What authentication needs of a session that does not exist yet: its rows are the seed's.
    async def api_key(self, prefix: str) -> Row | None:
        return self._by_id.get("api_keys", {}).get(prefix)

    async def user(self, user_id: str) -> Row | None:
        return self._by_id.get("users", {}).get(user_id)


def load_fixture_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    data = data or {}
    if not isinstance(data, dict) or set(data) - set(SECTIONS):
        raise FixtureError(f"{path}: expected a mapping with sections {', '.join(SECTIONS)}")
    return data


def build_seed(fixtures: dict[str, Any], seed: int | None, admin_key: str | None) -> Seed:
    """Resolve a fixture document into rows; `ref`/`owner`/`thread` names link rows together."""
    try:
        return _build_seed(fixtures, seed, admin_key)
    except (KeyError, TypeError, AttributeError) as error:
        raise FixtureError(f"fixture rows are missing or mistyped: {error!r}") from None


def _build_seed(fixtures: dict[str, Any], seed: int | None, admin_key: str | None) -> Seed:
    ids, clock = IdFactory(seed), Clock(seed)
    tables: dict[str, list[Row]] = {name: [] for name in ("users", "api_keys", "assistants", "threads", "messages")}
    refs: dict[str, str] = {}

    def ref_to_id(value: str, where: str) -> str:
        if value in refs:
            return refs[value]
        if "_" in value:
            return value
        raise FixtureError(f"{where}: unknown ref {value!r}")

    def key_for(user_id: str, plain: str | None, **options: Any) -> str:
        taken = {row["id"] for row in tables["api_keys"]}
        while True:
            minted, row = new_key(ids, clock, user_id, plain_key=plain, **options)
            if plain is not None or row["id"] not in taken:
                break
        tables["api_keys"] = [r for r in tables["api_keys"] if r["id"] != row["id"]] + [row]
        return minted

    users = list(fixtures.get("users") or [])
    if not any(user.get("is_admin") for user in users):
        users.insert(0, {"ref": "admin", "full_name": "Mock Admin", "is_admin": True})
    admin_id = plain_admin_key = None
    for user in users:
        row = new_user(ids, clock, user, is_admin=bool(user.get("is_admin")), user_id=user.get("id"))
        tables["users"].append(row)
        refs[user.get("ref", row["id"])] = row["id"]
        if row["_is_admin"] and admin_id is None:
            admin_id = row["id"]
            plain_admin_key = key_for(admin_id, admin_key, key_name="admin", key_type="ad")
        for key in user.get("api_keys") or []:
            if len(key) <= PREFIX_LENGTH:
                raise FixtureError(f"users: the key {key!r} of {user.get('ref', row['id'])} is too short")
            key_for(row["id"], key, key_name="fixture")

    for item in fixtures.get("assistants") or []:
        owner = ref_to_id(item.get("owner", admin_id), "assistants")
        row = new_assistant(ids, clock, owner, item)
        tables["assistants"].append(row)
        refs[item.get("ref", row["id"])] = row["id"]
    for item in fixtures.get("threads") or []:
        owner = ref_to_id(item.get("owner", admin_id), "threads")
        participants = [ref_to_id(p, "threads") for p in item.get("participants", [])]
        row = new_thread(ids, clock, owner, participants, item.get("meta_data"))
        tables["threads"].append(row)
        refs[item.get("ref", row["id"])] = row["id"]
    for item in fixtures.get("messages") or []:
        fields = dict(item, thread_id=ref_to_id(item["thread"], "messages"))
        if "assistant" in item:
            fields["assistant_id"] = ref_to_id(item["assistant"], "messages")
        tables["messages"].append(new_message(ids, clock, fields, role=item.get("role", "user")))

    assert admin_id is not None and plain_admin_key is not None
    clock_end = clock.now() if clock.seeded else None
    return Seed(admin_id, plain_admin_key, tables, load_rules(fixtures), clock_end)


def load_rules(fixtures: dict[str, Any]) -> list[Rule]:
    """The scripted assistant's rules from the fixture's `rules` section."""
    try:
        return [rule_from_fixture(item) for item in fixtures.get("rules") or []]
    except (ValueError, KeyError, TypeError, re.error) as error:
        raise FixtureError(f"a rule cannot be used: {error}") from None
