"""Cut-off to the last digest message: 50 cafes × 100 orders through the real pipeline.

    python -m bench.digests [--cafes 50] [--orders 100] [--tick 2.0]

The scheduler and notifications worker bodies (`workers.scheduler.scheduler_process`,
`workers.notifications.notifications_process`, each with its outbox relay, default tick and sender
settings) run in this process against a fresh PostgreSQL database, Redis, the bundled Kafka-protocol
broker and the Telegram Bot API stand-in. After the consumer has joined its group, the clock is moved
one minute past the cut-off of every cafe; the figure is the time from that moment to the last digest
message the stand-in received (every dispatch `sent`). Target: ≤ 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from datetime import time as dtime
from decimal import Decimal
from zoneinfo import ZoneInfo

import uvloop

from bench.common import ROOT, fresh_database

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 11, 30, 9, 0, tzinfo=MSK)  # Monday
CUTOFF = dtime(11, 0)


async def _seed(cafes: int, orders: int) -> list[int]:
    import sqlalchemy as sa

    from lunch_app import db
    from lunch_app.models import Cafe, CafeOffice, Office, Order, Schedule, User

    chats = []
    async with db.session_scope() as s:
        offices = [
            Office(name=f"Офис {n + 1}", address=f"ул. Лесная, {n + 1}", working_weekdays=list(range(7)))
            for n in range(3)
        ]
        s.add_all(offices)
        await s.flush()
        s.add_all(
            User(tgid=20_000_000_000 + n, name=f"Сотрудник {n}", office_id=offices[n % 3].id or 0)
            for n in range(orders)
        )
        await s.flush()
        for c in range(cafes):
            chat = -100_000_000_000 - c
            cafe = Cafe(name=f"Кафе {c}", tg_chat_id=chat, tg_chat_title=f"Кухня {c}")
            s.add(cafe)
            await s.flush()
            assert cafe.id is not None
            s.add_all(CafeOffice(cafe_id=cafe.id, office_id=office.id or 0) for office in offices)
            chats.append(chat)
            s.add_all(Schedule(cafe_id=cafe.id, weekday=w, cutoff_time=CUTOFF) for w in range(7))
            rows = []
            for n in range(orders):
                rows.append(
                    {
                        "user_tgid": 20_000_000_000 + n,
                        "user_name": f"Сотрудник {n}",
                        "cafe_id": cafe.id,
                        "order_date": START.date(),
                        "status": "placed",
                        "combo_name": "Бизнес-ланч",
                        "combo_price": Decimal("450.00"),
                        "lines": [
                            {
                                "kind": "combo_dish",
                                "menu_item_id": 1,
                                "name": "Борщ",
                                "category": "soup",
                                "unit_price": "0.00",
                                "quantity": 1,
                                "options": {"Порция": "большая"},
                            },
                            {
                                "kind": "combo_dish",
                                "menu_item_id": 2,
                                "name": "Котлета",
                                "category": "main",
                                "unit_price": "0.00",
                                "quantity": 1,
                                "options": {"Гарнир": "Пюре" if n % 2 else "Рис"},
                            },
                            {
                                "kind": "combo_dish",
                                "menu_item_id": 3,
                                "name": "Оливье",
                                "category": "salad",
                                "unit_price": "0.00",
                                "quantity": 1,
                                "options": {},
                            },
                            {
                                "kind": "item",
                                "menu_item_id": 4,
                                "name": "Морс",
                                "category": "drink",
                                "unit_price": "90.00",
                                "quantity": 2,
                                "options": {"Лёд": "Нет"},
                            },
                        ],
                        "notes": "Без лука, пожалуйста" if n % 4 == 0 else "",
                        "total": Decimal("630.00"),
                        "created_at": START,
                        "updated_at": START,
                    }
                )
            await s.execute(sa.insert(Order), rows)  # type: ignore[arg-type]
    return chats


async def main(url: str, cafes: int, orders: int, tick: float) -> None:
    import sqlalchemy as sa

    from lunch_app import db
    from lunch_app.clock import MovableClock, set_clock
    from lunch_app.events.outbox import notify
    from lunch_app.models import Dispatch, DispatchStatus
    from lunch_app.settings import get_settings, reset_settings_cache
    from tests.fakes.kafka import KafkaBroker
    from tests.fakes.telegram import FakeBotAPI
    from workers.runtime import WorkerContext
    from workers.scheduler import scheduler_process

    broker = KafkaBroker()
    await broker.astart()
    fake = FakeBotAPI()
    await fake.start()
    suffix = uuid.uuid4().hex[:8]
    os.environ.update(
        {
            "DATABASE_URL": url,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "KAFKA_TOPIC_DEADLINES": f"bench.deadlines.{suffix}",
            "KAFKA_TOPIC_NOTIFICATIONS": f"bench.notifications.{suffix}",
            "KAFKA_TOPIC_DAILY_TASKS": f"bench.daily.{suffix}",
            "KAFKA_CONSUMER_GROUP": f"bench.{suffix}",
            "TELEGRAM_API_BASE": fake.base_url,
            "HEALTH_DIR": tempfile.mkdtemp(prefix="bench-health-"),
        }
    )
    reset_settings_cache()
    clock = MovableClock(START)
    set_clock(clock)
    db.configure(url=url)
    chats = await _seed(cafes, orders)
    print(f"digests: {cafes} cafes × {orders} orders, scheduler tick {tick} s")

    settings = get_settings()
    scheduler = WorkerContext(name="scheduler", settings=settings)
    tasks = [asyncio.create_task(scheduler_process(scheduler, tick_seconds=tick))]
    # The notifications worker is the real process, as in production (it needs no movable clock).
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers.notifications"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    try:
        # Warm-up: a notice through the whole pipeline, so the consumer has joined before the clock moves.
        async with db.session_scope() as s:
            notify(s, template="link_approved", params={"cafe_name": "warm-up"}, chat_id=-1)
        await fake.wait_for("sendMessage", 1, timeout=120)

        started_wall = time.time()
        started = time.perf_counter()
        clock.set(datetime.combine(START.date(), CUTOFF, tzinfo=MSK).replace(minute=1))
        closed_at = 0.0
        while True:
            async with db.session_scope() as s:
                done, rows = (
                    await s.execute(
                        sa.select(
                            sa.func.count().filter(Dispatch.status != DispatchStatus.pending), sa.func.count()
                        ).select_from(Dispatch)
                    )
                ).one()
            if rows == cafes and not closed_at:
                closed_at = time.perf_counter()
            if done == cafes:
                break
            if time.perf_counter() - started > 300:
                raise SystemExit(f"only {done}/{cafes} digests after 300 s")
            await asyncio.sleep(0.02)
        digest_calls = [c for c in fake.calls("sendMessage") if c.ok and c.params.get("chat_id") in set(chats)]
        last = max(c.time for c in digest_calls)
        async with db.session_scope() as s:
            statuses = (await s.execute(sa.select(Dispatch.status, sa.func.count()).group_by(Dispatch.status))).all()
        per_cafe = len(digest_calls) / cafes
        print(f"  dispatches: {dict((str(k), v) for k, v in statuses)}")
        print(f"  messages: {len(digest_calls)} ({per_cafe:.1f} parts per cafe)")
        first = min(c.time for c in digest_calls)
        print(
            f"  every cut-off processed at {closed_at - started:.2f} s, first digest message at "
            f"{first - started_wall:.2f} s"
        )
        print(f"  cut-off → last digest message: {last - started_wall:.2f} s  (target ≤ 5 s)")
    finally:
        scheduler.stop.set()
        worker.send_signal(signal.SIGTERM)
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(worker.wait, 60)
        await fake.stop()
        broker.close()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cafes", type=int, default=50)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--tick", type=float, default=1.0, help="scheduler tick in seconds (the default)")
    args = parser.parse_args()
    os.environ.update(LOG_LEVEL="WARNING", DATABASE_POOL_SIZE="30", ENVIRONMENT="test")
    with fresh_database("lunch_bench_digests") as database_url:
        uvloop.run(main(database_url, args.cafes, args.orders, args.tick))
