"""`GET /`: the real server's greeting, in its shape, pointing a person at the docs and the dashboard."""

from __future__ import annotations

from mock_server.context import Context
from mock_server.registry import Operations
from mock_server.reply import Reply, ok

operations = Operations()

GREETING = (
    "Welcome to the API! This is the Entities API mock: API docs at /docs/, "
    "the dashboard at /__mock__/ (add #key=<admin key>), the control plane at /__mock__/openapi.json."
)


@operations("getRoot")
async def get_root(ctx: Context) -> Reply:
    return ok({"message": GREETING})
