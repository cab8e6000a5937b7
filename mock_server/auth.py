"""X-API-Key -> Principal, with the real server's rules and messages; and issuing keys.

Keys are looked up by their prefix (first 8 characters) and checked against a SHA-256 digest:
the mock keeps no plain keys, like the real server (which uses bcrypt, far slower on purpose).
"""

from __future__ import annotations

import hashlib
from typing import Any

from mock_server.context import Principal
from mock_server.errors import unauthorized
from mock_server.ids import Clock, IdFactory
from mock_server.store import Store

PREFIX_LENGTH = 8
SECONDS_PER_DAY = 86_400


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def authenticate(store: Store, clock: Clock, key: str | None) -> Principal:
    if not key:
        raise unauthorized("Missing API Key in 'X-API-Key' header.")
    if len(key) <= PREFIX_LENGTH:
        raise unauthorized("Invalid API Key format.")
    row = store.api_keys.get(key[:PREFIX_LENGTH])
    if row is None or not row["is_active"] or row["_digest"] != digest(key):
        raise unauthorized("Invalid or inactive API Key.")
    if row["_expires_ts"] is not None and row["_expires_ts"] <= clock.now():
        raise unauthorized("API Key has expired.")
    user = store.users.get(row["user_id"])
    if user is None:
        raise unauthorized("Invalid or inactive API Key.")
    return Principal(user_id=user["id"], is_admin=user["_is_admin"])


def issue_key(
    store: Store,
    ids: IdFactory,
    clock: Clock,
    user_id: str,
    *,
    key_name: str | None = None,
    expires_in_days: int | None = None,
    plain_key: str | None = None,
    key_type: str = "ea",
) -> tuple[str, dict[str, Any]]:
    """Mint (or register a given) key for a user; returns the plain key and the stored row."""
    plain = plain_key or ids.api_key(key_type)
    while plain_key is None and store.api_keys.get(plain[:PREFIX_LENGTH]) is not None:
        plain = ids.api_key(key_type)  # prefixes identify keys: keep them unique
    now = clock.now()
    expires_ts = now + expires_in_days * SECONDS_PER_DAY if expires_in_days else None
    row = {
        "id": plain[:PREFIX_LENGTH],
        "prefix": plain[:PREFIX_LENGTH],
        "key_name": key_name,
        "user_id": user_id,
        "created_at": clock.iso(now),
        "expires_at": clock.iso(expires_ts) if expires_ts else None,
        "last_used_at": None,
        "is_active": True,
        "_digest": digest(plain),
        "_expires_ts": expires_ts,
    }
    existing = store.api_keys.get(row["id"])
    if existing is not None:  # a fixture re-registering its own key
        store.api_keys.delete(row["id"])
    store.api_keys.insert(row)
    return plain, row


def key_details(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_") and k != "id"}
