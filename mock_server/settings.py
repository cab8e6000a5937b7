"""One Settings object: everything the mock can be told at start, from the CLI or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def find_contract() -> Path:
    """openapi.yaml: the package's own copy in an installed wheel (setup.py's build step puts it
    there), else the repository root's, the single source of truth, in a checkout or an editable
    install. `contract_tests.contract` finds its copy the same way, without importing this."""
    packaged = resources.files(__package__) / "openapi.yaml"
    if isinstance(packaged, Path) and packaged.is_file():
        return packaged
    return PACKAGE_DIR.parent / "openapi.yaml"


SPEC_PATH = find_contract()
DEFAULT_FIXTURES = PACKAGE_DIR / "fixtures" / "default.yaml"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 9000
    # The seeded admin's key; None mints one (printed at start).
    admin_key: str | None = None
    # A seed makes ids and timestamps deterministic.
    seed: int | None = None
    fixtures: Path | None = DEFAULT_FIXTURES
    spec_path: Path = SPEC_PATH
    validate_responses: bool = True
    # Seconds between streamed deltas: 0 is as fast as the client reads; ~0.05 feels like a model.
    stream_delay: float = 0.0
    swagger_ui: bool = True
    extra_cors_headers: tuple[str, ...] = field(default=("X-Mock-Session",))

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from MOCK_* environment variables, then explicit overrides."""
        env: dict[str, object] = {}
        if key := os.environ.get("MOCK_ADMIN_KEY"):
            env["admin_key"] = key
        if seed := os.environ.get("MOCK_SEED"):
            env["seed"] = int(seed)
        if fixtures := os.environ.get("MOCK_FIXTURES"):
            env["fixtures"] = Path(fixtures)
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]
