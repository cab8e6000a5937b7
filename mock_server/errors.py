"""The only place error bodies are built: `{"detail": "..."}` for every error, and FastAPI's
`{"detail": [{type, loc, msg, input}]}` for request validation (422)."""

from __future__ import annotations

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


def validation_item(kind: str, loc: list[str | int], msg: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "loc": loc, "msg": msg, "input": value}
