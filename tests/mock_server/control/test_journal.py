"""The request journal: what each request sent and was answered, per session, bounded."""

from __future__ import annotations

import pytest

from tests.mock_server.control.conftest import ADMIN

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores


def journal(client, **params):
    response = client.get("/__mock__/journal", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_request_is_recorded_with_its_operation_status_and_both_bodies(client, alice):
    client.post("/v1/threads", json={"meta_data": {"k": "v"}}, headers=alice.headers)
    [entry] = journal(client, operation="createThread")["entries"]
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/v1/threads", 200)
    assert entry["request"]["body"] == '{"meta_data":{"k":"v"}}'
    assert '"object":"thread"' in entry["response"]["body"]
    assert entry["response"]["media_type"] == "application/json"
    assert entry["duration_ms"] > 0


def test_the_api_key_is_shown_by_its_prefix_only(client, alice):
    client.get("/v1/assistants", headers=alice.headers)
    [entry] = journal(client, operation="listAssistants")["entries"]
    assert entry["request"]["headers"]["x-api-key"] == alice.key[:8] + "…"


def test_refused_and_unrouted_requests_are_recorded_too(client):
    client.get("/v1/assistants")
    client.get("/v1/nowhere")
    entries = journal(client)["entries"]
    assert [(e["operation"], e["status"]) for e in entries] == [("listAssistants", 401), (None, 404)]


def test_control_plane_requests_are_not_recorded(client):
    journal(client)
    client.get("/__mock__/health")
    assert journal(client)["entries"] == []


def test_entries_are_the_sessions_own_unless_every_session_is_asked_for(client, alice, session_name):
    client.get("/v1/assistants", headers=alice.headers)
    client.get("/v1/assistants", headers={**alice.headers, "X-Mock-Session": "elsewhere"})
    assert [e["session"] for e in journal(client, operation="listAssistants")["entries"]] == [session_name]
    everyone = journal(client, session="*", operation="listAssistants")["entries"]
    assert {session_name, "elsewhere"} <= {e["session"] for e in everyone}


def test_filters_by_status_and_after_a_sequence_number(client, alice):
    client.get("/v1/assistants", headers=alice.headers)
    first = journal(client)["last_seq"]
    client.get("/v1/assistants")
    client.get("/v1/assistants", headers=alice.headers)
    assert [e["status"] for e in journal(client, after=first)["entries"]] == [401, 200]
    assert [e["status"] for e in journal(client, status=401)["entries"]] == [401]
    assert [e["status"] for e in journal(client, limit=1)["entries"]] == [200]


def test_deleting_the_journal_of_a_session_keeps_the_others(client, alice, session_name):
    client.get("/v1/assistants", headers=alice.headers)
    client.get("/v1/assistants", headers={**alice.headers, "X-Mock-Session": "kept-session"})
    assert client.delete("/__mock__/journal", params={"session": session_name}, headers=ADMIN).status_code == 204
    assert journal(client)["entries"] == []
    assert journal(client, session="kept-session")["entries"]
