"""The one build step pyproject.toml cannot declare: the installed packages carry the contract.

`openapi.yaml` lives once, at the repository root, where the Makefile's lint, codegen and the tests
read it. A wheel holds packages, not the root, so `build_py` copies it into `mock_server/` and
`contract_tests/` in the build directory: both packages carry it, and `contract_tests` still needs
nothing from `mock_server`. Each finds its copy with importlib.resources and, in a checkout or an
editable install (where there is no copy), falls back to the root (`mock_server/settings.py`,
`contract_tests/contract.py`).

Why not a symlink inside each package: setuptools does dereference it into the sdist, so
`python -m build` would work on Linux, but a checkout without symlinks (Windows, `core.symlinks`
off) turns the link into a text file naming its target, and the wheel would carry that instead of
the contract, silently. A copy made at build time has no such case; `tests/test_installed_wheel.py`
checks that the installed copies are the root file, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CONTRACT = Path(__file__).resolve().parent / "openapi.yaml"  # in an sdist too (MANIFEST.in)
CARRIERS = ("mock_server", "contract_tests")


class BuildPyWithContract(build_py):
    def run(self) -> None:
        super().run()
        for target in self._contract_copies():
            self.copy_file(str(CONTRACT), target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), *self._contract_copies()]

    def _contract_copies(self) -> list[str]:
        # An editable install runs the source tree itself: a copy there would be a second contract
        # that goes stale, so the packages read the root file instead.
        if self.editable_mode:
            return []
        return [str(Path(self.build_lib, package, "openapi.yaml")) for package in CARRIERS]


setup(cmdclass={"build_py": BuildPyWithContract})
