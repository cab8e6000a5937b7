"""What the suite could not create, and so could not test. The seeding (`seed.py`) and the
workflows create runs, threads, assistants… before anything else; when the server refuses one
(`createRun` answers 422), everything that needs that resource goes untested, and the summary says
so at the top rather than letting "no failures" read as "kept".

What needs a resource comes from the contract: an operation *creates* the fields its success
links fill from `$response.body#/id` (`createRun` → `run_id`); an operation *needs* its path
parameters and its request body's required fields. What a blocked operation would have created
is missing too (no run, so no action)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from contract_tests.client import Break
from contract_tests.contract import Contract, Operation
from contract_tests.coverage import Matrix

ID_FROM_BODY = "$response.body#/id"


@dataclass(frozen=True)
class Blocked:
    resource: str  # "runs"
    operation: Operation  # the create the server refused
    answer: str  # "[422] {"detail": …}"
    by: tuple[str, ...]  # who tried: "seeding", workflow names
    untested: tuple[str, ...]  # operationIds that need the resource and never got a documented success
    workflows: tuple[str, ...]  # the workflows that stopped at the refusal


def find(
    contract: Contract, attempts: Iterable[tuple[str, Break]], matrix: Matrix, excluded: set[str]
) -> list[Blocked]:
    """`attempts` are (who, Break): the seeding's Break, each failed workflow's."""
    by_operation: dict[str, list[tuple[str, Break]]] = {}
    for who, error in attempts:
        operation = contract.operations.get(error.operation_id)
        refused = error.status is not None and not 200 <= error.status < 300
        if operation is not None and refused and creates(operation):
            by_operation.setdefault(operation.id, []).append((who, error))
    found = []
    for operation_id, tries in by_operation.items():
        operation = contract.operations[operation_id]
        dependents = needing(contract, missing_after(contract, operation))
        untested = tuple(
            op for op in dependents if op != operation_id and op not in excluded and not matrix.succeeded(op)
        )
        who = tuple(dict.fromkeys(name for name, _ in tries))
        found.append(
            Blocked(
                resource=_resource(operation),
                operation=operation,
                answer=tries[0][1].response,
                by=who,
                untested=untested,
                workflows=tuple(name for name in who if name != "seeding"),
            )
        )
    return found


def creates(operation: Operation) -> set[str]:
    return {
        name.removeprefix("body.")
        for status, links in operation.links.items()
        if status.startswith("2")
        for link in links
        for name, expression in link.parameters.items()
        if expression == ID_FROM_BODY
    }


def needs(contract: Contract, operation: Operation) -> set[str]:
    raw = contract.document["paths"][operation.path][operation.method.lower()]
    body = contract.resolve(raw.get("requestBody", {})).get("content", {}).get("application/json", {})
    return set(operation.path_parameters) | (_required(contract, body["schema"]) if "schema" in body else set())


def missing_after(contract: Contract, refused: Operation) -> set[str]:
    """The fields the refused create would have filled, and those of every create that needs them."""
    missing = creates(refused)
    grew = True
    while grew:
        grew = False
        for operation in contract.operations.values():
            made = creates(operation)
            if needs(contract, operation) & missing and not made <= missing:
                missing |= made
                grew = True
    return missing


def needing(contract: Contract, fields: set[str]) -> list[str]:
    return [op.id for op in contract.operations.values() if needs(contract, op) & fields]


def _required(contract: Contract, schema: Any) -> set[str]:
    """The required properties of a body schema, through `$ref`s and `allOf` (which
    `Contract.resolve` merges without their `required`)."""
    while isinstance(schema, dict) and "$ref" in schema:
        target: Any = contract.document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        schema = target
    if not isinstance(schema, dict):
        return set()
    required = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        required |= _required(contract, part)
    return required


def _resource(operation: Operation) -> str:
    """`POST /v1/runs` → "runs": the last part of the path that is not a parameter."""
    parts = [part for part in operation.path.split("/") if part and not part.startswith("{")]
    return parts[-1] if parts else operation.id
