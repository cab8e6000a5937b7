"""The `schemathesis.toml` each run hands to Schemathesis, built from the options and the contract
and written next to the reports, so a run can be repeated by hand with
`st --config-file contract-report/schemathesis.toml run openapi.yaml --url …`.

Keys are never written to it: the config names `${CONTRACT_TESTS_API_KEY}` and Schemathesis reads
the environment. A `--session` name is no secret: it is written as the top-level `headers` table,
which Schemathesis 4.32 sends with every request it makes (its session's headers and each case's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from contract_tests import probes
from contract_tests.contract import Contract
from contract_tests.options import PHASES, Options

# Schemathesis' default for `positive_data_acceptance`, plus the 400s the contract documents
# (see `_per_operation`).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# Schemathesis checks the suite does not run. `allow_header_conformance` judges the `Allow` header
# of the answer to OPTIONS, which the contract does not describe (no operation is an OPTIONS, and
# a FastAPI server answers it with its router's first route's methods): a check of what the
# contract does not say is noise. `unsupported_method` still checks undocumented methods' 405.
OFF_BY_DEFAULT = ("allow_header_conformance",)
# Deletes after which their path still answers, as the contract documents: a soft-deleted vector
# store reads back as `deleted` (its files too), and removing a file by its path leaves the
# store's file list. Schemathesis' use_after_free would report each later read or update under
# those paths; our deleted_then_not_found (checks.py) holds them to what is promised instead.
KEEPS_ITS_PATH = ("deleteVectorStore", "deleteVectorStoreFile")
WATCH_TIMEOUT = 1.0  # seconds a watch stream is read, and
WATCH_EXAMPLES = 5  # how many are opened per phase (see `_per_operation`)


def build(options: Options, contract: Contract, report_dir: Path, seeded: dict[str, Any]) -> dict[str, Any]:
    """`seeded` is `seed.config(...)`: dictionaries of live ids and the parameters bound to them."""
    return {
        "hooks": "contract_tests.checks",  # registers our checks (contract_tests/checks.py)
        "seed": options.seed,
        # Threads made Hypothesis fail with "AST constructor recursion depth mismatch" on one
        # operation; one worker is also what keeps a stateful server's answers repeatable.
        "workers": options.workers,
        "request-timeout": options.request_timeout,
        **({"max-time": options.max_time} if options.max_time else {}),
        # No example database and no cache: a run reuses nothing from an earlier one, so a seed repeats a run.
        "generation": {"max-examples": options.max_examples, "database": "none"},
        "cache": {"enabled": False},
        "phases": {name: {"enabled": name in options.phases} for name in PHASES},
        "auth": {"openapi": {"ApiKeyAuth": {"api_key": "${" + probes.API_KEY_ENV + "}"}}},
        **({"headers": {probes.SESSION_HEADER: options.session}} if options.session else {}),
        "checks": {name: {"enabled": False} for name in (*OFF_BY_DEFAULT, *options.exclude_checks)},
        "reports": {
            "junit": {"enabled": True, "path": str(report_dir / "schemathesis-junit.xml")},
            "ndjson": {"enabled": True, "path": str(report_dir / "schemathesis.ndjson")},
        },
        "operations": _per_operation(options, contract),
        **seeded,
    }


def _per_operation(options: Options, contract: Contract) -> list[dict[str, Any]]:
    """Two things the contract says about single operations.

    A documented 400 on a schema-valid request is a business rule, not a rejected valid request:
    "Invalid user IDs" for made-up participants, "Assistant with ID … already exists" for a reused
    id, an unknown model prefix. `positive_data_acceptance` accepts it for the operations that
    document one; the 400 every body operation documents for an undecodable body does not count
    (a valid request is never undecodable).

    A read or an update under the path of a delete that keeps its path (KEEPS_ITS_PATH) is not
    a use after free.

    A GET that answers an event stream watches something and may stay open until the client
    leaves (`streamRunEvents` on a run that never calls a tool). A short timeout ends each
    request, Schemathesis checks the events read so far, and a few such requests are enough."""
    entries = []
    kept = [contract.operations[name].path for name in KEEPS_ITS_PATH if name in contract.operations]
    for operation in contract.operations.values():
        entry: dict[str, Any] = {}
        checks: dict[str, Any] = {}
        rules = [
            status
            for status, rule in (("400", operation.business_rule_400), ("422", operation.business_rule_422))
            if rule
        ]
        if rules:
            checks["positive_data_acceptance"] = {"expected-statuses": [*ACCEPTED, *rules]}
        if operation.method in ("GET", "PATCH") and any(operation.path.startswith(path) for path in kept):
            checks["use_after_free"] = {"enabled": False}
        if checks:
            entry["checks"] = checks
        if operation.streams and operation.method == "GET":
            entry["request-timeout"] = WATCH_TIMEOUT
            entry["generation"] = {"max-examples": min(WATCH_EXAMPLES, options.max_examples)}
        if entry:
            entries.append({"include-operation-id": operation.id, **entry})
    return entries


def to_toml(config: dict[str, Any]) -> str:
    """`build`'s output as TOML: tables, arrays of tables (`[[operations]]`), quoted dotted keys."""
    return tomli_w.dumps(config)
