"""The stateful mock of the Entities API, bound to openapi.yaml: `create_app(settings)` returns the
Connexion AsyncApp; `python -m mock_server` serves it.

`create_app` and `Settings` are loaded on first use (PEP 562), so importing a leaf module
(`mock_server.ids`, `mock_server.errors`, …) does not import Connexion or build the app."""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

# Connexion imports starlette's TestClient at import time, which warns about httpx on every start.
# Every import of Connexion in this package runs after this line, since it runs first.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

if TYPE_CHECKING:
    from mock_server.app import create_app
    from mock_server.settings import Settings

__all__ = ["Settings", "create_app"]

# name → the module that defines it
_LAZY = {"create_app": "mock_server.app", "Settings": "mock_server.settings"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
