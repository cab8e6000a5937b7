"""Users: create (admin), read, update, erase (admin, with everything the user owns), and the
assistants shared with a user."""

from __future__ import annotations

from typing import Any

from mock_server.context import Context
from mock_server.errors import ApiError, forbidden, not_found
from mock_server.handlers._common import ASSISTANT_DENIED, bad_request, user_for
from mock_server.handlers.assistants import assistants_of
from mock_server.records import Row, new_user, public
from mock_server.registry import Operations
from mock_server.reply import Reply, created, no_content, ok

operations = Operations()
UPDATABLE = ("email", "full_name", "given_name", "family_name", "picture_url", "email_verified")


async def email_taken(ctx: Context, email: str | None, *, other_than: str | None = None) -> bool:
    if email is None:
        return False
    holder = await ctx.store.users.with_email(email)
    return holder is not None and holder["id"] != other_than


def _duplicate_email(email: str) -> ApiError:
    return ApiError(409, f"User with email {email} already exists.")


@operations("createUser")
async def create_user(ctx: Context, body: dict[str, Any]) -> Reply:
    if not ctx.caller.is_admin:
        raise forbidden("Admin privileges required to create users.")
    if await email_taken(ctx, body.get("email")):
        raise _duplicate_email(body["email"])
    return created(public(await ctx.store.users.add(new_user(ctx.ids, ctx.clock, body))))


@operations("getUser")
async def get_user(ctx: Context, user_id: str) -> Reply:
    return ok(public(await user_for(ctx, user_id)))


@operations("updateUser")
async def update_user(ctx: Context, user_id: str, body: dict[str, Any]) -> Reply:
    user = await user_for(ctx, user_id)
    changes = {key: body[key] for key in UPDATABLE if body.get(key) is not None and body[key] != user[key]}
    if not changes:
        return ok(public(user))
    # Two users sharing an email would make email lookups (createUser's check, provisioning) ambiguous.
    if await email_taken(ctx, changes.get("email"), other_than=user_id):
        raise _duplicate_email(changes["email"])
    changes["updated_at"] = ctx.clock.iso()
    return ok(public(await ctx.store.users.update(user_id, changes)))


@operations("deleteUser")
async def delete_user(ctx: Context, user_id: str) -> Reply:
    if not ctx.caller.is_admin:
        raise forbidden("Admin privileges required to delete users.")
    if user_id == ctx.caller.user_id:
        raise forbidden("Admin self-deletion via API is disallowed.")
    if await ctx.store.users.get(user_id) is None:
        raise not_found("User")
    await _erase(ctx, user_id)
    return ok({"success": True, "message": f"User {user_id} deleted."})


async def _erase(ctx: Context, user_id: str) -> None:
    """Everything the user owns goes; what they only take part in forgets them."""
    store = ctx.store
    for key in await store.api_keys.of_user(user_id):
        await store.api_keys.remove(key["id"])
    for file in await store.files.of_user(user_id):  # the real server's files.user_id cascades
        await store.files.remove(file["id"])
    for run in await store.runs.of_user(user_id):
        await store.remove_run(run["id"])
    for thread in await store.threads.owned_by(user_id):
        await store.remove_thread(thread["id"])  # with its messages and everyone's runs on it
    for vector_store in await store.vector_stores.owned_by(user_id):
        await store.remove_vector_store(vector_store["id"])  # with its files and their vectors
    for thread in await store.threads.of_participant(user_id):
        await store.threads.update(thread["id"], {"_participant_ids": _without(thread["_participant_ids"], user_id)})
    for assistant in await store.assistants.shared_with(user_id):
        await store.assistants.update(assistant["id"], {"_shared_with": _without(assistant["_shared_with"], user_id)})
    for assistant in await store.assistants.owned_by(user_id):
        if assistant["_shared_with"]:  # others still use it: it stays, without an owner
            await store.assistants.update(assistant["id"], {"owner_id": None})
        elif assistant.get("_deleted_at") is None:
            await store.assistants.update(assistant["id"], {"_deleted_at": ctx.clock.now()})
    await store.users.remove(user_id)


def _without(ids: list[str], user_id: str) -> list[str]:
    return [i for i in ids if i != user_id]


@operations("listUserAssistants")
async def list_user_assistants(ctx: Context, user_id: str) -> Reply:
    await user_for(ctx, user_id)
    return ok([public(row) for row in await assistants_of(ctx, user_id)])


async def _share_target(ctx: Context, user_id: str, assistant_id: str) -> Row:
    """The live assistant, when the caller owns it or is an admin, and its share user exists."""
    assistant = await ctx.store.assistants.get(assistant_id)
    if assistant is None or assistant.get("_deleted_at") is not None:
        raise not_found("Assistant")
    if assistant["owner_id"] != ctx.caller.user_id and not ctx.caller.is_admin:
        raise forbidden(ASSISTANT_DENIED)
    if await ctx.store.users.get(user_id) is None:
        raise not_found("User")
    return assistant


@operations("associateAssistantWithUser")
async def associate_assistant_with_user(ctx: Context, user_id: str, assistant_id: str) -> Reply:
    assistant = await _share_target(ctx, user_id, assistant_id)
    # The owner sees their assistant anyway: sharing it with them changes nothing.
    if user_id != assistant["owner_id"] and user_id not in assistant["_shared_with"]:
        await ctx.store.assistants.update(assistant_id, {"_shared_with": [*assistant["_shared_with"], user_id]})
    return ok({"message": "Assistant associated with user successfully"})


@operations("disassociateAssistantFromUser")
async def disassociate_assistant_from_user(ctx: Context, user_id: str, assistant_id: str) -> Reply:
    assistant = await _share_target(ctx, user_id, assistant_id)
    if user_id not in assistant["_shared_with"]:
        raise bad_request("Assistant not associated with the user")
    await ctx.store.assistants.update(assistant_id, {"_shared_with": _without(assistant["_shared_with"], user_id)})
    return no_content()
