"""bench/bare_streams.py sends what the mock's completion stream sends for the bench's reply: the
same frames, byte for byte but the run id, with the same headers."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # TestClient (httpx) and Connexion (jsonschema) warn on import
    from starlette.testclient import TestClient

    from bench.bare_streams import create_bare_streams, frames, reply_text
    from bench.streams import ASSISTANT, QUESTION, completion_body, reply_rules
    from contract_tests.sdk_bodies import message_body, run_body
    from mock_server import Settings, create_app

KEY = "ad_BareStreamsKey0123456789abcdefghijklmnopqrs"
HEADERS = {"X-API-Key": KEY}
TOKENS = 12


def data_lines(text: str, run_id: str) -> list[str]:
    return [line.replace(run_id, "RUN") for line in text.split("\n\n") if line]


def mock_stream() -> tuple[list[str], dict[str, str]]:
    with create_app(Settings(admin_key=KEY, seed=1)).test_client() as client:
        assert client.put("/__mock__/rules", json=reply_rules(TOKENS), headers=HEADERS).status_code == 200
        thread_id = client.post("/v1/threads", json={"meta_data": {}}, headers=HEADERS).json()["id"]
        message = client.post("/v1/messages", json=message_body(thread_id, ASSISTANT, QUESTION), headers=HEADERS)
        run_id = client.post("/v1/runs", json=run_body(ASSISTANT, thread_id), headers=HEADERS).json()["id"]
        answer = client.post("/v1/completions", json=completion_body(thread_id, message.json()["id"], run_id))
        assert answer.status_code == 200
        return data_lines(answer.text, run_id), dict(answer.headers)


def test_the_bare_endpoint_sends_the_mocks_frames_and_headers():
    mock_lines, mock_headers = mock_stream()
    with TestClient(create_bare_streams(TOKENS, delay=0.0)) as bare:
        answer = bare.post("/v1/completions", json=completion_body("thread_x", "message_x", "run_bare7"))
    assert answer.status_code == 200
    assert data_lines(answer.text, "run_bare7") == mock_lines
    assert len(mock_lines) == TOKENS + 4 and mock_lines[-1] == "data: [DONE]"
    for name in ("content-type", "cache-control", "x-accel-buffering", "transfer-encoding"):
        assert answer.headers.get(name) == mock_headers.get(name), name


def test_a_reply_of_n_tokens_is_n_content_frames():
    events = frames("run_x", reply_text(30))
    content = [e.data["content"] for e in events if isinstance(e.data, dict) and e.data["type"] == "content"]
    assert len(content) == 30 and "".join(content) == reply_text(30)
    assert events[0].data["status"] == "started" and events[-1].data == "[DONE]"
