"""`make fuzz`: hostile input against a live mock, and Schemathesis' negative mode. It fails (exit
1) on any 5xx, any answer the contract does not document, any hang, memory that grows with the
number of session names, or another client kept waiting more than 100 ms by a large request.

    python -m fuzz.run [--sessions 100000] [--messages 20000] [--skip-schemathesis]
"""

from __future__ import annotations

import argparse
import collections
import json
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from fuzz import attacks, inputs, world
from mock_server.spec import load_spec, operations

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
KEY = "ad_FuzzAdminKey000000000000000000000000000"
WAIT_LIMIT_MS = 100.0
MEMORY_LIMIT_MB = 150.0
TIMEOUTS = ["--header-timeout", "2", "--body-timeout", "2"]


class Mock:
    def __init__(self, *extra: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [sys.executable, "-m", "mock_server", "--port", str(self.port), "--admin-key", KEY, "--seed", "1"]
        self.log = (ROOT / "fuzz" / "results" / "mock.log").open(
            "w"
        )  # read by nobody while it runs: a file, not a pipe
        self.process = subprocess.Popen([*command, *TIMEOUTS, *extra], stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/v1/auth/validate-key", headers={"X-API-Key": KEY}, timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the mock did not start")

    def rss_mb(self, field: str = "VmRSS") -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def hostile_requests(mock: Mock, report: dict[str, Any]) -> list[str]:
    document = load_spec(SPEC)
    ops = operations(document)
    failures: list[str] = []
    statuses: collections.Counter[int] = collections.Counter()
    with httpx.Client(base_url=mock.url, headers={"X-API-Key": KEY}, timeout=15) as client:
        ids = world.make(client)
        bodies = world.bodies(ops, document, ids)
        for probe in inputs.probes(ops, ids, bodies):
            try:
                response = client.request(probe.method, probe.path, content=probe.body, headers=probe.headers)
            except httpx.TimeoutException:
                failures.append(f"hang: {probe.label}")
                continue
            statuses[response.status_code] += 1
            documented = ops[probe.operation_id].responses
            if response.status_code >= 500:
                failures.append(f"{response.status_code}: {probe.label}: {response.text[:200]}")
            elif str(response.status_code) not in documented and response.status_code not in (404, 405, 307):
                failures.append(f"undocumented {response.status_code}: {probe.label}")
    report["hostile_requests"] = sum(statuses.values())
    report["statuses"] = dict(sorted(statuses.items()))
    return failures


def session_flood(mock: Mock, count: int, report: dict[str, Any]) -> list[str]:
    before = mock.rss_mb()
    with httpx.Client(base_url=mock.url, timeout=15) as client:
        for n in range(count):
            name = f"{uuid.uuid4().hex}-{n}" * 4
            key = KEY if n % 2 else "ea_NotAKeyOfAnyone0000000000000000000000000"
            client.get("/v1/auth/validate-key", headers={"X-API-Key": key, "X-Mock-Session": name})
    grown = mock.rss_mb() - before
    report["session_names"] = count
    report["rss_growth_mb_after_session_names"] = round(grown, 1)
    return [f"memory grew {grown:.0f} MB over {count} session names"] if grown > MEMORY_LIMIT_MB else []


def socket_attacks(mock: Mock, report: dict[str, Any]) -> list[str]:
    failures = []
    host, port = "127.0.0.1", mock.port
    waits = attacks.Waits(mock.url + "/v1/auth/validate-key", {"X-API-Key": KEY})
    with waits.running():
        report["status_header_100mb"] = attacks.big_header(host, port, 100 * 1024 * 1024)
        report["status_declared_10gb_sent_300mb"] = attacks.declared_body(
            host, port, "/v1/threads", KEY, 10 * 1024**3, 300 * 1024 * 1024
        )
        status, seconds = attacks.slow_head(host, port, interval=0.5, give_up=10)
        report["status_slow_head"], report["slow_head_answered_after_s"] = status, round(seconds, 1)
        serves, closed = attacks.idle_sockets(host, port, 300, hold=3, check=lambda: _serves(mock))
        report["idle_sockets_closed"], report["serves_with_300_idle_sockets"] = closed, serves
    report["worst_wait_ms_during_socket_attacks"] = round(waits.worst_ms, 1)
    for name, wanted in (
        ("status_header_100mb", 431),
        ("status_declared_10gb_sent_300mb", 413),
        ("status_slow_head", 408),
    ):
        if report[name] != wanted:
            failures.append(f"{name}: {report[name]}, not {wanted}")
    if not serves or closed < 300:
        failures.append(f"idle sockets: serving {serves}, {closed}/300 closed by the mock")
    return failures


def _serves(mock: Mock) -> bool:
    return httpx.get(mock.url + "/v1/auth/validate-key", headers={"X-API-Key": KEY}, timeout=5).status_code == 200


def large_collections(mock: Mock, messages: int, report: dict[str, Any]) -> list[str]:
    """A thread of many messages, read whole and deleted, while another client keeps asking."""
    with httpx.Client(base_url=mock.url, headers={"X-API-Key": KEY}, timeout=60) as client:
        ids = world.make(client)
        from contract_tests.sdk_bodies import message_body

        for n in range(messages):
            client.post("/v1/messages", json=message_body(ids["thread_id"], ids["assistant_id"], f"message {n}"))
        waits = attacks.Waits(mock.url + "/v1/auth/validate-key", {"X-API-Key": KEY})
        with waits.running():
            history = client.get(f"/v1/threads/{ids['thread_id']}/formatted_messages")
            deleted = client.delete(f"/v1/threads/{ids['thread_id']}")
    report["messages_in_thread"] = messages
    report["worst_wait_ms_during_large_reads_and_delete"] = round(waits.worst_ms, 1)
    failures = [] if history.status_code == 200 and deleted.status_code == 200 else ["the large thread failed"]
    for name in ("worst_wait_ms_during_socket_attacks", "worst_wait_ms_during_large_reads_and_delete"):
        if report.get(name, 0) > WAIT_LIMIT_MS:
            failures.append(f"{name}: {report[name]} ms > {WAIT_LIMIT_MS:g} ms")
    return failures


def negative_schemathesis(mock: Mock, report: dict[str, Any]) -> list[str]:
    command = [sys.executable, "-m", "schemathesis.cli", "run", str(SPEC), "--url", mock.url, "--mode", "negative"]
    command += ["--checks", "not_a_server_error", "--max-examples", "20", "-H", f"X-API-Key: {KEY}", "--no-color"]
    done = subprocess.run(command, capture_output=True, text=True, cwd="/tmp", timeout=1800)
    report["schemathesis_negative_exit"] = done.returncode
    return [] if done.returncode == 0 else ["Schemathesis' negative mode found failures:\n" + done.stdout[-3000:]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000, help="distinct session names to send (100000)")
    parser.add_argument("--messages", type=int, default=20_000, help="messages in the large thread (20000)")
    parser.add_argument("--skip-schemathesis", action="store_true")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    failures: list[str] = []
    (ROOT / "fuzz" / "results").mkdir(exist_ok=True)
    mock = Mock("--max-sessions", "200")
    try:
        failures += hostile_requests(mock, report)
        failures += session_flood(mock, args.sessions, report)
        failures += socket_attacks(mock, report)
        failures += large_collections(mock, args.messages, report)
        if not args.skip_schemathesis:
            failures += negative_schemathesis(mock, report)
        report["peak_rss_mb"] = round(mock.rss_mb("VmHWM"), 1)
    finally:
        mock.stop()
    report["failures"] = failures
    out = ROOT / "fuzz" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "failures"}, indent=2))
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{len(failures)} failures" if failures else "no failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
