"""Schemathesis against the control plane's own document: every answer the control plane gives
to generated requests (valid and not) keeps control_plane.yaml, as the API's keep openapi.yaml."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import CoverageScenario
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mock_server import Settings, create_app
from tests.mock_server.conftest import ADMIN_KEY

APP = create_app(Settings(admin_key=ADMIN_KEY, seed=2))
schema = schemathesis.openapi.from_asgi("/__mock__/openapi.json", APP)
# What "keeps its document" means: no 5xx, and every status, media type, header and body the
# document describes. (Who may call it is tested in test_control_plane.py.)
KEPT = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_control_plane_answer_keeps_its_document(case):
    # Every session but the one generated requests act on is left alone: reset?all is not sent.
    if case.operation.path == "/reset":
        case.query = {}
    if not _leaves_out_the_key(case):
        case.headers = {**(case.headers or {}), "X-API-Key": ADMIN_KEY}
    case.call_and_validate(checks=KEPT)


def _leaves_out_the_key(case) -> bool:
    """A negative case of Schemathesis' coverage phase that drops the key on purpose."""
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    missing = getattr(data, "scenario", None) == CoverageScenario.MISSING_PARAMETER
    return missing and (getattr(data, "parameter", None) or "").lower() == "x-api-key"
