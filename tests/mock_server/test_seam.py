"""Each Connexion internal the mock relies on (see mock_server/seam.py and app.MockApp), named, so
an upgrade that moves one fails here with a message saying which, not somewhere in a request."""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect

from connexion.apps.abstract import AbstractApp
from connexion.middleware import abstract as connexion_abstract
from connexion.middleware.abstract import RoutedMiddleware
from connexion.middleware.main import MiddlewarePosition
from connexion.middleware.routing import RoutingMiddleware

from mock_server import Settings, create_app
from mock_server.pipeline import ReplyApp, middlewares
from tests.mock_server.conftest import ADMIN_KEY

TESTED_MINOR = "3.3"


def test_connexion_is_the_minor_version_this_seam_was_written_for():
    version = importlib.metadata.version("connexion")
    assert version.startswith(TESTED_MINOR + "."), (
        f"Connexion {version} is installed; mock_server/seam.py was checked against {TESTED_MINOR}.x: "
        "rerun these tests, then move the pin in pyproject.toml"
    )


def test_the_routing_handshake_key_still_exists():
    assert getattr(connexion_abstract, "ROUTING_CONTEXT", None) == "connexion_routing", (
        "connexion.middleware.abstract.ROUTING_CONTEXT moved or changed: FastRoutingMiddleware writes the "
        "routing context under it"
    )


def test_a_routed_middleware_finds_its_operation_from_the_context_fast_routing_writes():
    called = []

    class Api:
        operations = {"getThing": lambda scope, receive, send: called.append(scope["path_params"]) or _done()}

    middleware = RoutedMiddleware.__new__(RoutedMiddleware)
    middleware.app = None
    middleware.apis = {"": [Api()]}
    scope = {
        "type": "http",
        "path_params": {"thing_id": "t1"},
        "extensions": {"connexion_routing": {"api_base_path": "", "operation_id": "getThing"}},
    }
    asyncio.run(middleware(scope, None, None))
    assert called == [{"thing_id": "t1"}], (
        "RoutedMiddleware no longer finds an operation from {api_base_path, operation_id} under ROUTING_CONTEXT: "
        "FastRoutingMiddleware's handshake must follow Connexion's new one"
    )


async def _done() -> None:
    return None


def test_routing_middleware_still_takes_an_api_as_specification_and_base_path():
    parameters = inspect.signature(RoutingMiddleware.add_api).parameters
    assert {"specification", "base_path", "kwargs"} <= set(parameters), (
        "RoutingMiddleware.add_api changed its signature: FastRoutingMiddleware.add_api overrides it"
    )


def test_an_abstract_app_still_wraps_the_framework_app_its_subclass_sets():
    assert "_middleware_app" in AbstractApp.__annotations__, (
        "AbstractApp no longer declares _middleware_app: MockApp sets it to the mock's ReplyApp"
    )
    app = create_app(Settings(admin_key=ADMIN_KEY))
    assert isinstance(app.middleware.app, ReplyApp)


def test_the_positions_a_user_can_insert_at_are_connexions_own_classes_in_the_stack():
    stack = middlewares(expose_headers=[])
    for position in (
        MiddlewarePosition.BEFORE_EXCEPTION,
        MiddlewarePosition.BEFORE_SECURITY,
        MiddlewarePosition.BEFORE_VALIDATION,
        MiddlewarePosition.BEFORE_CONTEXT,
    ):
        assert position.value in stack, f"{position.name}: {position.value.__name__} is not in the pipeline"
