"""JSON in and out: orjson where it is exact, the standard library where it is not.

orjson reads integers beyond 64 bits as floats and cannot write them; a client may send such a
number (a schema-valid `max_turns`, say), and it must come back as sent, not as a 422 or a 500."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson


def dumps(data: Any) -> bytes:
    try:
        return orjson.dumps(data)
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


# 19 digits in a row may be an integer orjson would turn into a float: parse those bodies slowly.
_LONG_NUMBER = re.compile(rb"\d{19}")


def loads(raw: bytes, *, parse_constant: Callable[[str], Any] | None = None) -> Any:
    """Parse a request body exactly. Raises ValueError (bad JSON or UTF-8) or RecursionError.
    `parse_constant` sees NaN/Infinity, which orjson refuses and the standard library accepts."""
    if _LONG_NUMBER.search(raw):
        return json.loads(raw, parse_constant=parse_constant)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        # The standard library's exact error (position, UTF-8, depth), or its value where orjson
        # is stricter (NaN and Infinity, which `parse_constant` decides about).
        return json.loads(raw, parse_constant=parse_constant)
