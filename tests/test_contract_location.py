"""In the checkout the contract has one home, the root `openapi.yaml`: git holds no other copy, and
both the mock and the suite read that file (an installed wheel's copies are checked by
tests/test_installed_wheel.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from contract_tests import contract
from mock_server import settings

ROOT = Path(__file__).resolve().parent.parent


def test_git_holds_exactly_one_copy_of_the_contract():
    tracked = subprocess.run(
        ["git", "ls-files", "*openapi.yaml", "*openapi.yml", "*openapi.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == ["openapi.yaml"]


def test_in_the_checkout_the_mock_and_the_suite_both_read_the_root_contract():
    # A stray copy inside a package (an in-place build) would be found first and go stale.
    assert settings.SPEC_PATH == ROOT / "openapi.yaml"
    assert contract.DEFAULT_SPEC == ROOT / "openapi.yaml"


def test_every_top_level_package_declares_its_type_hints():
    for package in ("mock_server", "contract_tests", "codegen"):
        assert (ROOT / package / "py.typed").is_file(), package
