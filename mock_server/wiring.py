"""How the mock plugs into Connexion: API-key security that reports like the real server, request
validators with FastAPI's 422 shape, and the error handlers that render every error body."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import (
    BadRequestProblem,
    NonConformingResponseBody,
    ProblemException,
    UnsupportedMediaTypeProblem,
)
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.security import ApiKeySecurityHandler
from connexion.validators import VALIDATOR_MAP
from starlette.exceptions import HTTPException

from mock_server import jsonio
from mock_server.auth import authenticate
from mock_server.errors import ApiError, RequestValidationFailed, validation_item
from mock_server.services import SESSION_HEADER, Services, token_info_for
from mock_server.validation import FastAPIBodyValidator, FastAPIParameterValidator

logger = logging.getLogger("mock_server")

VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": FastAPIParameterValidator,
    "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": FastAPIBodyValidator}),
}


def api_key_security(services: Services) -> dict[str, type]:
    """A Connexion security_map whose apiKey handler authenticates against the session's store.
    Its check takes the request's headers (see asgi.LeanSecurityOperation, which calls it)."""

    class MockApiKeyHandler(ApiKeySecurityHandler):
        def get_fn(self, security_scheme, required_scopes):
            header = security_scheme["name"]

            def verify(headers: Mapping[str, str]) -> dict[str, Any]:
                store = services.store_for(headers.get(SESSION_HEADER))
                principal = authenticate(store, services.clock, headers.get(header))
                return token_info_for(principal)

            return verify

    return {"apiKey": MockApiKeyHandler}


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status, body=jsonio.dumps(body), mimetype="application/json", headers=headers or {}
    )


def on_api_error(_request: ConnexionRequest, error: ApiError) -> ConnexionResponse:
    return _json(error.status, {"detail": error.detail}, error.headers)


def on_validation_failed(_request: ConnexionRequest, error: RequestValidationFailed) -> ConnexionResponse:
    return _json(422, {"detail": error.errors})


def on_unsupported_media_type(request: ConnexionRequest, error: ProblemException) -> ConnexionResponse:
    # FastAPI reads a non-JSON body as no object at all: a 422 on the body, not a 415.
    item = validation_item(
        "model_attributes_type",
        ["body"],
        "Input should be a valid dictionary or object to extract fields from",
        request.headers.get("content-type"),
    )
    return _json(422, {"detail": [item]})


def on_bad_request(_request: ConnexionRequest, error: ProblemException) -> ConnexionResponse:
    # Connexion's own 400s (a missing body, a form problem) carry one message: keep it, as a 422.
    item = validation_item("value_error", ["body"], str(error.detail), None)
    return _json(422, {"detail": [item]})


def on_http_exception(services: Services):
    def handle(request: ConnexionRequest, error: HTTPException) -> ConnexionResponse:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(services.allowed_methods(request.url.path))
        detail = {404: "Not Found", 405: "Method Not Allowed"}.get(error.status_code, error.detail)
        return _json(error.status_code, {"detail": detail}, headers)

    return handle


def on_problem(_request: ConnexionRequest, error: ProblemException) -> ConnexionResponse:
    if error.status >= 500:
        logger.error("%s: %s", error.title, error.detail)
    return _json(error.status, {"detail": error.detail or error.title}, dict(error.headers or {}))


def on_nonconforming_response(_request: ConnexionRequest, error: NonConformingResponseBody) -> ConnexionResponse:
    # The mock broke its own contract: loud in the log, explicit in the body.
    logger.error("response does not conform to openapi.yaml: %s", error.detail)
    return _json(500, {"detail": f"Mock response does not conform to the contract: {error.detail}"})


def on_unexpected(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    # A bug in the mock, never bad input: log the traceback, answer in the usual error shape.
    logger.exception("unexpected error in the mock", exc_info=error)
    return _json(500, {"detail": "Internal Server Error"})


def error_handlers(services: Services) -> list[tuple[type[Exception], Any]]:
    return [
        (ApiError, on_api_error),
        (RequestValidationFailed, on_validation_failed),
        (UnsupportedMediaTypeProblem, on_unsupported_media_type),
        (NonConformingResponseBody, on_nonconforming_response),
        (BadRequestProblem, on_bad_request),
        (ProblemException, on_problem),
        (HTTPException, on_http_exception(services)),
        (Exception, on_unexpected),
    ]
