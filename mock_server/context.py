"""What a handler is given: the request's Store (its session namespace), who is calling, and the
id factory and clock. Handlers never reach for module-level state."""

from __future__ import annotations

from dataclasses import dataclass

from mock_server.engine.turns import Engine
from mock_server.ids import Clock, IdFactory
from mock_server.store import Store


@dataclass(frozen=True)
class Principal:
    user_id: str
    is_admin: bool


@dataclass(frozen=True)
class Context:
    store: Store
    ids: IdFactory
    clock: Clock
    principal: Principal | None  # None only on operations that authenticate otherwise
    engine: Engine

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "this operation is authenticated"
        return self.principal
