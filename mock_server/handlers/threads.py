"""Threads: create, read, update (merge) and replace metadata, delete (with their messages), list by user."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.handlers._common import bad_request, thread_for, user_for
from mock_server.records import Row, new_thread, public


def detailed_view(ctx: Context, row: Row) -> Row:
    participants = []
    for user_id in row["_participant_ids"]:
        user = ctx.store.users.get(user_id)
        if user is not None:
            participants.append({"id": user["id"], "email": user["email"], "full_name": user["full_name"]})
    return {**public(row), "participants": participants}


def _known_users(ctx: Context, user_ids: list[str]) -> list[str]:
    if any(ctx.store.users.get(user_id) is None for user_id in user_ids):
        raise bad_request("Invalid user IDs")
    return user_ids


async def create_thread(ctx: Context, body: dict[str, Any]) -> tuple[Row, int]:
    participants = _known_users(ctx, body.get("participant_ids") or [])
    row = new_thread(ctx.ids, ctx.clock, ctx.caller.user_id, participants, body.get("meta_data"))
    ctx.store.threads.insert(row)
    return detailed_view(ctx, row), 200


async def get_thread(ctx: Context, thread_id: str) -> tuple[Row, int]:
    return detailed_view(ctx, thread_for(ctx, thread_id)), 200


async def update_thread(ctx: Context, thread_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    thread = thread_for(ctx, thread_id, write=True, detail="You do not have permission to modify this thread.")
    changes: Row = {}
    if body.get("participant_ids") is not None:
        others = [p for p in _known_users(ctx, body["participant_ids"]) if p != thread["owner_id"]]
        changes["_participant_ids"] = [thread["owner_id"], *dict.fromkeys(others)]
    if body.get("meta_data") is not None:
        changes["meta_data"] = {**thread["meta_data"], **body["meta_data"]}
    if body.get("tool_resources") is not None:
        changes["tool_resources"] = body["tool_resources"]
    return detailed_view(ctx, ctx.store.threads.update(thread_id, changes)), 200


async def update_thread_metadata(ctx: Context, thread_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    thread_for(ctx, thread_id, write=True, detail="You do not have permission to modify this thread.")
    return detailed_view(ctx, ctx.store.threads.update(thread_id, {"meta_data": dict(body)})), 200


async def delete_thread(ctx: Context, thread_id: str) -> tuple[Row, int]:
    thread_for(ctx, thread_id, write=True, detail="You do not have permission to delete this thread.")
    for message in list(ctx.store.messages.where("thread_id", thread_id)):
        ctx.store.messages.delete(message["id"])
    ctx.store.threads.delete(thread_id)
    return {"id": thread_id, "object": "thread.deleted", "deleted": True}, 200


async def list_thread_ids_by_user(ctx: Context, user_id: str) -> tuple[list[str], int]:
    user_for(ctx, user_id)
    return [row["id"] for row in ctx.store.threads.where("_participant_ids", user_id)], 200


async def list_threads_by_user(ctx: Context, user_id: str) -> tuple[list[Row], int]:
    user_for(ctx, user_id)
    return [public(row) for row in ctx.store.threads.where("_participant_ids", user_id)], 200
