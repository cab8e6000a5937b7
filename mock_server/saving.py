"""The state file kept up to date while the mock serves: a save every `state_save_seconds` (0:
none but the last) and one once uvicorn has stopped serving, on SIGTERM or Ctrl-C.

The last save runs inside uvicorn's shutdown, after the connections closed and before uvicorn
re-raises the signal it caught (which ends the process): so it sees every answered request.
A periodic save walks the store between requests (a scan yields every 1,000 rows, so a large
store is read in steps, and a table may move on between two tables' walks); encoding and
writing run in a thread, so requests keep being served meanwhile.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import uvicorn

from mock_server import persistence


class StateSaver:
    def __init__(self, mock: Any, path: Path) -> None:
        self.mock = mock
        self.path = path
        self._lock = asyncio.Lock()  # one save at a time: the last one waits for a periodic one

    async def save(self) -> None:
        async with self._lock:
            document = await persistence.snapshot(self.mock)
            data = await asyncio.to_thread(persistence.encode, document)
            await asyncio.to_thread(persistence.write_atomic, self.path, data)

    async def save_or_say(self) -> bool:
        """A save; a failure (a full disk…) said on stderr, not raised: the mock keeps serving."""
        try:
            await self.save()
        except OSError as error:
            print(f"mock_server: could not save {self.path}: {error.strerror or error}", file=sys.stderr, flush=True)
            return False
        return True


class SavingServer(uvicorn.Server):
    """uvicorn's Server, saving the state file periodically and once more at shutdown."""

    def __init__(self, config: uvicorn.Config, saver: StateSaver, every: float) -> None:
        super().__init__(config)
        self.saver = saver
        self.every = every
        self._periodic: asyncio.Task[None] | None = None

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.every > 0:
            self._periodic = asyncio.create_task(self._save_periodically())

    async def shutdown(self, sockets: Any = None) -> None:
        await super().shutdown(sockets)
        if self._periodic is not None:
            self._periodic.cancel()
            await asyncio.gather(self._periodic, return_exceptions=True)
        await self.saver.save_or_say()

    async def _save_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            # Shielded: a shutdown cancelling this task lets a save under way finish (holding the
            # lock), so the last save always lands after it and the file ends up the newest state.
            await asyncio.shield(self.saver.save_or_say())
