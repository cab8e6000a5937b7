"""Seed data: the admin user and key, and fixture rows (users, keys, vector stores, assistants,
threads, messages, files), rules and web pages from a YAML or JSON file. Each row is checked as the file is loaded
(fixture_format.py), then the rows are linked (a ref that names no row, or two rows, is refused)
and resolved once at start; every session is filled with copies of them (see session.py)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mock_server.auth import KEY_FORMAT, PREFIX_LENGTH, new_key, well_formed
from mock_server.engine.assistant import Rule, rule_from_fixture
from mock_server.engine.web import WebPage, page_from_fixture
from mock_server.file_types import type_of
from mock_server.fixture_format import SECTIONS, RowCheck
from mock_server.ids import Clock, IdFactory
from mock_server.records import (
    new_assistant,
    new_file,
    new_message,
    new_thread,
    new_user,
    new_vector_store,
    new_vector_store_file,
)
from mock_server.store import Store

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
    web: list[WebPage] = field(default_factory=list)  # the web tools' scripted pages
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


class _JsonLikeLoader(yaml.SafeLoader):
    """YAML read as the JSON it stands for: a date (`due: 2026-01-01`) stays the text it is written
    as, since the API could only ever have been sent (and can only answer) it as a string."""


_JsonLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_fixture_file(path: Path, spec: dict[str, Any]) -> dict[str, Any]:
    """The fixture document of a YAML or JSON file, its rows checked against the contract
    (fixture_format.py); FixtureError has one line per problem, each naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_JsonLikeLoader)
    except UnicodeDecodeError as error:
        raise FixtureError(f"{path}: not UTF-8 text: byte {error.start} is {error.object[error.start]:#x}") from None
    except json.JSONDecodeError as error:
        raise FixtureError(f"{path}: not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}") from None
    except yaml.YAMLError as error:
        raise FixtureError(f"{path}: not valid YAML: {_yaml_problem(error)}") from None
    except RecursionError:  # both parsers recurse per level
        raise FixtureError(f"{path}: nests too deeply to be read") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: expected a mapping of sections ({', '.join(SECTIONS)}), got {_kind(data)}")
    problems = [f"{name}: not a section (sections: {', '.join(SECTIONS)})" for name in data if name not in SECTIONS]
    check = RowCheck(spec)
    for section, rows in data.items():
        if section not in SECTIONS or rows is None:
            continue
        if not isinstance(rows, list):
            problems.append(f"{section}: expected a list of rows (`- name: …`), got {_kind(rows)}")
            continue
        for index, row in enumerate(rows):
            if isinstance(row, dict):
                problems += check.problems(section, index, row)
            else:
                problems.append(f"{section}[{index}]: expected a mapping of fields, got {_kind(row)}")
    problems += _resolve_file_paths(data, path.parent)
    if problems:
        raise FixtureError([f"{path}: {problem}" for problem in problems])
    return data


def _resolve_file_paths(data: dict[str, Any], folder: Path) -> list[str]:
    """Each file row's `path`, made absolute from the fixture file's folder (so the seed reads the
    same file wherever the mock is started); a path that names no file is a problem."""
    problems = []
    for index, row in enumerate(data.get("files") or []):
        if isinstance(row, dict) and isinstance(row.get("path"), str):
            resolved = (folder / row["path"]).resolve()
            if not resolved.is_file():
                problems.append(f"files[{index}].path: no file at {resolved}")
            row["path"] = str(resolved)
    return problems


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {error.problem}"
    return str(error).replace("\n", " ")


def _kind(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "nothing" if value is None else names.get(type(value), type(value).__name__)


def build_seed(
    fixtures: dict[str, Any], seed: int | None, admin_key: str | None, *, source: object = "fixtures"
) -> Seed:
    """Resolve a fixture document into rows; `ref`/`owner`/`thread` names link rows together.
    A row that links to no row, or names one another row already has, is a FixtureError."""
    try:
        return _Linker(seed, admin_key, source).build(fixtures)
    except (KeyError, TypeError, AttributeError) as error:  # a document load_fixture_file did not check
        raise FixtureError(f"{source}: fixture rows are missing or mistyped: {error!r}") from None


class _Linker:
    """Builds the rows of a fixture document in order (users, vector stores, assistants, threads, messages),
    each section's refs and ids known to the sections after it; collects every link problem."""

    def __init__(self, seed: int | None, admin_key: str | None, source: object) -> None:
        self.ids, self.clock = IdFactory(seed), Clock(seed)
        self.admin_key, self.source = admin_key, source
        self.tables: dict[str, list[Row]] = {
            name: []
            for name in (
                "users",
                "api_keys",
                "vector_stores",
                "vector_store_files",
                "assistants",
                "threads",
                "messages",
                "files",
            )
        }
        sections = ("users", "vector_stores", "assistants", "threads", "files")
        self.names: dict[str, dict[str, tuple[str, str]]] = {section: {} for section in sections}
        self.given: dict[str, list[str]] = {section: [] for section in self.names}  # the refs and ids written
        self.prefixes: dict[str, str] = {}  # a key's prefix (its row's id) -> which key has it
        self.problems: list[str] = []

    def name(self, section: str, where: str, row: Row, given: Row) -> None:
        """A row's ref and id, by which later rows point at it (a minted id too: seeded, it is known)."""
        for field_name, name in (("ref", given.get("ref")), ("id", row["id"])):
            if name is None:
                continue
            known = self.names[section].get(name)
            if known is not None and known[0] != row["id"]:
                self.problems.append(f"{where}.{field_name}: {name!r} already names {known[1]}")
            self.names[section].setdefault(name, (row["id"], where))
            if name in (given.get("ref"), given.get("id")):
                self.given[section].append(name)

    def link(self, section: str, name: str, where: str) -> str | None:
        if name in self.names[section]:
            return self.names[section][name][0]
        known = ", ".join(map(repr, dict.fromkeys(self.given[section]))) or "the file names none"
        self.problems.append(f"{where}: no {section[:-1]} has the ref or id {name!r} ({section}: {known})")
        return None

    def key(self, user_id: str, plain: str | None, where: str, **options: Any) -> str:
        while True:
            minted, row = new_key(self.ids, self.clock, user_id, plain_key=plain, **options)
            if plain is not None or row["id"] not in self.prefixes:
                break
        if row["id"] in self.prefixes:  # keys are found by their prefix: the second would hide the first
            other = self.prefixes[row["id"]]
            taken = f"its first {PREFIX_LENGTH} characters {row['id']!r} are {other}'s too"
            self.problems.append(f"{where}: {taken}, and a key is found by them: each needs its own")
        else:
            self.prefixes[row["id"]] = where
            self.tables["api_keys"].append(row)
        return minted

    def file(self, where: str, item: Row, admin_id: str) -> None:
        """A file row, as the admin's (or its `owner`'s) upload of `text` or of the file at `path`
        (made absolute by load_fixture_file; relative to the working folder otherwise)."""
        owner = self.link("users", item.get("owner", admin_id), f"{where}.owner")
        try:
            data = item["text"].encode() if "text" in item else Path(item["path"]).read_bytes()
        except OSError as error:
            self.problems.append(f"{where}.path: cannot be read: {error.strerror or error}")
            return
        filename = item.get("filename") or Path(item["path"]).name
        mime = type_of(filename)
        if mime is None:
            self.problems.append(f"{where}.filename: {filename!r} is not a file the API takes")
            return
        upload = {"filename": filename, "purpose": item.get("purpose", "assistants"), "data": data}
        row = new_file(self.ids, self.clock, owner, upload, mime_type=mime, file_id=item.get("id"))  # type: ignore[arg-type]
        if row["id"] in self.names["files"]:  # two rows under one id: the store would hold one of them
            self.problems.append(f"{where}.id: {row['id']!r} already names {self.names['files'][row['id']][1]}")
            return
        self.tables["files"].append(row)
        self.name("files", where, row, item)

    def build(self, fixtures: dict[str, Any]) -> Seed:
        users = [(f"users[{i}]", user) for i, user in enumerate(fixtures.get("users") or [])]
        if not any(user.get("is_admin") for _, user in users):
            default = {"ref": "admin", "full_name": "Mock Admin", "is_admin": True}
            users.insert(0, ("the default admin (no user has is_admin: true)", default))
        admin_id = admin_key = None
        for where, user in users:
            row = new_user(self.ids, self.clock, user, is_admin=bool(user.get("is_admin")), user_id=user.get("id"))
            self.tables["users"].append(row)
            self.name("users", where, row, user)
            if row["_is_admin"] and admin_id is None:
                admin_id = row["id"]
                admin_key = self.key(admin_id, self.admin_key, "the admin key", key_name="admin", key_type="ad")
            for number, key in enumerate(user.get("api_keys") or []):
                if not well_formed(key):
                    self.problems.append(
                        f"{where}.api_keys[{number}]: {key!r} is not an API key: a key is {KEY_FORMAT}"
                    )
                    continue
                self.key(row["id"], key, f"{where}.api_keys[{number}]", key_name="fixture")
        assert admin_id is not None and admin_key is not None

        for i, item in enumerate(fixtures.get("vector_stores") or []):
            where = f"vector_stores[{i}]"
            owner = self.link("users", item.get("owner", admin_id), f"{where}.owner")
            try:
                store, files = vector_store_rows(self.ids, self.clock, owner, item)  # type: ignore[arg-type]
            except FixtureError as error:
                self.problems.append(f"{where}: {error}")
                continue
            self.tables["vector_stores"].append(store)
            self.tables["vector_store_files"].extend(files)
            self.name("vector_stores", where, store, item)
        for i, item in enumerate(fixtures.get("assistants") or []):
            where = f"assistants[{i}]"
            owner = self.link("users", item.get("owner", admin_id), f"{where}.owner")
            search = (item.get("tool_resources") or {}).get("file_search")
            if isinstance(search, dict) and search.get("vector_store_ids"):  # stores may be named by ref
                stores = [
                    self.link("vector_stores", name, f"{where}.tool_resources.file_search.vector_store_ids[{j}]")
                    for j, name in enumerate(search["vector_store_ids"])
                ]
                resources = {**item["tool_resources"], "file_search": {**search, "vector_store_ids": stores}}
                item = {**item, "tool_resources": resources}
            row = new_assistant(self.ids, self.clock, owner, item)  # type: ignore[arg-type]
            self.tables["assistants"].append(row)
            self.name("assistants", where, row, item)
        for i, item in enumerate(fixtures.get("threads") or []):
            where = f"threads[{i}]"
            owner = self.link("users", item.get("owner", admin_id), f"{where}.owner")
            people = [
                self.link("users", p, f"{where}.participants[{j}]")
                for j, p in enumerate(item.get("participants") or [])
            ]
            row = new_thread(self.ids, self.clock, owner, [p for p in people if p], item.get("meta_data"))  # type: ignore[arg-type]
            self.tables["threads"].append(row)
            self.name("threads", where, row, item)
        for i, item in enumerate(fixtures.get("messages") or []):
            where = f"messages[{i}]"
            fields = dict(item, thread_id=self.link("threads", item["thread"], f"{where}.thread"))
            if "assistant" in item:
                fields["assistant_id"] = self.link("assistants", item["assistant"], f"{where}.assistant")
            role = str(item.get("role") or "user").lower()  # any case is taken, and kept lower-case
            self.tables["messages"].append(new_message(self.ids, self.clock, fields, role=role))
        for i, item in enumerate(fixtures.get("files") or []):
            self.file(f"files[{i}]", item, admin_id)

        for name, rows in self.tables.items():  # e.g. two files of a store with one file_id
            taken = [row["id"] for row in rows]
            for row_id in sorted({i for i in taken if taken.count(i) > 1}):
                self.problems.append(f"{name}: the id {row_id!r} is given twice")
        rules = load_rules(fixtures, self.source)
        web = load_web(fixtures, self.source)
        if self.problems:
            raise FixtureError([f"{self.source}: {problem}" for problem in self.problems])
        clock_end = self.clock.now() if self.clock.seeded else None
        return Seed(admin_id, admin_key, self.tables, rules, web=web, clock_end=clock_end)


def vector_store_rows(ids: IdFactory, clock: Clock, owner: str, item: Row) -> tuple[Row, list[Row]]:
    """A fixture's store and its files. Each chunk is a point: its `text`, its `vector` (zeros
    when left out: file_search finds the text by its words, a vector search scores it 0) and
    the metadata the SDK gives a chunk, plus the chunk's own `meta_data`."""
    metric = str(item.get("distance_metric", "COSINE")).upper()
    if metric not in ("COSINE", "EUCLID", "DOT"):
        raise FixtureError(f"distance_metric: {metric!r} is not COSINE, EUCLID or DOT")
    size = int(item.get("vector_size", 384))
    if size < 1:
        raise FixtureError("vector_size: below 1")
    fields = {**item, "shared_id": item.get("id") or ids.new("vect"), "vector_size": size, "distance_metric": metric}
    store = new_vector_store(clock, owner, fields)
    files = []
    for entry in item.get("files") or []:
        file = {"file_path": entry["file_name"], **entry, "file_id": entry.get("file_id") or ids.new("vsf")}
        points: dict[str, list[Any]] = {"texts": [], "vectors": [], "metadata": []}
        for index, chunk in enumerate(entry.get("chunks") or []):
            vector = list(chunk.get("vector") or [0.0] * size)
            if len(vector) != size:
                raise FixtureError(f"files: a vector of {file['file_name']!r} is not {size} long")
            sdk = {"source": file["file_path"], "file_path": file["file_path"], "file_name": file["file_name"]}
            points["texts"].append(chunk["text"])
            points["vectors"].append(vector)
            points["metadata"].append(
                {**sdk, "chunk_index": index, "file_id": file["file_id"], **(chunk.get("meta_data") or {})}
            )
        files.append(new_vector_store_file(clock, store["id"], file, points))
    store["file_count"] = len(files)
    return store, files


def load_web(fixtures: dict[str, Any], source: object = "fixtures") -> list[WebPage]:
    """The web tools' scripted pages from the fixture's `web` section."""
    pages = []
    for i, item in enumerate(fixtures.get("web") or []):
        try:
            pages.append(page_from_fixture(item))
        except re.error as error:
            raise FixtureError(f"{source}: web[{i}].match: not a regular expression: {error}") from None
    return pages


def load_rules(fixtures: dict[str, Any], source: object = "fixtures") -> list[Rule]:
    """The scripted assistant's rules from the fixture's `rules` section."""
    rules = []
    for i, item in enumerate(fixtures.get("rules") or []):
        try:
            rules.append(rule_from_fixture(item))
        except (ValueError, KeyError, TypeError, re.error) as error:
            raise FixtureError(f"{source}: rules[{i}]: this rule cannot be used: {error}") from None
    return rules
