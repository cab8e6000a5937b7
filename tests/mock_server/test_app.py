"""The app as a whole: spec operations without a handler answer from their examples, an operation
with neither refuses to start, sessions keep state apart, seeds make runs repeatable, docs are served."""

from __future__ import annotations

import copy

import pytest
import yaml

from mock_server import Settings, create_app
from mock_server.handlers import HANDLERS
from mock_server.registry import StartupError
from mock_server.settings import SPEC_PATH
from tests.mock_server.conftest import ADMIN_KEY

NEW_OPERATION = {
    "operationId": "getWeatherReport",
    "tags": ["reports"],
    "summary": "A new endpoint nobody has implemented yet",
    "responses": {
        "200": {
            "description": "A report.",
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"city": {"type": "string"}}},
                    "examples": {"paris": {"value": {"city": "Paris"}}},
                }
            },
        },
        "401": {"$ref": "#/components/responses/Unauthorized"},
    },
}


def spec_with(tmp_path, operation):
    spec = yaml.safe_load(SPEC_PATH.read_text())
    spec["paths"]["/v1/reports/weather"] = {"get": copy.deepcopy(operation)}
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_an_operation_listed_as_answered_from_examples_answers_its_example_and_says_so(tmp_path):
    settings = Settings(
        admin_key=ADMIN_KEY, spec_path=spec_with(tmp_path, NEW_OPERATION), answer_from_examples=("getWeatherReport",)
    )
    response = create_app(settings).test_client().get("/v1/reports/weather", headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code == 200
    assert response.json() == {"city": "Paris"}
    assert response.headers["X-Mock-Source"] == "example"


def test_an_operation_with_no_handler_that_is_not_listed_stops_the_start_naming_it(tmp_path):
    with pytest.raises(StartupError, match="getWeatherReport: no handler, and not listed"):
        create_app(Settings(admin_key=ADMIN_KEY, spec_path=spec_with(tmp_path, NEW_OPERATION)))


def test_a_listed_operation_without_an_example_stops_the_start(tmp_path):
    bare = copy.deepcopy(NEW_OPERATION)
    del bare["responses"]["200"]["content"]["application/json"]["examples"]
    settings = Settings(
        admin_key=ADMIN_KEY, spec_path=spec_with(tmp_path, bare), answer_from_examples=("getWeatherReport",)
    )
    with pytest.raises(StartupError, match="getWeatherReport: listed as answered from its examples, but has no"):
        create_app(settings)


def test_a_deleted_handler_stops_the_start_instead_of_answering_an_example(monkeypatch):
    handlers = dict(HANDLERS)
    del handlers["getThread"]
    monkeypatch.setattr("mock_server.app.HANDLERS", handlers)
    with pytest.raises(StartupError, match="getThread: no handler"):
        create_app(Settings(admin_key=ADMIN_KEY))


def test_a_handler_whose_parameters_differ_from_the_operations_stops_the_start(monkeypatch):
    async def get_thread(ctx, thread):  # the operation's parameter is thread_id
        raise AssertionError("never called")

    monkeypatch.setattr("mock_server.app.HANDLERS", {**HANDLERS, "getThread": get_thread})
    with pytest.raises(StartupError, match=r"getThread: get_thread\(ctx, thread\) does not take the operation's"):
        create_app(Settings(admin_key=ADMIN_KEY))


def test_a_handler_registered_for_an_operation_the_contract_lacks_stops_the_start(monkeypatch):
    async def get_forecast(ctx):
        raise AssertionError("never called")

    monkeypatch.setattr("mock_server.app.HANDLERS", {**HANDLERS, "getForecast": get_forecast})
    with pytest.raises(StartupError, match="getForecast: registered, but the contract has no such operation"):
        create_app(Settings(admin_key=ADMIN_KEY))


def test_handled_operations_are_not_marked_as_examples(client, admin):
    response = client.get("/v1/assistants", headers=admin.headers)
    assert response.status_code == 200 and "X-Mock-Source" not in response.headers


def test_parallel_sessions_do_not_see_each_others_data(shared_app, admin):
    one = shared_app.test_client(headers={**admin.headers, "X-Mock-Session": "one"})
    two = shared_app.test_client(headers={**admin.headers, "X-Mock-Session": "two"})
    thread = one.post("/v1/threads", json={}).json()
    assert one.get(f"/v1/threads/{thread['id']}").status_code == 200
    assert two.get(f"/v1/threads/{thread['id']}").status_code == 404
    assert two.get(f"/v1/threads/user/{admin.id}").json() == []
    # Both start from the same seed: the admin and the demo assistant exist in each.
    assert one.get("/v1/assistants").json() == two.get("/v1/assistants").json() != []


def test_a_seed_makes_ids_and_timestamps_repeat_from_run_to_run():
    def first_thread():
        app = create_app(Settings(seed=42))
        headers = {"X-API-Key": app.mock.seed.admin_key}
        return app.mock.seed.admin_key, app.test_client().post("/v1/threads", json={}, headers=headers).json()

    assert first_thread() == first_thread()


def test_without_a_seed_each_start_mints_a_new_admin_key():
    assert create_app(Settings()).mock.seed.admin_key != create_app(Settings()).mock.seed.admin_key


def test_swagger_ui_and_the_served_contract_are_available(client):
    assert client.get("/docs/").status_code == 200
    served = client.get("/openapi.json")
    assert served.status_code == 200 and served.json()["info"]["title"] == "Entities API"


def _drop_created_at(row):
    return {key: value for key, value in row.items() if key != "created_at" and not key.startswith("_")}


def test_the_mock_refuses_to_send_an_answer_that_breaks_the_contract(client, alice, thread, monkeypatch):
    import mock_server.handlers.messages as messages
    from tests.mock_server.conftest import message_body

    monkeypatch.setattr(messages, "public", _drop_created_at)
    response = client.post("/v1/messages", json=message_body(thread["id"]), headers=alice.headers)
    assert response.status_code == 500
    assert "createMessage 200" in response.json()["detail"] and "created_at" in response.json()["detail"]


def test_response_checking_can_be_switched_off(monkeypatch):
    import mock_server.handlers.threads as threads

    app = create_app(Settings(admin_key=ADMIN_KEY, validate_responses=False))
    monkeypatch.setattr(threads, "public", _drop_created_at)
    response = app.test_client().post("/v1/threads", json={}, headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code == 200 and "created_at" not in response.json()
