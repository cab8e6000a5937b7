"""Threads: create, read, update (merge) and replace metadata, delete (with their messages and
runs), list by user."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.handlers._common import THREAD_CHANGE_DENIED, THREAD_DELETE_DENIED, bad_request, thread_for, user_for
from mock_server.records import Row, new_thread, public
from mock_server.registry import Operations
from mock_server.reply import Reply, ok

operations = Operations()


async def detailed_view(ctx: Context, row: Row) -> Row:
    participants = []
    for user_id in row["_participant_ids"]:
        user = await ctx.store.users.get(user_id)
        if user is not None:
            participants.append({"id": user["id"], "email": user["email"], "full_name": user["full_name"]})
    return {**public(row), "participants": participants}


async def _known_users(ctx: Context, user_ids: list[str]) -> list[str]:
    for user_id in user_ids:
        if await ctx.store.users.get(user_id) is None:
            raise bad_request("Invalid user IDs")
    return user_ids


@operations("createThread")
async def create_thread(ctx: Context, body: dict[str, Any]) -> Reply:
    participants = await _known_users(ctx, body.get("participant_ids") or [])
    row = new_thread(ctx.ids, ctx.clock, ctx.caller.user_id, participants, body.get("meta_data"))
    await ctx.store.threads.add(row)
    return ok(await detailed_view(ctx, row))


@operations("getThread")
async def get_thread(ctx: Context, thread_id: str) -> Reply:
    return ok(await detailed_view(ctx, await thread_for(ctx, thread_id)))


@operations("updateThread")
async def update_thread(ctx: Context, thread_id: str, body: dict[str, Any]) -> Reply:
    thread = await thread_for(ctx, thread_id, write=True, detail=THREAD_CHANGE_DENIED)
    changes: Row = {}
    if body.get("participant_ids") is not None:
        others = [p for p in await _known_users(ctx, body["participant_ids"]) if p != thread["owner_id"]]
        changes["_participant_ids"] = [thread["owner_id"], *dict.fromkeys(others)]
    if body.get("meta_data") is not None:
        changes["meta_data"] = {**thread["meta_data"], **body["meta_data"]}
    if body.get("tool_resources") is not None:
        changes["tool_resources"] = body["tool_resources"]
    return ok(await detailed_view(ctx, await ctx.store.threads.update(thread_id, changes)))  # type: ignore[arg-type]


@operations("updateThreadMetadata")
async def update_thread_metadata(ctx: Context, thread_id: str, body: dict[str, Any]) -> Reply:
    await thread_for(ctx, thread_id, write=True, detail=THREAD_CHANGE_DENIED)
    updated = await ctx.store.threads.update(thread_id, {"meta_data": dict(body)})
    return ok(await detailed_view(ctx, updated))  # type: ignore[arg-type]


@operations("deleteThread")
async def delete_thread(ctx: Context, thread_id: str) -> Reply:
    await thread_for(ctx, thread_id, write=True, detail=THREAD_DELETE_DENIED)
    await ctx.store.remove_thread(thread_id)
    return ok({"id": thread_id, "object": "thread.deleted", "deleted": True})


@operations("listThreadIdsByUser")
async def list_thread_ids_by_user(ctx: Context, user_id: str) -> Reply:
    await user_for(ctx, user_id)
    return ok([row["id"] for row in await ctx.store.threads.of_participant(user_id)])


@operations("listThreadsByUser")
async def list_threads_by_user(ctx: Context, user_id: str) -> Reply:
    await user_for(ctx, user_id)
    return ok([public(row) for row in await ctx.store.threads.of_participant(user_id)])
