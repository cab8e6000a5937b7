"""Deliberately broken Entities API servers: the mock behind an ASGI wrapper that rewrites what it
answers (and, for a leak, whom it thinks is asking). Each break is a small function, so a test
reads as "this server gets `has_more` wrong" and the suite must say so."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from mock_server import Settings, create_app
from tests.contract_tests.conftest import ADMIN_KEY

Scope = dict[str, Any]
# (request scope, status, body) -> (status, body); JSON answers only, streams pass through.
Rewrite = Callable[[Scope, int, Any], tuple[int, Any]]


def broken_mock(rewrite: Rewrite | None = None, *, on_request: Callable[[Scope], None] | None = None) -> Any:
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=4))

    async def server(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        if on_request:
            on_request(scope)
        if rewrite is None:
            return await app(scope, receive, send)
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def answer(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                if dict(message.get("headers", [])).get(b"content-type", b"").startswith(b"application/json"):
                    start.update(message)  # hold it until the body can be rewritten
                    return
            elif message["type"] == "http.response.body" and start:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                status, body = rewrite(scope, start["status"], json.loads(b"".join(chunks) or b"null"))
                payload = json.dumps(body).encode() if body is not None else b""
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                await send(
                    {**start, "status": status, "headers": [*headers, (b"content-length", b"%d" % len(payload))]}
                )
                await send({"type": "http.response.body", "body": payload})
                return
            await send(message)

        await app(scope, receive, answer)

    return server


def objects(body: Any) -> list[dict[str, Any]]:
    """The body's top-level object and the items of a list (bare or enveloped)."""
    if isinstance(body, list):
        return [item for item in body if isinstance(item, dict)]
    if isinstance(body, dict):
        data = body.get("data")
        return [body, *([item for item in data if isinstance(item, dict)] if isinstance(data, list) else [])]
    return []


def message_object_is_msg(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    for item in objects(body):
        if item.get("object") == "message":
            item["object"] = "msg"
    return status, body


def thread_without_created_at(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    for item in objects(body):
        if item.get("object") == "thread":
            item.pop("created_at", None)
    return status, body


def has_more_when_the_page_is_full(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    """The real server's bug: `has_more: true` whenever the page is full, more or not."""
    if isinstance(body, dict) and body.get("object") == "list":
        limit = int((parse_qs(scope["query_string"].decode()).get("limit") or ["20"])[0])
        body["has_more"] = len(body["data"]) >= limit
    return status, body


def server_error_on_a_bad_thread_body(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    if (scope["method"], scope["path"], status) == ("POST", "/v1/threads", 422):
        return 500, {"detail": "Internal Server Error"}
    return status, body


class ThreadReadableByAnyone:
    """No ownership check on GET /v1/threads/{id}: the server reads it as its creator, whoever asks."""

    def __init__(self) -> None:
        self.creators: dict[str, bytes] = {}

    def remember(self, scope: Scope, status: int, body: Any) -> tuple[int, Any]:
        if (scope["method"], scope["path"], status) == ("POST", "/v1/threads", 200) and isinstance(body, dict):
            self.creators[body["id"]] = dict(scope["headers"]).get(b"x-api-key", b"")
        return status, body

    def on_request(self, scope: Scope) -> None:
        parts = scope["path"].strip("/").split("/")
        if scope["method"] == "GET" and len(parts) == 3 and parts[:2] == ["v1", "threads"]:
            creator = self.creators.get(parts[2])
            if creator:
                scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"x-api-key"] + [
                    (b"x-api-key", creator)
                ]


def runs_refused(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    """A server that cannot create runs: every `POST /v1/runs` is a 422, as if it wanted another body."""
    if (scope["method"], scope["path"]) == ("POST", "/v1/runs"):
        detail = [{"loc": ["body", "user_id"], "msg": "field required", "type": "value_error.missing"}]
        return 422, {"detail": detail}
    return status, body
