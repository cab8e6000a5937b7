"""Sequential latency: listing a page of a thread holding 1k .. 1M messages, and the mock's time
from process start to its first served request."""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx

from bench import servers
from bench.servers import HEADERS, MOCK_READY_PATH

WARMUP_REQUESTS = 20


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarize(samples_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples_ms, 50), 3),
        "p99_ms": round(percentile(samples_ms, 99), 3),
        "mean_ms": round(statistics.fmean(samples_ms), 3),
    }


def time_list_requests(
    base_url: str, thread_id: str, requests: int, *, expected: int = 20, budget_s: float = 120.0
) -> dict[str, Any]:
    """`requests` sequential GETs of a 20-message page, asc and desc in turn, on one keep-alive
    connection; stops early when `budget_s` runs out. Raises on any non-200 answer."""
    path = f"/v1/threads/{thread_id}/messages"
    samples: dict[str, list[float]] = {"asc": [], "desc": []}
    deadline = time.monotonic() + budget_s
    with httpx.Client(base_url=base_url, headers=HEADERS, timeout=10.0) as client:
        for n in range(WARMUP_REQUESTS + requests):
            order = "asc" if n % 2 == 0 else "desc"
            started = time.perf_counter()
            response = client.get(path, params={"limit": 20, "order": order})
            elapsed_ms = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or len(response.json()["data"]) != expected:
                raise RuntimeError(f"GET {path}?order={order}: {response.status_code} {response.text[:300]}")
            if n >= WARMUP_REQUESTS:
                samples[order].append(elapsed_ms)
            if time.monotonic() > deadline:
                break
    both = samples["asc"] + samples["desc"]
    return {
        "requests": len(both),
        **summarize(both),
        "asc": summarize(samples["asc"]),
        "desc": summarize(samples["desc"]),
    }


def list_latency(sizes: list[int], requests: int = 300) -> dict[str, Any]:
    """For each size, a fresh filled mock (bench.filled_mock), timed, then stopped."""
    by_size: dict[str, Any] = {}
    for size in sizes:
        print(f"  list latency: filling a thread with {size:,} messages ...", flush=True)
        server = servers.filled_mock(size)
        with servers.running(server):
            line = server.wait_for_line("thread ", timeout=900)
            thread_id = line.split()[1]
            server.wait_ready(f"/v1/threads/{thread_id}/messages?limit=1", HEADERS, timeout=120)
            result = time_list_requests(server.url, thread_id, requests, expected=min(20, size))
            fill_s = float(line.split("filled_in_s=")[1])
            by_size[str(size)] = {"messages": size, "fill_s": fill_s, **result}
    first, last = by_size[str(sizes[0])], by_size[str(sizes[-1])]
    return {
        "sizes": by_size,
        "ratio_p50_largest_smallest": round(last["p50_ms"] / first["p50_ms"], 2),
        "ratio_p99_largest_smallest": round(last["p99_ms"] / first["p99_ms"], 2),
    }


def startup_time(runs: int = 3) -> dict[str, Any]:
    """Process start to the first authenticated GET answered 200, for `python -m mock_server`."""
    samples_ms = []
    for _ in range(runs):
        server = servers.mock_server()
        started = time.perf_counter()
        with servers.running(server):
            server.wait_ready(MOCK_READY_PATH, HEADERS, timeout=60)
            samples_ms.append((time.perf_counter() - started) * 1000)
    return {"runs_ms": [round(s, 1) for s in samples_ms], "median_ms": round(statistics.median(samples_ms), 1)}
