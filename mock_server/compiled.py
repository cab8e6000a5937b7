"""OpenAPI 3.0 schemas turned into JSON Schema and compiled once with jsonschema-rs.

Connexion validates with Python jsonschema and builds a new validator object for every request
and every response; here each schema is translated and compiled the first time it is seen, then
reused. The translation covers what OpenAPI 3.0 adds to JSON Schema Draft 4: `nullable`, and
`readOnly`/`writeOnly` (a request may not carry a readOnly property, a response a writeOnly one).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs

# Keywords OpenAPI adds that mean nothing to a validator.
_ANNOTATIONS = frozenset({"example", "discriminator", "xml", "externalDocs", "deprecated"})
_NEVER_VALID: dict[str, Any] = {"not": {}}


def is_http_url(value: str) -> bool:
    """What pydantic's HttpUrl accepts, which is how the real server checks `format: uri`."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(value) <= 2083


FORMATS = {"uri": is_http_url}


def to_json_schema(schema: Any, *, request: bool) -> Any:
    """The JSON Schema (Draft 4) meaning of an OpenAPI 3.0 schema, for a request or a response."""
    if isinstance(schema, list):
        return [to_json_schema(item, request=request) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS or key.startswith("x-") or key in ("nullable", "readOnly", "writeOnly"):
            continue
        if key == "properties":
            hidden = "readOnly" if request else "writeOnly"
            converted[key] = {
                name: _NEVER_VALID
                if isinstance(sub, dict) and sub.get(hidden)
                else to_json_schema(sub, request=request)
                for name, sub in value.items()
            }
        elif key in ("enum", "required", "type", "pattern", "default", "format"):
            converted[key] = value
        else:
            converted[key] = to_json_schema(value, request=request)
    if schema.get("nullable"):
        return _nullable(converted)
    return converted


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "type" in schema and not any(k in schema for k in ("allOf", "anyOf", "oneOf", "not")):
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        nullable = {**schema, "type": [*types, "null"]}
        if "enum" in schema:
            nullable["enum"] = [*schema["enum"], None]
        return nullable
    return {"anyOf": [schema, {"type": "null"}]}


def _formats_used(schema: Any) -> set[str]:
    if isinstance(schema, list):
        return set().union(*map(_formats_used, schema))
    if not isinstance(schema, dict):
        return set()
    found = {schema["format"]} if isinstance(schema.get("format"), str) else set()
    return found.union(*map(_formats_used, schema.values()))


class CompiledSchemas:
    """jsonschema-rs validators by schema object. The schema is kept beside its validator, so its
    id() cannot be reused by another schema while the cache holds it."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, bool], tuple[Any, jsonschema_rs.Draft4Validator]] = {}

    def validator(self, schema: dict[str, Any], *, request: bool) -> jsonschema_rs.Draft4Validator:
        key = (id(schema), request)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = (schema, compile_schema(schema, request=request))
        return cached[1]


def compile_schema(schema: dict[str, Any], *, request: bool) -> jsonschema_rs.Draft4Validator:
    """A validator for one OpenAPI schema, not cached (for a schema made once, e.g. a fixture row's)."""
    converted = to_json_schema(schema, request=request)
    # Only when the schema uses one: a validator given Python format checks runs every validation
    # about 40% slower, whether or not a format keyword is ever reached.
    formats = FORMATS if _formats_used(converted) & FORMATS.keys() else None
    return jsonschema_rs.Draft4Validator(converted, validate_formats=True, formats=formats)


# One cache for the process: Connexion gives validators no other place to keep state, and the
# schemas it holds live as long as their app.
COMPILED = CompiledSchemas()
