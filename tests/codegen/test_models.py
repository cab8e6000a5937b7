"""The generated pydantic models are importable, cover the contract's schemas, keep its required and
nullable rules, and accept every JSON example the contract gives for them."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

import codegen.models
from codegen.models import MessageRead, Run
from tests.contract_document import load_spec, operations, request_examples, response_examples
from tests.response_models import SCHEMA_PREFIX, generated_adapter


def test_every_object_schema_of_the_contract_has_a_generated_model():
    object_schemas = [
        name
        for name, schema in load_spec()["components"]["schemas"].items()
        if schema.get("properties") or "allOf" in schema  # a pure map (no properties) stays a dict
    ]
    missing = [name for name in object_schemas if not hasattr(codegen.models, name)]
    assert missing == []
    assert all(issubclass(getattr(codegen.models, name), BaseModel) for name in object_schemas)


def _message(**changes):
    example = load_spec()["components"]["schemas"]["MessageRead"]["example"]
    return {**example, **changes}


def test_a_required_nullable_field_accepts_null_but_not_absence():
    assert MessageRead.model_validate(_message(run_id=None)).run_id is None
    without_run_id = _message()
    del without_run_id["run_id"]
    with pytest.raises(ValidationError, match="run_id"):
        MessageRead.model_validate(without_run_id)


def test_a_non_nullable_field_rejects_null():
    with pytest.raises(ValidationError, match="meta_data"):
        MessageRead.model_validate(_message(meta_data=None))


def test_enums_and_object_strings_are_enforced():
    run = load_spec()["components"]["schemas"]["Run"]["example"]
    assert Run.model_validate(run).status.value == "queued"
    with pytest.raises(ValidationError, match="status"):
        Run.model_validate({**run, "status": "requires_action"})
    with pytest.raises(ValidationError, match="object"):
        Run.model_validate({**run, "object": "run"})


JSON_EXAMPLES = [
    example
    for op in operations()
    for example in [*request_examples(op), *response_examples(op)]
    if example.media_type == "application/json" and generated_adapter(example.schema)
]


def test_most_json_examples_have_a_generated_model_to_check():
    assert len(JSON_EXAMPLES) > 100


@pytest.mark.parametrize("example", JSON_EXAMPLES, ids=lambda e: e.where)
def test_every_json_example_parses_with_the_generated_model(example):
    parsed = generated_adapter(example.schema).validate_python(example.value)
    if isinstance(parsed, BaseModel) and isinstance(example.value, dict):
        # The model keeps what it was given: no key of the example is silently dropped.
        assert set(example.value) <= set(parsed.model_dump(exclude_unset=True))


def test_schema_refs_resolve_to_generated_classes_by_the_same_name():
    assert generated_adapter({"$ref": SCHEMA_PREFIX + "ThreadReadDetailed"}) is not None
    assert codegen.models.ThreadReadDetailed.__mro__[1] is codegen.models.ThreadRead
