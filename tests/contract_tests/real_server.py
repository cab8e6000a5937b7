"""Stand-ins for the real Entities API server, built on the mock: one behaves as the real server
does where the real server is right and our contract once said otherwise (the suite must report
nothing against it), one has the real server's deviations (the suite must name each).

Each is an ASGI wrapper that may rewrite a request before the mock sees it, answer it itself,
or rewrite the mock's JSON answer."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from mock_server import Settings, create_app
from tests.contract_tests.conftest import ADMIN_KEY

Scope = dict[str, Any]


@dataclass
class Exchange:
    """One request as the wrapper sees it; a rule may change it, or answer it (`answer`)."""

    scope: Scope
    body: Any  # the JSON body, or None
    answer: tuple[int, Any] | tuple[int, Any, list[tuple[bytes, bytes]]] | None = None

    @property
    def method(self) -> str:
        return self.scope["method"]

    @property
    def parts(self) -> list[str]:
        return self.scope["path"].strip("/").split("/")

    @property
    def key(self) -> str:
        return dict(self.scope["headers"]).get(b"x-api-key", b"").decode()

    def use_key(self, key: str) -> None:
        headers = [(k, v) for k, v in self.scope["headers"] if k != b"x-api-key"]
        self.scope["headers"] = [*headers, (b"x-api-key", key.encode())]

    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.scope["query_string"].decode()).items()}

    def set_query(self, values: dict[str, str]) -> None:
        self.scope["query_string"] = urlencode(values).encode()


Rule = Callable[[Exchange], None]
AnswerRule = Callable[[Exchange, int, Any], tuple[int, Any]]


@dataclass
class StandIn:
    before: list[Rule] = field(default_factory=list)
    after: list[AnswerRule] = field(default_factory=list)
    app: Any = field(default_factory=lambda: create_app(Settings(admin_key=ADMIN_KEY, seed=5)))

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        raw = await _read(receive)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        exchange = Exchange(scope, body)
        for rule in self.before:
            rule(exchange)
        if exchange.answer is not None:
            return await _answer(send, *exchange.answer)
        content = json.dumps(exchange.body).encode() if exchange.body is not None and raw else raw
        await self._forward(exchange, content, receive, send)

    async def _forward(self, exchange: Exchange, content: bytes, client: Any, send: Any) -> None:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await client()  # after the body: the client's own events (its disconnect)
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}

        headers = [(k, v) for k, v in exchange.scope["headers"] if k != b"content-length"]
        exchange.scope["headers"] = [*headers, (b"content-length", str(len(content)).encode())]
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def answer(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                is_json = dict(message.get("headers", [])).get(b"content-type", b"").startswith(b"application/json")
                if is_json and self.after:
                    start.update(message)
                    return
            elif message["type"] == "http.response.body" and start:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                status, body = start["status"], json.loads(b"".join(chunks) or b"null")
                for rule in self.after:
                    status, body = rule(exchange, status, body)
                return await _answer(send, status, body)
            await send(message)

        await self.app(exchange.scope, receive, answer)


async def _read(receive: Callable[[], Awaitable[dict[str, Any]]]) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Any, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    payload = b"" if body is None else json.dumps(body).encode()
    base = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*base, *(headers or [])]})
    await send({"type": "http.response.body", "body": payload})


# --- what the real server does right, where our contract once disagreed ----------------------------


def operation_of(app: Any, exchange: Exchange) -> Any:
    from mock_server.seam import RouteTable

    routes = RouteTable()
    routes.add(app.mock.spec, "")
    found = routes.match(exchange.method, exchange.scope["path"])
    return app.mock.wiring.bindings[found[2]].operation if found else None


def options_as_fastapi(exchange: Exchange) -> None:
    """A non-preflight OPTIONS is a 405 whose Allow names only the first route's method."""
    headers = dict(exchange.scope["headers"])
    if exchange.method == "OPTIONS" and b"access-control-request-method" not in headers:
        exchange.answer = (405, {"detail": "Method Not Allowed"}, [(b"allow", b"GET")])


TRUE, FALSE = {"true", "yes", "on", "1", "t", "y"}, {"false", "no", "off", "0", "f", "n"}


def _coerced(kind: str | None, value: Any) -> Any:
    if kind == "boolean" and not isinstance(value, bool):
        if value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in TRUE | FALSE:
            return value.lower() in TRUE
    if kind == "integer" and not isinstance(value, bool):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            return int(value)
    if kind == "number" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def lax_bodies(app: Any) -> Rule:
    """pydantic's lax mode on a body's top-level fields: `0`/`"yes"` for booleans, `"5"` and
    `5.0` for integers, numeric strings for numbers (the real server takes them all)."""
    from mock_server.spec import Resolver

    resolve = Resolver(app.mock.spec)

    def rule(exchange: Exchange) -> None:
        operation = operation_of(app, exchange)
        if operation is None or not operation.has_body or not isinstance(exchange.body, dict):
            return
        raw = app.mock.spec["paths"][operation.path][operation.method.lower()]["requestBody"]
        schema = resolve(raw)["content"]["application/json"]["schema"]
        properties = schema.get("properties", {})
        exchange.body = {k: _coerced(properties.get(k, {}).get("type"), v) for k, v in exchange.body.items()}

    return rule


def faithful() -> StandIn:
    stand_in = StandIn()
    stand_in.before += [options_as_fastapi, lax_bodies(stand_in.app)]
    return stand_in
