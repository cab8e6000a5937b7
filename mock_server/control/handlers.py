"""The control plane's handlers (control_plane.yaml), registered like the API's (registry.py).
They act on the session the request named, which the admin security handler resolved."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from typing import Any

from mock_server.context import Context
from mock_server.control.faults import MockRefusal, parse_faults
from mock_server.control.journal import Journal, Query
from mock_server.control.state import export_state, load_state
from mock_server.engine.assistant import rule_from_fixture
from mock_server.registry import Operations
from mock_server.reply import Reply, no_content, ok
from mock_server.session import Sessions
from mock_server.spec import Operation
from mock_server.store import Store

ALL_SESSIONS = "*"


@dataclass
class ControlPlane:
    """What the control plane acts on: the sessions, the journal, and the Entities API's
    operations and schemas (to check faults and loaded rows against)."""

    sessions: Sessions
    journal: Journal
    api_operations: dict[str, Operation]
    api_schemas: dict[str, Any]


def _version() -> str:
    try:
        return metadata.version("entities-contract-toolkit")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def control_operations(plane: ControlPlane) -> Operations:
    operations = Operations()
    sessions = plane.sessions
    dashboard = files("mock_server.control").joinpath("dashboard.html").read_text(encoding="utf-8")
    version = _version()

    @operations("mockDashboard")
    async def show_dashboard(ctx: Context) -> Reply:
        return Reply(200, dashboard, "text/html")

    @operations("mockHealth")
    async def health(ctx: Context) -> Reply:
        kept, _, _ = await plane.journal.stats()
        # Every replica's sessions on a shared store (this process's are a cache of them there).
        count = len(await sessions.all_names()) if sessions.shared else len(sessions)
        return ok({"status": "ok", "sessions": count, "journal_entries": kept, "version": version})

    @operations("mockReset")
    async def reset(ctx: Context, all: bool) -> Reply:  # noqa: A002 - the query parameter's name
        names = await sessions.all_names() if all else [ctx.session.name]
        await sessions.reset(None if all else ctx.session.name)
        return ok({"reset": names, "all": all})

    @operations("mockJournal")
    async def journal(
        ctx: Context,
        limit: int,
        session: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        since: float | None = None,
        after: int | None = None,
    ) -> Reply:
        chosen = None if session == ALL_SESSIONS else (ctx.session.name if session is None else session)
        query = Query(chosen, operation, status, since, after, limit)
        entries = await plane.journal.entries(query)
        _, dropped, last = await plane.journal.stats()
        return ok({"entries": [entry.as_json() for entry in entries], "dropped": dropped, "last_seq": last})

    @operations("mockClearJournal")
    async def clear_journal(ctx: Context, session: str) -> Reply:
        await plane.journal.clear(None if session == ALL_SESSIONS else session)
        return no_content()

    @operations("mockExportState")
    async def export(ctx: Context) -> Reply:
        return ok(await export_state(ctx.session))

    @operations("mockLoadState")
    async def load(ctx: Context, body: dict[str, Any]) -> Reply:
        counts = await load_state(ctx.session, sessions, body, plane.api_schemas)
        await sessions.publish(ctx.session)  # the loaded clock offset, for every replica
        return ok(counts)

    @operations("mockSessions")
    async def list_sessions(ctx: Context) -> Reply:
        shown = []
        for name in await sessions.all_names():
            session = sessions.peek(name) or await sessions.existing(name)
            if session is None:
                continue
            counts = {table: await session.store.repository(table).count() for table in Store.REPOSITORIES}
            shown.append({"name": name, "counts": counts, "faults": len(session.faults)})
        return ok({"sessions": shown, "max_sessions": sessions.max_sessions})

    @operations("mockRuns")
    async def list_runs(ctx: Context, limit: int) -> Reply:
        runs = await ctx.store.runs.all()
        newest = runs[::-1][:limit]
        fields = ("id", "status", "thread_id", "assistant_id", "created_at")
        return ok({"runs": [{name: run.get(name) for name in fields} for run in newest]})

    @operations("mockRules")
    async def rules(ctx: Context) -> Reply:
        return ok({"rules": [rule.source for rule in ctx.session.rules]})

    @operations("mockSetRules")
    async def set_rules(ctx: Context, body: dict[str, Any]) -> Reply:
        try:
            compiled = [rule_from_fixture(item) for item in body["rules"]]
        except Exception as error:  # a pattern that is not a regular expression
            raise MockRefusal(f"a rule cannot be used: {error}") from None
        ctx.session.assistant.rules = compiled
        await sessions.publish(ctx.session)
        return ok({"rules": [rule.source for rule in compiled]})

    @operations("mockAdvanceClock")
    async def advance_clock(ctx: Context, body: dict[str, Any]) -> Reply:
        clock = ctx.session.clock
        clock.advance(body["advance_seconds"])
        await sessions.publish(ctx.session)
        now = clock.peek()
        return ok({"now": now, "iso": clock.iso(now), "offset_seconds": clock.offset})

    @operations("mockFaults")
    async def faults(ctx: Context) -> Reply:
        return ok({"faults": [fault.as_json() for fault in ctx.session.faults]})

    @operations("mockSetFaults")
    async def set_faults(ctx: Context, body: dict[str, Any]) -> Reply:
        ctx.session.faults = parse_faults(body["faults"], plane.api_operations)
        await sessions.publish(ctx.session)
        return ok({"faults": [fault.as_json() for fault in ctx.session.faults]})

    @operations("mockClearFaults")
    async def clear_faults(ctx: Context) -> Reply:
        ctx.session.faults = []
        await sessions.publish(ctx.session)
        return no_content()

    return operations
