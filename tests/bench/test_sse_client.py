"""bench/sse_client.py: an HTTP/1.1 chunked answer read as SSE events however the bytes arrive,
and the client's streams against a live bare endpoint, each read to `[DONE]`."""

from __future__ import annotations

import asyncio

import pytest

from bench.bare_streams import create_bare_streams
from bench.sse_client import ProtocolError, SseResponse, request_bytes, run_streams
from tests.live_server import serve

HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
EVENTS = [b'data: {"type": "status"}\n\n', b": ping\n\n", b'data: {"type": "content"}\n\n', b"data: [DONE]\n\n"]


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


ANSWER = HEAD + chunked(*EVENTS)
PAYLOADS = [b'{"type": "status"}', b'{"type": "content"}', b"[DONE]"]


def feed_all(parts: list[bytes]) -> tuple[SseResponse, list[bytes]]:
    response, payloads = SseResponse(), []
    for part in parts:
        payloads += response.feed(part)
    return response, payloads


def test_a_whole_answer_gives_its_data_payloads_and_skips_comments():
    response, payloads = feed_all([ANSWER])
    assert (response.status, response.chunked, response.ended) == (200, True, True)
    assert payloads == PAYLOADS


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_the_same_payloads_whatever_the_bytes_arrive_in(size):
    _, payloads = feed_all([ANSWER[n : n + size] for n in range(0, len(ANSWER), size)])
    assert payloads == PAYLOADS


def test_an_event_split_across_chunks_is_one_event():
    event = b'data: {"type": "content", "content": "word0 "}\n\n'
    _, payloads = feed_all([HEAD + chunked(event[:10], event[10:30], event[30:])])
    assert payloads == [b'{"type": "content", "content": "word0 "}']


def test_multi_line_data_is_joined_and_crlf_lines_are_read():
    _, payloads = feed_all([HEAD + chunked(b"data: a\r\ndata: b\n\n", b"event: x\ndata:c\n\n")])
    assert payloads == [b"a\nb", b"c"]


def test_an_unchunked_body_is_read_as_it_comes():
    response, payloads = feed_all([b"HTTP/1.1 409 Conflict\r\ncontent-length: 9\r\n\r\n", b"data: x\n\n"])
    assert (response.status, response.chunked, payloads) == (409, False, [b"x"])


def test_nothing_before_the_head_is_complete():
    response = SseResponse()
    assert response.feed(ANSWER[:20]) == [] and response.status is None


@pytest.mark.parametrize(
    "answer",
    [b"SSH-2.0-OpenSSH\r\n\r\n", HEAD + b"5\r\nhelloXX"],
    ids=["not-http", "chunk-without-crlf"],
)
def test_what_is_not_a_chunked_http_answer_is_refused(answer):
    with pytest.raises(ProtocolError):
        SseResponse().feed(answer)


def test_the_request_is_a_json_post_with_its_length():
    request = request_bytes("127.0.0.1", 9, "k", {"run_id": "run_x"})
    head, body = request.split(b"\r\n\r\n")
    assert head.startswith(b"POST /v1/completions HTTP/1.1\r\n")
    assert b"\r\nX-API-Key: k" in head and b"\r\nContent-Length: %d" % len(body) in head
    assert body == b'{"run_id":"run_x"}'


def test_streams_against_the_bare_endpoint_open_and_complete():
    bodies = [{"run_id": f"run_{n}"} for n in range(5)]
    with serve(create_bare_streams(tokens=3, delay=0.0)) as url:
        result = asyncio.run(run_streams(url, "k", bodies, ramp=0.05, timeout=10))
    streams = result["streams"]
    assert [s["opened"] for s in streams] == [True] * 5
    assert [(s["completed"], s["frames"], s["error"]) for s in streams] == [(True, 3 + 4, None)] * 5
    assert all(s["first_frame_s"] is not None for s in streams)
    assert result["window_s"] > 0 and result["client_cpu_s"] >= 0


def test_a_refused_stream_is_not_opened_and_says_its_status():
    with serve(create_bare_streams(tokens=3, delay=0.0)) as url:
        result = asyncio.run(run_streams(url, "k", [{"no_run_id": True}], ramp=0, timeout=10))
    (stream,) = result["streams"]
    assert (stream["opened"], stream["completed"], stream["error"]) == (False, False, "status 500")
