"""The server around the app (mock_server/serving.py): each uvicorn internal GuardedProtocol relies
on, named, and the body timer it lets the app skip only when the body is there already."""

from __future__ import annotations

import asyncio
import inspect
import json
import socket
import time

import pytest
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from fuzz import attacks
from mock_server import Settings, create_app
from mock_server.serving import GuardedProtocol, server_config
from tests.live_server import serve
from tests.mock_server.conftest import ADMIN_KEY

HOOKS = (
    "connection_made",
    "connection_lost",
    "data_received",
    "send_400_response",
    "on_message_begin",
    "on_headers_complete",
    "on_response_complete",
)


@pytest.mark.parametrize("hook", HOOKS)
def test_the_parser_callbacks_guarded_protocol_extends_still_exist(hook):
    assert callable(getattr(HttpToolsProtocol, hook, None)), (
        f"HttpToolsProtocol.{hook} is gone: GuardedProtocol extends it"
    )
    assert hook in GuardedProtocol.__dict__


@pytest.mark.parametrize(
    ("log_level", "logged"), [("warning", False), ("error", False), ("info", True), ("debug", True), ("trace", True)]
)
def test_requests_are_access_logged_only_at_a_level_that_shows_them(log_level, logged):
    config = server_config(object(), Settings(), log_level=log_level)
    assert config.access_log is logged


def test_a_cycle_still_signals_its_body_with_the_event_the_protocol_hands_the_app():
    assert "message_event" in inspect.signature(RequestResponseCycle.__init__).parameters, (
        "RequestResponseCycle no longer takes message_event: serving.BODY_ARRIVED reads it"
    )
    assert "message_event.wait()" in inspect.getsource(RequestResponseCycle.receive), (
        "RequestResponseCycle.receive no longer waits on message_event: a set event no longer means it answers at once"
    )
    assert isinstance(asyncio.Event().is_set(), bool)


@pytest.fixture(scope="module")
def patient():
    """A live mock whose bodies may stall for half a second."""
    settings = Settings(admin_key=ADMIN_KEY, body_timeout=0.5)
    with serve(create_app(settings), settings) as url:
        yield int(url.rsplit(":", 1)[1])


def test_a_body_that_never_comes_is_a_408_once_its_time_is_up(patient):
    started = time.monotonic()
    assert attacks.declared_body("127.0.0.1", patient, "/v1/threads", ADMIN_KEY, 100, 0) == 408
    assert time.monotonic() - started < 5


def test_a_body_sent_in_two_parts_with_a_pause_is_read_whole(patient):
    body = json.dumps({"meta_data": {"split": "in two"}}).encode()
    head = (
        f"POST /v1/threads HTTP/1.1\r\nHost: x\r\nX-API-Key: {ADMIN_KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", patient), timeout=10) as sock:
        sock.sendall(head + body[:5])
        time.sleep(0.2)  # within the body timeout
        sock.sendall(body[5:])
        answer = sock.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 200"), answer[:200]
    assert json.loads(answer.split("\r\n\r\n", 1)[1])["meta_data"] == {"split": "in two"}
