"""The mock's request pipeline, top to bottom. Connexion runs the stages as its `middlewares`
list; the last one, `ReplyApp`, is the app Connexion wraps (see app.py's MockApp):

    session path  SessionPathMiddleware: `/__session__/NAME/…` becomes the X-Mock-Session header
    cors          BrowserCORSMiddleware: CORS for browsers, outermost so errors carry it too
    journal       control.journal.JournalMiddleware: records each request and its answer
    last resort   ServerErrorMiddleware (Connexion): a 500 for what nothing else caught
    errors        LeanExceptionMiddleware (seam/, in Connexion's ExceptionMiddleware's place), with
                  error_renderer.py's handler for every exception:
                  the one renderer, whose answers are checked like any other
    docs          DocsMiddleware: Swagger UI and the served contract, on their own paths only
    route         FastRoutingMiddleware (seam/): the operationId and path parameters
    parse body    BodyParseMiddleware (bodies.py): read and parse the body, before the key,
                  as FastAPI does (400 undecodable, 422 invalid JSON)
    speculate     SpeculationMiddleware (speculation_stage.py, a shared store only): the request
                  goes on from its session's copy while the copy's refresh travels with its first
                  read, and is made again if the copy was not current
    authenticate  LeanSecurityMiddleware (seam/, in SecurityMiddleware's place), security_map =
                  security.api_key_security: the Principal and the Session (X-Mock-Session)
    validate      LeanRequestValidationMiddleware (seam/, in RequestValidationMiddleware's
                  place), validator_map = validation.VALIDATORS: parameters, and the body per
                  media type (JSON, forms, octet-stream)
    lifespan, context  LifespanMiddleware, ContextMiddleware (Connexion)
    shape         control.shaping: what a `Prefer` header or the session's faults ask of the answer
    respond       ReplyApp: the operation's binding (registry.py): its handler, or its example
    check         checking.AnswerCheck: status, media type, schema, each event of a stream
    render        rendering.to_response

A middleware added with `app.add_middleware` goes where Connexion's positions say (before the
exception, security, validation or context stage); routing and docs are the mock's own classes,
so `BEFORE_ROUTING` and `BEFORE_SWAGGER` are refused by Connexion with a ValueError.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from typing import Any

import anyio
from connexion.middleware.abstract import RoutedAPI, RoutedMiddleware
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import Router
from starlette.types import Receive, Scope, Send

from mock_server.bodies import NOT_SENT, PARSED_BODY, BodyParseMiddleware
from mock_server.checking import AnswerCheck, checked
from mock_server.context import DEFAULT_FILES, Context
from mock_server.control.journal import FAULT
from mock_server.control.shaping import abort_of, damaged, shaping_for
from mock_server.file_signing import FileSettings
from mock_server.registry import Binding
from mock_server.rendering import to_response
from mock_server.reply import Reply
from mock_server.seam import (
    DirectDispatch,
    FastRoutingMiddleware,
    LeanExceptionMiddleware,
    LeanRequestValidationMiddleware,
    LeanSecurityMiddleware,
    ServedContractMiddleware,
    direct,
)
from mock_server.security import SESSION_HEADER, session_name
from mock_server.session import Sessions
from mock_server.session_path import SessionPathMiddleware
from mock_server.speculation_stage import SpeculationMiddleware
from mock_server.validation import QUERY

logger = logging.getLogger("mock_server")


class BrowserCORSMiddleware(CORSMiddleware):
    """Starlette's CORS for requests that carry an Origin header, which browsers always send; other
    clients skip its per-response header rewriting (their answers just lack `Vary: Origin`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(name == b"origin" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class DocsMiddleware(ServedContractMiddleware):
    """Swagger UI and the served contract, off the API's hot path: only their own paths reach the
    Swagger router (which otherwise copies the scope and routes every request)."""

    PREFIXES = ("/docs", "/openapi.", "/__mock__/docs", "/__mock__/openapi.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(self.PREFIXES):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def middlewares(expose_headers: list[str], journal: Any = None, *, speculative: bool = False) -> list[Any]:
    """The stages, outermost first; `journal` is a JournalMiddleware factory, or None for none;
    `speculative` (a shared store): requests go on from their session's copy while its refresh
    travels with their first read (speculation_stage.py)."""
    cors = functools.partial(
        BrowserCORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=expose_headers,
    )
    return [
        SessionPathMiddleware,
        cors,
        *([journal] if journal is not None else []),
        ServerErrorMiddleware,
        LeanExceptionMiddleware,
        DocsMiddleware,
        FastRoutingMiddleware,
        direct(BodyParseMiddleware),
        *([SpeculationMiddleware] if speculative else []),
        LeanSecurityMiddleware,
        LeanRequestValidationMiddleware,
        LifespanMiddleware,
        direct(ContextMiddleware),
    ]


class Wiring:
    """What the respond stage and the error renderer need, handed to every stage's `add_api`.
    `shaped` names the operations a `Prefer` header and the session's faults may shape: the
    Entities API's, not the control plane's."""

    def __init__(
        self,
        bindings: dict[str, Binding],
        sessions: Sessions,
        engine: Any,
        *,
        check: bool,
        shaped: frozenset[str] = frozenset(),
        refusal_check: AnswerCheck | None = None,
        files: FileSettings = DEFAULT_FILES,
    ) -> None:
        self.bindings = bindings
        self.sessions = sessions
        self.engine = engine
        self.files = files
        self.check = check
        self.shaped = shaped
        self.refusal_check = refusal_check


class OperationApp:
    """(shape) → respond → check → render, for one operation."""

    def __init__(self, binding: Binding, wiring: Wiring) -> None:
        self.binding = binding
        self.wiring = wiring
        self._defaults = binding.defaults()
        self._shaped = binding.operation.id in wiring.shaped

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        binding = self.binding
        context = await self._context(scope)
        shaping = shaping_for(scope, binding.operation, context.session) if self._shaped else None
        reply: Reply | None = None
        if shaping is not None:
            scope[FAULT] = shaping.label
            if shaping.delay:
                await anyio.sleep(shaping.delay)
            if shaping.drop:
                abort = abort_of(scope)
                if abort is not None:
                    abort()
                    return
            reply = shaping.reply
        if reply is None and binding.handler is None:
            reply = binding.example
        if reply is None:
            arguments = {**scope.get("path_params", {}), **self._defaults, **scope.get(QUERY, {})}
            if binding.operation.has_body:
                body = scope.get(PARSED_BODY, NOT_SENT)
                arguments["body"] = None if body is NOT_SENT else body
            reply = await binding.handler(context, **arguments)  # type: ignore[misc]
        assert reply is not None
        if _large(reply.body):
            # Checking and writing a list of a hundred thousand rows takes a while: in a worker
            # thread, so the event loop goes on serving everyone else meanwhile.
            response = await anyio.to_thread.run_sync(self._checked, reply)
        elif shaping is not None and shaping.stream:
            response = self._checked(reply, lambda events: damaged(events, shaping.stream, abort_of(scope)))  # type: ignore[arg-type]
        else:
            response = self._checked(reply)
        await response(scope, receive, send)

    def _checked(self, reply: Reply, damage: Any = None) -> Response:
        if self.wiring.check:
            reply = self.binding.check.check(reply)
        if damage is not None and reply.events is not None:  # a fault damages what was checked
            events = checked(reply.events, reply.check) if reply.check is not None else reply.events
            reply = dataclasses.replace(reply, events=damage(events), check=None)
        return to_response(reply)

    async def _context(self, scope: Scope) -> Context:
        wiring = self.wiring
        token = scope.get("extensions", {}).get("connexion_context", {}).get("token_info")
        if token is not None:
            session = token["session"]
            return Context(session, token["principal"], wiring.engine, wiring.files, scope)
        # An operation that authenticates otherwise (a completion through its run, a download through
        # its signature): a session that does not exist holds nothing to find, so it is not made,
        # only looked at as the seed makes it.
        sessions = wiring.sessions
        name = session_name(sessions, header(scope, SESSION_HEADER))
        session = sessions.peek(name) or await sessions.fresh(name)
        if sessions.shared:  # another replica may have reset it
            session = await sessions.refresh(session)
        return Context(session, None, wiring.engine, wiring.files, scope)


LARGE_REPLY_ITEMS = 2_000


def _large(body: Any) -> bool:
    return isinstance(body, list) and len(body) > LARGE_REPLY_ITEMS


def header(scope: Scope, name: str) -> str | None:
    """A request header's value, as sent (latin-1), or None."""
    wanted = name.lower().encode()
    return next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == wanted), None)


class ReplyAPI(RoutedAPI[OperationApp]):
    def __init__(self, *args: Any, wiring: Wiring, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wiring = wiring
        self.add_paths()

    def make_operation(self, operation: Any) -> OperationApp:
        return OperationApp(self.wiring.bindings[operation.operation_id], self.wiring)


class ReplyApp(DirectDispatch, RoutedMiddleware[ReplyAPI]):
    """The app Connexion wraps: each operation answered by its binding; other paths (added with
    `add_url_rule`) by a starlette router."""

    api_cls = ReplyAPI

    def __init__(self) -> None:
        self.router = Router()
        super().__init__(self.router)

    def add_url_rule(self, rule: str, endpoint: Any = None, view_func: Any = None, **options: Any) -> None:
        self.router.add_route(rule, endpoint=view_func, name=endpoint, **options)
