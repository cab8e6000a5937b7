"""Storing vectors and searching them (the SDK-only routes), with vectors the tests make: scores
as Qdrant gives them for each metric, best first and deterministic, filters over the payload,
the file record that comes with the vectors, and what a store refuses."""

from __future__ import annotations

import math

import pytest

from mock_server import Settings, create_app
from tests.mock_server.conftest import ADMIN_KEY
from tests.mock_server.vector_helpers import ingest, make_store, search, vectors_body

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores

POINTS = [
    ("Refunds are paid within 14 days.", [1.0, 0.0, 0.0]),
    ("Our office is open Monday to Friday.", [0.0, 1.0, 0.0]),
    ("Returns need the original receipt.", [1.0, 1.0, 0.0]),
]


def test_a_cosine_store_answers_the_nearest_texts_first_with_their_similarity(client, alice):
    store = make_store(client, alice)
    ingest(client, alice, store["id"], POINTS)
    hits = search(client, alice, store["id"], [1.0, 0.2, 0.0], top_k=3)
    assert [hit["text"] for hit in hits] == [POINTS[0][0], POINTS[2][0], POINTS[1][0]]
    expected = [1 / math.hypot(1, 0.2), 1.2 / (math.hypot(1, 0.2) * math.sqrt(2)), 0.2 / math.hypot(1, 0.2)]
    assert [hit["score"] for hit in hits] == pytest.approx(expected)


def test_a_hit_carries_its_text_metadata_point_id_store_and_time(client, alice):
    store = make_store(client, alice)
    added = ingest(client, alice, store["id"], POINTS[:1], team="support")
    (hit,) = search(client, alice, store["id"], [1.0, 0.0, 0.0])
    assert hit["text"] == POINTS[0][0] and hit["store_id"] == store["id"]
    assert hit["meta_data"] == {
        "source": "/docs/handbook.md", "file_path": "/docs/handbook.md", "file_name": "handbook.md",
        "chunk_index": 0, "file_id": added["file"]["id"], "team": "support",
    }  # fmt: skip
    assert len(hit["vector_id"]) == 36 and isinstance(hit["retrieved_at"], int)


def test_searching_twice_answers_the_same_and_equal_scores_keep_the_stored_order(client, alice):
    store = make_store(client, alice)
    ingest(client, alice, store["id"], [("first", [0.0, 1.0, 0.0]), ("second", [0.0, 2.0, 0.0])])
    ingest(client, alice, store["id"], [("third", [0.0, 3.0, 0.0])], name="more.md")
    once = search(client, alice, store["id"], [0.0, 1.0, 0.0])
    assert [hit["text"] for hit in once] == ["first", "second", "third"]  # all cosine 1.0
    again = search(client, alice, store["id"], [0.0, 1.0, 0.0])
    assert [(h["vector_id"], h["score"]) for h in again] == [(h["vector_id"], h["score"]) for h in once]


def test_a_dot_store_ranks_by_dot_product_and_a_euclid_store_by_distance_nearest_first(client, alice):
    dot = make_store(client, alice, metric="dot")
    points = [("short", [1.0, 0.0, 0.0]), ("long", [3.0, 0.0, 0.0]), ("away", [-1.0, 0.0, 0.0])]
    ingest(client, alice, dot["id"], points)
    hits = search(client, alice, dot["id"], [2.0, 0.0, 0.0])
    assert [(h["text"], h["score"]) for h in hits] == [("long", 6.0), ("short", 2.0), ("away", -2.0)]
    euclid = make_store(client, alice, metric="Euclid")
    ingest(client, alice, euclid["id"], points)
    hits = search(client, alice, euclid["id"], [2.0, 0.0, 0.0])
    assert [(h["text"], h["score"]) for h in hits] == [("short", 1.0), ("long", 1.0), ("away", 3.0)]


def test_top_k_bounds_the_hits_and_defaults_to_five(client, alice):
    store = make_store(client, alice)
    ingest(client, alice, store["id"], [(f"chunk {n}", [1.0, float(n), 0.0]) for n in range(7)])
    assert len(search(client, alice, store["id"], [1.0, 0.0, 0.0])) == 5
    assert [h["text"] for h in search(client, alice, store["id"], [1.0, 0.0, 0.0], top_k=2)] == ["chunk 0", "chunk 1"]


def test_filters_keep_the_points_whose_payload_meets_them(client, alice):
    store = make_store(client, alice)
    ingest(client, alice, store["id"], POINTS, name="a.md", tags=["billing", "faq"], reviewed=True)
    ingest(client, alice, store["id"], [("Nested", [1.0, 0.0, 0.0])], name="b.md", owner={"team": "ops"}, reviewed=1)

    def texts(filters):
        return [h["text"] for h in search(client, alice, store["id"], [1.0, 0.0, 0.0], top_k=10, filters=filters)]

    assert texts({"must": [{"key": "file_name", "match": {"value": "b.md"}}]}) == ["Nested"]
    assert texts({"must": [{"key": "owner.team", "match": {"value": "ops"}}]}) == ["Nested"]
    assert len(texts({"must": [{"key": "tags", "match": {"value": "faq"}}]})) == 3  # one item of a list
    assert texts({"must": [{"key": "reviewed", "match": {"value": 1}}]}) == ["Nested"]  # true is not 1
    first_two = {"must": [{"key": "file_name", "match": {"value": "a.md"}}, {"key": "chunk_index", "range": {"lt": 2}}]}
    assert texts(first_two) == [POINTS[0][0], POINTS[1][0]]
    assert texts({"must_not": [{"key": "file_name", "match": {"value": "a.md"}}]}) == ["Nested"]
    either = {"should": [{"key": "text", "match": {"value": "Nested"}}, {"key": "chunk_index", "range": {"gte": 2}}]}
    assert sorted(texts(either)) == sorted([POINTS[2][0], "Nested"])
    assert len(texts({"must": [], "should": []})) == 4


def test_a_condition_with_neither_match_nor_range_is_a_400(client, alice):
    store = make_store(client, alice)
    body = {"query_vector": [1.0, 0.0, 0.0], "filters": {"must": [{"key": "file_name"}]}}
    response = client.post(f"/v1/vector-stores/{store['id']}/search", json=body, headers=alice.headers)
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Unsupported condition format: {'key': 'file_name'}"},
    )


def test_a_query_or_a_vector_of_the_wrong_length_is_a_400_and_nothing_is_stored(client, alice):
    store = make_store(client, alice)
    url = f"/v1/vector-stores/{store['id']}"
    response = client.post(f"{url}/search", json={"query_vector": [1.0, 0.0]}, headers=alice.headers)
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "Vector dimension error: expected dim: 3, got 2 (query_vector)",
    )
    body = vectors_body([("ok", [1.0, 0.0, 0.0]), ("short", [1.0])])
    response = client.post(f"{url}/vectors", json=body, headers=alice.headers)
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "Vector dimension error: expected dim: 3, got 1 (vectors[1])",
    )
    uneven = {**vectors_body(POINTS), "texts": ["just one"]}
    response = client.post(f"{url}/vectors", json=uneven, headers=alice.headers)
    assert response.json() == {"detail": "Lengths must match: texts(1), vectors(3), metadata(3)"}
    assert client.get(url, headers=alice.headers).json()["file_count"] == 0
    assert search(client, alice, store["id"], [1.0, 0.0, 0.0]) == []


def test_storing_vectors_records_their_file_and_removing_the_file_removes_them(client, alice):
    store = make_store(client, alice)
    added = ingest(client, alice, store["id"], POINTS)
    assert added["points_inserted"] == 3 and added["file"]["status"] == "completed"
    assert added["file"]["processed_at"] is not None and added["file"]["vector_store_id"] == store["id"]
    url = f"/v1/vector-stores/{store['id']}"
    assert [f["id"] for f in client.get(f"{url}/files", headers=alice.headers).json()] == [added["file"]["id"]]
    assert client.get(url, headers=alice.headers).json()["file_count"] == 1
    removed = client.delete(f"{url}/files", params={"file_path": "/docs/handbook.md"}, headers=alice.headers)
    assert removed.status_code == 204
    assert search(client, alice, store["id"], [1.0, 0.0, 0.0]) == []
    assert client.get(url, headers=alice.headers).json()["file_count"] == 0


def test_a_file_id_in_use_is_a_409_and_its_vectors_are_not_stored(client, alice):
    store = make_store(client, alice)
    body = vectors_body(POINTS[:1])
    url = f"/v1/vector-stores/{store['id']}/vectors"
    assert client.post(url, json=body, headers=alice.headers).status_code == 201
    again = client.post(url, json={**body, "texts": ["other"]}, headers=alice.headers)
    assert again.json() == {"detail": f"File ID '{body['file']['file_id']}' exists."} and again.status_code == 409
    assert [h["text"] for h in search(client, alice, store["id"], [1.0, 0.0, 0.0])] == [POINTS[0][0]]


def test_a_soft_deleted_store_takes_no_vectors_and_finds_nothing(client, alice):
    store = make_store(client, alice)
    ingest(client, alice, store["id"], POINTS)
    assert client.delete(f"/v1/vector-stores/{store['id']}", headers=alice.headers).status_code == 204
    assert search(client, alice, store["id"], [1.0, 0.0, 0.0]) == []
    refused = client.post(f"/v1/vector-stores/{store['id']}/vectors", json=vectors_body(POINTS), headers=alice.headers)
    assert refused.json() == {"detail": f"Vector store '{store['id']}' not found or is deleted."}


def test_another_user_can_neither_search_nor_fill_a_store(client, alice, bob):
    store = make_store(client, alice)
    url = f"/v1/vector-stores/{store['id']}"
    for path, body in (("search", {"query_vector": [1.0, 0.0, 0.0]}), ("vectors", vectors_body(POINTS))):
        response = client.post(f"{url}/{path}", json=body, headers=bob.headers)
        assert (response.status_code, response.json()) == (404, {"detail": "Vector store not found."})


def test_a_file_marked_deleted_is_left_out_of_searches(client, alice):
    store = make_store(client, alice)
    added = ingest(client, alice, store["id"], POINTS[:1])
    url = f"/v1/vector-stores/{store['id']}/files/{added['file']['id']}"
    client.patch(url, json={"status": "deleted"}, headers=alice.headers)
    assert search(client, alice, store["id"], [1.0, 0.0, 0.0]) == []


@pytest.fixture
def small_app():
    return create_app(Settings(admin_key=ADMIN_KEY, seed=7, max_store_vectors=3))


def test_a_store_holds_at_most_max_store_vectors(small_app, admin):
    client = small_app.test_client()
    store = make_store(client, admin)
    ingest(client, admin, store["id"], POINTS[:2])
    response = client.post(
        f"/v1/vector-stores/{store['id']}/vectors", json=vectors_body(POINTS[:2], "more.md"), headers=admin.headers
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The vector store would hold 4 vectors, more than the limit of 3"}
    ingest(client, admin, store["id"], POINTS[:1], name="last.md")  # exactly at the limit
    assert client.get(f"/v1/vector-stores/{store['id']}", headers=admin.headers).json()["file_count"] == 2
