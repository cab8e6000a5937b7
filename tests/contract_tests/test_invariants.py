"""What one answer must satisfy beyond its schema: id prefixes, `object` strings, list envelopes.
Plain functions over bodies, so each rule is shown on the smallest body that breaks it."""

from __future__ import annotations

from contract_tests import contract
from contract_tests.invariants import envelope_problems, id_prefix_problems, object_string_problems

SPEC = contract.load()
ID = "Ab3dEf6hIj9kLm2nOp5qRs"  # 22 alphanumerics


def message(n: int, created_at: int = 1795533620, **extra: object) -> dict[str, object]:
    return {"id": f"message_{ID[:-2]}{n:02d}", "object": "message", "created_at": created_at, **extra}


def page(items: list[dict[str, object]], has_more: bool = False, **extra: object) -> dict[str, object]:
    first, last = (items[0]["id"], items[-1]["id"]) if items else (None, None)
    return {"object": "list", "data": items, "first_id": first, "last_id": last, "has_more": has_more, **extra}


def test_the_contract_pairs_each_object_string_with_its_id_prefix():
    assert SPEC.object_prefixes["thread.run"] == "run_"
    assert SPEC.object_prefixes["thread.message.deleted"] == "message_"
    # An assistant's id may be the client's own (AssistantCreate.id): the contract pins no prefix.
    assert "assistant" not in SPEC.object_prefixes


def test_an_id_with_another_objects_prefix_is_a_problem_wherever_it_is_nested():
    run = {"id": f"run_{ID}", "object": "thread.run", "actions": [{"id": f"act_{ID}"}]}
    assert id_prefix_problems(SPEC, "getRun", 200, run) == []
    nested = {**run, "extra": {"id": f"thread_{ID}", "object": "thread.run"}}
    assert id_prefix_problems(SPEC, "getRun", 200, nested) == [
        f"`object: thread.run` with id 'thread_{ID}': its ids start with 'run_'"
    ]


def test_an_id_without_the_prefix_its_response_schema_pins_is_a_problem_even_without_an_object():
    assert id_prefix_problems(SPEC, "getAction", 200, {"id": f"action_{ID}"}) == [
        f"id 'action_{ID}' should start with 'act_'"
    ]


def test_each_listed_item_carries_the_object_string_the_contract_documents():
    body = page([message(1), {**message(2), "object": "msg"}])
    assert object_string_problems(SPEC, "listMessages", 200, body) == ["`object` is 'msg', the contract says 'message'"]
    assert object_string_problems(SPEC, "deleteThread", 200, {"id": "thread_x", "object": "thread"}) == [
        "`object` is 'thread', the contract says 'thread.deleted'"
    ]


def test_a_consistent_page_has_no_envelope_problems():
    assert envelope_problems(page([message(1), message(2, 1795533621)], has_more=True), 2, "asc") == []
    assert envelope_problems(page([]), 20, None) == []


def test_first_and_last_ids_must_name_the_ends_of_data():
    body = {**page([message(1), message(2)]), "first_id": "message_other"}
    assert envelope_problems(body, 20, None) == [f"first_id is 'message_other', data[0].id is '{message(1)['id']}'"]


def test_a_page_longer_than_limit_or_with_more_on_a_short_page_is_a_problem():
    assert envelope_problems(page([message(1), message(2)]), 1, None) == ["2 items on a page with limit=1"]
    assert envelope_problems(page([message(1)], has_more=True), 5, None) == [
        "has_more is true, but the page holds 1 of limit=5"
    ]


def test_items_must_follow_the_order_asked_for():
    newest_first = page([message(1, 1795533700), message(2, 1795533600)])
    assert envelope_problems(newest_first, 20, "desc") == []
    assert envelope_problems(newest_first, 20, "asc") == ["items are not in ascending created_at order"]
