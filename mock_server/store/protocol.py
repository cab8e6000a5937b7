"""What handlers may ask of state. A backend (memory today, a shared one later) implements these."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Row = dict[str, Any]
Order = Literal["asc", "desc"]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    has_more: bool


class Table(Protocol):
    """Rows by id, in insertion order, with secondary indexes kept in insertion order too.

    Rows are inserted in `created_at` order, so insertion order is creation order: a page walks
    an index from one end and costs O(limit), however many rows the table holds.
    """

    def get(self, row_id: str) -> Row | None: ...
    def insert(self, row: Row) -> Row: ...
    def update(self, row_id: str, changes: Row) -> Row: ...
    def delete(self, row_id: str) -> Row | None: ...
    def where(self, field: str, value: Any, order: Order = "asc") -> Iterator[Row]: ...
    def page(
        self,
        field: str | None,
        value: Any,
        *,
        limit: int,
        order: Order = "asc",
        keep: Callable[[Row], bool] | None = None,
    ) -> Page: ...
    def __len__(self) -> int: ...


class Store(Protocol):
    """One namespace of state: a table per resource."""

    users: Table
    api_keys: Table
    assistants: Table
    threads: Table
    messages: Table
    runs: Table
    actions: Table
