"""Messages: create (user, tool output, assistant reply), read, update, delete, list a thread's
messages in pages, and the thread as LLM-ready history."""

from __future__ import annotations

import json
from typing import Any

from mock_server.context import Context
from mock_server.errors import forbidden, not_found
from mock_server.handlers._common import MESSAGE_DENIED, THREAD_DENIED, envelope, may_read_thread, thread_for
from mock_server.records import Row, new_message, public
from mock_server.registry import Operations
from mock_server.reply import Reply, ok

operations = Operations()
UPDATABLE = ("content", "meta_data", "status", "role", "tool_call_id")


def as_stored(row: Row) -> Row:
    """Message rows hold no private state, and the store hands out copies: a page serves them as read."""
    return row


async def _post(ctx: Context, body: dict[str, Any], *, role: str, completed: bool = False) -> Row:
    thread = await thread_for(ctx, body["thread_id"], write=True, detail=THREAD_DENIED)
    row = await ctx.store.messages.add(new_message(ctx.ids, ctx.clock, body, role=role, completed=completed))
    if role == "user" and not thread["materialized"]:
        await ctx.store.threads.update(thread["id"], {"materialized": True})
    return row


async def _message_for(ctx: Context, message_id: str, *, write: bool = False) -> Row:
    message = await ctx.store.messages.get(message_id)
    if message is None:
        raise not_found("Message")
    thread = await ctx.store.threads.get(message["thread_id"])
    if thread is None:  # its thread is being deleted: the message goes with it
        raise not_found("Message")
    caller = ctx.caller.user_id
    if not (thread["owner_id"] == caller if write else may_read_thread(thread, caller)):
        raise forbidden(MESSAGE_DENIED)
    return message


@operations("createMessage")
async def create_message(ctx: Context, body: dict[str, Any]) -> Reply:
    return ok(public(await _post(ctx, body, role=body["role"].lower())))


@operations("submitToolOutput")
async def submit_tool_output(ctx: Context, body: dict[str, Any]) -> Reply:
    return ok(public(await _post(ctx, body, role="tool")))


@operations("saveAssistantMessage")
async def save_assistant_message(ctx: Context, body: dict[str, Any]) -> Reply:
    return ok(public(await _post(ctx, body, role="assistant", completed=True)))


@operations("getMessage")
async def get_message(ctx: Context, message_id: str) -> Reply:
    return ok(public(await _message_for(ctx, message_id)))


@operations("updateMessage")
async def update_message(ctx: Context, message_id: str, body: dict[str, Any]) -> Reply:
    await _message_for(ctx, message_id, write=True)
    changes = {key: body[key] for key in UPDATABLE if body.get(key) is not None}
    if "role" in changes:
        changes["role"] = changes["role"].lower()  # any case is taken, and kept lower-case
    return ok(public(await ctx.store.messages.update(message_id, changes)))  # type: ignore[arg-type]


@operations("deleteMessage")
async def delete_message(ctx: Context, message_id: str) -> Reply:
    await _message_for(ctx, message_id, write=True)
    await ctx.store.messages.remove(message_id)
    return ok({"id": message_id, "object": "thread.message.deleted", "deleted": True})


@operations("listMessages")
async def list_messages(ctx: Context, thread_id: str, limit: int, order: str = "asc") -> Reply:
    await thread_for(ctx, thread_id)
    page = await ctx.store.messages.page_of_thread(thread_id, order=order, limit=limit)  # type: ignore[arg-type]
    return ok(envelope(page, view=as_stored))


@operations("getFormattedMessages")
async def get_formatted_messages(ctx: Context, thread_id: str) -> Reply:
    await thread_for(ctx, thread_id)
    history = []
    async for chunk in ctx.store.messages.of_thread(thread_id):
        history.extend(_formatted(row) for row in chunk)
    return ok(history)


def _formatted(row: Row) -> Row:
    """One history entry, shaped as the real server shapes it for the LLM."""
    role, content = row["role"], row["content"]
    if role == "tool":
        return {"role": "tool", "tool_call_id": row["tool_call_id"], "content": _text(content)}
    if role == "assistant" and isinstance(content, str):
        calls = _tool_calls(content)
        if calls:
            return {"role": "assistant", "content": None, "tool_calls": calls}
    return {"role": role, "content": content}


def _tool_calls(content: str) -> list[Row] | None:
    try:
        parsed = json.loads(content)
    except ValueError:
        return None
    if isinstance(parsed, list) and parsed and all(isinstance(c, dict) and "function" in c for c in parsed):
        return parsed
    return None


def _text(content: Any) -> str:
    return content if isinstance(content, str) else json.dumps(content)
