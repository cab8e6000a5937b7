"""Request validators Connexion calls through its `validator_map`: they report like the real server
(FastAPI: every problem at once, as `{"type", "loc", "msg", "input"}` items of a 422) and check with
schemas compiled once by jsonschema-rs (see compiled.py). Answers are checked in endpoint.py."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from starlette.datastructures import Headers
from starlette.types import Scope

from mock_server import jsonio
from mock_server.compiled import COMPILED
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


def _describe(kind: Any, message: str, parsing: bool) -> tuple[str, str, dict[str, Any] | None]:
    """The pydantic-style (type, msg, ctx) of one jsonschema-rs error kind."""
    name = type(kind).__name__
    if name == "Type":
        expected = next((t for t in kind.types if t != "null"), "string")
        table = _PARSING_TYPES if parsing and expected in _PARSING_TYPES else _JSON_TYPES
        return (*table.get(expected, ("type_error", message)), None)
    if name == "Enum":
        choices = [repr(v) for v in kind.options if v is not None]
        expected = " or ".join([", ".join(choices[:-1]), choices[-1]]) if len(choices) > 1 else choices[0]
        return "enum", f"Input should be {expected}", {"expected": expected}
    if name == "Minimum":
        return "greater_than_equal", f"Input should be greater than or equal to {kind.limit}", {"ge": kind.limit}
    if name == "Maximum":
        return "less_than_equal", f"Input should be less than or equal to {kind.limit}", {"le": kind.limit}
    if name == "MinLength":
        unit = "character" if kind.limit == 1 else "characters"
        return "string_too_short", f"String should have at least {kind.limit} {unit}", {"min_length": kind.limit}
    if name == "MaxLength":
        return "string_too_long", f"String should have at most {kind.limit} characters", {"max_length": kind.limit}
    if name == "Pattern":
        return "string_pattern_mismatch", f"String should match pattern '{kind.pattern}'", {"pattern": kind.pattern}
    if name == "Format":
        return "url_parsing", "Input should be a valid URL", None
    return "value_error", message, None


def fastapi_errors(errors: Any, location: list[str | int], *, parsing: bool = False) -> list[dict[str, Any]]:
    """Turn jsonschema-rs errors into FastAPI 422 items rooted at `location` (e.g. ["body"])."""
    items = []
    for error in errors:
        loc = location + list(error.instance_path)
        name = type(error.kind).__name__
        if name == "Required":
            items.append(validation_item("missing", loc + [error.kind.property], "Field required", error.instance))
        elif name == "AdditionalProperties":
            for extra in sorted(error.kind.unexpected):
                value = error.instance[extra]
                items.append(validation_item("extra_forbidden", loc + [extra], "Extra inputs are not permitted", value))
        else:
            kind, msg, ctx = _describe(error.kind, error.message, parsing)
            item = validation_item(kind, loc, msg, error.instance)
            if ctx is not None:
                item["ctx"] = ctx
            items.append(item)
    return items


# Where the parsed request body waits in the ASGI scope for the Endpoint.
PARSED_BODY = "mock_server.body"


def _json_invalid(position: int, reason: str) -> RequestValidationFailed:
    item = validation_item("json_invalid", ["body", position], "JSON decode error", {})
    item["ctx"] = {"error": reason}
    return RequestValidationFailed([item])


class FastAPIBodyValidator(JSONRequestBodyValidator):
    """JSON bodies: undecodable or unparsable bodies and schema violations all become a 422."""

    async def _parse(self, stream, scope) -> Any:
        raw = b"".join([message async for message in stream])
        if not raw:
            return None
        try:
            body = scope[PARSED_BODY] = jsonio.loads(raw)  # the Endpoint reuses it
            return body
        except json.JSONDecodeError as error:
            raise _json_invalid(error.pos, error.msg) from None
        except UnicodeDecodeError:
            raise _json_invalid(0, "the body is not valid UTF-8") from None
        except RecursionError:
            raise _json_invalid(0, "the body is nested too deeply") from None

    def _validate(self, body: Any) -> None:
        if body is None:
            if self._nullable:
                return
            raise RequestValidationFailed([validation_item("missing", ["body"], "Field required", None)])
        validator = COMPILED.validator(self._schema, request=True)
        if not validator.is_valid(body):
            raise RequestValidationFailed(fastapi_errors(validator.iter_errors(body), ["body"]))


class FastAPIParameterValidator(ParameterValidator):
    """Query, path and header parameters: every problem reported, unknown query names included.

    It reads the scope directly: Connexion's generic URI parser, built anew for every request,
    handles array and object encodings this contract does not use."""

    def validate(self, scope: Scope) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        items: list[dict[str, Any]] = []
        if self.strict_validation:
            declared = {p["name"] for p in self.parameters.get("query", [])} | self.security_query_params
            for name in sorted(set(query) - declared):
                value = query[name][-1] if len(query[name]) == 1 else query[name]
                items.append(
                    validation_item("extra_forbidden", ["query", name], "Extra inputs are not permitted", value)
                )
        sources = {
            "query": {name: values[-1] for name, values in query.items()},
            "path": scope.get("path_params", {}),
            "header": Headers(scope=scope),
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
            return [validation_item("missing", loc, "Field required", None)] if param.get("required") else []
        schema = param.get("schema", {})
        if where != "path" or schema.get("type") != "string":
            value = coerce_text(value, schema.get("type"))
        validator = COMPILED.validator(schema, request=True)
        if validator.is_valid(value):
            return []
        return fastapi_errors(validator.iter_errors(value), loc, parsing=True)


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def coerce_text(text: Any, json_type: str | None) -> Any:
    """A parameter's text as its declared type; left as text when it does not parse (the validator
    then reports it as FastAPI would: `int_parsing`, `bool_parsing`...)."""
    if not isinstance(text, str):
        return text
    try:
        if json_type == "integer":
            return int(text)
        if json_type == "number":
            return float(text)
        if json_type == "boolean":
            return _BOOLEANS[text.lower()]
    except (ValueError, KeyError):
        pass
    return text
