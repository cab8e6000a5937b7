"""`--state-file`: the memory store kept across restarts, every session of it.

A state file is one JSON document: its format, the `--seed` and admin key it was saved under, and
per session (`X-Mock-Session` namespace, least recently used first) the control plane's state
export (control/state.py: every table's rows and the clock offset) plus what the session needs to
go on where it stopped: its seeded id and clock generators' positions (so ids and timestamps
minted after a restart are new ones, never a stored row's again), the faults' random generator,
its scripted rules, faults (with the requests they still apply to) and web pages.

Loading is all or nothing: every session is built aside, each row checked as the control plane
checks a loaded state, and only once all of them are in are they registered. A file that is not
this format, or wrong in any row, is a `StateFileError` naming the path and the reason; the CLI
says it in one line and exits 2. Writing is atomic (a temp file beside it, fsync, os.replace), so
a crash mid-save leaves the previous file whole.

The memory store only: a shared backend (Redis) keeps its state itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from mock_server.checking import problems_of
from mock_server.control.faults import MockRefusal, parse_faults
from mock_server.control.state import export_state, load_state
from mock_server.engine.assistant import rule_from_fixture
from mock_server.engine.web import WebPage, page_from_fixture
from mock_server.session import Session
from mock_server.settings import CONTROL_SPEC_PATH
from mock_server.spec import Resolver, load_spec

FORMAT = "entities-mock-saved/1"


class StateFileError(Exception):
    """A state file the mock cannot load (or write); str() is `PATH: reason`, one line."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"state file {path}: {reason}")


@dataclass(frozen=True)
class Saved:
    """A state file read and its outer shape checked; its sessions are checked by `restore`."""

    path: Path
    seed: int | None
    admin_key: str
    sessions: list[dict[str, Any]]


def read(path: Path) -> Saved | None:
    """The file at `path`, or None when there is none (the mock starts from the fixtures)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StateFileError(path, f"cannot be read: {error.strerror or error}") from None
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise StateFileError(path, f"is not JSON (truncated or damaged?): {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        reason = f"is format {found!r}; this mock reads {FORMAT!r} (move the file away to start afresh)"
        raise StateFileError(path, reason)
    seed, key, sessions = document.get("seed"), document.get("admin_key"), document.get("sessions")
    if not (seed is None or type(seed) is int) or not isinstance(key, str) or not isinstance(sessions, list):
        raise StateFileError(path, "needs `seed` (an integer or null), `admin_key` (text) and `sessions` (a list)")
    return Saved(path, seed, key, sessions)


def check_compatible(saved: Saved, seed: int | None, admin_key: str | None) -> str:
    """The admin key to start with: the file's, unless another was asked for (refused: the stored
    sessions only know the file's). A different `--seed` is refused too: the stored generator
    positions belong to the seed they were saved under."""
    if seed != saved.seed:
        was = f"--seed {saved.seed}" if saved.seed is not None else "no --seed"
        now = f"--seed {seed}" if seed is not None else "no --seed"
        raise StateFileError(saved.path, f"was saved under {was}, and this start has {now}; start as it was saved")
    if admin_key is not None and admin_key != saved.admin_key:
        raise StateFileError(
            saved.path, "was saved with another admin key; start without --admin-key/MOCK_ADMIN_KEY to use its own"
        )
    return saved.admin_key


async def snapshot(mock: Any) -> dict[str, Any]:
    """Every session as a state file document (mock: app.mock)."""
    return {
        "format": FORMAT,
        "seed": mock.settings.seed,
        "admin_key": mock.seed.admin_key,
        "sessions": [await _session_document(session) for session in mock.sessions.all()],
    }


async def _session_document(session: Session) -> dict[str, Any]:
    return {
        "name": session.name,
        "state": await export_state(session),
        "ids": session.ids.position,
        "clock": session.clock.position,
        "chance": session.chance.getstate(),
        "rules": [rule.source for rule in session.rules],
        "faults": [fault.as_json() for fault in session.faults],
        "web": [{"match": page.pattern.pattern, "text": page.text, "title": page.title} for page in session.web],
    }


async def restore(mock: Any, saved: Saved) -> int:
    """Every saved session registered in `mock.sessions`, or none and a StateFileError; how many."""
    schemas = _control_schemas()
    sessions = []
    for number, item in enumerate(saved.sessions):
        name = item.get("name") if isinstance(item, dict) else None
        where = f"sessions[{number}]" + (f" ({name!r})" if isinstance(name, str) else "")
        try:
            sessions.append(await _session(mock, item, schemas))
        except (MockRefusal, ValueError, TypeError, KeyError, re.error) as error:
            reason = error.detail if isinstance(error, MockRefusal) else str(error) or type(error).__name__
            raise StateFileError(saved.path, f"{where}: {reason}") from None
    if len({session.name for session in sessions}) < len(sessions):
        raise StateFileError(saved.path, "names a session twice")
    for session in sessions:
        mock.sessions.register(session)
    return len(sessions)


async def _session(mock: Any, item: Any, schemas: dict[str, Any]) -> Session:
    problems = problems_of(schemas["SavedSession"], item)
    if problems:
        raise ValueError("; ".join(problems[:3]))
    session = await mock.sessions.fresh(mock.sessions.key(item["name"]))
    await load_state(session, mock.sessions, item["state"], mock.control.api_schemas)
    session.assistant.rules = [rule_from_fixture(rule) for rule in item["rules"]]
    session.web = [_page(page) for page in item["web"]]
    session.faults = _faults(item["faults"], mock.control.api_operations)
    session.ids.resume(_random_state(item["ids"]))
    session.clock.resume(item["clock"], item["state"].get("clock_offset", 0))
    session.chance.setstate(_random_state(item["chance"]))
    return session


def _faults(shown: list[dict[str, Any]], operations: dict[str, Any]) -> list[Any]:
    """Faults as `as_json` showed them, parsed as PUT /__mock__/faults parses them (every rule
    checked again), then given back their ids and the requests they still apply to."""
    private = ("id", "remaining")
    faults = parse_faults([{k: v for k, v in f.items() if k not in private} for f in shown], operations)
    for fault, was in zip(faults, shown, strict=True):
        fault.id, fault.remaining = was["id"], was["remaining"]
    return faults


def _page(item: dict[str, Any]) -> WebPage:
    return page_from_fixture(item)


def _random_state(value: Any) -> Any:
    """random.getstate() as JSON wrote it (lists for tuples), back as setstate takes it."""
    if value is None:
        return None
    version, internal, gauss = value
    return (version, tuple(internal), gauss)


TEXT = {"type": "string"}
WEB_PAGE = {"type": "object", "required": ["match", "text"], "properties": {"match": TEXT, "text": TEXT, "title": TEXT}}


def _control_schemas() -> dict[str, Any]:
    """What a saved session must look like: the control plane's own State, Rule and Fault, so a
    row, a rule or a fault is refused here exactly as its control plane operation would refuse it."""
    spec = load_spec(CONTROL_SPEC_PATH)
    components = Resolver(spec)(spec["components"]["schemas"])
    generator = {"type": "array", "minItems": 3, "maxItems": 3, "nullable": True}
    return {
        "SavedSession": {
            "type": "object",
            "required": ["name", "state", "ids", "clock", "chance", "rules", "faults", "web"],
            "properties": {
                "name": {"type": "string"},
                "state": components["State"],
                "ids": generator,
                "clock": {"type": "integer", "nullable": True},
                "chance": {**generator, "nullable": False},
                "rules": {"type": "array", "items": components["Rule"]},
                "faults": {"type": "array", "items": components["Fault"]},
                "web": {"type": "array", "items": WEB_PAGE},
            },
        }
    }


def write_atomic(path: Path, data: bytes) -> None:
    """`data` at `path`, or the previous file untouched: a temp file in the same directory,
    flushed to disk, then renamed over the old one (a rename is atomic on POSIX)."""
    path = path.resolve()
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # the rename itself, on file systems that need the directory synced
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def encode(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document)
