"""The workflows' HTTP client: plain httpx, one call per operationId. Every answer is held to the
contract on the way back (a documented status, the response schema, our invariants) and journaled
for the coverage matrix, so a workflow step reads as "call X, expect Y" and still catches breaks.
A Break names the operation, the status and the request that broke, so a workflow's failure can be
reproduced like one of Schemathesis'."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema_rs
import schemathesis

from contract_tests import catalog, causes, invariants, journal, reproduce
from contract_tests.contract import Contract, Operation
from contract_tests.probes import API_KEY_HEADER, SESSION_HEADER

DONE = "[DONE]"
# A multipart body as httpx takes it: the text parts, and the file parts as (name, bytes, type).
Form = tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]


@dataclass(frozen=True)
class Response:
    """An answer held to the contract: its JSON (None when empty), or its bytes and headers."""

    raw: httpx.Response

    def json(self) -> Any:
        return self.raw.json() if self.raw.content else None

    @property
    def content(self) -> bytes:
        return self.raw.content

    @property
    def headers(self) -> httpx.Headers:
        return self.raw.headers


class Break(Exception):
    """The server broke the contract during a workflow; `check` names the promise. A Break raised
    on an answer also carries the operation, the status, the request and a cause (`causes.py`)."""

    def __init__(
        self,
        check: str,
        message: str,
        *,
        operation: Operation | None = None,
        response: httpx.Response | None = None,
        key_variable: str | None = None,
        cause: str = "",
        expected: tuple[int, ...] = (),
    ) -> None:
        super().__init__(message)
        self.check = check
        self.operation_id = operation.id if operation else ""
        self.label = operation.label if operation else ""
        self.status = response.status_code if response is not None else None
        self.response = f"[{response.status_code}] {response.text[:300]}" if response is not None else ""
        self.request = reproduce.from_httpx(response.request, key_variable) if response is not None else None
        self.cause = cause
        self.expected = expected


class Skip(Exception):
    """A workflow cannot go on for a reason that is not the server's fault."""


@dataclass
class Stream:
    """A completion stream: its frames as JSON events, and whether `data: [DONE]` ended it."""

    events: list[dict[str, Any]]
    done: bool

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event.get("type") == kind]

    @property
    def text(self) -> str:
        return "".join(event.get("content", "") for event in self.of_type("content"))


@dataclass
class CallLog:
    """What every caller made from one Client shares: the Breaks they raised (the report finds a
    workflow's request there) and who wants to hear of each request they send (the progress)."""

    breaks: list[Break] = field(default_factory=list)
    on_request: Callable[[str], None] | None = None  # called with the operation's label

    def sent(self, operation: Operation) -> None:
        if self.on_request is not None:
            self.on_request(operation.label)

    def broke(self, error: Break) -> Break:
        self.breaks.append(error)
        return error


@dataclass
class Client:
    base_url: str
    contract: Contract
    key: str | None
    excluded: Collection[str] = ()
    timeout: float = 60.0
    strict: bool = True  # hold answers to the contract; setting up only needs their ids
    session: str | None = None  # sent as X-Mock-Session, so a shared mock keeps the run apart
    key_variable: str = "API_KEY"  # where a reproduction reads this caller's key from
    log: CallLog = field(default_factory=CallLog)
    _http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=self.base_url.rstrip("/"), timeout=self.timeout)

    def as_key(self, key: str | None, key_variable: str = "USER_KEY") -> Client:
        """Another caller; `key_variable` names its key in reproductions (USER_KEY: a user the suite made)."""
        return self._like(key=key, key_variable=key_variable)

    def excluding(self, operation_ids: Collection[str]) -> Client:
        """The same caller, strict, refusing (with Skip) the operations a run leaves out."""
        return self._like(excluded=operation_ids, strict=True)

    def _like(self, **changes: Any) -> Client:
        fields = {
            "key": self.key,
            "excluded": self.excluded,
            "strict": self.strict,
            "key_variable": self.key_variable,
            **changes,
        }
        return Client(self.base_url, self.contract, timeout=self.timeout, session=self.session, log=self.log, **fields)

    def call(
        self,
        operation_id: str,
        *,
        expect: int | Collection[int] = (200, 201, 204),
        json: Any = None,
        form: Form | None = None,
        params: dict[str, Any] | None = None,
        check: str = "workflow",
        **path: str,
    ) -> Any:
        """Call the operation, hold the answer to the contract, and return its JSON body (None when
        empty). `form` is a multipart body, as httpx's (`data`, `files`)."""
        return self.fetch(operation_id, expect=expect, json=json, form=form, params=params, check=check, **path).json()

    def fetch(
        self,
        operation_id: str,
        *,
        expect: int | Collection[int] = (200, 201, 204),
        json: Any = None,
        form: Form | None = None,
        params: dict[str, Any] | None = None,
        check: str = "workflow",
        **path: str,
    ) -> Response:
        """`call`, answering the response itself: for an answer that is bytes (a download)."""
        response = self._send(operation_id, json, params, path, form=form)
        self._expect(operation_id, response, expect, check)
        if self.strict:
            self._check(operation_id, response, params)
        return Response(response)

    def send_raw(self, operation_id: str, content: bytes, *, expect: int, check: str = "workflow", **path: str) -> Any:
        """Send bytes as a JSON body, held to the contract like `call`."""
        response = self._send(operation_id, None, None, path, content=content)
        self._expect(operation_id, response, expect, check)
        if self.strict:
            self._check(operation_id, response, None)
        return response.json() if response.content else None

    def stream(self, body: dict[str, Any], *, expect: int = 200) -> Stream:
        """`createCompletion` with `stream: true`: each `data:` frame must be a StreamEvent."""
        response = self._send("createCompletion", {**body, "stream": True}, None, {})
        self._expect("createCompletion", response, expect, "workflow")
        content_type = response.headers.get("content-type", "")
        operation = self.contract.operations["createCompletion"]
        try:
            if not content_type.startswith("text/event-stream"):
                raise Break("completion_stream", f"the stream answered {content_type!r}, not text/event-stream")
            return _parse_stream(response.text, _stream_event_validator(self.contract))
        except Break as error:
            cause = causes.normalise(f"{catalog.title(error.check)}: {error}")
            raise self._break(error.check, str(error), operation, response, cause) from None

    def _send(
        self,
        operation_id: str,
        body: Any,
        params: dict[str, Any] | None,
        path: dict[str, Any],
        *,
        content: bytes | None = None,
        form: Form | None = None,
    ) -> httpx.Response:
        if operation_id in self.excluded:
            raise Skip(f"uses excluded operation {operation_id}")
        operation = self.contract.operations[operation_id]
        headers = {API_KEY_HEADER: self.key} if self.key else {}
        if self.session:
            headers[SESSION_HEADER] = self.session
        if content is not None:
            headers["Content-Type"] = "application/json"
        data, files = form or (None, None)
        request = self._http.build_request(
            operation.method,
            operation.url(**path),
            json=body,
            content=content,
            data=data,
            files=files,
            params=params,
            headers=headers,
        )
        request.read()  # a multipart body is a stream: read, so a Break can show what was sent
        response = self._http.send(request)
        self.log.sent(operation)
        journal.record(operation_id, response.status_code, "workflow")
        return response

    def _break(
        self,
        check: str,
        message: str,
        operation: Operation,
        response: httpx.Response,
        cause: str,
        expected: tuple[int, ...] = (),
    ) -> Break:
        error = Break(
            check,
            message,
            operation=operation,
            response=response,
            key_variable=self.key_variable,
            cause=cause,
            expected=expected,
        )
        return self.log.broke(error)

    def _expect(self, operation_id: str, response: httpx.Response, expect: int | Collection[int], check: str) -> None:
        operation = self.contract.operations[operation_id]
        status = response.status_code
        wanted = {expect} if isinstance(expect, int) else set(expect)
        if status >= 500 and status not in wanted:  # a server error first, whatever else it breaks
            message = f"{operation.label} ({operation_id}) answered {status}: {response.text[:300]}"
            raise self._break("not_a_server_error", message, operation, response, f"answered {status}")
        if str(status) not in operation.statuses:
            message = (
                f"{operation.label} answered {status}, which the contract does not document "
                f"({', '.join(operation.statuses)}): {response.text[:300]}"
            )
            cause = causes.normalise(f"{catalog.title('status_code_conformance')}: Received: {status}")
            raise self._break("status_code_conformance", message, operation, response, cause)
        if status not in wanted:
            message = (
                f"{operation.label} ({operation_id}) answered {status}, expected "
                f"{' or '.join(map(str, sorted(wanted)))}: {response.text[:300]}"
            )
            # What was expected is part of the cause: the same answer to a request that should have
            # been refused is another finding than to one that should have passed.
            cause = f"answered {status}, expected {' or '.join(map(str, sorted(wanted)))}"
            raise self._break(check, message, operation, response, cause, tuple(sorted(wanted)))

    def _check(self, operation_id: str, response: httpx.Response, params: dict[str, Any] | None) -> None:
        operation = self.contract.operations[operation_id]
        try:
            _schema(str(self.contract.path)).find_operation_by_id(operation_id).validate_response(response)
        except AssertionError as error:  # Schemathesis' Failure and FailureGroup are AssertionErrors
            check = "response_schema_conformance"
            title, _, detail = str(error).partition("\n")
            cause = causes.cause(check, title.strip(), detail, response.status_code)
            raise self._break(check, f"{operation_id}: {error}", operation, response, cause) from None
        if not 200 <= response.status_code < 300 or not response.content or not _is_json(response):
            return
        body, status = response.json(), response.status_code
        query = {**operation.query_defaults, **(params or {})}
        for check, problems in (
            ("id_prefix_matches_object", invariants.id_prefix_problems(self.contract, operation_id, status, body)),
            ("object_string_conformance", invariants.object_string_problems(self.contract, operation_id, status, body)),
            ("list_envelope_conformance", invariants.envelope_problems(body, query.get("limit"), query.get("order"))),
        ):
            if problems:
                cause = causes.cause(check, catalog.title(check), problems[0], status)
                raise self._break(check, f"{operation_id}: " + "; ".join(problems), operation, response, cause)


def _is_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").split(";")[0].strip() == "application/json"


@functools.cache
def _schema(path: str) -> Any:
    return schemathesis.openapi.from_path(path)


@functools.cache
def _stream_event_validator(contract: Contract) -> Any:
    root = {"components": contract.document["components"], "$ref": "#/components/schemas/StreamEvent"}
    return jsonschema_rs.validator_for(root)


def _parse_stream(text: str, validator: Any) -> Stream:
    """SSE as the contract frames it: `data: {json}` blocks separated by blank lines, then `data: [DONE]`."""
    events: list[dict[str, Any]] = []
    done = False
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        if done:
            raise Break("completion_stream", f"a frame after [DONE]: {block[:200]!r}")
        if len(lines) != 1 or not lines[0].startswith("data: "):
            raise Break("completion_stream", f"not a single `data:` line: {block[:200]!r}")
        payload = lines[0].removeprefix("data: ")
        if payload == DONE:
            done = True
            continue
        try:
            event = json.loads(payload)
        except ValueError:
            raise Break("completion_stream", f"a frame that is not JSON: {payload[:200]!r}") from None
        errors = [error.message for error in validator.iter_errors(event)]
        if errors:
            raise Break("completion_stream", f"a frame that is not a StreamEvent ({errors[0]}): {payload[:200]}")
        events.append(event)
    return Stream(events, done)
