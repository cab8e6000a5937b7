"""What a fixture file's rows may hold, checked when the file is loaded, before any row is built:
a row the mock could not serve (`temperature: hot`) is refused at start, in one line naming the
row and the field, instead of loading and answering 500 to every read of it.

A row's fields are those of its resource's create schema in the contract (the body the API would
take for it: UserCreate, AssistantCreate…) and the fixture format's own (`own_fields`): `ref`
names a row; `owner`, `participants`, `thread` and `assistant` point at other rows by ref or id,
where the create schema takes ids (`BY_REF`). Rules, web pages and files have no JSON create body
(a file is uploaded as a form): their fields are the format's alone. A file's bytes are `text`,
or the file at `path` (relative to the fixture file); its name's extension must be one the
upload takes. Any other field is refused, so a misspelt one is not silently ignored. Whether a
ref names a row is seeding.build_seed's to say, as it links the rows.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any

from mock_server.auth import KEY_FORMAT, well_formed
from mock_server.compiled import compile_schema
from mock_server.file_types import SUPPORTED_TYPES, extension, type_of
from mock_server.spec import Resolver

SECTIONS = ("users", "vector_stores", "assistants", "threads", "messages", "rules", "web", "files")
CREATE_SCHEMAS = {
    "users": "UserCreate",
    "assistants": "AssistantCreate",
    "threads": "ThreadCreate",
    "messages": "MessageCreate",
}
# Create-schema fields a fixture row gives as refs to rows of the file, under another name.
BY_REF = {
    "threads": {"participant_ids": "participants"},
    "messages": {"thread_id": "thread", "assistant_id": "assistant"},
}
# Required by the create schema, but the loader has a default: a message is the user's.
DEFAULTED = {"messages": {"role"}}
_NAME = {"type": "string", "minLength": 1}
_TEXT = {"type": "string"}


def own_fields(schemas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fixture format's fields by section, with their schemas (some the contract's own)."""
    tool_call = {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {"name": _NAME, "arguments": {"type": "object"}},
    }
    return {
        # A user's id is the response's (`user_` and 22 alphanumerics): UserCreate takes none.
        "users": {
            "ref": _NAME,
            "id": schemas["UserRead"]["properties"]["id"],
            "is_admin": {"type": "boolean"},
            "api_keys": {"type": "array", "items": _TEXT},
        },
        "assistants": {"ref": _NAME, "owner": _NAME},
        "threads": {"ref": _NAME, "owner": _NAME, "participants": {"type": "array", "items": _NAME}},
        # The role in any case, as MessageCreate takes it; checked lower-cased, as it is stored.
        "messages": {"thread": _NAME, "assistant": _NAME, "role": schemas["MessageRole"]},
        # A file: its bytes from `path` (relative to the fixture file) or `text`, named `filename`
        # (by default the path's file name), owned by `owner` (the admin by default).
        "files": {
            "id": schemas["FileResponse"]["properties"]["id"],
            "owner": _NAME,
            "filename": {**schemas["FileResponse"]["properties"]["filename"], "minLength": 1},
            "purpose": schemas["FileUpload"]["properties"]["purpose"],
            "path": _NAME,
            "text": _TEXT,
        },
        "rules": {
            "match": _TEXT,
            "reply": _TEXT,
            "reasoning": _TEXT,
            "error": _TEXT,
            "tool_call": tool_call,
            "assistant_id": _NAME,
        },
        # A vector store and its files' chunks (seeding.vector_store_rows builds the rows).
        "vector_stores": {
            "ref": _NAME,
            "id": _NAME,
            "owner": _NAME,
            "name": _NAME,
            "vector_size": {"type": "integer", "minimum": 1},
            "distance_metric": {"type": "string", "enum": ["COSINE", "EUCLID", "DOT", "cosine", "euclid", "dot"]},
            "config": {"type": "object"},
            "files": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["file_name"],
                    "additionalProperties": False,
                    "properties": {
                        "file_name": _NAME,
                        "file_path": _NAME,
                        "file_id": _NAME,
                        "status": _TEXT,
                        "meta_data": {"type": "object"},
                        "chunks": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["text"],
                                "additionalProperties": False,
                                "properties": {
                                    "text": _TEXT,
                                    "vector": {"type": "array", "items": {"type": "number"}},
                                    "meta_data": {"type": "object"},
                                },
                            },
                        },
                    },
                },
            },
        },
        # The web tools' scripted pages: a regular expression on the URL, the page's text.
        "web": {"match": _NAME, "text": _TEXT, "title": _TEXT},
    }


OWN_REQUIRED = {"messages": ["thread"], "rules": ["match"], "web": ["match", "text"], "vector_stores": ["name"]}


class RowCheck:
    """The row schemas of one contract, each compiled once."""

    def __init__(self, spec: dict[str, Any]) -> None:
        schemas = Resolver(spec)(spec["components"]["schemas"])
        own = own_fields(schemas)
        self.fields: dict[str, dict[str, Any]] = {}
        self._validators: dict[str, Any] = {}
        for section in SECTIONS:
            contract = schemas[CREATE_SCHEMAS[section]] if section in CREATE_SCHEMAS else {}
            replaced = BY_REF.get(section, {})
            fields = {name: s for name, s in contract.get("properties", {}).items() if name not in replaced}
            fields.update(own[section])
            skipped = replaced.keys() | DEFAULTED.get(section, set())
            required = [name for name in contract.get("required", []) if name not in skipped]
            required += OWN_REQUIRED.get(section, [])
            schema = {"type": "object", "properties": fields, **({"required": required} if required else {})}
            self.fields[section] = fields
            self._validators[section] = compile_schema(schema, request=True)

    def problems(self, section: str, index: int, row: dict[str, Any]) -> Iterator[str]:
        """One line per problem of a row, each naming it and the field: `assistants[0].temperature: …`."""
        where, fields = f"{section}[{index}]", self.fields[section]
        for name in row:
            if name in BY_REF.get(section, {}):
                yield f"{where}.{name}: a fixture {section[:-1]} gives it as `{BY_REF[section][name]}`, a ref or an id"
            elif name not in fields:
                yield f"{where}.{name}: {unknown(name, fields, f'a fixture {section[:-1]}')}"
        known = {name: value for name, value in row.items() if name in fields}
        for name, alias in BY_REF.get(section, {}).items():  # said above: not missing as well
            if name in row:
                known.setdefault(alias, row[name])
        if isinstance(known.get("role"), str):
            known["role"] = known["role"].lower()
        not_json = _not_json(known)
        if not_json is not None:
            yield f"{_path(where, not_json[0])}: {not_json[1]}"
            return
        try:
            errors = list(self._validators[section].iter_errors(known))
        except ValueError as error:  # jsonschema-rs gives no errors for a value that nests too deeply
            yield f"{where}: cannot be checked: {error}"
            return
        for error in errors:
            yield from _said(where, error, fields)
        yield from _format_problems(section, where, known)


def unknown(name: object, fields: Iterable[str], owner: str) -> str:
    close = difflib.get_close_matches(str(name), fields, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"its fields: {', '.join(fields)}"
    return f"not a field of {owner}; {hint}"


def _format_problems(section: str, where: str, row: dict[str, Any]) -> Iterator[str]:
    """What a schema cannot say: a rule's or page's pattern must compile, a user's keys must be keys."""
    if section in ("rules", "web") and isinstance(row.get("match"), str):
        try:
            re.compile(row["match"])
        except re.error as error:
            yield f"{where}.match: {_show(row['match'])} is not a regular expression: {error}"
    if section == "files":
        yield from _file_problems(where, row)
    if section == "users" and isinstance(row.get("api_keys"), list):
        for number, key in enumerate(row["api_keys"]):
            if isinstance(key, str) and not well_formed(key):
                yield f"{where}.api_keys[{number}]: {_show(key)} is not an API key: a key is {KEY_FORMAT}"


def _file_problems(where: str, row: dict[str, Any]) -> Iterator[str]:
    """A file row's bytes come from one place, and its name is one the upload would take."""
    if ("path" in row) == ("text" in row):
        yield f"{where}: give the file's bytes as `path` (relative to the fixture file) or as `text`, one of the two"
    name = row.get("filename")
    if name is None and isinstance(row.get("path"), str):
        name = PurePath(row["path"]).name
    if name is None:
        yield f"{where}.filename: missing, and required with `text`"
    elif isinstance(name, str) and type_of(name) is None:
        kind = f"extension {extension(name)!r}" if extension(name) else "name, which has no extension,"
        types = ", ".join(SUPPORTED_TYPES)
        yield f"{where}.filename: {_show(name)} is not a file the API takes: its {kind} is none of {types}"


def _said(where: str, error: Any, fields: dict[str, Any]) -> Iterator[str]:
    """A jsonschema-rs error as `row.field: what is wrong`, the value written as Python writes it."""
    steps = list(error.instance_path)
    path = _path(where, steps)
    kind, value = error.kind, error.instance
    name = type(kind).__name__
    if name == "Required":
        yield f"{path}.{kind.property}: missing, and required"
    elif name == "AdditionalProperties":
        inner = _properties_at(fields, steps)
        for extra in sorted(kind.unexpected):
            yield f"{path}.{extra}: {unknown(extra, inner, path.rsplit('.', 1)[-1])}"
    elif name == "Type":
        yield f"{path}: {_show(value)} is not of type {_types(kind.types)}"
    elif name == "Enum":
        yield f"{path}: {_show(value)} is not one of {', '.join(repr(o) for o in kind.options if o is not None)}"
    elif name == "Pattern":
        yield f"{path}: {_show(value)} does not match {kind.pattern!r}"
    elif name == "AnyOf":
        # Each branch's errors: those of the one branch the value's type fits say what is wrong
        # within it (a list of parts with a bad part); if its type fits none, that is the problem.
        branches = kind.context
        fitting = [
            b
            for b in branches
            if not all(type(e.kind).__name__ == "Type" and list(e.instance_path) == steps for e in b)
        ]
        if len(fitting) == 1:
            for inner_error in fitting[0]:
                yield from _said(where, inner_error, fields)
        elif not fitting:
            types = [t for branch in branches for e in branch for t in e.kind.types]
            yield f"{path}: {_show(value)} is not of type {_types(types)}"
        else:
            yield f"{path}: {error.message}"
    else:
        yield f"{path}: {error.message}"


def _path(where: str, steps: list[str | int]) -> str:
    return where + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in steps)


_SCALARS = (str, int, float, bool, type(None))


def _not_json(row: dict[str, Any]) -> tuple[list[str | int], str] | None:
    """Where a row holds what JSON has no form for, and what: a YAML binary, set or `!!timestamp`,
    a NaN. The API can neither have been sent one nor answer it (that read would be a 500)."""
    stack: list[tuple[list[str | int], Any]] = [([], row)]
    while stack:
        steps, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, _SCALARS):  # a YAML complex key; JSON writes other scalars as text
                    return steps, f"the key {_show(key)} is not one JSON can write"
                stack.append(([*steps, str(key)], item))
        elif isinstance(value, list):
            stack += [([*steps, index], item) for index, item in enumerate(value)]
        elif isinstance(value, float) and not math.isfinite(value):
            return steps, f"{value!r} is not a number JSON can write"
        elif not isinstance(value, _SCALARS):
            return (
                steps,
                f"a {type(value).__name__} (a YAML tag such as !!binary or !!set) is not a value JSON can write",
            )
    return None


def _types(types: list[str]) -> str:
    named = list(dict.fromkeys(t for t in types if t != "null"))
    return " or ".join(repr(t) for t in named) + (" (or null)" if "null" in types else "")


def _properties_at(fields: dict[str, Any], steps: list[str | int]) -> list[str]:
    """The property names of the (fixture-format) object schema at an instance path in a row."""
    schema: Any = {"properties": fields}
    for step in steps:
        schema = schema.get("items", {}) if isinstance(step, int) else schema.get("properties", {}).get(step, {})
    return list(schema.get("properties", {}))


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
