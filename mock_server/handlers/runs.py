"""Runs: create (queued), read with their actions, cancel, set status (admin), patch fields and
metadata, list by thread and overall, delete, and the run-lifecycle event stream."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.engine.run_events import run_event_stream
from mock_server.errors import ApiError, forbidden
from mock_server.handlers._common import assistant_for, bad_request, envelope, run_for, thread_for
from mock_server.records import Row, new_run, public

FIELDS_WHITELIST = ("started_at", "completed_at", "failed_at", "last_error", "incomplete_details", "usage")
FINISHED = ("completed", "cancelled")


def run_view(row: Row) -> Row:
    return public(row)


def detailed_view(ctx: Context, row: Row) -> Row:
    actions = [public(action) for action in ctx.store.actions.where("run_id", row["id"])]
    return {**public(row), "actions": actions}


async def create_run(ctx: Context, body: dict[str, Any]) -> tuple[Row, int]:
    try:
        assistant = assistant_for(ctx, body["assistant_id"])
    except ApiError as error:
        if error.status == 403:
            raise forbidden("You do not have access to this assistant.") from None
        raise
    thread_for(ctx, body["thread_id"])
    row = ctx.store.runs.insert(new_run(ctx.ids, ctx.clock, ctx.caller.user_id, assistant, body))
    return run_view(row), 200


async def get_run(ctx: Context, run_id: str) -> tuple[Row, int]:
    return detailed_view(ctx, run_for(ctx, run_id)), 200


async def cancel_run(ctx: Context, run_id: str) -> tuple[Row, int]:
    run = run_for(ctx, run_id)
    if run["status"] in FINISHED:
        raise bad_request("Run is already finished")
    changes = {"status": "cancelled", "cancelled_at": ctx.clock.now()}
    return run_view(ctx.store.runs.update(run_id, changes)), 200


async def update_run_status(ctx: Context, run_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    if not ctx.caller.is_admin:
        raise forbidden("Admin privileges required to update run status.")
    if ctx.store.runs.get(run_id) is None:
        raise ApiError(404, "Run not found")
    return run_view(ctx.store.runs.update(run_id, {"status": body["status"]})), 200


async def update_run_fields(ctx: Context, run_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    run = run_for(ctx, run_id)
    changes = {key: body[key] for key in FIELDS_WHITELIST if key in body}
    if "current_turn" in body:
        changes["_current_turn"] = body["current_turn"]
    if isinstance(body.get("meta_data"), dict):
        changes["meta_data"] = {**run["meta_data"], **body["meta_data"]}
    return run_view(ctx.store.runs.update(run_id, changes)), 200


async def update_run_metadata(ctx: Context, run_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    run = run_for(ctx, run_id)
    metadata = body["metadata"] if isinstance(body.get("metadata"), dict) else body
    if not isinstance(metadata, dict):
        raise bad_request("Body must be a JSON object")
    return run_view(ctx.store.runs.update(run_id, {"meta_data": {**run["meta_data"], **metadata}})), 200


async def list_runs_by_thread(ctx: Context, thread_id: str, limit: int = 20, order: str = "asc") -> tuple[Row, int]:
    thread_for(ctx, thread_id)
    caller = ctx.caller.user_id
    page = ctx.store.runs.page(
        "thread_id", thread_id, limit=limit, order=order, keep=lambda run: run["user_id"] == caller
    )  # type: ignore[arg-type]
    return envelope(page, run_view), 200


async def list_runs(ctx: Context, limit: int = 20, order: str = "asc", thread_id: str | None = None) -> tuple[Row, int]:
    keep = (lambda run: run["thread_id"] == thread_id) if thread_id else None
    page = ctx.store.runs.page("user_id", ctx.caller.user_id, limit=limit, order=order, keep=keep)  # type: ignore[arg-type]
    return envelope(page, run_view), 200


async def delete_run(ctx: Context, run_id: str) -> tuple[Row, int]:
    run_for(ctx, run_id)
    for action in list(ctx.store.actions.where("run_id", run_id)):
        ctx.store.actions.delete(action["id"])
    ctx.store.runs.delete(run_id)
    return {"id": run_id, "object": "thread.run.deleted", "deleted": True}, 200


async def stream_run_events(ctx: Context, run_id: str) -> Any:
    run_for(ctx, run_id)  # ownership is checked once, before the stream opens
    return run_event_stream(ctx.store, run_id)
