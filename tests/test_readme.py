"""The README's examples run as written: the SDK script against a live mock, the fixture rules
through the mock's fixture loader, and the quick start's commands exist as make targets."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from contract_tests import sdk_bodies
from mock_server import Settings, create_app
from tests.live_server import serve

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ADMIN_KEY = "ad_readme_example_admin_key_0123456789"


def blocks(language: str) -> list[str]:
    """The README's fenced blocks in `language`, dedented (a block inside a list item is indented)."""
    found = re.findall(rf"^( *)```{language}\n(.*?)^\1```", README, flags=re.S | re.M)
    return [textwrap.dedent(body) for _, body in found]


def test_the_sdk_example_runs_against_the_mock_and_completes_its_run(tmp_path):
    (script,) = [block for block in blocks("python") if "from projectdavid import Entity" in block]
    path = tmp_path / "example.py"
    path.write_text(script, encoding="utf-8")
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=1))
    with serve(app) as base_url:
        env = {**os.environ, "ENTITIES_BASE_URL": base_url, "ENTITIES_API_KEY": ADMIN_KEY}
        done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "completed", done.stdout
    assert '"temperature_c": 18' in lines[0], "the reply after the tool output quotes what the tool returned"


def test_the_rules_example_loads_as_fixture_rules(tmp_path):
    (rules_block,) = [block for block in blocks("yaml") if "rules:" in block]
    path = tmp_path / "fixtures.yaml"
    path.write_text(rules_block, encoding="utf-8")
    rules = create_app(Settings(fixtures=path, admin_key=ADMIN_KEY)).mock.seed.rules  # the file's checks pass
    assert [bool(rule.turn.tool_call) for rule in rules] == [False, True, False]
    assert rules[2].turn.error == "Upstream model error"
    assert rules[1].applies("asst_any", "Please book a flight to NYC")


def test_the_quick_start_commands_are_make_targets():
    quick_start = README[README.index("## Quick start") : README.index("## Installing")]
    targets = re.findall(r"^make (\w+)", quick_start, flags=re.M)
    assert targets[:2] == ["serve", "test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in targets:
        assert re.search(rf"^{target}:", makefile, flags=re.M), f"make {target} is not a target"


def test_the_control_plane_examples_run_against_the_mock(tmp_path):
    section = README[README.index("## The control plane") : README.index("### The dashboard")]
    scripts = re.findall(r"^```bash\n(.*?)^```", section, flags=re.S | re.M)
    assert len(scripts) == 5
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=1))
    with serve(app) as base_url:
        env = {**os.environ, "ENTITIES_BASE_URL": base_url, "ENTITIES_API_KEY": ADMIN_KEY}
        for script in scripts:
            done = subprocess.run(
                ["bash", "-e", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        faults = app.mock.sessions.peek("flaky")
        assert faults is not None and faults.faults == [], "the faults example sets, shows and clears faults"
        assert app.mock.sessions.peek("fork-1") is not None, "the state example loads into another session"
        rules = app.mock.sessions.peek("").rules
    assert [rule.source for rule in rules] == [{"match": "weather", "reply": "Sunny, 21 °C."}]
    assert json.loads((tmp_path / "prepared.json").read_text())["format"] == "entities-mock-state/1"


def test_the_vector_store_example_runs_and_finds_the_nearest_text():
    section = README[README.index("### Vector stores") : README.index("## The control plane")]
    (script,) = re.findall(r"^```bash\n(.*?)^```", section, flags=re.S | re.M)
    with serve(create_app(Settings(admin_key=ADMIN_KEY, seed=1))) as base_url:
        env = {**os.environ, "ENTITIES_BASE_URL": base_url, "ENTITIES_API_KEY": ADMIN_KEY}
        done = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    store, stored, hits = (json.loads(line) for line in done.stdout.splitlines())  # one answer a line
    assert store["status"] == "active" and stored["points_inserted"] == 2
    (hit,) = hits
    expected = [line for line in section.splitlines() if line.startswith("# [")][0]
    assert hit["text"] == "Refunds are paid within 14 days." and f'"score":{hit["score"]}' in expected


def test_the_vector_store_fixture_example_seeds_a_store_the_assistant_answers_from(tmp_path):
    section = README[README.index("### Vector stores") : README.index("## The control plane")]
    (fixture,) = re.findall(r"^```yaml\n(.*?)^```", section, flags=re.S | re.M)
    path = tmp_path / "seed.yaml"
    path.write_text(fixture)
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=1, fixtures=path))
    client = app.test_client()
    headers = {"X-API-Key": ADMIN_KEY}
    (assistant,) = client.get("/v1/assistants", headers=headers).json()
    (store_id,) = assistant["tool_resources"]["file_search"]["vector_store_ids"]
    thread = client.post("/v1/threads", json={}, headers=headers).json()
    message = client.post(
        "/v1/messages",
        json=sdk_bodies.message_body(thread["id"], assistant["id"], "How long do refunds take?"),
        headers=headers,
    ).json()
    run = client.post("/v1/runs", json=sdk_bodies.run_body(assistant["id"], thread["id"]), headers=headers).json()
    body = {"model": assistant["model"], "api_key": "sk-demo", "thread_id": thread["id"], "message_id": message["id"]}
    body |= {"run_id": run["id"], "assistant_id": assistant["id"], "stream": False}
    reply = client.post("/v1/completions", json=body, headers=headers).json()["content"]
    assert (
        reply
        == 'I searched the vector store "Handbook" and found this in refunds.md: "Refunds are paid within 14 days."'
    )
    assert client.get(f"/v1/vector-stores/{store_id}", headers=headers).json()["file_count"] == 1


def test_the_files_upload_example_runs_against_the_mock(tmp_path):
    (script,) = [block for block in blocks("bash") if "/v1/uploads" in block]
    (tmp_path / "notes.txt").write_text("Ship on Friday.\n", encoding="utf-8")
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=1))
    with serve(app) as base_url:
        env = {**os.environ, "ENTITIES_BASE_URL": base_url, "ENTITIES_API_KEY": ADMIN_KEY}
        done = subprocess.run(
            ["bash", "-e", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert (made["filename"], made["purpose"], made["bytes"]) == ("notes.txt", "assistants", 16)


def test_the_persistence_example_keeps_a_thread_across_a_restart(tmp_path):
    section = README[README.index("### Persistence") : README.index("### Vector stores")]
    (script,) = re.findall(r"^```bash\n(.*?)^```", section, flags=re.S | re.M)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {name: value for name, value in os.environ.items() if not name.startswith("MOCK_")}
    env.update(PORT=str(port), PYTHONPATH=str(ROOT), PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    done = subprocess.run(
        ["bash", "-e", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    thread = json.loads(done.stdout.splitlines()[-1])  # read back from the restarted mock
    assert (
        thread["meta_data"] == {"kept": "yes"}
        and thread["id"] == json.loads((tmp_path / "thread.json").read_text())["id"]
    )
    assert json.loads((tmp_path / "state.json").read_text())["format"] == "entities-mock-saved/1"
