"""JSON in and out: orjson where it is exact, the standard library where it is not.

orjson reads integers beyond 64 bits as floats and cannot write them; a client may send such a
number (a schema-valid `max_turns`, say), and it must come back as sent, not as a 422 or a 500."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson


def dumps(data: Any) -> bytes:
    try:
        return orjson.dumps(data)
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


# 19 digits in a row may be an integer orjson would turn into a float: parse those bodies slowly.
_LONG_NUMBER = re.compile(rb"\d{19}")


def loads(raw: bytes) -> Any:
    """Parse a request body exactly. Raises ValueError (bad JSON or UTF-8) or RecursionError."""
    if _LONG_NUMBER.search(raw):
        return json.loads(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)  # for the standard library's exact error (position, UTF-8, depth)
