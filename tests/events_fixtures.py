"""Shared set-up for the event pipeline tests: the real worker loops as asyncio tasks, and seed data.

`Pipeline` starts `workers.scheduler.scheduler_process` and `workers.notifications.notifications_process`
(the same bodies `python -m workers.<name>` runs) inside the test's event loop, against PostgreSQL, Redis,
the bundled Kafka broker and the fake Bot API. `stop()` is the graceful path (like SIGTERM); `kill()`
cancels the task abruptly (like a crash: nothing more is committed).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from lunch_app import db
from lunch_app.clock import get_clock
from lunch_app.models import Cafe, Dispatch, DispatchStatus, Order, OrderStatus, Role, Schedule, User
from lunch_app.settings import get_settings
from tests.fakes.kafka import consumer_kwargs
from tests.office_fixtures import office_in, serve_in
from workers.notifications import notifications_process
from workers.runtime import WorkerContext
from workers.scheduler import scheduler_process

FAST_SENDER = {"base_delay": 0.05, "max_delay": 0.2}


@dataclass
class RunningWorker:
    ctx: WorkerContext
    task: asyncio.Task[None]


@dataclass
class Pipeline:
    workers: dict[str, RunningWorker] = field(default_factory=dict)

    def start_scheduler(self, name: str = "scheduler", *, relay: bool = True, tick: float = 0.1) -> None:
        ctx = WorkerContext(name=name, settings=get_settings())
        task = asyncio.create_task(scheduler_process(ctx, tick_seconds=tick, relay=relay))
        self.workers[name] = RunningWorker(ctx, task)

    def start_notifications(
        self, name: str = "notifications", *, relay: bool = False, sender: dict[str, Any] | None = None
    ) -> None:
        ctx = WorkerContext(name=name, settings=get_settings())
        task = asyncio.create_task(
            notifications_process(
                ctx,
                relay=relay,
                consumer_options=consumer_kwargs(),
                sender_options=sender if sender is not None else FAST_SENDER,
            )
        )
        self.workers[name] = RunningWorker(ctx, task)

    async def stop(self, name: str) -> None:
        worker = self.workers.pop(name)
        worker.ctx.stop.set()
        await asyncio.wait_for(worker.task, timeout=30)

    async def kill(self, name: str) -> None:
        worker = self.workers.pop(name)
        worker.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker.task

    async def close(self) -> None:
        for name in list(self.workers):
            with contextlib.suppress(Exception):
                await self.stop(name)


async def wait_until(check: Callable[[], Any], *, timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll an async or sync predicate until it returns something truthy (not a timing assertion: the
    timeout only bounds a hang)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def dispatches() -> dict[int, Dispatch]:
    async with db.session_scope() as s:
        rows = (await s.execute(sa.select(Dispatch).execution_options(populate_existing=True))).scalars().all()
        return {row.cafe_id: row for row in rows}


async def all_dispatches_done(count: int) -> bool:
    rows = await dispatches()
    return len(rows) == count and all(row.status != DispatchStatus.pending for row in rows.values())


# --- seed data -----------------------------------------------------------------------------------------


async def add_cafe(
    name: str,
    *,
    chat_id: int | None = None,
    notifications: bool = True,
    cutoff: time = time(11, 0),
    days_before: int = 0,
) -> int:
    async with db.session_scope() as s:
        cafe = Cafe(
            name=name,
            tg_chat_id=chat_id,
            tg_chat_title=f"Chat of {name}" if chat_id else None,
            notifications_enabled=notifications,
            linked_at=get_clock().utcnow() if chat_id else None,
        )
        s.add(cafe)
        await s.flush()
        assert cafe.id is not None
        await serve_in(s, cafe.id)
        for weekday in range(7):
            s.add(Schedule(cafe_id=cafe.id, weekday=weekday, cutoff_time=cutoff, cutoff_days_before=days_before))
        return cafe.id


async def add_users(
    first_tgid: int, count: int, *, name: str = "Сотрудник", office: str = "Офис 1", **fields: Any
) -> list[int]:
    async with db.session_scope() as s:
        for n in range(count):
            s.add(User(tgid=first_tgid + n, name=f"{name} {n}", office_id=await office_in(s, office), **fields))
    return [first_tgid + n for n in range(count)]


async def add_user(tgid: int, name: str, *, office: str = "Офис 1", **fields: Any) -> int:
    async with db.session_scope() as s:
        s.add(User(tgid=tgid, name=name, office_id=await office_in(s, office), **fields))
    return tgid


def order_lines(n: int) -> list[dict[str, Any]]:
    return [
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
            "options": {"Гарнир": "Рис" if n % 2 else "Пюре"},
        },
        {
            "kind": "item",
            "menu_item_id": 3,
            "name": "Морс",
            "category": "drink",
            "unit_price": "90.00",
            "quantity": 1 + n % 3,
            "options": {},
        },
    ]


async def add_orders(
    cafe_id: int,
    day: date,
    user_tgids: list[int],
    *,
    notes: str = "",
    status: OrderStatus = OrderStatus.placed,
    created_at: datetime | None = None,
) -> list[int]:
    """Orders inserted directly with a realistic snapshot (as `place_order` stores them)."""
    ids = []
    async with db.session_scope() as s:
        for n, tgid in enumerate(user_tgids):
            user = await s.get(User, tgid)
            lines = order_lines(n)
            total = Decimal("450.00") + Decimal("90.00") * lines[2]["quantity"]
            order = Order(
                user_tgid=tgid,
                user_name=user.name if user else f"user {tgid}",
                cafe_id=cafe_id,
                order_date=day,
                status=status,
                combo_id=None,
                combo_name="Бизнес-ланч",
                combo_price=Decimal("450.00"),
                lines=lines,
                notes=notes,
                total=total,
                created_at=created_at or get_clock().utcnow(),
            )
            s.add(order)
            await s.flush()
            ids.append(order.id)
    return ids


def past_cutoff(day: date, cutoff: time = time(11, 0)) -> datetime:
    """One minute after the cut-off of `day` in APP_TIMEZONE."""
    return datetime.combine(day, cutoff, tzinfo=get_settings().tz) + timedelta(minutes=1)


MANAGER_TGID = 7_000_000_900


async def add_manager() -> int:
    return await add_user(MANAGER_TGID, "Менеджер", role=Role.manager)
