"""Users: create (admin), read, update, erase (admin, with everything the user owns), and the
assistants shared with a user."""

from __future__ import annotations

from typing import Any

from connexion import NoContent

from mock_server.context import Context
from mock_server.errors import ApiError, forbidden, not_found
from mock_server.handlers._common import bad_request, user_for
from mock_server.handlers.assistants import assistants_of
from mock_server.records import Row, new_user, public

UPDATABLE = ("email", "full_name", "given_name", "family_name", "picture_url", "email_verified")
ASSISTANT_DENIED = "You do not have permission to access this assistant."


def email_taken(ctx: Context, email: str | None, *, other_than: str | None = None) -> bool:
    return email is not None and any(row["id"] != other_than for row in ctx.store.users.where("email", email))


def _duplicate_email(email: str) -> ApiError:
    return ApiError(409, f"User with email {email} already exists.")


async def create_user(ctx: Context, body: dict[str, Any]) -> tuple[Row, int]:
    if not ctx.caller.is_admin:
        raise forbidden("Admin privileges required to create users.")
    if email_taken(ctx, body.get("email")):
        raise _duplicate_email(body["email"])
    return public(ctx.store.users.insert(new_user(ctx.ids, ctx.clock, body))), 201


async def get_user(ctx: Context, user_id: str) -> tuple[Row, int]:
    return public(user_for(ctx, user_id)), 200


async def update_user(ctx: Context, user_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    user = user_for(ctx, user_id)
    changes = {key: body[key] for key in UPDATABLE if body.get(key) is not None and body[key] != user[key]}
    if not changes:
        return public(user), 200
    # Two users sharing an email would make email lookups (createUser's check, provisioning) ambiguous.
    if email_taken(ctx, changes.get("email"), other_than=user_id):
        raise _duplicate_email(changes["email"])
    changes["updated_at"] = ctx.clock.iso()
    return public(ctx.store.users.update(user_id, changes)), 200


async def delete_user(ctx: Context, user_id: str) -> tuple[Row, int]:
    if not ctx.caller.is_admin:
        raise forbidden("Admin privileges required to delete users.")
    if user_id == ctx.caller.user_id:
        raise forbidden("Admin self-deletion via API is disallowed.")
    if ctx.store.users.get(user_id) is None:
        raise not_found("User")
    _erase(ctx, user_id)
    return {"success": True, "message": f"User {user_id} deleted."}, 200


def _erase(ctx: Context, user_id: str) -> None:
    """Everything the user owns goes; what they only take part in forgets them."""
    store = ctx.store
    for key in list(store.api_keys.where("user_id", user_id)):
        store.api_keys.delete(key["id"])
    owned_threads = list(store.threads.where("owner_id", user_id))
    runs = {run["id"]: run for run in store.runs.where("user_id", user_id)}
    for thread in owned_threads:
        runs.update((run["id"], run) for run in store.runs.where("thread_id", thread["id"]))
    for run_id in runs:
        for action in list(store.actions.where("run_id", run_id)):
            store.actions.delete(action["id"])
        store.runs.delete(run_id)
    for thread in owned_threads:
        for message in list(store.messages.where("thread_id", thread["id"])):
            store.messages.delete(message["id"])
        store.threads.delete(thread["id"])
    for thread in list(store.threads.where("_participant_ids", user_id)):
        store.threads.update(thread["id"], {"_participant_ids": _without(thread["_participant_ids"], user_id)})
    for assistant in list(store.assistants.where("_shared_with", user_id)):
        store.assistants.update(assistant["id"], {"_shared_with": _without(assistant["_shared_with"], user_id)})
    for assistant in list(store.assistants.where("owner_id", user_id)):
        if assistant["_shared_with"]:  # others still use it: it stays, without an owner
            store.assistants.update(assistant["id"], {"owner_id": None})
        elif assistant.get("_deleted_at") is None:
            store.assistants.update(assistant["id"], {"_deleted_at": ctx.clock.now()})
    store.users.delete(user_id)


def _without(ids: list[str], user_id: str) -> list[str]:
    return [i for i in ids if i != user_id]


async def list_user_assistants(ctx: Context, user_id: str) -> tuple[list[Row], int]:
    user_for(ctx, user_id)
    return [public(row) for row in assistants_of(ctx, user_id)], 200


def _share_target(ctx: Context, user_id: str, assistant_id: str) -> Row:
    """The live assistant, when the caller owns it or is an admin, and its share user exists."""
    assistant = ctx.store.assistants.get(assistant_id)
    if assistant is None or assistant.get("_deleted_at") is not None:
        raise not_found("Assistant")
    if assistant["owner_id"] != ctx.caller.user_id and not ctx.caller.is_admin:
        raise forbidden(ASSISTANT_DENIED)
    if ctx.store.users.get(user_id) is None:
        raise not_found("User")
    return assistant


async def associate_assistant_with_user(ctx: Context, user_id: str, assistant_id: str) -> tuple[Row, int]:
    assistant = _share_target(ctx, user_id, assistant_id)
    # The owner sees their assistant anyway: sharing it with them changes nothing.
    if user_id != assistant["owner_id"] and user_id not in assistant["_shared_with"]:
        ctx.store.assistants.update(assistant_id, {"_shared_with": [*assistant["_shared_with"], user_id]})
    return {"message": "Assistant associated with user successfully"}, 200


async def disassociate_assistant_from_user(ctx: Context, user_id: str, assistant_id: str) -> tuple[Any, int]:
    assistant = _share_target(ctx, user_id, assistant_id)
    if user_id not in assistant["_shared_with"]:
        raise bad_request("Assistant not associated with the user")
    ctx.store.assistants.update(assistant_id, {"_shared_with": _without(assistant["_shared_with"], user_id)})
    return NoContent, 204
