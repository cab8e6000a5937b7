"""Connexion's security, request validation and exception stages, without their per-request
rebuilding (see the package)."""

from __future__ import annotations

from abc import ABCMeta
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware.abstract import RoutedAPI
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from starlette._exception_handler import wrap_app_handling_exceptions  # internal: Starlette's handler call
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.bodies import FORM_TYPES, split_content_type
from mock_server.seam.routing import DirectDispatch

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


def direct(middleware: type) -> type:
    """`middleware` with DirectDispatch, standing in for it in Connexion's position matching."""
    return StandsIn(middleware.__name__, (DirectDispatch, middleware), {"replaces": middleware})


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
