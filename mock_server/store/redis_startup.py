"""What a replica settles with the Redis store before it serves: that Redis answers (a mock
started while Redis is down says so and exits 2, rather than serve 503s from the start), that
it is recent enough (MINIMUM_VERSION), that the state in it is laid out as this mock lays it out
(LAYOUT: a database a mock with another layout wrote is refused, never read half right), and the
store's basis, which replicas share.

Without `--seed` a mock mints its fixture rows' ids and its minted admin key at random; replicas
must mint the same ones, so they draw them from one random number the first replica puts in the
store (SET NX) and every later one reads: the basis. With `--seed`, the seed is the basis.
"""

from __future__ import annotations

import secrets
from typing import Any

from mock_server.store.protocol import StoreUnavailable
from mock_server.store.redis_connection import PREFIX, SOCKET_TIMEOUT, describe

BASIS = f"{PREFIX}:basis"
REGISTRY = f"{PREFIX}:sessions"  # every session seeded in the store (shared_sessions.py)
LAYOUT_KEY = f"{PREFIX}:layout"
# 2: each row a key of its own (redis_backend.py). 1, which wrote no LAYOUT_KEY: the rows of a
# table in one hash.
LAYOUT = b"2"
MINIMUM_VERSION = (7, 0)


def store_basis(url: str, seed: int | None) -> int:
    """The seed replicas build the fixtures from; StoreUnavailable when Redis does not answer."""
    import redis
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    client = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT)
    try:
        client.ping()
        check_version(client, describe(url))
        _check_layout(client, describe(url))
        if seed is not None:
            return seed
        client.set(BASIS, secrets.randbits(62), nx=True)
        return int(client.get(BASIS))  # type: ignore[arg-type]
    except (RedisConnectionError, RedisTimeoutError, OSError) as error:
        raise StoreUnavailable(f"the store {describe(url)} does not answer ({error}); start Redis first") from None
    finally:
        client.close()


def check_version(client: Any, where: str) -> None:
    """Redis 7.0 or later: the journal's stream numbers its entries `0-*` (redis_journal.py)."""
    found = str(client.info("server").get("redis_version", "0"))
    if tuple(int(part) for part in found.split(".")[:2] if part.isdigit()) < MINIMUM_VERSION:
        minimum = ".".join(map(str, MINIMUM_VERSION))
        raise StoreUnavailable(f"the store {where} runs Redis {found}; the mock needs Redis {minimum} or later")


def _check_layout(client: Any, where: str) -> None:
    if client.get(LAYOUT_KEY) is None and not client.exists(REGISTRY, BASIS):
        client.set(LAYOUT_KEY, LAYOUT, nx=True)  # an empty store: ours from now on
    found = client.get(LAYOUT_KEY) or b"1"
    if found != LAYOUT:
        raise StoreUnavailable(
            f"the store {where} holds the mock's state in layout {found.decode(errors='replace')}, "
            f"this mock reads layout {LAYOUT.decode()}: empty that database (FLUSHDB) or use another one"
        )
