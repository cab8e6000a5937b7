"""The cause of a failure in words that stay the same from run to run, so the same bug found again
with other generated data, other ids and at another time reads the same: that sentence groups the
sightings of one bug into one finding, and names it in a baseline.

A cause is the failure's title and the first line of what it says, with what varies taken out:
ids (`thread_<id>`), UUIDs, e-mail addresses, timestamps and numbers become placeholders (a
3-digit number from 100 to 599 is an HTTP status and stays, unless it is a `name=value`); the
response body a message quotes after "answered 404 …:" is dropped; and a JSON Schema message loses
the rejected value it starts with (it is the server's data), keeping what the schema wanted and
where. Checks that judge a status code (a server error, data accepted or rejected) add the status
the server answered, since their messages do not say it."""

from __future__ import annotations

import json
import re

from contract_tests import catalog

MAX_LENGTH = 200
STATUS_CHECKS = {"not_a_server_error", "negative_data_rejection", "positive_data_acceptance"}

_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
# `thread_` + 10 or more letters and digits, at least one of them a digit or a capital: an id, not
# a field name such as `thread_participants`.
_ID = re.compile(r"\b([a-z][a-z0-9]*_)(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]{10,}\b")
_HEX = re.compile(r"\b[0-9a-f]{12,}\b")
_DICT_VALUE = re.compile(r"('[\w-]+': )'[^']*'")  # {'thread_id': 'whatever was generated'}
_ASSIGNED = re.compile(r"=\s*-?\d+(?:\.\d+)?")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_QUOTED_BODY = re.compile(r"(answered \d{3}\b[^:{]*?):\s.*$")
_SPACE = re.compile(r"\s+")


def cause(check: str, title: str, message: str, status: int | None = None) -> str:
    """The cause of one failure, as Schemathesis or our checks reported it."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if check in STATUS_CHECKS and status is not None:
        detail = f"answered {status}"
    elif title == catalog.title("response_schema_conformance") and lines:
        detail = _schema_violation(lines)
    else:
        detail = lines[0] if lines else ""
    return normalise(f"{title}: {detail}" if detail else title)


def normalise(text: str) -> str:
    text = _QUOTED_BODY.sub(r"\1", text.strip().splitlines()[0] if text.strip() else "")
    text = _UUID.sub("<uuid>", text)
    text = _EMAIL.sub("<email>", text)
    text = _TIME.sub("<time>", text)
    text = _ID.sub(r"\1<id>", text)
    text = _HEX.sub("<hex>", text)
    text = _DICT_VALUE.sub(r"\1'<value>'", text)
    text = _ASSIGNED.sub("=N", text)
    text = _NUMBER.sub(_number, text)
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"


def key(check: str, where: str, cause_text: str) -> str:
    """A finding's name in a baseline: which check, where, and why."""
    return f"{check} | {where} | {cause_text}"


def _number(match: re.Match[str]) -> str:
    number = match.group(0)
    return number if number.isdigit() and len(number) == 3 and 100 <= int(number) <= 599 else "N"


def _schema_violation(lines: list[str]) -> str:
    """`"abc" is not of type "integer"` at `Schema at /properties/created_at:` → what was wanted, and where."""
    validation = lines[0]
    if not validation.endswith("is a required property"):  # there the quoted name is the schema's
        validation = _without_leading_value(validation)
    where = next((line.rstrip(":") for line in lines[1:] if line.startswith("Schema at ")), "")
    return f"{validation} ({where.lower()})" if where else validation


def _without_leading_value(validation: str) -> str:
    try:
        _, end = json.JSONDecoder().raw_decode(validation)
    except ValueError:  # a value Schemathesis shortened with "…", or a message that starts otherwise
        match = re.match(r"^(.+?) (is|does|has) ", validation)
        return f"<value>{validation[len(match.group(1)) :]}" if match else validation
    return f"<value>{validation[end:]}"
