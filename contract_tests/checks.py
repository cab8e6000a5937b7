"""Our own checks: what openapi.yaml promises that its schemas alone cannot say. Schemathesis loads
this module through its hooks mechanism (the runner names it in the generated config's `hooks`;
`SCHEMATHESIS_HOOKS=contract_tests.checks` does the same by hand), and runs each check on every
response of every phase. Each raises a `Failure` subclass whose title names the broken promise."""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.core.failures import Failure, Severity

from contract_tests import contract as _contract
from contract_tests import invariants, probes
from contract_tests.contract import Operation

# A delete that documents the resource as still readable afterwards (with a flag that says so).
STILL_READABLE_AFTER_DELETE = {"revokeApiKey": "getApiKey still shows a revoked key, with is_active: false"}
MAX_PAGE = 100  # the contract's `limit` maximum: a page of 100 cannot be checked with a 101 probe


class IdPrefixMismatch(Failure):
    kind_title = "Id prefix does not match the object"


class ObjectStringMismatch(Failure):
    kind_title = "Wrong `object` string"


class BrokenListEnvelope(Failure):
    kind_title = "List envelope broken"


class CreatedButNotReadable(Failure):
    kind_title = "Created resource is not readable"


class DeletedButStillReadable(Failure):
    kind_title = "Deleted resource is still readable"


class CrossUserAccess(Failure):
    kind_title = "Another user's resource is reachable"


def _success(case: Any, response: Any) -> tuple[Operation, Any] | None:
    """The contract's operation and the JSON body of a 2xx answer; None for anything else."""
    operation = _contract.load().by_label.get(case.operation.label)
    if operation is None or not 200 <= response.status_code < 300:
        return None
    return operation, probes.json_body(response)


def _fail(kind: type[Failure], case: Any, message: str, severity: Severity = Severity.HIGH) -> Failure:
    return kind(operation=case.operation.label, message=message, severity=severity)


def _key(response: Any) -> str | None:
    return response.request.headers.get(probes.API_KEY_HEADER)


@schemathesis.check
def id_prefix_matches_object(ctx: Any, response: Any, case: Any) -> bool | None:
    found = _success(case, response)
    if found is None:
        return None
    problems = invariants.id_prefix_problems(_contract.load(), found[0].id, response.status_code, found[1])
    if problems:
        raise _fail(IdPrefixMismatch, case, "\n".join(problems))
    return None


@schemathesis.check
def object_string_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    found = _success(case, response)
    if found is None:
        return None
    problems = invariants.object_string_problems(_contract.load(), found[0].id, response.status_code, found[1])
    if problems:
        raise _fail(ObjectStringMismatch, case, "\n".join(problems))
    return None


@schemathesis.check
def list_envelope_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    found = _success(case, response)
    if found is None or case.method.upper() != "GET":
        return None
    operation, body = found
    query = dict(case.query or {})
    limit = _as_int(query.get("limit", operation.query_defaults.get("limit")))
    problems = invariants.envelope_problems(body, limit, query.get("order"))
    if not problems and body and body.get("object") == "list" and limit and len(body.get("data", [])) == limit:
        problems = _has_more_problems(operation, case, response, body, limit)
    if problems:
        raise _fail(BrokenListEnvelope, case, "\n".join(problems))
    return None


def _has_more_problems(operation: Operation, case: Any, response: Any, body: Any, limit: int) -> list[str]:
    """A full page says whether more follow: fetch one more item and see."""
    if limit >= MAX_PAGE:
        return []
    query = {**(case.query or {}), "limit": limit + 1}
    root = probes.base_url(response.request.url)
    larger = probes.send(
        root, operation, _key(response), case.path_parameters or {}, query=query, source="list_envelope_conformance"
    )
    data = (probes.json_body(larger) or {}).get("data")
    if larger.status_code != 200 or not isinstance(data, list):
        return []
    more = len(data) > limit
    if body.get("has_more") is not more:
        return [f"has_more is {body.get('has_more')!r}, but limit={limit + 1} returns {len(data)} items"]
    return []


@schemathesis.check
def created_then_readable(ctx: Any, response: Any, case: Any) -> bool | None:
    found = _success(case, response)
    if found is None or case.method.upper() != "POST":
        return None
    operation, body = found
    contract = _contract.load()
    for link in operation.links.get(str(response.status_code), ()):
        target = contract.operations.get(link.target)
        if target is None or target.method != "GET" or not target.id.startswith("get"):
            continue
        values = {
            name: probes.evaluate(
                expression,
                path_parameters=case.path_parameters or {},
                query=case.query or {},
                request_body=case.body,
                response_body=body,
            )
            for name, expression in link.parameters.items()
        }
        path = {name: values.get(name, probes.NOT_SET) for name in target.path_parameters}
        if any(value is probes.NOT_SET or value is None for value in path.values()):
            continue
        root = probes.base_url(response.request.url)
        read = probes.send(root, target, _key(response), path, source="created_then_readable")
        read_body = probes.json_body(read)
        created_id = body.get("id") if isinstance(body, dict) else None
        if not 200 <= read.status_code < 300:
            message = f"{target.label} ({target.id}) answered {read.status_code} right after: {read.text[:300]}"
            raise _fail(CreatedButNotReadable, case, message)
        linked_by_id = link.parameters.get(target.path_parameters[-1]) == "$response.body#/id"
        if linked_by_id and isinstance(read_body, dict) and read_body.get("id") not in (None, created_id):
            message = f"{target.label} returned id {read_body.get('id')!r}, not the created {created_id!r}"
            raise _fail(CreatedButNotReadable, case, message)
    return None


@schemathesis.check
def deleted_then_not_found(ctx: Any, response: Any, case: Any) -> bool | None:
    found = _success(case, response)
    if found is None or case.method.upper() != "DELETE" or found[0].id in STILL_READABLE_AFTER_DELETE:
        return None
    operation = found[0]
    read = _contract.load().find("GET", operation.path)
    if read is None or not case.path_parameters or "404" not in read.statuses:
        return None
    root = probes.base_url(response.request.url)
    after = probes.send(root, read, _key(response), case.path_parameters, source="deleted_then_not_found")
    if after.status_code != 404:
        message = f"{read.label} ({read.id}) answered {after.status_code} after the delete, not 404: {after.text[:300]}"
        raise _fail(DeletedButStillReadable, case, message)
    return None


# One probe per (operation, resource): enough to show a leak, cheap enough to run on every answer.
_probed: set[tuple[str, tuple[tuple[str, str], ...]]] = set()


@schemathesis.check
def no_cross_user_access(ctx: Any, response: Any, case: Any) -> bool | None:
    found, other = _success(case, response), probes.second_user()
    if found is None or other is None or not case.path_parameters or case.method.upper() == "DELETE":
        return None
    operation = found[0]
    other_key, other_id = other
    parameters = {name: str(value) for name, value in case.path_parameters.items()}
    # Their own data, or data shared with them, is theirs to see.
    if _key(response) == other_key or other_id in parameters.values() or other_id in response.text:
        return None
    probe_key = (operation.id, tuple(sorted(parameters.items())))
    if probe_key in _probed:
        return None
    _probed.add(probe_key)
    root = probes.base_url(response.request.url)
    body = case.body if operation.method != "GET" and case.body is not None else probes.NOT_SET
    replay = probes.send(
        root, operation, other_key, parameters, query=case.query, body=body, source="no_cross_user_access"
    )
    if replay.status_code not in (403, 404):
        verb = "read" if operation.method == "GET" else "change"
        message = (
            f"A second user could {verb} the first user's resource: {operation.label} with "
            f"{parameters} answered {replay.status_code} to their key (expected 403 or 404)"
        )
        raise _fail(CrossUserAccess, case, message, Severity.CRITICAL)
    return None


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
