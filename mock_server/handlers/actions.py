"""Actions (tool-call records): create, read, update (completion stamps processing), delete, and the
pending and by-status listings of a run."""

from __future__ import annotations

from typing import Any

from connexion import NoContent

from mock_server.context import Context
from mock_server.errors import not_found
from mock_server.handlers._common import run_for
from mock_server.records import Row, new_action, pending_actions, public


def _action_for(ctx: Context, action_id: str) -> Row:
    action = ctx.store.actions.get(action_id)
    if action is None:
        raise not_found("Action")
    run_for(ctx, action["run_id"])
    return action


async def create_action(ctx: Context, body: dict[str, Any]) -> tuple[Row, int]:
    run_for(ctx, body["run_id"])
    return public(ctx.store.actions.insert(new_action(ctx.ids, ctx.clock, body))), 200


async def get_action(ctx: Context, action_id: str) -> tuple[Row, int]:
    return public(_action_for(ctx, action_id)), 200


async def update_action(ctx: Context, action_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    _action_for(ctx, action_id)
    changes: Row = {"status": body["status"], "result": body.get("result")}
    if body["status"] == "completed":
        changes |= {"is_processed": True, "processed_at": ctx.clock.iso()}
    return public(ctx.store.actions.update(action_id, changes)), 200


async def delete_action(ctx: Context, action_id: str) -> tuple[Any, int]:
    _action_for(ctx, action_id)
    ctx.store.actions.delete(action_id)
    return NoContent, 204


async def list_pending_actions(ctx: Context, run_id: str) -> tuple[list[Row], int]:
    run = run_for(ctx, run_id)
    return pending_actions(ctx.store.actions.where("run_id", run_id), run), 200


async def list_actions_by_status(ctx: Context, run_id: str, status: str = "pending") -> tuple[list[Row], int]:
    run_for(ctx, run_id)
    return [public(a) for a in ctx.store.actions.where("run_id", run_id) if a["status"] == status], 200
