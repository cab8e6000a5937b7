"""Request validators that report like the real server (FastAPI): every problem at once, as
`{"type", "loc", "msg", "input"}` items of a 422, instead of Connexion's single-message 400.

They plug into Connexion through its `validator_map`; the checks themselves stay jsonschema's.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from connexion.json_schema import Draft4RequestValidator
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError

from mock_server.errors import RequestValidationFailed, validation_item

_JSON_TYPES = {
    "string": ("string_type", "Input should be a valid string"),
    "integer": ("int_type", "Input should be a valid integer"),
    "number": ("float_type", "Input should be a valid number"),
    "boolean": ("bool_type", "Input should be a valid boolean"),
    "object": ("dict_type", "Input should be a valid dictionary"),
    "array": ("list_type", "Input should be a valid list"),
}
# Query and path values arrive as text: FastAPI calls a failed conversion "parsing".
_PARSING_TYPES = {
    "integer": ("int_parsing", "Input should be a valid integer, unable to parse string as an integer"),
    "number": ("float_parsing", "Input should be a valid number, unable to parse string as a number"),
    "boolean": ("bool_parsing", "Input should be a valid boolean, unable to interpret input"),
}
_QUOTED = re.compile(r"'([^']*)'")


def _is_http_url(value: object) -> bool:
    """What pydantic's HttpUrl accepts, which is what the real server checks `format: uri` with."""
    if not isinstance(value, str):
        return True  # the type check reports non-strings
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(value) <= 2083


# Draft 4's checker skips `uri` unless an optional package is installed: check it ourselves.
FORMAT_CHECKER = copy.deepcopy(Draft4Validator.FORMAT_CHECKER)
FORMAT_CHECKER.checks("uri")(_is_http_url)


def _describe(error: ValidationError, parsing: bool) -> tuple[str, str, dict[str, Any] | None]:
    """The pydantic-style (type, msg, ctx) of one jsonschema error."""
    kind, value = error.validator, error.validator_value
    if kind == "type":
        expected = value[0] if isinstance(value, list) else value
        table = _PARSING_TYPES if parsing and expected in _PARSING_TYPES else _JSON_TYPES
        return (*table.get(expected, ("type_error", error.message)), None)
    if kind == "enum":
        choices = [repr(v) for v in value if v is not None]
        expected = " or ".join([", ".join(choices[:-1]), choices[-1]]) if len(choices) > 1 else choices[0]
        return "enum", f"Input should be {expected}", {"expected": expected}
    if kind == "minimum":
        return "greater_than_equal", f"Input should be greater than or equal to {value}", {"ge": value}
    if kind == "maximum":
        return "less_than_equal", f"Input should be less than or equal to {value}", {"le": value}
    if kind == "minLength":
        unit = "character" if value == 1 else "characters"
        return "string_too_short", f"String should have at least {value} {unit}", {"min_length": value}
    if kind == "maxLength":
        return "string_too_long", f"String should have at most {value} characters", {"max_length": value}
    if kind == "format":
        return "url_parsing", "Input should be a valid URL", None
    if kind == "pattern":
        return "string_pattern_mismatch", f"String should match pattern '{value}'", {"pattern": value}
    return "value_error", error.message, None


def fastapi_errors(errors: Iterable[ValidationError], location: list[str | int], *, parsing=False):
    """Turn jsonschema errors into FastAPI 422 items rooted at `location` (e.g. ["body"])."""
    items = []
    for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        loc = location + list(error.absolute_path)
        if error.validator == "required":
            (name,) = _QUOTED.findall(error.message)[:1] or [str(error.validator_value)]
            items.append(validation_item("missing", loc + [name], "Field required", error.instance))
        elif error.validator == "additionalProperties" and error.validator_value is False:
            extras = set(error.instance) - set(error.schema.get("properties", {}))
            for name in sorted(extras):
                value = error.instance[name]
                items.append(validation_item("extra_forbidden", loc + [name], "Extra inputs are not permitted", value))
        else:
            kind, msg, ctx = _describe(error, parsing)
            item = validation_item(kind, loc, msg, error.instance)
            if ctx is not None:
                item["ctx"] = ctx
            items.append(item)
    return items


class FastAPIBodyValidator(JSONRequestBodyValidator):
    """JSON bodies: undecodable or unparsable bodies and schema violations all become a 422."""

    async def _parse(self, stream, scope) -> Any:
        raw = b"".join([message async for message in stream])
        if not raw:
            return None
        try:
            return json.loads(raw.decode(self._encoding))
        except (UnicodeDecodeError, LookupError):
            raise _json_invalid(0, "the body is not valid UTF-8") from None
        except json.JSONDecodeError as error:
            raise _json_invalid(error.pos, error.msg) from None
        except RecursionError:
            raise _json_invalid(0, "the body is nested too deeply") from None

    @property
    def _validator(self):
        return _body_validator(self._schema)

    def _validate(self, body: Any) -> None:
        if body is None:
            if self._nullable:
                return
            raise RequestValidationFailed([validation_item("missing", ["body"], "Field required", None)])
        try:
            errors = list(self._validator.iter_errors(body))
        except RecursionError:
            raise _json_invalid(0, "the body is nested too deeply") from None
        if errors:
            raise RequestValidationFailed(fastapi_errors(errors, ["body"]))


def _json_invalid(position: int, reason: str) -> RequestValidationFailed:
    item = validation_item("json_invalid", ["body", position], "JSON decode error", {})
    item["ctx"] = {"error": reason}
    return RequestValidationFailed([item])


# Connexion builds a validator object per request; one per schema is enough. The schema is kept
# beside its validator so its id() cannot be reused by another schema while cached.
_BODY_VALIDATORS: dict[int, tuple[dict[str, Any], Draft4Validator]] = {}


def _body_validator(schema: dict[str, Any]) -> Draft4Validator:
    cached = _BODY_VALIDATORS.get(id(schema))
    if cached is None:
        cached = (schema, Draft4RequestValidator(schema, format_checker=FORMAT_CHECKER))
        _BODY_VALIDATORS[id(schema)] = cached
    return cached[1]


class FastAPIParameterValidator(ParameterValidator):
    """Query, path and header parameters: every problem reported, unknown query names included."""

    def validate_request(self, request) -> None:
        items: list[dict[str, Any]] = []
        if self.strict_validation:
            extra = self.validate_query_parameter_list(request, self.security_query_params)
            for name in sorted(extra):
                value = request.query_params.get(name)
                items.append(
                    validation_item("extra_forbidden", ["query", name], "Extra inputs are not permitted", value)
                )
        sources = {
            "query": request.query_params,
            "path": request.path_params,
            "header": request.headers,
        }
        for where, values in sources.items():
            for param in self.parameters.get(where, []):
                items += self._check(where, param, values.get(param["name"]))
        if items:
            raise RequestValidationFailed(items)

    @staticmethod
    def _check(where: str, param: dict[str, Any], value: Any) -> list[dict[str, Any]]:
        loc: list[str | int] = [where, param["name"]]
        if value is None:
            if param.get("required"):
                return [validation_item("missing", loc, "Field required", None)]
            return []
        schema = param.get("schema", {})
        errors = list(Draft4Validator(schema, format_checker=FORMAT_CHECKER).iter_errors(value))
        return fastapi_errors(errors, loc, parsing=True)
