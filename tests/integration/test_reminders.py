"""SPEC §11 scenario 9: a reminder goes once to the right people, not to those who ordered or opted out."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.models import OrderStatus, OutboxEvent, Reminder
from lunch_app.settings import get_settings
from tests.conftest import MSK
from tests.events_fixtures import Pipeline, add_cafe, add_orders, add_user
from tests.fakes.telegram import FakeBotAPI
from workers.scheduler import scheduler_tick

MONDAY = date(2026, 11, 30)
A, B, C, D, E, F, G, H = (7_950_000_000 + n for n in range(8))


async def seed(clock: MovableClock) -> tuple[int, int]:
    cafe = await add_cafe("Кафе", cutoff=time(11, 0))
    other = await add_cafe("Другое", cutoff=time(15, 0))
    now = clock.utcnow()
    await add_user(A, "A: ordered 10 days ago")
    await add_user(B, "B: already ordered today")
    await add_user(C, "C: reminders off", reminders_enabled=False)
    await add_user(D, "D: inactive", is_active=False)
    await add_user(E, "E: other cafe only")
    await add_user(F, "F: ordered 40 days ago")
    await add_user(G, "G: only a cancelled order")
    await add_user(H, "H: cancelled today's order", language="en")
    recent = now - timedelta(days=10)
    past_day = MONDAY - timedelta(days=10)
    await add_orders(cafe, past_day, [A, B, C, D, H], status=OrderStatus.confirmed, created_at=recent)
    await add_orders(other, past_day, [E], status=OrderStatus.confirmed, created_at=recent)
    await add_orders(
        cafe, MONDAY - timedelta(days=40), [F], status=OrderStatus.confirmed, created_at=now - timedelta(days=40)
    )
    await add_orders(cafe, past_day + timedelta(days=1), [G], status=OrderStatus.cancelled, created_at=recent)
    await add_orders(cafe, MONDAY, [B])
    await add_orders(cafe, MONDAY, [H], status=OrderStatus.cancelled)
    return cafe, other


async def reminder_events() -> list[OutboxEvent]:
    async with db.session_scope() as s:
        rows = (
            await s.execute(
                sa.select(OutboxEvent)
                .where(OutboxEvent.topic == get_settings().kafka_topic_notifications)
                .order_by(OutboxEvent.id)
            )
        ).scalars()
        return [row for row in rows if row.payload.get("template") == "reminder"]


async def test_reminders_go_once_to_exactly_the_right_people(db_ready: MovableClock) -> None:
    clock = db_ready
    cafe, other = await seed(clock)

    clock.set(datetime(2026, 11, 30, 10, 29, tzinfo=MSK))  # 31 minutes before: not yet
    assert (await scheduler_tick()).reminders == 0

    clock.set(datetime(2026, 11, 30, 10, 30, tzinfo=MSK))
    results = await asyncio.gather(scheduler_tick(), scheduler_tick(), scheduler_tick())
    assert sum(r.reminders for r in results) == 2
    events = await reminder_events()
    assert sorted(e.payload["user_tgid"] for e in events) == [A, H]
    assert events[0].payload["params"] == {"cafe_id": cafe, "cafe": "Кафе", "date": "2026-11-30", "cutoff": "11:00"}

    clock.set(datetime(2026, 11, 30, 10, 59, tzinfo=MSK))
    assert (await scheduler_tick()).reminders == 0
    clock.set(datetime(2026, 11, 30, 14, 30, tzinfo=MSK))  # the other cafe's window: E only
    assert (await scheduler_tick()).reminders == 1
    events = await reminder_events()
    assert [(e.payload["user_tgid"], e.payload["params"]["cafe_id"]) for e in events][-1] == (E, other)

    async with db.session_scope() as s:
        rows = (await s.execute(sa.select(Reminder.user_tgid, Reminder.cafe_id, Reminder.date))).all()
    assert sorted(rows) == sorted([(A, cafe, MONDAY), (H, cafe, MONDAY), (E, other, MONDAY)])


async def test_a_scheduler_that_missed_the_window_sends_no_late_reminders(db_ready: MovableClock) -> None:
    clock = db_ready
    await seed(clock)
    clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=MSK))  # at the cut-off: the day is closed
    assert (await scheduler_tick()).reminders == 0
    assert await reminder_events() == []


async def test_reminders_arrive_in_telegram_with_the_mini_app_button(
    db_ready: MovableClock, kafka: Any, fake_telegram: FakeBotAPI, redis_client: Any
) -> None:
    clock = db_ready
    await seed(clock)
    pipeline = Pipeline()
    pipeline.start_scheduler("scheduler-1")
    pipeline.start_scheduler("scheduler-2")
    pipeline.start_notifications()
    try:
        clock.set(datetime(2026, 11, 30, 10, 35, tzinfo=MSK))
        calls = await fake_telegram.wait_for("sendMessage", 2)
        await asyncio.sleep(0.5)  # a few more ticks of both schedulers
    finally:
        await pipeline.close()
    calls = fake_telegram.calls("sendMessage")
    assert sorted(c.params["chat_id"] for c in calls) == [A, H]
    by_chat = {c.params["chat_id"]: c for c in calls}
    assert "Вы ещё не заказали обед в «Кафе» на 30.11.2026" in by_chat[A].params["text"]
    assert "You have not ordered lunch at “Кафе” for 2026-11-30" in by_chat[H].params["text"]
    button = by_chat[A].params["reply_markup"]["inline_keyboard"][0][0]
    assert button["web_app"]["url"] == get_settings().telegram_mini_app_url
