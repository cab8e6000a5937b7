"""Seed data: the admin user and key, and fixture rows (users, keys, vector stores, assistants,
threads, messages) and rules from a YAML or JSON file. Resolved once at start into rows; every session is
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
from mock_server.records import (
    new_assistant,
    new_message,
    new_thread,
    new_user,
    new_vector_store,
    new_vector_store_file,
)
from mock_server.store import Store

SECTIONS = ("users", "vector_stores", "assistants", "threads", "messages", "rules")
Row = dict[str, Any]


class FixtureError(ValueError):
    """The fixture file is not what the mock can load; the message says where."""


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
    names = ("users", "api_keys", "vector_stores", "vector_store_files", "assistants", "threads", "messages")
    tables: dict[str, list[Row]] = {name: [] for name in names}
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

    for item in fixtures.get("vector_stores") or []:
        owner = ref_to_id(item.get("owner", admin_id), "vector_stores")
        store, files = vector_store_rows(ids, clock, owner, item)
        tables["vector_stores"].append(store)
        tables["vector_store_files"].extend(files)
        refs[item.get("ref", store["id"])] = store["id"]
    for item in fixtures.get("assistants") or []:
        owner = ref_to_id(item.get("owner", admin_id), "assistants")
        search = (item.get("tool_resources") or {}).get("file_search")
        if isinstance(search, dict) and search.get("vector_store_ids"):  # stores may be named by ref
            stores = [ref_to_id(name, "assistants") for name in search["vector_store_ids"]]
            item = {
                **item,
                "tool_resources": {**item["tool_resources"], "file_search": {**search, "vector_store_ids": stores}},
            }
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
    for name, rows in tables.items():  # a session could not be filled with them
        taken = [row["id"] for row in rows]
        if len(taken) != len(set(taken)):
            raise FixtureError(f"{name}: an id is given twice")
    clock_end = clock.now() if clock.seeded else None
    return Seed(admin_id, plain_admin_key, tables, load_rules(fixtures), clock_end)


def vector_store_rows(ids: IdFactory, clock: Clock, owner: str, item: Row) -> tuple[Row, list[Row]]:
    """A fixture's store and its files. Each chunk is a point: its `text`, its `vector` (zeros
    when left out: file_search finds the text by its words, a vector search scores it 0) and
    the metadata the SDK gives a chunk, plus the chunk's own `meta_data`."""
    metric = str(item.get("distance_metric", "COSINE")).upper()
    if metric not in ("COSINE", "EUCLID", "DOT"):
        raise FixtureError(f"vector_stores: {item.get('name')!r} has an unknown distance_metric {metric!r}")
    size = int(item.get("vector_size", 384))
    if size < 1:
        raise FixtureError(f"vector_stores: {item.get('name')!r} has a vector_size below 1")
    fields = {**item, "shared_id": item.get("id") or ids.new("vect"), "vector_size": size, "distance_metric": metric}
    store = new_vector_store(clock, owner, fields)
    files = []
    for entry in item.get("files") or []:
        file = {"file_path": entry["file_name"], **entry, "file_id": entry.get("file_id") or ids.new("vsf")}
        points: dict[str, list[Any]] = {"texts": [], "vectors": [], "metadata": []}
        for index, chunk in enumerate(entry.get("chunks") or []):
            vector = list(chunk.get("vector") or [0.0] * size)
            if len(vector) != size:
                raise FixtureError(f"vector_stores: a vector of {file['file_name']!r} is not {size} long")
            sdk = {"source": file["file_path"], "file_path": file["file_path"], "file_name": file["file_name"]}
            points["texts"].append(chunk["text"])
            points["vectors"].append(vector)
            points["metadata"].append(
                {**sdk, "chunk_index": index, "file_id": file["file_id"], **(chunk.get("meta_data") or {})}
            )
        files.append(new_vector_store_file(clock, store["id"], file, points))
    store["file_count"] = len(files)
    return store, files


def load_rules(fixtures: dict[str, Any]) -> list[Rule]:
    """The scripted assistant's rules from the fixture's `rules` section."""
    try:
        return [rule_from_fixture(item) for item in fixtures.get("rules") or []]
    except (ValueError, KeyError, TypeError, re.error) as error:
        raise FixtureError(f"a rule cannot be used: {error}") from None
