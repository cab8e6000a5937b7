"""Reading and parsing request bodies, before authentication, as FastAPI does.

FastAPI reads the body before it resolves any dependency (the API key among them), so a body it
cannot parse is answered without looking at the key: invalid JSON syntax is a 422 `json_invalid`,
and bytes it cannot decode at all (not UTF-8, nested too deeply, an integer of more digits than
Python parses) are a 400 `There was an error parsing the body`. Everything else about a body
(its schema, an empty body, a content type the operation does not take) comes after
authentication, in request validation (validation.py), which reads what this stage left in the
scope: the parsed JSON value, a form's fields and files, or the raw bytes.

An operation that takes only a form (a multipart upload) is read as FastAPI reads a route with
form fields: never as JSON, and as a form of either kind (multipart or urlencoded, whichever was
sent). A body of another type, or none, is an empty form (its required parts are then
missing, a 422 after authentication), and a multipart body its parser refuses is a 400, with
Starlette's message where it has one (`Missing boundary in multipart.`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connexion.middleware.abstract import RoutedAPI, RoutedMiddleware
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server import jsonio
from mock_server.errors import ApiError, RequestValidationFailed, validation_item
from mock_server.serving import BODY_ARRIVED

PARSED_BODY = "mock_server.body"  # scope key: what this stage read
RAW_BODY = "mock_server.raw_body"  # scope key: the bytes as sent (the journal keeps a copy of the start)
NOT_SENT: Any = type("NotSent", (), {"__repr__": lambda self: "NOT_SENT"})()
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
BODY_NOT_PARSED = "There was an error parsing the body"
# What this Starlette says of a multipart body its parser cannot read, where the real server's
# (0.41) lets the parser's error through to FastAPI, which answers BODY_NOT_PARSED.
PARSER_FAILURES = frozenset({"Invalid multipart data."})


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body, read whole (the body size limit bounds it)."""

    filename: str
    content_type: str
    data: bytes


def split_content_type(value: str | None) -> tuple[str | None, dict[str, str]]:
    """(mime type, parameters) of a Content-Type header; whitespace around `;` and `=` is
    allowed (RFC 9110), the type and parameter names are case-insensitive."""
    if not value:
        return None, {}
    mime, *rest = value.split(";")
    parameters = {}
    for part in rest:
        name, _, text = part.partition("=")
        if name.strip():
            parameters[name.strip().lower()] = text.strip().strip('"')
    return mime.strip().lower(), parameters


def is_json(mime: str | None) -> bool:
    return mime is None or mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))


async def read_body(receive: Receive, limit: int, timeout: float, arrived: Callable[[], bool] | None = None) -> bytes:
    """The whole body (chunked or not); 413 once it passes `limit` bytes, 408 when the client
    pauses more than `timeout` seconds between chunks. `arrived` (the server's, see serving.py)
    says whether the next chunk is there already: then it is taken without a timer."""
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            if arrived is not None and arrived():
                message = await receive()
            else:
                # A timeout around the await, not wait_for: that wraps the receive in a task of
                # its own on every chunk, which costs more than reading a small body.
                async with asyncio.timeout(timeout):
                    message = await receive()
        except TimeoutError:
            raise ApiError(408, f"The request body stalled: nothing arrived for {timeout:g} s") from None
        if message["type"] == "http.disconnect":
            raise ApiError(400, "The client disconnected before sending the whole body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"The request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def parse_json(raw: bytes) -> Any:
    """A JSON body as FastAPI reads it: 422 json_invalid for bad syntax (and for NaN/Infinity,
    which FastAPI parses and then fails to answer), 400 for what it cannot decode; and, intended
    where the real server stores what it then cannot answer, 422 string_unicode for a lone
    surrogate."""
    try:
        return jsonio.loads(raw, parse_constant=_reject_constant)
    except jsonio.LoneSurrogate as error:
        # The real server takes it and then cannot store or answer it (a 500 for every later read).
        message = "Input should be a valid string, unable to parse raw data as a unicode string"
        raise RequestValidationFailed(
            [validation_item("string_unicode", ["body", *error.path], message, None)]
        ) from None
    except json.JSONDecodeError as error:
        item = validation_item("json_invalid", ["body", error.pos], "JSON decode error", {})
        item["ctx"] = {"error": error.msg}
        raise RequestValidationFailed([item]) from None
    except (UnicodeDecodeError, RecursionError, ValueError):
        raise ApiError(400, BODY_NOT_PARSED) from None


async def parse_form(scope: Scope, raw: bytes) -> dict[str, Any]:
    """A form body's fields (text) and files (Upload), through Starlette's form parser."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    try:
        form = await Request(scope, replay).form()
    except (HTTPException, MultiPartException) as error:  # Starlette's refusals, said in its words
        detail = getattr(error, "detail", None) or getattr(error, "message", "")
        raise ApiError(400, BODY_NOT_PARSED if detail in PARSER_FAILURES else detail) from None
    except Exception:  # python-multipart's errors: a malformed form is unparsable, as in FastAPI
        raise ApiError(400, BODY_NOT_PARSED) from None
    fields: dict[str, Any] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            value = Upload(value.filename or "", value.content_type or "application/octet-stream", await value.read())
        fields[name] = value
    return fields


class BodyParseOperation:
    def __init__(self, next_app: ASGIApp, *, takes_body: bool, consumes: list[str], limit: int, timeout: float) -> None:
        self.next_app = next_app
        self.timeout = timeout
        self.takes_body = takes_body
        # Forms are parsed only for an operation that takes one, as FastAPI parses them only for
        # a route with form fields; any other body is kept as bytes (and refused by validation).
        self.forms = {mime for mime in consumes if mime in FORM_TYPES}
        self.form_only = bool(consumes) and all(mime in FORM_TYPES for mime in consumes)
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.takes_body:
            if int(_header(scope, b"content-length") or 0) > self.limit:  # refused before a byte is read
                raise ApiError(413, f"The request body is larger than the limit of {self.limit} bytes")
            raw = await read_body(receive, self.limit, self.timeout, scope.get("extensions", {}).get(BODY_ARRIVED))
            scope[RAW_BODY] = raw
            sent = _header(scope, b"content-type")
            mime, parameters = split_content_type(sent)
            if mime is not None:  # written canonically, so the validation stage reads the type as sent
                canonical = "; ".join([mime, *(f"{k}={v}" for k, v in parameters.items())])
                if canonical != sent:
                    _set_header(scope, b"content-type", canonical)
            if self.form_only:  # as a form route reads any body: a form of either kind, or an empty one
                scope[PARSED_BODY] = await parse_form(scope, raw) if mime in FORM_TYPES else {}
            elif not raw:
                scope[PARSED_BODY] = NOT_SENT
            elif is_json(mime):
                scope[PARSED_BODY] = parse_json(raw)
            elif mime in self.forms:
                scope[PARSED_BODY] = await parse_form(scope, raw)
            else:
                scope[PARSED_BODY] = raw
            receive = _replay(raw, receive)
        await self.next_app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _set_header(scope: Scope, name: bytes, value: str) -> None:
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != name] + [(name, value.encode("latin-1"))]


def _replay(raw: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the body read here to whoever asks again."""
    pending = [{"type": "http.request", "body": raw, "more_body": False}]

    async def receive_() -> Any:
        return pending.pop() if pending else await receive()

    return receive_


class BodyParseAPI(RoutedAPI[BodyParseOperation]):
    def __init__(self, *args: Any, max_body_bytes: int, body_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = max_body_bytes
        self.timeout = body_timeout
        self.add_paths()

    def make_operation(self, operation: Any) -> BodyParseOperation:
        takes_body = bool(operation.request_body)
        consumes = list(operation.consumes) if takes_body else []
        return BodyParseOperation(
            self.next_app, takes_body=takes_body, consumes=consumes, limit=self.limit, timeout=self.timeout
        )


class BodyParseMiddleware(RoutedMiddleware[BodyParseAPI]):
    """Reads and parses each operation's request body before authentication (see the module)."""

    api_cls = BodyParseAPI
