"""Connexion's AsyncApp with its operation layer replaced by the mock's Endpoints.

Connexion still routes, checks the API key and validates every request; the innermost app of each
operation is an EndpointOperation, which calls the handler straight from the scope and checks the
answer against the contract itself (see endpoint.py)."""

from __future__ import annotations

from typing import Any

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.types import Receive, Scope, Send

from mock_server.endpoint import Endpoint

# Connexion's default stack minus response validation (Endpoint checks answers without re-parsing
# them) and the context middleware (handlers receive their Context explicitly).
MIDDLEWARES = [
    ServerErrorMiddleware,
    ExceptionMiddleware,
    SwaggerUIMiddleware,
    RoutingMiddleware,
    SecurityMiddleware,
    RequestValidationMiddleware,
    LifespanMiddleware,
]


class EndpointOperation:
    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    @classmethod
    def from_operation(cls, operation: Any, **_: Any) -> EndpointOperation:
        endpoint = operation.function
        endpoint.attach(operation)
        return cls(endpoint)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.endpoint.respond(scope, receive)
        await response(scope, receive, send)


class EndpointApi(AsyncApi):
    def make_operation(self, operation: Any) -> EndpointOperation:  # type: ignore[override]
        return EndpointOperation.from_operation(operation)


class EndpointASGIApp(AsyncASGIApp):
    api_cls = EndpointApi


class MockApp(AsyncApp):
    def __init__(self, import_name: str, **kwargs: Any) -> None:
        super().__init__(import_name, middlewares=list(MIDDLEWARES), **kwargs)
        self._middleware_app = EndpointASGIApp()
        self.middleware.app = self._middleware_app
