"""The scheduler: cut-offs (once, even with two schedulers, with catch-up), the nightly task, the process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.domain.digest import due_cutoffs, process_cutoff
from lunch_app.models import Dispatch, DispatchStatus, Order, OrderStatus, OutboxEvent, Report, Schedule
from lunch_app.settings import get_settings
from tests.conftest import MSK, ROOT
from tests.events_fixtures import Pipeline, add_cafe, add_orders, add_users, past_cutoff, wait_until
from tests.office_fixtures import NSK, office
from workers.scheduler import queue_nightly_tasks, scheduler_tick

MONDAY = date(2026, 11, 30)


async def outbox(topic: str | None = None) -> list[OutboxEvent]:
    async with db.session_scope() as s:
        stmt = sa.select(OutboxEvent).order_by(OutboxEvent.id)
        if topic is not None:
            stmt = stmt.where(OutboxEvent.topic == topic)
        return list((await s.execute(stmt)).scalars())


async def order_statuses() -> dict[int, str]:
    async with db.session_scope() as s:
        rows = (await s.execute(sa.select(Order.id, Order.status))).all()
        return {order_id: status.value for order_id, status in rows}


async def test_cutoff_closes_each_cafe_day_once_with_report_dispatch_and_event(db_ready: MovableClock) -> None:
    clock = db_ready
    early = await add_cafe("Ранняя", cutoff=time(10, 0))
    late = await add_cafe("Поздняя", cutoff=time(12, 0))
    users = await add_users(7_100_000_000, 4)
    early_orders = await add_orders(early, MONDAY, users[:3])
    late_orders = await add_orders(late, MONDAY, users[3:])
    tomorrow = await add_orders(early, MONDAY + timedelta(days=1), users[:1])

    result = await scheduler_tick()
    assert result.cutoffs == []

    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=MSK))  # exactly the early cut-off
    result = await scheduler_tick()
    assert [(c.cafe_id, c.day, c.orders_sent) for c in result.cutoffs] == [(early, MONDAY, 3)]
    statuses = await order_statuses()
    assert {statuses[i] for i in early_orders} == {"sent"}
    assert {statuses[i] for i in late_orders + tomorrow} == {"placed"}

    async with db.session_scope() as s:
        report = (await s.execute(sa.select(Report).where(Report.cafe_id == early))).scalar_one()
        dispatch = (await s.execute(sa.select(Dispatch).where(Dispatch.cafe_id == early))).scalar_one()
    assert report.orders_count == 3 and report.date == MONDAY
    assert len(report.breakdown["people"]) == 3
    assert dispatch.status == DispatchStatus.pending and dispatch.date == MONDAY
    events = await outbox(get_settings().kafka_topic_deadlines)
    assert [e.payload["event_id"] for e in events] == [f"deadline:{early}:2026-11-30"]
    assert events[0].key == f"cafe:{early}"
    assert events[0].payload["type"] == "deadline.passed" and events[0].payload["date"] == "2026-11-30"

    # Nothing more on later ticks until the next cut-off.
    assert (await scheduler_tick()).cutoffs == []
    clock.set(past_cutoff(MONDAY, time(12, 0)))
    assert [(c.cafe_id, c.orders_sent) for c in (await scheduler_tick()).cutoffs] == [(late, 1)]
    assert len(await outbox(get_settings().kafka_topic_deadlines)) == 2


async def test_two_schedulers_racing_produce_one_dispatch_and_one_event_per_pair(db_ready: MovableClock) -> None:
    clock = db_ready
    cafes = [await add_cafe(f"Кафе {n}") for n in range(5)]
    users = await add_users(7_100_000_100, 10)
    for cafe_id in cafes:
        await add_orders(cafe_id, MONDAY, users)
    clock.set(past_cutoff(MONDAY))

    # Both see the same due pairs, then race on every pair.
    async with db.session_scope() as s:
        pairs = await due_cutoffs(s)
    assert len(pairs) == 5

    async def close_all() -> int:
        won = 0
        for cafe_id, day in pairs:
            async with db.session_scope() as s:
                won += (await process_cutoff(s, cafe_id=cafe_id, day=day)) is not None
        return won

    wins = await asyncio.gather(close_all(), close_all(), close_all())
    assert sum(wins) == 5
    # And two full scheduler loops running side by side change nothing more.
    results = await asyncio.gather(scheduler_tick(), scheduler_tick())
    assert results[0].cutoffs == [] and results[1].cutoffs == []

    async with db.session_scope() as s:
        assert (await s.execute(sa.select(sa.func.count()).select_from(Dispatch))).scalar() == 5
        assert (await s.execute(sa.select(sa.func.count()).select_from(Report))).scalar() == 5
    events = await outbox(get_settings().kafka_topic_deadlines)
    assert sorted(e.payload["cafe_id"] for e in events) == sorted(cafes)
    assert set((await order_statuses()).values()) == {"sent"}


async def test_two_scheduler_loops_concurrently(db_ready: MovableClock) -> None:
    clock = db_ready
    cafes = [await add_cafe(f"Кафе {n}") for n in range(8)]
    users = await add_users(7_100_000_200, 5)
    for cafe_id in cafes:
        await add_orders(cafe_id, MONDAY, users)
    pipeline = Pipeline()
    pipeline.start_scheduler("s1", relay=False, tick=0.02)
    pipeline.start_scheduler("s2", relay=False, tick=0.02)
    try:
        clock.set(past_cutoff(MONDAY))
        await wait_until(lambda: _count(Dispatch, 8), what="8 dispatches")
        await wait_until(lambda: _all_sent(), what="all orders sent")
        await asyncio.sleep(0.3)  # many more ticks of both schedulers
    finally:
        await pipeline.close()
    assert len(await outbox(get_settings().kafka_topic_deadlines)) == 8


async def _count(model: type, expected: int) -> bool:
    async with db.session_scope() as s:
        return (await s.execute(sa.select(sa.func.count()).select_from(model))).scalar() == expected


async def _all_sent() -> bool:
    return set((await order_statuses()).values()) == {"sent"}


async def test_catch_up_after_downtime_and_orders_without_schedule(db_ready: MovableClock) -> None:
    clock = db_ready
    cafe_id = await add_cafe("Кафе")
    users = await add_users(7_100_000_300, 3)
    await add_orders(cafe_id, MONDAY - timedelta(days=3), users[:1])  # cut-off passed days ago
    await add_orders(cafe_id, MONDAY, users[1:2])
    async with db.session_scope() as s:  # the schedule of Wednesday was deleted after ordering
        await s.execute(sa.delete(Schedule).where(Schedule.cafe_id == cafe_id, Schedule.weekday == 2))
    await add_orders(cafe_id, MONDAY + timedelta(days=2), users[2:])
    cancelled_only = await add_cafe("Только отмены")
    await add_orders(cancelled_only, MONDAY - timedelta(days=1), users[:1], status=OrderStatus.cancelled)

    result = await scheduler_tick()
    assert [(c.cafe_id, c.day) for c in result.cutoffs] == [(cafe_id, MONDAY - timedelta(days=3))]
    clock.set(past_cutoff(MONDAY))
    assert [c.day for c in (await scheduler_tick()).cutoffs] == [MONDAY]
    clock.set(datetime(2026, 12, 2, 0, 0, tzinfo=MSK))  # no schedule: the start of the day
    assert [c.day for c in (await scheduler_tick()).cutoffs] == [MONDAY + timedelta(days=2)]
    assert await _count(Dispatch, 3)  # the cancelled-only day has no digest


async def test_nightly_task_once_per_office_and_night_at_each_offices_03_00(db_ready: MovableClock) -> None:
    """03:00 in Novosibirsk is 23:00 in Moscow: each office's people get their tips run at their own 03:00, once,
    even with four schedulers ticking at the same moment."""
    clock = db_ready
    topic = get_settings().kafka_topic_daily_tasks
    msk, nsk = await office("Москва", timezone=MSK.key), await office("Новосибирск", timezone=NSK)

    async def tick() -> int:
        return sum(await asyncio.gather(*(queue_nightly_tasks(clock.now()) for _ in range(4))))

    clock.set(datetime(2026, 11, 30, 22, 59, tzinfo=MSK))  # 02:59 in Novosibirsk
    assert await tick() == 0
    clock.set(datetime(2026, 11, 30, 23, 0, tzinfo=MSK))  # 03:00 in Novosibirsk on 1 December
    assert await tick() == 1
    clock.set(datetime(2026, 12, 1, 2, 59, tzinfo=MSK))
    assert await tick() == 0
    clock.set(datetime(2026, 12, 1, 3, 0, tzinfo=MSK))
    assert await tick() == 1
    clock.set(datetime(2026, 12, 1, 5, 0, tzinfo=MSK))
    assert await tick() == 0
    clock.set(datetime(2026, 12, 2, 4, 0, tzinfo=MSK))  # started late the next night: 08:00 in Novosibirsk, still due
    assert await tick() == 2
    clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=MSK))  # the whole catch-up window missed everywhere
    assert await tick() == 0
    events = await outbox(topic)
    ids = [e.payload["event_id"] for e in events]
    assert ids[:2] == [f"nightly:{nsk}:2026-12-01", f"nightly:{msk}:2026-12-01"]
    assert sorted(ids[2:]) == sorted([f"nightly:{msk}:2026-12-02", f"nightly:{nsk}:2026-12-02"])
    assert all(e.payload["type"] == "generate_recommendations" for e in events)
    assert [(e.payload["office_id"], e.payload["date"], e.key) for e in events[:2]] == [
        (nsk, "2026-12-01", f"nightly:{nsk}"),
        (msk, "2026-12-01", f"nightly:{msk}"),
    ]


def _worker_env(health_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"HEALTH_DIR": str(health_dir), "LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)})
    return env


async def test_scheduler_process_catches_up_reports_health_and_stops_on_sigterm(
    db_ready: MovableClock, kafka, tmp_path: Path
) -> None:
    # The subprocess runs on the real clock: give it a day whose cut-off passed long ago.
    real_today = datetime.now(MSK).date()
    cafe_id = await add_cafe("Кафе")
    users = await add_users(7_100_000_400, 2)
    await add_orders(cafe_id, real_today - timedelta(days=2), users)
    proc = subprocess.Popen(
        [sys.executable, "-m", "workers.scheduler"],
        cwd=ROOT,
        env=_worker_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        await wait_until(lambda: (tmp_path / "scheduler").exists() or proc.poll() is not None, what="health file")
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        await wait_until(lambda: _count(Dispatch, 1), what="the dispatch")
        await wait_until(lambda: _published_all(), what="the relay to publish the deadline event")
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert code == 0, stderr
    assert not (tmp_path / "scheduler").exists()
    assert '"msg": "stop requested"' in stderr and '"msg": "worker stopped"' in stderr
    assert '"msg": "cut-off processed"' in stderr


async def _published_all() -> bool:
    events = await outbox()
    return bool(events) and all(e.published_at is not None for e in events)


def test_bad_configuration_is_a_clear_start_up_error(tmp_path: Path) -> None:
    env = _worker_env(tmp_path)
    env["APP_TIMEZONE"] = "Mars/Olympus"
    done = subprocess.run(
        [sys.executable, "-m", "workers.scheduler"], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 2
    assert "APP_TIMEZONE" in done.stderr.decode() and "Traceback" not in done.stderr.decode()
