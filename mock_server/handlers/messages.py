"""Messages: create (user, tool output, assistant reply), read, update, delete, list a thread's
messages in pages, and the thread as LLM-ready history."""

from __future__ import annotations

import json
from typing import Any

from mock_server.context import Context
from mock_server.errors import forbidden, not_found
from mock_server.handlers._common import envelope, thread_for
from mock_server.records import Row, new_message, public


def as_stored(row: Row) -> Row:
    """Message rows hold no private state: a page serves them as stored, without a copy."""
    return row


POST_DENIED = "You do not have permission to access this thread."
UPDATABLE = ("content", "meta_data", "status", "role", "tool_call_id")


def _post(ctx: Context, body: dict[str, Any], *, role: str, completed: bool = False) -> Row:
    thread = thread_for(ctx, body["thread_id"], write=True, detail=POST_DENIED)
    row = ctx.store.messages.insert(new_message(ctx.ids, ctx.clock, body, role=role, completed=completed))
    if role == "user" and not thread["materialized"]:
        ctx.store.threads.update(thread["id"], {"materialized": True})
    return row


def _message_for(ctx: Context, message_id: str, *, write: bool = False) -> Row:
    message = ctx.store.messages.get(message_id)
    if message is None:
        raise not_found("Message")
    thread = ctx.store.threads.get(message["thread_id"])
    caller = ctx.caller.user_id
    if thread is None or (thread["owner_id"] != caller and (write or caller not in thread["_participant_ids"])):
        raise forbidden("You do not have permission to access this message.")
    return message


async def create_message(ctx: Context, body: dict[str, Any]) -> tuple[Row, int]:
    return public(_post(ctx, body, role=body["role"].lower())), 200


async def submit_tool_output(ctx: Context, body: dict[str, Any]) -> tuple[Row, int]:
    return public(_post(ctx, body, role="tool")), 200


async def save_assistant_message(ctx: Context, body: dict[str, Any]) -> tuple[Row, int]:
    return public(_post(ctx, body, role="assistant", completed=True)), 200


async def get_message(ctx: Context, message_id: str) -> tuple[Row, int]:
    return public(_message_for(ctx, message_id)), 200


async def update_message(ctx: Context, message_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    _message_for(ctx, message_id, write=True)
    changes = {key: body[key] for key in UPDATABLE if body.get(key) is not None}
    return public(ctx.store.messages.update(message_id, changes)), 200


async def delete_message(ctx: Context, message_id: str) -> tuple[Row, int]:
    _message_for(ctx, message_id, write=True)
    ctx.store.messages.delete(message_id)
    return {"id": message_id, "object": "thread.message.deleted", "deleted": True}, 200


async def list_messages(ctx: Context, thread_id: str, limit: int = 20, order: str = "asc") -> tuple[Row, int]:
    thread_for(ctx, thread_id)
    page = ctx.store.messages.page("thread_id", thread_id, limit=limit, order=order)  # type: ignore[arg-type]
    return envelope(page, view=as_stored), 200


async def get_formatted_messages(ctx: Context, thread_id: str) -> tuple[list[Row], int]:
    thread_for(ctx, thread_id)
    return [_formatted(row) for row in ctx.store.messages.where("thread_id", thread_id)], 200


def _formatted(row: Row) -> Row:
    """One history entry, shaped as the real server shapes it for the LLM."""
    role, content = row["role"], row["content"]
    if role == "tool":
        return {"role": "tool", "tool_call_id": row["tool_call_id"] or "", "content": _text(content)}
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
