"""Each Connexion internal the mock relies on (see mock_server/seam/ and app.MockApp), named, so
an upgrade that moves one fails here with a message saying which, not somewhere in a request."""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect

from connexion.apps.abstract import AbstractApp
from connexion.middleware import abstract as connexion_abstract
from connexion.middleware import context as context_module
from connexion.middleware.abstract import RoutedMiddleware
from connexion.middleware.main import MiddlewarePosition
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.operations import OpenAPIOperation
from connexion.validators.abstract import AbstractRequestBodyValidator
from connexion.validators.parameter import ParameterValidator

from mock_server import Settings, create_app
from mock_server.pipeline import ReplyApp, middlewares
from mock_server.seam import CONTEXT, DirectDispatch, LeanRequestValidationMiddleware, LeanSecurityMiddleware
from tests.mock_server.conftest import ADMIN_KEY

TESTED_MINOR = "3.3"


def test_connexion_is_the_minor_version_this_seam_was_written_for():
    version = importlib.metadata.version("connexion")
    assert version.startswith(TESTED_MINOR + "."), (
        f"Connexion {version} is installed; mock_server/seam/ was checked against {TESTED_MINOR}.x: "
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


def test_the_lean_stages_stand_in_for_connexions_security_and_validation_positions():
    stack = middlewares(expose_headers=[])
    assert LeanSecurityMiddleware == SecurityMiddleware, "BEFORE_SECURITY would no longer find its stage"
    assert LeanRequestValidationMiddleware == RequestValidationMiddleware, "BEFORE_VALIDATION would not find it"
    assert SecurityMiddleware in stack and RequestValidationMiddleware in stack
    assert LeanSecurityMiddleware != RequestValidationMiddleware, "a stand-in matches only the class it replaces"


def test_a_middleware_added_before_security_runs_before_the_key_is_checked():
    seen = []

    class Recorder:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http":
                seen.append(scope.get("extensions", {}).get(CONTEXT, {}).get("user"))
            await self.app(scope, receive, send)

    app = create_app(Settings(admin_key=ADMIN_KEY))
    app.add_middleware(Recorder, position=MiddlewarePosition.BEFORE_SECURITY)
    with app.test_client() as client:
        answer = client.get("/v1/assistants", headers={"X-API-Key": ADMIN_KEY})
    assert answer.status_code == 200
    assert seen == [None], "the middleware ran after the security stage (it saw the authenticated user)"


def test_the_token_info_lands_where_connexions_context_middleware_reads_it():
    source = inspect.getsource(context_module.ContextOperation.__call__)
    assert f'"{CONTEXT}"' in source, (
        f"ContextOperation no longer reads scope['extensions']['{CONTEXT}']: LeanSecurityOperation writes there"
    )


def test_the_validator_constructors_the_lean_validation_stage_calls_keep_their_keywords():
    parameter = set(inspect.signature(ParameterValidator.__init__).parameters)
    assert {"parameters", "uri_parser", "strict_validation"} <= parameter, "ParameterValidator's signature moved"
    body = set(inspect.signature(AbstractRequestBodyValidator.__init__).parameters)
    assert {"schema", "required", "encoding", "strict_validation"} <= body, "body validators' signature moved"
    assert inspect.iscoroutinefunction(AbstractRequestBodyValidator.wrap_receive)


def test_the_operation_attributes_the_lean_stages_read_still_exist():
    for name in ("security", "security_schemes", "parameters", "consumes", "request_body", "body_schema"):
        assert hasattr(OpenAPIOperation, name), f"OpenAPIOperation.{name} is gone: seam/stages.py reads it"


def test_swagger_ui_still_builds_the_served_document_in_the_method_served_contract_api_wraps():
    from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware

    assert list(inspect.signature(SwaggerUIAPI._spec_for_prefix).parameters) == ["self", "request"], (
        "SwaggerUIAPI._spec_for_prefix(request) moved or changed: seam.ServedContractAPI overrides it"
    )
    source = inspect.getsource(SwaggerUIMiddleware.add_api)
    assert "SwaggerUIAPI(" in source and "default=self.default_fn" in source and "self.router.mount" in source, (
        "SwaggerUIMiddleware.add_api no longer builds a SwaggerUIAPI with default_fn and mounts its router: "
        "seam.ServedContractMiddleware.add_api repeats those three steps with its own class"
    )


def test_the_served_contract_names_the_url_it_was_asked_on():
    app = create_app(Settings(admin_key=ADMIN_KEY))
    with app.test_client(base_url="http://mock.example:8123") as client:
        assert client.get("/openapi.json").json()["servers"] == [{"url": "http://mock.example:8123"}]
        assert client.get("/__mock__/openapi.json").json()["servers"] == [{"url": "http://mock.example:8123/__mock__"}]


def test_direct_dispatch_finds_for_every_operation_the_one_connexions_own_lookup_finds():
    app = create_app(Settings(admin_key=ADMIN_KEY))
    _, built = app.middleware._build_middleware_stack()  # internal: the stages, outermost first
    stages = [stage for stage in built if isinstance(stage, DirectDispatch)]
    assert len(stages) >= 5, "the routed stages no longer dispatch directly"
    for stage in stages:
        assert isinstance(stage.apis, dict) and stage.apis, (
            f"{type(stage).__name__}: RoutedMiddleware.apis (APIs by base path) is gone or empty"
        )
        for base_path, apis in stage.apis.items():
            assert isinstance(apis[0].operations, dict), "RoutedAPI.operations is no longer a dict by operationId"
            for operation_id, operation in apis[0].operations.items():
                assert stage._direct[base_path, operation_id] is operation


def test_a_request_no_stage_knows_is_left_to_connexions_own_dispatch():
    app = create_app(Settings(admin_key=ADMIN_KEY))
    with app.test_client() as client:
        assert client.get("/v1/no-such-thing", headers={"X-API-Key": ADMIN_KEY}).status_code == 404
        assert client.get("/v1/assistants", headers={"X-API-Key": ADMIN_KEY}).status_code == 200
