"""The mock's state: repositories (what handlers use) over a backend's tables (memory today).
Each session has a `Store` of its own; see protocol.py for what every backend keeps."""

from mock_server.store.memory import MemoryBackend, MemoryTable
from mock_server.store.protocol import Backend, DuplicateId, Index, Page, Row, Table
from mock_server.store.repositories import PENDING_ACTION_STATUSES, Store

__all__ = [
    "PENDING_ACTION_STATUSES",
    "Backend",
    "DuplicateId",
    "Index",
    "MemoryBackend",
    "MemoryTable",
    "Page",
    "Row",
    "Store",
    "Table",
]
