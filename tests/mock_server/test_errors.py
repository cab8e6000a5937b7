"""Every error has the real server's shape: `{"detail": "..."}`, FastAPI's 422 list, 401 with
WWW-Authenticate, 404/405 for unknown routes and methods, and never a 500 for bad input."""

from __future__ import annotations

import json

import pytest

from tests.mock_server.conftest import message_body


def test_a_missing_key_is_401_with_www_authenticate(client):
    response = client.get("/v1/assistants")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "APIKey"
    assert response.json() == {"detail": "Missing API Key in 'X-API-Key' header."}


@pytest.mark.parametrize(
    ("key", "detail"),
    [("short", "Invalid API Key format."), ("ea_unknownkeyvalue123", "Invalid or inactive API Key.")],
)
def test_a_bad_key_is_401_with_the_real_servers_message(client, key, detail):
    response = client.get("/v1/assistants", headers={"X-API-Key": key})
    assert (response.status_code, response.json()) == (401, {"detail": detail})
    assert response.headers["WWW-Authenticate"] == "APIKey"


def test_authentication_is_checked_before_the_body(client):
    response = client.post("/v1/messages", json={"nonsense": True})
    assert response.status_code == 401


def test_a_body_missing_fields_is_a_fastapi_422_listing_each_one(client, admin):
    response = client.post("/v1/messages", json={"content": "hi"}, headers=admin.headers)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["body", "thread_id"], ["body", "assistant_id"], ["body", "role"]
    ]  # fmt: skip
    assert all(e["type"] == "missing" and e["msg"] == "Field required" for e in response.json()["detail"])


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"content": ', "application/json"),
        (b"content=hi", "application/x-www-form-urlencoded"),
        (b"hello", "text/plain"),
        (b'{"top_p": NaN}', "application/json"),
    ],
    ids=["truncated-json", "form", "text", "nan"],
)
def test_a_body_that_is_not_the_json_object_asked_for_is_a_422_never_a_500(client, admin, content, content_type):
    headers = {**admin.headers, "Content-Type": content_type}
    response = client.post("/v1/messages", content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "body"


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000, b'{"n": ' + b"7" * 5000 + b"}"],
    ids=["not-utf8", "deeply-nested", "5000-digit-integer"],
)
def test_a_body_that_cannot_be_decoded_is_fastapis_400_even_without_a_key(client, content):
    response = client.post("/v1/messages", content=content, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"detail": "There was an error parsing the body"})


def test_invalid_json_is_a_422_json_invalid_even_without_a_key(client):
    response = client.post("/v1/messages", content=b'{"content": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item == {
        "type": "json_invalid",
        "loc": ["body", 12],
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": "Expecting value"},
    }


def test_a_content_type_with_spaces_around_its_parameters_is_read_as_json(client, admin, thread):
    body = json.dumps(message_body(thread["id"])).encode()
    headers = {**admin.headers, "Content-Type": "application/json ; charset=UTF-8"}
    response = client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code in (200, 403), response.text  # past parsing and validation


def test_a_chunked_body_is_read_whole(client, admin, thread):
    def chunks():
        data = json.dumps(message_body(thread["id"])).encode()
        yield data[:10]
        yield data[10:]

    response = client.post(
        "/v1/messages", content=chunks(), headers={**admin.headers, "Content-Type": "application/json"}
    )
    assert response.status_code in (200, 403), response.text


def test_a_wrong_typed_body_field_names_its_type(client, admin):
    body = {"content": "x", "thread_id": 5, "assistant_id": "a", "role": "user"}
    (error,) = client.post("/v1/messages", json=body, headers=admin.headers).json()["detail"]
    assert error == {
        "type": "string_type",
        "loc": ["body", "thread_id"],
        "msg": "Input should be a valid string",
        "input": 5,
    }


def test_an_unknown_query_parameter_is_rejected(client, admin):
    response = client.get("/v1/assistants?colour=blue", headers=admin.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "colour"]


def test_an_unknown_route_is_404_not_found(client, admin):
    response = client.get("/v1/nothing/here", headers=admin.headers)
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_a_wrong_method_is_405_with_the_allowed_methods(client, admin):
    response = client.patch("/v1/messages/message_x", headers=admin.headers)
    assert (response.status_code, response.json()) == (405, {"detail": "Method Not Allowed"})
    assert set(response.headers["Allow"].split(", ")) == {"GET", "PUT", "DELETE"}


def test_cors_preflight_allows_any_origin(client):
    response = client.options(
        "/v1/messages",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "x-api-key,content-type"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in {"*", "http://localhost:5173"}


def test_a_webhook_url_that_is_not_an_http_url_is_a_422(client, admin):
    body = {"name": "A", "model": "m", "webhook_url": "not a url"}
    (error,) = client.post("/v1/assistants", json=body, headers=admin.headers).json()["detail"]
    assert error["loc"] == ["body", "webhook_url"] and error["type"] == "url_parsing"


def test_a_key_lifetime_beyond_the_documented_bound_is_a_422_not_an_overflow(client, admin):
    response = client.post(f"/v1/users/{admin.id}/apikeys", json={"expires_in_days": 2300058437}, headers=admin.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "less_than_equal"


def test_integers_beyond_64_bits_are_kept_exactly_in_and_out(client, admin):
    big = 10**30
    created = client.post("/v1/assistants", json={"name": "A", "model": "m", "max_turns": big}, headers=admin.headers)
    assert created.status_code == 200 and created.json()["max_turns"] == big
    response = client.get(f"/v1/runs?limit={big}", headers=admin.headers)
    assert response.status_code == 422 and response.json()["detail"][0]["input"] == big
