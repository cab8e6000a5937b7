"""The mock's state: a Store protocol (tables of JSON-like rows with ordered indexes) and its
in-memory implementation. State is namespaced: each `X-Mock-Session` value gets its own Store."""

from mock_server.store.memory import MemoryStore, MemoryTable, Namespaces
from mock_server.store.protocol import Page, Store, Table

__all__ = ["MemoryStore", "MemoryTable", "Namespaces", "Page", "Store", "Table"]
