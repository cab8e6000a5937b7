"""The mock (full validation) with one thread of the default namespace holding N messages, put
straight into the store, served with uvicorn:

    python -m bench.filled_mock --messages N --port P --admin-key K

It prints `thread <id> filled_in_s=<seconds>` once the thread is filled, before it starts serving.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time

import uvicorn

from mock_server import Settings, create_app
from mock_server.collector import keep_pauses_short
from mock_server.records import new_message, new_thread
from mock_server.store.memory import run_now


def fill(app, messages: int) -> str:
    """One thread owned by the seeded admin, in the default session, with `messages` user messages."""
    mock = app.mock
    session = run_now(mock.sessions.get(None))
    store, ids, clock = session.store, session.ids, session.clock
    thread = new_thread(ids, clock, mock.seed.admin_user_id, [], {})
    run_now(store.threads.add(thread))
    thread_id = thread["id"]
    for n in range(messages):
        fields = {"thread_id": thread_id, "content": f"Message {n}: what's the weather in Paris?"}
        run_now(store.messages.add(new_message(ids, clock, fields, role="user")))
    run_now(store.threads.update(thread_id, {"materialized": True}))
    return thread_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.filled_mock", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--admin-key", required=True)
    args = parser.parse_args(argv)
    app = create_app(Settings(admin_key=args.admin_key, seed=1))
    started = time.monotonic()
    gc.disable()  # a million new rows would otherwise trigger many useless collections
    thread_id = fill(app, args.messages)
    gc.enable()
    print(f"thread {thread_id} filled_in_s={time.monotonic() - started:.2f}", flush=True)
    keep_pauses_short()  # as mock_server/__main__.py does
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
