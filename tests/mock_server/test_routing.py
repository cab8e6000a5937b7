"""Routing through the direct table (mock_server/routing.py) answers as Connexion's router would."""

from __future__ import annotations

import pytest
from connexion.middleware import MiddlewarePosition
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server import Settings, create_app
from tests.mock_server.conftest import ADMIN_KEY, message_body


def test_path_parameters_reach_the_handler(client, alice, thread):
    created = client.post("/v1/messages", json=message_body(thread["id"], "hi"), headers=alice.headers).json()
    response = client.get(f"/v1/messages/{created['id']}", headers=alice.headers)
    assert response.status_code == 200 and response.json()["id"] == created["id"]


def test_a_literal_path_with_another_method_falls_to_the_parameter_path(client, alice):
    # POST /v1/messages/assistant exists; GET is the GET of /v1/messages/{message_id}, as in Connexion.
    response = client.get("/v1/messages/assistant", headers=alice.headers)
    assert (response.status_code, response.json()) == (404, {"detail": "Message not found"})


def test_a_literal_path_wins_over_a_parameter_path_for_its_own_method(client, alice, thread):
    body = message_body(thread["id"], "done", role="assistant")
    response = client.post("/v1/messages/assistant", json=body, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "assistant"


def test_a_trailing_slash_redirects_to_the_path_without_it_as_connexion_does(client, admin):
    response = client.get(f"/v1/users/{admin.id}/", headers=admin.headers, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"].endswith(f"/v1/users/{admin.id}")


def test_a_head_request_is_served_like_its_get_without_a_body(client, admin):
    response = client.head(f"/v1/users/{admin.id}", headers=admin.headers)
    assert response.status_code == 200 and response.content == b""


class Recorder:
    """A middleware a user adds between Connexion's layers; it must see every request."""

    seen: list[str] = []

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            Recorder.seen.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.mark.parametrize(
    "position",
    [MiddlewarePosition.BEFORE_SECURITY, MiddlewarePosition.BEFORE_VALIDATION, MiddlewarePosition.BEFORE_CONTEXT],
)
def test_a_middleware_added_between_the_layers_sees_every_request(position):
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=1))
    app.add_middleware(Recorder, position=position)
    Recorder.seen.clear()
    with app.test_client() as client:
        user_id = app.mock.seed.admin_user_id
        response = client.get(f"/v1/users/{user_id}", headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code == 200
    assert Recorder.seen == [f"/v1/users/{user_id}"]
