"""Exact shortcuts for the simple schemas parameters have (`type: integer, minimum: 1`, a string
enum, a string with a length limit): a plain Python test that answers "valid" only when the
compiled validator (compiled.py) would, and "ask it" otherwise.

A parameter is checked on every request and its schema is nearly always one of these; calling
into jsonschema-rs costs more than the check itself. The shortcut never refuses: a value it does
not vouch for goes to the validator, which decides and words the 422. So a schema with any
keyword not handled here (pattern, format, multipleOf, anyOf…) gets no shortcut, and neither do
values whose JSON meaning Python could read differently from jsonschema-rs: non-ASCII text (code
points against scalar values), integers beyond 2**53, non-finite floats.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Quick = Callable[[Any], bool]

# Keywords that never change whether a value is valid.
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "default", "deprecated", "nullable"})
_HANDLED = frozenset({"type", "enum", "minimum", "maximum", "minLength", "maxLength"}) | _ANNOTATIONS
_SAFE_INTEGER = 2**53


def quick_check(schema: dict[str, Any]) -> Quick | None:
    """A predicate vouching for values valid against `schema`, or None when there is none."""
    if not isinstance(schema, dict) or any(not k.startswith("x-") and k not in _HANDLED for k in schema):
        return None
    kind = schema.get("type")
    enum = schema.get("enum")
    low, high = schema.get("minimum"), schema.get("maximum")
    if kind == "string":
        if low is not None or high is not None:
            return None
        if enum is not None:
            if not all(isinstance(choice, str) for choice in enum):
                return None
            choices = frozenset(enum)
            return lambda value: type(value) is str and value in choices
        shortest, longest = schema.get("minLength", 0), schema.get("maxLength")
        if longest is None:
            return lambda value: type(value) is str and value.isascii() and len(value) >= shortest
        return lambda value: type(value) is str and value.isascii() and shortest <= len(value) <= longest
    if enum is not None or "minLength" in schema or "maxLength" in schema:
        return None
    if kind == "integer":
        return lambda value: type(value) is int and abs(value) < _SAFE_INTEGER and _within(value, low, high)
    if kind == "number":
        return lambda value: (
            ((type(value) is int and abs(value) < _SAFE_INTEGER) or (type(value) is float and math.isfinite(value)))
            and _within(value, low, high)
        )
    if kind == "boolean" and low is None and high is None:
        return lambda value: type(value) is bool
    return None


def _within(value: int | float, low: Any, high: Any) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)
