"""The Redis backend: one session's tables in Redis, shared by every replica of the mock.

Layout, under a session generation's namespace `entities-mock:{session}:g<N>` (the hash tag puts a
session's keys in one cluster slot; a reset moves the session to a new generation):

    :row:<table>:<id>           the row as JSON (orjson), a string key per row
    :seq:<table>                the table's insert counter (INCR)
    :seqs:<table>               hash, id -> the row's number from that counter
    :all:<table>                sorted set of every id, scored by its number (a table's scan order)
    :idx:<table>:<index>:<key>  sorted set per index key (the key's values as JSON), scored likewise

A row keeps its number for life, so an index lists rows in insertion order whatever updates do (a
row that joins a key later is placed by its number). `range` is one SORT of the index key BY nosort
with LIMIT, GETting each row by its key: the index's own order, O(log n + limit), one row past the
page for an exact `has_more`. Rows are keys of their own for it: SORT fetches keys, not a hash's
fields, and a script fetching them (the RANGE script, used when a session's name holds the `*` SORT
would read as its placeholder) costs Redis some fifteen microseconds a page more, copying every row
into Lua and back. `count` is a ZCARD. Every write is the WRITE script (redis_scripts.py): a
compare-and-set on the rows it read, so an update computed from a row another replica changed
meanwhile is retried, never lost, and a cascade (`delete_together`) is one script: applied whole or
not at all (a row of the cascade that changed since it was read makes the whole of it read again
and retried). What the compare-and-set cannot see is a row *added* under the parent meanwhile by
another request (a message posted to a thread while the thread is deleted elsewhere): it outlives
the cascade, unreachable through its parent, as on a database without foreign keys. The memory
store, one process whose reads never suspend, cannot interleave the two.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from itertools import product
from typing import Any

import orjson

from mock_server.store.protocol import DuplicateId, Index, Key, Order, Page, Row, StoreUnavailable
from mock_server.store.redis_connection import guarded
from mock_server.store.redis_row_cache import CACHED_TABLES, COUNTERS, RowCache, counter
from mock_server.store.redis_scripts import RANGE, SYNC, WRITE
from mock_server.store.speculation import StaleCopy, speculating, used

SCAN_CHUNK = 1_000
# Compare-and-set attempts before a write gives up: only a row rewritten this many times in a row
# by other requests meanwhile runs out (it would take thousands of writers on one row).
ATTEMPTS = 100
# Tables whose changes are published (a run's cancel reaches the stream on another replica).
PUBLISHED = frozenset({"runs"})


def encode(row: Row) -> str:
    return orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS).decode()


class Scripts:
    """The backend's scripts, registered once per client (redis-py loads them again by itself
    after a Redis restart: EVALSHA, then SCRIPT LOAD on NOSCRIPT)."""

    def __init__(self, client: Any) -> None:
        self.write = client.register_script(WRITE)
        self.range = client.register_script(RANGE)
        self.sync = client.register_script(SYNC)


class RedisTable:
    def __init__(self, backend: RedisBackend, name: str, indexes: Sequence[Index]) -> None:
        self.backend = backend
        ns = backend.namespace
        self.name = name
        self.where = backend.where
        self._seq, self._seqs, self._all = (f"{ns}:{part}:{name}" for part in ("seq", "seqs", "all"))
        self._row_prefix = f"{ns}:row:{name}:"
        # SORT's GET puts each id where the pattern's first `*` is: only the end of it may hold one.
        self._row_pattern = self._row_prefix + "*" if "*" not in self._row_prefix else None
        self._index_prefix = f"{ns}:idx:{name}:"
        self._fields = {index.name: index.fields for index in indexes}
        self._channel = backend.channel(name) if name in PUBLISHED else None
        self._cache = backend.cache.tables.get(name)
        self._counter = counter(name)
        self._position = CACHED_TABLES.index(name) if name in CACHED_TABLES else -1

    @guarded(lambda self: self.where)
    async def get(self, row_id: str) -> Row | None:
        cache = self._cache
        if cache is None:
            raw = await self.backend.conn.pipelined("GET", self._row_prefix + row_id)
            return orjson.loads(raw) if raw is not None else None
        raw = cache.get(row_id)
        if raw is not None:
            used(self._position, cache.version)  # a request speculating on the copy: its refresh checks it
        else:
            read_under = cache.version
            raw = await self.backend.conn.pipelined("GET", self._row_prefix + row_id)
            if raw is None:
                return None
            cache.keep(row_id, raw, read_under)
        return orjson.loads(raw)  # a copy, as every read gives

    @guarded(lambda self: self.where)
    async def insert(self, row: Row) -> None:
        op = self._op(row["id"], None, row)
        done, _ = await self.backend.write([op])
        if not done:
            raise DuplicateId(row["id"])

    @guarded(lambda self: self.where)
    async def update(self, row_id: str, changes: Row) -> Row | None:
        for _ in range(ATTEMPTS):
            raw = await self.backend.conn.pipelined("GET", self._row_prefix + row_id)
            if raw is None:
                return None
            new = {**orjson.loads(raw), **changes}
            done, _ = await self.backend.write([self._op(row_id, raw, new)])
            if done:
                return new
        raise StoreUnavailable(f"The mock's store ({self.where}) could not apply an update: the row kept changing.")

    @guarded(lambda self: self.where)
    async def delete(self, row_id: str) -> Row | None:
        for _ in range(ATTEMPTS):
            raw = await self.backend.conn.pipelined("GET", self._row_prefix + row_id)
            if raw is None:
                return None
            done, _ = await self.backend.write([self._op(row_id, raw, None)])
            if done:
                return orjson.loads(raw)
        raise StoreUnavailable(f"The mock's store ({self.where}) could not apply a delete: the row kept changing.")

    @guarded(lambda self: self.where)
    async def range(self, index: str, key: Key, *, order: Order = "asc", limit: int, offset: int = 0) -> Page:
        source, conn = self._index_key(index, key), self.backend.conn
        # One row past the page tells whether more follow: has_more is exact.
        if self._row_pattern is not None:
            sort = ("SORT", source, "BY", "nosort", "LIMIT", offset, limit + 1, "GET", self._row_pattern)
            found = await conn.pipelined(*sort, "DESC") if order == "desc" else await conn.pipelined(*sort)
        else:
            args = [offset, offset + limit, order, self._row_prefix]
            found = await conn.pipelined.script(conn.scripts.range, [source], args)
        rows = [orjson.loads(raw) for raw in found if raw is not None]
        return Page(rows[:limit], len(rows) > limit)

    async def scan(self, index: str | None, key: Key = (), *, order: Order = "asc") -> AsyncIterator[Sequence[Row]]:
        ids = await self._ids(index, key, order)  # a snapshot: the walk may change the table
        for start in range(0, len(ids), SCAN_CHUNK):
            chunk = await self._rows_of(ids[start : start + SCAN_CHUNK])
            yield [orjson.loads(raw) for raw in chunk if raw is not None]

    @guarded(lambda self: self.where)
    async def count(self, index: str | None = None, key: Key = ()) -> int:
        return await self.backend.conn.client.zcard(self._all if index is None else self._index_key(index, key))

    @guarded(lambda self: self.where)
    async def _ids(self, index: str | None, key: Key, order: Order) -> list[bytes]:
        source = self._all if index is None else self._index_key(index, key)
        if order == "desc":
            return await self.backend.conn.pipelined("ZRANGE", source, 0, -1, "REV")
        return await self.backend.conn.pipelined("ZRANGE", source, 0, -1)

    @guarded(lambda self: self.where)
    async def _rows_of(self, ids: Sequence[bytes]) -> list[bytes | None]:
        prefix = self._row_prefix.encode()
        return await self.backend.conn.pipelined("MGET", *[prefix + row_id for row_id in ids]) if ids else []

    @guarded(lambda self: self.where)
    async def raw_rows(self, ids: Sequence[str]) -> list[bytes | None]:
        """The stored JSON of these rows (None where absent), for a cascade's compare-and-set."""
        return await self.backend.conn.client.mget([self._row_prefix + row_id for row_id in ids]) if ids else []

    def _op(self, row_id: str, old: bytes | None, new: Row | None) -> dict[str, Any]:
        """One operation of the WRITE script: the row's change with its index entries."""
        before = set(self._all_keys(orjson.loads(old))) if old is not None else set()
        after = set(self._all_keys(new)) if new is not None else set()
        op: dict[str, Any] = {
            "k": self._row_prefix + row_id,
            "s": self._seqs,
            "q": self._seq,
            "id": row_id,
            "old": old.decode() if old is not None else False,
            "new": encode(new) if new is not None else False,
            "rm": sorted(before - after),
            "add": sorted(after - before) if old is not None else sorted(after),
        }
        if self._channel is not None:
            op["ch"] = self._channel
        if self._cache is not None:
            # Before the write is sent: a read racing it must not keep the row it replaces.
            self._cache.forget()
            op["v"], op["vf"] = self.backend.meta, self._counter
        return op

    def _all_keys(self, row: Row) -> Iterator[str]:
        yield self._all
        for name, fields in self._fields.items():
            values = [row.get(field) for field in fields]
            choices = [value if isinstance(value, list) else [value] for value in values]
            for key in product(*choices):
                if all(part is not None for part in key):
                    yield self._index_key(name, key)

    def _index_key(self, index: str, key: Key) -> str:
        return f"{self._index_prefix}{index}:{orjson.dumps(list(key)).decode()}"


class RedisBackend:
    """The tables of one session generation, in Redis (see the module docstring)."""

    def __init__(self, conn: Any, session_tag: str, generation: int) -> None:
        self.conn = conn  # redis_connection.RedisConnection
        self.session_tag = session_tag  # `entities-mock:{name}`
        self.namespace = f"{session_tag}:g{generation}"
        self.meta = f"{session_tag}:meta"
        self.where = conn.where
        self.cache = RowCache()  # the session's refresh tells it what changed (`observe`)

    async def write(self, ops: list[dict[str, Any]]) -> Any:
        """Run the WRITE script on these operations: [1, 0] applied, [0, i] the i-th row changed.
        A request going on from its session's copy (store/speculation.py) writes under a guard:
        applied only if the session is as the copy has it, else StaleCopy (nothing written)."""
        speculation = speculating()
        if speculation is None:
            return await self.conn.pipelined.script(self.conn.scripts.write, [], [orjson.dumps(ops)])
        if speculation.stale:  # found so already, and the StaleCopy caught on the way (a turn's own
            raise StaleCopy  # `except Exception`, say): nothing more is written from this copy
        guard = self._guard(*speculation.expected())
        done, at = await self.conn.pipelined.script(self.conn.scripts.write, [], [orjson.dumps(ops), guard])
        if not done and at == -1:
            speculation.refused()
            raise StaleCopy
        await speculation.written()
        return [done, at]

    def _guard(self, generation: int, version: int, used: dict[int, Any]) -> bytes:
        """The WRITE script's guard: the meta fields a write from the copy requires, and their values."""
        fields = ["gen", "ready", "version", *(COUNTERS[position] for position in used)]
        values = [generation, generation, version, *(int(counter) for counter in used.values())]
        return orjson.dumps({"m": self.meta, "f": fields, "v": values})

    def channel(self, table: str) -> str:
        return f"{self.session_tag}:changes:{table}"

    def table(self, name: str, indexes: Sequence[Index]) -> RedisTable:
        return RedisTable(self, name, indexes)

    @guarded(lambda self: self.where)
    async def delete_together(self, doomed: Sequence[tuple[Any, Sequence[str]]]) -> None:
        for _ in range(ATTEMPTS):
            ops: list[dict[str, Any]] = []
            for table, row_ids in doomed:
                for row_id, raw in zip(row_ids, await table.raw_rows(row_ids), strict=True):
                    if raw is not None:
                        ops.append(table._op(row_id, raw, None))
            if not ops:
                return
            done, _ = await self.write(ops)
            if done:
                return
        raise StoreUnavailable(f"The mock's store ({self.where}) could not apply a delete: its rows kept changing.")

    def watch(self, table: str, row_id: str) -> Any:
        if table not in PUBLISHED:
            return None
        return self.conn.notifier.watch(self.channel(table), row_id)
