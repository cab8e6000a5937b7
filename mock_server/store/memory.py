"""The embedded default backend: dicts, which keep insertion order and delete in O(1)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from mock_server.store.protocol import Order, Page, Row

# Which fields each table indexes; a list-valued field indexes each of its items.
INDEXES: dict[str, tuple[str, ...]] = {
    "users": ("email",),
    "api_keys": ("user_id",),
    "assistants": ("owner_id", "_shared_with"),
    "threads": ("owner_id", "_participant_ids"),
    "messages": ("thread_id",),
    "runs": ("thread_id", "user_id"),
    "actions": ("run_id",),
}


class MemoryTable:
    def __init__(self, indexed: Iterable[str] = ()) -> None:
        self._rows: dict[str, Row] = {}
        # field -> value -> {row id: None}: an insertion-ordered set per value.
        self._indexes: dict[str, dict[Any, dict[str, None]]] = {field: {} for field in indexed}

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, row_id: str) -> Row | None:
        return self._rows.get(row_id)

    def insert(self, row: Row) -> Row:
        row_id = row["id"]
        if row_id in self._rows:
            raise KeyError(f"duplicate id {row_id}")
        self._rows[row_id] = row
        for field in self._indexes:
            self._index(field, row_id, row.get(field))
        return row

    def update(self, row_id: str, changes: Row) -> Row:
        row = self._rows[row_id]
        for field in self._indexes.keys() & changes.keys():
            self._unindex(field, row_id, row.get(field))
            self._index(field, row_id, changes[field])
        row.update(changes)
        return row

    def delete(self, row_id: str) -> Row | None:
        row = self._rows.pop(row_id, None)
        if row is not None:
            for field in self._indexes:
                self._unindex(field, row_id, row.get(field))
        return row

    def where(self, field: str, value: Any, order: Order = "asc") -> Iterator[Row]:
        """Rows whose `field` is (or, for a list, holds) `value`, lazily: a caller that changes
        the table while walking must collect the rows first (`list(...)`)."""
        ids = self._indexes[field].get(value, {})
        for row_id in reversed(ids) if order == "desc" else iter(ids):
            yield self._rows[row_id]

    def all(self, order: Order = "asc") -> Iterator[Row]:
        return reversed(self._rows.values()) if order == "desc" else iter(self._rows.values())

    def page(
        self,
        field: str | None,
        value: Any,
        *,
        limit: int,
        order: Order = "asc",
        keep: Callable[[Row], bool] | None = None,
    ) -> Page:
        rows = self.all(order) if field is None else self.where(field, value, order)
        if keep is not None:
            rows = filter(keep, rows)
        # One row past the page tells whether more follow: has_more is exact.
        found = list(islice(rows, limit + 1))
        return Page(found[:limit], len(found) > limit)

    def _index(self, field: str, row_id: str, value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                self._indexes[field].setdefault(item, {})[row_id] = None

    def _unindex(self, field: str, row_id: str, value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            bucket = self._indexes[field].get(item)
            if bucket is not None:
                bucket.pop(row_id, None)
                if not bucket:
                    del self._indexes[field][item]


class MemoryStore:
    """One namespace of in-memory state."""

    def __init__(self) -> None:
        for name, fields in INDEXES.items():
            setattr(self, name, MemoryTable(fields))


class Namespaces:
    """Stores by `X-Mock-Session` value, each made on first use and seeded by `seed(store)`."""

    DEFAULT = ""

    def __init__(self, seed: Callable[[MemoryStore], None]) -> None:
        self._seed = seed
        self._stores: dict[str, MemoryStore] = {}

    def get(self, name: str | None) -> MemoryStore:
        key = name or self.DEFAULT
        store = self._stores.get(key)
        if store is None:
            store = self._stores[key] = MemoryStore()
            self._seed(store)
        return store

    def reset(self, name: str | None = None) -> None:
        if name is None:
            self._stores.clear()
        else:
            self._stores.pop(name, None)
