"""API keys: a user's own keys (create, list, read, revoke), keys an admin issues or provisions for
a user, and key validation. Plain keys are returned once, at creation; only digests are kept."""

from __future__ import annotations

from typing import Any

from connexion import NoContent

from mock_server.auth import issue_key, key_details
from mock_server.context import Context
from mock_server.errors import ApiError, forbidden
from mock_server.handlers._common import bad_request, require_admin
from mock_server.records import Row, new_user, public

PROVIDER = "project-black-bird"


def _keys_user(ctx: Context, user_id: str) -> Row:
    """A user whose keys the caller may manage: themselves, or anyone for an admin. Others get 403
    whether or not the user exists."""
    if ctx.caller.user_id != user_id and not ctx.caller.is_admin:
        raise forbidden("Not authorized to manage API keys for this user.")
    return _existing_user(ctx, user_id)


def _existing_user(ctx: Context, user_id: str) -> Row:
    user = ctx.store.users.get(user_id)
    if user is None:
        raise ApiError(404, f"User with ID '{user_id}' not found.")
    return user


def _key_of(ctx: Context, user_id: str, key_prefix: str) -> Row:
    _keys_user(ctx, user_id)
    row = ctx.store.api_keys.get(key_prefix)
    if row is None or row["user_id"] != user_id:
        raise ApiError(404, f"API Key with prefix '{key_prefix}' not found for this user.")
    return row


def _issue(ctx: Context, user_id: str, key_name: str | None, expires_in_days: int | None = None) -> Row:
    plain, row = issue_key(ctx.store, ctx.ids, ctx.clock, user_id, key_name=key_name, expires_in_days=expires_in_days)
    return {"plain_key": plain, "details": key_details(row)}


async def create_api_key(ctx: Context, user_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    _keys_user(ctx, user_id)
    return _issue(ctx, user_id, body.get("key_name"), body.get("expires_in_days")), 201


async def list_api_keys(ctx: Context, user_id: str, include_inactive: bool = False) -> tuple[Row, int]:
    _keys_user(ctx, user_id)
    rows = ctx.store.api_keys.where("user_id", user_id, order="desc")
    return {"keys": [key_details(row) for row in rows if include_inactive or row["is_active"]]}, 200


async def get_api_key(ctx: Context, user_id: str, key_prefix: str) -> tuple[Row, int]:
    return key_details(_key_of(ctx, user_id, key_prefix)), 200


async def revoke_api_key(ctx: Context, user_id: str, key_prefix: str) -> tuple[Any, int]:
    _key_of(ctx, user_id, key_prefix)
    ctx.store.api_keys.update(key_prefix, {"is_active": False})
    return NoContent, 204


async def create_api_key_for_user(ctx: Context, target_user_id: str, body: dict[str, Any]) -> tuple[Row, int]:
    require_admin(ctx)
    _existing_user(ctx, target_user_id)
    return _issue(ctx, target_user_id, body.get("key_name"), body.get("expires_in_days")), 201


async def provision_user(ctx: Context, body: dict[str, Any]) -> tuple[Row, int]:
    require_admin(ctx)
    email = body["email"].strip().lower()
    reference = body["external_reference"]
    key_name = body.get("key_name") or PROVIDER
    user = _provisioned_user(ctx, email, reference)
    created = user is None
    if user is None:
        fields = {
            "email": email,
            "full_name": body["full_name"],
            "email_verified": True,
            "oauth_provider": PROVIDER,
            "provider_user_id": reference,
        }
        user = ctx.store.users.insert(new_user(ctx.ids, ctx.clock, fields))
    else:
        user = _reconcile(ctx, user, email, body["full_name"], reference)
    revoked = 0
    for row in list(ctx.store.api_keys.where("user_id", user["id"])):
        if row["is_active"] and row["key_name"] == key_name:
            ctx.store.api_keys.update(row["id"], {"is_active": False})
            revoked += 1
    key = _issue(ctx, user["id"], key_name)
    return {"user": public(user), "key": key, "user_created": created, "keys_revoked": revoked}, 200


def _provisioned_user(ctx: Context, email: str, reference: str) -> Row | None:
    """The user linked to the external reference, else the one with the email; 400 when both
    exist and differ."""
    # No index on the provider id: users are few in a mock, a scan is fine.
    linked = next(
        (
            row
            for row in ctx.store.users.all()
            if row["_provider_user_id"] == reference and row["oauth_provider"] == PROVIDER
        ),
        None,
    )
    by_email = next(iter(ctx.store.users.where("email", email)), None)
    if linked is not None and by_email is not None and linked["id"] != by_email["id"]:
        raise bad_request("External reference and verified email resolve to different users")
    return linked or by_email


def _reconcile(ctx: Context, user: Row, email: str, full_name: str, reference: str) -> Row:
    wanted: Row = {"email": email, "full_name": full_name, "email_verified": True}
    if user["_provider_user_id"] is None:  # found by email: link it to the external account
        wanted.update({"_provider_user_id": reference, "oauth_provider": PROVIDER})
    changes = {key: value for key, value in wanted.items() if user[key] != value}
    if not changes:
        return user
    changes["updated_at"] = ctx.clock.iso()
    return ctx.store.users.update(user["id"], changes)


async def validate_api_key(ctx: Context) -> tuple[Row, int]:
    return {"user_id": ctx.caller.user_id, "valid": True}, 200
