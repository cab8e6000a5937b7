"""What a storage backend provides, and what handlers may ask of state.

Two layers. A backend implements `Table`: rows by id plus ordered secondary indexes, every call
async (a shared backend answers over the network). The repositories (`repositories.py`) are
written once over `Table` and are all handlers see: query-shaped methods such as "a page of a
thread's messages in this order" or "the pending actions of a run". A backend therefore
implements six small methods, never a query of its own, and no Python predicate crosses into it.

Rules every backend keeps:
- rows are JSON-like dicts; keys starting with `_` are private state, never sent;
- `get`/`range`/`scan` return copies: a caller never holds a stored row, and a stored row changes
  only through `update`, which replaces values (nested ones included) and never mutates them;
- an index lists a key's rows in insertion order (a per-table sequence), whatever `update` does
  later: updates never reorder;
- `range` costs O(offset + limit), never O(rows), and its `has_more` is exact;
- `Backend.delete_together` removes rows of several tables as one write (a cascade): a reader sees
  all of them or none gone; a backend that cannot reach its storage raises `StoreUnavailable`
  (answered 503), and never applies half of a write;
- `Backend.watch` gives a way to learn that a row changed without reading it (a shared backend's
  notifications), or None: then a watcher reads the row when it needs to know (the memory backend,
  whose reads cost less than any notification).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Row = dict[str, Any]
Order = Literal["asc", "desc"]
# An index key: the indexed fields' values, in the order the index names them.
Key = tuple[Any, ...]


class DuplicateId(KeyError):
    """A row with this id exists already."""


class StoreUnavailable(Exception):
    """The backend's storage cannot be reached (a shared store's server is down or too slow).
    The message names the store; the error renderer answers it 503, as the contract documents."""


@dataclass(frozen=True)
class Index:
    """A secondary index: rows by the values of `fields`, each key's rows in insertion order.
    A list-valued field indexes each of its items (a thread under each participant)."""

    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    has_more: bool


class Table(Protocol):
    """One resource's rows. Implemented by each backend (see memory.py)."""

    async def get(self, row_id: str) -> Row | None: ...
    async def insert(self, row: Row) -> None: ...
    async def update(self, row_id: str, changes: Row) -> Row | None: ...
    async def delete(self, row_id: str) -> Row | None: ...
    async def range(self, index: str, key: Key, *, order: Order = "asc", limit: int, offset: int = 0) -> Page: ...
    def scan(self, index: str | None, key: Key = (), *, order: Order = "asc") -> AsyncIterator[Sequence[Row]]:
        """Every row of an index key (or of the table), in chunks; it yields control between
        chunks, so a walk over a million rows never stalls other requests."""
        ...

    async def count(self, index: str | None = None, key: Key = ()) -> int: ...


class RowWatch(Protocol):
    """Notifications for one row: `changed()` is true when the row may have changed since the last
    call (true at first, and whenever the notifications were interrupted); `wait` returns when
    it may have, or after `timeout` seconds."""

    def changed(self) -> bool: ...
    async def wait(self, timeout: float) -> None: ...
    def close(self) -> None: ...


class Backend(Protocol):
    """Makes the tables of one session's store."""

    def table(self, name: str, indexes: Sequence[Index]) -> Table: ...
    async def delete_together(self, doomed: Sequence[tuple[Table, Sequence[str]]]) -> None:
        """Delete these rows of these tables (each made by this backend) as one write; ids that
        are not there are skipped."""
        ...

    def watch(self, table: str, row_id: str) -> RowWatch | None: ...
