"""Sessions: what one `X-Mock-Session` namespace owns, and the registry that makes them.

A session bundles its store, its ids, its clock, the scripted assistant's rules and the faults
asked of it (control/faults.py), with the random generator that decides which requests they hit. It is made
from the seed on first use, so every session starts from the fixtures; under `--seed` its ids and
timestamps come from its own generators (seeded by the seed and the session's name), so what it
mints depends on its own traffic only, and a session made again starts exactly as the first did.

The registry keeps at most `max_sessions` (the least recently used are dropped; the default
session never is), and makes none for a request that has not authenticated: `peek` looks without
making.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mock_server.engine.assistant import Rule, ScriptedAssistant
from mock_server.ids import Clock, IdFactory
from mock_server.seeding import Seed
from mock_server.store import Backend, Store

DEFAULT = ""


@dataclass
class Session:
    name: str
    store: Store
    ids: IdFactory
    clock: Clock
    assistant: ScriptedAssistant = field(default_factory=ScriptedAssistant)
    faults: list[Any] = field(default_factory=list)  # control.faults.Fault, in the order tried
    web: list[Any] = field(default_factory=list)  # engine.web.WebPage: the web tools' scripted pages
    chance: random.Random = field(default_factory=random.Random)
    # On a shared store (shared_sessions.py): the generation of its data and the version of its
    # rules, faults and clock offset this replica's copy holds.
    generation: int = 0
    version: int = 0

    @property
    def rules(self) -> list[Rule]:
        return self.assistant.rules


class SessionNameTooLong(ValueError):
    """A session name beyond the configured length."""


class Sessions:
    """The sessions of this process (the memory store). `SharedSessions` (shared_sessions.py) is
    the same registry over a store replicas share; the async hooks below (`existing`, `refresh`,
    `reset`, `publish`, `adopt`, `all_names`) are where it differs, and are trivial here."""

    # Whether a session must be refreshed from the shared store before each request.
    shared = False

    def __init__(
        self,
        seed: Seed,
        backend: Callable[[str], Backend],
        *,
        seed_value: int | None,
        max_sessions: int,
        max_name_length: int,
    ) -> None:
        self.seed = seed
        self._backend = backend
        self._seed_value = seed_value
        self._max = max_sessions
        self.max_name_length = max_name_length
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    @property
    def max_sessions(self) -> int:
        return self._max

    def __len__(self) -> int:
        return len(self._sessions)

    def names(self) -> list[str]:
        return list(self._sessions)

    def all(self) -> list[Session]:
        """Every session, least recently used first, without counting as a use (a state file's save)."""
        return list(self._sessions.values())

    def register(self, session: Session) -> None:
        """Register a session made elsewhere (loaded from a state file), as the most recently used."""
        self._sessions[session.name] = session
        self._sessions.move_to_end(session.name)
        self._evict()

    def key(self, name: str | None) -> str:
        """The registry key of a header value; SessionNameTooLong when it is beyond the limit."""
        name = name or DEFAULT
        if len(name) > self.max_name_length:
            raise SessionNameTooLong(name)
        return name

    def peek(self, name: str | None) -> Session | None:
        """The session if it exists (and it counts as used), else None; never makes one."""
        key = self.key(name)
        session = self._sessions.get(key)
        if session is not None:
            self._sessions.move_to_end(key)
        return session

    async def get(self, name: str | None) -> Session:
        """The session, made from the seed if it does not exist yet."""
        session = self.peek(name)
        if session is None:
            session = await self.fresh(self.key(name))
            self._sessions[session.name] = session
            self._evict()
        return session

    def empty_store(self, name: str) -> Store:
        """A store with nothing in it, of this registry's backend (a state is loaded into it)."""
        return Store(self._backend(name))

    async def fresh(self, name: str) -> Session:
        """A session as the seed makes it, not registered (see `get`)."""
        seeded = self._seed_value is not None
        session = Session(
            name=name,
            store=Store(self._backend(name)),
            ids=IdFactory(f"{self._seed_value}/{name}" if seeded else None),
            clock=Clock(self._seed_value, start=self.seed.clock_end) if seeded else Clock(),
            assistant=ScriptedAssistant(list(self.seed.rules)),
            web=list(self.seed.web),
            chance=random.Random(f"{self._seed_value}/{name}" if seeded else None),
        )
        await self.seed.fill(session.store)
        return session

    async def existing(self, name: str) -> Session | None:
        """A session that exists elsewhere (another replica made it); here, only `peek`'s."""
        return None

    async def refresh(self, session: Session) -> Session:
        """The session as the shared store holds it now (a reset elsewhere gives a new one)."""
        return session

    async def begin(self, session: Session) -> Session:
        """The session a request starts from: `refresh`'s (a shared store may instead let the request
        go on from its copy while the refresh goes with its first read: store/speculation.py)."""
        return await self.refresh(session)

    async def reset(self, name: str | None) -> None:
        """Forget a session, or every one: its next use makes it afresh from the seed."""
        self.drop(name)

    async def publish(self, session: Session) -> None:
        """Share what the control plane changed in a session: its rules, faults and clock."""

    async def adopt(self, session: Session, store: Store) -> None:
        """Swap a loaded store in (control/state.py) as the session's data."""
        session.store = store

    async def all_names(self) -> list[str]:
        return self.names()

    def drop(self, name: str | None = None) -> None:
        """Forget a session (its next use makes it afresh from the seed), or every session."""
        if name is None:
            self._sessions.clear()
        else:
            self._sessions.pop(self.key(name), None)

    def _evict(self) -> None:
        while len(self._sessions) > self._max:
            oldest = next(name for name in self._sessions if name != DEFAULT)
            del self._sessions[oldest]
