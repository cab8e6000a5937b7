"""The exchanges the suite makes outside Schemathesis' own report: the probes of our checks (they
run inside the Schemathesis process) and the workflows' requests. Each is one NDJSON line, so the
coverage matrix counts every status code the suite saw, whoever asked."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

JOURNAL_ENV = "CONTRACT_TESTS_JOURNAL"
_lock = threading.Lock()


def record(operation_id: str, status: int, source: str, path: str | None = None) -> None:
    """Append one exchange to the journal named by `$CONTRACT_TESTS_JOURNAL` (or `path`); no-op without one."""
    target = path or os.environ.get(JOURNAL_ENV)
    if not target:
        return
    line = json.dumps({"operation": operation_id, "status": status, "source": source})
    with _lock, open(target, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
