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


ADMIN_KEY = "ad_SeedingTestAdminKey000000000000000"


def refusal(tmp_path, content: str, name: str = "seed.yaml") -> list[str]:
    """The lines of the FixtureError a fixture file is refused with, its path left out."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FixtureError) as refused:
        create_app(Settings(fixtures=path, admin_key=ADMIN_KEY))
    assert all(line.startswith(f"{path}: ") for line in refused.value.problems), "each line names the file"
    return [line.removeprefix(f"{path}: ") for line in refused.value.problems]


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("users: [\n", "not valid YAML: line 2, column 1: expected the node content, but found '<stream end>'"),
        ("users:\n  ref: ana\n", "users: expected a list of rows (`- name: …`), got a mapping"),
        ("users: [ana]\n", "users[0]: expected a mapping of fields, got a string"),
        ("surprise: []\n", "surprise: not a section (sections: users, assistants, threads, messages, rules, files)"),
        (
            "assistants:\n  - {name: A, model: m, temperature: hot}\n",
            "assistants[0].temperature: 'hot' is not of type 'number'",
        ),
        (
            "assistants:\n  - {name: A, model: m, tempreture: 1}\n",
            "assistants[0].tempreture: not a field of a fixture assistant; did you mean 'temperature'?",
        ),
        ("assistants:\n  - {name: A}\n", "assistants[0].model: missing, and required"),
        ("assistants:\n  - {name: A, model: m, top_p: 5}\n", "assistants[0].top_p: 5 is greater than the maximum of 1"),
        ("users:\n  - {id: user_1}\n", "users[0].id: 'user_1' does not match '^user_[A-Za-z0-9]{22}$'"),
        ("users:\n  - {api_keys: [ea_short]}\n", "users[0].api_keys[0]: 'ea_short' is not an API key"),
        ("threads: [{ref: t}]\nmessages:\n  - {content: hi}\n", "messages[0].thread: missing, and required"),
        (
            "threads: [{ref: t}]\nmessages:\n  - {thread_id: t, content: hi}\n",
            "messages[0].thread_id: a fixture message gives it as `thread`, a ref or an id",
        ),
        (
            "threads: [{ref: t}]\nmessages:\n  - {thread: t, content: 5}\n",
            "messages[0].content: 5 is not of type 'string' or 'array'",
        ),
        (
            "threads: [{ref: t}]\nmessages:\n  - {thread: t, content: hi, role: robot}\n",
            "messages[0].role: 'robot' is not one of 'platform', 'assistant', 'user', 'system', 'tool'",
        ),
        ("rules:\n  - {match: '(', reply: x}\n", "rules[0].match: '(' is not a regular expression"),
        (
            "rules:\n  - {match: x, tool_call: {name: f, argumnets: {}}}\n",
            "rules[0].tool_call.argumnets: not a field of tool_call; did you mean 'arguments'?",
        ),
        (
            "threads:\n  - meta_data: {b: !!binary aGk=}\n",
            "threads[0].meta_data.b: a bytes (a YAML tag such as !!binary or !!set) is not a value JSON can write",
        ),
        (
            "assistants:\n  - {name: A, model: m, top_p: .nan}\n",
            "assistants[0].top_p: nan is not a number JSON can write",
        ),
        ("threads:\n  - meta_data: " + "[" * 5000 + "]" * 5000 + "\n", "nests too deeply to be read"),
        # Links, checked as the rows are built.
        ("threads:\n  - owner: nobody\n", "threads[0].owner: no user has the ref or id 'nobody' (users: 'admin')"),
        ("users: [{ref: a}, {ref: a}]\n", "users[1].ref: 'a' already names users[0]"),
        (
            "users:\n  - {api_keys: [ad_SeedingOther0000]}\n",
            "users[0].api_keys[0]: its first 8 characters 'ad_Seedi' are the admin key's too, and a key is found by "
            "them: each needs its own",
        ),
    ],
)
def test_a_fixture_problem_is_one_line_naming_the_row_and_field(tmp_path, content, line):
    (said,) = refusal(tmp_path, content)
    assert said.startswith(line)


def test_invalid_json_is_named_with_its_line_and_column(tmp_path):
    assert refusal(tmp_path, '{"users": [}', "seed.json") == ["not valid JSON: line 1, column 12: Expecting value"]


def test_every_problem_of_a_file_is_reported_not_only_the_first(tmp_path):
    content = "assistants:\n  - {name: A, model: m, temperature: hot}\n  - {name: 5, model: m}\n"
    assert refusal(tmp_path, content) == [
        "assistants[0].temperature: 'hot' is not of type 'number'",
        "assistants[1].name: 5 is not of type 'string'",
    ]


def test_rows_made_of_the_contracts_create_examples_load_and_read_back(tmp_path):
    """What the row check lets through, the mock serves: every read answers 200, checked against
    the contract (a row it let through that reads break would be a 500 here)."""
    schemas = create_app(Settings(admin_key=ADMIN_KEY)).mock.spec["components"]["schemas"]
    by_ref = ("thread_id", "assistant_id")  # a fixture message gives them as `thread` and `assistant`
    message = {k: v for k, v in schemas["MessageCreate"]["example"].items() if k not in by_ref}
    fixtures = {
        "users": [dict(schemas["UserCreate"]["example"], ref="ada", api_keys=[ANA["X-API-Key"]])],
        "assistants": [dict(schemas["AssistantCreate"]["example"], ref="bot", owner="ada", max_tokens=64)],
        "threads": [dict(schemas["ThreadCreate"]["example"], ref="chat", owner="ada", participants=["admin"])],
        "messages": [dict(message, thread="chat", assistant="bot", role="USER"), {"thread": "chat", "content": "ok"}],
    }
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(fixtures))
    client = create_app(Settings(fixtures=path, admin_key=ADMIN_KEY)).test_client()
    me = client.get("/v1/auth/validate-key", headers=ANA).json()["user_id"]
    (thread_id,) = client.get(f"/v1/threads/user/{me}", headers=ANA).json()
    for url in (f"/v1/users/{me}", "/v1/assistants", f"/v1/threads/{thread_id}", f"/v1/threads/{thread_id}/messages"):
        assert client.get(url, headers=ANA).status_code == 200, url
    roles = [m["role"] for m in client.get(f"/v1/threads/{thread_id}/messages", headers=ANA).json()["data"]]
    assert roles == ["user", "user"], "a role in any case is stored lower-case, as the API stores it"


def test_a_yaml_date_is_kept_as_the_text_it_is_written_as(tmp_path):
    path = tmp_path / "seed.yaml"
    users = f"users:\n  - {{ref: ana, api_keys: [{ANA['X-API-Key']}]}}\n"
    path.write_text(users + "threads:\n  - {owner: ana, meta_data: {due: 2026-01-01}}\n")
    client = create_app(Settings(fixtures=path, admin_key=ADMIN_KEY)).test_client()
    me = client.get("/v1/auth/validate-key", headers=ANA).json()["user_id"]
    (thread_id,) = client.get(f"/v1/threads/user/{me}", headers=ANA).json()
    thread = client.get(f"/v1/threads/{thread_id}", headers=ANA)
    assert thread.status_code == 200 and thread.json()["meta_data"] == {"due": "2026-01-01"}
