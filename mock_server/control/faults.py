"""Faults a session asks for (`PUT /__mock__/faults`), and what they do to one answer.

A fault applies after authentication and request validation, as a real server fails: a delay,
then at most one of an error answer (the contract's example for a documented status), a dropped
connection, or a damaged stream. Which requests it hits follows its `times` and `probability`,
drawn from the session's own random generator (seeded under `--seed`), so a seeded run fails
the same requests every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from mock_server.control.examples import example_reply
from mock_server.errors import ApiError
from mock_server.reply import Reply
from mock_server.spec import Operation

ANY = "*"
STREAMED = frozenset({"createCompletion", "getRunEvents"})


class MockRefusal(ApiError):
    """A request to the mock itself (a fault, a `Prefer`) it cannot carry out: 400, in the shape
    of the control plane's `Refused` answer rather than of the operation's errors."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


@dataclass
class Fault:
    id: int
    operation: str
    times: int | None
    remaining: int | None
    probability: float
    delay_ms: int | None = None
    delay_max_ms: int | None = None
    status: int | None = None
    drop_connection: bool = False
    stream: dict[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "times": self.times,
            "remaining": self.remaining,
            "probability": self.probability,
        }
        for name in ("delay_ms", "delay_max_ms", "status", "stream"):
            if getattr(self, name) is not None:
                shown[name] = getattr(self, name)
        if self.drop_connection:
            shown["drop_connection"] = True
        return shown

    @property
    def label(self) -> str:
        what = [f"fault {self.id}"]
        if self.delay_ms is not None:
            what.append(f"delay {self.delay_ms}" + (f"-{self.delay_max_ms}" if self.delay_max_ms else "") + " ms")
        if self.status is not None:
            what.append(f"status {self.status}")
        if self.drop_connection:
            what.append("dropped connection")
        if self.stream:
            what.append("stream " + ", ".join(f"{k}={v}" for k, v in self.stream.items()))
        return ": ".join([what[0], ", ".join(what[1:])]) if len(what) > 1 else what[0]

    def delay(self, chance: random.Random) -> float:
        if self.delay_ms is None:
            return 0.0
        if self.delay_max_ms is None:
            return self.delay_ms / 1000
        return chance.uniform(self.delay_ms, self.delay_max_ms) / 1000


def parse_faults(specs: list[dict[str, Any]], operations: dict[str, Operation]) -> list[Fault]:
    """Faults from a request body already valid against the control plane's `FaultSpec`;
    MockRefusal for what the schema cannot say (an unknown operation, an undocumented status)."""
    faults = []
    for number, spec in enumerate(specs, start=1):
        where = f"faults[{number - 1}]"
        operation = spec.get("operation", ANY)
        if operation != ANY and operation not in operations:
            raise MockRefusal(f"{where}: {operation} is not an operation of the Entities API")
        kinds = [k for k in ("status", "stream") if spec.get(k) is not None] + (
            ["drop_connection"] if spec.get("drop_connection") else []
        )
        if len(kinds) > 1:
            raise MockRefusal(f"{where}: one of status, drop_connection and stream at a time (got {', '.join(kinds)})")
        status = spec.get("status")
        if status is not None:
            if operation == ANY:
                raise MockRefusal(f"{where}: a status needs a named operation (statuses differ between operations)")
            documented = sorted(operations[operation].responses)
            if str(status) not in documented:
                raise MockRefusal(
                    f"{where}: {operation} does not document status {status} (it documents {', '.join(documented)})"
                )
        if spec.get("stream") is not None and operation not in STREAMED:
            raise MockRefusal(f"{where}: stream faults apply to {' and '.join(sorted(STREAMED))} only")
        low, high = spec.get("delay_ms"), spec.get("delay_max_ms")
        if high is not None and (low is None or high < low):
            raise MockRefusal(f"{where}: delay_max_ms needs a delay_ms no larger than it")
        times = spec.get("times")
        faults.append(
            Fault(
                id=number,
                operation=operation,
                times=times,
                remaining=times,
                probability=spec.get("probability", 1.0),
                delay_ms=low,
                delay_max_ms=high,
                status=status,
                drop_connection=bool(spec.get("drop_connection")),
                stream=spec.get("stream"),
            )
        )
    return faults


def take(faults: list[Fault], operation_id: str, chance: random.Random) -> Fault | None:
    """The first fault that hits this request, counted (a fault whose `times` are used up goes)."""
    for fault in faults:
        if fault.operation not in (ANY, operation_id):
            continue
        if fault.probability < 1 and chance.random() >= fault.probability:
            continue
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining == 0:
                faults.remove(fault)
        return fault
    return None


def fault_reply(fault: Fault, operation: Operation) -> Reply | None:
    return example_reply(operation, fault.status) if fault.status is not None else None
