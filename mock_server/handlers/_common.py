"""What several handler modules share: the access rules (who may see or change what) with the
real server's messages, written once, and the list envelope."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.errors import ApiError, admin_required, forbidden, not_found
from mock_server.records import Row, overdue, public
from mock_server.store import Page

ASSISTANT_DENIED = "You do not have permission to access this assistant."
# Using an assistant through a run (creating it, driving it): the real server's other wording.
ASSISTANT_USE_DENIED = "You do not have access to this assistant."
THREAD_DENIED = "You do not have permission to access this thread."
THREAD_CHANGE_DENIED = "You do not have permission to modify this thread."
THREAD_DELETE_DENIED = "You do not have permission to delete this thread."
RUN_DENIED = "You do not have permission to access this run."
MESSAGE_DENIED = "You do not have permission to access this message."


def require_admin(ctx: Context) -> None:
    if not ctx.caller.is_admin:
        raise admin_required()


def bad_request(detail: str) -> ApiError:
    return ApiError(400, detail)


async def user_for(ctx: Context, user_id: str, *, forbidden_detail: str | None = None) -> Row:
    """A user the caller may act on: themselves, or anyone for an admin. Others get 403 whether
    or not the user exists, as on the real server."""
    if ctx.caller.user_id != user_id and not ctx.caller.is_admin:
        raise forbidden(forbidden_detail or "You do not have permission to access this user.")
    user = await ctx.store.users.get(user_id)
    if user is None:
        raise not_found("User")
    return user


def may_use_assistant(assistant: Row, user_id: str) -> bool:
    return assistant["owner_id"] == user_id or user_id in assistant["_shared_with"]


async def live_assistant(ctx: Context, assistant_id: str) -> Row:
    assistant = await ctx.store.assistants.get(assistant_id)
    if assistant is None or assistant.get("_deleted_at") is not None:
        raise not_found("Assistant")
    return assistant


async def assistant_for(ctx: Context, assistant_id: str, *, write: bool = False) -> Row:
    """A live assistant the caller owns (or, to read, that was shared with them)."""
    assistant = await live_assistant(ctx, assistant_id)
    caller = ctx.caller.user_id
    if assistant["owner_id"] != caller and (write or caller not in assistant["_shared_with"]):
        raise forbidden(ASSISTANT_DENIED)
    return assistant


def may_read_thread(thread: Row, user_id: str) -> bool:
    return thread["owner_id"] == user_id or user_id in thread["_participant_ids"]


async def thread_for(ctx: Context, thread_id: str, *, write: bool = False, detail: str | None = None) -> Row:
    """A thread the caller owns (or, to read, takes part in). Writing into a thread — a message,
    a run, a reply — is its owner's alone."""
    thread = await ctx.store.threads.get(thread_id)
    if thread is None:
        raise not_found("Thread")
    if not (thread["owner_id"] == ctx.caller.user_id if write else may_read_thread(thread, ctx.caller.user_id)):
        raise forbidden(detail or THREAD_DENIED)
    return thread


async def current(ctx: Context, run: Row) -> Row:
    """The run as it stands now: one left waiting past its `expires_at` is expired (intended; the
    real server never expires a run), so no reader sees it queued for ever."""
    if overdue(run, ctx.clock.peek()):
        return await ctx.store.runs.update(run["id"], {"status": "expired"}) or run
    return run


async def run_for(ctx: Context, run_id: str) -> Row:
    run = await ctx.store.runs.get(run_id)
    if run is None:
        raise not_found("Run")
    if run["user_id"] != ctx.caller.user_id:
        raise forbidden(RUN_DENIED)
    return await current(ctx, run)


def envelope(page: Page, view: Any = public) -> dict[str, Any]:
    data = [view(row) for row in page.rows]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": page.has_more,
    }
