"""Negative testing counts a value a FastAPI server coerces (0 for a boolean, "5" for an integer)
as valid, and our negative_data_rejection takes the place of Schemathesis' own."""

from __future__ import annotations

import pytest
import schemathesis
import schemathesis.checks

import contract_tests.checks as ours
from contract_tests.contract import DEFAULT_SPEC
from contract_tests.lax import is_valid_when_coerced

SCHEMA = schemathesis.openapi.from_path(str(DEFAULT_SPEC))
MESSAGE = {"content": "x", "thread_id": "t", "assistant_id": "a", "role": "user"}


def body_schema(operation_id: str) -> dict:
    (body,) = [b for b in SCHEMA.find_operation_by_id(operation_id).body if b.media_type == "application/json"]
    return body.validation_schema


@pytest.mark.parametrize("value", [0, 1, 1.0, "yes", "off", "TRUE", " t "])
def test_values_pydantic_reads_as_a_boolean_are_valid_once_coerced(value):
    assert is_valid_when_coerced(body_schema("createMessage"), {**MESSAGE, "is_last_chunk": value})


@pytest.mark.parametrize("value", [2, -1, "maybe", [], {}])
def test_values_pydantic_refuses_for_a_boolean_stay_invalid(value):
    assert not is_valid_when_coerced(body_schema("createMessage"), {**MESSAGE, "is_last_chunk": value})


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("max_turns", "5", True),
        ("max_turns", " 7 ", True),
        ("max_turns", 3.0, True),
        ("max_turns", True, True),
        ("max_turns", 1.5, False),
        ("max_turns", "1e3", False),
        ("top_p", "0.5", True),
        ("top_p", True, True),
        ("name", 5, False),  # strings are never coerced
    ],
)
def test_numbers_coerce_as_pydantic_coerces_them_and_strings_not_at_all(field, value, valid):
    body = {"name": "a", "model": "m", field: value}
    assert is_valid_when_coerced(body_schema("createAssistant"), body) is valid


def test_our_negative_data_rejection_takes_the_place_of_schemathesis_own():
    assert schemathesis.checks.CHECKS.get_one("negative_data_rejection") is ours.negative_data_rejection, (
        "Schemathesis no longer lets a hook's check replace its own by name: contract_tests/checks.py must "
        "disable its negative_data_rejection and register ours under another name"
    )
