"""A session's whole state as a JSON document, and loading one (`/__mock__/state`).

A document is loaded into an empty store of its own and swapped in only once every row is in,
so a refused document leaves the session as it was. Each row is checked first: its id, and its
public fields against the contract's schema of its resource (what the API would answer for it),
so a loaded row can be read back; a row the mock could not serve is refused, naming it.
"""

from __future__ import annotations

from typing import Any

from mock_server.checking import problems_of
from mock_server.control.faults import MockRefusal
from mock_server.session import Session, Sessions
from mock_server.store import DuplicateId, Store

FORMAT = "entities-mock-state/1"
# The contract's schema each table's rows are answered in (api_keys: without their `id`, which
# is their prefix, as key_details answers them).
READ_SCHEMAS = {
    "users": "UserRead",
    "api_keys": "ApiKeyDetails",
    "assistants": "AssistantRead",
    "threads": "ThreadRead",
    "messages": "MessageRead",
    "runs": "Run",
    "actions": "ActionRead",
    "files": "FileResponse",
    "vector_stores": "VectorStoreRead",
    "vector_store_files": "VectorStoreFileRead",
    # The scratchpads and the web tools' page cache are the mock's own rows: no contract schema.
}


async def export_state(session: Session) -> dict[str, Any]:
    tables = {name: await session.store.repository(name).all() for name in Store.REPOSITORIES}
    return {"format": FORMAT, "clock_offset": session.clock.offset, "tables": tables}


def public(table: str, row: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in row.items() if not k.startswith("_")}
    if table == "api_keys":
        shown.pop("id", None)
    return shown


async def load_state(
    session: Session, sessions: Sessions, document: dict[str, Any], schemas: dict[str, Any]
) -> dict[str, int]:
    """Load `document` (valid against the control plane's `State`) into the session; MockRefusal
    naming the first row that cannot be loaded."""
    store = sessions.empty_store(session.name)
    counts: dict[str, int] = {}
    for table, rows in (document.get("tables") or {}).items():
        if table not in Store.REPOSITORIES:
            raise MockRefusal(f"tables.{table}: not a table of the mock ({', '.join(Store.REPOSITORIES)})")
        repository = store.repository(table)
        schema = schemas[READ_SCHEMAS[table]] if table in READ_SCHEMAS else {}
        for index, row in enumerate(rows):
            problems = problems_of(schema, public(table, row))
            if problems:
                raise MockRefusal(f"tables.{table}[{index}] ({row['id']}): {'; '.join(problems[:3])}")
            try:
                await repository.add(row)
            except DuplicateId:
                raise MockRefusal(f"tables.{table}[{index}]: the id {row['id']} is there twice") from None
        counts[table] = len(rows)
    await sessions.adopt(session, store)
    offset = document.get("clock_offset", 0) - session.clock.offset
    session.clock.advance(offset)
    return {name: counts.get(name, 0) for name in Store.REPOSITORIES}
