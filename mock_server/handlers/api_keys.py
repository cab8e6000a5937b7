"""API keys: a user's own keys (create, list, read, revoke), keys an admin issues or provisions for
a user, and key validation. Plain keys are returned once, at creation; only digests are kept."""

from __future__ import annotations

from typing import Any

from mock_server.auth import key_details, new_key
from mock_server.context import Context
from mock_server.errors import ApiError, forbidden
from mock_server.handlers._common import require_admin
from mock_server.records import Row, new_user, public
from mock_server.registry import Operations
from mock_server.reply import Reply, created, no_content, ok

operations = Operations()
PROVIDER = "project-black-bird"


async def _keys_user(ctx: Context, user_id: str) -> Row:
    """A user whose keys the caller may manage: themselves, or anyone for an admin. Others get 403
    whether or not the user exists."""
    if ctx.caller.user_id != user_id and not ctx.caller.is_admin:
        raise forbidden("Not authorized to manage API keys for this user.")
    return await _existing_user(ctx, user_id)


async def _existing_user(ctx: Context, user_id: str) -> Row:
    user = await ctx.store.users.get(user_id)
    if user is None:
        raise ApiError(404, f"User with ID '{user_id}' not found.")
    return user


async def _key_of(ctx: Context, user_id: str, key_prefix: str) -> Row:
    await _keys_user(ctx, user_id)
    row = await ctx.store.api_keys.get(key_prefix)
    if row is None or row["user_id"] != user_id:
        raise ApiError(404, f"API Key with prefix '{key_prefix}' not found for this user.")
    return row


async def issue(ctx: Context, user_id: str, key_name: str | None, expires_in_days: int | None = None) -> Row:
    """A new key for the user, with a prefix no other key has (prefixes identify keys)."""
    while True:
        plain, row = new_key(ctx.ids, ctx.clock, user_id, key_name=key_name, expires_in_days=expires_in_days)
        if await ctx.store.api_keys.get(row["id"]) is None:
            break
    await ctx.store.api_keys.add(row)
    return {"plain_key": plain, "details": key_details(row)}


@operations("createApiKey")
async def create_api_key(ctx: Context, user_id: str, body: dict[str, Any]) -> Reply:
    await _keys_user(ctx, user_id)
    return created(await issue(ctx, user_id, body.get("key_name"), body.get("expires_in_days")))


@operations("listApiKeys")
async def list_api_keys(ctx: Context, user_id: str, include_inactive: bool) -> Reply:
    await _keys_user(ctx, user_id)
    rows = await ctx.store.api_keys.of_user(user_id, newest_first=True)
    return ok({"keys": [key_details(row) for row in rows if include_inactive or row["is_active"]]})


@operations("getApiKey")
async def get_api_key(ctx: Context, user_id: str, key_prefix: str) -> Reply:
    return ok(key_details(await _key_of(ctx, user_id, key_prefix)))


@operations("revokeApiKey")
async def revoke_api_key(ctx: Context, user_id: str, key_prefix: str) -> Reply:
    await _key_of(ctx, user_id, key_prefix)
    await ctx.store.api_keys.update(key_prefix, {"is_active": False})
    return no_content()


@operations("createApiKeyForUser")
async def create_api_key_for_user(ctx: Context, target_user_id: str, body: dict[str, Any]) -> Reply:
    require_admin(ctx)
    await _existing_user(ctx, target_user_id)
    return created(await issue(ctx, target_user_id, body.get("key_name"), body.get("expires_in_days")))


@operations("provisionUser")
async def provision_user(ctx: Context, body: dict[str, Any]) -> Reply:
    require_admin(ctx)
    email = body["email"].strip().lower()
    full_name, reference = body["full_name"].strip(), body["external_reference"].strip()
    key_name = body.get("key_name", PROVIDER).strip()
    if "@" not in email or not (full_name and reference and key_name):
        raise ApiError(422, "email, full_name, external_reference and key_name are required")
    user = await _provisioned_user(ctx, email, reference)
    is_new = user is None
    if user is None:
        fields = {
            "email": email,
            "full_name": full_name,
            "email_verified": True,
            "oauth_provider": PROVIDER,
            "provider_user_id": reference,
        }
        user = await ctx.store.users.add(new_user(ctx.ids, ctx.clock, fields))
    else:
        user = await _reconcile(ctx, user, email, full_name, reference)
    revoked = 0
    for row in await ctx.store.api_keys.of_user(user["id"]):
        if row["is_active"] and row["key_name"] == key_name:
            await ctx.store.api_keys.update(row["id"], {"is_active": False})
            revoked += 1
    key = await issue(ctx, user["id"], key_name)
    return ok({"user": public(user), "key": key, "user_created": is_new, "keys_revoked": revoked})


async def _provisioned_user(ctx: Context, email: str, reference: str) -> Row | None:
    """The user linked to the external reference, else the one with the email; 409 when both
    exist and differ."""
    linked = await ctx.store.users.linked_to(PROVIDER, reference)
    by_email = await ctx.store.users.with_email(email)
    if linked is not None and by_email is not None and linked["id"] != by_email["id"]:
        raise ApiError(409, "External reference and verified email resolve to different users")
    return linked or by_email


async def _reconcile(ctx: Context, user: Row, email: str, full_name: str, reference: str) -> Row:
    wanted: Row = {"email": email, "full_name": full_name, "email_verified": True}
    if user["_provider_user_id"] is None:  # found by email: link it to the external account
        wanted.update({"_provider_user_id": reference, "oauth_provider": PROVIDER})
    changes = {key: value for key, value in wanted.items() if user[key] != value}
    if not changes:
        return user
    changes["updated_at"] = ctx.clock.iso()
    return await ctx.store.users.update(user["id"], changes)  # type: ignore[return-value]


@operations("validateApiKey")
async def validate_api_key(ctx: Context) -> Reply:
    return ok({"user_id": ctx.caller.user_id, "valid": True})
