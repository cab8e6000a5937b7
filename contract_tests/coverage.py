"""The operation × status-code matrix: what the contract documents against what the suite saw,
from Schemathesis' requests, our checks' probes and the workflows' calls. A documented status
that nothing produced is a blind spot of the run, not a failure, unless `--min-coverage` says so."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from contract_tests.contract import Contract


@dataclass
class Matrix:
    contract: Contract
    seen: dict[str, set[int]]  # operationId -> statuses observed

    def documented(self, operation_id: str) -> tuple[str, ...]:
        return self.contract.operations[operation_id].statuses

    def covered(self, operation_id: str) -> list[str]:
        return [code for code in self.documented(operation_id) if self._matches(code, self.seen[operation_id])]

    def missing(self, operation_id: str) -> list[str]:
        covered = set(self.covered(operation_id))
        return [code for code in self.documented(operation_id) if code not in covered]

    def succeeded(self, operation_id: str) -> bool:
        """A documented 2xx was exercised: the operation was seen doing what it is for, so an
        operation without one is untested, however many refusals it answered."""
        return any(code.startswith("2") for code in self.covered(operation_id))

    def undocumented(self, operation_id: str) -> list[int]:
        codes = self.documented(operation_id)
        return sorted(s for s in self.seen[operation_id] if not any(self._matches(c, {s}) for c in codes))

    @property
    def total(self) -> int:
        return sum(len(self.documented(op)) for op in self.contract.operations)

    @property
    def hit(self) -> int:
        return sum(len(self.covered(op)) for op in self.contract.operations)

    @property
    def percent(self) -> float:
        return 100.0 * self.hit / self.total if self.total else 100.0

    @staticmethod
    def _matches(code: str, statuses: set[int]) -> bool:
        if code.upper().endswith("XX"):
            return any(str(s).startswith(code[0]) for s in statuses)
        return code.isdigit() and int(code) in statuses

    def as_dict(self) -> dict[str, object]:
        return {
            "documented": self.total,
            "exercised": self.hit,
            "percent": round(self.percent, 1),
            "operations": {
                op: {
                    "documented": list(self.documented(op)),
                    "exercised": self.covered(op),
                    "missing": self.missing(op),
                    "undocumented": self.undocumented(op),
                }
                for op in self.contract.operations
            },
        }

    def to_markdown(self) -> str:
        lines = [
            "| operation | method and path | documented statuses (✓ exercised, · not) | undocumented seen |",
            "|---|---|---|---|",
        ]
        for op_id, operation in self.contract.operations.items():
            covered = set(self.covered(op_id))
            cells = " ".join(f"{code}{'✓' if code in covered else '·'}" for code in self.documented(op_id))
            extra = " ".join(map(str, self.undocumented(op_id)))
            lines.append(f"| {op_id} | `{operation.label}` | {cells} | {extra} |")
        lines.append(f"\n{self.hit}/{self.total} documented status codes exercised ({self.percent:.1f}%).")
        return "\n".join(lines) + "\n"


def build(contract: Contract, requests: Iterable[tuple[str, int]], journaled: Iterable[dict[str, object]]) -> Matrix:
    """`requests` are (operation label, status) from Schemathesis; `journaled` the journal's entries."""
    seen: dict[str, set[int]] = {op: set() for op in contract.operations}
    for label, status in requests:
        operation = contract.by_label.get(label)
        if operation is not None:
            seen[operation.id].add(int(status))
    for entry in journaled:
        if entry.get("operation") in seen:
            seen[str(entry["operation"])].add(int(entry["status"]))  # type: ignore[call-overload]
    return Matrix(contract, seen)


def write(matrix: Matrix, markdown_path: str, json_path: str) -> None:
    with open(markdown_path, "w", encoding="utf-8") as f:
        f.write(matrix.to_markdown())
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(matrix.as_dict(), f, indent=2)
