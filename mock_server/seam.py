"""The one place the mock relies on Connexion internals, each kept because of what it buys.

- `FastRoutingMiddleware` (+22% requests per second on a list page, measured when introduced):
  Connexion's RoutingMiddleware routes with a starlette Router, which tries every route of the API
  in turn. This one matches a request in one step, with one regular expression per method and
  path prefix folded from the contract's paths, and hands on exactly what Connexion's router would: the path
  parameters in `scope["path_params"]` and, under `scope["extensions"][ROUTING_CONTEXT]`,
  `{"api_base_path", "operation_id"}` — the internal handshake every RoutedMiddleware reads.
  A request it cannot place (an unknown path, a method the path lacks, a trailing slash) goes
  through Connexion's own router, which owns 404, 405 and the redirects.
- `LeanSecurityMiddleware`, `LeanRequestValidationMiddleware` (mock/bare 0.55-0.74 -> 0.65-0.76
  across the bench's scenarios, measured when introduced): Connexion's security and request
  validation stages, doing per operation once what those do per request (below). They write the
  token info where Connexion's ContextMiddleware reads it (`scope["extensions"]["connexion_context"]`)
  and call the validator classes of the `validator_map` with the keywords Connexion uses.
- `DirectDispatch` (mixed into the routed stages after routing, ~5% of a list request when
  introduced): finds a stage's operation with one lookup where RoutedMiddleware.__call__ reads
  `RoutedMiddleware.apis` and `RoutedAPI.operations` per request; anything it does not know goes
  to Connexion's own __call__.
- `LeanExceptionMiddleware` (+4-5% requests per second over HTTP on the bench's scenarios, measured
  when introduced): Starlette's exception stage builds a Request and two closures for every request,
  ready for an exception that almost never comes. This one only tracks whether the answer started,
  and hands an exception to Starlette's own `wrap_app_handling_exceptions` (a private function),
  so handlers are found and called exactly as there. It puts the handlers where Starlette's routers
  look (`scope["starlette.exception_handlers"]`, from ExceptionMiddleware's private attributes).
- `ServedContractAPI`: the contract Connexion serves at `/openapi.json` lists the running mock's
  own URL in `servers` (Connexion writes its base path alone, so Swagger UI's servers menu was
  empty), by wrapping `SwaggerUIAPI._spec_for_prefix`, the one method that builds it.

tests/mock_server/test_seam.py names every internal used here and fails with a message saying
which one moved; pyproject.toml pins Connexion to the minor version that test covers.
"""

from __future__ import annotations

import re
from abc import ABCMeta
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware.abstract import (
    ROUTING_CONTEXT,  # internal: the routing handshake's scope key
    RoutedAPI,
)
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from starlette._exception_handler import wrap_app_handling_exceptions  # internal: Starlette's handler call
from starlette.requests import Request
from starlette.routing import compile_path, get_route_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.bodies import FORM_TYPES, split_content_type
from mock_server.spec import METHODS

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class _MethodTable:
    """One method's routes, in the contract's order, folded into one expression: the first path
    that matches wins, as in starlette (a literal path listed before a parameter path wins)."""

    def __init__(self) -> None:
        self.routes: list[tuple[re.Pattern[str], dict[str, Any], str, str]] = []
        self.matcher: re.Pattern[str] | None = None

    def add(self, base_path: str, path: str, operation_id: str) -> None:
        regex, _, convertors = compile_path(base_path + path)
        self.routes.append((regex, convertors, base_path, operation_id))
        alternatives = (f"(?P<r{i}>{_NAMED_GROUP.sub('(?:', r.pattern)})" for i, (r, *_) in enumerate(self.routes))
        self.matcher = re.compile("|".join(alternatives))

    def match(self, path: str) -> tuple[dict[str, Any], str, str] | None:
        found = self.matcher.match(path) if self.matcher is not None else None
        if found is None:
            return None
        regex, convertors, base_path, operation_id = self.routes[int(found.lastgroup[1:])]  # type: ignore[index]
        params = regex.match(path).groupdict()  # type: ignore[union-attr]
        return {name: convertors[name].convert(value) for name, value in params.items()}, base_path, operation_id


class RouteTable:
    """Every API's operations by method, built from the contracts as they are added. The 405
    answer asks it which methods a path has, so paths are matched in this one place.

    Each method's routes are split by their first two path segments (`/v1/threads/…`), which the
    contracts write literally (a route whose first two segments hold a parameter is refused at
    start): a request is matched against the dozen routes of its own prefix, not all of them, and
    the first match in the contract's order still wins, as no other prefix's route could match."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, _MethodTable]] = {}

    def add(self, document: dict[str, Any], base_path: str) -> None:
        for path, item in document["paths"].items():
            for method in METHODS:
                operation = item.get(method)
                if isinstance(operation, dict) and "operationId" in operation:
                    prefix = _prefix(base_path + path)
                    if "{" in prefix:
                        raise ValueError(f"{base_path + path}: a parameter in the first two segments")
                    tables = self._tables.setdefault(method.upper(), {})
                    tables.setdefault(prefix, _MethodTable()).add(base_path, path, operation["operationId"])

    def match(self, method: str, path: str) -> tuple[dict[str, Any], str, str] | None:
        tables = self._tables.get("GET" if method == "HEAD" else method)
        table = tables.get(_prefix(path)) if tables is not None else None
        return table.match(path) if table is not None else None

    def allowed(self, path: str) -> list[str]:
        return [method for method in self._tables if self.match(method, path) is not None]


def _prefix(path: str) -> str:
    """The first two segments of a path: `/v1/threads/x/messages` -> `v1/threads`, `/` -> ``."""
    return "/".join(path.split("/", 3)[1:3])


class FastRoutingMiddleware(RoutingMiddleware):
    """Connexion's routing, one expression match per request (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.routes = RouteTable()

    def add_api(self, specification: Any, base_path: str | None = None, **kwargs: Any) -> None:
        super().add_api(specification, base_path=base_path, **kwargs)
        routes = kwargs.get("routes")
        if routes is not None:  # the app's shared table (see app.py), filled there
            self.routes = routes
        else:
            self.routes.add(specification.raw, base_path if base_path is not None else specification.base_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self.routes.match(scope["method"], get_route_path(scope))
            if found is not None:
                params, base_path, operation_id = found
                scope.setdefault("path_params", {}).update(params)
                routing = {"api_base_path": base_path, "operation_id": operation_id}
                scope.setdefault("extensions", {})[ROUTING_CONTEXT] = routing
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


# --- routed stages, one dictionary lookup each ----------------------------------------------------
#
# Every stage after routing is a RoutedMiddleware, whose __call__ reads the routing context, looks
# up the API list of its base path, loops over it and indexes the operation (about 5% of a list
# request over five stages). `DirectDispatch` finds the same operation with one lookup in a table
# it fills as APIs are added, and leaves anything it has not seen (a missing operation, a request
# that was not routed) to Connexion's own __call__, which raises what it raises.


class DirectDispatch:
    """Mixed in before a RoutedMiddleware subclass: its operations by (base path, operationId)."""

    apis: dict[str, list[Any]]  # internal: RoutedMiddleware's APIs by base path
    app: ASGIApp
    _direct: dict[tuple[str | None, str | None], ASGIApp] = {}

    def add_api(self, specification: Any, **kwargs: Any) -> Any:
        api = super().add_api(specification, **kwargs)  # type: ignore[misc]
        # Connexion looks in the first API of a base path only.
        self._direct = {
            (base_path, operation_id): operation
            for base_path, apis in self.apis.items()
            for operation_id, operation in apis[0].operations.items()  # internal: RoutedAPI.operations
        }
        return api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            routing = scope["extensions"][ROUTING_CONTEXT]
            operation = self._direct[routing["api_base_path"], routing["operation_id"]]
        except KeyError:  # not routed, or not to an operation of this stage: Connexion decides
            await super().__call__(scope, receive, send)  # type: ignore[misc]
            return
        await operation(scope, receive, send)


def direct(middleware: type) -> type:
    """`middleware` with DirectDispatch, standing in for it in Connexion's position matching."""
    return StandsIn(middleware.__name__, (DirectDispatch, middleware), {"replaces": middleware})


# --- security and request validation, without their per-request rebuilding -------------------------
#
# Connexion's SecurityOperation wraps every request in a ConnexionRequest and a generic any-of-schemes
# loop; its RequestValidationOperation builds a URI parser and a parameter validator for every
# request and reads the Content-Type through a helper that subscripts typing generics each call
# (together ~20% of a list request). These two stages do the same work with what they can build
# once per operation, from the operation's public attributes. They stand in for Connexion's classes
# in the middleware list (`StandsIn`), so `app.add_middleware(..., position=BEFORE_SECURITY)` and
# `BEFORE_VALIDATION` find them as Connexion finds its own.


class StandsIn(ABCMeta):
    """A middleware class that Connexion's `MiddlewarePosition` matching (an `==` on classes)
    takes for the Connexion class it replaces."""

    def __eq__(cls, other: object) -> bool:
        return other is getattr(cls, "replaces", None) or cls is other

    __hash__ = type.__hash__


CONTEXT = "connexion_context"  # internal: where Connexion's later stages look for the token info


class LeanSecurityOperation:
    def __init__(self, next_app: ASGIApp, operation: Any, verify: Any) -> None:
        self.next_app = next_app
        self.verify = verify if operation.security else None
        scheme = _only_scheme(operation)
        self.header = scheme["name"] if scheme else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.verify is not None:
            token_info = await self.verify(_HeadersOnly(scope))
            context = scope.setdefault("extensions", {}).setdefault(CONTEXT, {})
            context.update(token_info=token_info, user=token_info["sub"])
        await self.next_app(scope, receive, send)


class _HeadersOnly:
    """What the mock's apiKey check reads of a request (security.py): its headers."""

    def __init__(self, scope: Scope) -> None:
        self.headers = _FirstHeaders(scope["headers"])


class _FirstHeaders:
    """A request's headers for `get`, as Starlette's Headers answers it (case-insensitive, the first
    of repeated ones), without its KeyError for every header a request lacks."""

    __slots__ = ("_raw",)

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._raw = raw

    def get(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower().encode("latin-1")
        for key, value in self._raw:
            if key == wanted:
                return value.decode("latin-1")
        return default


def _only_scheme(operation: Any) -> dict[str, Any] | None:
    # The contract has one scheme (ApiKeyAuth); every secured operation requires exactly it.
    names = [name for requirement in operation.security or () for name in requirement]
    return operation.security_schemes[names[0]] if names else None


class LeanSecurityAPI(RoutedAPI[LeanSecurityOperation]):
    def __init__(self, *args: Any, security_map: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.security_map = security_map or {}
        self.add_paths()

    def make_operation(self, operation: Any) -> LeanSecurityOperation:
        scheme = _only_scheme(operation)
        # The security_map's handler makes the check, as for Connexion's SecurityMiddleware.
        verify = self.security_map["apiKey"]().get_fn(scheme, []) if scheme else None
        return LeanSecurityOperation(self.next_app, operation, verify)


class LeanSecurityMiddleware(DirectDispatch, SecurityMiddleware, metaclass=StandsIn):
    replaces = SecurityMiddleware
    api_cls = LeanSecurityAPI  # type: ignore[assignment]


class LeanRequestValidationOperation:
    def __init__(self, next_app: ASGIApp, operation: Any, validators: dict[str, Any], strict: bool) -> None:
        self.next_app = next_app
        self.parameters = validators["parameter"](operation.parameters, uri_parser=None, strict_validation=strict)
        self.consumes = [mime.lower() for mime in operation.consumes] if operation.request_body else []
        self.required = bool((operation.request_body or {}).get("required", False))
        # One validator per media type, made as Connexion makes one per request (they keep no
        # request state: the body is handed to wrap_receive).
        self.bodies = {
            mime: validators["body"][mime](
                schema=operation.body_schema(mime), required=self.required, encoding="utf-8", strict_validation=True
            )
            for mime in self.consumes
            if mime in validators["body"]
        }
        self.accepted = MediaTypeDict([(mime, True) for mime in self.consumes])  # wildcards match too
        self.body_for = MediaTypeDict(list(self.bodies.items()))
        # A form-only operation read a body of any other type as a form, or an empty one
        # (bodies.py): it is validated as its form is, as FastAPI does, not refused for its type.
        forms = [mime for mime in self.consumes if mime in FORM_TYPES]
        self.empty_form = self.bodies.get(forms[0]) if forms and len(forms) == len(self.consumes) else None
        self.found: dict[str, Any] = {}  # media type sent -> its validator or None, as resolved

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.parameters.validate(scope)
        if self.consumes:
            mime, _ = split_content_type(_FirstHeaders(scope["headers"]).get("content-type"))
            mime = mime or self.consumes[0]  # no Content-Type: read as the first the operation takes
            found = self.found.get(mime, _MISSING)
            if found is _MISSING:
                if self.accepted.get(mime):
                    found = self.body_for.get(mime)
                elif self.empty_form is not None:
                    found = self.empty_form
                else:
                    raise UnsupportedMediaTypeProblem(detail=f"Invalid Content-type ({mime}), expected {self.consumes}")
                if len(self.found) < 64:  # remembers the few types clients send, not every one tried
                    self.found[mime] = found
            if found is not None:
                receive, scope = await found.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


_MISSING: Any = object()


class LeanRequestValidationAPI(RoutedAPI[LeanRequestValidationOperation]):
    def __init__(
        self, *args: Any, validator_map: dict[str, Any], strict_validation: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.validators = validator_map
        self.strict = strict_validation
        self.add_paths()

    def make_operation(self, operation: Any) -> LeanRequestValidationOperation:
        return LeanRequestValidationOperation(self.next_app, operation, self.validators, self.strict)


class LeanRequestValidationMiddleware(DirectDispatch, RequestValidationMiddleware, metaclass=StandsIn):
    replaces = RequestValidationMiddleware
    api_cls = LeanRequestValidationAPI  # type: ignore[assignment]


# --- the exception stage, without a Request and two closures per request -----------------------------

EXCEPTION_HANDLERS = "starlette.exception_handlers"  # internal: where Starlette's routers find them


class LeanExceptionMiddleware(ExceptionMiddleware, metaclass=StandsIn):
    """Connexion's exception stage (its handlers, Connexion's and the mock's), lean on the way through."""

    replaces = ExceptionMiddleware

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope[EXCEPTION_HANDLERS] = (self._exception_handlers, self._status_handlers)  # internal attributes
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sender)
        except Exception as error:
            if started:  # as Starlette says it: Connexion's handler for Exception handles every one
                raise RuntimeError("Caught handled exception, but response already started.") from error

            caught = error  # `error` is unbound once the except clause ends; the closure keeps its own

            async def raise_it(scope: Scope, receive: Receive, send: Send) -> None:
                raise caught

            await wrap_app_handling_exceptions(raise_it, Request(scope, receive, send))(scope, receive, send)


class ServedContractAPI(SwaggerUIAPI):
    """The served contract, with the URL it was asked on as its server (see the module)."""

    def _spec_for_prefix(self, request: Any) -> dict[str, Any]:  # internal: builds the served document
        spec = super()._spec_for_prefix(request)
        served_at = f"{request.url.scheme}://{request.url.netloc}"  # the spec's servers carry the base path
        servers = spec.get("servers") or [{"url": ""}]
        return {**spec, "servers": [{"url": served_at + server["url"]} for server in servers]}


class ServedContractMiddleware(SwaggerUIMiddleware):
    """Connexion's SwaggerUIMiddleware, serving each API through ServedContractAPI (its add_api
    builds a SwaggerUIAPI by name, so the class is chosen here, as it does)."""

    def add_api(self, specification: Any, base_path: str | None = None, arguments: Any = None, **kwargs: Any) -> None:
        api = ServedContractAPI(
            specification,
            base_path=base_path,
            arguments=arguments,
            default=self.default_fn,  # internal: hands unknown paths on
            **kwargs,
        )
        self.router.mount(api.base_path, app=api.router)
