"""Seed data: the admin user and key, and fixture rows (users, keys, assistants, threads, messages)
from a YAML or JSON file. Built once at start, copied into every new session namespace."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mock_server.auth import issue_key
from mock_server.engine.assistant import Rule, rule_from_fixture
from mock_server.ids import Clock, IdFactory
from mock_server.records import new_assistant, new_message, new_thread, new_user
from mock_server.store import MemoryStore

SECTIONS = ("users", "assistants", "threads", "messages", "rules")


class FixtureError(ValueError):
    """The fixture file is not what the mock can load; the message says where."""


@dataclass
class Seed:
    admin_user_id: str
    admin_key: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def apply(self, store: MemoryStore) -> None:
        for table, rows in self.tables.items():
            for row in rows:
                getattr(store, table).insert(copy.deepcopy(row))


def load_fixture_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    data = data or {}
    if not isinstance(data, dict) or set(data) - set(SECTIONS):
        raise FixtureError(f"{path}: expected a mapping with sections {', '.join(SECTIONS)}")
    return data


def build_seed(fixtures: dict[str, Any], ids: IdFactory, clock: Clock, admin_key: str | None) -> Seed:
    """Resolve a fixture document into rows; `ref`/`owner`/`thread` names link rows together."""
    try:
        return _build_seed(fixtures, ids, clock, admin_key)
    except (KeyError, TypeError, AttributeError) as error:
        raise FixtureError(f"fixture rows are missing or mistyped: {error!r}") from None


def _build_seed(fixtures: dict[str, Any], ids: IdFactory, clock: Clock, admin_key: str | None) -> Seed:
    store = MemoryStore()  # a scratch namespace: the rows are then copied into every real one
    refs: dict[str, str] = {}

    def ref_to_id(value: str, where: str) -> str:
        if value in refs:
            return refs[value]
        if "_" in value:
            return value
        raise FixtureError(f"{where}: unknown ref {value!r}")

    users = list(fixtures.get("users") or [])
    if not any(user.get("is_admin") for user in users):
        users.insert(0, {"ref": "admin", "full_name": "Mock Admin", "is_admin": True})
    admin_id = plain_admin_key = None
    for user in users:
        row = store.users.insert(new_user(ids, clock, user, is_admin=bool(user.get("is_admin"))))
        refs[user.get("ref", row["id"])] = row["id"]
        if row["_is_admin"] and admin_id is None:
            admin_id = row["id"]
            plain_admin_key, _ = issue_key(
                store, ids, clock, admin_id, key_name="admin", plain_key=admin_key, key_type="ad"
            )
        for key in user.get("api_keys") or []:
            issue_key(store, ids, clock, row["id"], key_name="fixture", plain_key=key)

    for item in fixtures.get("assistants") or []:
        owner = ref_to_id(item.get("owner", admin_id), "assistants")
        row = store.assistants.insert(new_assistant(ids, clock, owner, item))
        refs[item.get("ref", row["id"])] = row["id"]
    for item in fixtures.get("threads") or []:
        owner = ref_to_id(item.get("owner", admin_id), "threads")
        participants = [ref_to_id(p, "threads") for p in item.get("participants", [])]
        row = store.threads.insert(new_thread(ids, clock, owner, participants, item.get("meta_data")))
        refs[item.get("ref", row["id"])] = row["id"]
    for item in fixtures.get("messages") or []:
        fields = dict(item, thread_id=ref_to_id(item["thread"], "messages"))
        if "assistant" in item:
            fields["assistant_id"] = ref_to_id(item["assistant"], "messages")
        store.messages.insert(new_message(ids, clock, fields, role=item.get("role", "user")))

    tables = {name: [copy.deepcopy(row) for row in getattr(store, name).all()] for name in SEEDED_TABLES}
    return Seed(admin_user_id=admin_id, admin_key=plain_admin_key, tables=tables)


SEEDED_TABLES = ("users", "api_keys", "assistants", "threads", "messages")


def load_rules(fixtures: dict[str, Any]) -> list[Rule]:
    """The scripted assistant's rules from the fixture's `rules` section."""
    try:
        return [rule_from_fixture(item) for item in fixtures.get("rules") or []]
    except (ValueError, KeyError, TypeError, re.error) as error:
        raise FixtureError(f"a rule cannot be used: {error}") from None
