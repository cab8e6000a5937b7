"""The ceiling: a bare Starlette app doing the mock's store work with no Connexion and no validation.

It calls the mock's own handler coroutines with the same services, so the work per request is the
mock's, minus routing by the contract, security, request and response validation:

    python -m bench.bare_app --port P --admin-key K [--seed N]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server import Settings, create_app
from mock_server.collector import keep_pauses_short
from mock_server.context import Context
from mock_server.errors import ApiError
from mock_server.handlers import messages, runs, threads
from mock_server.rendering import to_response
from mock_server.reply import Reply
from mock_server.security import SESSION_HEADER, authenticated

JSON = "application/json"


def create_bare_app(admin_key: str, seed: int | None = 1) -> Starlette:
    # The mock's own sessions and engine (its seed, fixtures and store), without its pipeline.
    mock = create_app(Settings(admin_key=admin_key, seed=seed)).mock  # type: ignore[attr-defined]
    sessions, engine = mock.sessions, mock.wiring.engine

    async def context(request: Request) -> Context:
        principal, session = await authenticated(
            sessions, request.headers.get("X-API-Key"), request.headers.get(SESSION_HEADER)
        )
        return Context(session, principal, engine)

    def endpoint(call: Callable[[Context, Request], Awaitable[Reply]]):
        async def serve(request: Request) -> Response:
            try:
                reply = await call(await context(request), request)
            except ApiError as error:
                return Response(orjson.dumps({"detail": error.detail}), error.status, error.headers, media_type=JSON)
            return to_response(reply)

        return serve

    async def list_messages(ctx: Context, request: Request) -> Reply:
        limit = int(request.query_params.get("limit", 20))
        order = request.query_params.get("order", "asc")
        return await messages.list_messages(ctx, request.path_params["thread_id"], limit=limit, order=order)

    async def create_message(ctx: Context, request: Request) -> Reply:
        return await messages.create_message(ctx, orjson.loads(await request.body()))

    async def get_run(ctx: Context, request: Request) -> Reply:
        return await runs.get_run(ctx, request.path_params["run_id"])

    async def create_thread(ctx: Context, request: Request) -> Reply:
        return await threads.create_thread(ctx, orjson.loads(await request.body()))

    async def create_run(ctx: Context, request: Request) -> Reply:
        return await runs.create_run(ctx, orjson.loads(await request.body()))

    routes = [
        Route("/v1/threads/{thread_id}/messages", endpoint(list_messages), methods=["GET"]),
        Route("/v1/messages", endpoint(create_message), methods=["POST"]),
        Route("/v1/runs/{run_id}", endpoint(get_run), methods=["GET"]),
        Route("/v1/threads", endpoint(create_thread), methods=["POST"]),
        Route("/v1/runs", endpoint(create_run), methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.mock = mock
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.bare_app", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--admin-key", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    app = create_bare_app(args.admin_key, args.seed)
    # As mock_server/__main__.py does (its collector policy, no access log below `info`), so the
    # two differ only in what the request goes through.
    keep_pauses_short()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
