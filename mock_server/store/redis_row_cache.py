"""A replica's copy of the rows nearly every request reads first and few requests write: the API
key and user authentication looks up, the thread or assistant a request is about. Without it a
request would spend two or three of its round trips to Redis re-reading what it read a moment ago.

Kept honest by a counter per table in the session's meta hash (`cached:<table>`) that every write
to that table moves in the same script as the write, and that the session's refresh (SYNC, made
for each request, or once for concurrent ones) reads: a counter that moved empties that table's
copy. A request therefore never trusts a row older than the refresh that began after it arrived,
exactly what reading Redis itself would give it, and this replica's own writes empty the copy at
once. Runs are not kept: a stream reads its run for seconds after its refresh (a cancel sent to
another replica must reach it), and runs are written on every step of their lifecycle anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

# The tables kept, in the order SYNC reads their counters.
CACHED_TABLES = ("api_keys", "users", "assistants", "threads")
# Rows kept per table at most: beyond it the copy starts again (a session with thousands of
# users reads the rest from Redis until the next refresh).
MAX_ROWS = 10_000


def counter(table: str) -> str:
    """The meta hash's field a write to `table` moves."""
    return f"cached:{table}"


COUNTERS = tuple(counter(table) for table in CACHED_TABLES)


class TableCopy:
    def __init__(self) -> None:
        self.rows: dict[str, bytes] = {}
        self.version: object = None  # the counter the rows were read under; None: unknown

    def observe(self, version: object) -> None:
        """The counter as the session's refresh read it."""
        if version != self.version:
            self.rows.clear()
            self.version = version

    def forget(self) -> None:
        """This replica is writing the table: nothing kept is trusted any more."""
        self.rows.clear()
        self.version = None

    def get(self, row_id: str) -> bytes | None:
        return self.rows.get(row_id)

    def keep(self, row_id: str, raw: bytes, read_under: object) -> None:
        """Keep a row read from Redis while the counter was `read_under` (`version` before the read):
        a refresh or a write that came in between may have seen a newer row than this one."""
        if read_under is None or read_under != self.version:
            return
        if len(self.rows) >= MAX_ROWS:
            self.rows.clear()
        self.rows[row_id] = raw


class RowCache:
    """The copies of one session generation's cached tables."""

    def __init__(self) -> None:
        self.tables = {table: TableCopy() for table in CACHED_TABLES}

    def observe(self, versions: Sequence[object]) -> None:
        for table, version in zip(CACHED_TABLES, versions, strict=True):
            self.tables[table].observe(version)
