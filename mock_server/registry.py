"""Explicit handler registration, and the check at start that binds every operation.

Each handler module keeps an `Operations` table and registers its coroutines by operationId:

    operations = Operations()

    @operations("getThread")
    async def get_thread(ctx: Context, thread_id: str) -> Reply: ...

At start, `bind` pairs every operation of the contract with its handler, whose parameters (after
the Context) must be exactly the operation's path and query parameters, plus `body` when it takes
one; or with its first success example, when the operation is listed as answered from examples.
Anything else (no handler, a handler for an unknown operation, mismatched parameters, a listed
operation without an example) stops the app with one message naming every operation at fault.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mock_server.checking import AnswerCheck
from mock_server.reply import Reply
from mock_server.spec import Operation

Handler = Callable[..., Awaitable[Reply]]
EXAMPLE_HEADERS = {"X-Mock-Source": "example"}


class StartupError(RuntimeError):
    """The contract and the registered handlers do not fit; the message names each operation."""


class Operations:
    """One handler module's registrations, operationId -> coroutine function."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def __call__(self, operation_id: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if operation_id in self.handlers:
                raise StartupError(f"{operation_id} is registered twice")
            self.handlers[operation_id] = handler
            return handler

        return register


def merge(tables: Iterable[Operations | dict[str, Handler]]) -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for table in tables:
        handlers = table.handlers if isinstance(table, Operations) else table
        for operation_id, handler in handlers.items():
            if operation_id in merged:
                raise StartupError(f"{operation_id} is registered by two handler modules")
            merged[operation_id] = handler
    return merged


@dataclass(frozen=True)
class Binding:
    """One operation and what answers it: a handler, or an example reply."""

    operation: Operation
    check: AnswerCheck
    handler: Handler | None = None
    example: Reply | None = None

    def defaults(self) -> dict[str, Any]:
        return {name: schema["default"] for name, schema in self.operation.query_params.items() if "default" in schema}


def first_success_example(operation: Operation) -> Reply | None:
    for status, response in sorted(operation.responses.items()):
        if not status.startswith("2"):
            continue
        if status == "204":
            return Reply(204, media_type=None, headers=EXAMPLE_HEADERS)
        for media_type, media in (response.get("content") or {}).items():
            examples = media.get("examples") or {}
            if examples:
                return Reply(int(status), next(iter(examples.values()))["value"], media_type, EXAMPLE_HEADERS)
            if "example" in media:
                return Reply(int(status), media["example"], media_type, EXAMPLE_HEADERS)
    return None


def _parameter_problem(operation: Operation, handler: Handler) -> str | None:
    if not inspect.iscoroutinefunction(handler):
        return f"{operation.id}: {handler.__name__} must be an async function"
    names = list(inspect.signature(handler).parameters)[1:]  # the first is the Context
    wanted = operation.parameter_names | ({"body"} if operation.has_body else set())
    if set(names) != wanted:
        return (
            f"{operation.id}: {handler.__name__}({', '.join(['ctx', *names])}) does not take the operation's "
            f"parameters ({', '.join(sorted(wanted)) or 'none'})"
        )
    return None


def bind(
    operations: dict[str, Operation], handlers: dict[str, Handler], example_answered: Iterable[str]
) -> dict[str, Binding]:
    problems: list[str] = []
    bindings: dict[str, Binding] = {}
    examples = set(example_answered)
    for name in sorted((set(handlers) | examples) - set(operations)):
        problems.append(f"{name}: registered, but the contract has no such operation")
    for operation in operations.values():
        check = AnswerCheck(operation.id, operation.responses)
        handler = handlers.get(operation.id)
        if handler is not None and operation.id in examples:
            problems.append(f"{operation.id}: has a handler and is listed as answered from its examples")
        elif handler is not None:
            problem = _parameter_problem(operation, handler)
            if problem:
                problems.append(problem)
            bindings[operation.id] = Binding(operation, check, handler=handler)
        elif operation.id in examples:
            example = first_success_example(operation)
            if example is None:
                problems.append(f"{operation.id}: listed as answered from its examples, but has no success example")
            bindings[operation.id] = Binding(operation, check, example=example)
        else:
            problems.append(f"{operation.id}: no handler, and not listed as answered from its examples")
    if problems:
        raise StartupError("the contract and the handlers do not fit:\n  " + "\n  ".join(problems))
    return bindings
