"""Hostile requests for every operation of the contract: the inputs Schemathesis' negative mode
does not make. Each class is a function of one operation and the live ids it may use:

- poison: a lone surrogate or deep nesting inside each free-form and typed body field;
- numbers: integers of thousands of digits, NaN and Infinity;
- bytes: bodies that are not UTF-8, truncated JSON, wrong and oddly spelled content types,
  arrays and strings where objects belong, bodies of megabytes, undeclared and duplicate ids;
- paths and queries: surrogate escapes, very long and odd segments, huge and negative numbers;
- headers: long and odd X-Mock-Session names, odd keys.

`make fuzz` sends all of them (fuzz/run.py); tests/mock_server/test_hostile.py sends a sample.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mock_server.spec import Operation

SURROGATE = "\\ud800"  # as JSON text: the escape of a lone high surrogate
DEEP = 300  # parses (FastAPI parses ~1000 levels) and must then be stored and answered
TOO_DEEP = 2_000
HUGE_DIGITS = 5_000


@dataclass(frozen=True)
class Probe:
    """One request: what it tries, and everything needed to send it."""

    kind: str
    operation_id: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str | bytes] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.method} {self.path[:80]}"


def fill(operation: Operation, ids: dict[str, str]) -> str:
    """The operation's path with live ids (or placeholders) for its parameters."""
    path = operation.path
    for name in operation.path_params:
        path = path.replace("{" + name + "}", ids.get(name, f"{name}_none"))
    return path


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _with_raw(value: dict[str, Any], key: str, raw: str) -> bytes:
    """`value` as JSON, with `key`'s value replaced by raw JSON text (which json cannot write)."""
    marker = "__RAW__"
    return json.dumps({**value, key: marker}).replace(f'"{marker}"', raw).encode()


def body_probes(operation: Operation, path: str, base: dict[str, Any]) -> Iterator[Probe]:
    """Every body-borne attack, around a body the operation would otherwise take (`base`)."""
    op, method = operation.id, operation.method

    def probe(kind: str, body: bytes, content_type: str = "application/json") -> Probe:
        return Probe(kind, op, method, path, body, {"Content-Type": content_type})

    keys = list(base) or ["meta_data"]
    for key in keys:
        yield probe(f"surrogate in {key}", _with_raw(base, key, f'"{SURROGATE}"'))
        yield probe(f"surrogate deep in {key}", _with_raw(base, key, f'{{"k": ["{SURROGATE}"]}}'))
        yield probe(f"surrogate key in {key}", _with_raw(base, key, f'{{"{SURROGATE}": 1}}'))
        yield probe(f"nested {DEEP} in {key}", _with_raw(base, key, "[" * DEEP + "]" * DEEP))
        yield probe(f"huge integer in {key}", _with_raw(base, key, "9" * HUGE_DIGITS))
        yield probe(f"NaN in {key}", _with_raw(base, key, "NaN"))
        yield probe(f"big integer in {key}", _with_raw(base, key, str(2**70)))
    yield probe("nested too deep", b'{"k":' + b"[" * TOO_DEEP + b"]" * TOO_DEEP + b"}")
    yield probe("not utf-8", b'{"k": "\xff\xfe"}')
    yield probe("truncated json", _json(base)[:-1])
    yield probe("array body", b"[]")
    yield probe("string body", b'"text"')
    yield probe("null body", b"null")
    yield probe("empty body", b"")
    yield probe("text content type", _json(base), "text/plain")
    yield probe("form content type", b"a=1", "application/x-www-form-urlencoded")
    yield probe("multipart without boundary", b"--x\r\n", "multipart/form-data")
    yield probe("spaced content type", _json(base), "application/json ; charset=UTF-8")
    yield probe("latin-1 charset", _json(base), "application/json; charset=latin-1")
    yield probe("extra keys 200 KB", _json({**base, **{f"extra{i}": "x" * 100 for i in range(2_000)}}))
    yield probe("undeclared id", _json({**base, "id": "user_Undeclared00000000000000"}))
    yield probe("long strings", _json({key: "x" * 100_000 for key in keys}))


def path_probes(operation: Operation, ids: dict[str, str]) -> Iterator[Probe]:
    op, method = operation.id, operation.method
    for name in operation.path_params:
        for kind, value in (
            ("surrogate escape", "%ED%A0%80"),
            ("long segment", "x" * 10_000),
            ("encoded slash", "a%2Fb"),
            ("unicode", "é🙂"),
        ):
            path = fill(operation, {**ids, name: value})
            yield Probe(
                f"{kind} in {name}", op, method, path, b"{}" if operation.has_body else None, _json_type(operation)
            )
    base = fill(operation, ids)
    for name in operation.query_params:
        for kind, value in (
            ("huge", "9" * 5_000),
            ("negative", "-1"),
            ("float", "1.5"),
            ("surrogate escape", "%ED%A0%80"),
            ("empty", ""),
            ("repeated", f"1&{name}=2"),
        ):
            yield Probe(f"{kind} {name}", op, method, f"{base}?{name}={value}", None)


def _json_type(operation: Operation) -> dict[str, str | bytes]:
    return {"Content-Type": "application/json"} if operation.has_body else {}


def header_probes(operation: Operation, ids: dict[str, str]) -> Iterator[Probe]:
    op, method, path = operation.id, operation.method, fill(operation, ids)
    body = b"{}" if operation.has_body else None
    for kind, headers in (
        ("long session name", {"X-Mock-Session": "s" * 10_000}),
        ("odd session name", {"X-Mock-Session": "é\t;,=".encode("latin-1")}),
        ("odd api key", {"X-API-Key": ("ea_\u00e9" * 10).encode("latin-1")}),
        ("eight-character key", {"X-API-Key": "ea_12345"}),
    ):
        yield Probe(kind, op, method, path, body, {**_json_type(operation), **headers})


def probes(operations: dict[str, Operation], ids: dict[str, str], bodies: dict[str, dict[str, Any]]) -> Iterator[Probe]:
    """Every hostile request for every operation; `bodies` holds a body each would take."""
    for operation in operations.values():
        path = fill(operation, ids)
        generators = [path_probes(operation, ids), header_probes(operation, ids)]
        if operation.has_body:
            generators.insert(0, body_probes(operation, path, bodies.get(operation.id, {})))
        yield from itertools.chain(*generators)
