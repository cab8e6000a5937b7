"""Your own tests against the mock, with the official SDK: run with
`pytest -p mock_server.pytest_plugin examples/test_with_the_mock.py`."""

import json

from projectdavid import Entity

DEMO_ASSISTANT = "asst_DemoWeatherAssistant01"  # seeded by the default fixtures


def test_a_message_the_app_sends_is_in_the_journal(entities_mock):
    client = Entity(base_url=entities_mock.url, api_key=entities_mock.admin_key)
    thread = client.threads.create_thread()
    client.messages.create_message(thread_id=thread.id, assistant_id=DEMO_ASSISTANT, content="Hello")

    [sent] = entities_mock.journal(operation="createMessage")
    assert sent["status"] == 200
    assert json.loads(sent["request"]["body"])["content"] == "Hello"


def test_a_fault_makes_the_next_read_fail(entities_mock):
    client = Entity(base_url=entities_mock.url, api_key=entities_mock.admin_key)
    thread = client.threads.create_thread()
    entities_mock.set_faults({"operation": "getThread", "times": 1, "status": 404})

    try:
        client.threads.retrieve_thread(thread.id)
    except Exception as error:  # the SDK raises its own error for a 404
        assert "404" in str(error)
    else:
        raise AssertionError("the fault did not apply")
    assert client.threads.retrieve_thread(thread.id).id == thread.id


def test_each_test_starts_from_the_fixtures(entities_mock):
    client = Entity(base_url=entities_mock.url, api_key=entities_mock.admin_key)
    assert [a.id for a in client.assistants.list()] == [DEMO_ASSISTANT]
