"""`Prefer`, as Prism reads it: a documented status with its example, a named example, a delay;
after authentication and validation, which it never skips; what it cannot do is a clear 400."""

from __future__ import annotations

import pytest

from tests.mock_server.control.conftest import ADMIN


def test_prefer_code_answers_that_documented_status_with_its_example(client, alice, thread):
    answer = client.get(f"/v1/threads/{thread['id']}", headers={**alice.headers, "Prefer": "code=404"})
    assert (answer.status_code, answer.json()) == (404, {"detail": "Thread not found"})
    assert answer.headers["X-Mock-Source"] == "example"


def test_prefer_example_picks_a_named_example_of_the_status(client, alice, thread):
    answer = client.get(
        f"/v1/threads/{thread['id']}", headers={**alice.headers, "Prefer": "code=401, example=expiredKey"}
    )
    assert (answer.status_code, answer.json()) == (401, {"detail": "API Key has expired."})
    assert answer.headers["WWW-Authenticate"] == "APIKey"


def test_prefer_example_alone_finds_its_status(client, alice):
    answer = client.get("/v1/assistants", headers={**alice.headers, "Prefer": "example=invalidKey"})
    assert (answer.status_code, answer.json()) == (401, {"detail": "Invalid or inactive API Key."})


def test_prefer_delay_holds_the_real_answer(client):
    answer = client.get("/v1/assistants", headers={**ADMIN, "Prefer": "delay=120"})
    assert answer.status_code == 200 and answer.json()[0]["object"] == "assistant"
    [entry] = client.get("/__mock__/journal", params={"operation": "listAssistants"}, headers=ADMIN).json()["entries"]
    assert entry["duration_ms"] >= 120 and entry["fault"] == "Prefer: delay=120"


def test_prefer_never_skips_authentication_or_validation(client, alice):
    assert client.get("/v1/assistants", headers={"Prefer": "code=200"}).status_code == 401
    refused = client.get("/v1/assistants", params={"limit": "many"}, headers={**alice.headers, "Prefer": "code=200"})
    assert refused.status_code == 422


@pytest.mark.parametrize(
    ("prefer", "detail"),
    [
        ("code=418", "Prefer: code=418: listAssistants does not document it (it documents 200, 401, 422, 503)"),
        ("code=200, example=nope", "Prefer: example=nope: listAssistants has no such example for 200"),
        ("example=nope", "Prefer: example=nope: listAssistants has no example of that name"),
        ("delay=soon", "Prefer: delay=soon is not a whole number of milliseconds from 0 to 60000"),
        ("delay=600000", "Prefer: delay=600000 is not a whole number of milliseconds from 0 to 60000"),
    ],
)
def test_a_preference_the_operation_cannot_meet_is_refused_with_400_naming_it(client, alice, prefer, detail):
    answer = client.get("/v1/assistants", headers={**alice.headers, "Prefer": prefer})
    assert (answer.status_code, answer.json()) == (400, {"detail": detail})


def test_preferences_the_mock_does_not_know_are_ignored_as_rfc_7240_says(client, alice):
    answer = client.get("/v1/assistants", headers={**alice.headers, "Prefer": "return=minimal, respond-async"})
    assert answer.status_code == 200
