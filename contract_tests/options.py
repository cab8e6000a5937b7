"""The command line of `python -m contract_tests`, and the `Options` it produces. Defaults are the
CI budget: every phase, 10 examples per operation, seed 1, so two runs against the same server
generate the same requests. Bad options are the caller's mistake: exit code 2, never 1."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

from contract_tests import baseline as _baseline
from contract_tests import contract as _contract
from contract_tests.sdk_bodies import MODEL

# Any key will do for the mock; a real server forwards it to the model's provider, which needs a
# real one (--provider-api-key, or PROVIDER_API_KEY), else its turns fail with "Missing API key."
# or the provider's refusal.
PLACEHOLDER_PROVIDER_KEY = "contract-suite-provider-key"

PHASES = ("examples", "coverage", "fuzzing", "stateful")
OUR_CHECKS = (
    "id_prefix_matches_object",
    "object_string_conformance",
    "list_envelope_conformance",
    "created_then_readable",
    "deleted_then_not_found",
    "no_cross_user_access",
)
SCHEMATHESIS_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
)


class OptionsError(Exception):
    """The options cannot describe a run (exit code 2)."""


@dataclass
class Options:
    base_url: str
    api_key: str
    admin_key: str | None = None
    contract: Path = _contract.DEFAULT_SPEC
    max_examples: int = 10
    max_time: int | None = None
    seed: int = 1
    workers: int = 1
    phases: tuple[str, ...] = PHASES
    operations: tuple[str, ...] = ()
    exclude_operations: tuple[str, ...] = ()
    exclude_checks: tuple[str, ...] = ()
    exclude_workflows: tuple[str, ...] = ()
    request_timeout: float = 30.0
    min_coverage: float = 0.0
    junit: Path | None = None
    report_dir: Path = field(default_factory=lambda: Path("contract-report"))
    verbose: bool = False
    quiet: bool = False
    session: str | None = None
    baseline: _baseline.Baseline | None = None  # read (and checked) when the options are parsed
    write_baseline: Path | None = None
    model: str = MODEL
    provider_api_key: str = PLACEHOLDER_PROVIDER_KEY


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m contract_tests",
        description="Check an Entities API server against openapi.yaml. Exit code 0: the contract is kept; "
        "1: contract failures; 2: could not run (server unreachable, key rejected, bad options).",
    )
    p.add_argument("--base-url", default=os.environ.get("BASE_URL"), help="the server (also BASE_URL)")
    p.add_argument("--api-key", default=os.environ.get("API_KEY"), help="the key to test with (also API_KEY)")
    p.add_argument(
        "--admin-key",
        default=os.environ.get("ADMIN_KEY") or None,
        help="an admin key, to create a second user for cross-user checks (default: try --api-key)",
    )
    p.add_argument("--contract", type=Path, default=_contract.DEFAULT_SPEC, help="the contract (default: openapi.yaml)")
    p.add_argument(
        "--session",
        default=os.environ.get("CONTRACT_SESSION") or None,
        metavar="NAME",
        help="send X-Mock-Session: NAME on every request, so a shared mock keeps the run's data apart "
        "(also CONTRACT_SESSION)",
    )
    turns = p.add_argument_group("completions")
    turns.add_argument(
        "--model",
        default=os.environ.get("CONTRACT_MODEL") or MODEL,
        help=f"the provider-prefixed model the turns ask for (also CONTRACT_MODEL; default {MODEL})",
    )
    turns.add_argument(
        "--provider-api-key",
        default=os.environ.get("PROVIDER_API_KEY") or PLACEHOLDER_PROVIDER_KEY,
        help="the LLM provider's key, sent as the completion body's api_key (also PROVIDER_API_KEY); "
        "a real server needs a real one",
    )
    budget = p.add_argument_group("budget")
    budget.add_argument("--max-examples", type=int, default=10, help="test cases per operation and phase (10)")
    budget.add_argument("--max-time", type=int, help="seconds; fuzzing and stateful repeat until it is spent")
    budget.add_argument("--seed", type=int, default=1, help="generation seed; the same seed repeats a run (1)")
    budget.add_argument("--workers", type=int, default=1, help="concurrent Schemathesis workers (1)")
    budget.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated subset of {','.join(PHASES)}")
    budget.add_argument("--request-timeout", type=float, default=30.0, help="seconds per request (30)")
    scope = p.add_argument_group("scope (adopt gradually)")
    scope.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="OPERATION_ID",
        help="test only these operations (repeatable)",
    )
    scope.add_argument(
        "--exclude-operation",
        action="append",
        default=[],
        metavar="OPERATION_ID",
        help="skip an operation, and the workflows that use it (repeatable)",
    )
    scope.add_argument(
        "--exclude-check",
        action="append",
        default=[],
        metavar="CHECK",
        help="turn off a check, Schemathesis' or ours (repeatable)",
    )
    scope.add_argument(
        "--exclude-workflow",
        action="append",
        default=[],
        metavar="WORKFLOW",
        help="skip a workflow; 'all' skips them all (repeatable)",
    )
    known = p.add_argument_group("known failures")
    known.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="failures recorded with --write-baseline: exit 0 while only these recur, 1 on any new one",
    )
    known.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record this run's failures in FILE (does not change the exit code)",
    )
    output = p.add_argument_group("output")
    output.add_argument("--junit", type=Path, help="write JUnit XML here")
    output.add_argument(
        "--min-coverage",
        type=float,
        default=0.0,
        help="fail (exit 1) when under this %% of documented status codes were exercised",
    )
    output.add_argument(
        "--report-dir",
        type=Path,
        default=Path("contract-report"),
        help="Schemathesis' reports, its log, the coverage matrix (contract-report/)",
    )
    output.add_argument("-v", "--verbose", action="store_true", help="also print Schemathesis' own output")
    output.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return p


def parse(argv: list[str] | None = None) -> Options:
    """Options from the command line; OptionsError (exit 2) when they cannot describe a run."""
    p = parser()
    try:
        args = p.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on errors and 0 on --help; keep its code
        if exit_.code:
            raise OptionsError("") from None  # argparse has printed why
        raise
    if not args.base_url or not args.api_key:
        raise OptionsError("--base-url and --api-key are required (or BASE_URL and API_KEY)")
    if not args.base_url.startswith(("http://", "https://")):
        raise OptionsError(f"--base-url must be an http(s) URL, not {args.base_url!r}")
    try:
        known = _contract.load(str(args.contract)).operations
    except (OSError, ValueError, KeyError) as error:
        raise OptionsError(f"cannot read the contract {args.contract}: {error}") from None
    phases = tuple(name.strip() for name in args.phases.split(",") if name.strip())
    _known("phase", phases, PHASES)
    _known("operation", (*args.operation, *args.exclude_operation), known)
    _known("check", _split(args.exclude_check), (*SCHEMATHESIS_CHECKS, *OUR_CHECKS))
    from contract_tests.workflows import NAMES  # workflows import httpx clients; keep --help fast

    _known("workflow", _split(args.exclude_workflow), (*NAMES, "all"))
    if args.max_examples < 1 or args.workers < 1 or not 0 <= args.min_coverage <= 100:
        raise OptionsError("--max-examples and --workers must be at least 1; --min-coverage is 0..100")
    if args.session is not None and not args.session.strip():
        raise OptionsError("--session needs a name")
    try:
        known_failures = _baseline.load(args.baseline) if args.baseline else None
    except _baseline.BaselineError as error:
        raise OptionsError(str(error)) from None
    return Options(
        base_url=args.base_url.rstrip("/"),
        api_key=args.api_key,
        admin_key=args.admin_key,
        contract=args.contract,
        max_examples=args.max_examples,
        max_time=args.max_time,
        seed=args.seed,
        workers=args.workers,
        phases=phases,
        operations=tuple(args.operation),
        exclude_operations=tuple(args.exclude_operation),
        exclude_checks=_split(args.exclude_check),
        exclude_workflows=tuple(NAMES) if "all" in _split(args.exclude_workflow) else _split(args.exclude_workflow),
        request_timeout=args.request_timeout,
        min_coverage=args.min_coverage,
        junit=args.junit,
        report_dir=args.report_dir,
        verbose=args.verbose,
        quiet=args.quiet,
        session=args.session,
        baseline=known_failures,
        write_baseline=args.write_baseline,
        model=args.model,
        provider_api_key=args.provider_api_key,
    )


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def _known(kind: str, given: tuple[str, ...] | list[str], known: object) -> None:
    unknown = [name for name in given if name not in known]  # type: ignore[operator]
    if unknown:
        raise OptionsError(f"unknown {kind}(s): {', '.join(unknown)}")
