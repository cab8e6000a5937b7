"""Vector stores: create (the client's id), list, find by collection, read, soft and permanent
delete; their file records (add, list, remove by path, set a status); and the SDK-only routes
that store a file's vectors and search them (similarity.py). Another user's store is a 404, as
on the real server, so a store's existence stays hidden; `file_count` is the count of the
store's file records, recounted on every change, so it is exact."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.errors import ApiError, forbidden, not_found
from mock_server.handlers._common import bad_request
from mock_server.records import Row, new_vector_store, new_vector_store_file, public
from mock_server.registry import Operations
from mock_server.reply import Reply, created, no_content, ok
from mock_server.similarity import UnsupportedCondition, check_filter, nearest
from mock_server.store import DuplicateId

operations = Operations()

STORE_NOT_FOUND = "Vector store not found."


async def store_for(ctx: Context, store_id: str) -> Row:
    """A store the caller owns, or any store for an admin; 404 otherwise."""
    store = await ctx.store.vector_stores.get(store_id)
    if store is None or (store["user_id"] != ctx.caller.user_id and not ctx.caller.is_admin):
        raise ApiError(404, STORE_NOT_FOUND)
    return store


def _live(store: Row) -> None:
    """A soft-deleted store takes nothing new (intended: 404; the real server answers 500)."""
    if store["status"] == "deleted":
        raise ApiError(404, f"Vector store '{store['id']}' not found or is deleted.")


async def _changed(ctx: Context, store_id: str) -> None:
    """Stamp the store and recount its files."""
    count = await ctx.store.vector_store_files.count_of_store(store_id)
    await ctx.store.vector_stores.update(store_id, {"file_count": count, "updated_at": ctx.clock.now()})


async def _add_file(ctx: Context, store: Row, fields: Row, points: Row | None = None) -> Row:
    row = new_vector_store_file(ctx.clock, store["id"], fields, points)
    try:
        await ctx.store.vector_store_files.add(row)
    except DuplicateId:
        raise ApiError(409, f"File ID '{fields['file_id']}' exists.") from None
    await _changed(ctx, store["id"])
    return row


def _listed(rows: list[Row]) -> list[Row]:
    return [public(row) for row in rows if row["status"] != "deleted"]


@operations("createVectorStore")
async def create_vector_store(ctx: Context, body: dict[str, Any], owner_id: str | None = None) -> Reply:
    owner = ctx.caller.user_id if owner_id is None else owner_id
    if owner != ctx.caller.user_id:
        if not ctx.caller.is_admin:
            raise forbidden("Only admins may specify owner_id.")
        if await ctx.store.users.get(owner) is None:
            raise not_found("User")
    row = new_vector_store(ctx.clock, owner, body)
    try:
        await ctx.store.vector_stores.add(row)
    except DuplicateId:
        raise ApiError(409, f"Store ID '{body['shared_id']}' exists.") from None
    return created(public(row))


@operations("listVectorStores")
async def list_vector_stores(ctx: Context) -> Reply:
    return ok(_listed(await ctx.store.vector_stores.owned_by(ctx.caller.user_id)))


@operations("listVectorStoresByUser")
async def list_vector_stores_by_user(ctx: Context, owner_id: str) -> Reply:
    if not ctx.caller.is_admin:
        raise forbidden("Admin privilege required.")
    return ok(_listed(await ctx.store.vector_stores.owned_by(owner_id)))


@operations("getVectorStoreByCollection")
async def get_vector_store_by_collection(ctx: Context, name: str) -> Reply:
    store = await ctx.store.vector_stores.of_collection(name)
    if store is None or (store["user_id"] != ctx.caller.user_id and not ctx.caller.is_admin):
        raise ApiError(404, "Collection not found.")
    return ok(public(store))


@operations("getVectorStore")
async def get_vector_store(ctx: Context, vector_store_id: str) -> Reply:
    return ok(public(await store_for(ctx, vector_store_id)))


@operations("deleteVectorStore")
async def delete_vector_store(ctx: Context, vector_store_id: str, permanent: bool) -> Reply:
    store = await store_for(ctx, vector_store_id)
    if permanent:
        await ctx.store.remove_vector_store(vector_store_id)
    elif store["status"] != "deleted":  # a second soft delete changes nothing
        await ctx.store.vector_stores.update(vector_store_id, {"status": "deleted", "updated_at": ctx.clock.now()})
    return no_content()


@operations("addVectorStoreFile")
async def add_vector_store_file(ctx: Context, vector_store_id: str, body: dict[str, Any]) -> Reply:
    store = await store_for(ctx, vector_store_id)
    _live(store)
    return created(public(await _add_file(ctx, store, body)))


@operations("listVectorStoreFiles")
async def list_vector_store_files(ctx: Context, vector_store_id: str) -> Reply:
    store = await store_for(ctx, vector_store_id)
    if store["status"] == "deleted":
        return ok([])
    return ok(_listed(await ctx.store.vector_store_files.of_store(vector_store_id)))


@operations("deleteVectorStoreFile")
async def delete_vector_store_file(ctx: Context, vector_store_id: str, file_path: str) -> Reply:
    await store_for(ctx, vector_store_id)
    file = await ctx.store.vector_store_files.first_at_path(vector_store_id, file_path)
    if file is None:
        raise ApiError(404, f"File path '{file_path}' not found in store '{vector_store_id}'.")
    await ctx.store.vector_store_files.remove(file["id"])
    await _changed(ctx, vector_store_id)
    return no_content()


@operations("updateVectorStoreFileStatus")
async def update_vector_store_file_status(
    ctx: Context, vector_store_id: str, file_id: str, body: dict[str, Any]
) -> Reply:
    await store_for(ctx, vector_store_id)
    file = await ctx.store.vector_store_files.get(file_id)
    if file is None or file["vector_store_id"] != vector_store_id:  # intended: only this store's files
        raise ApiError(404, f"File ID '{file_id}' not found.")
    changes: Row = {"status": body["status"], "error_message": body.get("error_message")}
    if body["status"] in ("completed", "failed"):
        changes["processed_at"] = ctx.clock.now()
    updated = await ctx.store.vector_store_files.update(file_id, changes)
    await _changed(ctx, vector_store_id)
    return ok(public(updated))  # type: ignore[arg-type]


@operations("addVectorStoreVectors")
async def add_vector_store_vectors(ctx: Context, vector_store_id: str, body: dict[str, Any]) -> Reply:
    store = await store_for(ctx, vector_store_id)
    _live(store)
    texts, vectors, metadata = body["texts"], body["vectors"], body["metadata"]
    if not len(texts) == len(vectors) == len(metadata):
        lengths = f"texts({len(texts)}), vectors({len(vectors)}), metadata({len(metadata)})"
        raise bad_request(f"Lengths must match: {lengths}")
    for index, vector in enumerate(vectors):
        _check_dimension(store, vector, f"vectors[{index}]")
    held = 0
    async for chunk in ctx.store.vector_store_files.chunks_of_store(vector_store_id):
        held += sum(len(file.get("_vectors") or []) for file in chunk)
    limit = ctx.engine.max_store_vectors
    if held + len(vectors) > limit:
        detail = f"The vector store would hold {held + len(vectors)} vectors, more than the limit of {limit}"
        raise ApiError(413, detail)
    points = {"texts": texts, "vectors": vectors, "metadata": metadata}
    row = await _add_file(ctx, store, body["file"], points)
    return created({"file": public(row), "points_inserted": len(texts)})


@operations("searchVectorStore")
async def search_vector_store(ctx: Context, vector_store_id: str, body: dict[str, Any]) -> Reply:
    store = await store_for(ctx, vector_store_id)
    filters = body.get("filters")
    try:
        check_filter(filters)
    except UnsupportedCondition as error:
        raise bad_request(str(error)) from None
    query = body["query_vector"]
    _check_dimension(store, query, "query_vector")
    if store["status"] == "deleted":  # a soft-deleted store is invisible to reads
        return ok([])
    files = ctx.store.vector_store_files.chunks_of_store(vector_store_id)
    hits = await nearest(files, store, query, top_k=body.get("top_k", 5), filters=filters, now=ctx.clock.now())
    return ok(hits)


def _check_dimension(store: Row, vector: list[float], where: str) -> None:
    if len(vector) != store["vector_size"]:
        raise bad_request(f"Vector dimension error: expected dim: {store['vector_size']}, got {len(vector)} ({where})")
