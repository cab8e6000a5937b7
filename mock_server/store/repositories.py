"""The repositories handlers use: one per resource, each a few query-shaped async methods written
over a backend's `Table` (see protocol.py). A `Store` is one session's set of them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import ClassVar

from mock_server.store.protocol import Backend, Index, Order, Page, Row, Table

# The action statuses that still wait for tool output (the real server's pending lookup).
PENDING_ACTION_STATUSES = frozenset({"pending", "action_required", "requires_action"})


class Repository:
    TABLE: ClassVar[str]
    INDEXES: ClassVar[tuple[Index, ...]] = ()

    def __init__(self, backend: Backend) -> None:
        self.table: Table = backend.table(self.TABLE, self.INDEXES)

    async def get(self, row_id: str) -> Row | None:
        return await self.table.get(row_id)

    async def add(self, row: Row) -> Row:
        await self.table.insert(row)
        return row

    async def update(self, row_id: str, changes: Row) -> Row | None:
        return await self.table.update(row_id, changes)

    async def remove(self, row_id: str) -> Row | None:
        return await self.table.delete(row_id)

    async def count(self) -> int:
        return await self.table.count()

    async def all(self) -> list[Row]:
        return await self._collect(None)

    async def _collect(self, index: str | None, *key: object, order: Order = "asc") -> list[Row]:
        rows: list[Row] = []
        async for chunk in self.table.scan(index, key, order=order):
            rows.extend(chunk)
        return rows


class Users(Repository):
    TABLE = "users"
    INDEXES = (Index("email", ("email",)), Index("provider", ("oauth_provider", "_provider_user_id")))

    async def with_email(self, email: str) -> Row | None:
        page = await self.table.range("email", (email,), limit=1)
        return page.rows[0] if page.rows else None

    async def linked_to(self, provider: str, reference: str) -> Row | None:
        page = await self.table.range("provider", (provider, reference), limit=1)
        return page.rows[0] if page.rows else None


class ApiKeys(Repository):
    """Keys by prefix (their first 8 characters, which is also the row id)."""

    TABLE = "api_keys"
    INDEXES = (Index("user", ("user_id",)),)

    async def of_user(self, user_id: str, *, newest_first: bool = False) -> list[Row]:
        return await self._collect("user", user_id, order="desc" if newest_first else "asc")


class Assistants(Repository):
    TABLE = "assistants"
    INDEXES = (Index("owner", ("owner_id",)), Index("shared", ("_shared_with",)))

    async def owned_by(self, user_id: str) -> list[Row]:
        return await self._collect("owner", user_id)

    async def shared_with(self, user_id: str) -> list[Row]:
        return await self._collect("shared", user_id)


class Threads(Repository):
    TABLE = "threads"
    INDEXES = (Index("owner", ("owner_id",)), Index("participant", ("_participant_ids",)))

    async def owned_by(self, user_id: str) -> list[Row]:
        return await self._collect("owner", user_id)

    async def of_participant(self, user_id: str) -> list[Row]:
        return await self._collect("participant", user_id)


class Messages(Repository):
    TABLE = "messages"
    INDEXES = (Index("thread", ("thread_id",)),)

    async def page_of_thread(self, thread_id: str, *, order: Order, limit: int) -> Page:
        return await self.table.range("thread", (thread_id,), order=order, limit=limit)

    def of_thread(self, thread_id: str) -> AsyncIterator[Sequence[Row]]:
        """A thread's messages, oldest first, in chunks (a thread may hold a million)."""
        return self.table.scan("thread", (thread_id,))

    async def count_of_thread(self, thread_id: str) -> int:
        return await self.table.count("thread", (thread_id,))

    async def remove_of_thread(self, thread_id: str) -> int:
        removed = 0
        async for chunk in self.table.scan("thread", (thread_id,)):
            for row in chunk:
                removed += await self.table.delete(row["id"]) is not None
        return removed


class Runs(Repository):
    TABLE = "runs"
    INDEXES = (
        Index("thread", ("thread_id",)),
        Index("user", ("user_id",)),
        Index("user_thread", ("user_id", "thread_id")),
    )

    async def page_of_user(self, user_id: str, *, order: Order, limit: int, thread_id: str | None = None) -> Page:
        if thread_id is None:
            return await self.table.range("user", (user_id,), order=order, limit=limit)
        return await self.table.range("user_thread", (user_id, thread_id), order=order, limit=limit)

    async def of_thread(self, thread_id: str) -> list[Row]:
        return await self._collect("thread", thread_id)

    async def of_user(self, user_id: str) -> list[Row]:
        return await self._collect("user", user_id)


class Actions(Repository):
    TABLE = "actions"
    INDEXES = (Index("run", ("run_id",)),)

    async def of_run(self, run_id: str) -> list[Row]:
        return await self._collect("run", run_id)

    async def pending_of_run(self, run_id: str) -> list[Row]:
        return [row for row in await self.of_run(run_id) if row.get("status") in PENDING_ACTION_STATUSES]


class Scratchpads(Repository):
    """A thread's research scratchpad, by thread id (as the server keys it, never checked)."""

    TABLE = "scratchpads"


class WebPages(Repository):
    """The web tools' browser cache: a page read, by its URL."""

    TABLE = "web_pages"


class VectorStores(Repository):
    """Stores by id, which is also their collection name."""

    TABLE = "vector_stores"
    INDEXES = (Index("owner", ("user_id",)), Index("collection", ("collection_name",)))

    async def owned_by(self, user_id: str) -> list[Row]:
        return await self._collect("owner", user_id)

    async def of_collection(self, name: str) -> Row | None:
        page = await self.table.range("collection", (name,), limit=1)
        return page.rows[0] if page.rows else None


class VectorStoreFiles(Repository):
    """File records by id (unique across stores, as on the real server), each holding the
    vectors stored with it."""

    TABLE = "vector_store_files"
    INDEXES = (Index("store", ("vector_store_id",)), Index("path", ("vector_store_id", "file_path")))

    async def of_store(self, store_id: str) -> list[Row]:
        return await self._collect("store", store_id)

    async def count_of_store(self, store_id: str) -> int:
        return await self.table.count("store", (store_id,))

    def chunks_of_store(self, store_id: str) -> AsyncIterator[Sequence[Row]]:
        """A store's files in the order they were added, in chunks (a search walks them all)."""
        return self.table.scan("store", (store_id,))

    async def first_at_path(self, store_id: str, file_path: str) -> Row | None:
        page = await self.table.range("path", (store_id, file_path), limit=1)
        return page.rows[0] if page.rows else None


class Files(Repository):
    """Uploaded files, with their bytes; by owner, for a user's erasure."""

    TABLE = "files"
    INDEXES = (Index("user", ("_user_id",)),)

    async def of_user(self, user_id: str) -> list[Row]:
        return await self._collect("user", user_id)


class Store:
    """One session's state: a repository per resource, over one backend."""

    REPOSITORIES: ClassVar[dict[str, type[Repository]]] = {
        "users": Users,
        "api_keys": ApiKeys,
        "assistants": Assistants,
        "threads": Threads,
        "messages": Messages,
        "runs": Runs,
        "actions": Actions,
        "scratchpads": Scratchpads,
        "web_pages": WebPages,
        "vector_stores": VectorStores,
        "vector_store_files": VectorStoreFiles,
        "files": Files,
    }

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.users = Users(backend)
        self.api_keys = ApiKeys(backend)
        self.assistants = Assistants(backend)
        self.threads = Threads(backend)
        self.messages = Messages(backend)
        self.runs = Runs(backend)
        self.actions = Actions(backend)
        self.scratchpads = Scratchpads(backend)
        self.web_pages = WebPages(backend)
        self.vector_stores = VectorStores(backend)
        self.vector_store_files = VectorStoreFiles(backend)
        self.files = Files(backend)

    def repository(self, name: str) -> Repository:
        return getattr(self, name)

    async def remove_run(self, run_id: str) -> Row | None:
        """A run and its actions, as one write: no action outlives its run."""
        run = await self.runs.get(run_id)
        if run is None:
            return None
        actions = [action["id"] for action in await self.actions.of_run(run_id)]
        await self.backend.delete_together([(self.runs.table, [run_id]), (self.actions.table, actions)])
        return run

    async def remove_thread(self, thread_id: str) -> Row | None:
        """A thread with its runs, their actions, its messages and its scratchpad, as one write.
        The thread is first in it: a backend that sweeps a large thread in steps (the memory one)
        removes the thread before anything else, so nothing can reach (or add to) what follows."""
        thread = await self.threads.get(thread_id)
        if thread is None:
            return None
        runs = [run["id"] for run in await self.runs.of_thread(thread_id)]
        actions = [action["id"] for run_id in runs for action in await self.actions.of_run(run_id)]
        messages = [row["id"] async for chunk in self.messages.of_thread(thread_id) for row in chunk]
        await self.backend.delete_together(
            [
                (self.threads.table, [thread_id]),
                (self.actions.table, actions),
                (self.runs.table, runs),
                (self.messages.table, messages),
                (self.scratchpads.table, [thread_id]),
            ]
        )
        return thread

    async def remove_vector_store(self, store_id: str) -> Row | None:
        """A store and its files (with their vectors), as one write, the store first."""
        store = await self.vector_stores.get(store_id)
        if store is None:
            return None
        files = [file["id"] for file in await self.vector_store_files.of_store(store_id)]
        await self.backend.delete_together(
            [(self.vector_stores.table, [store_id]), (self.vector_store_files.table, files)]
        )
        return store
