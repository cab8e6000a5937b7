"""Vector stores as the real server keeps them: the client's id, 201 and 204, bare-array lists,
a 404 (not 403) for another user's store, 409 for a reused id, soft and permanent deletes, and
owner_id for admins only."""

from __future__ import annotations

import pytest

from tests.mock_server.vector_helpers import add_file, make_store, shared_id

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores

NOT_FOUND = {"detail": "Vector store not found."}


def test_a_new_store_takes_the_clients_id_as_id_and_collection_and_starts_active_and_empty(client, alice):
    wanted = shared_id()
    body = {"shared_id": wanted, "name": "Handbook", "vector_size": 384, "distance_metric": "cosine"}
    response = client.post("/v1/vector-stores", json=body, headers=alice.headers)
    assert response.status_code == 201
    store = response.json()
    assert (store["id"], store["collection_name"], store["user_id"]) == (wanted, wanted, alice.id)
    assert store["distance_metric"] == "COSINE" and store["status"] == "active" and store["file_count"] == 0
    assert store["config"] == {} and store["updated_at"] is None and store["object"] == "vector_store"
    assert client.get(f"/v1/vector-stores/{wanted}", headers=alice.headers).json() == store


def test_a_shared_id_in_use_is_a_409_whoever_holds_it(client, alice, bob):
    store = make_store(client, alice)
    body = {"shared_id": store["id"], "name": "Mine now", "vector_size": 3, "distance_metric": "DOT"}
    response = client.post("/v1/vector-stores", json=body, headers=bob.headers)
    assert (response.status_code, response.json()) == (409, {"detail": f"Store ID '{store['id']}' exists."})


def test_only_an_admin_may_create_a_store_for_another_user(client, alice, bob, admin):
    body = {"shared_id": shared_id(), "name": "For Alice", "vector_size": 3, "distance_metric": "EUCLID"}
    denied = client.post("/v1/vector-stores", params={"owner_id": alice.id}, json=body, headers=bob.headers)
    assert (denied.status_code, denied.json()) == (403, {"detail": "Only admins may specify owner_id."})
    own = client.post("/v1/vector-stores", params={"owner_id": bob.id}, json=body, headers=bob.headers)
    assert own.status_code == 201 and own.json()["user_id"] == bob.id
    made = client.post(
        "/v1/vector-stores",
        params={"owner_id": alice.id},
        json={**body, "shared_id": shared_id()},
        headers=admin.headers,
    )
    assert made.status_code == 201 and made.json()["user_id"] == alice.id
    assert [s["id"] for s in client.get("/v1/vector-stores", headers=alice.headers).json()] == [made.json()["id"]]
    nobody = client.post(
        "/v1/vector-stores", params={"owner_id": "user_nobody"}, json={**body, "shared_id": shared_id()},
        headers=admin.headers,
    )  # fmt: skip
    assert (nobody.status_code, nobody.json()) == (404, {"detail": "User not found"})


def test_a_body_out_of_bounds_is_a_422(client, alice):
    good = {"shared_id": shared_id(), "name": "Handbook", "vector_size": 3, "distance_metric": "COSINE"}
    for bad in (
        {"name": "HB"},
        {"name": "x" * 129},
        {"vector_size": 0},
        {"vector_size": 2**31},
        {"distance_metric": "manhattan"},
        {"distance_metric": " cosine"},
        {"shared_id": "v" * 65},
        {"shared_id": ""},
        {"shared_id": ".."},
        {"shared_id": "vect_a/files"},
    ):
        response = client.post("/v1/vector-stores", json={**good, **bad}, headers=alice.headers)
        assert response.status_code == 422, bad
    for field in good:
        body = {k: v for k, v in good.items() if k != field}
        assert client.post("/v1/vector-stores", json=body, headers=alice.headers).status_code == 422, field


def test_a_user_lists_their_live_stores_and_an_admin_lists_anyones(client, alice, bob, admin):
    first, second = make_store(client, alice), make_store(client, alice)
    client.delete(f"/v1/vector-stores/{first['id']}", headers=alice.headers)
    assert [s["id"] for s in client.get("/v1/vector-stores", headers=alice.headers).json()] == [second["id"]]
    assert client.get("/v1/vector-stores", headers=bob.headers).json() == []
    by_user = client.get("/v1/vector-stores/admin/by-user", params={"owner_id": alice.id}, headers=admin.headers)
    assert [s["id"] for s in by_user.json()] == [second["id"]]
    assert client.get("/v1/vector-stores", headers=admin.headers).json() == [], "an admin's own stores only"
    denied = client.get("/v1/vector-stores/admin/by-user", params={"owner_id": alice.id}, headers=bob.headers)
    assert (denied.status_code, denied.json()) == (403, {"detail": "Admin privilege required."})


def test_another_users_store_is_a_404_everywhere_but_an_admin_reaches_it(client, alice, bob, admin):
    store = make_store(client, alice)
    url = f"/v1/vector-stores/{store['id']}"
    for response in (
        client.get(url, headers=bob.headers),
        client.delete(url, headers=bob.headers),
        client.get(f"{url}/files", headers=bob.headers),
        client.post(f"{url}/files", json={"file_id": "f", "file_name": "a", "file_path": "a"}, headers=bob.headers),
        client.delete(f"{url}/files", params={"file_path": "a"}, headers=bob.headers),
        client.patch(f"{url}/files/f", json={"status": "failed"}, headers=bob.headers),
    ):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    lookup = client.get("/v1/vector-stores/lookup/collection", params={"name": store["id"]}, headers=bob.headers)
    assert (lookup.status_code, lookup.json()) == (404, {"detail": "Collection not found."})
    assert client.get(url, headers=alice.headers).json()["status"] == "active", "bob's delete changed nothing"
    assert client.get(url, headers=admin.headers).json()["id"] == store["id"]


def test_a_store_is_found_by_its_collection_name(client, alice):
    store = make_store(client, alice)
    found = client.get(
        "/v1/vector-stores/lookup/collection", params={"name": store["collection_name"]}, headers=alice.headers
    )
    assert found.json() == store
    missing = client.get("/v1/vector-stores/lookup/collection", params={"name": "vect_none"}, headers=alice.headers)
    assert missing.status_code == 404


def test_a_soft_deleted_store_stays_readable_but_is_closed(client, alice):
    store = make_store(client, alice)
    add_file(client, alice, store["id"])
    url = f"/v1/vector-stores/{store['id']}"
    deleted = client.delete(url, headers=alice.headers)
    assert (deleted.status_code, deleted.content) == (204, b"")
    read = client.get(url, headers=alice.headers).json()
    assert read["status"] == "deleted" and read["updated_at"] is not None and read["file_count"] == 1
    assert client.get(f"{url}/files", headers=alice.headers).json() == []
    refused = client.post(
        f"{url}/files", json={"file_id": "x", "file_name": "a", "file_path": "a"}, headers=alice.headers
    )
    assert refused.json() == {"detail": f"Vector store '{store['id']}' not found or is deleted."}
    assert refused.status_code == 404
    assert client.delete(url, headers=alice.headers).status_code == 204, "a second soft delete is fine"
    assert client.get(url, headers=alice.headers).json()["updated_at"] == read["updated_at"]
    lookup = client.get("/v1/vector-stores/lookup/collection", params={"name": store["id"]}, headers=alice.headers)
    assert lookup.json()["status"] == "deleted"


def test_a_permanent_delete_removes_the_store_and_its_files(client, alice, store):
    made = make_store(client, alice)
    add_file(client, alice, made["id"])
    url = f"/v1/vector-stores/{made['id']}"
    client.delete(url, headers=alice.headers)  # soft first: a permanent delete still works after it
    assert client.delete(url, params={"permanent": "true"}, headers=alice.headers).status_code == 204
    assert (client.get(url, headers=alice.headers).status_code, client.get(url, headers=alice.headers).json()) == (
        404,
        NOT_FOUND,
    )
    assert store.vector_store_files.count() == 0
    assert client.delete(url, params={"permanent": "true"}, headers=alice.headers).status_code == 404


def test_erasing_a_user_erases_their_stores_and_files(client, alice, admin, store):
    made = make_store(client, alice)
    add_file(client, alice, made["id"])
    assert client.delete(f"/v1/users/{alice.id}", headers=admin.headers).status_code == 200
    assert client.get(f"/v1/vector-stores/{made['id']}", headers=admin.headers).status_code == 404
    assert store.vector_store_files.count() == 0
