"""Orders per second and latency of `place_order` through the domain layer on PostgreSQL.

    python -m bench.orders [--orders 2000] [--processes 1 2]

For each concurrency (1, 20, 100 simultaneous users) every user places orders back to back for its own
accounts (a combo plus two à-la-carte lines with options, weekly limit set), each in its own transaction,
as the Mini App does. The users run in one process, and then spread over 2 processes as the app runs in
production (GRANIAN_WORKERS=2). Prints orders/s and p50/p95 latency. Target on the 2-core machine:
≥ 200 orders/s and p95 ≤ 50 ms at 20 concurrent users.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from datetime import time as dtime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import uvloop

from bench.common import fresh_database, summary


async def _seed(users: int) -> dict[str, int]:
    from lunch_app import db
    from lunch_app.models import Cafe, CafeOffice, Category, Combo, MenuItem, MenuItemOption, Office, Schedule, User

    async with db.session_scope() as s:
        office = Office(name="Офис", working_weekdays=list(range(7)))  # open every day, like the schedule below
        cafe = Cafe(name="Бенчмарк")
        s.add_all([office, cafe])
        await s.flush()
        assert cafe.id is not None and office.id is not None
        s.add(CafeOffice(cafe_id=cafe.id, office_id=office.id))
        for weekday in range(7):
            s.add(Schedule(cafe_id=cafe.id, weekday=weekday, cutoff_time=dtime(23, 59)))
        items = {
            "soup": MenuItem(cafe_id=cafe.id, name="Борщ", category=Category.soup, price=Decimal("250.00")),
            "main": MenuItem(cafe_id=cafe.id, name="Котлета", category=Category.main, price=Decimal("320.00")),
            "salad": MenuItem(cafe_id=cafe.id, name="Оливье", category=Category.salad, price=Decimal("180.00")),
            "drink": MenuItem(cafe_id=cafe.id, name="Морс", category=Category.drink, price=Decimal("90.00")),
        }
        s.add_all(items.values())
        combo = Combo(
            cafe_id=cafe.id, name="Бизнес-ланч", categories=["soup", "main", "salad"], price=Decimal("450.00")
        )
        s.add(combo)
        await s.flush()
        s.add(MenuItemOption(menu_item_id=items["main"].id, name="Гарнир", values=["Пюре", "Рис"], is_required=True))
        s.add(MenuItemOption(menu_item_id=items["drink"].id, name="Лёд", values=["Да", "Нет"]))
        for n in range(users):
            s.add(
                User(
                    tgid=10_000_000_000 + n,
                    name=f"Сотрудник {n}",
                    office_id=office.id,
                    weekly_limit=Decimal("100000.00"),
                )
            )
        ids = {name: item.id for name, item in items.items()}
        return {"cafe": cafe.id, "combo": combo.id or 0, **ids}  # type: ignore[dict-item]


async def _run(
    concurrency: int, orders: int, ids: dict[str, int], user_base: int, rate: float | None = None
) -> tuple[float, list[float], int]:
    """`concurrency` users place `orders` orders: back to back, or paced to `rate` orders/s in total
    (then latency is measured from each order's scheduled start, so falling behind counts)."""
    from lunch_app import db
    from lunch_app.domain.errors import DomainError
    from lunch_app.domain.orders import place_order

    draft = {
        "cafe_id": ids["cafe"],
        "order_date": "2026-12-01",
        "combo": {
            "combo_id": ids["combo"],
            "dishes": [
                {"menu_item_id": ids["soup"]},
                {"menu_item_id": ids["main"], "options": {"Гарнир": "Рис"}},
                {"menu_item_id": ids["salad"]},
            ],
        },
        "items": [{"menu_item_id": ids["drink"], "quantity": 2, "options": {"Лёд": "Нет"}}],
        "notes": "Без хлеба",
    }
    latencies: list[float] = []
    errors = 0
    counter = iter(range(orders))

    begin = time.perf_counter()

    async def worker() -> None:
        nonlocal errors
        for n in counter:
            started = time.perf_counter()
            if rate is not None:
                started = begin + n / rate
                await asyncio.sleep(max(0.0, started - time.perf_counter()))
            try:
                async with db.session_scope() as s:
                    await place_order(s, user_tgid=user_base + n, draft=draft)
            except DomainError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - begin, latencies, errors


def _worker_process(url: str, ids: dict[str, int], concurrency: int, orders: int, user_base: int, go: Any) -> Any:
    """One app worker process: its own event loop, engine and pool, like a Granian worker in production."""

    async def run() -> tuple[float, list[float], int]:
        from lunch_app import db
        from lunch_app.clock import MovableClock, set_clock

        set_clock(MovableClock(NOW))
        db.configure(url=url)
        await _run(1, 20, ids, user_base + orders)  # warm up connections and statement caches
        go.wait()
        try:
            return await _run(concurrency, orders, ids, user_base)
        finally:
            await db.dispose()

    return uvloop.run(run())


def _level(url: str, ids: dict[str, int], concurrency: int, orders: int, user_base: int, processes: int) -> str:
    """Spread `concurrency` users over `processes` worker processes; aggregate their latencies."""
    processes = min(processes, concurrency)
    manager = multiprocessing.Manager()
    go = manager.Event()
    per_process = orders // processes
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [
            pool.submit(
                _worker_process,
                url,
                ids,
                concurrency // processes + (1 if n < concurrency % processes else 0),
                per_process,
                user_base + n * (per_process + 20),
                go,
            )
            for n in range(processes)
        ]
        time.sleep(3)  # every process is warmed up and waiting
        go.set()
        results = [future.result() for future in futures]
    manager.shutdown()
    elapsed = max(result[0] for result in results)
    latencies = [value for result in results for value in result[1]]
    errors = sum(result[2] for result in results)
    total = per_process * processes
    return (
        f"  {concurrency:3d} concurrent users, {processes} process(es): {total / elapsed:7.1f} orders/s  "
        f"{summary(latencies)}  errors {errors}"
    )


NOW = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))


async def _prepare(url: str, users: int) -> dict[str, int]:
    from lunch_app import db
    from lunch_app.clock import MovableClock, set_clock

    set_clock(MovableClock(NOW))
    db.configure(url=url)
    ids = await _seed(users)
    await db.dispose()
    return ids


def main(url: str, orders: int, process_counts: list[int]) -> None:
    levels = (1, 20, 100)
    runs = [(concurrency, processes) for processes in process_counts for concurrency in levels]
    ids = uvloop.run(_prepare(url, (orders + 40) * 2 * (len(runs) + 1)))
    print(f"place_order on PostgreSQL, {orders} orders per level (combo + 2 lines with options)")
    for index, (concurrency, processes) in enumerate(runs):
        print(_level(url, ids, concurrency, orders, 10_000_000_000 + index * (orders + 40) * 2, processes), flush=True)
    print(f"paced: 20 users together placing {PACED_RATE:.0f} orders/s (the throughput target), one process")
    paced_base = 10_000_000_000 + len(runs) * (orders + 40) * 2
    print(uvloop.run(_paced(url, ids, orders, paced_base)), flush=True)


PACED_RATE = 200.0


async def _paced(url: str, ids: dict[str, int], orders: int, user_base: int) -> str:
    from lunch_app import db
    from lunch_app.clock import MovableClock, set_clock

    set_clock(MovableClock(NOW))
    db.configure(url=url)
    await _run(1, 20, ids, user_base + orders)
    elapsed, latencies, errors = await _run(20, orders, ids, user_base, rate=PACED_RATE)
    await db.dispose()
    achieved = orders / elapsed
    return (
        f"   20 concurrent users at {PACED_RATE:.0f}/s: {achieved:7.1f} orders/s  {summary(latencies)}  errors {errors}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument(
        "--processes",
        type=int,
        nargs="+",
        default=[1, 2],
        help="worker processes sharing the users (production runs the app with GRANIAN_WORKERS=2)",
    )
    args = parser.parse_args()
    os.environ.update(LOG_LEVEL="WARNING", DATABASE_POOL_SIZE="20")  # up to 40 connections per process
    with fresh_database("lunch_bench_orders") as database_url:
        main(database_url, args.orders, args.processes)
