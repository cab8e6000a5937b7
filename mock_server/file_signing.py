"""Signed download URLs, signed as the real server signs them: the hex HMAC-SHA256 of
`{file_id}:{expires}:{true|false}` (the last part says whether the download is named after the
file or its id) under a secret. And what the files handlers take from the app's settings."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024


def signing_secret(configured: str | None, seed: int | None) -> str:
    """The secret: the one configured; under a seed one made from it, so a seeded mock signs the
    same URLs every run (anyone who knows the seed can sign too: it is a mock); else a random one,
    new each start, so a URL signed by an earlier run no longer works."""
    if configured:
        return configured
    if seed is not None:
        return hashlib.sha256(f"entities-mock signed-url secret {seed}".encode()).hexdigest()
    return secrets.token_hex(32)


@dataclass(frozen=True, slots=True)
class FileSettings:
    """The app-wide settings of the files handlers: the signing secret and the file size limit."""

    secret: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    max_bytes: int = DEFAULT_MAX_FILE_BYTES

    def signature(self, file_id: str, expires: int, real_name: bool) -> str:
        payload = f"{file_id}:{expires}:{str(real_name).lower()}"
        return hmac.new(self.secret.encode(), payload.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def verify(self, file_id: str, expires: int, real_name: bool, signature: str) -> bool:
        """In constant time, and for any text: the real server's compare raises (a 500) on a
        signature that is not ASCII; intended, that is a wrong signature like any other."""
        expected = self.signature(file_id, expires, real_name).encode()
        return hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass"))
