"""The one error renderer: every exception any stage raises becomes a Reply in the real
server's shapes, checked against the operation's documented errors like any other answer (a
`MockRefusal` against the control plane's `Refused` answer), then sent."""

from __future__ import annotations

import logging
from typing import Any

from connexion.exceptions import BadRequestProblem, ProblemException, UnsupportedMediaTypeProblem
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.abstract import ROUTING_CONTEXT
from starlette.exceptions import HTTPException
from starlette.types import Scope

from mock_server import jsonio
from mock_server.bodies import PARSED_BODY
from mock_server.checking import ContractBreach
from mock_server.control.faults import MockRefusal
from mock_server.errors import ApiError, RequestValidationFailed, validation_item
from mock_server.pipeline import Wiring, header
from mock_server.reply import Reply
from mock_server.seam import RouteTable
from mock_server.store.protocol import StoreUnavailable

logger = logging.getLogger("mock_server")


def error_reply(error: Exception, scope: Scope, routes: RouteTable) -> Reply:
    """What an exception answers, in the real server's shapes."""
    if isinstance(error, ApiError):
        return Reply(error.status, {"detail": error.detail}, headers=error.headers)
    if isinstance(error, RequestValidationFailed):
        return Reply(422, {"detail": error.errors})
    if isinstance(error, UnsupportedMediaTypeProblem):
        # FastAPI reads a body of another media type as no object at all: a 422 on the body.
        raw = scope.get(PARSED_BODY)
        shown = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else header(scope, "content-type")
        item = validation_item(
            "model_attributes_type",
            ["body"],
            "Input should be a valid dictionary or object to extract fields from",
            shown,
        )
        return Reply(422, {"detail": [item]})
    if isinstance(error, BadRequestProblem):
        return Reply(422, {"detail": [validation_item("value_error", ["body"], str(error.detail), None)]})
    if isinstance(error, ProblemException):
        return Reply(error.status, {"detail": error.detail or error.title}, headers=dict(error.headers or {}))
    if isinstance(error, HTTPException):
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(routes.allowed(scope["path"]))
        detail = {404: "Not Found", 405: "Method Not Allowed"}.get(error.status_code, error.detail)
        return Reply(error.status_code, {"detail": detail}, headers=headers)
    if isinstance(error, StoreUnavailable):  # the shared store went away: documented, retryable
        logger.warning("%s", error)
        return Reply(503, {"detail": str(error)})
    if isinstance(error, ContractBreach):
        logger.error("response does not conform to openapi.yaml: %s", error.detail)
        return Reply(500, {"detail": f"Mock response does not conform to the contract: {error.detail}"})
    logger.error("unexpected error in the mock", exc_info=error)
    return Reply(500, {"detail": "Internal Server Error"})


def error_renderer(wiring: Wiring, routes: RouteTable) -> Any:
    """The error handler for every exception class: the answer, checked against the operation's
    documented errors when the request reached one (a 500 naming both when it breaks them)."""

    # A coroutine: Connexion runs a plain function handler in a worker thread, one per error.
    async def render(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        scope = request.scope
        reply = error_reply(error, scope, routes)
        operation_id = scope.get("extensions", {}).get(ROUTING_CONTEXT, {}).get("operation_id")
        binding = wiring.bindings.get(operation_id) if operation_id else None
        check = binding.check if binding is not None else None
        if isinstance(error, MockRefusal):  # about the mock's own headers: the control plane's shape
            check = wiring.refusal_check
        if check is not None and wiring.check and reply.status != 500:
            try:
                check.check(reply)
            except ContractBreach as breach:
                reply = error_reply(breach, scope, routes)
        body = jsonio.dumps(reply.body) if reply.has_body else None
        return ConnexionResponse(reply.status, reply.media_type, body=body, headers=dict(reply.headers))

    return render


ERRORS: tuple[type[Exception], ...] = (
    ApiError,
    StoreUnavailable,
    RequestValidationFailed,
    ContractBreach,
    UnsupportedMediaTypeProblem,
    BadRequestProblem,
    ProblemException,
    HTTPException,
    Exception,
)
