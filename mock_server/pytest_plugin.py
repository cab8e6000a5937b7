"""The mock in your own tests: `pytest -p mock_server.pytest_plugin`, or
`pytest_plugins = ["mock_server.pytest_plugin"]` in a conftest.py (`pip install
'entities-contract-toolkit[pytest]'`).

One mock per test session, in this process, on 127.0.0.1 and a free port; each test that asks
for `entities_mock` gets a session of its own (made from the fixtures on first use, forgotten
when the test ends), so tests never see each other's data and can run in any order:

    def test_checkout_lists_the_new_thread(entities_mock):
        from projectdavid import Entity
        client = Entity(base_url=entities_mock.url, api_key=entities_mock.admin_key)
        ...
        assert [e["operation"] for e in entities_mock.journal()] == [...]

`entities_mock.url` carries the session in its path (`/__session__/NAME`), for clients that
cannot send the `X-Mock-Session` header (the official SDK); `entities_mock.headers` is the
header form. The mock's settings come from the ini options below (or `MOCK_*` variables).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.running import serve
from mock_server.session_path import PREFIX
from mock_server.settings import Settings

CONTROL = "/__mock__"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("entities_mock_fixtures", "the mock's fixture file (YAML or JSON)", default=None)
    parser.addini("entities_mock_seed", "a seed: deterministic ids and timestamps in every session", default=None)
    parser.addini("entities_mock_admin_key", "the seeded admin's key (default: one is minted)", default=None)


@dataclass(frozen=True)
class RunningMock:
    root_url: str
    admin_key: str
    app: Any


@dataclass
class MockSession:
    """One test's session of the mock, and the control plane acting on it."""

    root_url: str
    admin_key: str
    name: str
    http: httpx.Client

    @property
    def url(self) -> str:
        """The base URL of this session's Entities API (for the SDK: `Entity(base_url=…)`)."""
        return f"{self.root_url}{PREFIX}{self.name}"

    @property
    def headers(self) -> dict[str, str]:
        """The admin's key and this session, for a client at `root_url`."""
        return {"X-API-Key": self.admin_key, "X-Mock-Session": self.name}

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.root_url}{CONTROL}{path}", headers=self.headers, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """This session's requests, oldest first (filters: operation, status, since, after, limit)."""
        return self._control("GET", "/journal", params=filters)["entries"]

    def set_faults(self, *faults: dict[str, Any]) -> list[dict[str, Any]]:
        """e.g. `set_faults({"operation": "listMessages", "times": 1, "status": 404})`."""
        return self._control("PUT", "/faults", json={"faults": list(faults)})["faults"]

    def clear_faults(self) -> None:
        self._control("DELETE", "/faults")

    def advance_clock(self, seconds: int) -> dict[str, Any]:
        return self._control("POST", "/clock", json={"advance_seconds": seconds})

    def set_rules(self, *rules: dict[str, Any]) -> list[dict[str, Any]]:
        """The scripted assistant's rules, e.g. `set_rules({"match": "weather", "reply": "Sunny."})`."""
        return self._control("PUT", "/rules", json={"rules": list(rules)})["rules"]

    def state(self) -> dict[str, Any]:
        return self._control("GET", "/state")

    def load_state(self, state: dict[str, Any]) -> dict[str, int]:
        return self._control("PUT", "/state", json=state)

    def reset(self) -> None:
        self._control("POST", "/reset")


def _settings(config: pytest.Config) -> Settings:
    options: dict[str, Any] = {}
    if config.getini("entities_mock_fixtures"):
        options["fixtures"] = config.rootpath / config.getini("entities_mock_fixtures")
    if config.getini("entities_mock_seed"):
        options["seed"] = int(config.getini("entities_mock_seed"))
    if config.getini("entities_mock_admin_key"):
        options["admin_key"] = config.getini("entities_mock_admin_key")
    return Settings.from_env(**options)


@pytest.fixture(scope="session")
def entities_mock_server(pytestconfig: pytest.Config) -> Iterator[RunningMock]:
    """The mock, started once for the test session and stopped at its end."""
    app = create_app(_settings(pytestconfig))
    with serve(app) as url:
        yield RunningMock(url, app.mock.seed.admin_key, app)


@pytest.fixture
def entities_mock(entities_mock_server: RunningMock) -> Iterator[MockSession]:
    """A session of the mock of this test's own, reset when the test ends."""
    with httpx.Client(timeout=30) as http:
        session = MockSession(
            entities_mock_server.root_url, entities_mock_server.admin_key, f"t-{uuid.uuid4().hex}", http
        )
        yield session
        session.reset()  # forgets the session (the mock keeps no trace of it but the journal)
