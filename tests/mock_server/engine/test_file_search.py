"""file_search, scripted: an assistant with a file_search tool and vector stores answers from the
stored text that shares the most words with the question, quotes it and says where it came from;
deterministically, and only from stores the run's user or the assistant's owner holds."""

from __future__ import annotations

import pytest

from contract_tests import sdk_bodies
from mock_server.engine.assistant import ScriptedAssistant, rule_from_fixture
from mock_server.engine.retrieval import Passage, store_ids
from tests.mock_server.conftest import message_body
from tests.mock_server.vector_helpers import ingest, make_store

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores

HANDBOOK = [
    ("Refunds are paid within 14 days of the return.", [1.0, 0.0, 0.0]),
    ("Our office is open Monday to Friday, nine to five.", [0.0, 1.0, 0.0]),
    ("Refunds for gift cards are not possible.", [0.0, 0.0, 1.0]),
]


def test_a_found_passage_is_quoted_unless_a_rule_or_a_tool_output_comes_first():
    passage = Passage("Refunds are paid within 14 days.", "Handbook", "refunds.md")
    assistant = {"id": "asst_1", "name": "Helper", "tools": [{"type": "file_search"}]}
    asked = [{"role": "user", "content": "How long do refunds take?"}]
    turn = ScriptedAssistant().plan(assistant, asked, passage)
    assert (
        turn.text
        == 'I searched the vector store "Handbook" and found this in refunds.md: "Refunds are paid within 14 days."'
    )
    ruled = ScriptedAssistant([rule_from_fixture({"match": "refund", "reply": "Ask support."})])
    assert ruled.plan(assistant, asked, passage).text == "Ask support."
    after_tool = ScriptedAssistant().plan(assistant, [*asked, {"role": "tool", "content": "{}"}], passage)
    assert "tool returned" in after_tool.text


def test_the_stores_searched_are_the_tool_resources_of_an_assistant_with_a_file_search_tool():
    resources = {"file_search": {"vector_store_ids": ["vect_a", "vect_b"]}}
    assert store_ids({"tools": [{"type": "file_search"}], "tool_resources": resources}) == ["vect_a", "vect_b"]
    assert store_ids({"tools": [], "tool_resources": resources}) == []
    assert store_ids({"tools": [{"type": "file_search"}], "tool_resources": None}) == []
    assert store_ids({"tools": [{"type": "file_search"}], "tool_resources": {"file_search": ["vect_a"]}}) == []


def _ask(client, caller, question: str, *, store_ids: list[str], tools=None) -> str:
    """A turn of an assistant searching `store_ids`, streamed; its content."""
    body = {
        "name": "Helper",
        "model": "m",
        "tools": [{"type": "file_search"}] if tools is None else tools,
        "tool_resources": {"file_search": {"vector_store_ids": store_ids}},
    }
    assistant = client.post("/v1/assistants", json=body, headers=caller.headers).json()
    thread = client.post("/v1/threads", json={}, headers=caller.headers).json()
    message = client.post(
        "/v1/messages", json=message_body(thread["id"], question, assistant_id=assistant["id"]), headers=caller.headers
    ).json()
    run = client.post(
        "/v1/runs", json=sdk_bodies.run_body(assistant["id"], thread["id"]), headers=caller.headers
    ).json()
    completion = {
        "model": sdk_bodies.MODEL, "api_key": "provider-key", "thread_id": thread["id"], "message_id": message["id"],
        "run_id": run["id"], "assistant_id": assistant["id"], "stream": False,
    }  # fmt: skip
    answer = client.post("/v1/completions", json=completion, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    assert client.get(f"/v1/runs/{run['id']}", headers=caller.headers).json()["status"] == "completed"
    return answer.json()["content"]


def test_a_turn_answers_from_the_best_matching_stored_text_and_says_so(client, alice):
    store = make_store(client, alice, name="Support handbook")
    ingest(client, alice, store["id"], HANDBOOK, name="policies.md")
    reply = _ask(client, alice, "When is the office open on Monday?", store_ids=[store["id"]])
    assert reply == (
        'I searched the vector store "Support handbook" and found this in policies.md: '
        '"Our office is open Monday to Friday, nine to five."'
    )
    # Two texts share "refunds"; the one sharing more words wins, then the first stored.
    assert HANDBOOK[2][0] in _ask(client, alice, "Are refunds for gift cards possible?", store_ids=[store["id"]])
    assert HANDBOOK[0][0] in _ask(client, alice, "Tell me about refunds", store_ids=[store["id"]])


def test_several_stores_are_searched_and_files_added_without_vectors_have_no_text(client, alice):
    empty, full = make_store(client, alice), make_store(client, alice, name="FAQ")
    client.post(
        f"/v1/vector-stores/{empty['id']}/files",
        json={"file_id": "vsf_plain", "file_name": "a.md", "file_path": "a.md"},
        headers=alice.headers,
    )
    ingest(client, alice, full["id"], HANDBOOK)
    reply = _ask(client, alice, "refunds within days", store_ids=["vect_missing", empty["id"], full["id"]])
    assert reply.startswith('I searched the vector store "FAQ"') and HANDBOOK[0][0] in reply


def test_no_shared_word_no_file_search_tool_or_someone_elses_store_gives_the_plain_reply(client, alice, bob):
    store = make_store(client, alice)
    ingest(client, alice, store["id"], HANDBOOK)
    assert "I searched" not in _ask(client, alice, "Tell me about lighthouses", store_ids=[store["id"]])
    assert "I searched" not in _ask(client, alice, "refunds?", store_ids=[store["id"]], tools=[])
    assert "I searched" not in _ask(client, bob, "refunds?", store_ids=[store["id"]])


def test_a_soft_deleted_store_and_a_file_marked_deleted_are_not_searched(client, alice):
    store = make_store(client, alice)
    added = ingest(client, alice, store["id"], HANDBOOK)
    url = f"/v1/vector-stores/{store['id']}"
    client.patch(f"{url}/files/{added['file']['id']}", json={"status": "deleted"}, headers=alice.headers)
    assert "I searched" not in _ask(client, alice, "refunds?", store_ids=[store["id"]])
    ingest(client, alice, store["id"], HANDBOOK, name="again.md")
    assert "I searched" in _ask(client, alice, "refunds?", store_ids=[store["id"]])
    client.delete(url, headers=alice.headers)
    assert "I searched" not in _ask(client, alice, "refunds?", store_ids=[store["id"]])
