"""The pytest entry point's options, loaded through the `pytest11` entry point in pyproject.toml:
`pytest --pyargs contract_tests --base-url URL --api-key KEY [--admin-key KEY]
[--contract-args "--max-examples 20 …"]`. Any `python -m contract_tests` option goes in
`--contract-args`. The options only matter to `contract_tests/test_contract.py`."""

from __future__ import annotations

import shlex

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract_tests", "Entities API contract suite")
    try:
        group.addoption("--base-url", help="the server to check (also BASE_URL)")
    except ValueError:
        pass  # pytest-base-url already defines it, with the same meaning and destination
    group.addoption("--api-key", help="the key to test with (also API_KEY)")
    group.addoption("--admin-key", help="an admin key, for the second user of the cross-user checks")
    group.addoption("--contract-args", default="", help="more `python -m contract_tests` options, quoted")


@pytest.fixture(scope="session")
def contract_argv(pytestconfig: pytest.Config) -> list[str]:
    argv = shlex.split(pytestconfig.getoption("contract_args") or "")
    for name in ("base_url", "api_key", "admin_key"):
        value = pytestconfig.getoption(name)
        if value:
            argv += [f"--{name.replace('_', '-')}", value]
    return argv
