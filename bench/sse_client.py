"""The streams scenario's client: N concurrent SSE completions, in a process of its own.

    python -m bench.sse_client --url http://127.0.0.1:P --key K --bodies bodies.json [--ramp 1]

Each stream is one connection (an asyncio Protocol on uvloop when it is installed, so that one
core parses a thousand streams): `POST /v1/completions`, then the answer's chunked body read
frame by frame. Streams open evenly over `--ramp` seconds (0: all at once). Prints one JSON
object: per stream, whether it opened (200), its first frame's time from the connect, the frames
received and whether `data: [DONE]` ended it; and the window from the first connect to the last end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DONE = b"[DONE]"


class ProtocolError(ValueError):
    """The answer is not an HTTP/1.1 chunked event stream."""


class SseResponse:
    """An HTTP/1.1 answer fed as it arrives: status, then (chunked) body, then SSE events.
    `feed` returns the `data:` payloads of the events it completed."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.chunked = False
        self.ended = False  # the body's last (zero-size) chunk arrived
        self._raw = b""  # bytes not yet parsed as head or chunk framing
        self._chunk_left = 0  # bytes of the current chunk still to come
        self._after_chunk = False  # the chunk's trailing CRLF is still to come
        self._events = b""  # body bytes not yet a whole event

    def feed(self, data: bytes) -> list[bytes]:
        self._raw += data
        if self.status is None and not self._head():
            return []
        body = self._body() if self.chunked else self._take_all()
        self._events += body
        *complete, self._events = self._events.split(b"\n\n")
        return [payload for event in complete if (payload := _data_of(event)) is not None]

    def _head(self) -> bool:
        end = self._raw.find(b"\r\n\r\n")
        if end < 0:
            return False
        head, self._raw = self._raw[:end].decode("latin-1"), self._raw[end + 4 :]
        status_line, *headers = head.split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ProtocolError(f"not an HTTP/1.x status line: {status_line!r}")
        self.status = int(parts[1])
        fields = {name.strip().lower(): value.strip().lower() for name, _, value in (h.partition(":") for h in headers)}
        self.chunked = "chunked" in fields.get("transfer-encoding", "")
        return True

    def _take_all(self) -> bytes:
        data, self._raw = self._raw, b""
        return data

    def _body(self) -> bytes:
        out: list[bytes] = []
        while self._raw and not self.ended:
            if self._chunk_left:
                piece = self._raw[: self._chunk_left]
                self._raw = self._raw[len(piece) :]
                self._chunk_left -= len(piece)
                out.append(piece)
                continue
            if self._after_chunk:
                if len(self._raw) < 2:
                    break
                if self._raw[:2] != b"\r\n":
                    raise ProtocolError("a chunk is not followed by CRLF")
                self._raw, self._after_chunk = self._raw[2:], False
                continue
            line_end = self._raw.find(b"\r\n")
            if line_end < 0:
                break
            size = int(self._raw[:line_end].split(b";")[0], 16)
            self._raw = self._raw[line_end + 2 :]
            if size == 0:
                self.ended = True
            else:
                self._chunk_left, self._after_chunk = size, True
        return b"".join(out)


def _data_of(event: bytes) -> bytes | None:
    """An event's `data:` payload (its lines joined), or None for a comment-only event."""
    lines = [line.rstrip(b"\r") for line in event.split(b"\n")]
    data = [line[5:].removeprefix(b" ") for line in lines if line.startswith(b"data:")]
    return b"\n".join(data) if data else None


@dataclass
class StreamRecord:
    opened: bool = False  # the answer was 200
    status: int | None = None
    connected_s: float | None = None  # from the connect to the connection made (the server's accept)
    first_frame_s: float | None = None  # from the connect to the first whole event
    frames: int = 0  # `data:` events, [DONE] included
    completed: bool = False  # `data: [DONE]` arrived
    error: str | None = None
    started: float = 0.0
    ended: float = 0.0


class StreamProtocol(asyncio.Protocol):
    def __init__(self, request: bytes, record: StreamRecord, finished: asyncio.Future[None]) -> None:
        self.request, self.record, self.finished = request, record, finished
        self.response = SseResponse()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.record.connected_s = time.perf_counter() - self.record.started
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        record = self.record
        try:
            payloads = self.response.feed(data)
        except (ProtocolError, ValueError) as error:
            record.error = str(error)
            self._close()
            return
        record.status = self.response.status
        record.opened = record.status == 200
        if record.status is not None and not record.opened and record.error is None:
            record.error = f"status {record.status}"
        if payloads:
            if record.first_frame_s is None:
                record.first_frame_s = time.perf_counter() - record.started
            record.frames += len(payloads)
            if payloads[-1] == DONE:
                record.completed = True
        if record.completed or self.response.ended or (record.status is not None and not record.opened):
            self._close()

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and self.record.error is None:
            self.record.error = f"{type(exc).__name__}: {exc}"
        self.record.ended = time.perf_counter()
        if not self.finished.done():
            self.finished.set_result(None)

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def request_bytes(host: str, port: int, key: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST /v1/completions HTTP/1.1\r\nHost: {host}:{port}\r\nX-API-Key: {key}\r\n"
        f"Content-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def one_stream(host: str, port: int, request: bytes, record: StreamRecord, delay: float, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(delay)
    finished: asyncio.Future[None] = loop.create_future()
    record.started = time.perf_counter()
    try:
        transport, _ = await loop.create_connection(lambda: StreamProtocol(request, record, finished), host, port)
    except OSError as error:
        record.error, record.ended = f"connect: {error}", time.perf_counter()
        return
    try:
        await asyncio.wait_for(finished, timeout)
    except TimeoutError:
        record.error = "timed out"
        transport.close()
        record.ended = time.perf_counter()


async def run_streams(url: str, key: str, bodies: list[dict[str, Any]], ramp: float, timeout: float) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    records = [StreamRecord() for _ in bodies]
    step = ramp / len(bodies) if bodies else 0.0
    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(
        *(
            one_stream(host, port, request_bytes(host, port, key, body), record, n * step, timeout)
            for n, (body, record) in enumerate(zip(bodies, records, strict=True))
        )
    )
    window = max((r.ended for r in records), default=began) - min((r.started for r in records), default=began)
    streams = [{k: v for k, v in asdict(r).items() if k not in ("started", "ended")} for r in records]
    # The client's own CPU over the window: well under one core, or it, not the server, set the pace.
    return {"window_s": round(window, 4), "client_cpu_s": round(time.process_time() - cpu, 3), "streams": streams}


def raise_file_limit() -> None:
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.sse_client", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--bodies", type=Path, required=True, help="a JSON list: one completion body per stream")
    parser.add_argument("--ramp", type=float, default=1.0, help="seconds over which the streams open")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a stream may take, at most")
    args = parser.parse_args(argv)
    raise_file_limit()
    bodies = json.loads(args.bodies.read_text())
    try:
        import uvloop
    except ImportError:
        uvloop = None
    run = uvloop.run if uvloop is not None else asyncio.run
    result = run(run_streams(args.url, args.key, bodies, args.ramp, args.timeout))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
