"""Fixture files seed users, keys, assistants, threads and messages into every session."""

from __future__ import annotations

import json

import pytest

from mock_server import Settings, create_app
from mock_server.seeding import FixtureError

FIXTURES = {
    "users": [
        {"ref": "ops", "email": "ops@example.com", "is_admin": True},
        {
            "ref": "ana",
            "email": "ana@example.com",
            "full_name": "Ana",
            "api_keys": ["ea_AnaFixtureKey000000000000000000000000000000"],
        },
    ],
    "assistants": [{"ref": "helper", "owner": "ana", "name": "Helper", "model": "m"}],
    "threads": [{"ref": "chat", "owner": "ana", "meta_data": {"topic": "demo"}}],
    "messages": [{"thread": "chat", "assistant": "helper", "content": "Hi there"}],
}
ANA = {"X-API-Key": "ea_AnaFixtureKey000000000000000000000000000000"}


@pytest.fixture(params=["yaml", "json"])
def fixture_file(tmp_path, request):
    path = tmp_path / f"seed.{request.param}"
    path.write_text(json.dumps(FIXTURES))  # JSON is valid YAML too
    return path


def test_fixture_rows_are_linked_and_usable_through_the_api(fixture_file):
    client = create_app(Settings(fixtures=fixture_file)).test_client()
    me = client.get("/v1/auth/validate-key", headers=ANA).json()
    (thread_id,) = client.get(f"/v1/threads/user/{me['user_id']}", headers=ANA).json()
    messages = client.get(f"/v1/threads/{thread_id}/messages", headers=ANA).json()["data"]
    assert [m["content"] for m in messages] == ["Hi there"]
    (assistant,) = client.get("/v1/assistants", headers=ANA).json()
    assert assistant["name"] == "Helper" and messages[0]["assistant_id"] == assistant["id"]


def test_the_first_admin_of_the_fixtures_holds_the_admin_key(fixture_file):
    app = create_app(Settings(fixtures=fixture_file, admin_key="ad_FixtureAdminKey0000000000000000000"))
    client = app.test_client()
    me = client.get("/v1/auth/validate-key", headers={"X-API-Key": "ad_FixtureAdminKey0000000000000000000"})
    assert me.json()["user_id"] == app.mock.seed.admin_user_id
    assert (
        client.get(f"/v1/users/{me.json()['user_id']}", headers={"X-API-Key": app.mock.seed.admin_key}).json()["email"]
        == "ops@example.com"
    )


def test_the_default_fixtures_seed_an_admin_and_a_demo_assistant_with_a_tool():
    app = create_app(Settings())
    (demo,) = app.test_client().get("/v1/assistants", headers={"X-API-Key": app.mock.seed.admin_key}).json()
    assert demo["tools"][0]["function"]["name"] == "get_weather"


@pytest.mark.parametrize(
    "content",
    [
        "- just a list",
        "threads:\n  - owner: nobody-known\n",
        "surprise: {}\n",
        "messages:\n  - content: no thread\n",
        "rules:\n  - reply: no pattern\n",
        "rules:\n  - match: '('\n    reply: bad regex\n",
    ],
)
def test_a_broken_fixture_file_is_refused_with_a_clear_error(tmp_path, content):
    path = tmp_path / "seed.yaml"
    path.write_text(content)
    with pytest.raises(FixtureError):
        create_app(Settings(fixtures=path))
