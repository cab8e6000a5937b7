"""The mock's own CPU per streamed frame and per stream opened, without a socket.

    python -m bench.stream_cpu [--streams 300] [--tokens 100] [--repeat 3]

The app is called directly (bench/inprocess.py's `call`, with uvicorn's ASGI spec version), one
completion at a time and unpaced, each a reply of `--tokens` words with every frame checked
against the contract as always. CPU time (time.process_time, so other work on the machine counts
for little) is read at the call, at the first frame and at the end: `open` is the request's path
to its first frame, `frame` each later frame. No uvicorn and no HTTP parsing: what the mock itself
costs, which bench/streams.py's per-frame figure holds together with the server's share. The best
of `--repeat` rounds is printed, as the lowest is the least disturbed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import orjson

from bench.inprocess import call
from bench.servers import ADMIN_KEY
from bench.streams import ASSISTANT, QUESTION, completion_body, reply_rules
from contract_tests.sdk_bodies import message_body, run_body
from mock_server import Settings, create_app


async def _prepared(app: Any, count: int) -> list[dict[str, Any]]:
    async def ok(method: str, path: str, body: Any) -> dict[str, Any]:
        status, answer = await call(app, method, path, body)
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status} {answer[:300]!r}")
        return orjson.loads(answer)

    bodies = []
    for _ in range(count):
        thread_id = (await ok("POST", "/v1/threads", {"meta_data": {}}))["id"]
        message_id = (await ok("POST", "/v1/messages", message_body(thread_id, ASSISTANT, QUESTION)))["id"]
        run_id = (await ok("POST", "/v1/runs", run_body(ASSISTANT, thread_id)))["id"]
        bodies.append(completion_body(thread_id, message_id, run_id))
    return bodies


async def paced(streams: int, tokens: int, delay: float) -> float:
    """CPU µs per frame of `streams` completions read at once, paced `delay` seconds a word: what
    waking each stream up between its frames costs too (the unpaced measure never sleeps)."""
    app = create_app(Settings(admin_key=ADMIN_KEY, stream_delay=delay))
    await call(app, "PUT", "/__mock__/rules", reply_rules(tokens))
    warmups, timed = await _prepared(app, 20), await _prepared(app, streams)
    await asyncio.gather(*(call(app, "POST", "/v1/completions", body) for body in warmups))
    started = time.process_time()
    answers = await asyncio.gather(*(call(app, "POST", "/v1/completions", body) for body in timed))
    used = time.process_time() - started
    frames = sum(answer.count(b"data: ") for _, answer in answers)
    if frames != streams * (tokens + 4):
        raise RuntimeError(f"paced completions: {frames} frames of {streams * (tokens + 4)}")
    return used / frames * 1e6


async def measure(streams: int, tokens: int, warm: int = 50) -> dict[str, float]:
    app = create_app(Settings(admin_key=ADMIN_KEY))
    await call(app, "PUT", "/__mock__/rules", reply_rules(tokens))
    warmups, timed = await _prepared(app, warm), await _prepared(app, streams)
    for body in warmups:
        await call(app, "POST", "/v1/completions", body)
    opens, frames = 0.0, 0.0
    count = 0
    for body in timed:
        started = time.process_time()
        marks: list[float] = []
        status, answer = await call(app, "POST", "/v1/completions", body, marks)
        sent = answer.count(b"data: ")
        if status != 200 or sent != tokens + 4 or not answer.endswith(b"data: [DONE]\n\n"):
            raise RuntimeError(f"completion: {status}, {sent} frames: {answer[-300:]!r}")
        opens += marks[0] - started
        frames += marks[-1] - marks[0]
        count += sent - 1
    return {"open_us": opens / streams * 1e6, "frame_us": frames / count * 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.stream_cpu", description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=300)
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paced", type=float, default=0.0, help="seconds a word: N streams at once, µs a frame")
    args = parser.parse_args(argv)
    if args.paced:
        costs = [asyncio.run(paced(args.streams, args.tokens, args.paced)) for _ in range(args.repeat)]
        print("paced: " + "  ".join(f"{c:5.2f}" for c in costs) + f"  best {min(costs):5.2f} µs/frame")
        return 0
    rounds = [asyncio.run(measure(args.streams, args.tokens)) for _ in range(args.repeat)]
    for round_ in rounds:
        print(f"round: open {round_['open_us']:7.1f} µs/stream   frame {round_['frame_us']:5.2f} µs/frame")
    best_open = min(r["open_us"] for r in rounds)
    best_frame = min(r["frame_us"] for r in rounds)
    print(f"best:  open {best_open:7.1f} µs/stream   frame {best_frame:5.2f} µs/frame")
    return 0


if __name__ == "__main__":
    sys.exit(main())
