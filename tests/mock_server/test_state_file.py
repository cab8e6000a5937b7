"""`python -m mock_server --state-file`: what was built survives a restart (SIGTERM, or SIGKILL
after a periodic save), in every session, and what the mock mints afterwards is new; a file it
cannot load stops it at start with one line naming the file and why (exit 2)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from contract_tests.sdk_bodies import file_upload, message_body, run_body, vector_store_body, vectors_body
from tests.mock_server.test_cli import free_port, refused, run_cli

ASSISTANT = "asst_DemoWeatherAssistant01"


class Mock:
    """The CLI with a state file, on a free 127.0.0.1 port; its banner's URL and admin key."""

    def __init__(self, state: Path, *extra: str) -> None:
        port = free_port()
        command = [sys.executable, "-m", "mock_server", "--port", str(port), "--seed", "1", "--state-file", str(state)]
        environ = {name: value for name, value in os.environ.items() if not name.startswith("MOCK_")}
        self.process = subprocess.Popen(
            [*command, *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environ
        )
        banner = [self.process.stdout.readline() for _ in range(4)]
        assert banner[3].startswith("State file: "), banner
        self.url = f"http://127.0.0.1:{port}"
        self.key = banner[1].split()[-1]
        self.state_line = banner[3].strip()
        self.http = httpx.Client(base_url=self.url, headers={"X-API-Key": self.key}, timeout=10)
        deadline = time.monotonic() + 15
        while True:
            try:
                self.http.get("/v1/auth/validate-key")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the mock did not start listening"
                time.sleep(0.05)

    def ok(self, method: str, path: str, *, session: str | None = None, **kwargs) -> dict:
        headers = {"X-Mock-Session": session} if session else {}
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.status_code, response.text)
        return response.json()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.http.close()
        self.process.send_signal(sig)
        code = self.process.wait(timeout=20)
        self.process.stdout.close()
        return code


@pytest.fixture
def started():
    mocks: list[Mock] = []

    def start(state: Path, *extra: str) -> Mock:
        mocks.append(Mock(state, *extra))
        return mocks[-1]

    yield start
    for mock in mocks:
        if mock.process.poll() is None:
            mock.process.kill()
            mock.process.wait(timeout=10)


def build(mock: Mock) -> dict:
    """One of each resource (and a named session's thread, rules, a fault and a moved clock)."""
    user = mock.ok("POST", "/v1/users", json={"email": "ada@example.com", "full_name": "Ada"})
    key = mock.ok("POST", f"/v1/users/{user['id']}/apikeys", json={"key_name": "ada"})
    assistant = mock.ok("POST", "/v1/assistants", json={"name": "Helper", "model": "gpt-4"})
    thread = mock.ok("POST", "/v1/threads", json={"meta_data": {"topic": "persist"}})
    messages = [mock.ok("POST", "/v1/messages", json=message_body(thread["id"], ASSISTANT, f"q{n}")) for n in range(3)]
    run = mock.ok("POST", "/v1/runs", json=run_body(ASSISTANT, thread["id"]))
    data, files = file_upload("notes.txt", b"kept across restarts")
    upload = mock.ok("POST", "/v1/uploads", data=data, files=files)
    store = mock.ok("POST", "/v1/vector-stores", json=vector_store_body("docs"))
    mock.ok("POST", f"/v1/vector-stores/{store['id']}/vectors", json=vectors_body(["a text"], [[1.0, 0.0, 0.0]]))
    other = mock.ok("POST", "/v1/threads", session="other", json={"meta_data": {"in": "other"}})
    mock.ok("PUT", "/__mock__/rules", session="other", json={"rules": [{"match": "refund", "reply": "Refunded."}]})
    fault = {"operation": "getThread", "status": 404, "times": 3}
    mock.ok("PUT", "/__mock__/faults", session="other", json={"faults": [fault]})
    mock.http.get(f"/v1/threads/{other['id']}", headers={"X-Mock-Session": "other"})  # uses one of the 3
    mock.ok("POST", "/__mock__/clock", session="other", json={"advance_seconds": 7200})
    return {
        "user": user,
        "key": key,
        "assistant": assistant,
        "thread": thread,
        "messages": messages,
        "run": run,
        "upload": upload,
        "store": store,
        "other": other,
    }


def test_a_restart_with_a_state_file_keeps_every_resource_of_every_session(tmp_path, started):
    state = tmp_path / "state.json"
    first = started(state)
    built = build(first)
    before = first.ok("GET", "/__mock__/state")
    assert first.stop() == -signal.SIGTERM  # uvicorn re-raises the signal after its shutdown (and the save)

    second = started(state)
    assert second.state_line.endswith("(loaded)") and second.key == first.key
    assert second.ok("GET", "/__mock__/state") == before  # every table's rows, as they were
    assert second.ok("GET", f"/v1/users/{built['user']['id']}")["email"] == "ada@example.com"
    assert second.ok("GET", f"/v1/assistants/{built['assistant']['id']}")["name"] == "Helper"
    listed = second.ok("GET", f"/v1/threads/{built['thread']['id']}/messages", params={"limit": 10, "order": "asc"})
    assert [m["id"] for m in listed["data"]] == [m["id"] for m in built["messages"]]
    assert second.ok("GET", f"/v1/runs/{built['run']['id']}")["thread_id"] == built["thread"]["id"]
    assert second.ok("GET", f"/v1/files/{built['upload']['id']}/base64")["base64"]
    files = second.ok("GET", f"/v1/vector-stores/{built['store']['id']}/files")
    assert [f["file_name"] for f in files] == ["handbook.md"]
    ada = httpx.get(f"{second.url}/v1/auth/validate-key", headers={"X-API-Key": built["key"]["plain_key"]})
    assert ada.status_code == 200 and ada.json()["valid"] is True

    other = {"X-Mock-Session": "other"}
    assert second.ok("GET", "/__mock__/rules", session="other")["rules"] == [{"match": "refund", "reply": "Refunded."}]
    (fault,) = second.ok("GET", "/__mock__/faults", session="other")["faults"]
    assert fault["remaining"] == 2
    assert second.http.get(f"/v1/threads/{built['other']['id']}", headers=other).status_code == 404  # the fault
    clock = second.ok("POST", "/__mock__/clock", session="other", json={"advance_seconds": 0})
    assert clock["offset_seconds"] == 7200

    # Minted after the restart: new ids, later timestamps, in both sessions.
    stored_ids = {row["id"] for rows in before["tables"].values() for row in rows}
    newest = max(row["created_at"] for row in before["tables"]["threads"])
    fresh = second.ok("POST", "/v1/threads", json={"meta_data": {}})
    assert fresh["id"] not in stored_ids and fresh["created_at"] > newest
    message = second.ok("POST", "/v1/messages", json=message_body(built["thread"]["id"], ASSISTANT, "after"))
    assert message["id"] not in stored_ids
    second.stop()


def test_a_sigkill_after_a_periodic_save_keeps_that_save(tmp_path, started):
    state = tmp_path / "state.json"
    first = started(state, "--state-save-seconds", "0.2")
    thread = first.ok("POST", "/v1/threads", json={"meta_data": {"saved": "periodically"}})
    deadline = time.monotonic() + 20
    while thread["id"] not in state.read_text():  # the next periodic save has it
        assert time.monotonic() < deadline, "no periodic save wrote the thread"
        time.sleep(0.05)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL  # no shutdown save

    second = started(state)
    assert second.ok("GET", f"/v1/threads/{thread['id']}")["meta_data"] == {"saved": "periodically"}
    second.stop()


def test_a_missing_state_file_starts_from_the_fixtures_and_is_created(tmp_path, started):
    state = tmp_path / "new.json"
    mock = started(state)
    assert mock.state_line.endswith("(new)")
    assert json.loads(state.read_text())["format"] == "entities-mock-saved/1"  # written at start
    assert mock.ok("GET", f"/v1/assistants/{ASSISTANT}")["id"] == ASSISTANT
    mock.stop()
    assert json.loads(state.read_text())["sessions"][0]["name"] == ""  # the default session, saved


def saved_document(tmp_path, started) -> dict:
    state = tmp_path / "good.json"
    mock = started(state)
    mock.ok("POST", "/v1/threads", json={"meta_data": {}})
    mock.stop()
    return json.loads(state.read_text())


def damaged(document: dict, how: str) -> bytes:
    text = json.dumps(document)
    if how == "truncated":
        return text[: len(text) // 2].encode()
    if how == "corrupt":
        return b"\x00\xffnot json"
    if how == "other version":
        return json.dumps({**document, "format": "entities-mock-saved/0"}).encode()
    if how == "a wrong row":
        broken = json.loads(text)
        broken["sessions"][0]["state"]["tables"]["threads"][0]["created_at"] = "yesterday"
        return json.dumps(broken).encode()
    raise ValueError(how)


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("truncated", "is not JSON"),
        ("corrupt", "is not JSON"),
        ("other version", "is format 'entities-mock-saved/0'; this mock reads 'entities-mock-saved/1'"),
        ("a wrong row", "sessions[0] (''): tables.threads[0]"),
    ],
)
def test_a_state_file_it_cannot_load_exits_2_naming_the_file_and_why(tmp_path, started, how, said):
    state = tmp_path / "state.json"
    state.write_bytes(damaged(saved_document(tmp_path, started), how))
    kept = state.read_bytes()
    line = refused(run_cli("--port", "0", "--seed", "1", "--state-file", str(state)))
    assert f"state file {state}: " in line and said in line
    assert state.read_bytes() == kept  # refused, never overwritten


def test_a_state_file_saved_under_another_seed_is_refused(tmp_path, started):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(saved_document(tmp_path, started)))
    line = refused(run_cli("--port", "0", "--seed", "2", "--state-file", str(state)))
    assert "was saved under --seed 1, and this start has --seed 2" in line


def test_mock_state_file_names_the_file_as_the_flag_does(tmp_path):
    state = tmp_path / "from-env.json"
    state.write_text("{not json")
    line = refused(run_cli("--port", "0", env={"MOCK_STATE_FILE": str(state)}))
    assert f"state file {state}: is not JSON" in line


def test_a_state_file_the_mock_cannot_create_stops_it_at_start(tmp_path):
    state = tmp_path / "no-such-directory" / "state.json"
    line = refused(run_cli("--port", "0", "--state-file", str(state)))
    assert f"state file {state}: cannot be written: No such file or directory" in line


def test_a_negative_save_interval_is_refused():
    line = refused(run_cli("--port", "0", "--state-save-seconds", "-1"))
    assert "--state-save-seconds -1.0 must be 0 or more" in line
