"""Recommendation eligibility, stats and the Redis key pool (no Gemini involved)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from lunch_app import db
from lunch_app.ai.gemini import KeyPool, key_id
from lunch_app.clock import MovableClock
from lunch_app.domain.recommendations import AllKeysExhausted, eligible_users, user_stats
from lunch_app.models import Cafe, Order, OrderStatus, User
from tests.office_fixtures import office_in


async def _orders(tgid: int, count: int, *, days_ago_start: int = 1, status: OrderStatus = OrderStatus.sent) -> None:
    async with db.session_scope() as s:
        for n in range(count):
            s.add(
                Order(
                    user_tgid=tgid,
                    user_name="x",
                    cafe_id=1,
                    order_date=date(2026, 11, 30) - timedelta(days=days_ago_start + n),
                    status=status,
                    lines=[
                        {
                            "kind": "item",
                            "menu_item_id": 1,
                            "name": "Борщ",
                            "category": "soup",
                            "unit_price": "5.00",
                            "quantity": 1,
                            "options": {},
                        },
                        {
                            "kind": "item",
                            "menu_item_id": 2,
                            "name": f"Котлета {n % 2}",
                            "category": "main",
                            "unit_price": "5.00",
                            "quantity": 1,
                            "options": {},
                        },
                    ],
                    total=Decimal("10.00"),
                )
            )


async def test_eligibility_needs_five_live_orders_in_30_days(db_ready: MovableClock) -> None:
    async with db.session_scope() as s:
        s.add(Cafe(id=1, name="Кафе"))
        for tgid, active in ((1, True), (2, True), (3, True), (4, False)):
            s.add(
                User(
                    tgid=tgid,
                    name=f"u{tgid}",
                    office_id=await office_in(s),
                    is_active=active,
                    language="en" if tgid == 2 else "ru",
                )
            )
    await _orders(1, 5)
    await _orders(2, 6)
    await _orders(3, 4)
    await _orders(3, 3, status=OrderStatus.cancelled, days_ago_start=10)
    await _orders(3, 2, days_ago_start=31)  # too old
    await _orders(4, 9)  # inactive
    async with db.session_scope() as s:
        assert await eligible_users(s) == [(1, "ru"), (2, "en")]
        stats = await user_stats(s, user_tgid=1)
    assert stats.order_count == 5
    assert stats.unique_dishes == 3
    assert stats.top_dishes[0] == ("Борщ", 5)
    assert stats.category_share == {"soup": 0.5, "main": 0.5}
    facts = stats.prompt_facts()
    assert "u1" not in str(facts)  # no names of people, only dishes and categories


async def test_key_pool_counts_atomically_across_clients(redis_client: object, db_ready: MovableClock) -> None:
    import redis.asyncio as aioredis

    from lunch_app.settings import get_settings

    # Two independent connections stand for two processes sharing the budget.
    clients = [aioredis.from_url(get_settings().redis_url) for _ in range(2)]
    pools = [KeyPool(c, ["key-a", "key-b"], max_per_key=30) for c in clients]

    async def take(pool: KeyPool) -> str | None:
        try:
            return await pool.acquire()
        except AllKeysExhausted:
            return None

    results = await asyncio.gather(*(take(pools[n % 2]) for n in range(100)))
    assert results.count("key-a") == 30 and results.count("key-b") == 30 and results.count(None) == 40
    assert await pools[0].used("key-a") == 30
    # Nothing about the key itself is stored in Redis.
    keys = [k.decode() for k in await clients[0].keys("gemini:*")]
    assert all("key-a" not in k for k in keys) and any(key_id("key-a") in k for k in keys)
    # A new day in APP_TIMEZONE starts a new budget.
    db_ready.advance(timedelta(days=1))
    assert await pools[0].acquire() == "key-a"
    for c in clients:
        await c.aclose()


async def test_key_pool_skips_invalid_and_exhausted_keys(redis_client: object, db_ready: MovableClock) -> None:
    pool = KeyPool(redis_client, ["k1", "k2", "k3"], max_per_key=5)  # type: ignore[arg-type]
    await pool.mark_invalid("k1")
    assert await pool.acquire() == "k2"
    await pool.mark_exhausted("k2")
    assert await pool.acquire() == "k3"
    with pytest.raises(AllKeysExhausted):
        await pool.acquire(skip={"k3"})  # k1 invalid, k2 spent, k3 already tried
    await pool.mark_exhausted("k3")
    with pytest.raises(AllKeysExhausted):
        await pool.acquire()
    # An invalid key stays skipped for 24 hours, even on a new day.
    db_ready.advance(timedelta(days=1))
    assert await pool.acquire() == "k2"
    assert 0 < await redis_client.ttl(f"gemini:invalid:{key_id('k1')}") <= 24 * 3600  # type: ignore[attr-defined]
