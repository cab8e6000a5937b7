"""The parameter shortcuts (quick_checks.py) vouch only for values the compiled validator accepts,
for every parameter schema of both documents the mock serves."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.compiled import COMPILED
from mock_server.quick_checks import quick_check
from mock_server.settings import CONTROL_SPEC_PATH, SPEC_PATH
from mock_server.spec import METHODS, Resolver, load_spec
from mock_server.validation import coerce_text


def parameter_schemas() -> list[tuple[str, dict[str, Any]]]:
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in (SPEC_PATH, CONTROL_SPEC_PATH):
        document = load_spec(path)
        resolve = Resolver(document)
        for route, item in document["paths"].items():
            for method in METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                for param in [*item.get("parameters", []), *operation.get("parameters", [])]:
                    param = resolve(param)
                    schema = param.get("schema", {})
                    found[repr(sorted(schema.items(), key=str))] = (f"{method} {route} {param['name']}", schema)
    return list(found.values())


SCHEMAS = parameter_schemas()

# What a parameter's value can be once read: text as sent, or text read as its declared type.
texts = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "0", "-1", "1", "20", "100", "101", "asc", "desc", "true", "false", "1e3", "nan", "inf"]),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
values = st.one_of(
    texts,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


def test_most_parameters_have_a_shortcut() -> None:
    covered = [name for name, schema in SCHEMAS if quick_check(schema) is not None]
    assert len(covered) >= len(SCHEMAS) // 2, f"only {covered} of {len(SCHEMAS)} parameter schemas"


@pytest.mark.parametrize(("name", "schema"), SCHEMAS, ids=[name for name, _ in SCHEMAS])
@settings(max_examples=300, deadline=None)
@given(value=values)
def test_a_shortcut_never_accepts_what_the_validator_refuses(name: str, schema: dict[str, Any], value: Any) -> None:
    quick = quick_check(schema)
    if quick is None:
        return
    validator = COMPILED.validator(schema, request=True)
    for candidate in (value, coerce_text(value, schema.get("type"))):
        if quick(candidate):
            assert validator.is_valid(candidate), f"{name}: the shortcut accepted {candidate!r}"


@pytest.mark.parametrize(
    ("schema", "valid", "refused"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 100}, [1, 100], [0, 101, True, 1.0, "5"]),
        ({"type": "string", "enum": ["asc", "desc"]}, ["asc"], ["ASC", 1, None]),
        ({"type": "string", "maxLength": 3}, ["abc", ""], ["abcd", "é", 3]),
        ({"type": "boolean"}, [True, False], [1, "true"]),
        ({"type": "number", "minimum": 0}, [0, 2.5], [-1, float("nan"), float("inf")]),
    ],
)
def test_a_shortcut_vouches_for_plain_values_and_leaves_the_rest_to_the_validator(
    schema: dict[str, Any], valid: list[Any], refused: list[Any]
) -> None:
    quick = quick_check(schema)
    assert quick is not None
    assert all(quick(v) for v in valid)
    assert not any(quick(v) for v in refused)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^a$"},
        {"type": "string", "format": "uri"},
        {"type": "integer", "multipleOf": 2},
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
        {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        {"type": "integer", "enum": [1, 2]},
    ],
)
def test_a_schema_with_any_other_keyword_gets_no_shortcut(schema: dict[str, Any]) -> None:
    assert quick_check(schema) is None
