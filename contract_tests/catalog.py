"""What the report knows about each check: the title it is listed under and how grave a failure of
it is. Findings are ranked by tier: a server error or a security hole first (a backend team fixes
those before anything else), then broken promises of the contract, then the rest (how the server
treats requests the contract does not describe)."""

from __future__ import annotations

SERVER_ERRORS_AND_SECURITY, CONTRACT_BREAKS, THE_REST = 0, 1, 2
TIER_TITLES = {
    SERVER_ERRORS_AND_SECURITY: "Server errors and security",
    CONTRACT_BREAKS: "Contract breaks",
    THE_REST: "The rest",
}

# check name -> (human title, tier). Our checks' titles are their Failure classes' `kind_title`.
CHECKS: dict[str, tuple[str, int]] = {
    "not_a_server_error": ("Server error", SERVER_ERRORS_AND_SECURITY),
    "no_cross_user_access": ("Another user's resource is reachable", SERVER_ERRORS_AND_SECURITY),
    "ignored_auth": ("Authentication not enforced", SERVER_ERRORS_AND_SECURITY),
    "object_level_authorization": ("Object-level authorization bypass", SERVER_ERRORS_AND_SECURITY),
    "status_code_conformance": ("Undocumented status code", CONTRACT_BREAKS),
    "response_schema_conformance": ("Response violates schema", CONTRACT_BREAKS),
    "content_type_conformance": ("Undocumented Content-Type", CONTRACT_BREAKS),
    "response_headers_conformance": ("Missing required response headers", CONTRACT_BREAKS),
    "id_prefix_matches_object": ("Id prefix does not match the object", CONTRACT_BREAKS),
    "object_string_conformance": ("Wrong `object` string", CONTRACT_BREAKS),
    "list_envelope_conformance": ("List envelope broken", CONTRACT_BREAKS),
    "created_then_readable": ("Created resource is not readable", CONTRACT_BREAKS),
    "deleted_then_not_found": ("Deleted resource is still readable", CONTRACT_BREAKS),
    "kept_as_sent": ("What was sent is not what the server keeps", CONTRACT_BREAKS),
    "orphan_write": ("A write into something that does not exist was accepted", CONTRACT_BREAKS),
    "workflow": ("An SDK workflow did not get the answer the contract promises", CONTRACT_BREAKS),
    "completion_stream": ("The completion stream is not the contract's event stream", CONTRACT_BREAKS),
    "negative_data_rejection": ("Schema-violating request accepted", THE_REST),
    "positive_data_acceptance": ("Schema-valid request rejected", THE_REST),
    "missing_required_header": ("Missing required header accepted", THE_REST),
    "unsupported_method": ("Wrong response to undeclared method", THE_REST),
    "allow_header_conformance": ("Allow header mismatch", THE_REST),
    "use_after_free": ("Deleted resource still available", THE_REST),
    "ensure_resource_availability": ("Created resource not found", THE_REST),
    "after_run": ("Found after the run", THE_REST),
}
ORDER = {name: position for position, name in enumerate(CHECKS)}


def title(check: str) -> str:
    return CHECKS.get(check, (check.replace("_", " ").capitalize(), THE_REST))[0]


def tier(check: str, title: str, status: int | None, expected: tuple[int, ...] = ()) -> int:
    """A 5xx answer is a server error whichever check saw it; anything about authentication (a 401
    given or expected, a title that names it) is security."""
    if status is not None and status >= 500:
        return SERVER_ERRORS_AND_SECURITY
    if status == 401 or 401 in expected or "auth" in f"{check} {title}".lower():
        return SERVER_ERRORS_AND_SECURITY
    return CHECKS.get(check, ("", THE_REST))[1]
