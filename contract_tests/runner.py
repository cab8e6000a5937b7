"""One run of the suite: make sure the server answers, make a second user when we can, walk the
workflows, run Schemathesis (its own CLI, in a subprocess, with a generated config that loads our
checks), then turn what both found into the summary, the reports and an exit code. Each phase
reports its progress on stderr (`progress.py`); Schemathesis' is read from its NDJSON report as
it is written (`follow.py`)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from contract_tests import baseline, coverage, journal, junit, probes, report, results, schemathesis_config, seed
from contract_tests.client import Break, Client
from contract_tests.contract import SPEC_ENV, Contract, load, without_mock_only
from contract_tests.follow import Follower
from contract_tests.options import Options
from contract_tests.outcome import Outcome, assemble
from contract_tests.progress import Progress
from contract_tests.workflows import World, run_all

KEPT, BROKEN, COULD_NOT_RUN = 0, 1, 2
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class CouldNotRun(Exception):
    """The suite could not check the server at all (exit code 2)."""


@dataclass
class SecondUser:
    client: Client
    user_id: str


def run(options: Options) -> int:
    """Check the server; print the summary; write the reports. 0 kept, 1 broken; CouldNotRun for 2."""
    outcome = check(options)
    print(report.summary(outcome, options.report_dir), flush=True)
    return exit_code(outcome)


def exit_code(outcome: Outcome) -> int:
    return BROKEN if outcome.broken else KEPT


def check(options: Options) -> Outcome:
    progress = Progress.to(sys.stderr, quiet=options.quiet)
    contract = load(str(options.contract))
    report_dir = options.report_dir.resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    journal_path = report_dir / "journal.ndjson"
    journal_path.unlink(missing_ok=True)
    excluded = set(options.exclude_operations)
    if options.operations:
        excluded |= set(contract.operations) - set(options.operations)
    # Setting up (a second user, seeded resources) may use any operation; the workflows only those under test.
    setup = Client(
        options.base_url, contract, options.api_key, (), options.request_timeout, strict=False, session=options.session
    )
    setup.log.on_request = lambda label: progress.step(label, requests=1)
    notes: list[str] = []
    with _environment({journal.JOURNAL_ENV: str(journal_path)}):
        caller_id = _preflight(setup, contract)
        admin = setup.as_key(options.admin_key or options.api_key, "ADMIN_KEY" if options.admin_key else "API_KEY")
        second = _second_user(admin, notes, explicit=options.admin_key is not None)
        world = World(
            api=setup.excluding(excluded),
            admin=admin.excluding(excluded) if second else None,
            other=second.client.excluding(excluded) if second else None,
            model=options.model,
            provider_key=options.provider_api_key,
        )
        with progress.phase("workflows"):
            flows = run_all(world, set(options.exclude_workflows))
        with progress.phase("seeding"):
            breaks_before = len(setup.log.breaks)
            seeded = seed.seed(setup, admin if second else None, caller_id)
        # The seeding stops at its first refusal: the last Break its client raised, if any, is why.
        seeding_break = setup.log.breaks[-1] if seeded.problem and len(setup.log.breaks) > breaks_before else None
        try:
            found = _schemathesis(options, contract, report_dir, journal_path, second, seed.config(seeded), progress)
        finally:
            seeded.remove()
            if second:
                with contextlib.suppress(Break, httpx.HTTPError):
                    admin.call("deleteUser", user_id=second.user_id)
    matrix = coverage.build(contract, found.exercised, journal.read(journal_path))
    coverage.write(matrix, str(report_dir / "coverage.md"), str(report_dir / "coverage.json"))
    seeding = (seeded.problem, seeding_break)
    outcome = assemble(
        options, contract, found, flows, setup.log, seeding, matrix, notes + found.notes, excluded, report_dir
    )
    if options.junit:
        junit.write(outcome, report_dir / "schemathesis-junit.xml", options.junit)
    if options.write_baseline:
        baseline.write(outcome.findings, options.write_baseline)
    return outcome


def _preflight(api: Client, contract: Contract) -> str | None:
    """The server answers and takes the key (otherwise nothing else is worth trying); whose key it is."""
    operation = contract.operations["validateApiKey"]
    headers = {probes.API_KEY_HEADER: api.key or ""} | ({probes.SESSION_HEADER: api.session} if api.session else {})
    try:
        response = httpx.get(api.base_url + operation.path, headers=headers, timeout=10)
    except httpx.HTTPError as error:
        raise CouldNotRun(f"cannot reach {api.base_url}: {error!r}") from None
    journal.record(operation.id, response.status_code, "preflight")
    if response.status_code == 401:
        raise CouldNotRun(f"the server rejected the API key (401 from {operation.label}): {response.text[:200]}")
    body = probes.json_body(response) if response.status_code == 200 else {}
    return body.get("user_id") if isinstance(body, dict) else None


def _second_user(admin: Client, notes: list[str], *, explicit: bool) -> SecondUser | None:
    """A user who must not see the first user's data. Needs admin rights: without them the
    cross-user checks and the user workflows are skipped, and the summary says so."""
    email = f"contract-second-{uuid.uuid4().hex[:12]}@example.com"
    try:
        user = admin.call(
            "createUser", json={"email": email, "full_name": "Contract suite: second user"}, expect=(201, 401, 403)
        )
        if user is None or "id" not in user:
            if explicit:
                raise CouldNotRun(f"the admin key cannot create users: {user}")
            notes.append("no admin rights: cross-user checks and user workflows are skipped (pass --admin-key)")
            return None
        key = admin.call("createApiKey", user_id=user["id"], json={"key_name": "contract suite"}, expect=201)
    except Break as error:
        notes.append(f"could not create a second user, so cross-user checks are skipped: {error}")
        return None
    return SecondUser(admin.as_key(key["plain_key"], results.SECOND_USER_KEY), user["id"])


def _schemathesis(
    options: Options,
    contract: Contract,
    report_dir: Path,
    journal_path: Path,
    second: SecondUser | None,
    seeded: dict[str, object],
    progress: Progress,
) -> results.Run:
    config_path = report_dir / "schemathesis.toml"
    config = schemathesis_config.build(options, contract, report_dir, seeded)
    config_path.write_text(schemathesis_config.to_toml(config), encoding="utf-8")
    ndjson = report_dir / "schemathesis.ndjson"
    ndjson.unlink(missing_ok=True)
    handed = report_dir / "openapi.schemathesis.yaml"
    handed.write_text(yaml.safe_dump(without_mock_only(contract.document), sort_keys=False), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config_path),
        "run",
        str(handed),
        "--url",
        options.base_url,
        "--no-color",
    ]
    command += [arg for op in options.operations for arg in ("--include-operation-id", op)]
    command += [arg for op in options.exclude_operations for arg in ("--exclude-operation-id", op)]
    env = {
        **os.environ,
        probes.API_KEY_ENV: options.api_key,
        probes.BASE_URL_ENV: options.base_url,
        SPEC_ENV: str(contract.path),
        journal.JOURNAL_ENV: str(journal_path),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])),
    }
    if second:
        env |= {probes.SECOND_KEY_ENV: second.client.key or "", probes.SECOND_USER_ENV: second.user_id}
    if options.session:
        env[probes.SESSION_ENV] = options.session
    log = report_dir / "schemathesis.log"
    with log.open("w", encoding="utf-8") as out, Follower(ndjson, progress):
        # Run in the report directory: Hypothesis keeps a `.hypothesis/` cache in its working directory.
        process = subprocess.Popen(
            command, cwd=report_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            if options.verbose:
                sys.stdout.write(line)
        code = process.wait()
    run = results.read(ndjson, options.session)
    if not run.finished:
        tail = "".join(log.read_text(encoding="utf-8").splitlines(keepends=True)[-15:])
        raise CouldNotRun(f"Schemathesis did not finish (exit {code}); the end of {log}:\n{tail}")
    return run


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (the journal is found through one), then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
