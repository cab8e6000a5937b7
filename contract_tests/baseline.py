"""Known failures, recorded so a team can adopt the suite before its server keeps the whole
contract: `--write-baseline FILE` records what a run found; later runs with `--baseline FILE` exit
0 while only those recur, and 1 on any new one.

The file is JSON, written sorted so that recording the same failures again gives the same file:

    {
      "format": "contract_tests baseline 1",
      "findings": [
        {
          "key": "not_a_server_error | POST /v1/threads | Server error: answered 500",
          "check": "not_a_server_error",
          "where": "POST /v1/threads",
          "cause": "Server error: answered 500"
        }
      ]
    }

Only `key` is read back; `check`, `where` and `cause` are the key's three parts, for people and for
`jq`. A key is the check that failed, where (the operation's method and path, or the workflow's
name when no request broke) and the cause with what varies from run to run taken out (see
`causes.py`), so the same bug found with other generated data has the same key. Delete an entry
once it is fixed; a run with the baseline lists the entries that no longer occur ("fixed since the
baseline")."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from contract_tests.findings import Finding

FORMAT = "contract_tests baseline 1"


class BaselineError(Exception):
    """The baseline file cannot be read (exit code 2)."""


@dataclass(frozen=True)
class Entry:
    key: str
    check: str = ""
    where: str = ""
    cause: str = ""


@dataclass(frozen=True)
class Baseline:
    path: Path
    entries: tuple[Entry, ...]

    @property
    def keys(self) -> set[str]:
        return {entry.key for entry in self.entries}


def load(path: Path) -> Baseline:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise BaselineError(f"the baseline {path} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BaselineError(f'the baseline {path} is not a contract_tests baseline (no "format": "{FORMAT}")')
    items = document.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f'the baseline {path} has no "findings" list')
    entries = []
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"].strip():
            raise BaselineError(f'the baseline {path}: findings[{position}] has no "key" string')
        entries.append(Entry(item["key"], *(str(item.get(name, "")) for name in ("check", "where", "cause"))))
    return Baseline(path, tuple(entries))


def write(findings: Iterable[Finding], path: Path) -> None:
    entries = sorted({f.key: Entry(f.key, f.check, f.where, f.cause) for f in findings}.values(), key=lambda e: e.key)
    document = {"format": FORMAT, "findings": [entry.__dict__ for entry in entries]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Comparison:
    fixed: tuple[Entry, ...]  # in the baseline, checked in this run, and not found
    unchecked: tuple[Entry, ...]  # in the baseline, but its check or operation was left out of this run


def compare(findings: list[Finding], baseline: Baseline, out_of_scope: Iterable[str]) -> Comparison:
    """Mark each finding known or new; `out_of_scope` holds the checks and operation labels the run left out."""
    for finding in findings:
        finding.known = finding.key in baseline.keys
    found = {finding.key for finding in findings}
    left_out = set(out_of_scope)
    missing = [entry for entry in baseline.entries if entry.key not in found]
    return Comparison(
        fixed=tuple(e for e in missing if not _left_out(e, left_out)),
        unchecked=tuple(e for e in missing if _left_out(e, left_out)),
    )


def _left_out(entry: Entry, left_out: set[str]) -> bool:
    check, where = (entry.check, entry.where) if entry.check else (entry.key.split(" | ") + ["", ""])[:2]
    return check in left_out or where in left_out
