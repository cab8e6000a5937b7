"""A reproduction works when pasted into a shell: the key comes from `$API_KEY`, headers and short
bodies are quoted, and a body that is not printable text (or is long) is sent from a file. The
commands are run with bash against a server that echoes what it received."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import httpx
import pytest

from contract_tests import reproduce
from contract_tests.reproduce import Request
from tests.live_server import serve

KEY = "ea_TheKeyUnderTest0123456789ab"
NOT_UTF8 = b"\x92fQ\xa8\xc4\x1c\xe8Y\x9cc"


class Echo:
    """Answers every request with 200 and remembers its method, path, headers and body."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode().lower(): value.decode("latin-1") for name, value in scope["headers"]}
        self.received.append({"method": scope["method"], "path": scope["path"], "headers": headers, "body": body})
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def echo():
    server = Echo()
    with serve(server) as url:
        yield server, url


def paste(command: str) -> subprocess.CompletedProcess[str]:
    """The command as a person pastes it, with their key exported."""
    env = {**os.environ, "API_KEY": KEY}
    return subprocess.run(["bash", "-c", command + " --silent --show-error"], env=env, capture_output=True, timeout=30)


def test_a_body_that_is_not_utf8_is_sent_byte_for_byte_from_a_file(echo, tmp_path):
    server, url = echo
    request = Request(
        "POST",
        f"{url}/v1/threads",
        (("Content-Type", "application/json"), ("X-Mock-Session", "team a's run")),
        NOT_UTF8,
        "API_KEY",
    )
    command = reproduce.curl(request, tmp_path / "bodies")
    assert "--data-binary @" in command and KEY not in command
    done = paste(command)
    assert done.returncode == 0, done.stderr
    (received,) = server.received
    assert received["body"] == NOT_UTF8
    assert received["headers"]["x-api-key"] == KEY
    assert received["headers"]["x-mock-session"] == "team a's run"
    assert received["headers"]["content-type"] == "application/json"
    assert (received["method"], received["path"]) == ("POST", "/v1/threads")


def test_a_short_text_body_goes_inline_with_its_quotes_and_newlines_intact(echo, tmp_path):
    server, url = echo
    body = json.dumps({"content": 'it\'s "quoted"\nand $HOME stays literal'}, indent=1).encode()
    request = Request("PUT", f"{url}/v1/threads/thread_x?limit=2&order=desc", (), body, "API_KEY")
    command = reproduce.curl(request, tmp_path / "bodies")
    assert "--data-binary '" in command and not (tmp_path / "bodies").exists()
    assert paste(command).returncode == 0
    (received,) = server.received
    assert received["body"] == body
    assert received["path"] == "/v1/threads/thread_x"
    assert "content-type" not in received["headers"], "curl adds no form content type the request did not have"


@pytest.mark.parametrize("body", [b"x" * (reproduce.INLINE_LIMIT + 1), b"@/etc/hostname", b"tab\tand\rreturn"])
def test_a_long_body_or_one_curl_would_misread_is_sent_from_a_file(echo, tmp_path, body):
    server, url = echo
    command = reproduce.curl(Request("POST", f"{url}/v1/messages", (), body, "API_KEY"), tmp_path)
    assert "--data-binary @" in command
    assert paste(command).returncode == 0
    assert server.received[0]["body"] == body


def test_a_workflow_request_is_reproduced_with_the_variable_of_the_key_it_carried(echo, tmp_path):
    server, url = echo
    sent = httpx.post(f"{url}/v1/runs", json={"thread_id": "thread_1"}, headers={"X-API-Key": KEY})
    request = reproduce.from_httpx(sent.request, "API_KEY")
    command = reproduce.curl(request, tmp_path)
    assert command.startswith("curl -X POST -H \"X-API-Key: $API_KEY\" -H 'content-type: application/json'")
    assert paste(command).returncode == 0
    first, again = server.received
    assert again["body"] == first["body"] and again["headers"]["x-api-key"] == KEY


def test_a_request_sent_without_a_key_is_reproduced_without_one(tmp_path):
    sent = httpx.Request("GET", "http://127.0.0.1:9/v1/assistants")
    assert reproduce.curl(reproduce.from_httpx(sent, "API_KEY"), tmp_path) == (
        "curl -X GET http://127.0.0.1:9/v1/assistants"
    )
