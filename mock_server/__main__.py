"""`python -m mock_server` (or `entities-mock`): serve the mock with uvicorn.

Startup prints the base URL and the admin key, the two things a frontend developer needs first.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import errno
import socket
import sys
from pathlib import Path

import uvicorn

from mock_server import persistence
from mock_server.app import create_app
from mock_server.collector import keep_pauses_short
from mock_server.persistence import StateFileError
from mock_server.registry import StartupError
from mock_server.saving import SavingServer, StateSaver
from mock_server.seeding import FixtureError
from mock_server.serving import listen, raise_file_limit, server_config
from mock_server.settings import CHECKED, DEFAULT_FIXTURES, ENVIRONMENT, LIMITS, Settings, SettingsError, problem
from mock_server.store.protocol import StoreUnavailable
from mock_server.store.redis_connection import describe
from mock_server.workers import serve_workers


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mock_server", description="A stateful mock of the Entities API.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9000, help="port to listen on, 0 for a free one (default: 9000)")
    parser.add_argument("--admin-key", help="the seeded admin's API key (default: $MOCK_ADMIN_KEY, else minted)")
    parser.add_argument("--seed", type=int, help="make ids and timestamps deterministic")
    parser.add_argument(
        "--fixtures",
        type=Path,
        help=(
            "YAML or JSON seed data: users, keys, vector stores, assistants, threads, messages, rules "
            f"(default: {DEFAULT_FIXTURES.name})"
        ),
    )
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument(
        "--stream-delay",
        type=float,
        help="seconds between streamed deltas: 0 (default) is instant, 0.05 feels like a real model",
    )
    pace.add_argument(
        "--tokens-per-second", type=float, help="stream at a model's pace, e.g. 20 (the same as --stream-delay 0.05)"
    )
    parser.add_argument(
        "--signed-url-secret",
        help="the secret download URLs are signed with (default: $MOCK_SIGNED_URL_SECRET, else one made from "
        "--seed, else random)",
    )
    parser.add_argument(
        "--store",
        help="where the state lives: memory (default, this process), or a Redis URL redis://HOST:PORT/DB that "
        "replicas share (also $MOCK_STORE; needs the redis extra)",
    )
    parser.add_argument(
        "--workers", type=int, help="processes serving, sharing one --store redis://… (default: 1; also $MOCK_WORKERS)"
    )
    parser.add_argument("--no-response-validation", action="store_true", help="skip checking responses")
    parser.add_argument(
        "--answer-from-examples",
        action="append",
        default=[],
        metavar="OPERATION_ID",
        help="answer an operation that has no handler from its contract examples (repeatable)",
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="keep the memory store (every session) in this JSON file: loaded at start, saved every "
        "--state-save-seconds and at shutdown; created when missing (default: $MOCK_STATE_FILE, else none)",
    )
    parser.add_argument(
        "--state-save-seconds",
        type=float,
        metavar="S",
        help="seconds between saves of --state-file, 0 for only at shutdown "
        f"(default: $MOCK_STATE_SAVE_SECONDS, else {Settings().state_save_seconds:g})",
    )
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default: warning)")
    limits = parser.add_argument_group("limits (also MOCK_<NAME>, e.g. MOCK_MAX_BODY_BYTES)")
    defaults = Settings()
    for name in LIMITS:
        kind = ENVIRONMENT[name]
        limits.add_argument(
            f"--{name.replace('_', '-')}",
            type=kind,
            metavar=kind.__name__.upper(),
            help=f"{LIMIT_HELP[name]} (default: {getattr(defaults, name)})",
        )
    return parser.parse_args(argv)


# A fixture file's problems printed at most: enough to fix a batch, not a screenful of one mistake.
MAX_PROBLEMS = 20
LIMIT_HELP = {
    "max_sessions": "X-Mock-Session namespaces kept; the least recently used go first",
    "max_session_name_length": "characters of an X-Mock-Session name (422 beyond)",
    "max_body_bytes": "bytes of a request body (413 beyond)",
    "max_file_bytes": "bytes of an uploaded file (413 beyond); files are kept in memory",
    "max_header_bytes": "bytes of a request line and headers (431 beyond)",
    "header_timeout": "seconds a request's headers may take to arrive (408 after)",
    "body_timeout": "seconds a request body may pause between chunks (408 after)",
    "keep_alive_timeout": "seconds an idle keep-alive connection stays open",
    "max_connections": "open connections (503 beyond)",
    "max_journal_entries": "requests the journal keeps (/__mock__/journal); the oldest go first",
    "max_journal_body_bytes": "bytes of each request and answer body the journal keeps a copy of",
    "max_store_vectors": "vectors one vector store holds (413 beyond); a search scores each of them",
}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check_args(args)
        settings = Settings.from_env(
            host=args.host,
            port=args.port,
            admin_key=args.admin_key,
            seed=args.seed,
            fixtures=args.fixtures,
            stream_delay=1 / args.tokens_per_second if args.tokens_per_second else args.stream_delay,
            validate_responses=False if args.no_response_validation else None,
            answer_from_examples=tuple(args.answer_from_examples) or None,
            signed_url_secret=args.signed_url_secret,
            store=args.store,
            workers=args.workers,
            state_file=args.state_file,
            state_save_seconds=args.state_save_seconds,
            **{name: getattr(args, name) for name in LIMITS},
        )
        saved = persistence.read(settings.state_file) if settings.state_file else None
        if saved is not None:  # the stored sessions' admin key, and their seed
            key = persistence.check_compatible(saved, settings.seed, settings.admin_key)
            settings = dataclasses.replace(settings, admin_key=key)
        # Before the app is built and the banner printed: a port in use is said at once, alone.
        sockets = bind(settings.host, settings.port)
        app = create_app(settings)
        saver = start_state_file(app.mock, settings.state_file, saved) if settings.state_file else None
    except FixtureError as error:
        for line in error.problems[:MAX_PROBLEMS]:  # one line each, every one naming the file, row and field
            print(f"mock_server: cannot start: {line}", file=sys.stderr)
        if len(error.problems) > MAX_PROBLEMS:
            print(
                f"mock_server: cannot start: … and {len(error.problems) - MAX_PROBLEMS} more problems", file=sys.stderr
            )
        return 2
    except (StartupError, SettingsError, StoreUnavailable, StateFileError, OSError) as error:
        print(f"mock_server: cannot start: {error}", file=sys.stderr)
        return 2
    port = sockets[0].getsockname()[1]  # the one the system picked, for --port 0
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    base_url = f"http://{host}:{port}"
    print(f"Entities API mock on {base_url}  (API docs: {base_url}/docs/)", flush=True)
    print(f"Admin API key: {app.mock.seed.admin_key}", flush=True)
    if settings.shared:
        print(f"Store: {describe(settings.store)}, {settings.workers} worker(s)", flush=True)
    print(f"  export ENTITIES_BASE_URL={base_url} ENTITIES_API_KEY={app.mock.seed.admin_key}", flush=True)
    if saver is not None:
        print(f"State file: {settings.state_file} ({'loaded' if saved else 'new'})", flush=True)
    keep_pauses_short()  # the store keeps every row: collections must not walk it (see collector.py)
    raise_file_limit()
    config = server_config(app, settings, log_level=args.log_level)

    def serve() -> None:
        server = uvicorn.Server(config) if saver is None else SavingServer(config, saver, settings.state_save_seconds)
        server.run(sockets=sockets)

    if settings.workers > 1:  # a shared store only (Settings refuses it otherwise), so no state file
        return serve_workers(settings.workers, serve)
    serve()
    return 0


def start_state_file(mock: object, path: Path, saved: persistence.Saved | None) -> StateSaver:
    """The saved sessions loaded (all or none), or, with no file yet, one written now: a path the
    mock cannot write to is said at start, not after a day of work at shutdown."""
    saver = StateSaver(mock, path)
    if saved is not None:
        asyncio.run(persistence.restore(mock, saved))
    else:
        try:
            asyncio.run(saver.save())
        except OSError as error:
            raise StateFileError(path, f"cannot be written: {error.strerror or error}") from None
    return saver


def check_args(args: argparse.Namespace) -> None:
    """The flags' values by the rules Settings applies (settings.problem), named as flags."""
    for name in CHECKED:
        value = getattr(args, name)
        if value is not None and (reason := problem(name, value)):
            raise SettingsError(f"--{name.replace('_', '-')} {value!r} {reason}")
    if args.tokens_per_second is not None and not 0 < args.tokens_per_second < float("inf"):
        raise SettingsError(f"--tokens-per-second {args.tokens_per_second!r} must be a finite number greater than 0")


def bind(host: str, port: int) -> list[socket.socket]:
    """serving.listen, its failures said in one line with what to do about them."""
    try:
        return listen(host, port)
    except socket.gaierror as error:
        raise SettingsError(f"--host {host!r} is not an address or a known host name ({error.strerror})") from None
    except OSError as error:
        where = f"port {port} on {host}"
        if error.errno == errno.EADDRINUSE:
            reason = f"{where} is already in use; choose another with --port (--port 0 picks a free one)"
        elif error.errno == errno.EACCES:
            reason = f"{where} needs privileges this user lacks; choose one above 1023 with --port"
        elif error.errno == errno.EADDRNOTAVAIL:
            reason = f"{host} is not an address of this machine; choose another with --host"
        else:
            reason = f"cannot listen on {where}: {error.strerror or error}"
        raise SettingsError(reason) from None


if __name__ == "__main__":
    sys.exit(main())
