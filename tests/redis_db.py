"""A Redis database of this run's own, so parallel test and benchmark runs on one machine never flush each other.

The machine's Redis is shared by every run (other checkouts, CI, a developer's `scripts/run.sh`, which uses
database 0). A run claims a free database number among 1–15 with `SET NX` on a claim key in database 0 and
releases it when the process exits; only the claimant ever flushes that database. A claim of a run that died
without releasing it expires after CLAIM_SECONDS.
"""

from __future__ import annotations

import atexit
import os
import socket

CLAIM_KEY = "lunch-bot:redis-db-claim:{number}"
CLAIM_SECONDS = 4 * 3600
DATABASES = range(1, 16)
REDIS_HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("TEST_REDIS_PORT", "6379"))


class NoFreeRedisDatabase(RuntimeError):
    pass


def claim_redis_url(purpose: str) -> str:
    """The URL of a Redis database claimed for this process (released at exit)."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
    owner = f"{socket.gethostname()}:{os.getpid()}:{purpose}"
    try:
        for number in DATABASES:
            key = CLAIM_KEY.format(number=number)
            if client.set(key, owner, nx=True, ex=CLAIM_SECONDS):
                atexit.register(_release, key, owner)
                return f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    finally:
        client.close()
    raise NoFreeRedisDatabase(f"every Redis database 1–15 is claimed by another run (keys {CLAIM_KEY})")


def _release(key: str, owner: str) -> None:
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
    try:
        if client.get(key) == owner.encode():
            client.delete(key)
    finally:
        client.close()
