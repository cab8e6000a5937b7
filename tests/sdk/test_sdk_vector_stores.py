"""The SDK's vector-store client against the mock over HTTP: stores made, listed, read and deleted
as `Entity().vectors` does it, and file records listed, updated and removed. The SDK embeds text
with a downloaded model, which this machine cannot fetch: for its ingestion and search calls the
tests hand it an embedder that returns vectors they make, so what goes over the wire is still
exactly what the SDK sends."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

VECTORS = {
    "Refunds are paid within 14 days.": [1.0, 0.0, 0.0],
    "Our office is open Monday to Friday.": [0.0, 1.0, 0.0],
}


class MadeUpEmbedder:
    """Stands in for the SDK's FileProcessor: the file's lines are its chunks, each embedded by
    the table above (the query by its first word's line)."""

    async def process_file(self, path: Any) -> dict[str, Any]:
        chunks = path.read_text().splitlines()
        return {"chunks": chunks, "vectors": [np.array(VECTORS[c]) for c in chunks]}

    def encode_text(self, text: str) -> np.ndarray:
        return np.array(next(v for chunk, v in VECTORS.items() if chunk.split()[0] in text))


def status_of(call) -> str:
    from projectdavid.clients.vectors import VectorStoreClientError

    with pytest.raises(VectorStoreClientError) as error:
        call()
    return str(error.value)


def test_a_store_is_created_listed_read_soft_deleted_and_then_removed(user_sdk):
    import httpx

    _, sdk = user_sdk
    store = sdk.vectors.create_vector_store("Handbook")
    assert store.id.startswith("vect_") and store.collection_name == store.id
    assert (store.vector_size, store.distance_metric, store.file_count) == (384, "COSINE", 0)
    assert [s.id for s in sdk.vectors.list_my_vector_stores()] == [store.id]
    assert sdk.vectors.retrieve_vector_store_sync(store.id).name == "Handbook"
    deleted = sdk.vectors.delete_vector_store(store.id)
    assert deleted == {"vector_store_id": store.id, "status": "deleted", "permanent": False, "qdrant_result": None}
    assert sdk.vectors.list_my_vector_stores() == []
    assert sdk.vectors.retrieve_vector_store_sync(store.id).status.value == "deleted"
    sdk.vectors.delete_vector_store(store.id, permanent=True)
    with pytest.raises(httpx.HTTPStatusError) as error:
        sdk.vectors.retrieve_vector_store_sync(store.id)
    assert error.value.response.status_code == 404


def test_an_admin_makes_a_store_for_a_user_and_lists_theirs_but_a_user_may_not(admin_sdk, user_sdk):
    user, sdk = user_sdk
    made = admin_sdk.vectors.create_vector_store_for_user(user.id, "Shared docs", vector_size=3, distance_metric="dot")
    assert made.user_id == user.id and made.distance_metric == "DOT"
    assert [s.id for s in sdk.vectors.list_my_vector_stores()] == [made.id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert [s.id for s in admin_sdk.vectors.get_stores_by_user(user.id)] == [made.id]
        assert "403" in status_of(lambda: sdk.vectors.get_stores_by_user(user.id))
    assert "403" in status_of(lambda: sdk.vectors.create_vector_store_for_user("user_someoneelse", "Theirs"))
    assert sdk.vectors.get_or_create_file_search_store() != made.id, "a store named file_search is made"


def test_another_users_store_is_not_found_through_the_sdk(user_sdk, new_user):
    _, sdk = user_sdk
    _, other = new_user("Other")
    store = sdk.vectors.create_vector_store("Private")
    assert "404" in status_of(lambda: other.vectors.list_store_files(store.id))
    assert "404" in status_of(lambda: other.vectors.delete_vector_store(store.id))


def test_a_file_is_stored_searched_listed_updated_and_removed(user_sdk, tmp_path, monkeypatch):
    _, sdk = user_sdk
    monkeypatch.setattr(sdk.vectors, "file_processor", MadeUpEmbedder())
    store = sdk.vectors.create_vector_store("Handbook", vector_size=3)
    doc = tmp_path / "handbook.md"
    doc.write_text("\n".join(VECTORS))
    record = sdk.vectors.add_file_to_vector_store(store.id, doc, user_metadata={"team": "support"})
    assert record.id.startswith("vsf_") and record.file_name == "handbook.md" and record.status.value == "completed"
    hits = sdk.vectors.vector_file_search_raw(store.id, "Our hours?", top_k=1)
    assert [hit["text"] for hit in hits] == ["Our office is open Monday to Friday."]
    assert hits[0]["meta_data"]["file_name"] == "handbook.md" and hits[0]["meta_data"]["team"] == "support"
    assert hits[0]["meta_data"]["chunk_index"] == 1 and hits[0]["store_id"] == store.id
    assert [f.id for f in sdk.vectors.list_store_files(store.id)] == [record.id]
    failed = sdk.vectors.update_vector_store_file_status(store.id, record.id, "failed", error_message="Re-embed")
    assert failed.status.value == "failed" and failed.error_message == "Re-embed"
    removed = sdk.vectors.delete_file_from_vector_store(store.id, str(doc))
    assert removed["status"] == "deleted"
    assert sdk.vectors.list_store_files(store.id) == []
    assert sdk.vectors.vector_file_search_raw(store.id, "Refunds?") == []
    assert sdk.vectors.retrieve_vector_store_sync(store.id).file_count == 0
