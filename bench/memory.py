"""Memory per stored message: the filled mock's resident set at 0 and at N messages (1M by
default) in one thread, each in a fresh process; the difference over N is what one message costs,
its row and its share of the indexes together (what `ps` shows, allocator slack included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import servers
from bench.servers import HEADERS


def rss_bytes(pid: int) -> int:
    """A process's resident set (VmRSS in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def filled_rss(messages: int) -> int:
    """The RSS of a filled mock once it has answered a page of its thread."""
    server = servers.filled_mock(messages)
    with servers.running(server):
        thread_id = server.wait_for_line("thread ", timeout=900).split()[1]
        server.wait_ready(f"/v1/threads/{thread_id}/messages?limit=20", HEADERS, timeout=120)
        assert server.process is not None
        return rss_bytes(server.process.pid)


def memory(messages: int = 1_000_000) -> dict[str, Any]:
    print(f"  memory: the filled mock's RSS at 0 and at {messages:,} messages ...", flush=True)
    empty, full = filled_rss(0), filled_rss(messages)
    return {
        "messages": messages,
        "rss_empty_bytes": empty,
        "rss_full_bytes": full,
        "bytes_per_message": round((full - empty) / messages),
    }


def memory_line(result: dict[str, Any]) -> str:
    return (
        f"{result['bytes_per_message']:,} bytes per message: RSS {result['rss_empty_bytes'] / 1e6:,.0f} MB at 0, "
        f"{result['rss_full_bytes'] / 1e6:,.0f} MB at {result['messages']:,} messages"
    )


if __name__ == "__main__":
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(memory_line(memory(count)))
