"""Every answer the mock sends, held to the contract before it leaves: its status must be
documented for the operation, its media type documented for that status, a JSON body valid
against the schema, a required response header present, and each server-sent event valid
against the schema the contract gives its `data` (`x-sse-events`), the terminator last.

A reply that breaks the contract is a bug in the mock; it becomes a ContractBreach, which the
error renderer turns into a 500 naming the operation and the problem (or, mid-stream, an error
event)."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
        """The reply if it keeps the contract (its event stream wrapped to be checked frame by
        frame); ContractBreach otherwise."""
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
            return Reply(
                reply.status,
                media_type=reply.media_type,
                headers=reply.headers,
                events=_checked_events(self._where(reply), media, reply.events),
                line_end=reply.line_end,
            )
        if isinstance(reply.body, bytes | str):
            return reply  # a binary or text body: its media type is all the contract says of it
        problems = problems_of(media.get("schema") or {}, reply.body)
        if problems:
            raise ContractBreach(f"{self._where(reply)}: {'; '.join(problems)}")
        return reply

    def _where(self, reply: Reply) -> str:
        return f"{self.operation_id} {reply.status}"


async def _checked_events(where: str, media: dict[str, Any], events: AsyncIterator[Event]) -> AsyncIterator[Event]:
    schemas: dict[str, Any] = media.get("x-sse-events") or {}
    terminator = media.get("x-sse-terminator")
    ended = False
    async for event in events:
        if event.comment is not None:
            yield event
            continue
        if ended:
            raise ContractBreach(f"{where}: an event after the terminator {terminator}")
        if terminator is not None and event.data == terminator and event.event is None:
            ended = True
            yield event
            continue
        name = event.event or "message"
        schema = schemas.get(name)
        if schema is None:
            raise ContractBreach(f"{where}: an undocumented `{name}` event")
        problems = problems_of(schema, event.data)
        if problems:
            raise ContractBreach(f"{where}: a `{name}` event {event.data!r} breaks the contract: {'; '.join(problems)}")
        yield event
