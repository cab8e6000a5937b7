"""How negative testing treats values a FastAPI server coerces: as valid.

The contract's schemas say what clients must send. A FastAPI server validates with pydantic in
lax mode, which also takes `0`/`1`, `"yes"`/`"off"` and the like for a boolean, `true`, `1.0` and
`" 5 "` for an integer, `true` and `"5"` for a number (pydantic v2's lax-mode conversion table,
which the real server's request models use; tests/contract_tests/test_lax.py). A server that
accepts such a value has not accepted a schema-violating request in any sense a client cares
about, so our
`negative_data_rejection` (checks.py) does not count a negative case whose body, coerced the way
pydantic coerces, satisfies the schema. Strings are never coerced (pydantic takes only strings
for `str`), nor are values inside free-form objects.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs

TRUE = frozenset({"true", "yes", "on", "y", "t", "1"})
FALSE = frozenset({"false", "no", "off", "n", "f", "0"})
_INTEGER_TEXT = re.compile(r"^\s*[+-]?\d+(_\d+)*(\.0*)?\s*$")


def is_valid_when_coerced(schema: dict[str, Any], value: Any) -> bool:
    """Whether `value`, coerced as pydantic's lax mode coerces, satisfies the JSON Schema `schema`
    (a bundle whose `$ref`s are local)."""
    return jsonschema_rs.validator_for(schema).is_valid(coerce(schema, schema, value))


def coerce(root: dict[str, Any], schema: Any, value: Any) -> Any:
    schema = _resolved(root, schema)
    if not isinstance(schema, dict):
        return value
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return _first_fit(root, schema[keyword], value)
    for part in schema.get("allOf", []):
        value = coerce(root, part, value)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else (types or [])
    if isinstance(value, dict) and ("object" in types or "properties" in schema):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        return {key: coerce(root, properties[key] if key in properties else extra, item) for key, item in value.items()}
    if isinstance(value, list) and ("array" in types or "items" in schema):
        items = schema.get("items")
        return [coerce(root, items, item) for item in value] if isinstance(items, dict) else value
    for kind in types:
        coerced = _scalar(kind, value)
        if coerced is not _NO:
            return coerced
    return value


_NO: Any = object()


def _scalar(kind: str, value: Any) -> Any:
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
            return value.strip().lower() in TRUE
    elif kind == "integer":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INTEGER_TEXT.match(value):
            return int(float(value.replace("_", "")))
    elif kind == "number":
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return _NO
    return _NO


def _first_fit(root: dict[str, Any], branches: list[Any], value: Any) -> Any:
    for branch in branches:
        if _fits(root, branch, value):
            return value
    for branch in branches:
        coerced = coerce(root, branch, value)
        if _fits(root, branch, coerced):
            return coerced
    return value


def _fits(root: dict[str, Any], branch: Any, value: Any) -> bool:
    definitions = {key: item for key, item in root.items() if key != "$ref"}  # the bundle, not its root
    resolved = _resolved(root, branch)
    return jsonschema_rs.validator_for(
        {**definitions, **resolved} if isinstance(resolved, dict) else resolved
    ).is_valid(value)


def _resolved(root: dict[str, Any], schema: Any) -> Any:
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 50:
        node: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema, seen = node, seen + 1
    return schema
