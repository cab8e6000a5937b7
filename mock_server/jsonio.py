"""JSON in and out: orjson where it is exact, the standard library where it is not.

orjson reads integers beyond 64 bits as floats and cannot write them; a client may send such a
number (a schema-valid `max_turns`, say), and it must come back as sent, not as a 422 or a 500.

Text that cannot be encoded never enters: orjson refuses a lone surrogate (`"\\ud800"`), the
standard library reads one, so what it reads is searched and a LoneSurrogate names where it is.
Writing escapes any that still reach an answer (an echoed path), rather than failing it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson


class LoneSurrogate(ValueError):
    """A string holds half of a UTF-16 pair, which no UTF-8 text can; `path` is where."""

    def __init__(self, path: list[str | int], value: str) -> None:
        super().__init__(f"lone surrogate at {path}")
        self.path = path
        self.value = value


def dumps(data: Any) -> bytes:
    try:
        return orjson.dumps(data)
    except TypeError:  # an integer beyond 64 bits, or a surrogate (escaped as JSON may)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


def _check_text(value: Any, path: list[str | int]) -> None:
    """Raise LoneSurrogate for the first string (key or value) that cannot be UTF-8."""
    stack: list[tuple[Any, list[str | int]]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if not node.isascii():
                try:
                    node.encode("utf-8")
                except UnicodeEncodeError:
                    raise LoneSurrogate(where, node) from None
        elif isinstance(node, dict):
            for key, item in node.items():
                stack.append((key, where))
                stack.append((item, [*where, key]))
        elif isinstance(node, list):
            stack.extend((item, [*where, index]) for index, item in enumerate(node))


# 19 digits in a row may be an integer orjson would turn into a float: parse those bodies slowly.
_LONG_NUMBER = re.compile(rb"\d{19}")


def loads(raw: bytes, *, parse_constant: Callable[[str], Any] | None = None) -> Any:
    """Parse a request body exactly. Raises ValueError (bad JSON or UTF-8) or RecursionError.
    `parse_constant` sees NaN/Infinity, which orjson refuses and the standard library accepts."""
    if not _LONG_NUMBER.search(raw):
        try:
            return orjson.loads(raw)  # exact, and valid text by construction
        except orjson.JSONDecodeError:
            pass
    # The standard library's exact error (position, UTF-8, depth), or its value where orjson is
    # stricter (NaN and Infinity, which `parse_constant` decides about; lone surrogates, refused).
    value = json.loads(raw, parse_constant=parse_constant)
    _check_text(value, [])
    return value
