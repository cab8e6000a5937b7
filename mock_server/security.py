"""Authentication, plugged into the security stage (seam.LeanSecurityMiddleware, which stands in
for Connexion's SecurityMiddleware and takes the same `security_map`): the apiKey handler checks
`X-API-Key` in the session the request names (`X-Mock-Session`), and hands on the Principal and
the Session as the token info, so later stages never look either up again.

The control plane's scheme (marked `x-mock-admin` in control_plane.yaml) takes the seeded admin's
key only, compared in constant time: another valid key is a 403, since the control plane can
reset every session.

A session that does not exist yet is not made for a request that fails: the key is checked
against the seed (every session starts from it) and the session is made only once it passes.
"""

from __future__ import annotations

import hmac
from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.security import ApiKeySecurityHandler

from mock_server.auth import Principal, authenticate
from mock_server.errors import ApiError, RequestValidationFailed, unauthorized, validation_item
from mock_server.session import Session, SessionNameTooLong, Sessions

SESSION_HEADER = "X-Mock-Session"


def session_name(sessions: Sessions, value: str | None) -> str:
    try:
        return sessions.key(value)
    except SessionNameTooLong:
        limit = sessions.max_name_length
        message = f"String should have at most {limit} characters"
        item = validation_item("string_too_long", ["header", SESSION_HEADER], message, value)
        item["ctx"] = {"max_length": limit}
        raise RequestValidationFailed([item]) from None


async def authenticated(sessions: Sessions, key: str | None, session: str | None) -> tuple[Principal, Session]:
    name = session_name(sessions, session)
    existing = sessions.peek(name)
    if sessions.shared:  # made, reset or changed by another replica: as the shared store says
        existing = await sessions.begin(existing) if existing is not None else await sessions.existing(name)
    if existing is not None:
        store = existing.store
        principal = await authenticate(key, api_key=store.api_keys.get, user=store.users.get, now=existing.clock.now())
        return principal, existing
    seed = sessions.seed
    principal = await authenticate(key, api_key=seed.api_key, user=seed.user, now=0)
    return principal, await sessions.get(name)


def token_info(principal: Principal, session: Session) -> dict[str, Any]:
    return {"sub": principal.user_id, "principal": principal, "session": session}


ADMIN_ONLY = "The mock's control plane needs the seeded admin's API key."


async def seeded_admin(sessions: Sessions, key: str | None, session: str | None) -> tuple[Principal, Session]:
    admin_key = sessions.seed.admin_key
    if not key:
        raise unauthorized("Missing API Key in 'X-API-Key' header.")
    if not hmac.compare_digest(key.encode("utf-8", "surrogatepass"), admin_key.encode()):
        await authenticated(sessions, key, session)  # 401 for a key that is no key at all
        raise ApiError(403, ADMIN_ONLY)
    found = await sessions.get(session_name(sessions, session))
    if sessions.shared:
        found = await sessions.refresh(found)
    return Principal(sessions.seed.admin_user_id, is_admin=True), found


def api_key_security(sessions: Sessions) -> dict[str, type]:
    """A `security_map` whose apiKey handler authenticates in the request's session (or, for the
    control plane's scheme, takes the seeded admin's key only)."""

    class MockApiKeyHandler(ApiKeySecurityHandler):
        def get_fn(self, security_scheme: dict[str, Any], required_scopes: Any) -> Any:
            header = security_scheme["name"]
            check = seeded_admin if security_scheme.get("x-mock-admin") else authenticated

            async def verify(request: ConnexionRequest) -> dict[str, Any]:
                headers = request.headers
                principal, session = await check(sessions, headers.get(header), headers.get(SESSION_HEADER))
                return token_info(principal, session)

            return verify

    return {"apiKey": MockApiKeyHandler}
