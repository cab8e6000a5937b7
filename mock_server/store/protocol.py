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
- `range` costs O(offset + limit), never O(rows), and its `has_more` is exact.
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


class Backend(Protocol):
    """Makes the tables of one session's store."""

    def table(self, name: str, indexes: Sequence[Index]) -> Table: ...
