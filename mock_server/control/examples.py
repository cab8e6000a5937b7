"""A documented answer of an operation, from the contract's examples: what `Prefer: code=…` /
`example=…` and an error fault answer. The contract has an example for every documented body
(tests/test_contract_document.py), so an example is always there to send."""

from __future__ import annotations

from typing import Any

from mock_server.registry import EXAMPLE_HEADERS
from mock_server.reply import Reply
from mock_server.spec import Operation


def examples_of(operation: Operation, status: int) -> dict[str, tuple[str, Any]]:
    """name -> (media type, value) of one documented status."""
    response = operation.responses.get(str(status)) or {}
    found: dict[str, tuple[str, Any]] = {}
    for media_type, media in (response.get("content") or {}).items():
        for name, example in (media.get("examples") or {}).items():
            found.setdefault(name, (media_type, example.get("value")))
        if "example" in media:
            found.setdefault("default", (media_type, media["example"]))
    return found


def example_reply(operation: Operation, status: int, name: str | None = None) -> Reply:
    """The status with its example (the named one, else the first); KeyError for a name it lacks."""
    response = operation.responses[str(status)]
    headers = dict(EXAMPLE_HEADERS)
    for header, spec in (response.get("headers") or {}).items():
        example = spec.get("example") or (spec.get("schema") or {}).get("example")
        if example is not None or spec.get("required"):
            headers[header] = str(example if example is not None else "mock")
    examples = examples_of(operation, status)
    if not examples:
        return Reply(status, media_type=None, headers=headers)
    media_type, value = examples[name] if name is not None else next(iter(examples.values()))
    return Reply(status, value, media_type, headers)


def status_of_example(operation: Operation, name: str) -> int | None:
    """The documented status (successes first) that has an example of this name."""
    for status in sorted(operation.responses, key=lambda s: (not s.startswith("2"), s)):
        if status.isdigit() and name in examples_of(operation, int(status)):
            return int(status)
    return None
