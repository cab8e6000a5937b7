"""The request journal in Redis: one capped list every replica records into, newest first, so
`/__mock__/journal` on any replica shows the requests all of them answered, in one sequence.

An entry is stored as the JSON `/__mock__/journal` answers (made when it is recorded, unlike the
memory journal's references: it has to leave the process anyway). A journal that cannot reach
Redis drops the entry and logs it once: recording never fails the request it records.
Concurrent requests' entries go in one script (`Coalesced`): an entry is stored before its
request's answer ends, as one written alone would be, in one round trip for all of them.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from mock_server.control.journal import Entry, Query
from mock_server.store.coalesced import Coalesced
from mock_server.store.redis_connection import PREFIX, RedisConnection, guarded

logger = logging.getLogger("mock_server")
KEYS = (f"{PREFIX}:journal", f"{PREFIX}:journal:seq", f"{PREFIX}:journal:dropped")


class StoredEntry:
    """An entry read back: what `Query.keeps` looks at, and its JSON."""

    __slots__ = ("data", "session", "operation", "status", "time", "seq")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.session, self.operation, self.status = data["session"], data["operation"], data["status"]
        self.time, self.seq = data["time"], data["seq"]

    def as_json(self) -> dict[str, Any]:
        return self.data


class RedisJournal:
    def __init__(self, conn: RedisConnection, size: int) -> None:
        self.conn = conn
        self.size = size
        self.where = conn.where
        self._failing = False
        self._waiting: list[bytes] = []  # entries for the next write
        self._write = Coalesced(self._record)

    async def record(self, entry: Entry) -> None:
        entry.seq = 0  # the script numbers it: `{"seq":0` is replaced by the shared sequence
        self._waiting.append(orjson.dumps(entry.as_json()))
        try:
            await self._write()  # a write that began after the append: it holds this entry
            self._failing = False
        except Exception as error:  # StoreUnavailable: the request was answered; only its record is lost
            if not self._failing:
                logger.warning("mock_server: the journal could not record a request: %s", error)
            self._failing = True

    async def _record(self) -> None:
        batch, self._waiting = self._waiting, []
        if batch:
            await self._store(batch)

    @guarded(lambda self: self.where)
    async def _store(self, batch: list[bytes]) -> None:
        await self.conn.pipelined.script(self.conn.scripts.journal_record, list(KEYS), [self.size, *batch])

    @guarded(lambda self: self.where)
    async def entries(self, query: Query) -> list[StoredEntry]:
        found: list[StoredEntry] = []
        for raw in await self.conn.client.lrange(KEYS[0], 0, -1):  # newest first: a limit keeps the newest
            entry = StoredEntry(orjson.loads(raw))
            if query.after is not None and entry.seq <= query.after:
                break
            if query.keeps(entry):  # type: ignore[arg-type]
                found.append(entry)
                if len(found) == query.limit:
                    break
        found.reverse()
        return found

    @guarded(lambda self: self.where)
    async def clear(self, session: str | None) -> None:
        client = self.conn.client
        if session is None:
            await client.delete(KEYS[0])
            return
        kept = [raw for raw in await client.lrange(KEYS[0], 0, -1) if orjson.loads(raw)["session"] != session]
        async with client.pipeline(transaction=True) as pipe:
            pipe.delete(KEYS[0])
            if kept:
                pipe.rpush(KEYS[0], *kept)
            await pipe.execute()

    @guarded(lambda self: self.where)
    async def stats(self) -> tuple[int, int, int]:
        kept, seq, dropped = await self.conn.client.eval(
            "return {redis.call('LLEN', KEYS[1]), redis.call('GET', KEYS[2]) or 0, redis.call('GET', KEYS[3]) or 0}",
            3,
            *KEYS,
        )
        return int(kept), int(dropped), int(seq)
