"""create_app(settings) -> the Connexion AsyncApp (MockApp) serving openapi.yaml as a stateful mock."""

from __future__ import annotations

from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions

from mock_server.asgi import BrowserCORSMiddleware, MockApp
from mock_server.resolver import HandlerResolver, unanswerable_operations
from mock_server.services import Services
from mock_server.settings import Settings
from mock_server.spec import load_spec
from mock_server.wiring import VALIDATORS, api_key_security, error_handlers


def create_app(settings: Settings | None = None) -> MockApp:
    settings = settings or Settings()
    spec = load_spec(settings.spec_path)
    services = Services(settings, spec)
    missing = unanswerable_operations(spec, services.tag_of)
    if missing:
        raise RuntimeError(f"operations with no handler and no example to answer with: {', '.join(missing)}")
    resolver = HandlerResolver(services)

    app = MockApp(__name__, security_map=api_key_security(services))
    app.add_api(
        spec,
        resolver=resolver,
        strict_validation=True,
        validate_responses=False,  # the Endpoints check every answer themselves, when settings ask
        validator_map=VALIDATORS,
        swagger_ui_options=SwaggerUIOptions(swagger_ui=settings.swagger_ui, swagger_ui_path="/docs"),
    )
    for exception, handler in error_handlers(services):
        app.add_error_handler(exception, handler)
    app.add_middleware(
        BrowserCORSMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Mock-Source", "WWW-Authenticate"],
    )
    app.services = services  # type: ignore[attr-defined]  # tests and the CLI read the seed from here
    return app
