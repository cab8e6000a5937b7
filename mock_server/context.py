"""What a handler is given: the request's session (its store, ids, clock and scripted assistant),
who is calling, the app's engine and files settings, and the base URL the request was sent to
(for links the answer carries). Handlers never reach for module-level state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_server.auth import Principal
from mock_server.engine.assistant import ScriptedAssistant
from mock_server.engine.turns import Engine
from mock_server.file_signing import FileSettings
from mock_server.ids import Clock, IdFactory
from mock_server.session import Session
from mock_server.session_path import request_base_url
from mock_server.store import Store

__all__ = ["Context", "Principal"]

DEFAULT_FILES = FileSettings()  # a random secret, for contexts made without the app's settings


@dataclass(frozen=True, slots=True)
class Context:
    session: Session
    principal: Principal | None  # None only on operations that authenticate otherwise
    engine: Engine
    files: FileSettings = DEFAULT_FILES
    scope: Any = None  # the request's ASGI scope, read only by `base_url`

    @property
    def base_url(self) -> str:
        """Scheme, host and root path, and `/__session__/NAME` for a named session: a URL built on
        it reaches this session again, from any client. Built when asked (only signed URLs need
        it), not for every request."""
        return request_base_url(self.scope, self.session.name) if self.scope is not None else ""

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def ids(self) -> IdFactory:
        return self.session.ids

    @property
    def clock(self) -> Clock:
        return self.session.clock

    @property
    def assistant(self) -> ScriptedAssistant:
        return self.session.assistant

    @property
    def web_pages(self) -> list[Any]:
        """The web tools' scripted pages (engine.web.WebPage), from the fixtures."""
        return self.session.web

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "this operation is authenticated"
        return self.principal
