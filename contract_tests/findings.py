"""One cause, one entry. Every sighting of a broken promise (a failed Schemathesis check on one
request, a workflow that stopped) is grouped with the others of the same check, at the same place,
with the same cause (`causes.py`): five workflows that stop at the same rejected request are one
finding that lists them; Schemathesis' failures of one check on one operation with one cause are
one finding that counts them. Findings are then ranked (`catalog.py`): server errors and security
first, then contract breaks, then the rest; within a tier, what more workflows and requests ran
into comes first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contract_tests import catalog, causes, reproduce
from contract_tests.reproduce import Request

if TYPE_CHECKING:
    from contract_tests.client import Break
    from contract_tests.world import Result


@dataclass(frozen=True)
class Sighting:
    """One failure on one request (or one workflow that stopped)."""

    check: str
    where: str  # the operation's label ("GET /v1/threads/{thread_id}"), else the workflow's name
    title: str
    message: str
    cause: str
    status: int | None = None  # what the server answered to the request that broke
    response: str = ""  # "[422] {"detail": …}"
    request: Request | None = None
    workflow: str = ""  # the workflow that stopped here; "" for Schemathesis
    expected: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return causes.key(self.check, self.where, self.cause)


@dataclass
class Finding:
    """Every sighting of one cause, with one of them (the smallest request) as the example."""

    check: str
    where: str
    cause: str
    sightings: list[Sighting]
    tier: int
    reproduce: str = ""
    number: int = 0  # its place in the summary, given once the findings are ranked
    known: bool = False  # in the baseline the run was given

    @property
    def key(self) -> str:
        return causes.key(self.check, self.where, self.cause)

    @property
    def example(self) -> Sighting:
        return min(self.sightings, key=_example_order)

    @property
    def workflows(self) -> list[str]:
        return list(dict.fromkeys(s.workflow for s in self.sightings if s.workflow))

    @property
    def requests(self) -> int:
        """How many of Schemathesis' requests saw it."""
        return sum(1 for s in self.sightings if not s.workflow)

    @property
    def server_error(self) -> bool:
        return any(s.status is not None and s.status >= 500 for s in self.sightings)


def group(sightings: Iterable[Sighting], bodies_dir: Path) -> list[Finding]:
    """Findings, ranked; each example's reproduction written (a body that cannot go inline is
    saved under `bodies_dir`)."""
    by_key: dict[str, list[Sighting]] = {}
    for sighting in sightings:
        by_key.setdefault(sighting.key, []).append(sighting)
    found = []
    for same in by_key.values():
        first = same[0]
        tier = min(catalog.tier(s.check, s.title, s.status, s.expected) for s in same)
        finding = Finding(first.check, first.where, first.cause, same, tier)
        example = finding.example
        if example.request is not None:
            finding.reproduce = reproduce.curl(example.request, bodies_dir)
        found.append(finding)
    return sorted(found, key=_rank)


def from_workflows(results: Iterable[Result], breaks: list[Break]) -> list[Sighting]:
    """The failed workflows as sightings. A workflow reports a Break as its message and check;
    the request behind it is found in the log of Breaks its client raised."""
    sightings = []
    for result in results:
        if result.status != "failed":
            continue
        error = break_of(result, breaks)
        where = error.label if error is not None and error.label else result.name
        sightings.append(
            Sighting(
                check=result.check,
                where=where,
                title=catalog.title(result.check),
                message=result.message,
                cause=(error.cause if error is not None and error.cause else causes.normalise(result.message)),
                status=error.status if error is not None else None,
                response=error.response if error is not None else "",
                request=error.request if error is not None else None,
                workflow=result.name,
                expected=error.expected if error is not None else (),
            )
        )
    return sightings


def break_of(result: Result, breaks: list[Break]) -> Break | None:
    """The Break a failed workflow ended with: the latest one with its check and message."""
    if result.status != "failed":
        return None
    return next((b for b in reversed(breaks) if b.check == result.check and str(b) == result.message), None)


def _example_order(sighting: Sighting) -> tuple[int, int]:
    """The sighting to show: one with a request to reproduce, the smallest body first."""
    if sighting.request is None:
        return (1, 0)
    return (0, len(sighting.request.body or b""))


def _rank(finding: Finding) -> tuple[object, ...]:
    return (
        finding.tier,
        0 if finding.server_error else 1,  # within the first tier, server errors before security
        catalog.ORDER.get(finding.check, len(catalog.ORDER)),
        -len(finding.workflows),
        -len(finding.sightings),
        finding.where,
        finding.cause,
    )
