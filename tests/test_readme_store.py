"""The README's two-replica example runs as written (on free ports rather than its fixed ones):
a thread made on replica A is read on replica B, and everything it started is stopped."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys

from tests.redis_server import free_port
from tests.test_readme import ROOT, blocks


def test_the_two_replica_example_reads_on_b_the_thread_made_on_a(tmp_path):
    (script,) = [block for block in blocks("bash") if "--store redis://" in block]
    ports = {"6390": free_port(), "9001": free_port(), "9002": free_port()}
    script = re.sub(r"\b(6390|9001|9002)\b", lambda found: str(ports[found.group(1)]), script)
    env = {
        **os.environ,
        "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}",  # `python` is this interpreter
        "PYTHONPATH": str(ROOT),  # this checkout's mock_server, run from another directory
    }
    shell = subprocess.Popen(
        ["bash", "-e", "-c", script], cwd=tmp_path, env=env, text=True, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = shell.communicate(timeout=120)
    finally:  # what a failed run left behind: its replicas (its process group) and its daemonized Redis
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGTERM)
        subprocess.run(["redis-cli", "-p", str(ports["6390"]), "shutdown", "nosave"], capture_output=True)
    assert shell.returncode == 0, err + (tmp_path / "replica-a.log").read_text()
    thread = json.loads(out.strip().splitlines()[-1])
    assert thread["object"] == "thread" and thread["id"].startswith("thread_")
