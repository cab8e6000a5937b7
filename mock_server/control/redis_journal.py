"""The request journal in Redis: one capped stream every replica records into, so
`/__mock__/journal` on any replica shows the requests all of them answered, in one sequence.

A Redis stream, each entry added as `0-*`: Redis numbers them 0-1, 0-2, … as they come, whichever
replica adds them, so an entry's number is its place in the one sequence and the stream's order is
that order. `MAXLEN =` keeps the newest `size` (what it drops is counted: entries added, less those
kept and those a clear removed). An entry is stored as the JSON `/__mock__/journal` answers (made
when it is recorded, unlike the memory journal's references: it has to leave the process anyway),
its `seq` filled in from its number when read. A journal that cannot reach Redis drops the entry
and logs it once: recording never fails the request it records. Concurrent requests' entries go
in one batch (`Coalesced`): an entry is stored before its request's answer ends, as one written
alone would be, in one round trip for all of them; each is one native command, not a script (a
script copying kilobytes of entry into Lua and back cost Redis some fifteen microseconds an entry).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from mock_server.control.journal import Entry, Query
from mock_server.store.coalesced import Coalesced
from mock_server.store.redis_connection import PREFIX, RedisConnection, guarded

logger = logging.getLogger("mock_server")
STREAM, CLEARED = f"{PREFIX}:journal", f"{PREFIX}:journal:cleared"
# Removes a clear's entries (all of them, or the ids given) and counts them, in one step.
CLEAR = """
local removed
if #ARGV == 0 then removed = redis.call('XTRIM', KEYS[1], 'MAXLEN', 0)
else removed = redis.call('XDEL', KEYS[1], unpack(ARGV)) end
redis.call('INCRBY', KEYS[2], removed)
return removed
"""


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
        entry.seq = 0  # the stream numbers it; read back, its number is its seq
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
        pipelined = self.conn.pipelined  # one batch: deferred together, sent together
        added = [pipelined.defer("XADD", STREAM, "MAXLEN", "=", self.size, "0-*", "e", data) for data in batch]
        for answer in await asyncio.gather(*(each.future for each in added), return_exceptions=True):
            if isinstance(answer, BaseException):
                raise answer

    @guarded(lambda self: self.where)
    async def entries(self, query: Query) -> list[StoredEntry]:
        found: list[StoredEntry] = []
        for number, fields in await self.conn.client.xrevrange(STREAM):  # newest first: a limit keeps the newest
            entry = _stored(number, fields)
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
            await client.eval(CLEAR, 2, STREAM, CLEARED)
            return
        doomed = [
            number for number, fields in await client.xrange(STREAM) if _stored(number, fields).session == session
        ]
        for start in range(0, len(doomed), 1_000):
            await client.eval(CLEAR, 2, STREAM, CLEARED, *doomed[start : start + 1_000])

    @guarded(lambda self: self.where)
    async def stats(self) -> tuple[int, int, int]:
        """Entries kept, dropped by the cap, and the last number given."""
        client = self.conn.client
        if not await client.exists(STREAM):
            return 0, 0, 0
        info = await client.xinfo_stream(STREAM)
        cleared = int(await client.get(CLEARED) or 0)
        last = _seq(info["last-generated-id"])
        return info["length"], info["entries-added"] - info["length"] - cleared, last


def _seq(number: bytes | str) -> int:
    return int(number.rsplit(b"-" if isinstance(number, bytes) else "-", 1)[1])


def _stored(number: bytes, fields: dict[bytes, bytes]) -> StoredEntry:
    data = orjson.loads(fields[b"e"])
    data["seq"] = _seq(number)
    return StoredEntry(data)
