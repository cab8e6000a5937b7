"""`Prefer`, as Prism reads it where the two overlap: `code=404` answers that documented status
with its example, `example=NAME` a named example, plus `delay=MS` (asked of Prism since 2020,
#1140). Preferences are separated by commas or semicolons (RFC 7240); unknown ones are ignored,
as RFC 7240 says. A code the operation does not document, an example it lacks, or a delay that
is not a number of milliseconds up to `MAX_DELAY_MS`, is refused with a 400 saying so."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_server.control.examples import example_reply, examples_of, status_of_example
from mock_server.control.faults import MockRefusal
from mock_server.reply import Reply
from mock_server.spec import Operation

MAX_DELAY_MS = 60_000
_SPLIT = re.compile(r"[,;]")


@dataclass(frozen=True)
class Preference:
    reply: Reply | None
    delay: float
    label: str


def read_prefer(value: str, operation: Operation) -> Preference | None:
    wanted: dict[str, str] = {}
    for part in _SPLIT.split(value):
        name, _, given = part.partition("=")
        name = name.strip().lower()
        if name in ("code", "example", "delay"):
            wanted[name] = given.strip().strip('"')
    if not wanted:
        return None
    delay = 0.0
    if "delay" in wanted:
        text = wanted["delay"]
        if not text.isdigit() or int(text) > MAX_DELAY_MS:
            raise MockRefusal(f"Prefer: delay={text} is not a whole number of milliseconds from 0 to {MAX_DELAY_MS}")
        delay = int(text) / 1000
    reply = None
    code, name = wanted.get("code"), wanted.get("example")
    documented = sorted(operation.responses)
    if code is not None:
        if code not in documented:
            raise MockRefusal(
                f"Prefer: code={code}: {operation.id} does not document it (it documents {', '.join(documented)})"
            )
        if name is not None and name not in examples_of(operation, int(code)):
            raise MockRefusal(f"Prefer: example={name}: {operation.id} has no such example for {code}")
        reply = example_reply(operation, int(code), name)
    elif name is not None:
        status = status_of_example(operation, name)
        if status is None:
            raise MockRefusal(f"Prefer: example={name}: {operation.id} has no example of that name")
        reply = example_reply(operation, status, name)
    label = "Prefer: " + ", ".join(f"{k}={v}" for k, v in wanted.items())
    return Preference(reply, delay, label)
