"""create_app(settings) -> the mock: a Connexion app serving openapi.yaml statefully. The one
composition root: it reads the contract and the fixtures, binds every operation to its handler
(or its example), and wires the pipeline (pipeline.py) with Connexion's extension points."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from connexion.apps.abstract import AbstractApp
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver as Resolver_

from mock_server.checking import AnswerCheck
from mock_server.control.handlers import ControlPlane, control_operations
from mock_server.control.journal import Journal, JournalMiddleware, MemoryJournal
from mock_server.control.redis_journal import RedisJournal
from mock_server.engine.turns import Engine
from mock_server.error_renderer import ERRORS, error_renderer
from mock_server.file_signing import FileSettings, signing_secret
from mock_server.handlers import EXAMPLE_ANSWERED, HANDLERS
from mock_server.pipeline import DocsMiddleware, ReplyApp, Wiring, middlewares
from mock_server.registry import bind, merge
from mock_server.seam import RouteTable
from mock_server.security import SESSION_HEADER, api_key_security
from mock_server.seeding import Seed, build_seed, load_fixture_file
from mock_server.session import Sessions
from mock_server.settings import CONTROL_SPEC_PATH, Settings
from mock_server.shared_sessions import SharedSessions
from mock_server.spec import Resolver, load_spec, operations
from mock_server.store import MemoryBackend
from mock_server.store.redis_connection import RedisConnection
from mock_server.store.redis_startup import store_basis
from mock_server.validation import VALIDATORS


@dataclass
class Mock:
    """What one running mock owns, for the CLI, the control plane and tests."""

    settings: Settings
    spec: dict[str, Any]
    seed: Seed
    sessions: Sessions
    wiring: Wiring
    control: ControlPlane


class MockApp(AbstractApp):
    """A Connexion application whose framework app is the mock's ReplyApp (as Connexion's
    AsyncApp's is its AsyncASGIApp)."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        self._middleware_app = ReplyApp()  # Connexion's AbstractApp wraps this
        super().__init__(import_name, **kwargs)

    def add_url_rule(self, rule: str, endpoint: str | None = None, view_func: Any = None, **options: Any) -> None:
        self._middleware_app.add_url_rule(rule, endpoint=endpoint, view_func=view_func, **options)

    def add_error_handler(self, code_or_exception: Any, function: Any) -> None:
        self.middleware.add_error_handler(code_or_exception, function)


def create_app(settings: Settings | None = None) -> MockApp:
    settings = settings or Settings()
    spec = load_spec(settings.spec_path)
    control_spec = load_spec(CONTROL_SPEC_PATH)
    api_operations = operations(spec)
    fixtures = load_fixture_file(settings.fixtures, spec) if settings.fixtures else {}
    # On a shared store replicas build the same fixture rows (and minted admin key) from its basis.
    basis = store_basis(settings.store, settings.seed) if settings.shared else settings.seed
    seed = build_seed(fixtures, basis, settings.admin_key, source=settings.fixtures or "fixtures")
    limits = {"max_sessions": settings.max_sessions, "max_name_length": settings.max_session_name_length}
    journal: Journal
    if settings.shared:
        conn = RedisConnection(settings.store)
        sessions: Sessions = SharedSessions(seed, conn, seed_value=settings.seed, **limits)
        journal = RedisJournal(conn, settings.max_journal_entries)
    else:
        sessions = Sessions(seed, lambda _name: MemoryBackend(), seed_value=settings.seed, **limits)
        journal = MemoryJournal(settings.max_journal_entries)
    resolve = Resolver(spec)
    control = ControlPlane(
        sessions, journal, api_operations, {name: resolve(s) for name, s in spec["components"]["schemas"].items()}
    )
    bindings = bind(
        {**api_operations, **operations(control_spec)},
        merge([HANDLERS, control_operations(control)]),
        EXAMPLE_ANSWERED | set(settings.answer_from_examples),
    )
    refused = Resolver(control_spec)(control_spec["components"]["responses"]["Refused"])
    wiring = Wiring(
        bindings,
        sessions,
        Engine(
            delay=settings.stream_delay, max_store_vectors=settings.max_store_vectors, **_shared_secret(basis, settings)
        ),
        check=settings.validate_responses,
        shaped=frozenset(api_operations),
        refusal_check=AnswerCheck("Prefer", {"400": refused}),
        files=FileSettings(signing_secret(settings.signed_url_secret, basis), settings.max_file_bytes),
    )
    routes = RouteTable()
    routes.add(spec, "")
    routes.add(control_spec, CONTROL_BASE_PATH)

    journal_stage = functools.partial(
        JournalMiddleware,
        journal=journal,
        body_bytes=settings.max_journal_body_bytes,
        skip=(CONTROL_BASE_PATH + "/", *DocsMiddleware.PREFIXES),
    )
    app = MockApp(
        __name__,
        middlewares=middlewares(
            expose_headers=["X-Mock-Source", "WWW-Authenticate", SESSION_HEADER],
            journal=journal_stage,
            speculative=sessions.shared,
        ),
        security_map=api_key_security(sessions),
    )
    # Handed to every stage's add_api (Connexion passes extra keywords on): the respond stage,
    # the route table, the body size limit.
    shared = {
        "resolver": Resolver_(function_resolver=lambda operation_id: bindings[operation_id]),
        "strict_validation": True,
        "validator_map": VALIDATORS,
        "wiring": wiring,
        "routes": routes,
        "max_body_bytes": settings.max_body_bytes,
        "body_timeout": settings.body_timeout,
    }
    docs = SwaggerUIOptions(swagger_ui=settings.swagger_ui, swagger_ui_path="/docs")
    app.add_api(spec, swagger_ui_options=docs, **shared)
    app.add_api(control_spec, base_path=CONTROL_BASE_PATH, swagger_ui_options=docs, **shared)
    render = error_renderer(wiring, routes)
    for error in ERRORS:
        app.add_error_handler(error, render)
    app.mock = Mock(settings, spec, seed, sessions, wiring, control)  # type: ignore[attr-defined]
    return app


CONTROL_BASE_PATH = "/__mock__"


def _shared_secret(basis: int | None, settings: Settings) -> dict[str, str]:
    """Replicas sign the sandbox and computer tickets alike: a secret made from the store's basis."""
    if not settings.shared:
        return {}
    return {"token_secret": hashlib.sha256(f"entities-mock ticket secret {basis}".encode()).hexdigest()}
