"""Connexion's AsyncApp with its operation layer replaced by the mock's Endpoints.

Connexion still routes, checks the API key and validates every request; the innermost app of each
operation is an EndpointOperation, which calls the handler straight from the scope and checks the
answer against the contract itself (see endpoint.py)."""

from __future__ import annotations

import functools
from typing import Any

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp
from connexion.middleware import MiddlewarePosition
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.security import SecurityAPI, SecurityMiddleware, SecurityOperation
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from mock_server.endpoint import Endpoint
from mock_server.routing import DirectRoutingMiddleware


class DocsOnlySwaggerUI(SwaggerUIMiddleware):
    """Swagger UI and the served contract, off the API's hot path: only their own paths reach the
    Swagger router (which otherwise copies the scope and routes every request)."""

    PREFIXES = ("/docs", "/openapi.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(self.PREFIXES):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class BrowserCORSMiddleware(CORSMiddleware):
    """Starlette's CORS for requests that carry an Origin header, which browsers always send; other
    clients skip its per-response header rewriting (their answers just lack `Vary: Origin`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(name == b"origin" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class LeanRequestValidationOperation(RequestValidationOperation):
    """Connexion's request validation, with what it rebuilds for every request (a URI parser, a
    parameter validator, the body's schema lookups) made once per operation."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._parameter_validator.validate(scope)
        if self._operation.request_body:
            mime_type, encoding = self.extract_content_type(scope["headers"])
            self.validate_mime_type(mime_type)  # a non-JSON body is refused here (a 422 in wiring)
            validator = self._body_validator_class(
                schema=self._body_schema,
                required=self._operation.request_body.get("required", False),
                nullable=False,
                encoding=encoding,
                strict_validation=self.strict_validation,
            )
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)

    @functools.cached_property
    def _parameter_validator(self) -> Any:
        return self._validator_map["parameter"](
            self._operation.parameters,
            uri_parser=None,
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )

    @functools.cached_property
    def _body_schema(self) -> dict[str, Any]:
        return self._operation.body_schema("application/json")

    @functools.cached_property
    def _body_validator_class(self) -> Any:
        return self._validator_map["body"]["application/json"]


class LeanRequestValidationAPI(RequestValidationAPI):
    def make_operation(self, operation: Any) -> LeanRequestValidationOperation:
        options = {"strict_validation": self.strict_validation, "validator_map": self.validator_map}
        return LeanRequestValidationOperation(self.next_app, operation=operation, **options)


class LeanRequestValidationMiddleware(RequestValidationMiddleware):
    api_cls = LeanRequestValidationAPI


class LeanSecurityOperation(SecurityOperation):
    """Connexion's security check, calling the scheme's check straight with the request headers
    (Connexion wraps every request in a request object and a generic any-of-schemes loop)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.security:
            await self.next_app(scope, receive, send)
            return
        token_info = self._check(Headers(scope=scope))
        context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})
        context.update(token_info=token_info, user=token_info["sub"])
        await self.next_app(scope, receive, send)

    @functools.cached_property
    def _check(self) -> Any:
        # The contract has one scheme (ApiKeyAuth); every secured operation requires exactly it.
        ((name, scopes),) = [item for requirement in self.security for item in requirement.items()]
        scheme = self.security_schemes[name]
        return self.security_handler_factory.security_handlers[scheme["type"]]().get_fn(scheme, scopes)


class LeanSecurityAPI(SecurityAPI):
    def make_operation(self, operation: Any) -> LeanSecurityOperation:
        factory = self.security_handler_factory
        return LeanSecurityOperation.from_operation(operation, next_app=self.next_app, security_handler_factory=factory)


class LeanSecurityMiddleware(SecurityMiddleware):
    api_cls = LeanSecurityAPI


# Connexion's default stack minus response validation (Endpoint checks answers without re-parsing
# them) and the context middleware (handlers receive their Context explicitly).
MIDDLEWARES = [
    ServerErrorMiddleware,
    ExceptionMiddleware,
    DocsOnlySwaggerUI,
    DirectRoutingMiddleware,
    LeanSecurityMiddleware,
    LeanRequestValidationMiddleware,
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

    def add_middleware(
        self, middleware_class: Any, *, position: MiddlewarePosition = MiddlewarePosition.BEFORE_CONTEXT, **options: Any
    ) -> None:
        """Connexion's positions, found among the mock's own subclasses of the middlewares they name
        (Connexion matches the exact classes). BEFORE_CONTEXT, the default, is just before the
        operation itself: the mock has no context middleware, handlers get their Context directly."""
        if self.middleware.middleware_stack is not None:
            raise RuntimeError("Cannot add middleware after an application has started")
        stack = self.middleware.middlewares
        classes = [m.func if isinstance(m, functools.partial) else m for m in stack]
        at = [i for i, cls in enumerate(classes) if isinstance(cls, type) and issubclass(cls, position.value)]
        if not at and position is not MiddlewarePosition.BEFORE_CONTEXT:
            raise ValueError(f"Could not insert middleware at position {position.name}")
        stack.insert(at[0] if at else len(stack), functools.partial(middleware_class, **options))
