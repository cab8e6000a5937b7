"""Our own checks: what openapi.yaml promises that its schemas alone cannot say. Schemathesis loads
this module through its hooks mechanism (the runner names it in the generated config's `hooks`;
`SCHEMATHESIS_HOOKS=contract_tests.checks` does the same by hand), and runs each check on every
response of every phase. Each raises a `Failure` subclass whose title names the broken promise."""

from __future__ import annotations

import os
from typing import Any

import schemathesis
import schemathesis.checks
from schemathesis.core.failures import Failure, Severity
from schemathesis.specs.openapi import checks as _builtin  # its negative_data_rejection, wrapped below

from contract_tests import contract as _contract
from contract_tests import invariants, lax, probes
from contract_tests.contract import Operation

# A delete after which its path still reads: the resource is documented as kept (with a flag that
# says so), or the path's GET reads something else than what was deleted.
STILL_READABLE_AFTER_DELETE = {
    "revokeApiKey": "getApiKey still shows a revoked key, with is_active: false",
    "deleteVectorStoreFile": "the path's GET lists the store's files, which stay readable without this one",
}
# Soft deletes: the resource stays readable (marked deleted) unless this query flag is true.
READABLE_UNLESS = {"deleteVectorStore": "permanent"}  # getVectorStore shows `status: deleted`
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
    """The key the request was sent with; the suite's own for an operation that takes none
    (`createCompletion` authenticates through its run, but reading the run needs a key)."""
    return response.request.headers.get(probes.API_KEY_HEADER) or os.environ.get(probes.API_KEY_ENV)


@schemathesis.check
def id_prefix_matches_object(ctx: Any, response: Any, case: Any) -> bool | None:
    return _body_rule(invariants.id_prefix_problems, IdPrefixMismatch, case, response)


@schemathesis.check
def object_string_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    return _body_rule(invariants.object_string_problems, ObjectStringMismatch, case, response)


def _body_rule(rule: Any, kind: type[Failure], case: Any, response: Any) -> None:
    """A rule of `invariants` over a success body: its problems, if any, as one failure."""
    found = _success(case, response)
    if found is None:
        return None
    problems = rule(_contract.load(), found[0].id, response.status_code, found[1])
    if problems:
        raise _fail(kind, case, "\n".join(problems))
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
    is_page = isinstance(body, dict) and body.get("object") == "list" and isinstance(body.get("data"), list)
    if not problems and is_page and limit:
        problems = _has_more_problems(operation, case, response, body, limit)
    if problems:
        raise _fail(BrokenListEnvelope, case, "\n".join(problems))
    return None


def _has_more_problems(operation: Operation, case: Any, response: Any, body: Any, limit: int) -> list[str]:
    """`has_more` is exact, which one page cannot show: ask again with a page one item larger (a
    full page), or exactly as large as what came back (a page that held everything)."""
    size = len(body["data"])
    if size == limit and limit < MAX_PAGE:
        probe_limit = limit + 1
    elif 0 < size < limit:
        probe_limit = size
    else:
        return []
    query = {**(case.query or {}), "limit": probe_limit}
    root = probes.base_url(response.request.url)
    probe = probes.send(
        root, operation, _key(response), case.path_parameters or {}, query=query, source="list_envelope_conformance"
    )
    page = probes.json_body(probe)
    if probe.status_code != 200 or not isinstance(page, dict) or not isinstance(page.get("data"), list):
        return []
    if size == limit:
        more = len(page["data"]) > limit
        if body.get("has_more") is not more:
            return [
                f"has_more is {body.get('has_more')!r} at limit={limit}, but limit={probe_limit} returns "
                f"{len(page['data'])} items"
            ]
    elif page.get("has_more") is not False and len(page["data"]) == size:
        return [
            f"limit={limit} returned all {size} items with has_more false, but limit={size} answers "
            f"has_more {page.get('has_more')!r} for the same {size} items"
        ]
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
        # A reader found by a query (a store by its collection name) is asked with it.
        query = {
            name: value
            for name, value in values.items()
            if name in target.query_defaults and value is not probes.NOT_SET and value is not None
        }
        root = probes.base_url(response.request.url)
        read = probes.send(root, target, _key(response), path, query=query, source="created_then_readable")
        read_body = probes.json_body(read)
        created_id = body.get("id") if isinstance(body, dict) else None
        if not 200 <= read.status_code < 300:
            message = f"{target.label} ({target.id}) answered {read.status_code} right after: {read.text[:300]}"
            raise _fail(CreatedButNotReadable, case, message)
        linked_by_id = (
            bool(target.path_parameters) and link.parameters.get(target.path_parameters[-1]) == "$response.body#/id"
        )
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
    flag = READABLE_UNLESS.get(operation.id)
    if flag and str((case.query or {}).get(flag, "")).strip().lower() not in lax.TRUE:
        return None
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
    replay = probes.replay(response.request, operation, other_key, source="no_cross_user_access")
    # A refusal may be 403 or 404 (or a 422 for a body only its owner could make valid); a 2xx is a leak.
    if 200 <= replay.status_code < 300:
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


_schemathesis_negative_data_rejection = _builtin.negative_data_rejection
# Ours replaces it under its own name, so findings and --exclude-check read as Schemathesis' do.
if "negative_data_rejection" in schemathesis.checks.CHECKS.get_all_names():
    schemathesis.checks.CHECKS.unregister("negative_data_rejection")


@schemathesis.check
def negative_data_rejection(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis' own check (this takes its place by name), except for a body that is only
    invalid until coerced as a FastAPI server coerces it (see lax.py): that one was valid."""
    if _coercible_body(case):
        return None
    return _schemathesis_negative_data_rejection(ctx, response, case)


def _coercible_body(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_negative or not isinstance(case.body, dict | list):
        return False
    for body in case.operation.body:
        if (body.media_type or "").endswith("json"):
            try:
                return lax.is_valid_when_coerced(body.validation_schema, case.body)
            except (ValueError, TypeError):  # a schema jsonschema-rs cannot compile: no opinion
                return False
    return False
