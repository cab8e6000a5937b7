"""The follow-up requests our checks make to see what one answer cannot show: read back what was
just created, read what was just deleted, replay a request with the second user's key, fetch a
page one item larger. Each is journaled, so the coverage matrix counts it, and each carries the
run's `X-Mock-Session` when it has one (`--session`), like every other request of the suite."""

from __future__ import annotations

import functools
import os
from typing import Any
from urllib.parse import urlsplit

import httpx

from contract_tests import journal
from contract_tests.contract import Operation

BASE_URL_ENV = "CONTRACT_TESTS_BASE_URL"
API_KEY_ENV = "CONTRACT_TESTS_API_KEY"
SECOND_KEY_ENV = "CONTRACT_TESTS_SECOND_KEY"
SECOND_USER_ENV = "CONTRACT_TESTS_SECOND_USER_ID"
SESSION_ENV = "CONTRACT_TESTS_SESSION"
API_KEY_HEADER = "X-API-Key"
SESSION_HEADER = "X-Mock-Session"  # the mock keeps one namespace of data per value
NOT_SET: Any = object()


@functools.cache
def _client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0))


def base_url(request_url: str) -> str:
    """The runner names the base URL (it may carry a path); standalone use falls back to the origin."""
    configured = os.environ.get(BASE_URL_ENV)
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(request_url)
    return f"{parts.scheme}://{parts.netloc}"


def second_user() -> tuple[str, str] | None:
    """(key, user id) of the user who must not see the first user's data, when the runner made one."""
    key, user_id = os.environ.get(SECOND_KEY_ENV), os.environ.get(SECOND_USER_ENV)
    return (key, user_id) if key and user_id else None


def headers(key: str | None) -> dict[str, str]:
    """The key, and the run's session when it has one."""
    session = os.environ.get(SESSION_ENV)
    return {**({API_KEY_HEADER: key} if key else {}), **({SESSION_HEADER: session} if session else {})}


def send(
    root: str,
    operation: Operation,
    key: str | None,
    path_parameters: dict[str, Any],
    *,
    query: dict[str, Any] | None = None,
    body: Any = NOT_SET,
    source: str,
) -> httpx.Response:
    url = root + operation.url(**{name: str(value) for name, value in path_parameters.items()})
    kwargs: dict[str, Any] = {"params": query or None, "headers": headers(key)}
    if body is not NOT_SET:
        kwargs["json"] = body
    response = _client().request(operation.method, url, **kwargs)
    journal.record(operation.id, response.status_code, source)
    return response


def replay(request: Any, operation: Operation, key: str, *, source: str) -> httpx.Response:
    """The exact request Schemathesis sent (method, URL, body), with another key."""
    sent = headers(key)
    if request.headers.get("Content-Type"):
        sent["Content-Type"] = request.headers["Content-Type"]
    body = request.body.encode() if isinstance(request.body, str) else request.body
    response = _client().request(request.method, request.url, content=body, headers=sent)
    journal.record(operation.id, response.status_code, source)
    return response


def json_body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def evaluate(
    expression: Any, *, path_parameters: dict[str, Any], query: dict[str, Any], request_body: Any, response_body: Any
) -> Any:
    """A link's runtime expression (`$response.body#/id`, `$request.path.user_id`, …); NOT_SET
    when it cannot be resolved. Literals pass through."""
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    sources = {
        "$response.body#": response_body,
        "$request.body#": request_body,
        "$request.path.": path_parameters,
        "$request.query.": query,
    }
    for prefix, source in sources.items():
        if expression.startswith(prefix):
            rest = expression[len(prefix) :]
            return _pointer(source, rest) if prefix.endswith("#") else (source or {}).get(rest, NOT_SET)
    return NOT_SET


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for part in [p for p in pointer.split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return NOT_SET
    return node
