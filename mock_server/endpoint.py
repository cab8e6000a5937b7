"""The innermost app of each operation: turns a validated request into a handler call and the
handler's result into a response checked against the contract.

Connexion's own operation layer (parameter, response and context decorators, then a separate
response-validation middleware that re-parses the body it just serialised) cost more than the
mock's work itself; by the time a request gets here Connexion's routing, security and request
validation have run, so this reads what it needs straight from the ASGI scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from connexion import NoContent
from connexion.exceptions import NonConformingResponseBody
from connexion.lifecycle import ConnexionResponse
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope

from mock_server import jsonio
from mock_server.compiled import COMPILED
from mock_server.context import Context
from mock_server.services import SESSION_HEADER
from mock_server.validation import PARSED_BODY, coerce_text

Handler = Callable[..., Awaitable[Any]]


class Endpoint:
    """One operation's handler bound to the app's services and, once Connexion has resolved the
    operation's references, to its parameters and responses (see `attach`)."""

    def __init__(self, services: Any, operation_id: str, handler: Handler) -> None:
        self.services = services
        self.handler = handler
        self.operation_id = operation_id
        self.__name__ = operation_id  # Connexion names routes after their function
        self._query: list[tuple[str, dict[str, Any]]] = []
        self._has_body = False
        self._responses: dict[str, Any] = {}

    def attach(self, operation: Any) -> None:
        """Take what the operation declares from Connexion's resolved view of it."""
        params = operation.parameters
        self._query = [(p["name"], p.get("schema", {})) for p in params if p.get("in") == "query"]
        self._has_body = bool(operation.request_body)
        self._responses = operation.responses

    async def __call__(self, **_: Any) -> Any:  # Connexion requires a callable; requests use respond()
        raise RuntimeError(f"{self.operation_id} is served through EndpointOperation")

    async def respond(self, scope: Scope, receive: Receive) -> Response:
        kwargs = dict(scope.get("path_params", {}))
        kwargs.update(self._query_arguments(scope))
        if self._has_body:
            kwargs["body"] = scope[PARSED_BODY] if PARSED_BODY in scope else await _json_body(receive)
        result = await self.handler(self._context(scope), **kwargs)  # type: ignore[misc]
        return self._to_response(result)

    def _context(self, scope: Scope) -> Context:
        token_info = scope.get("extensions", {}).get("connexion_context", {}).get("token_info")
        store = self.services.store_for(Headers(scope=scope).get(SESSION_HEADER))
        principal = token_info["principal"] if token_info else None
        return Context(store, self.services.ids, self.services.clock, principal, self.services.engine)

    def _query_arguments(self, scope: Scope) -> dict[str, Any]:
        given = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        arguments = {}
        for name, schema in self._query:
            if name in given:  # already validated: the text parses as its type
                arguments[name] = coerce_text(given[name], schema.get("type"))
            elif "default" in schema:
                arguments[name] = schema["default"]
        return arguments

    def _to_response(self, result: Any) -> Response:
        if isinstance(result, Response):
            return result  # a stream, served as the handler built it
        if isinstance(result, ConnexionResponse):
            headers = dict(result.headers or {})
            return Response(result.body, result.status_code, headers=headers, media_type=result.mimetype)
        body, status, *rest = result
        headers = rest[0] if rest else None
        if body is NoContent:
            return Response(status_code=status, headers=headers)
        if self.services.settings.validate_responses:
            self._check(status, body)
        return Response(jsonio.dumps(body), status, headers=headers, media_type="application/json")

    def _check(self, status: int, body: Any) -> None:
        """The mock checks its own answer against the contract before it leaves."""
        response = self._responses.get(str(status))
        media = (response or {}).get("content", {}).get("application/json")
        if media is None:
            raise NonConformingResponseBody(detail=f"{self.operation_id} answered an undocumented {status}")
        validator = COMPILED.validator(media["schema"], request=False)
        if not validator.is_valid(body):
            problems = "; ".join(
                f"{e.message} at /{'/'.join(map(str, e.instance_path))}" for e in validator.iter_errors(body)
            )
            raise NonConformingResponseBody(detail=f"{self.operation_id} {status}: {problems}")


async def _json_body(receive: Receive) -> Any:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw = b"".join(chunks)
    return jsonio.loads(raw) if raw else None
