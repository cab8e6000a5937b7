"""The control plane's operations: who may use it, reset, state, rules, clock, sessions, runs."""

from __future__ import annotations

import json

import pytest
import yaml
from openapi_spec_validator import validate

from contract_tests import sdk_bodies
from mock_server import Settings, create_app
from mock_server.settings import CONTROL_SPEC_PATH
from tests.mock_server.conftest import ADMIN_KEY, DEMO_ASSISTANT
from tests.mock_server.control.conftest import ADMIN

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores


def test_the_control_plane_document_is_valid_openapi():
    validate(yaml.safe_load(CONTROL_SPEC_PATH.read_text(encoding="utf-8")))


def test_the_control_plane_serves_its_own_document_with_the_running_url(client):
    served = client.get("/__mock__/openapi.json").json()
    assert served["info"]["title"] == "Entities API mock — control plane"
    assert served["servers"] == [{"url": "http://testserver/__mock__"}]
    assert client.get("/openapi.json").json()["servers"] == [{"url": "http://testserver"}]


def test_health_needs_no_key(client):
    health = client.get("/__mock__/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_the_control_plane_refuses_no_key_and_any_key_but_the_seeded_admins(client, alice, admin):
    assert client.post("/__mock__/reset").status_code == 401
    assert client.post("/__mock__/reset", headers={"X-API-Key": "ea_NotAKeyAtAll000000"}).status_code == 401
    refused = client.post("/__mock__/reset", headers=alice.headers)
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "The mock's control plane needs the seeded admin's API key."},
    )
    made_admin = client.post(
        "/v1/users", json={"email": "root@example.com", "full_name": "R", "is_admin": True}, headers=admin.headers
    )
    key = client.post(f"/v1/users/{made_admin.json()['id']}/apikeys", json={}, headers=admin.headers).json()[
        "plain_key"
    ]
    assert client.post("/__mock__/reset", headers={"X-API-Key": key}).status_code == 403


def test_reset_takes_the_session_back_to_its_fixtures(client, alice, session_name):
    assert client.post("/__mock__/reset", headers=ADMIN).json() == {"reset": [session_name], "all": False}
    assert client.get("/v1/assistants", headers=alice.headers).json() == {"detail": "Invalid or inactive API Key."}
    assert [a["id"] for a in client.get("/v1/assistants", headers=ADMIN).json()] == [DEMO_ASSISTANT]


def test_reset_all_forgets_every_session(client):
    client.get("/v1/assistants", headers={**ADMIN, "X-Mock-Session": "other"})
    reset = client.post("/__mock__/reset", params={"all": "true"}, headers=ADMIN).json()
    assert reset["all"] is True and "other" in reset["reset"]
    assert "other" not in [s["name"] for s in client.get("/__mock__/sessions", headers=ADMIN).json()["sessions"]]


def test_under_a_seed_a_reset_session_mints_exactly_the_ids_of_a_fresh_start():
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=4))
    with app.test_client(headers={**ADMIN, "X-Mock-Session": "replay"}) as client:

        def story() -> list[str]:
            thread = client.post("/v1/threads", json={}).json()
            message = client.post(
                "/v1/messages", json=sdk_bodies.message_body(thread["id"], DEMO_ASSISTANT, "Hi")
            ).json()
            return [thread["id"], message["id"], str(thread["created_at"])]

        first = story()
        client.post("/__mock__/reset")
        assert story() == first


def test_a_state_exported_from_one_session_loads_into_another(client, alice, thread):
    client.post("/v1/messages", json=sdk_bodies.message_body(thread["id"], DEMO_ASSISTANT, "Hi"), headers=alice.headers)
    state = client.get("/__mock__/state", headers=ADMIN).json()
    loaded = client.put("/__mock__/state", json=state, headers={**ADMIN, "X-Mock-Session": "fork"})
    assert loaded.status_code == 200 and loaded.json()["messages"] == 1
    fork = {**alice.headers, "X-Mock-Session": "fork"}
    messages = client.get(f"/v1/threads/{thread['id']}/messages", headers=fork).json()
    assert [m["content"] for m in messages["data"]] == ["Hi"]


def test_a_state_with_a_row_the_mock_could_not_serve_is_refused_and_changes_nothing(client, thread, alice):
    state = client.get("/__mock__/state", headers=ADMIN).json()
    state["tables"]["threads"][0]["created_at"] = "yesterday"
    state["tables"]["assistants"] = []
    refused = client.put("/__mock__/state", json=state, headers=ADMIN)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith(f"tables.threads[0] ({thread['id']}): ")
    assert client.get(f"/v1/threads/{thread['id']}", headers=alice.headers).status_code == 200
    assert client.get("/v1/assistants", headers=ADMIN).json()[0]["id"] == DEMO_ASSISTANT


def test_a_state_of_another_format_is_refused_with_422(client):
    document = {"format": "entities-mock-state/2", "tables": {}}
    assert client.put("/__mock__/state", json=document, headers=ADMIN).status_code == 422


def test_a_state_with_a_table_the_mock_lacks_is_refused_with_400_naming_it(client):
    refused = client.put(
        "/__mock__/state", json={"format": "entities-mock-state/1", "tables": {"nonsense": []}}, headers=ADMIN
    )
    assert refused.status_code == 400 and refused.json()["detail"].startswith(
        "tables.nonsense: not a table of the mock"
    )


def test_rules_set_at_run_time_answer_the_next_turn(client, completion_body):
    rules = [{"match": "story", "reply": "Once upon a time."}]
    assert client.put("/__mock__/rules", json={"rules": rules}, headers=ADMIN).json() == {"rules": rules}
    assert client.get("/__mock__/rules", headers=ADMIN).json() == {"rules": rules}
    streamed = client.post("/v1/completions", json=completion_body("Tell me a story")).text
    frames = [json.loads(line[6:]) for line in streamed.splitlines() if line.startswith("data: {")]
    assert "".join(f["content"] for f in frames if f["type"] == "content") == "Once upon a time."


def test_a_rule_whose_pattern_is_no_regular_expression_is_refused(client):
    refused = client.put("/__mock__/rules", json={"rules": [{"match": "(", "reply": "x"}]}, headers=ADMIN)
    assert refused.status_code == 400 and refused.json()["detail"].startswith("a rule cannot be used")


def test_moving_the_clock_on_expires_a_key(client, alice):
    key = client.post(f"/v1/users/{alice.id}/apikeys", json={"expires_in_days": 1}, headers=alice.headers).json()
    holder = {"X-API-Key": key["plain_key"]}
    assert client.get("/v1/assistants", headers=holder).status_code == 200
    moved = client.post("/__mock__/clock", json={"advance_seconds": 2 * 86_400}, headers=ADMIN).json()
    assert moved["offset_seconds"] == 2 * 86_400
    assert client.get("/v1/assistants", headers=holder).json() == {"detail": "API Key has expired."}


def test_moving_the_clock_on_expires_a_queued_run(client, alice, completion_body):
    body = completion_body()
    client.post("/__mock__/clock", json={"advance_seconds": 7 * 86_400}, headers=ADMIN)
    assert client.get(f"/v1/runs/{body['run_id']}", headers=alice.headers).json()["status"] == "expired"


def test_the_clock_never_goes_back(client):
    assert client.post("/__mock__/clock", json={"advance_seconds": -5}, headers=ADMIN).status_code == 422


def test_sessions_are_listed_with_their_counts_and_runs_with_their_status(client, session_name, completion_body):
    body = completion_body()
    sessions = client.get("/__mock__/sessions", headers=ADMIN).json()["sessions"]
    mine = next(s for s in sessions if s["name"] == session_name)
    assert mine["counts"]["runs"] == 1 and mine["counts"]["threads"] == 1 and mine["faults"] == 0
    [run] = client.get("/__mock__/runs", headers=ADMIN).json()["runs"]
    assert (run["id"], run["status"]) == (body["run_id"], "queued")


def test_a_session_named_in_the_base_url_is_the_session_of_the_header(client, alice, session_name):
    thread = client.post("/v1/threads", json={}, headers=alice.headers).json()
    from_path = client.get(f"/__session__/{session_name}/v1/threads/{thread['id']}", headers={"X-API-Key": alice.key})
    assert from_path.status_code == 200 and from_path.json()["id"] == thread["id"]
    elsewhere = client.get(f"/__session__/elsewhere/v1/threads/{thread['id']}", headers={"X-API-Key": alice.key})
    assert elsewhere.status_code == 401
