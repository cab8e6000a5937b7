"""Row notifications over Redis pub/sub: how a stream on one replica learns within milliseconds
that a run changed on another (a cancel), without reading the run for every token.

Every write of a published table (redis_backend.PUBLISHED) publishes the row's id on its session's
channel, inside the write script, so a notification never precedes the write it announces. One
listener per process holds a single pattern subscription (`entities-mock:*:changes:*`) and marks
the watches of that channel and id. While the subscription is down (Redis restarting) every watch
reads as changed, so watchers fall back to reading the row: a lost notification costs reads,
never a missed cancel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

from mock_server.store.redis_connection import PREFIX

logger = logging.getLogger("mock_server")
PATTERN = f"{PREFIX}:*:changes:*"
RECONNECT_SECONDS = 0.2


class Watch:
    """One row's notifications (the `RowWatch` of protocol.py)."""

    def __init__(self, notifier: Notifier, key: tuple[bytes, bytes]) -> None:
        self._notifier = notifier
        self._key = key
        self._dirty = True  # unknown until the first read
        self._event = asyncio.Event()

    def mark(self) -> None:
        self._dirty = True
        self._event.set()

    def changed(self) -> bool:
        if self._dirty or not self._notifier.live:
            self._dirty = False
            return True
        return False

    async def wait(self, timeout: float) -> None:
        if self._dirty or not self._notifier.live:
            return
        self._event.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)

    def close(self) -> None:
        self._notifier.forget(self._key, self)


class Notifier:
    """The process's subscription, started with the first watch (in the event loop serving)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._watches: defaultdict[tuple[bytes, bytes], set[Watch]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.live = False

    def watch(self, channel: str, row_id: str) -> Watch:
        key = (channel.encode(), row_id.encode())
        watch = Watch(self, key)
        self._watches[key].add(watch)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen())
        return watch

    def forget(self, key: tuple[bytes, bytes], watch: Watch) -> None:
        watches = self._watches.get(key)
        if watches is not None:
            watches.discard(watch)
            if not watches:
                del self._watches[key]

    async def _listen(self) -> None:
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.psubscribe(PATTERN)
                self.live = True
                for watches in list(self._watches.values()):  # what changed while we were away
                    for watch in watches:
                        watch.mark()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message["type"] == "pmessage":
                        for watch in list(self._watches.get((message["channel"], message["data"]), ())):
                            watch.mark()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis went away: watchers read until it is back
                if self.live:
                    logger.warning("mock_server: the store's notifications stopped (%s); reconnecting", error)
                self.live = False
                for watches in list(self._watches.values()):
                    for watch in watches:
                        watch.mark()
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
