"""One Settings object: everything the mock can be told at start, from the CLI or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SPEC_PATH = PACKAGE_DIR.parent / "openapi.yaml"
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
    # Operations answered from their contract examples instead of a handler (e.g. one just added
    # to openapi.yaml); every other operation must have a handler, or the app does not start.
    answer_from_examples: tuple[str, ...] = ()
    # Limits: sessions kept (the least recently used are dropped), a session name's length, and a
    # request body's size (413 beyond it).
    max_sessions: int = 1_000
    max_session_name_length: int = 128
    max_body_bytes: int = 10 * 1024 * 1024

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
