"""`/__session__/NAME/…`: a session chosen by the base URL, for a client that cannot send an
`X-Mock-Session` header (the official SDK takes a base URL and a key, nothing else).

`Entity(base_url="http://127.0.0.1:9000/__session__/checkout-tests", api_key=…)` then acts in the
session `checkout-tests`: the prefix is taken off the path and becomes the header, before any
other stage sees the request, so the journal, the control plane and every operation read it as
if the header had been sent. A header sent as well is replaced by the path's session.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/__session__/"
_RAW_PREFIX = PREFIX.encode()
_HEADER = b"x-mock-session"


class SessionPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            name, slash, rest = scope["path"][len(PREFIX) :].partition("/")
            raw = scope.get("raw_path") or scope["path"].encode()
            raw_rest = raw[len(_RAW_PREFIX) :].partition(b"/")[2] if raw.startswith(_RAW_PREFIX) else rest.encode()
            headers = [(k, v) for k, v in scope["headers"] if k != _HEADER]
            headers.append((_HEADER, unquote(name).encode("latin-1", "replace")))
            scope = {**scope, "path": slash + rest, "raw_path": b"/" + raw_rest, "headers": headers}
            if not scope["path"]:
                scope["path"] = "/"
        await self.app(scope, receive, send)


def request_base_url(scope: Any, session: str) -> str:
    """The URL the request was sent to, up to the API's paths: scheme, Host (else the server's
    address) and root path, and the session as a `/__session__/NAME` path, so that a link built
    on it reaches this session again, from a client that sends no X-Mock-Session."""
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"host"), None)
    if host is None:
        address, port = scope.get("server") or ("127.0.0.1", 80)
        host = f"{address}:{port}"
    url = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}"
    return f"{url}{PREFIX}{quote(session, safe='')}" if session else url
