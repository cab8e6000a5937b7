"""Importing a leaf module loads only what that module needs: `mock_server.ids` and its neighbours
do not import Connexion (or build the app), and `contract_tests.sdk_bodies` does not import
Schemathesis or httpx. Each check runs in a fresh interpreter, where nothing is imported yet."""

from __future__ import annotations

import subprocess
import sys

import pytest


def loaded(module: str, heavy: tuple[str, ...]) -> list[str]:
    """The `heavy` modules a fresh interpreter has loaded after `import module`."""
    code = f"import sys, {module}; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return [name for name in result.stdout.strip().split(",") if name]


@pytest.mark.parametrize("leaf", ["ids", "errors", "records", "jsonio", "settings", "store", "collector"])
def test_importing_a_leaf_module_of_the_mock_does_not_import_connexion_or_the_app(leaf):
    assert loaded(f"mock_server.{leaf}", ("connexion", "starlette", "mock_server.app")) == []


def test_the_exact_check_from_the_issue_prints_false():
    code = "import mock_server.ids, sys; print('connexion' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"


def test_the_package_still_exports_create_app_and_settings_and_names_them_in_all():
    code = (
        "import sys, mock_server; from mock_server import Settings, create_app; "
        "print(create_app.__module__, Settings.__module__, sorted(mock_server.__all__), 'connexion' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split() == ["mock_server.app", "mock_server.settings", "['Settings',", "'create_app']", "True"]


def test_an_unknown_name_on_the_package_is_an_attribute_error():
    import mock_server

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mock_server.nope  # noqa: B018 - the lookup itself is what is tested


def test_the_sdk_bodies_load_without_schemathesis_httpx_or_the_rest_of_the_suite():
    heavy = ("schemathesis", "httpx", "yaml", "contract_tests.runner", "contract_tests.contract")
    assert loaded("contract_tests.sdk_bodies", heavy) == []


def test_the_app_on_the_memory_store_imports_no_redis_py():
    # redis-py is the `redis` extra: a mock installed without it must build and serve (the
    # installed-wheel test starts one; this says which import broke it, in a second).
    code = (
        "import sys; from mock_server import Settings, create_app; create_app(Settings()); "
        "print(','.join(m for m in ('redis', 'hiredis') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == ""
