"""The stateful mock of the Entities API, bound to openapi.yaml: `create_app(settings)` returns the
Connexion AsyncApp; `python -m mock_server` serves it."""

import warnings

# Connexion imports starlette's TestClient at import time, which warns about httpx on every start.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from mock_server.app import create_app  # noqa: E402
from mock_server.settings import Settings  # noqa: E402

__all__ = ["Settings", "create_app"]
