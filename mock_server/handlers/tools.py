"""The platform's tools: web reading and search and the scratchpad (admin only, as on the real
server: routers/tools_router.py), and the short-lived tickets for the sandbox and computer rooms
(routers/sandbox_auth_router.py, utilities/mint_computer_ticket.py), HS256 JWTs signed with the
mock's own secret and dated by the session's clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt

from mock_server.context import Context
from mock_server.engine.web import page_view, search_view, serp_view, session_row, text_for
from mock_server.errors import ApiError
from mock_server.registry import Operations
from mock_server.reply import Reply, ok

operations = Operations()

SANDBOX_URL = "ws://localhost:8000/ws/computer"  # the server's SHELL_SERVER_EXTERNAL_URL default
SANDBOX_SECONDS = 60
TICKET_SECONDS = 30
EMPTY_SCRATCHPAD = "(The scratchpad is currently empty. Use `update_scratchpad` to create a plan.)"
SCRATCHPAD_RULE = "-" * 51


def _admin(ctx: Context) -> None:
    if not ctx.caller.is_admin:
        raise ApiError(403, "Admin privileges required to use Web Tools.")


@operations("webRead")
async def web_read(ctx: Context, body: dict[str, Any]) -> Reply:
    _admin(ctx)
    url = body["url"]
    pages = ctx.web_pages
    cached = await ctx.store.web_pages.get(url)
    if cached is None or body.get("force_refresh"):
        cached = session_row(url, text_for(url, pages))
        await ctx.store.web_pages.remove(url)
        await ctx.store.web_pages.add(cached)
    return ok({"content": page_view(cached, 0)})


@operations("webScroll")
async def web_scroll(ctx: Context, body: dict[str, Any]) -> Reply:
    _admin(ctx)
    return ok({"content": page_view(await ctx.store.web_pages.get(body["url"]), body["page"])})


@operations("webSearch")
async def web_search(ctx: Context, body: dict[str, Any]) -> Reply:
    _admin(ctx)
    return ok({"content": search_view(await ctx.store.web_pages.get(body["url"]), body["query"])})


@operations("webSerp")
async def web_serp(ctx: Context, body: dict[str, Any]) -> Reply:
    _admin(ctx)
    return ok({"content": serp_view(body["query"], body.get("count", 10), ctx.web_pages)})


@operations("scratchpadRead")
async def scratchpad_read(ctx: Context, body: dict[str, Any]) -> Reply:
    _admin(ctx)
    pad = await ctx.store.scratchpads.get(body["thread_id"])
    if pad is None or not pad["content"]:
        return ok({"content": EMPTY_SCRATCHPAD})
    at = datetime.fromtimestamp(pad["last_updated"], UTC).strftime("%H:%M:%S")
    return ok({"content": f"--- 📝 RESEARCH SCRATCHPAD (Last Updated: {at}) ---\n{pad['content']}\n{SCRATCHPAD_RULE}"})


async def _write(ctx: Context, thread_id: str, content: str) -> None:
    row = {"id": thread_id, "content": content, "last_updated": ctx.clock.now()}
    if await ctx.store.scratchpads.update(thread_id, row) is None:
        await ctx.store.scratchpads.add(row)


@operations("scratchpadUpdate")
async def scratchpad_update(ctx: Context, body: dict[str, Any]) -> Reply:
    _admin(ctx)
    await _write(ctx, body["thread_id"], body["content"])
    return ok({"status": "success", "message": "Scratchpad updated successfully."})


@operations("scratchpadAppend")
async def scratchpad_append(ctx: Context, body: dict[str, Any]) -> Reply:
    _admin(ctx)
    pad = await ctx.store.scratchpads.get(body["thread_id"])
    existing = pad["content"] if pad else ""
    await _write(ctx, body["thread_id"], f"{existing}\n\n{body['note']}".strip())
    return ok({"status": "success", "message": "Note appended successfully."})


@operations("authorizeSandbox")
async def authorize_sandbox(ctx: Context) -> Reply:
    now = ctx.clock.now()
    claims = {"sub": ctx.caller.user_id, "iat": now, "exp": now + SANDBOX_SECONDS, "type": "sandbox_access"}
    token = jwt.encode(claims, ctx.engine.token_secret, algorithm="HS256")
    return ok({"token": token, "sandbox_url": SANDBOX_URL, "expires_in": SANDBOX_SECONDS})


@operations("getComputerSession")
async def get_computer_session(ctx: Context, room_id: str) -> Reply:
    now = ctx.clock.now()
    claims = {
        "sub": ctx.caller.user_id,
        "room": room_id,
        "scopes": ["observation"],
        "type": "ws_ticket",
        "exp": now + TICKET_SECONDS,
        "iat": now,
    }
    token = jwt.encode(claims, ctx.engine.token_secret, algorithm="HS256")
    return ok({"room_id": room_id, "token": token, "ws_url": SANDBOX_URL})
