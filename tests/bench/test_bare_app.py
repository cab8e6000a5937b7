"""bench/bare_app.py, in process: its five routes do the mock's work through the mock's handlers,
so after the same calls it answers exactly what the mock answers; errors are `{"detail": ...}`."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # TestClient (httpx) and Connexion (jsonschema) warn on import
    from starlette.testclient import TestClient

    from bench.bare_app import create_bare_app
    from contract_tests.sdk_bodies import message_body
    from contract_tests.sdk_bodies import run_body as sdk_run_body
    from mock_server import Settings, create_app

KEY = "ad_BareTestAdminKey0123456789abcdefghijklmnopq"
HEADERS = {"X-API-Key": KEY}
ASSISTANT = "asst_DemoWeatherAssistant01"


def run_body(thread_id: str) -> dict:
    return sdk_run_body(ASSISTANT, thread_id)


def exercise(client) -> dict:
    """The bench's preparation and its three scenarios; every answer, keyed by what was asked."""
    seen = {"thread": client.post("/v1/threads", json={"meta_data": {}}, headers=HEADERS)}
    thread_id = seen["thread"].json()["id"]
    posted = [
        client.post("/v1/messages", json=message_body(thread_id, ASSISTANT, f"question {n}"), headers=HEADERS)
        for n in range(25)
    ]
    seen["message"] = posted[-1]
    run_id = client.post("/v1/runs", json=run_body(thread_id), headers=HEADERS).json()["id"]
    for order in ("asc", "desc"):
        seen[f"list_{order}"] = client.get(
            f"/v1/threads/{thread_id}/messages", params={"limit": 20, "order": order}, headers=HEADERS
        )
    seen["run"] = client.get(f"/v1/runs/{run_id}", headers=HEADERS)
    seen["posted_ids"] = [r.json()["id"] for r in posted]
    return seen


@pytest.fixture(scope="module")
def bare():
    with TestClient(create_bare_app(KEY, seed=1)) as client:
        yield client


def test_the_three_routes_serve_the_prepared_state(bare):
    seen = exercise(bare)
    assert all(seen[k].status_code == 200 for k in ("thread", "message", "list_asc", "list_desc", "run"))
    thread_id, ids = seen["thread"].json()["id"], seen["posted_ids"]
    assert seen["message"].json()["content"] == "question 24"
    page = seen["list_asc"].json()
    assert [m["id"] for m in page["data"]] == ids[:20]
    assert page["has_more"] is True and page["first_id"] == ids[0] and page["last_id"] == ids[19]
    assert all(m["thread_id"] == thread_id for m in page["data"])
    assert [m["id"] for m in seen["list_desc"].json()["data"]] == ids[::-1][:20]
    run = seen["run"].json()
    assert run["thread_id"] == thread_id and run["status"] == "queued" and run["actions"] == []


def test_errors_are_detail_bodies_with_the_mocks_statuses(bare):
    missing = bare.get("/v1/runs/run_Nope", headers={})
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Missing API Key in 'X-API-Key' header."}
    assert missing.headers["WWW-Authenticate"] == "APIKey"
    assert bare.get("/v1/runs/run_Nope", headers={"X-API-Key": KEY + "x"}).status_code == 401
    unknown = bare.get("/v1/runs/run_Nope", headers=HEADERS)
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Run not found"})
    no_thread = bare.get("/v1/threads/thread_Nope/messages", headers=HEADERS)
    assert (no_thread.status_code, no_thread.json()) == (404, {"detail": "Thread not found"})


def test_after_the_same_calls_it_answers_what_the_mock_answers():
    """Same seed, same calls: the work is the mock's own, so the bodies are identical."""
    mock_app = create_app(Settings(admin_key=KEY, seed=1))
    with TestClient(create_bare_app(KEY, seed=1)) as bare_client, mock_app.test_client() as mock_client:
        bare_seen, mock_seen = exercise(bare_client), exercise(mock_client)
    for key in ("thread", "message", "list_asc", "list_desc", "run"):
        assert bare_seen[key].status_code == mock_seen[key].status_code == 200, key
        assert bare_seen[key].json() == mock_seen[key].json(), key
