"""X-API-Key -> Principal, with the real server's rules and messages; and minting keys.

Keys are looked up by their prefix (first 8 characters) and checked against a SHA-256 digest:
the mock keeps no plain keys, like the real server (which uses bcrypt, far slower on purpose).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mock_server.errors import unauthorized
from mock_server.ids import Clock, IdFactory

PREFIX_LENGTH = 8
# The one rule a key's format must follow (authenticate's "Invalid API Key format."), in words.
KEY_FORMAT = f"more than {PREFIX_LENGTH} characters (the first {PREFIX_LENGTH} are the prefix it is looked up by)"
SECONDS_PER_DAY = 86_400
Row = dict[str, Any]
Lookup = Callable[[str], Awaitable[Row | None]]


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    is_admin: bool


def well_formed(key: str) -> bool:
    """Whether `key` can be an API key at all; the mock checks nothing else of its format."""
    return len(key) > PREFIX_LENGTH


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


async def authenticate(key: str | None, *, api_key: Lookup, user: Lookup, now: int) -> Principal:
    """Who holds `key`, found through the lookups of a session (or of the seed, for a session
    that does not exist yet); ApiError 401 with the real server's message otherwise."""
    if not key:
        raise unauthorized("Missing API Key in 'X-API-Key' header.")
    if not well_formed(key):
        raise unauthorized("Invalid API Key format.")
    row = await api_key(key[:PREFIX_LENGTH])
    if row is None or not row["is_active"] or not hmac.compare_digest(row["_digest"], digest(key)):
        raise unauthorized("Invalid or inactive API Key.")
    if row["_expires_ts"] is not None and row["_expires_ts"] <= now:
        raise unauthorized("API Key has expired.")
    holder = await user(row["user_id"])
    if holder is None:
        raise unauthorized("Invalid or inactive API Key.")
    return Principal(user_id=holder["id"], is_admin=holder["_is_admin"])


def new_key(
    ids: IdFactory,
    clock: Clock,
    user_id: str,
    *,
    key_name: str | None = None,
    expires_in_days: int | None = None,
    plain_key: str | None = None,
    key_type: str = "ea",
) -> tuple[str, Row]:
    """A key for a user: the plain key (shown once) and the row to store (its prefix is its id).
    The caller makes sure the prefix is free (see `handlers.api_keys.issue`)."""
    plain = plain_key or ids.api_key(key_type)
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
    return plain, row


def key_details(row: Row) -> Row:
    return {k: v for k, v in row.items() if not k.startswith("_") and k != "id"}
