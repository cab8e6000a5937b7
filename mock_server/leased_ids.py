"""Seeded ids a session's replicas share (shared_sessions.py): numbers leased in blocks from the
session's counter in Redis, each id a hash of seed, session and number: unique across replicas by
construction, and the same for the same traffic after a reset."""

from __future__ import annotations

import hashlib
import logging
from collections import deque

from mock_server.ids import ALPHABET, IdFactory

logger = logging.getLogger("mock_server")
LEASE = 512  # ids leased at a time; a new block is leased when fewer than half are left


class LeasedIds(IdFactory):
    """Seeded ids from the session's shared counter: token n is a hash of seed, session and n.
    Numbers come in leased blocks, used in the order leased (a replica may hold two at a time)."""

    def __init__(self, basis: str) -> None:
        super().__init__(None)
        self._basis = basis
        self._blocks: deque[list[int]] = deque()  # [next, end) each

    def lease(self, end: int) -> None:
        self._blocks.append([end - LEASE, end])

    @property
    def low(self) -> bool:
        return sum(end - start for start, end in self._blocks) < LEASE // 2

    def token(self, length: int) -> str:
        while self._blocks and self._blocks[0][0] >= self._blocks[0][1]:
            self._blocks.popleft()
        if not self._blocks:  # a request minted more than a lease holds: still unique, not seeded
            logger.warning("mock_server: the seeded id lease ran out; minting a random id")
            return super().token(length)
        block = self._blocks[0]
        number, block[0] = block[0], block[0] + 1
        digest = hashlib.shake_256(f"{self._basis}/{number}".encode()).digest(length * 2 + 16)
        chars = [ALPHABET[b % 62] for b in digest if b < 248]
        return "".join(chars[:length])
