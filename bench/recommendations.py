"""Time for the nightly recommendations batch: 1,000 eligible users against the Gemini stand-in.

    python -m bench.recommendations [--users 1000] [--latency 0.25] [--concurrency 16]

Everything is real except Google: PostgreSQL for the stats, Redis for the key pool and the cache,
google-genai over HTTP to a local stand-in that answers after `--latency` seconds. Target: ≤ 60 s.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import uvloop

from bench.common import fresh_database
from tests.redis_db import claim_redis_url

USER_BASE = 9_000_000_000


async def _seed(users: int) -> None:
    from lunch_app import db
    from lunch_app.models import Cafe, Office, Order, OrderStatus, User

    dishes = [("Борщ", "soup"), ("Цезарь", "salad"), ("Плов", "main"), ("Гречка", "side"), ("Морс", "drink")]
    async with db.session_scope() as s:
        s.add(Cafe(id=1, name="Столовая"))
        s.add(Office(id=1, name="Офис"))
        await s.flush()
        s.add_all(User(tgid=USER_BASE + n, name=f"Сотрудник {n}", office_id=1) for n in range(users))
        await s.flush()
        for n in range(users):
            for day in range(6):
                name, category = dishes[(n + day) % len(dishes)]
                line = {
                    "kind": "item",
                    "menu_item_id": 1,
                    "name": name,
                    "category": category,
                    "unit_price": "300.00",
                    "quantity": 1,
                    "options": {},
                }
                s.add(
                    Order(
                        user_tgid=USER_BASE + n,
                        user_name="x",
                        cafe_id=1,
                        status=OrderStatus.sent,
                        order_date=date(2026, 11, 27) - timedelta(days=day),
                        lines=[line],
                        total=Decimal("300.00"),
                    )
                )


async def main(url: str, users: int, latency: float, concurrency: int) -> None:
    import redis.asyncio as aioredis

    from lunch_app import db
    from lunch_app.ai.gemini import GeminiGenerator
    from lunch_app.clock import MovableClock, set_clock
    from lunch_app.domain.recommendations import run_batch
    from lunch_app.settings import load_settings
    from tests.fakes.gemini import FakeGemini

    set_clock(MovableClock(datetime(2026, 11, 30, 3, 0, tzinfo=ZoneInfo("Europe/Moscow"))))
    db.configure(url=url)
    await _seed(users)
    redis = aioredis.from_url(os.environ.get("BENCH_REDIS_URL") or claim_redis_url("bench-recommendations"))
    await redis.flushdb()
    async with FakeGemini() as fake:
        fake.set_latency(latency)
        settings = load_settings(
            gemini_api_keys="bench-key-1,bench-key-2,bench-key-3",
            gemini_base_url=fake.base_url,
            gemini_max_requests_per_key=users,
        )
        generator = GeminiGenerator(settings, redis)
        started = time.perf_counter()
        result = await run_batch(db.session_factory(), redis, generator, concurrency=concurrency)
        elapsed = time.perf_counter() - started
    cached = len(await redis.keys("reco:tips:*"))
    print(
        f"recommendations batch: {result.eligible} eligible users, Gemini stand-in latency {latency * 1000:.0f} ms,"
        f" concurrency {concurrency}"
    )
    print(
        f"  {elapsed:6.1f} s total  ({result.generated / elapsed:6.1f} users/s)  generated {result.generated}"
        f"  failed {result.failed}  cached {cached}  (target ≤ 60 s)"
    )
    await redis.flushdb()
    await redis.aclose()
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    os.environ.update(LOG_LEVEL="WARNING", DATABASE_POOL_SIZE=str(max(10, args.concurrency)))
    with fresh_database("lunch_bench_reco") as database_url:
        uvloop.run(main(database_url, args.users, args.latency, args.concurrency))
