"""Vector stores in fixtures (with their files and chunks, and assistants that name them by ref)
and in the control plane's state documents."""

from __future__ import annotations

import pytest
import yaml

from contract_tests import sdk_bodies
from mock_server import Settings, create_app
from mock_server.seeding import FixtureError
from tests.mock_server.conftest import ADMIN_KEY, message_body
from tests.mock_server.vector_helpers import ingest, make_store

ADMIN = {"X-API-Key": ADMIN_KEY}
FIXTURES = {
    "vector_stores": [
        {
            "ref": "handbook",
            "id": "vect_SeededHandbook000000001",
            "name": "Handbook",
            "vector_size": 3,
            "distance_metric": "cosine",
            "files": [
                {
                    "file_name": "refunds.md",
                    "chunks": [
                        {
                            "text": "Refunds are paid within 14 days.",
                            "vector": [1.0, 0.0, 0.0],
                            "meta_data": {"page": 1},
                        },
                        {"text": "Gift cards are never refunded."},
                    ],
                },
                {"file_name": "empty.md", "file_path": "/docs/empty.md", "status": "queued"},
            ],
        }
    ],
    "assistants": [
        {
            "ref": "support",
            "id": "asst_SeededSupportBot000001",
            "name": "Support",
            "model": "m",
            "tools": [{"type": "file_search"}],
            "tool_resources": {"file_search": {"vector_store_ids": ["handbook"]}},
        }
    ],
}


@pytest.fixture
def seeded(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(FIXTURES))
    return create_app(Settings(admin_key=ADMIN_KEY, seed=3, fixtures=path)).test_client()


def test_a_fixture_store_is_seeded_with_its_files_and_chunks(seeded):
    store = seeded.get("/v1/vector-stores/vect_SeededHandbook000000001", headers=ADMIN).json()
    assert (store["distance_metric"], store["vector_size"], store["file_count"]) == ("COSINE", 3, 2)
    files = seeded.get(f"/v1/vector-stores/{store['id']}/files", headers=ADMIN).json()
    assert [(f["file_name"], f["file_path"], f["status"]) for f in files] == [
        ("refunds.md", "refunds.md", "completed"),
        ("empty.md", "/docs/empty.md", "queued"),
    ]
    hits = seeded.post(
        f"/v1/vector-stores/{store['id']}/search", json={"query_vector": [1, 0, 0]}, headers=ADMIN
    ).json()
    assert [(h["text"], h["score"]) for h in hits] == [
        ("Refunds are paid within 14 days.", 1.0),
        ("Gift cards are never refunded.", 0.0),  # no vector given: zeros
    ]
    assert hits[0]["meta_data"]["page"] == 1 and hits[0]["meta_data"]["file_id"] == files[0]["id"]


def test_a_fixture_assistant_names_its_store_by_ref_and_answers_from_it(seeded):
    assistant = seeded.get("/v1/assistants/asst_SeededSupportBot000001", headers=ADMIN).json()
    assert assistant["tool_resources"] == {"file_search": {"vector_store_ids": ["vect_SeededHandbook000000001"]}}
    thread = seeded.post("/v1/threads", json={}, headers=ADMIN).json()
    message = seeded.post(
        "/v1/messages", json=message_body(thread["id"], "Are gift cards refunded?", assistant_id=assistant["id"]),
        headers=ADMIN,
    ).json()  # fmt: skip
    run = seeded.post("/v1/runs", json=sdk_bodies.run_body(assistant["id"], thread["id"]), headers=ADMIN).json()
    completion = {
        "model": sdk_bodies.MODEL, "api_key": "k", "thread_id": thread["id"], "message_id": message["id"],
        "run_id": run["id"], "assistant_id": assistant["id"], "stream": False,
    }  # fmt: skip
    content = seeded.post("/v1/completions", json=completion, headers=ADMIN).json()["content"]
    assert (
        content
        == 'I searched the vector store "Handbook" and found this in refunds.md: "Gift cards are never refunded."'
    )


@pytest.mark.parametrize(
    "store",
    [
        {"name": "Bad", "distance_metric": "manhattan"},
        {"name": "Bad", "vector_size": 0},
        {"name": "Bad", "vector_size": 2, "files": [{"file_name": "a", "chunks": [{"text": "t", "vector": [1.0]}]}]},
        {"name": "Bad", "files": [{"file_name": "a", "file_id": "vsf_1"}, {"file_name": "b", "file_id": "vsf_1"}]},
    ],
)
def test_a_fixture_store_the_mock_could_not_serve_is_refused(tmp_path, store):
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump({"vector_stores": [store]}))
    with pytest.raises(FixtureError):
        create_app(Settings(fixtures=path))


def test_a_state_with_stores_and_their_vectors_loads_into_another_session(client, alice):
    store = make_store(client, alice)
    ingest(client, alice, store["id"], [("Refunds are paid within 14 days.", [1.0, 0.0, 0.0])])
    state = client.get("/__mock__/state", headers=ADMIN).json()
    assert [row["id"] for row in state["tables"]["vector_stores"]] == [store["id"]]
    loaded = client.put("/__mock__/state", json=state, headers={**ADMIN, "X-Mock-Session": "vector-fork"})
    assert loaded.json()["vector_stores"] == 1 and loaded.json()["vector_store_files"] == 1
    fork = {**alice.headers, "X-Mock-Session": "vector-fork"}
    hits = client.post(f"/v1/vector-stores/{store['id']}/search", json={"query_vector": [1, 0, 0]}, headers=fork)
    assert [h["text"] for h in hits.json()] == ["Refunds are paid within 14 days."]
    state["tables"]["vector_stores"][0]["vector_size"] = 0
    refused = client.put("/__mock__/state", json=state, headers={**ADMIN, "X-Mock-Session": "vector-fork-2"})
    assert refused.status_code == 400 and refused.json()["detail"].startswith(
        f"tables.vector_stores[0] ({store['id']})"
    )
