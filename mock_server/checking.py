"""Every answer the mock sends, held to the contract before it leaves: its status must be
documented for the operation, its media type documented for that status, a JSON body valid
against the schema, a required response header present, and each server-sent event valid
against the schema the contract gives its `data` (`x-sse-events`), the terminator last.

A reply that breaks the contract is a bug in the mock; it becomes a ContractBreach, which the
error renderer turns into a 500 naming the operation and the problem (or, mid-stream, an error
event)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from mock_server.compiled import COMPILED
from mock_server.reply import EVENT_STREAM, Event, Reply


class ContractBreach(Exception):
    """The mock was about to send an answer the contract does not allow."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def problems_of(schema: dict[str, Any], value: Any) -> list[str]:
    validator = COMPILED.validator(schema, request=False)
    if validator.is_valid(value):
        return []
    try:
        return [f"{e.message} at /{'/'.join(map(str, e.instance_path))}" for e in validator.iter_errors(value)]
    except ValueError:  # jsonschema-rs builds no error for a value nested too deeply
        return ["a value nested too deeply to report does not match the schema"]


# A documented status: its response, its required headers (lower case, as named) and its content.
_Documented = tuple[dict[str, Any], tuple[tuple[str, str], ...], dict[str, Any]]


class AnswerCheck:
    """What one operation may answer, from its resolved `responses`."""

    def __init__(self, operation_id: str, responses: dict[str, Any]) -> None:
        self.operation_id = operation_id
        self._responses = responses
        # Worked out once per status sent, as every check of that status needs it.
        self._by_status: dict[int, _Documented | None] = {}
        self._event_rules: dict[int, EventRules] = {}

    def _response(self, status: int) -> dict[str, Any] | None:
        text = str(status)
        for key in (text, f"{text[0]}XX", f"{text[0]}xx", "default"):
            if key in self._responses:
                return self._responses[key]
        return None

    def _documented(self, status: int) -> _Documented | None:
        if status not in self._by_status:
            response = self._response(status)
            documented = None
            if response is not None:
                headers = (response.get("headers") or {}).items()
                required = tuple((name.lower(), name) for name, header in headers if header.get("required"))
                documented = (response, required, response.get("content") or {})
            self._by_status[status] = documented
        return self._by_status[status]

    def check(self, reply: Reply) -> Reply:
        """The reply if it keeps the contract (an event stream given the check each of its events
        must pass as it is rendered); ContractBreach otherwise."""
        documented = self._documented(reply.status)
        if documented is None:
            raise ContractBreach(f"{self.operation_id} answered an undocumented {reply.status}")
        response, required_headers, content = documented
        if required_headers:
            sent = {key.lower() for key in reply.headers}
            for lower, name in required_headers:
                if lower not in sent:
                    raise ContractBreach(f"{self._where(reply)}: the required header {name} is missing")
        if not reply.has_body:
            if content and not response.get("x-body-optional"):
                raise ContractBreach(f"{self._where(reply)}: no body, but the contract documents {', '.join(content)}")
            return reply
        media = content.get(reply.media_type or "")
        if media is None:
            raise ContractBreach(
                f"{self._where(reply)}: {reply.media_type} is not documented ({', '.join(content) or 'no body'})"
            )
        if reply.events is not None:
            if reply.media_type != EVENT_STREAM:
                raise ContractBreach(f"{self._where(reply)}: an event stream sent as {reply.media_type}")
            # Checked as it is rendered, each event just before it is framed (rendering.py): one
            # pass over the stream, not a generator of its own around it.
            return replace(reply, check=StreamCheck(self._events(reply.status, media)))
        if isinstance(reply.body, bytes | str):
            return reply  # a binary or text body: its media type is all the contract says of it
        problems = problems_of(media.get("schema") or {}, reply.body)
        if problems:
            raise ContractBreach(f"{self._where(reply)}: {'; '.join(problems)}")
        return reply

    def _where(self, reply: Reply) -> str:
        return f"{self.operation_id} {reply.status}"

    def _events(self, status: int, media: dict[str, Any]) -> EventRules:
        rules = self._event_rules.get(status)
        if rules is None:
            rules = self._event_rules[status] = EventRules(f"{self.operation_id} {status}", media)
        return rules


class EventRules:
    """What a documented event stream allows: each event's `data` valid against the schema
    `x-sse-events` gives its name, the terminator (`x-sse-terminator`) last. Made once per
    operation and status, so a frame's check is a dict lookup and one validation."""

    def __init__(self, where: str, media: dict[str, Any]) -> None:
        self.where = where
        self.terminator = media.get("x-sse-terminator")
        self.schemas: dict[str, Any] = media.get("x-sse-events") or {}
        self.validators = {name: COMPILED.validator(schema, request=False) for name, schema in self.schemas.items()}


class StreamCheck:
    """One stream's check: called with each event before it is sent; ContractBreach for one the
    contract does not allow (an undocumented name, data breaking its schema, anything after the
    terminator)."""

    __slots__ = ("rules", "ended")

    def __init__(self, rules: EventRules) -> None:
        self.rules = rules
        self.ended = False

    def __call__(self, event: Event) -> None:
        if event.comment is not None:
            return
        rules = self.rules
        if self.ended:
            raise ContractBreach(f"{rules.where}: an event after the terminator {rules.terminator}")
        if event.event is None and rules.terminator is not None and event.data == rules.terminator:
            self.ended = True
            return
        name = event.event or "message"
        validator = rules.validators.get(name)
        if validator is None:
            raise ContractBreach(f"{rules.where}: an undocumented `{name}` event")
        if not validator.is_valid(event.data):
            problems = "; ".join(problems_of(rules.schemas[name], event.data))
            raise ContractBreach(f"{rules.where}: a `{name}` event {event.data!r} breaks the contract: {problems}")


async def checked(events: AsyncIterator[Event], check: Callable[[Event], None]) -> AsyncIterator[Event]:
    """The events, each checked before it goes on: for a stage between the check and the
    rendering (a fault that damages what was checked). Closed, it closes them at once, so a
    turn cut short settles its run before the answer ends, not when the collector finds it."""
    try:
        async for event in events:
            check(event)
            yield event
    finally:
        close = getattr(events, "aclose", None)
        if close is not None:
            await close()
