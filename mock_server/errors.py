"""The only place error bodies are built: `{"detail": "..."}` for every error, and FastAPI's
`{"detail": [{type, loc, msg, input}]}` for request validation (422)."""

from __future__ import annotations

from itertools import islice
from typing import Any

UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "APIKey"}


class ApiError(Exception):
    """An HTTP error a handler raises; rendered as `{"detail": detail}`."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class RequestValidationFailed(Exception):
    """Request validation failed; rendered as a FastAPI 422."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, detail)


def unauthorized(detail: str) -> ApiError:
    return ApiError(401, detail, UNAUTHORIZED_HEADERS)


def admin_required() -> ApiError:
    return ApiError(403, "Admin privileges required for this operation.")


# What a 422 echoes of the input, at most (FastAPI echoes it whole: 10 MB in, 10 MB out).
ECHO_LIMIT = 1024


def validation_item(kind: str, loc: list[str | int], msg: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "loc": loc, "msg": msg, "input": echoed(value)}


def echoed(value: Any, limit: int = ECHO_LIMIT) -> Any:
    """`value` itself when it is small; else a short text saying what it was."""
    size = _size_within(value, limit)
    if size <= limit:
        return value
    if isinstance(value, str):
        return value[: limit // 4] + f"… ({len(value)} characters, cut)"
    kind = "object" if isinstance(value, dict) else "array"
    return f"<a JSON {kind} of more than {limit} bytes, not echoed>"


def _size_within(value: Any, limit: int) -> int:
    """A rough JSON size of `value`, counted only until it passes `limit` (cheap on huge input)."""
    total, stack = 0, [value]
    while stack and total <= limit:
        node = stack.pop()
        if isinstance(node, str):
            total += len(node) + 2
        elif isinstance(node, dict):
            total += 2 + len(node)
            for key, item in islice(node.items(), limit):  # each adds a byte at least: enough
                total += len(str(key)) + 3
                stack.append(item)
        elif isinstance(node, list):
            total += 2 + len(node)
            stack.extend(node[:limit])
        else:
            total += len(str(node))
    return total
