"""The app's services, made once by create_app: settings, ids, clock, the session namespaces, the
seed and the engine; what every request's Context is made from (see endpoint.py)."""

from __future__ import annotations

import re
from typing import Any

from mock_server.context import Principal
from mock_server.engine.assistant import ScriptedAssistant
from mock_server.engine.turns import Engine
from mock_server.ids import Clock, IdFactory
from mock_server.seeding import Seed, build_seed, load_fixture_file, load_rules
from mock_server.settings import Settings
from mock_server.store import MemoryStore, Namespaces

SESSION_HEADER = "X-Mock-Session"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


class Services:
    def __init__(self, settings: Settings, spec: dict[str, Any]) -> None:
        self.settings = settings
        self.ids = IdFactory(settings.seed)
        self.clock = Clock(settings.seed)
        fixtures = load_fixture_file(settings.fixtures) if settings.fixtures else {}
        self.seed: Seed = build_seed(fixtures, self.ids, self.clock, settings.admin_key)
        self.namespaces = Namespaces(self.seed.apply)
        self.engine = Engine(ScriptedAssistant(load_rules(fixtures)), delay=settings.stream_delay)
        self.spec = spec
        self.operations = {
            op["operationId"]: op
            for item in spec["paths"].values()
            for op in item.values()
            if isinstance(op, dict) and "operationId" in op
        }

        self._routes = [
            (re.compile("^" + re.sub(r"{[^/]+}", "[^/]+", path) + "$"), sorted(m.upper() for m in item if m in METHODS))
            for path, item in spec["paths"].items()
        ]

    def allowed_methods(self, path: str) -> list[str]:
        """The methods the contract defines on the path template matching `path` (for 405's Allow)."""
        for pattern, methods in self._routes:
            if pattern.match(path):
                return methods
        return []

    def tag_of(self, operation_id: str) -> str:
        return self.operations[operation_id]["tags"][0]

    def store_for(self, session: str | None) -> MemoryStore:
        return self.namespaces.get(session)


def token_info_for(principal: Principal) -> dict[str, Any]:
    return {"sub": principal.user_id, "principal": principal}
