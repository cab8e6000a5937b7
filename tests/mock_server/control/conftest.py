"""The control plane's tests: the mock's shared app, and a helper that starts a run's completion
in the test's session (thread, message, run and the completion's body, as the SDK sends them)."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests import sdk_bodies
from tests.mock_server.conftest import ADMIN_KEY, message_body

ADMIN = {"X-API-Key": ADMIN_KEY}


@pytest.fixture
def completion_body(client, alice):
    """A new run on a new thread of Alice's, asking `question`: the completion request's body."""

    def make(question: str = "Tell me a story") -> dict[str, Any]:
        assistant = client.post("/v1/assistants", json={"name": "A", "model": "m"}, headers=alice.headers).json()
        thread = client.post("/v1/threads", json={}, headers=alice.headers).json()
        body = message_body(thread["id"], question, assistant_id=assistant["id"])
        message = client.post("/v1/messages", json=body, headers=alice.headers).json()
        run = client.post("/v1/runs", json=sdk_bodies.run_body(assistant["id"], thread["id"]), headers=alice.headers)
        assert run.status_code == 200, run.text
        return {
            "model": sdk_bodies.MODEL,
            "api_key": "provider-key",
            "thread_id": thread["id"],
            "message_id": message["id"],
            "run_id": run.json()["id"],
            "assistant_id": assistant["id"],
        }

    return make
