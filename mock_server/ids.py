"""Ids (`<prefix>_` + 22 alphanumerics, as the real IdentifierService mints them) and the clock.

Both are deterministic under a seed, so a seeded mock answers the same ids and timestamps every run.
"""

from __future__ import annotations

import random
import secrets
import string
import time
from datetime import UTC, datetime

ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 22
# 2026-11-24T00:00:00Z: the seeded clock's first instant.
SEEDED_EPOCH = 1795478400


class IdFactory:
    def __init__(self, seed: int | str | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None

    def token(self, length: int) -> str:
        if self._random is not None:
            return "".join(self._random.choices(ALPHABET, k=length))
        # One read of the system's randomness per token, not one per character (a syscall each).
        # Bytes >= 248 are dropped so that every character stays equally likely (248 = 4 x 62).
        chars: list[str] = []
        while len(chars) < length:
            chars += [ALPHABET[b % 62] for b in secrets.token_bytes(length + 8) if b < 248]
        return "".join(chars[:length])

    def new(self, prefix: str) -> str:
        return f"{prefix}_{self.token(ID_LENGTH)}"

    def api_key(self, prefix: str = "ea") -> str:
        # Real keys are "ea_" + token_urlsafe(32): 43 url-safe characters.
        return f"{prefix}_{self.token(43)}"

    @property
    def position(self) -> object:
        """Where a seeded factory's generator is (random.getstate()), None unseeded: a mock
        restarted from a state file goes on from here, minting none of the ids it minted before."""
        return self._random.getstate() if self._random is not None else None

    def resume(self, position: object) -> None:
        if self._random is not None and position is not None:
            self._random.setstate(position)  # type: ignore[arg-type]


def iso_instant(value: str | float | None) -> str | None:
    """An instant as the real server reads it into a datetime and writes it back: epoch seconds
    (a number or numeric text; milliseconds past 2e10, as pydantic reads them), a date,
    `YYYY-MM-DD HH:MM[:SS]` or ISO 8601 (an offset is converted to UTC), as its naive ISO form."""
    if value is None:
        return None
    if isinstance(value, int | float) or (
        isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit()
    ):
        seconds = float(value)
        if abs(seconds) > 2e10:  # pydantic reads so large a number as milliseconds
            seconds /= 1000
        moment = datetime.fromtimestamp(seconds, UTC)
    else:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds")


class Clock:
    """Unix seconds now; under a seed, a fake clock that moves one second per reading (from
    `start`, else the seeded epoch). `advance` moves either on, as a virtual clock: key, run and
    action expiry follow it."""

    def __init__(self, seed: int | str | None = None, *, start: int | None = None) -> None:
        self._next = (start if start is not None else SEEDED_EPOCH) if seed is not None else None
        self._offset = 0

    def now(self) -> int:
        if self._next is None:
            return int(time.time()) + self._offset
        self._next += 1
        return self._next + self._offset

    def peek(self) -> int:
        """The time now, without moving a seeded clock on (for checks that mint nothing)."""
        if self._next is None:
            return int(time.time()) + self._offset
        return self._next + self._offset

    def advance(self, seconds: int) -> None:
        self._offset += seconds

    @property
    def offset(self) -> int:
        """Seconds this clock was moved on."""
        return self._offset

    @property
    def position(self) -> int | None:
        """A seeded clock's last reading before its offset (None unseeded), for a state file."""
        return self._next

    def resume(self, position: int | None, offset: int) -> None:
        if self._next is not None and position is not None:
            self._next = position
        self._offset = offset

    @property
    def seeded(self) -> bool:
        return self._next is not None

    def iso(self, seconds: int | None = None) -> str:
        """The real server's ISO form: UTC, microseconds, no offset."""
        moment = datetime.fromtimestamp(self.now() if seconds is None else seconds, UTC)
        return moment.replace(tzinfo=None).isoformat(timespec="microseconds")
