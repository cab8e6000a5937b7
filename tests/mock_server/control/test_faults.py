"""Faults a session asks for: error answers from the contract's examples, delays, dropped
connections and damaged streams, for the next N requests or by chance, in that session only."""

from __future__ import annotations

import json

import httpx
import pytest

from mock_server import Settings, create_app
from tests.live_server import serve
from tests.mock_server.conftest import ADMIN_KEY
from tests.mock_server.control.conftest import ADMIN

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores


def set_faults(client, *faults, status=200):
    response = client.put("/__mock__/faults", json={"faults": list(faults)}, headers=ADMIN)
    assert response.status_code == status, response.text
    return response.json()


def data_frames(response) -> list[str]:
    return [line[len("data: ") :] for line in response.text.splitlines() if line.startswith("data: ")]


def test_a_status_fault_answers_the_contracts_example_for_the_next_n_requests(client, thread, alice):
    set_faults(client, {"operation": "getThread", "times": 2, "status": 404})
    answers = [client.get(f"/v1/threads/{thread['id']}", headers=alice.headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 200]
    assert answers[0].json() == {"detail": "Thread not found"}
    assert client.get("/__mock__/faults", headers=ADMIN).json() == {"faults": []}


def test_the_faults_in_force_show_what_is_left_of_them(client):
    set_faults(client, {"operation": "getThread", "times": 3, "status": 404}, {"delay_ms": 5})
    shown = client.get("/__mock__/faults", headers=ADMIN).json()["faults"]
    assert shown == [
        {"id": 1, "operation": "getThread", "times": 3, "remaining": 3, "probability": 1.0, "status": 404},
        {"id": 2, "operation": "*", "times": None, "remaining": None, "probability": 1.0, "delay_ms": 5},
    ]


def test_a_fault_never_skips_authentication(client, thread):
    set_faults(client, {"operation": "getThread", "status": 404})
    assert client.get(f"/v1/threads/{thread['id']}").status_code == 401


def test_faults_stay_in_their_session(client, alice, thread):
    set_faults(client, {"operation": "listAssistants", "status": 422})
    assert client.get("/v1/assistants", headers={**alice.headers, "X-Mock-Session": "untouched"}).status_code == 401
    assert client.get("/v1/assistants", headers=alice.headers).status_code == 422


@pytest.mark.parametrize(
    ("fault", "detail"),
    [
        ({"operation": "getThread", "status": 418}, "getThread does not document status 418"),
        ({"status": 404}, "a status needs a named operation"),
        ({"operation": "getForecast"}, "getForecast is not an operation of the Entities API"),
        ({"operation": "getThread", "stream": {"pause_ms": 1}}, "stream faults apply to"),
        ({"operation": "getThread", "status": 404, "drop_connection": True}, "one of status, drop_connection"),
        ({"delay_max_ms": 5}, "delay_max_ms needs a delay_ms"),
    ],
)
def test_a_fault_the_mock_cannot_carry_out_is_refused_with_400_saying_why(client, fault, detail):
    refused = set_faults(client, fault, status=400)
    assert detail in refused["detail"]
    assert client.get("/__mock__/faults", headers=ADMIN).json() == {"faults": []}


def test_a_fault_of_probability_zero_never_hits(client, alice):
    set_faults(client, {"operation": "listAssistants", "status": 422, "probability": 0})
    assert {client.get("/v1/assistants", headers=alice.headers).status_code for _ in range(20)} == {200}


def test_a_delay_holds_the_answer_at_least_that_long(client, alice):
    set_faults(client, {"operation": "listAssistants", "delay_ms": 150})
    assert client.get("/v1/assistants", headers=alice.headers).status_code == 200
    [entry] = client.get("/__mock__/journal", params={"operation": "listAssistants"}, headers=ADMIN).json()["entries"]
    assert entry["duration_ms"] >= 150
    assert entry["fault"] == "fault 1: delay 150 ms"


def test_clearing_the_faults_ends_them(client, alice):
    set_faults(client, {"operation": "listAssistants", "status": 422})
    assert client.delete("/__mock__/faults", headers=ADMIN).status_code == 204
    assert client.get("/v1/assistants", headers=alice.headers).status_code == 200


def test_a_stream_disconnected_after_n_frames_sends_n_frames_and_ends_the_run(client, alice, completion_body):
    set_faults(client, {"operation": "createCompletion", "stream": {"disconnect_after_frames": 2}})
    body = completion_body()
    frames = data_frames(client.post("/v1/completions", json=body))
    assert len(frames) == 2 and "[DONE]" not in frames
    run = client.get(f"/v1/runs/{body['run_id']}", headers=alice.headers).json()
    assert run["status"] != "in_progress"


def test_a_malformed_frame_goes_out_as_broken_json_in_its_place(client, completion_body):
    set_faults(client, {"operation": "createCompletion", "stream": {"malformed_frame_at": 2}})
    frames = data_frames(client.post("/v1/completions", json=completion_body()))
    json.loads(frames[0])
    with pytest.raises(json.JSONDecodeError):
        json.loads(frames[1])
    assert frames[-1] == "[DONE]"


def test_a_pause_between_frames_slows_the_stream_down(client, completion_body):
    set_faults(client, {"operation": "createCompletion", "stream": {"pause_ms": 20, "first_frame_delay_ms": 50}})
    frames = data_frames(client.post("/v1/completions", json=completion_body()))
    [entry] = client.get("/__mock__/journal", params={"operation": "createCompletion"}, headers=ADMIN).json()["entries"]
    assert entry["duration_ms"] >= 50 + 20 * (len(frames) - 1)


@pytest.fixture
def served():
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=9))
    with serve(app) as url:
        yield url


def test_a_dropped_connection_closes_the_socket_without_an_answer(served):
    with httpx.Client(base_url=served, headers={**ADMIN, "X-Mock-Session": "drop"}) as http:
        http.put(
            "/__mock__/faults", json={"faults": [{"operation": "listAssistants", "times": 1, "drop_connection": True}]}
        )
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/v1/assistants")
        assert http.get("/v1/assistants").status_code == 200
        [dropped, served_] = http.get("/__mock__/journal", params={"operation": "listAssistants"}).json()["entries"]
    assert (dropped["status"], dropped["fault"]) == (None, "fault 1: dropped connection")
    assert served_["status"] == 200


def test_a_seeded_mock_hits_the_same_requests_by_chance_each_time():
    def statuses() -> list[int]:
        app = create_app(Settings(admin_key=ADMIN_KEY, seed=21))
        with app.test_client(headers={**ADMIN, "X-Mock-Session": "chance"}) as client:
            set_faults(client, {"operation": "listAssistants", "status": 422, "probability": 0.5})
            return [client.get("/v1/assistants").status_code for _ in range(30)]

    first = statuses()
    assert first == statuses()
    assert set(first) == {200, 422}
