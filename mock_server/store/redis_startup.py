"""What a replica settles with the Redis store before it serves: that Redis answers (a mock
started while Redis is down says so and exits 2, rather than serve 503s from the start), and the
store's basis, which replicas share.

Without `--seed` a mock mints its fixture rows' ids and its minted admin key at random; replicas
must mint the same ones, so they draw them from one random number the first replica puts in the
store (SET NX) and every later one reads: the basis. With `--seed`, the seed is the basis.
"""

from __future__ import annotations

import secrets

from mock_server.store.protocol import StoreUnavailable
from mock_server.store.redis_connection import PREFIX, SOCKET_TIMEOUT, describe

BASIS = f"{PREFIX}:basis"


def store_basis(url: str, seed: int | None) -> int:
    """The seed replicas build the fixtures from; StoreUnavailable when Redis does not answer."""
    import redis
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    client = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT)
    try:
        client.ping()
        if seed is not None:
            return seed
        client.set(BASIS, secrets.randbits(62), nx=True)
        return int(client.get(BASIS))  # type: ignore[arg-type]
    except (RedisConnectionError, RedisTimeoutError, OSError) as error:
        raise StoreUnavailable(f"the store {describe(url)} does not answer ({error}); start Redis first") from None
    finally:
        client.close()
