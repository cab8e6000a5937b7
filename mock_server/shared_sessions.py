"""Sessions over the Redis store: every replica sees one world per `X-Mock-Session`.

What a session holds beyond its rows lives in Redis too, under its hash tag `entities-mock:{NAME}`:

    :meta    hash: `gen` (the generation its rows live under), `ready` (the generation seeded),
             `version` (of the shared parts), `clock` (the seeded clock's reading), `ids` (ids leased),
             `cached:<table>` (moved by every write to a table replicas keep a copy of)
    :shared  hash: `rules`, `faults` and `offset` as the control plane last set them
    :lock    the seeding lock (SET NX PX): a session is seeded exactly once across replicas

Each replica keeps a copy of a session (its `Session`, with its repositories over the shared
rows) and refreshes it before every request with one script (SYNC): a new generation (a reset, a
loaded state, or a Redis that lost its data) makes a new copy, a new version reloads the rules,
faults and clock offset, and a table's `cached:` counter that moved empties this replica's copy of
that table's rows (API keys, users, assistants, threads: store/redis_row_cache.py). Concurrent
requests to one session share a refresh that began after each of them arrived
(store/coalesced.py): one round trip for all of them, none of them stale. A reset moves a session
to a new generation and unlinks the old one's keys; whichever replica uses it next seeds it,
under the lock.

Ids: without `--seed` they are random (131 bits, as the memory store mints them; the store refuses
a duplicate id in any case). Under `--seed` they come from a counter per session that replicas
lease in blocks (`ids`), each token derived from seed, session and number (`LeasedIds`): unique
across replicas by construction, and the same for the same traffic after a reset. The seeded
clock moves one second per reading, as on the memory store; replicas share its highest reading
at each request. A fault's `times` is counted by each replica (its copy of the fault).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import secrets
from typing import TYPE_CHECKING, Any

import orjson

from mock_server.control.faults import Fault
from mock_server.engine.assistant import ScriptedAssistant, rule_from_fixture
from mock_server.ids import Clock, IdFactory
from mock_server.leased_ids import LEASE, LeasedIds
from mock_server.seeding import Seed
from mock_server.session import Session, Sessions
from mock_server.store import Store
from mock_server.store.coalesced import Coalesced
from mock_server.store.protocol import StoreUnavailable
from mock_server.store.redis_backend import RedisBackend
from mock_server.store.redis_connection import PREFIX, RedisConnection, guarded
from mock_server.store.redis_row_cache import COUNTERS
from mock_server.store.redis_startup import LAYOUT, LAYOUT_KEY, REGISTRY
from mock_server.store.speculation import SPECULATION, Seen

if TYPE_CHECKING:  # redis_pipelining imports redis-py, which the memory store does without
    from mock_server.store.redis_pipelining import Deferred

LOCK_MS = 30_000  # a replica that died seeding frees the session after this
OPEN_SECONDS = 30.0


class SharedSessions(Sessions):
    shared = True

    def __init__(self, seed: Seed, conn: RedisConnection, *, seed_value: int | None, **limits: Any) -> None:
        super().__init__(seed, self._no_backend, seed_value=seed_value, **limits)
        self.conn = conn
        self.where = conn.where
        self._refreshes: dict[str, Coalesced[Session]] = {}  # per session name
        # Per session name: the deferred refresh not yet answered (its copy, command, and settling).
        self._deferred: dict[str, tuple[Session, Deferred, asyncio.Future[Seen]]] = {}

    @staticmethod
    def _no_backend(name: str) -> Any:
        raise AssertionError("shared sessions make their backends per generation")

    def _tag(self, name: str) -> str:
        return f"{PREFIX}:{{{name}}}"

    def _build(self, name: str, generation: int) -> Session:
        seeded = self._seed_value is not None
        basis = f"{self._seed_value}/{name}"
        return Session(
            name=name,
            store=Store(RedisBackend(self.conn, self._tag(name), generation)),
            ids=LeasedIds(basis) if seeded else IdFactory(None),
            clock=Clock(self._seed_value, start=self.seed.clock_end) if seeded else Clock(),
            assistant=ScriptedAssistant(list(self.seed.rules)),
            web=list(self.seed.web),
            chance=random.Random(basis if seeded else None),
            generation=generation,
        )

    async def get(self, name: str | None) -> Session:
        session = self.peek(name)
        return session if session is not None else await self._open(self.key(name), create=True)  # type: ignore[return-value]

    async def fresh(self, name: str) -> Session:
        # The request's path refreshes every session it is given (pipeline, security).
        return await self.get(name)

    async def existing(self, name: str) -> Session | None:
        return await self._open(self.key(name), create=False)

    def _sync_call(self, session: Session | None, name: str) -> tuple[list[Any], list[Any]]:
        """SYNC's keys and arguments: this copy's seeded clock reading, and a lease when ids run low."""
        clock = session.clock._next or 0 if session is not None else 0  # noqa: SLF001
        ids = session.ids if session is not None else None
        lease = LEASE if isinstance(ids, LeasedIds) and ids.low else 0
        return [f"{self._tag(name)}:meta"], [clock, lease, *COUNTERS]

    @guarded(lambda self: self.where)
    async def _sync(self, session: Session | None, name: str) -> list[Any]:
        keys, args = self._sync_call(session, name)
        return await self.conn.pipelined.script(self.conn.scripts.sync, keys, args)

    async def begin(self, session: Session) -> Session:
        # The copy as it is, its refresh deferred to go with the request's first read
        # (store/speculation.py); awaited when the request is not speculated on.
        speculation = SPECULATION.get()
        if speculation is None or speculation.attached or session.faults:
            return await self.refresh(session)
        speculation.attach(session.generation, session.version, self._deferred_refresh(session))
        return session

    def _deferred_refresh(self, session: Session) -> asyncio.Future[Seen]:
        """The refresh not sent yet, shared by the requests that come before it goes; else a new one."""
        pending = self._deferred.get(session.name)
        if pending is not None and pending[0] is session and not self.conn.pipelined.sent(pending[1]):
            return pending[2]
        keys, args = self._sync_call(session, session.name)
        deferred = self.conn.pipelined.defer("EVALSHA", self.conn.scripts.sync.sha, len(keys), *keys, *args)
        settled = asyncio.ensure_future(self._settle(session, deferred, keys, args))
        settled.add_done_callback(_retrieve)
        self._deferred[session.name] = (session, deferred, settled)
        return settled

    @guarded(lambda self: self.where)
    async def _settle(self, session: Session, deferred: Deferred, keys: list[Any], args: list[Any]) -> Seen:
        """A deferred refresh's answer, applied to the copy as an awaited one is (a new generation or
        shared version is left to the awaited refresh of the request made again)."""
        try:
            answer = await self.conn.pipelined.answer(deferred, self.conn.scripts.sync, keys, args)
        finally:
            if (pending := self._deferred.get(session.name)) is not None and pending[1] is deferred:
                del self._deferred[session.name]
        gen, ready, version, clock, leased, cached = answer
        generation = _seeded(gen, ready)
        if generation == session.generation:
            self._apply(session, int(clock), int(leased), cached)
        return Seen(generation, int(version or 0), cached)

    async def refresh(self, session: Session) -> Session:
        refresh = self._refreshes.get(session.name)
        if refresh is None:
            refresh = self._refreshes[session.name] = Coalesced(lambda name=session.name: self._refresh(name))
        return await refresh()

    async def _refresh(self, name: str) -> Session:
        session = self.peek(name)
        if session is None:  # dropped (a reset, or evicted) since it was asked for
            return await self._open(name, create=True)  # type: ignore[return-value]
        gen, ready, version, clock, leased, cached = await self._sync(session, session.name)
        if _seeded(gen, ready) != session.generation:
            self.drop(session.name)
            return await self._open(session.name, create=True)  # type: ignore[return-value]
        self._apply(session, int(clock), int(leased), cached)
        if int(version or 0) != session.version:
            await self._load_shared(session, int(version or 0))
        return session

    def _apply(self, session: Session, clock: int, leased: int, cached: list[Any]) -> None:
        """What a SYNC answered: the shared clock, a new lease of ids, the cached tables' counters."""
        session.store.backend.cache.observe(cached)  # type: ignore[attr-defined]
        if clock and session.clock._next is not None:  # noqa: SLF001 - the seeded clock's reading
            session.clock._next = max(session.clock._next, clock)  # noqa: SLF001
        if leased and isinstance(session.ids, LeasedIds):
            session.ids.lease(leased)

    async def _open(self, name: str, *, create: bool) -> Session | None:
        client = self.conn.client
        deadline = asyncio.get_running_loop().time() + OPEN_SECONDS
        while True:
            gen, ready, version, *_ = await self._sync(None, name)
            if (generation := _seeded(gen, ready)) is not None:
                return await self._attach(name, generation, int(version or 0))
            if not create:
                return None
            token = secrets.token_hex(8)
            if await self._lock(client, name, token):
                try:
                    return await self._seed(name)
                finally:
                    await self._unlock(client, name, token)
            if asyncio.get_running_loop().time() > deadline:
                raise StoreUnavailable(f"The mock's store ({self.where}): session {name!r} is still being seeded.")
            await asyncio.sleep(0.02)

    @guarded(lambda self: self.where)
    async def _lock(self, client: Any, name: str, token: str) -> bool:
        return bool(await client.set(f"{self._tag(name)}:lock", token, nx=True, px=LOCK_MS))

    @guarded(lambda self: self.where)
    async def _unlock(self, client: Any, name: str, token: str) -> None:
        key = f"{self._tag(name)}:lock"
        if await client.get(key) == token.encode():
            await client.delete(key)

    @guarded(lambda self: self.where)
    async def _seed(self, name: str) -> Session:
        client, meta = self.conn.client, f"{self._tag(name)}:meta"
        gen, ready = await client.hmget(meta, ["gen", "ready"])
        if (seeded := _seeded(gen, ready)) is not None:  # seeded by another replica while we took the lock
            return await self._attach(name, seeded, int(await client.hget(meta, "version") or 0))
        # Always a new generation: what a replica that died seeding left is never seeded over.
        generation = await client.hincrby(meta, "gen", 1)
        session = self._build(name, generation)
        await self._lease(session)
        await self.seed.fill(session.store)
        await client.hset(meta, "ready", generation)
        await client.sadd(REGISTRY, name)
        await client.set(LAYOUT_KEY, LAYOUT)  # again: a Redis that lost its data lost the mark too
        if gen is not None:
            await self._unlink(name, int(gen))
        return self._register(session)

    async def _attach(self, name: str, generation: int, version: int) -> Session:
        session = self._build(name, generation)
        await self._lease(session)
        if version:
            await self._load_shared(session, version)
        return self._register(session)

    async def _lease(self, session: Session) -> None:
        _, _, _, clock, leased, cached = await self._sync(session, session.name)
        self._apply(session, int(clock), int(leased), cached)

    def _register(self, session: Session) -> Session:
        self._sessions[session.name] = session
        self._evict()
        if len(self._refreshes) > len(self._sessions):  # forget the refreshes of evicted sessions
            for name in [name for name, refresh in self._refreshes.items() if name not in self._sessions]:
                if self._refreshes[name].idle:
                    del self._refreshes[name]
        return session

    @guarded(lambda self: self.where)
    async def _load_shared(self, session: Session, version: int) -> None:
        rules, faults, offset = await self.conn.client.hmget(
            f"{self._tag(session.name)}:shared", ["rules", "faults", "offset"]
        )
        session.assistant.rules = (
            [rule_from_fixture(item) for item in orjson.loads(rules)] if rules else list(self.seed.rules)
        )
        session.faults = [Fault(**item) for item in orjson.loads(faults)] if faults else []
        session.clock.advance(int(offset or 0) - session.clock.offset)
        session.version = version

    @guarded(lambda self: self.where)
    async def publish(self, session: Session) -> None:
        shared = {
            "rules": orjson.dumps([rule.source for rule in session.rules]),
            "faults": orjson.dumps([dataclasses.asdict(fault) for fault in session.faults]),
            "offset": session.clock.offset,
        }
        client = self.conn.client
        await client.hset(f"{self._tag(session.name)}:shared", mapping=shared)
        session.version = await client.hincrby(f"{self._tag(session.name)}:meta", "version", 1)

    def empty_store(self, name: str) -> Store:
        # A loaded state goes into a generation of its own, adopted whole once every row is in.
        return Store(RedisBackend(self.conn, self._tag(name), secrets.randbits(48)))

    @guarded(lambda self: self.where)
    async def adopt(self, session: Session, store: Store) -> None:
        generation = int(store.backend.namespace.rsplit(":g", 1)[1])  # type: ignore[attr-defined]
        old = session.generation
        await self.conn.client.hset(f"{self._tag(session.name)}:meta", mapping={"gen": generation, "ready": generation})
        session.store, session.generation = store, generation
        await self._unlink(session.name, old)

    @guarded(lambda self: self.where)
    async def reset(self, name: str | None) -> None:
        names = (
            [item.decode() for item in await self.conn.client.smembers(REGISTRY)] if name is None else [self.key(name)]
        )
        for each in names:
            await self._reset_one(each)
        self.drop(name)

    async def _reset_one(self, name: str) -> None:
        client, tag = self.conn.client, self._tag(name)
        gen = await client.hget(f"{tag}:meta", "gen")
        # A new generation, not yet seeded: every replica's next request there seeds it afresh.
        await client.hset(f"{tag}:meta", mapping={"gen": int(gen or 0) + 1, "ready": 0, "version": 0})
        await client.hdel(f"{tag}:meta", "clock", "ids")
        await client.delete(f"{tag}:shared")
        if gen is not None:
            await self._unlink(name, int(gen))

    async def _unlink(self, name: str, generation: int) -> None:
        pattern = f"{_glob_escape(self._tag(name))}:g{generation}:*"
        batch: list[bytes] = []
        async for key in self.conn.client.scan_iter(match=pattern, count=1_000):
            batch.append(key)
            if len(batch) == 1_000:
                await self.conn.client.unlink(*batch)
                batch = []
        if batch:
            await self.conn.client.unlink(*batch)

    @guarded(lambda self: self.where)
    async def all_names(self) -> list[str]:
        return sorted(item.decode() for item in await self.conn.client.smembers(REGISTRY))


def _seeded(gen: bytes | None, ready: bytes | None) -> int | None:
    """The generation a session's rows are ready under, as its meta hash says (None: none yet)."""
    return int(gen) if gen is not None and ready == gen else None


def _retrieve(task: asyncio.Future[Any]) -> None:
    # Its requests got the error (each awaits it); when none did, nobody needs it: no warning.
    if not task.cancelled():
        task.exception()


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
