"""Actions (tool-call records): create, read, update (completion stamps processing), delete, and the
pending and by-status listings of a run. An action belongs to its run's user."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.errors import RequestValidationFailed, not_found, validation_item
from mock_server.handlers._common import run_for
from mock_server.records import Row, new_action, pending_action, public
from mock_server.registry import Operations
from mock_server.reply import Reply, no_content, ok

operations = Operations()


async def _action_for(ctx: Context, action_id: str) -> Row:
    action = await ctx.store.actions.get(action_id)
    if action is None:
        raise not_found("Action")
    await run_for(ctx, action["run_id"])
    return action


@operations("createAction")
async def create_action(ctx: Context, body: dict[str, Any]) -> Reply:
    await run_for(ctx, body["run_id"])
    try:
        action = new_action(ctx.ids, ctx.clock, body)
    except (ValueError, OverflowError, OSError):  # a form the schema allows but no calendar has (2026-02-30, 2**70 s)
        item = validation_item(
            "datetime_from_date_parsing", ["body", "expires_at"], "Input should be a valid datetime", body["expires_at"]
        )
        raise RequestValidationFailed([item]) from None
    return ok(public(await ctx.store.actions.add(action)))


@operations("getAction")
async def get_action(ctx: Context, action_id: str) -> Reply:
    return ok(public(await _action_for(ctx, action_id)))


@operations("updateAction")
async def update_action(ctx: Context, action_id: str, body: dict[str, Any]) -> Reply:
    await _action_for(ctx, action_id)
    changes: Row = {"status": body["status"], "result": body.get("result")}
    if body["status"] == "completed":
        changes |= {"is_processed": True, "processed_at": ctx.clock.iso()}
    return ok(public(await ctx.store.actions.update(action_id, changes)))  # type: ignore[arg-type]


@operations("deleteAction")
async def delete_action(ctx: Context, action_id: str) -> Reply:
    await _action_for(ctx, action_id)
    await ctx.store.actions.remove(action_id)
    return no_content()


@operations("listPendingActions")
async def list_pending_actions(ctx: Context, run_id: str) -> Reply:
    run = await run_for(ctx, run_id)
    return ok([pending_action(action, run) for action in await ctx.store.actions.pending_of_run(run_id)])


@operations("listActionsByStatus")
async def list_actions_by_status(ctx: Context, run_id: str, status: str) -> Reply:
    await run_for(ctx, run_id)
    return ok([public(a) for a in await ctx.store.actions.of_run(run_id) if a["status"] == status])
