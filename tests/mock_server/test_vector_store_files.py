"""A vector store's file records: added (201, `completed` by default), listed, their status set,
removed by path (204), with `file_count` exact throughout; and the real server's 500s answered as
the intended 404 and 409."""

from __future__ import annotations

import pytest

from tests.mock_server.vector_helpers import add_file, file_body, make_store

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores


def _store(client, caller, store_id):
    return client.get(f"/v1/vector-stores/{store_id}", headers=caller.headers).json()


def test_a_file_is_recorded_completed_by_default_and_counted(client, alice):
    store = make_store(client, alice)
    body = file_body(meta_data={"team": "support"})
    response = client.post(f"/v1/vector-stores/{store['id']}/files", json=body, headers=alice.headers)
    assert response.status_code == 201
    record = response.json()
    assert record["id"] == body["file_id"] and record["vector_store_id"] == store["id"]
    assert record["status"] == "completed" and record["processed_at"] is not None
    assert record["meta_data"] == {"team": "support"} and record["error_message"] is None
    assert record["object"] == "vector_store.file"
    after = _store(client, alice, store["id"])
    assert after["file_count"] == 1 and after["updated_at"] is not None
    assert client.get(f"/v1/vector-stores/{store['id']}/files", headers=alice.headers).json() == [record]


def test_a_queued_file_is_processed_when_its_status_says_so(client, alice):
    store = make_store(client, alice)
    record = add_file(client, alice, store["id"], status="queued")
    assert record["processed_at"] is None and record["meta_data"] == {}
    url = f"/v1/vector-stores/{store['id']}/files/{record['id']}"
    processing = client.patch(url, json={"status": "processing"}, headers=alice.headers).json()
    assert processing["status"] == "processing" and processing["processed_at"] is None
    failed = client.patch(url, json={"status": "failed", "error_message": "No text layer."}, headers=alice.headers)
    assert failed.status_code == 200
    assert failed.json()["error_message"] == "No text layer." and failed.json()["processed_at"] is not None
    done = client.patch(url, json={"status": "completed"}, headers=alice.headers).json()
    assert done["status"] == "completed" and done["error_message"] is None, "error_message is replaced"
    assert client.get(f"/v1/vector-stores/{store['id']}/files", headers=alice.headers).json() == [done]


def test_a_file_id_in_use_in_any_store_is_a_409(client, alice):
    first, second = make_store(client, alice), make_store(client, alice)
    record = add_file(client, alice, first["id"])
    again = {"file_id": record["id"], "file_name": "other.md", "file_path": "/other.md"}
    response = client.post(f"/v1/vector-stores/{second['id']}/files", json=again, headers=alice.headers)
    assert (response.status_code, response.json()) == (409, {"detail": f"File ID '{record['id']}' exists."})
    assert _store(client, alice, second["id"])["file_count"] == 0


def test_a_file_is_removed_by_its_path_and_uncounted(client, alice):
    store = make_store(client, alice)
    kept = add_file(client, alice, store["id"], name="kept.md")
    add_file(client, alice, store["id"], name="gone.md")
    url = f"/v1/vector-stores/{store['id']}/files"
    removed = client.delete(url, params={"file_path": "/docs/gone.md"}, headers=alice.headers)
    assert (removed.status_code, removed.content) == (204, b"")
    assert client.get(url, headers=alice.headers).json() == [kept]
    assert _store(client, alice, store["id"])["file_count"] == 1
    missing = client.delete(url, params={"file_path": "/docs/gone.md"}, headers=alice.headers)
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": f"File path '/docs/gone.md' not found in store '{store['id']}'."},
    )
    assert client.delete(url, headers=alice.headers).status_code == 422, "file_path is required"


def test_files_sharing_a_path_are_removed_one_at_a_time_oldest_first(client, alice):
    store = make_store(client, alice)
    older = add_file(client, alice, store["id"], name="same.md")
    newer = add_file(client, alice, store["id"], name="same.md")
    url = f"/v1/vector-stores/{store['id']}/files"
    client.delete(url, params={"file_path": "/docs/same.md"}, headers=alice.headers)
    assert [f["id"] for f in client.get(url, headers=alice.headers).json()] == [newer["id"]]
    assert older["id"] != newer["id"]


def test_a_file_marked_deleted_leaves_the_list_but_still_counts_as_on_the_real_server(client, alice):
    store = make_store(client, alice)
    record = add_file(client, alice, store["id"])
    client.patch(
        f"/v1/vector-stores/{store['id']}/files/{record['id']}", json={"status": "deleted"}, headers=alice.headers
    )
    assert client.get(f"/v1/vector-stores/{store['id']}/files", headers=alice.headers).json() == []
    assert _store(client, alice, store["id"])["file_count"] == 1


def test_a_file_is_updated_only_through_its_own_store(client, alice):
    mine, other = make_store(client, alice), make_store(client, alice)
    record = add_file(client, alice, other["id"], status="queued")
    response = client.patch(
        f"/v1/vector-stores/{mine['id']}/files/{record['id']}", json={"status": "failed"}, headers=alice.headers
    )
    assert (response.status_code, response.json()) == (404, {"detail": f"File ID '{record['id']}' not found."})
    assert client.get(f"/v1/vector-stores/{other['id']}/files", headers=alice.headers).json() == [record]
    unknown = client.patch(
        f"/v1/vector-stores/{mine['id']}/files/vsf_none", json={"status": "failed"}, headers=alice.headers
    )
    assert unknown.status_code == 404


def test_file_count_stays_the_number_of_records_through_adds_and_removes(client, alice):
    store = make_store(client, alice)
    for n in range(5):
        add_file(client, alice, store["id"], name=f"doc{n}.md")
    for n in (1, 3):
        client.delete(
            f"/v1/vector-stores/{store['id']}/files", params={"file_path": f"/docs/doc{n}.md"}, headers=alice.headers
        )
    listed = client.get(f"/v1/vector-stores/{store['id']}/files", headers=alice.headers).json()
    assert [f["file_name"] for f in listed] == ["doc0.md", "doc2.md", "doc4.md"]
    assert _store(client, alice, store["id"])["file_count"] == 3


def test_a_file_record_keeps_the_columns_lengths(client, alice):
    store = make_store(client, alice)
    url = f"/v1/vector-stores/{store['id']}/files"
    too_long = ({"file_id": "f" * 65}, {"file_name": "n" * 257}, {"file_path": "p" * 1025})
    for bad in (*too_long, {"file_id": "a/b"}, {"file_id": "."}, {"status": "lost"}):
        assert client.post(url, json={**file_body(), **bad}, headers=alice.headers).status_code == 422, bad
    assert client.post(url, json={**file_body(), "status": None}, headers=alice.headers).json()["status"] == "completed"
