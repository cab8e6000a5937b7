"""A request the suite saw break the contract, kept so a person can send it again: as a `curl`
command that works when pasted into a shell.

- The key is never written: `-H "X-API-Key: $API_KEY"` in double quotes, so the shell expands it
  (`$ADMIN_KEY`, `$OTHER_USER_KEY` or `$USER_KEY` when another caller sent it).
- Every other header, the URL and a short printable body are shell-quoted (single quotes).
- The body goes with `--data-binary`, which sends the bytes as they are (`-d` strips newlines). A
  body that is not printable UTF-8 text, is longer than `INLINE_LIMIT`, or starts with `@` (curl
  would read it as a file name) is written to `<report dir>/bodies/<sha256 prefix>.bin` and sent
  with `--data-binary @<absolute path>`."""

from __future__ import annotations

import base64
import hashlib
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INLINE_LIMIT = 2000  # characters of body that still read well inline
KEY_HEADER = "x-api-key"
# Headers every client adds by itself: a reproduction without them reads better and means the same.
_IMPLIED = {"host", "user-agent", "accept", "accept-encoding", "connection", "content-length"}


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()  # without the key and the headers curl adds itself
    body: bytes | None = None
    key_variable: str | None = None  # the environment variable the key is read from; None: no key sent
    key_literal: str | None = None  # a stand-in value sent instead (an invalid key, never a real one)

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


def from_httpx(request: Any, key_variable: str | None) -> Request:
    """An httpx request as the workflows sent it; `key_variable` names the key it carried."""
    headers = tuple(
        (name, value) for name, value in request.headers.items() if name.lower() not in _IMPLIED | {KEY_HEADER}
    )
    has_key = KEY_HEADER in {name.lower() for name in request.headers}
    body = bytes(request.content) or None
    return Request(request.method, str(request.url), headers, body, key_variable if has_key else None)


def from_schemathesis(
    request: dict[str, Any],
    key_variable: str = "API_KEY",
    key_literal: str | None = None,
    restore: dict[str, str] | None = None,
) -> Request:
    """A request as Schemathesis' NDJSON report records it. The report filters every header whose
    name looks sensitive (the key, and `X-Mock-Session` for its "session"): `restore` gives back
    the values that are no secret, by lower-case header name."""
    headers: list[tuple[str, str]] = []
    has_key = False
    for name, value in (request.get("headers") or {}).items():
        value = value[0] if isinstance(value, list) else value
        if name.lower() == KEY_HEADER:
            has_key = True
        elif name.lower() not in _IMPLIED:
            headers.append((name, (restore or {}).get(name.lower(), str(value))))
    raw = request.get("body")
    body = base64.b64decode(raw["$base64"]) if isinstance(raw, dict) and "$base64" in raw else None
    if not has_key:
        key_variable = key_literal = None
    elif key_literal is not None:
        key_variable = None
    return Request(
        request.get("method", "GET"), request.get("uri", ""), tuple(headers), body, key_variable, key_literal
    )


def curl(request: Request, bodies_dir: Path) -> str:
    """The command; writes a body that cannot go inline under `bodies_dir`."""
    parts = ["curl", "-X", request.method]
    if request.key_variable:
        parts += ["-H", f'"X-API-Key: ${request.key_variable}"']
    elif request.key_literal is not None:
        parts += ["-H", shlex.quote(f"X-API-Key: {request.key_literal}")]
    for name, value in request.headers:
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body is not None:
        if request.header("content-type") is None:
            parts += ["-H", shlex.quote("Content-Type:")]  # curl would otherwise add a form content type
        inline = _inline(request.body)
        if inline is not None:
            parts += ["--data-binary", shlex.quote(inline)]
        else:
            parts += ["--data-binary", shlex.quote("@" + str(_write_body(request.body, bodies_dir)))]
    parts.append(shlex.quote(request.url))
    return " ".join(parts)


def _inline(body: bytes) -> str | None:
    """The body as text to put on the command line, or None when it must go in a file."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = all(char.isprintable() or char in "\n\t" for char in text)
    if not printable or len(text) > INLINE_LIMIT or text.startswith("@"):
        return None
    return text


def _write_body(body: bytes, bodies_dir: Path) -> Path:
    # Named by content: the same body is written once, and a rerun names it the same.
    path = (bodies_dir / f"{hashlib.sha256(body).hexdigest()[:16]}.bin").resolve()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return path
