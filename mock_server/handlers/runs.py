"""Runs: create (queued), read with their actions, cancel, set status (admin), patch fields and
metadata, list by thread and overall, delete, and the run-lifecycle event stream."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.engine.run_events import run_event_stream
from mock_server.engine.turns import FINISHED_FOR_CANCEL
from mock_server.errors import ApiError, forbidden, not_found
from mock_server.handlers._common import (
    ASSISTANT_USE_DENIED,
    bad_request,
    current,
    envelope,
    may_use_assistant,
    run_for,
    thread_for,
)
from mock_server.records import Row, new_run, public
from mock_server.registry import Operations
from mock_server.reply import Reply, ok
from mock_server.store import Page

operations = Operations()
FIELDS_WHITELIST = ("started_at", "completed_at", "failed_at", "last_error", "incomplete_details", "usage")


async def detailed_view(ctx: Context, row: Row) -> Row:
    actions = [public(action) for action in await ctx.store.actions.of_run(row["id"])]
    return {**public(row), "actions": actions}


@operations("createRun")
async def create_run(ctx: Context, body: dict[str, Any]) -> Reply:
    # As the real server: any assistant the caller may use, even one soft-deleted since (its
    # completion then answers 404).
    assistant = await ctx.store.assistants.get(body["assistant_id"])
    if assistant is None:
        raise not_found("Assistant")
    if not may_use_assistant(assistant, ctx.caller.user_id):
        raise forbidden(ASSISTANT_USE_DENIED)
    # Intended, where the real server checks nothing: a run writes its reply into the thread, so
    # the thread must be the caller's, as for posting a message.
    await thread_for(ctx, body["thread_id"], write=True)
    row = await ctx.store.runs.add(new_run(ctx.ids, ctx.clock, ctx.caller.user_id, assistant, body))
    return ok(public(row))


@operations("getRun")
async def get_run(ctx: Context, run_id: str) -> Reply:
    return ok(await detailed_view(ctx, await run_for(ctx, run_id)))


@operations("cancelRun")
async def cancel_run(ctx: Context, run_id: str) -> Reply:
    run = await run_for(ctx, run_id)
    if run["status"] in FINISHED_FOR_CANCEL:
        raise bad_request("Run is already finished")
    changes = {"status": "cancelled", "cancelled_at": ctx.clock.now()}
    return ok(public(await ctx.store.runs.update(run_id, changes)))  # type: ignore[arg-type]


@operations("updateRunStatus")
async def update_run_status(ctx: Context, run_id: str, body: dict[str, Any]) -> Reply:
    if not ctx.caller.is_admin:
        raise forbidden("Admin privileges required to update run status.")
    updated = await ctx.store.runs.update(run_id, {"status": body["status"]})
    if updated is None:
        raise ApiError(404, "Run not found")
    return ok(public(updated))


@operations("updateRunFields")
async def update_run_fields(ctx: Context, run_id: str, body: dict[str, Any]) -> Reply:
    run = await run_for(ctx, run_id)
    changes = {key: body[key] for key in FIELDS_WHITELIST if key in body}
    if "current_turn" in body:
        changes["_current_turn"] = body["current_turn"]
    if isinstance(body.get("meta_data"), dict):
        changes["meta_data"] = {**run["meta_data"], **body["meta_data"]}
    return ok(public(await ctx.store.runs.update(run_id, changes)))  # type: ignore[arg-type]


@operations("updateRunMetadata")
async def update_run_metadata(ctx: Context, run_id: str, body: dict[str, Any]) -> Reply:
    run = await run_for(ctx, run_id)
    metadata = body["metadata"] if isinstance(body.get("metadata"), dict) else body
    if not isinstance(metadata, dict):
        raise bad_request("Body must be a JSON object")
    merged = {**run["meta_data"], **metadata}
    return ok(public(await ctx.store.runs.update(run_id, {"meta_data": merged})))  # type: ignore[arg-type]


@operations("listRunsByThread")
async def list_runs_by_thread(ctx: Context, thread_id: str, limit: int, order: str = "asc") -> Reply:
    await thread_for(ctx, thread_id)
    page = await ctx.store.runs.page_of_user(ctx.caller.user_id, order=order, limit=limit, thread_id=thread_id)  # type: ignore[arg-type]
    return ok(envelope(await _current_page(ctx, page)))


@operations("listRuns")
async def list_runs(ctx: Context, limit: int, order: str = "asc", thread_id: str | None = None) -> Reply:
    page = await ctx.store.runs.page_of_user(ctx.caller.user_id, order=order, limit=limit, thread_id=thread_id)  # type: ignore[arg-type]
    return ok(envelope(await _current_page(ctx, page)))


async def _current_page(ctx: Context, page: Page) -> Page:
    return Page([await current(ctx, run) for run in page.rows], page.has_more)


@operations("deleteRun")
async def delete_run(ctx: Context, run_id: str) -> Reply:
    await run_for(ctx, run_id)
    await ctx.store.remove_run(run_id)
    return ok({"id": run_id, "object": "thread.run.deleted", "deleted": True})


@operations("streamRunEvents")
async def stream_run_events(ctx: Context, run_id: str) -> Reply:
    await run_for(ctx, run_id)  # ownership is checked once, before the stream opens
    return run_event_stream(ctx.store, ctx.clock, run_id)
