"""The embedded default backend: dicts in this process.

Rows live in a dict by id; each index maps a key to an insertion-ordered dict of row ids (a dict
keeps insertion order and deletes in O(1)). Every row has a sequence number from its insert, and
a bucket stays sorted by it: a row that joins a key later (a participant added to an old thread)
is placed by its number, not at the end, so updates never reorder a list.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from itertools import islice, product
from typing import Any

from mock_server.store.protocol import DuplicateId, Index, Key, Order, Page, Row

# Rows handed out per step of a scan; between steps the event loop serves other requests.
SCAN_CHUNK = 1_000


class MemoryTable:
    def __init__(self, indexes: Sequence[Index] = ()) -> None:
        self._rows: dict[str, Row] = {}
        self._seq: dict[str, int] = {}
        self._next_seq = 0
        self._fields = {index.name: index.fields for index in indexes}
        self._buckets: dict[str, dict[Key, dict[str, None]]] = {index.name: {} for index in indexes}

    async def get(self, row_id: str) -> Row | None:
        row = self._rows.get(row_id)
        return dict(row) if row is not None else None

    async def insert(self, row: Row) -> None:
        row_id = row["id"]
        if row_id in self._rows:
            raise DuplicateId(row_id)
        stored = self._rows[row_id] = dict(row)
        self._seq[row_id] = self._next_seq
        self._next_seq += 1
        for name in self._buckets:
            for key in self._keys(name, stored):
                self._buckets[name].setdefault(key, {})[row_id] = None  # the newest row: last in order

    async def update(self, row_id: str, changes: Row) -> Row | None:
        old = self._rows.get(row_id)
        if old is None:
            return None
        new = self._rows[row_id] = {**old, **changes}
        for name, fields in self._fields.items():
            if not any(field in changes for field in fields):
                continue
            before, after = set(self._keys(name, old)), set(self._keys(name, new))
            for key in before - after:
                self._remove(name, key, row_id)
            for key in after - before:
                self._place(name, key, row_id)
        return dict(new)

    async def delete(self, row_id: str) -> Row | None:
        row = self._rows.pop(row_id, None)
        if row is None:
            return None
        for name in self._buckets:
            for key in self._keys(name, row):
                self._remove(name, key, row_id)
        del self._seq[row_id]
        return row

    async def range(self, index: str, key: Key, *, order: Order = "asc", limit: int, offset: int = 0) -> Page:
        ids = self._ordered(self._buckets[index].get(key, {}), order)
        # One row past the page tells whether more follow: has_more is exact.
        found = [dict(self._rows[row_id]) for row_id in islice(ids, offset, offset + limit + 1)]
        return Page(found[:limit], len(found) > limit)

    async def scan(self, index: str | None, key: Key = (), *, order: Order = "asc") -> AsyncIterator[Sequence[Row]]:
        bucket: Iterable[str] = self._rows if index is None else self._buckets[index].get(key, {})
        ids = list(self._ordered(bucket, order))  # a snapshot: the walk may change the table
        for start in range(0, len(ids), SCAN_CHUNK):
            if start:
                await asyncio.sleep(0)
            chunk = [self._rows.get(row_id) for row_id in ids[start : start + SCAN_CHUNK]]
            yield [dict(row) for row in chunk if row is not None]

    async def count(self, index: str | None = None, key: Key = ()) -> int:
        return len(self._rows) if index is None else len(self._buckets[index].get(key, {}))

    def _keys(self, index: str, row: Row) -> Iterator[Key]:
        values = [row.get(field) for field in self._fields[index]]
        choices = [value if isinstance(value, list) else [value] for value in values]
        for key in product(*choices):
            if all(part is not None for part in key):
                yield key

    def _place(self, index: str, key: Key, row_id: str) -> None:
        bucket = self._buckets[index].setdefault(key, {})
        last = next(reversed(bucket), None)
        bucket[row_id] = None
        if last is not None and self._seq[last] > self._seq[row_id]:  # an older row joins: re-sort
            self._buckets[index][key] = dict.fromkeys(sorted(bucket, key=self._seq.__getitem__))

    def _remove(self, index: str, key: Key, row_id: str) -> None:
        bucket = self._buckets[index].get(key)
        if bucket is not None:
            bucket.pop(row_id, None)
            if not bucket:
                del self._buckets[index][key]

    @staticmethod
    def _ordered(ids: Iterable[str], order: Order) -> Iterator[str]:
        return reversed(ids) if order == "desc" else iter(ids)  # type: ignore[call-overload]


class MemoryBackend:
    """Tables in this process; one backend per session, so a session's state is its own."""

    def table(self, name: str, indexes: Sequence[Index]) -> MemoryTable:
        return MemoryTable(indexes)

    async def delete_together(self, doomed: Sequence[tuple[Any, Sequence[str]]]) -> None:
        # A memory table's delete never suspends, so the first group (the parent: a thread, a
        # run, a store) goes before any other request runs; the rest, unreachable from then on,
        # is swept yielding every SCAN_CHUNK rows, so a million messages never stall the loop.
        swept = 0
        for table, row_ids in doomed:
            for row_id in row_ids:
                await table.delete(row_id)
                swept += 1
                if swept % SCAN_CHUNK == 0:
                    await asyncio.sleep(0)

    def watch(self, table: str, row_id: str) -> None:
        return None  # a read costs less than a notification: watchers read


def run_now(awaitable: Any) -> Any:
    """The result of a coroutine that never suspends (the memory backend's), without a loop.
    For start-up code and tests that read a memory store outside a request."""
    try:
        awaitable.send(None)
    except StopIteration as done:
        return done.value
    raise RuntimeError("the coroutine suspended: it needs an event loop")
