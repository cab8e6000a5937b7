"""The vector-store workflow, and what the cross-user workflow checks of stores.

`vector_store` walks a store's life as the SDK drives it: made with the client's id (a reused id
is a 409), read, found, listed; a file recorded, its status set; a file's vectors stored and
searched (nearest first, a filter kept); the file removed by its path (`file_count` following
each step); a soft delete (the store still reads, `deleted`, but leaves the list and its files)
and a permanent one (404). Storing vectors and searching are SDK-only routes a server may lack
(the core server of August 2026 answers `404 Not Found` to them): the workflow then checks the
rest and is skipped, saying so."""

from __future__ import annotations

import uuid
from typing import Any

from contract_tests.client import Client, Skip
from contract_tests.sdk_bodies import vector_store_body, vectors_body
from contract_tests.world import World, require

TEXTS = ["Refunds are paid within 14 days.", "Our office is open Monday to Friday."]
VECTORS = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
NO_ROUTE = "Not Found"  # FastAPI's answer to a path it has no route for


def file_body(name: str = "notes.md", **fields: Any) -> dict[str, Any]:
    return {"file_id": f"vsf_{uuid.uuid4()}", "file_name": name, "file_path": f"/docs/{name}", **fields}


def make_store(world: World, c: Client) -> dict[str, Any]:
    """A 3-dimensional cosine store of `c`'s, removed for good by the cleanup."""
    store = c.call("createVectorStore", json=vector_store_body(world.name("store")), expect=201)
    world.undo.append((f"vector store {store['id']}", lambda: remove(c, store["id"])))
    return store


def remove(c: Client, store_id: str) -> None:
    c.call("deleteVectorStore", vector_store_id=store_id, params={"permanent": True}, expect=(204, 404))
    c.call("getVectorStore", vector_store_id=store_id, expect=404)


def _count(c: Client, store_id: str) -> int:
    return c.call("getVectorStore", vector_store_id=store_id)["file_count"]


def vector_store(world: World) -> None:
    c = world.caller
    body = vector_store_body(world.name("store"))
    store = c.call("createVectorStore", json=body, expect=201)
    world.undo.append((f"vector store {store['id']}", lambda: remove(c, store["id"])))
    sid = store["id"]
    require(sid == body["shared_id"] == store["collection_name"], f"the store's id is not the client's: {store}")
    require((store["status"], store["file_count"]) == ("active", 0), f"a new store is not active and empty: {store}")
    c.call("createVectorStore", json=body, expect=409)  # the id is taken
    require(c.call("getVectorStore", vector_store_id=sid) == store, "getVectorStore differs from what was created")
    found = c.call("getVectorStoreByCollection", params={"name": store["collection_name"]})
    require(found["id"] == sid, f"the collection lookup found {found['id']}")
    require(sid in [s["id"] for s in c.call("listVectorStores")], "listVectorStores does not list the new store")

    record = c.call("addVectorStoreFile", vector_store_id=sid, json=file_body(status="queued"), expect=201)
    require(record["status"] == "queued" and record["processed_at"] is None, f"the queued file reads {record}")
    files = c.call("listVectorStoreFiles", vector_store_id=sid)
    require([f["id"] for f in files] == [record["id"]] and _count(c, sid) == 1, f"the store's files: {files}")
    done = c.call(
        "updateVectorStoreFileStatus", vector_store_id=sid, file_id=record["id"], json={"status": "completed"}
    )
    require(done["status"] == "completed" and done["processed_at"] is not None, f"the completed file reads {done}")

    searched = _vectors_and_search(c, sid)
    c.call("deleteVectorStoreFile", vector_store_id=sid, params={"file_path": record["file_path"]}, expect=204)
    require(_count(c, sid) == (1 if searched else 0), "file_count did not go down with the removed file")

    c.call("deleteVectorStore", vector_store_id=sid, expect=204)
    read = c.call("getVectorStore", vector_store_id=sid)
    require(read["status"] == "deleted", f"a soft-deleted store reads status {read['status']!r}")
    require(sid not in [s["id"] for s in c.call("listVectorStores")], "a soft-deleted store is still listed")
    require(c.call("listVectorStoreFiles", vector_store_id=sid) == [], "a soft-deleted store still lists files")
    c.call("deleteVectorStore", vector_store_id=sid, params={"permanent": True}, expect=204)
    c.call("getVectorStore", vector_store_id=sid, expect=404, check="deleted_then_not_found")
    if not searched:
        raise Skip("no SDK-only vector routes (storing vectors, search): the rest of the store's life passed")


def _vectors_and_search(c: Client, sid: str) -> bool:
    """Store two chunks and search them; False when the server has no such routes."""
    body = vectors_body(TEXTS, VECTORS)
    stored = c.call("addVectorStoreVectors", vector_store_id=sid, json=body, expect=(201, 404))
    if "file" not in stored:
        require(stored.get("detail") == NO_ROUTE, f"storing vectors in a live store answered 404: {stored}")
        return False
    require(stored["file"]["id"] == body["file"]["file_id"], f"the vectors' file record is {stored['file']}")
    require(_count(c, sid) == 2, "file_count does not count the file the vectors came with")
    c.call("addVectorStoreVectors", vector_store_id=sid, json=body, expect=409)  # its file id is taken
    hits = c.call("searchVectorStore", vector_store_id=sid, json={"query_vector": [0.9, 0.1, 0.0], "top_k": 2})
    require([h["text"] for h in hits] == TEXTS, f"the search is not nearest first: {hits}")
    require(hits[0]["score"] > hits[1]["score"], f"cosine scores are not highest first: {hits}")
    only = {"must": [{"key": "chunk_index", "match": {"value": 1}}]}
    filtered = c.call("searchVectorStore", vector_store_id=sid, json={"query_vector": [0.9, 0.1, 0.0], "filters": only})
    require([h["text"] for h in filtered] == TEXTS[1:], f"the filter kept {filtered}")
    return True


def stores_kept_from(world: World, c: Client, b: Client, c_id: str, check: str) -> None:
    """`b` gets the real server's 404 for each of `c`'s stores' operations (not 403: the store's
    existence stays hidden), and 403 for the admin's."""
    store = make_store(world, c)
    sid = store["id"]
    record = c.call("addVectorStoreFile", vector_store_id=sid, json=file_body(), expect=201)
    for operation_id, extra in (
        ("getVectorStore", {}),
        ("listVectorStoreFiles", {}),
        ("addVectorStoreFile", {"json": file_body("theirs.md")}),
        ("updateVectorStoreFileStatus", {"file_id": record["id"], "json": {"status": "failed"}}),
        ("deleteVectorStoreFile", {"params": {"file_path": record["file_path"]}}),
        ("addVectorStoreVectors", {"json": vectors_body(TEXTS, VECTORS)}),
        ("searchVectorStore", {"json": {"query_vector": VECTORS[0]}}),
        ("deleteVectorStore", {"params": {"permanent": True}}),
    ):
        b.call(operation_id, vector_store_id=sid, expect=404, check=check, **extra)
    b.call("getVectorStoreByCollection", params={"name": store["collection_name"]}, expect=404, check=check)
    require(sid not in [s["id"] for s in b.call("listVectorStores")], "another user lists the store", check)
    b.call("listVectorStoresByUser", params={"owner_id": c_id}, expect=403, check=check)  # admin only
    theirs = vector_store_body(world.name("store"))
    b.call("createVectorStore", params={"owner_id": c_id}, json=theirs, expect=403, check=check)
    after = c.call("getVectorStore", vector_store_id=sid)
    require((after["status"], after["file_count"]) == ("active", 1), f"another user changed the store: {after}", check)
    require(c.call("listVectorStoreFiles", vector_store_id=sid) == [record], "another user changed a file", check)
