"""The lean exception stage (mock_server/seam/stages.py): the Starlette internals it uses, named, and the
answers Starlette's own stage gives, kept."""

from __future__ import annotations

import asyncio

import pytest
from connexion.lifecycle import ConnexionResponse
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.main import MiddlewarePosition
from starlette import _exception_handler
from starlette.exceptions import HTTPException

from mock_server.pipeline import middlewares
from mock_server.seam import EXCEPTION_HANDLERS, LeanExceptionMiddleware


def run(app, scope=None):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope or {"type": "http", "method": "GET", "path": "/", "headers": []}, receive, send))
    return sent


def stage(app):
    lean = LeanExceptionMiddleware(app)
    # Handlers as Connexion takes them: a Connexion request in, a Connexion response out.
    lean.add_exception_handler(KeyError, lambda request, error: ConnexionResponse(409, body=f"no {error}"))
    lean.add_exception_handler(418, lambda request, error: ConnexionResponse(418, "text/plain", body="teapot"))
    return lean


def test_the_starlette_internals_the_stage_uses_are_still_there():
    assert callable(getattr(_exception_handler, "wrap_app_handling_exceptions", None)), (
        "starlette._exception_handler.wrap_app_handling_exceptions moved: LeanExceptionMiddleware hands errors to it"
    )
    middleware = ExceptionMiddleware(None)
    middleware.add_exception_handler(409, lambda request, error: None)
    assert isinstance(middleware._exception_handlers, dict) and 409 in middleware._status_handlers, (
        "Starlette's ExceptionMiddleware keeps its handlers elsewhere: the lean stage reads _exception_handlers "
        "and _status_handlers"
    )
    seen = []

    async def app(scope, receive, send):
        seen.append(scope[EXCEPTION_HANDLERS])

    run(ExceptionMiddleware(app))
    assert seen and len(seen[0]) == 2, "Starlette's routers no longer find the handlers under this scope key"


def test_it_stands_in_for_connexions_exception_position():
    assert LeanExceptionMiddleware == ExceptionMiddleware
    assert MiddlewarePosition.BEFORE_EXCEPTION.value in middlewares(expose_headers=[])


def test_an_exception_before_the_answer_gets_its_handlers_answer():
    async def app(scope, receive, send):
        raise KeyError("thread")

    start, body = run(stage(app))
    assert start["status"] == 409 and body["body"] == b"no 'thread'"


def test_an_http_exception_is_answered_by_the_handler_of_its_status():
    async def app(scope, receive, send):
        raise HTTPException(418)

    start, body = run(stage(app))
    assert start["status"] == 418 and body["body"] == b"teapot"


def test_an_answer_that_went_through_is_passed_on_untouched():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"made"})

    assert [m.get("status", m.get("body")) for m in run(stage(app))] == [201, b"made"]


def test_an_exception_after_the_answer_started_is_not_answered_again():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise KeyError("late")

    with pytest.raises(RuntimeError, match="response already started") as raised:
        run(stage(app))
    assert isinstance(raised.value.__cause__, KeyError)


def test_an_exception_no_handler_takes_goes_on_up():
    async def app(scope, receive, send):
        raise LookupError("nobody handles this")

    lean = LeanExceptionMiddleware.__new__(LeanExceptionMiddleware)
    lean.app, lean._exception_handlers, lean._status_handlers = app, {}, {}
    with pytest.raises(LookupError):
        run(lean)
