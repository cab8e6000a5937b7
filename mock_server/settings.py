"""One Settings object: everything the mock can be told at start, from the CLI or the environment."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from mock_server.auth import KEY_FORMAT, well_formed
from mock_server.file_signing import DEFAULT_MAX_FILE_BYTES

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
# The mock's own API (/__mock__), package data beside this module.
CONTROL_SPEC_PATH = PACKAGE_DIR / "control_plane.yaml"


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
    # An uploaded file's size (413 beyond it): the mock keeps every file's bytes in memory.
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    # The secret signed download URLs are signed with; None: one made from the seed, else random.
    signed_url_secret: str | None = None
    # The HTTP server's limits (serving.py): a request's head (431 beyond), the seconds a head may
    # take to arrive (408) and a body may pause between chunks (408), an idle keep-alive's
    # seconds, and open connections (503 beyond).
    max_header_bytes: int = 64 * 1024
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    keep_alive_timeout: int = 5
    max_connections: int = 1_000
    # The request journal (/__mock__/journal): entries kept (the oldest go first), and bytes of
    # each request and answer body it keeps a copy of.
    max_journal_entries: int = 1_000
    max_journal_body_bytes: int = 4_096
    # Vectors one vector store holds at most (413 beyond): a search scores every one of them.
    max_store_vectors: int = 10_000
    # A JSON file the memory store is saved to (every session) and loaded from at start
    # (persistence.py; the CLI's --state-file), and the seconds between saves while serving:
    # 0 saves only at shutdown.
    state_file: Path | None = None
    state_save_seconds: float = 30.0
    # Where sessions live: "memory" (this process), or a Redis URL (redis://HOST:PORT/DB) that
    # replicas share (mock_server/shared_sessions.py); and the processes serving (>1 needs Redis).
    store: str = "memory"
    workers: int = 1

    @property
    def shared(self) -> bool:
        """Whether the store is shared (Redis) rather than this process's memory."""
        return self.store != "memory"

    def __post_init__(self) -> None:
        if self.state_file is not None and self.store != "memory":
            raise SettingsError(
                "--state-file saves the memory store; a Redis store keeps its state in Redis (drop one of them)"
            )
        if self.workers > 1 and self.store == "memory":
            raise SettingsError(
                f"--workers {self.workers} needs a shared store: each process would hold a world of its own; "
                "add --store redis://HOST:PORT/DB"
            )
        # The CLI and from_env check what they read and say where it came from; this is for
        # Settings made in code, so that a value the mock cannot use stops it here, not at a request.
        for name in CHECKED:
            value = getattr(self, name)
            if value is not None and (reason := problem(name, value)):
                raise SettingsError(f"Settings({name}={value!r}) {reason}")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from `MOCK_<NAME>` environment variables (MOCK_SEED, MOCK_MAX_BODY_BYTES…),
        then explicit overrides; SettingsError names a value that does not read as its type."""
        env: dict[str, object] = {}
        for name in ENVIRONMENT:
            text = os.environ.get(f"MOCK_{name.upper()}")
            if text:
                env[name] = _read(name, text, f"MOCK_{name.upper()}")
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it."""


# The settings the environment may give, with the type each is read as.
ENVIRONMENT: dict[str, type] = {
    "admin_key": str,
    "seed": int,
    "fixtures": Path,
    "stream_delay": float,
    "max_sessions": int,
    "max_session_name_length": int,
    "max_body_bytes": int,
    "max_file_bytes": int,
    "max_header_bytes": int,
    "header_timeout": float,
    "body_timeout": float,
    "keep_alive_timeout": int,
    "max_connections": int,
    "max_journal_entries": int,
    "max_journal_body_bytes": int,
    "max_store_vectors": int,
    "signed_url_secret": str,
    "store": str,
    "workers": int,
    "state_file": Path,
    "state_save_seconds": float,
}
# Limits and their CLI flags (`--max-body-bytes` …): each must be positive.
LIMITS = tuple(name for name in ENVIRONMENT if name.startswith(("max_", "header_", "body_", "keep_")))
STORE_SCHEMES = ("redis://", "rediss://", "unix://")
# The settings `problem` knows a rule for.
CHECKED = ("port", "admin_key", "stream_delay", "store", "workers", "state_save_seconds", *LIMITS)
MAX_PORT = 65_535


def problem(name: str, value: object) -> str | None:
    """Why `value` cannot be the setting `name`, or None. Said after where the value came from
    (`--port 99999 …`, `MOCK_ADMIN_KEY='secret' …`), so every source gets the same rule."""
    if name == "port":
        # 0 asks the system for a free port: the CLI binds before it prints the URL (serving.listen).
        if not 0 <= value <= MAX_PORT:  # type: ignore[operator]
            return f"is not a port: ports are 1 to {MAX_PORT}, and 0 picks a free one"
    elif name == "admin_key":
        if not well_formed(value):  # type: ignore[arg-type]
            # The same rule authentication applies: a key it breaks gets 401 on every request.
            return f"is not an API key: a key is {KEY_FORMAT}; a minted one is ad_ and 43 letters and digits"
    elif name == "store":
        if value != "memory" and not str(value).startswith(STORE_SCHEMES):
            return "is not a store: `memory`, or a Redis URL such as redis://127.0.0.1:6379/0"
    elif name == "workers":
        if value < 1:  # type: ignore[operator]
            return "must be 1 or more"
    elif isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    elif name in ("stream_delay", "state_save_seconds") and value < 0:  # type: ignore[operator]
        return "must be 0 or more"
    elif name in LIMITS and value <= 0:  # type: ignore[operator]
        return "must be greater than 0"
    return None


def _read(name: str, text: str, source: str) -> object:
    kind = ENVIRONMENT[name]
    try:
        value = kind(text)
    except ValueError:
        raise SettingsError(f"{source}={text!r} is not a valid {kind.__name__}") from None
    if name in CHECKED and (reason := problem(name, value)):
        raise SettingsError(f"{source}={text!r} {reason}")
    return value
