"""The embedded default backend: dicts in this process.

Rows live in a dict by id; each index maps a key to an insertion-ordered dict of row ids (a dict
keeps insertion order and deletes in O(1)). Every row has a sequence number from its insert, and
a bucket stays sorted by it: a row that joins a key later (a participant added to an old thread)
is placed by its number, not at the end, so updates never reorder a list.

A row is kept packed, not as a dict: one tuple `(sequence number, shape, *values)`, where the
shape (its keys, in order, shared by every row with the same keys) is kept once per table. A
17-key message dict costs ~650 bytes before its values; its tuple ~190. Empty lists and dicts are
not kept at all (the shape says where they go) and ids in `*_id` fields are interned, so a
thread's million messages share one copy of its id. `get`/`range`/`scan` build a fresh dict
from the tuple: the copy the protocol asks for anyway, at about the cost of `dict(row)`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from itertools import islice, product
from typing import Any

from mock_server.store.protocol import DuplicateId, Index, Key, Order, Page, Row

# Rows handed out per step of a scan; between steps the event loop serves other requests.
SCAN_CHUNK = 1_000
# A packed row: (sequence number, Shape, *values).
Packed = tuple[Any, ...]


class Shape:
    """The keys of a packed row, in order, which of them hold a fresh empty list or dict, and the
    function that builds the row's dict back.

    That function is generated per shape (`{'id': v0, 'object': v1, …}` over the unpacked tuple):
    a dict display with constant keys is built in one step, about 4x faster than
    `dict(zip(keys, values))`, so a page of 20 rows costs microseconds, not tens of them."""

    __slots__ = ("keys", "empties", "unpack")

    def __init__(self, keys: tuple[str, ...], empties: tuple[tuple[str, type], ...]) -> None:
        self.keys = keys
        self.empties = empties
        self.unpack = _unpacker(keys, dict(empties))


def _unpacker(keys: tuple[str, ...], empties: dict[str, type]) -> Any:
    if not keys or not all(key.__class__ is str for key in keys):  # rows are JSON-like: never, but safe
        return lambda packed: dict(zip(keys, packed[2:], strict=True))
    names = [f"v{n}" for n in range(len(keys))]
    # Keys enter the source as repr() literals only, so no key can be code.
    items = zip(keys, names, strict=True)
    shown = ", ".join(f"{key!r}: {EMPTY[empties[key]] if key in empties else name}" for key, name in items)
    source = f"def unpack(packed):\n    _, _, {', '.join(names)}, = packed\n    return {{{shown}}}\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<memory.Shape>", "exec"), namespace)  # noqa: S102 - source built from repr()s above
    return namespace["unpack"]


EMPTY = {list: "[]", dict: "{}"}


class Plan:
    """How rows with these keys are packed: the positions (in the packed tuple) worth a look, so
    packing a row walks a few of its values, not all of them. Containers are the positions that
    held a list or a dict in the first such row (an empty one there is left out); a container
    elsewhere in a later row is simply kept, which is correct, only less compact."""

    __slots__ = ("containers", "ids", "shapes")

    def __init__(self, keys: tuple[str, ...], first: Row) -> None:
        self.containers = tuple(2 + n for n, key in enumerate(keys) if first[key].__class__ in (list, dict))
        self.ids = tuple(2 + n for n, key in enumerate(keys) if key == "id" or key[-3:] == "_id")
        self.shapes: dict[tuple[int, ...], Shape] = {}  # by the positions left out empty


class MemoryTable:
    def __init__(self, indexes: Sequence[Index] = ()) -> None:
        self._rows: dict[str, Packed] = {}
        self._next_seq = 0
        self._plans: dict[tuple[str, ...], Plan] = {}
        self._fields = {index.name: index.fields for index in indexes}
        self._buckets: dict[str, dict[Key, dict[str, None]]] = {index.name: {} for index in indexes}

    async def get(self, row_id: str) -> Row | None:
        packed = self._rows.get(row_id)
        return _unpack(packed) if packed is not None else None

    async def insert(self, row: Row) -> None:
        row_id = row["id"]
        if row_id in self._rows:
            raise DuplicateId(row_id)
        packed = self._rows[row_id] = self._pack(self._next_seq, row)
        self._next_seq += 1
        row_id = packed[2 + packed[1].keys.index("id")]  # the interned copy, shared by the indexes
        for name in self._buckets:
            for key in self._keys(name, row):
                self._buckets[name].setdefault(key, {})[row_id] = None  # the newest row: last in order

    async def update(self, row_id: str, changes: Row) -> Row | None:
        packed = self._rows.get(row_id)
        if packed is None:
            return None
        old = _unpack(packed)
        new = {**old, **changes}
        self._rows[row_id] = self._pack(packed[0], new)
        for name, fields in self._fields.items():
            if not any(field in changes for field in fields):
                continue
            before, after = set(self._keys(name, old)), set(self._keys(name, new))
            for key in before - after:
                self._remove(name, key, row_id)
            for key in after - before:
                self._place(name, key, row_id)
        return _unpack(self._rows[row_id])

    async def delete(self, row_id: str) -> Row | None:
        packed = self._rows.pop(row_id, None)
        if packed is None:
            return None
        row = _unpack(packed)
        for name in self._buckets:
            for key in self._keys(name, row):
                self._remove(name, key, row_id)
        return row

    async def range(self, index: str, key: Key, *, order: Order = "asc", limit: int, offset: int = 0) -> Page:
        ids = self._ordered(self._buckets[index].get(key, {}), order)
        rows = self._rows
        # One row past the page tells whether more follow: has_more is exact.
        found = [_unpack(rows[row_id]) for row_id in islice(ids, offset, offset + limit + 1)]
        return Page(found[:limit], len(found) > limit)

    async def scan(self, index: str | None, key: Key = (), *, order: Order = "asc") -> AsyncIterator[Sequence[Row]]:
        bucket: Iterable[str] = self._rows if index is None else self._buckets[index].get(key, {})
        ids = list(self._ordered(bucket, order))  # a snapshot: the walk may change the table
        for start in range(0, len(ids), SCAN_CHUNK):
            if start:
                await asyncio.sleep(0)
            chunk = [self._rows.get(row_id) for row_id in ids[start : start + SCAN_CHUNK]]
            yield [_unpack(packed) for packed in chunk if packed is not None]

    async def count(self, index: str | None = None, key: Key = ()) -> int:
        return len(self._rows) if index is None else len(self._buckets[index].get(key, {}))

    def _pack(self, seq: int, row: Row) -> Packed:
        keys = tuple(row)
        plan = self._plans.get(keys)
        if plan is None:
            plan = self._plans[keys] = Plan(keys, row)
        values = [seq, None, *row.values()]
        empties = []
        for at in plan.containers:
            value = values[at]
            if not value and (value.__class__ is list or value.__class__ is dict):
                empties.append(at)
                values[at] = None
        for at in plan.ids:
            if values[at].__class__ is str:
                values[at] = sys.intern(values[at])  # a thread's messages share its id, not a copy each
        signature = tuple(empties)
        shape = plan.shapes.get(signature)
        if shape is None:
            named = tuple((keys[at - 2], row[keys[at - 2]].__class__) for at in empties)
            shape = plan.shapes[signature] = Shape(keys, named)
        values[1] = shape
        return tuple(values)

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
        if last is not None and self._rows[last][0] > self._rows[row_id][0]:  # an older row joins: re-sort
            self._buckets[index][key] = dict.fromkeys(sorted(bucket, key=lambda i: self._rows[i][0]))

    def _remove(self, index: str, key: Key, row_id: str) -> None:
        bucket = self._buckets[index].get(key)
        if bucket is not None:
            bucket.pop(row_id, None)
            if not bucket:
                del self._buckets[index][key]

    @staticmethod
    def _ordered(ids: Iterable[str], order: Order) -> Iterator[str]:
        return reversed(ids) if order == "desc" else iter(ids)  # type: ignore[call-overload]


def _unpack(packed: Packed) -> Row:
    """A fresh dict of a packed row (its empty lists and dicts fresh too)."""
    return packed[1].unpack(packed)


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
