"""What several handler modules share: access rules (who may see or change what, and the real
server's error messages), and the list envelope."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.errors import ApiError, admin_required, forbidden, not_found
from mock_server.records import Row, public
from mock_server.store import Page


def require_admin(ctx: Context) -> None:
    if not ctx.caller.is_admin:
        raise admin_required()


def user_for(ctx: Context, user_id: str, *, forbidden_detail: str | None = None) -> Row:
    """A user the caller may act on: themselves, or anyone for an admin. Others get 403 whether
    or not the user exists, as on the real server."""
    if ctx.caller.user_id != user_id and not ctx.caller.is_admin:
        raise forbidden(forbidden_detail or "You do not have permission to access this user.")
    user = ctx.store.users.get(user_id)
    if user is None:
        raise not_found("User")
    return user


def assistant_for(ctx: Context, assistant_id: str, *, write: bool = False) -> Row:
    """A live assistant the caller owns (or, to read, that was shared with them)."""
    assistant = ctx.store.assistants.get(assistant_id)
    if assistant is None or assistant.get("_deleted_at") is not None:
        raise not_found("Assistant")
    caller = ctx.caller.user_id
    if assistant["owner_id"] != caller and (write or caller not in assistant["_shared_with"]):
        raise forbidden("You do not have permission to access this assistant.")
    return assistant


def thread_for(ctx: Context, thread_id: str, *, write: bool = False, detail: str | None = None) -> Row:
    """A thread the caller owns (or, to read, takes part in)."""
    thread = ctx.store.threads.get(thread_id)
    if thread is None:
        raise not_found("Thread")
    caller = ctx.caller.user_id
    if thread["owner_id"] != caller and (write or caller not in thread["_participant_ids"]):
        raise forbidden(detail or "You do not have permission to access this thread.")
    return thread


def run_for(ctx: Context, run_id: str) -> Row:
    run = ctx.store.runs.get(run_id)
    if run is None:
        raise not_found("Run")
    if run["user_id"] != ctx.caller.user_id:
        raise forbidden("You do not have permission to access this run.")
    return run


def bad_request(detail: str) -> ApiError:
    return ApiError(400, detail)


def envelope(page: Page, view: Any = public) -> dict[str, Any]:
    data = [view(row) for row in page.rows]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": page.has_more,
    }
