"""SPEC §11 scenario 11: nightly recommendations through google-genai against the Gemini stand-in over HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

from lunch_app import db
from lunch_app.ai.gemini import GeminiGenerator, key_id
from lunch_app.clock import MovableClock
from lunch_app.domain.errors import Conflict
from lunch_app.domain.recommendations import (
    AllKeysExhausted,
    GenerationFailed,
    cached_tips,
    generate_now,
    run_batch,
)
from lunch_app.models import Cafe, Order, OrderStatus, User
from lunch_app.settings import load_settings
from tests.fakes.gemini import FakeGemini
from tests.office_fixtures import office_in


@pytest.fixture
async def gemini() -> AsyncIterator[FakeGemini]:
    async with FakeGemini() as fake:
        yield fake


def generator(fake: FakeGemini, redis: object, keys: str = "key-1,key-2", per_key: int = 100) -> GeminiGenerator:
    settings = load_settings(gemini_api_keys=keys, gemini_base_url=fake.base_url, gemini_max_requests_per_key=per_key)
    return GeminiGenerator(settings, redis)  # type: ignore[arg-type]


async def seed_users(count: int, *, orders_each: int = 5) -> list[int]:
    tgids = [8_000_000_000 + n for n in range(count)]
    async with db.session_scope() as s:
        s.add(Cafe(id=1, name="Кафе"))
        for tgid in tgids:
            s.add(User(tgid=tgid, name=f"Секретное Имя {tgid}", office_id=await office_in(s), language="ru"))
        await s.flush()
        for tgid in tgids:
            for n in range(orders_each):
                s.add(
                    Order(
                        user_tgid=tgid,
                        user_name=f"Секретное Имя {tgid}",
                        cafe_id=1,
                        order_date=date(2026, 11, 27) - timedelta(days=n),
                        status=OrderStatus.sent,
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
                        ],
                        total=Decimal("5.00"),
                    )
                )
    return tgids


async def test_eligible_users_get_cached_tips_and_only_dishes_are_sent(
    db_ready: MovableClock, redis_client: object, gemini: FakeGemini
) -> None:
    eligible = await seed_users(3)
    async with db.session_scope() as s:  # not eligible: 4 orders
        s.add(User(tgid=42, name="Мало заказов", office_id=await office_in(s)))
    result = await run_batch(db.session_factory(), redis_client, generator(gemini, redis_client), concurrency=4)  # type: ignore[arg-type]
    assert (result.eligible, result.generated, result.failed, result.stopped_exhausted) == (3, 3, 0, False)
    for tgid in eligible:
        tips = await cached_tips(redis_client, user_tgid=tgid)  # type: ignore[arg-type]
        assert tips is not None and len(tips.tips) == 2 and tips.summary
        assert 0 < await redis_client.ttl(f"reco:tips:{tgid}") <= 24 * 3600  # type: ignore[attr-defined]
    assert await cached_tips(redis_client, user_tgid=42) is None  # type: ignore[arg-type]
    calls = gemini.calls()
    assert len(calls) == 3
    for call in calls:
        assert "Борщ" in call.prompt and "soup" in call.prompt
        assert "Секретное" not in json.dumps(call.body, ensure_ascii=False)
        assert call.body["generationConfig"]["responseMimeType"] == "application/json"


async def test_rotation_on_429_and_invalid_keys_skipped(
    db_ready: MovableClock, redis_client: object, gemini: FakeGemini
) -> None:
    await seed_users(4)
    gemini.fail("key-1", 429)
    gemini.fail("key-2", 400)  # API_KEY_INVALID
    gen = generator(gemini, redis_client, keys="key-1,key-2,key-3")
    result = await run_batch(db.session_factory(), redis_client, gen, concurrency=1)
    assert (result.generated, result.failed) == (4, 0)
    # key-1 was tried once (then spent for the day), key-2 once (then skipped for 24 h), key-3 served all.
    assert [len(gemini.calls(k)) for k in ("key-1", "key-2", "key-3")] == [1, 1, 4]
    assert await gen.pool.used("key-1") == 100
    assert await redis_client.exists(f"gemini:invalid:{key_id('key-2')}")  # type: ignore[attr-defined]


async def test_all_keys_exhausted_stops_the_batch(
    db_ready: MovableClock, redis_client: object, gemini: FakeGemini
) -> None:
    await seed_users(10)
    gen = generator(gemini, redis_client, keys="key-1,key-2", per_key=2)
    result = await run_batch(db.session_factory(), redis_client, gen, concurrency=3)
    assert result.generated == 4 and result.stopped_exhausted and result.skipped == 6
    assert len(gemini.calls()) == 4  # never more than the daily budget
    with pytest.raises(AllKeysExhausted) as caught:
        await gen.generate({"top_dishes": []}, language="ru")
    assert "недоступны" in caught.value.message("ru")


async def test_bad_answers_are_not_cached(db_ready: MovableClock, redis_client: object, gemini: FakeGemini) -> None:
    tgids = await seed_users(3)
    gemini.bad_answer()
    result = await run_batch(db.session_factory(), redis_client, generator(gemini, redis_client), concurrency=2)
    assert (result.generated, result.failed) == (0, 3)
    gemini.answer({"summary": "ok", "tips": ["only one"]})  # schema-valid JSON but too few tips
    gemini.fail("key-2", 500)
    result = await run_batch(db.session_factory(), redis_client, generator(gemini, redis_client), concurrency=2)
    assert (result.generated, result.failed) == (0, 3)
    for tgid in tgids:
        assert await cached_tips(redis_client, user_tgid=tgid) is None  # type: ignore[arg-type]


async def test_generate_now_is_rate_limited_and_failures_do_not_use_the_hour(
    db_ready: MovableClock, redis_client: object, gemini: FakeGemini
) -> None:
    (tgid,) = await seed_users(1)
    gen = generator(gemini, redis_client)
    gemini.fail(None, 500)
    with pytest.raises(GenerationFailed):
        async with db.session_scope() as s:
            await generate_now(s, redis_client, gen, user_tgid=tgid, language="en")  # type: ignore[arg-type]
    gemini.reset()
    async with db.session_scope() as s:
        tips = await generate_now(s, redis_client, gen, user_tgid=tgid, language="en")  # type: ignore[arg-type]
    assert tips.tips and "English" in gemini.calls()[-1].prompt
    with pytest.raises(Conflict) as caught:
        async with db.session_scope() as s:
            await generate_now(s, redis_client, gen, user_tgid=tgid, language="en")  # type: ignore[arg-type]
    assert caught.value.key == "error.reco.rate_limited"
    async with db.session_scope() as s:
        s.add(User(tgid=43, name="Новичок", office_id=await office_in(s)))
    with pytest.raises(Conflict) as caught:
        async with db.session_scope() as s:
            await generate_now(s, redis_client, gen, user_tgid=43, language="ru")  # type: ignore[arg-type]
    assert caught.value.key == "error.reco.not_enough_orders"


async def test_no_keys_means_the_feature_is_off(redis_client: object) -> None:
    assert GeminiGenerator(load_settings(gemini_api_keys=""), redis_client).enabled is False  # type: ignore[arg-type]
    assert GeminiGenerator(load_settings(gemini_api_keys="k"), redis_client).enabled is True  # type: ignore[arg-type]
