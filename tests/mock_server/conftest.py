"""Fixtures for the mock's tests: one app for the whole run, with a fresh `X-Mock-Session` namespace
per test (so each test starts from the seed alone), its in-process client, the seeded admin, and a
factory for users who each hold their own key. A test module may override `app` for other settings."""

from __future__ import annotations

import asyncio
import itertools
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from contract_tests import sdk_bodies
from mock_server.store.memory import run_now
from mock_server.store.repositories import Repository
from tests.redis_server import RedisServer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx on import
    from mock_server import Settings, create_app

ADMIN_KEY = "ad_TestAdminKey0123456789abcdefghijklmnopqrstuv"


@dataclass
class Caller:
    """A user of the mock and the headers that authenticate as them."""

    user: dict[str, Any]
    key: str

    @property
    def id(self) -> str:
        return self.user["id"]

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}


@pytest.fixture(scope="session")
def shared_app():
    return create_app(Settings(admin_key=ADMIN_KEY, seed=7))


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server for the session's Redis-backed tests (a failure, not a skip, without it)."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shared_redis_app(redis_server):
    """The mock on the Redis store, as shared_app is on the memory one."""
    return create_app(Settings(admin_key=ADMIN_KEY, seed=7, store=redis_server.url))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # A module marked `both_stores` runs each of its app tests on the memory and on the Redis store.
    if "store_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_stores"):
        metafunc.parametrize("store_kind", ["memory", "redis"], indirect=True)


@pytest.fixture
def store_kind(request) -> str:
    return getattr(request, "param", "memory")


@pytest.fixture
def app(shared_app, store_kind, request):
    return request.getfixturevalue("shared_redis_app") if store_kind == "redis" else shared_app


@pytest.fixture
def session_name() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def client(app, session_name):
    with app.test_client(headers={"X-Mock-Session": session_name}) as test_client:
        yield test_client


class Sync:
    """A store or repository read synchronously, for looking behind the API: the memory
    backend's coroutines never suspend, so each call's result is there at once; a Redis store's
    are run in an event loop of their own."""

    def __init__(self, target: Any, run: Callable[[Any], Any] = run_now) -> None:
        self._target = target
        self._run = run

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if isinstance(value, Repository):
            return Sync(value, self._run)
        if callable(value):
            return lambda *args, **kwargs: self._run(value(*args, **kwargs))
        return value


def runner(app) -> Callable[[Any], Any]:
    """How a test runs one of the app's coroutines outside a request."""
    return asyncio.run if app.mock.settings.shared else run_now


@pytest.fixture
def store(app, session_name):
    """The test's own session's store, for looking behind the API."""
    run = runner(app)
    return Sync(run(app.mock.sessions.get(session_name)).store, run)


@pytest.fixture
def admin(app) -> Caller:
    seed = app.mock.seed
    return Caller({"id": seed.admin_user_id}, seed.admin_key)


@pytest.fixture
def make_user(client, admin) -> Callable[..., Caller]:
    """Create a user (as the admin) with an API key of their own."""
    counter = itertools.count(1)

    def make(**fields: Any) -> Caller:
        n = next(counter)
        body = {"email": f"user{n}@example.com", "full_name": f"User {n}", **fields}
        user = client.post("/v1/users", json=body, headers=admin.headers)
        assert user.status_code == 201, user.text
        key = client.post(f"/v1/users/{user.json()['id']}/apikeys", json={}, headers=admin.headers)
        assert key.status_code == 201, key.text
        return Caller(user.json(), key.json()["plain_key"])

    return make


@pytest.fixture
def alice(make_user) -> Caller:
    return make_user(full_name="Alice")


@pytest.fixture
def bob(make_user) -> Caller:
    return make_user(full_name="Bob")


DEMO_ASSISTANT = "asst_DemoWeatherAssistant01"


@pytest.fixture
def thread(client, alice) -> dict[str, Any]:
    response = client.post("/v1/threads", json={"meta_data": {}}, headers=alice.headers)
    assert response.status_code == 200, response.text
    return response.json()


def message_body(
    thread_id: str, content: str = "Hello", role: str = "user", assistant_id: str = DEMO_ASSISTANT, **extra: Any
) -> dict[str, Any]:
    """A message body as the SDK sends it (all ten keys, nulls included), by default to the demo assistant."""
    return sdk_bodies.message_body(thread_id, assistant_id, content, role, **extra)
