"""openapi.yaml is a valid OpenAPI 3.0.3 document and every example in it satisfies its schema."""

from __future__ import annotations

import pytest
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30Validator,
    OAS30WriteValidator,
    oas30_format_checker,
)
from openapi_spec_validator import validate

from tests.contract_document import Example, all_examples, load_spec


def test_openapi_yaml_is_a_valid_openapi_3_0_3_document():
    spec = load_spec()
    assert spec["openapi"] == "3.0.3"
    validate(spec)  # raises on any structural problem


def _validator_for(example: Example):
    # $refs in a schema point into the document, so validate against a root that carries components.
    schema = {"components": load_spec()["components"], **example.schema}
    if example.operation is None:
        cls = OAS30Validator
    elif example.status is None:
        cls = OAS30WriteValidator  # a request must not carry readOnly properties
    else:
        cls = OAS30ReadValidator
    return cls(schema, format_checker=oas30_format_checker)


EXAMPLES = all_examples()
# Stream examples are text; test_stream_examples checks them frame by frame.
JSON_EXAMPLES = [example for example in EXAMPLES if example.media_type != "text/event-stream"]


def test_the_contract_carries_examples_for_requests_responses_and_schemas():
    kinds = {("schema" if e.operation is None else "request" if e.status is None else "response") for e in EXAMPLES}
    assert kinds == {"schema", "request", "response"}
    assert len(EXAMPLES) > 150


@pytest.mark.parametrize("example", JSON_EXAMPLES, ids=lambda e: e.where)
def test_every_example_is_valid_against_its_schema(example: Example):
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in _validator_for(example).iter_errors(example.value)
    ]
    assert errors == [], f"{example.where} violates its schema"


def _schema(name: str) -> dict:
    return load_spec()["components"]["schemas"][name]


def _validates(schema: dict, value) -> bool:
    return OAS30WriteValidator({"components": load_spec()["components"], **schema}).is_valid(value)


def test_run_create_requires_the_six_fields_the_real_server_requires_and_refuses_null_for_the_rest():
    run_create = _schema("RunCreate")
    required = {"id", "assistant_id", "thread_id", "created_at", "expires_at", "instructions"}
    assert set(run_create["required"]) == required
    non_null = {"id", "assistant_id", "thread_id", "created_at", "expires_at", "instructions", "model", "object"}
    non_null |= {"tool_choice", "meta_data", "tool_resources", "status", "parallel_tool_calls", "response_format"}
    non_null |= {"temperature", "top_p"}
    sdk_body = run_create["example"]
    for field in sorted(non_null):
        assert not _validates(run_create, {**sdk_body, field: None}), f"{field}: null must be 422"
    for field in sorted(set(run_create["properties"]) - non_null - {"user_id"}):
        assert _validates(run_create, {**sdk_body, field: None}), f"{field}: null is accepted"
    for usage in ({}, [1, 2], 3, "x"):
        assert _validates(run_create, {**sdk_body, "usage": usage}), "usage takes any JSON value"
    assert _validates(run_create, {**sdk_body, "tool_resources": {"file_search": ["vect_1"]}})


def test_assistant_update_takes_no_null_for_what_an_assistant_always_has():
    update = _schema("AssistantUpdate")
    non_null = {"name", "model", "top_p", "temperature", "response_format", "max_turns"}
    non_null |= {"agent_mode", "web_access", "deep_research", "engineer", "decision_telemetry"}
    for field in sorted(update["properties"]):
        assert _validates(update, {field: None}) == (field not in non_null), field
    create = _schema("AssistantCreate")
    for field in ("description", "instructions"):
        assert not _validates(create, {"name": "A", "model": "m", field: None}), field


def test_a_tool_is_any_object_but_its_function_must_be_an_object():
    tool = _schema("Tool")
    assert _validates(tool, {}) and _validates(tool, {"type": "function", "function": {}})
    for function in ("get_weather", None):
        assert not _validates(tool, {"type": "function", "function": function})


def test_a_request_role_is_any_case_of_a_message_role_and_a_response_role_is_lowercase():
    roles = _schema("MessageRole")["enum"]
    role_input = _schema("MessageRoleInput")
    for role in roles:
        for spelling in (role, role.upper(), role.capitalize()):
            assert _validates(role_input, spelling), spelling
    for wrong in ("bot", "users", " user", "", "USERS"):
        assert not _validates(role_input, wrong), repr(wrong)
    for request in ("MessageCreate", "MessageUpdate"):
        assert _schema(request)["properties"]["role"] == {"$ref": "#/components/schemas/MessageRoleInput"}
    for response in ("MessageRead", "FormattedMessage"):
        assert _schema(response)["properties"]["role"] == {"$ref": "#/components/schemas/MessageRole"}


def test_ids_the_real_server_takes_empty_and_answers_404_for_have_no_min_length():
    fields = {
        "MessageCreate": ["thread_id", "assistant_id"],
        "StreamRequest": ["model", "thread_id", "message_id", "run_id", "assistant_id"],
        "RunCreate": ["assistant_id", "thread_id"],
        "ActionCreate": ["run_id"],
    }
    for name, props in fields.items():
        for prop in props:
            assert "minLength" not in _schema(name)["properties"][prop], f"{name}.{prop}"


def test_a_formatted_tool_row_may_carry_a_null_tool_call_id():
    formatted = _schema("FormattedMessage")
    assert _validates(formatted, {"role": "tool", "tool_call_id": None, "content": "{}"})


def test_an_action_needs_only_its_run_and_a_present_tool_name_must_be_a_non_empty_string():
    action = _schema("ActionCreate")
    assert action["required"] == ["run_id"]
    assert _validates(action, {"run_id": "run_1"})
    for tool_name in (None, "", 0, False):
        assert not _validates(action, {"run_id": "run_1", "tool_name": tool_name}), tool_name
    for expires_at in ("2026-11-24T09:42:05", "2026-11-24T09:42:05.5+01:00", "2026-11-24", "2026-11-24 09:42"):
        assert _validates(action, {"run_id": "run_1", "expires_at": expires_at}), expires_at
    for expires_at in (1795534925, 1795534925.5, "1795534925", None):
        assert _validates(action, {"run_id": "run_1", "expires_at": expires_at}), expires_at
    for expires_at in ("tomorrow", True, "24/11/2026"):
        assert not _validates(action, {"run_id": "run_1", "expires_at": expires_at}), expires_at


def test_run_timestamps_take_any_sign_and_run_fields_keep_the_columns_lengths():
    for name in ("Run", "RunFieldsUpdate"):
        for field in ("started_at", "completed_at", "failed_at"):
            assert "minimum" not in _schema(name)["properties"][field], f"{name}.{field}"
    fields = _schema("RunFieldsUpdate")
    assert _validates(fields, {"started_at": -5, "status": "ignored"})
    assert not _validates(fields, {"last_error": "x" * 257})
    assert not _validates(fields, {"meta_data": "wipe"})


@pytest.mark.parametrize("name", ["openapi.yaml", "mock_server/control_plane.yaml"])
def test_the_mock_reads_each_document_exactly_as_pyyamls_pure_python_safe_loader_does(name):
    import yaml

    from mock_server.settings import CONTROL_SPEC_PATH, SPEC_PATH
    from mock_server.spec import load_spec as mock_load_spec

    path = SPEC_PATH if name == "openapi.yaml" else CONTROL_SPEC_PATH
    assert mock_load_spec(path) == yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
