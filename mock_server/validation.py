"""Request validators Connexion calls through its `validator_map` (VALIDATORS below): they report
like the real server (FastAPI: every problem at once, as `{"type", "loc", "msg", "input"}` items of
a 422) and check with schemas compiled once by jsonschema-rs (see compiled.py). A body validator
per media type: JSON, forms (multipart and urlencoded), octet-stream. Answers are checked in
checking.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from connexion.datastructures import MediaTypeDict
from connexion.validators import ParameterValidator
from starlette.types import Receive, Scope

from mock_server.bodies import NOT_SENT, PARSED_BODY, Upload
from mock_server.compiled import COMPILED
from mock_server.errors import RequestValidationFailed, validation_item
from mock_server.quick_checks import quick_check

QUERY = "mock_server.query"  # scope key: the typed query arguments
_NOT_A_FILE = "Expected UploadFile, received:"  # FastAPI's words for a file field sent as text

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


def errors_of(validator: Any, value: Any, location: list[str | int], *, parsing: bool = False) -> list[dict[str, Any]]:
    """`fastapi_errors` of a value the validator refused; one general item when the value nests
    too deeply for jsonschema-rs to hand its errors back (it refuses to build them)."""
    try:
        return fastapi_errors(validator.iter_errors(value), location, parsing=parsing)
    except ValueError:
        message = "Value error, the input does not match its schema, and nests too deeply to say where"
        return [validation_item("value_error", location, message, None)]


class _StashedBodyValidator:
    """A body validator for Connexion's `validator_map`: it validates what the parse stage
    (bodies.py) left in the scope, so a body is read and parsed once, before authentication, and
    validated here, after it. Like FastAPI: an empty body where one is required is 422 missing."""

    def __init__(self, *, schema: dict[str, Any], required: bool = False, nullable: bool = False, **_: Any) -> None:
        self._schema = schema
        self._required = required
        self._nullable = nullable

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        body = scope.get(PARSED_BODY, NOT_SENT)
        if body is NOT_SENT or body is None:
            if self._required and not self._nullable:
                raise RequestValidationFailed([validation_item("missing", ["body"], "Field required", None)])
            return receive, scope
        view = self._view(body)
        checked = self._validate(view)
        if checked is not view and view is body:  # whole numbers written 1.0, made ints
            scope[PARSED_BODY] = checked
        return receive, scope

    def _view(self, body: Any) -> Any:
        return body

    def _validate(self, body: Any) -> Any:
        """The body as the handler gets it; RequestValidationFailed when it breaks the schema."""
        validator = COMPILED.validator(self._schema, request=True)
        if validator.is_valid(body):
            return body
        # JSON Schema Draft 4 counts 1.0 as no integer; later drafts, Schemathesis and the real
        # server's pydantic (which makes it 1) do. Only a body that failed is looked at for them.
        whole = integral_floats(self._schema, body)
        if whole is not body and validator.is_valid(whole):
            return whole
        raise RequestValidationFailed(errors_of(validator, body, ["body"]))


class JSONBodyValidator(_StashedBodyValidator):
    """application/json (and */*+json) bodies."""


def integral_floats(schema: Any, value: Any) -> Any:
    """`value` with each float that is a whole number made an int where `schema` asks for an
    integer; `value` itself when there is none."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, float) and value.is_integer() and schema.get("type") == "integer":
        return int(value)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(keyword, []):
            changed = integral_floats(branch, value)
            if changed is not value:
                return changed
    if isinstance(value, dict):
        properties, extra = schema.get("properties", {}), schema.get("additionalProperties")
        changed = {key: integral_floats(properties.get(key, extra), item) for key, item in value.items()}
        return changed if any(changed[k] is not value[k] for k in value) else value
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        items = [integral_floats(schema["items"], item) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


class FormBodyValidator(_StashedBodyValidator):
    """multipart/form-data and urlencoded bodies, checked as FastAPI checks a route's form fields:
    one by one, in the order the schema lists them, each error at `["body", name]`. A missing
    field is `missing` with no input (an empty form included); a file field (`format: binary`)
    must be a file part, one with a filename (`Expected UploadFile`); any other field is text,
    checked against its schema. Fields the schema does not name are ignored, as FastAPI ignores
    them."""

    def _validate(self, body: Any) -> Any:
        required = set(self._schema.get("required", ()))
        items: list[dict[str, Any]] = []
        for name, schema in (self._schema.get("properties") or {}).items():
            loc: list[str | int] = ["body", name]
            value = body.get(name)
            if value is None:
                if name in required:
                    items.append(validation_item("missing", loc, "Field required", None))
            elif schema.get("format") == "binary":
                if not isinstance(value, Upload):
                    item = validation_item("value_error", loc, f"Value error, {_NOT_A_FILE} {type(value)}", value)
                    items.append({**item, "ctx": {"error": {}}})
            elif isinstance(value, Upload):  # a file part where text belongs: its name stands for it
                items.append(validation_item("string_type", loc, "Input should be a valid string", value.filename))
            else:
                items += errors_of(COMPILED.validator(schema, request=True), value, loc)
        if items:
            raise RequestValidationFailed(items)
        return body


class BytesBodyValidator(_StashedBodyValidator):
    """application/octet-stream: any bytes; the body size limit is all that applies."""

    def _validate(self, body: Any) -> Any:
        return body


class FastAPIParameterValidator(ParameterValidator):
    """Query, path and header parameters: every problem reported, unknown query names included.

    It reads the scope directly: Connexion's generic URI parser, built anew for every request,
    handles array and object encodings this contract does not use. What each parameter needs
    (its validator, its type, its shortcut: quick_checks.py) is worked out once, here."""

    def __init__(self, parameters: Any, uri_parser: Any, strict_validation: bool = False, **kwargs: Any) -> None:
        super().__init__(parameters, uri_parser, strict_validation, **kwargs)
        self._declared = {p["name"] for p in self.parameters.get("query", [])} | self.security_query_params
        self._plan = [
            _Parameter(where, param)
            for where in ("query", "path", "header")
            for param in self.parameters.get(where, ())
        ]
        # Header names as they arrive (lower case), for one pass over the request's headers.
        self._headers = {p.name.lower().encode("latin-1"): p.name for p in self._plan if p.where == "header"}

    def validate(self, scope: Scope) -> None:
        raw_query = scope.get("query_string", b"")
        query = parse_query(raw_query.decode("latin-1")) if raw_query else {}
        items: list[dict[str, Any]] = []
        if self.strict_validation and query.keys() - self._declared:
            for name in sorted(query.keys() - self._declared):
                value = query[name][-1] if len(query[name]) == 1 else query[name]
                items.append(
                    validation_item("extra_forbidden", ["query", name], "Extra inputs are not permitted", value)
                )
        headers: dict[str, str] = {}
        if self._headers:
            wanted = self._headers
            for key, value in scope["headers"]:
                name = wanted.get(key.lower())
                if name is not None and name not in headers:  # the first of repeated headers, as Starlette's
                    headers[name] = value.decode("latin-1")
        path = scope.get("path_params", {})
        typed: dict[str, Any] = {}
        for param in self._plan:
            where = param.where
            if where == "query":
                values = query.get(param.name)
                raw = values[-1] if values else None
            else:
                raw = (path if where == "path" else headers).get(param.name)
            problems, value = param.check(raw)
            if problems:
                items += problems
            elif where == "query" and value is not None:
                typed[param.name] = value
        if items:
            raise RequestValidationFailed(items)
        scope[QUERY] = typed  # the responder's query arguments, parsed once


def parse_query(text: str) -> dict[str, list[str]]:
    """`parse_qs(text, keep_blank_values=True)`, read directly when nothing in it is escaped
    (no `%`, no `+`), as almost every query is: then the split is all parse_qs does."""
    if "%" in text or "+" in text:
        return parse_qs(text, keep_blank_values=True)
    query: dict[str, list[str]] = {}
    for field in text.split("&"):
        if field:
            name, _, value = field.partition("=")
            query.setdefault(name, []).append(value)
    return query


class _Parameter:
    """One declared parameter, ready to check: FastAPI's reading of its text, then its schema."""

    __slots__ = ("where", "name", "loc", "required", "json_type", "coerce", "validator", "quick")

    def __init__(self, where: str, param: dict[str, Any]) -> None:
        schema = param.get("schema", {})
        self.where = where
        self.name = param["name"]
        self.loc: list[str | int] = [where, self.name]
        self.required = bool(param.get("required"))
        self.json_type = schema.get("type")
        self.coerce = where != "path" or self.json_type != "string"
        self.validator = COMPILED.validator(schema, request=True)
        self.quick = quick_check(schema)

    def check(self, value: Any) -> tuple[list[dict[str, Any]], Any]:
        if value is None:
            missing = [validation_item("missing", list(self.loc), "Field required", None)] if self.required else []
            return missing, None
        if self.coerce:
            value = coerce_text(value, self.json_type)
        if (self.quick is not None and self.quick(value)) or self.validator.is_valid(value):
            return [], value
        return errors_of(self.validator, value, list(self.loc), parsing=True), None


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


VALIDATORS = {
    "parameter": FastAPIParameterValidator,
    "body": MediaTypeDict(
        {
            "*/*json": JSONBodyValidator,
            "multipart/form-data": FormBodyValidator,
            "application/x-www-form-urlencoded": FormBodyValidator,
            "application/octet-stream": BytesBodyValidator,
        }
    ),
}
