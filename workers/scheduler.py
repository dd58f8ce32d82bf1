"""The scheduler worker: `python -m workers.scheduler` (SPEC §2, §4).

Every tick (a few seconds) it
(a) closes every (cafe, date) whose cut-off passed and that still has `placed` orders — one transaction
    per pair: report stored, orders `sent`, `Dispatch` row claimed, `deadline.passed` event queued (see
    lunch_app/domain/digest.py); pairs missed while the scheduler was down are caught up;
(b) queues the reminders that are due (lunch_app/domain/reminders.py);
(c) at 03:00 local time of each office queues that office's nightly `generate_recommendations` task, once per
    office and night: its event id is `nightly:<office id>:<local date>` and the outbox's unique event id
    makes a second scheduler's insert a no-op. A scheduler started later that morning (until 09:00 office
    time) still queues it (lunch_app/domain/recommendations.py decides).
All three are safe with two schedulers running: the database decides (unique rows, ON CONFLICT), never
timing. The outbox relay runs as a second task in this process (see lunch_app/events/relay.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from lunch_app import db
from lunch_app.clock import get_clock
from lunch_app.domain.digest import CutoffOutcome, due_cutoffs, process_cutoff
from lunch_app.domain.recommendations import due_nightly_runs, queue_nightly_run
from lunch_app.domain.reminders import due_reminder_days, send_reminders
from lunch_app.events.relay import run_relay
from workers.runtime import WorkerContext, run_together, run_worker

log = logging.getLogger("workers.scheduler")

TICK_SECONDS = 1.0
CUTOFF_CONCURRENCY = 6


@dataclass
class TickResult:
    cutoffs: list[CutoffOutcome] = field(default_factory=list)
    reminders: int = 0
    nightly: int = 0  # offices whose nightly task this tick queued

    @property
    def queued_events(self) -> bool:
        return bool(self.cutoffs or self.reminders or self.nightly)


async def close_due_cutoffs(now: datetime, *, concurrency: int = CUTOFF_CONCURRENCY) -> list[CutoffOutcome]:
    """Close every due (cafe, date), each in its own transaction, a few at a time (they are independent;
    a pair another scheduler is closing just waits for that one's commit and then does nothing)."""
    async with db.session_scope() as session:
        pairs = await due_cutoffs(session, now=now)
    semaphore = asyncio.Semaphore(concurrency)

    async def close(cafe_id: int, day: date) -> CutoffOutcome | None:
        async with semaphore:
            try:
                async with db.session_scope() as session:
                    outcome = await process_cutoff(session, cafe_id=cafe_id, day=day)
            except Exception:  # one broken pair must not hold back the other cafes
                log.exception("cut-off processing failed", extra={"cafe_id": cafe_id, "date": day.isoformat()})
                return None
        if outcome is not None:
            log.info(
                "cut-off processed",
                extra={"cafe_id": cafe_id, "date": day.isoformat(), "orders": outcome.orders_sent},
            )
        return outcome

    results = await asyncio.gather(*(close(cafe_id, day) for cafe_id, day in pairs))
    return [outcome for outcome in results if outcome is not None]


async def queue_due_reminders(now: datetime) -> int:
    async with db.session_scope() as session:
        due = await due_reminder_days(session, now=now)
    total = 0
    for item in due:
        try:
            async with db.session_scope() as session:
                users = await send_reminders(session, due=item, now=now)
        except Exception:
            log.exception("reminders failed", extra={"cafe_id": item.cafe_id, "date": item.day.isoformat()})
            continue
        if users:
            log.info(
                "reminders queued", extra={"cafe_id": item.cafe_id, "date": item.day.isoformat(), "users": len(users)}
            )
        total += len(users)
    return total


async def queue_nightly_tasks(now: datetime) -> int:
    """Queue the nightly recommendations task of every office whose night it is; how many this call queued."""
    async with db.session_scope() as session:
        runs = await due_nightly_runs(session, now=now)
    queued = 0
    for run in runs:
        async with db.session_scope() as session:
            if not await queue_nightly_run(session, run=run):
                continue
        queued += 1
        log.info("nightly recommendations task queued", extra={"event_id": run.event_id})
    return queued


async def scheduler_tick(now: datetime | None = None) -> TickResult:
    """One pass of (a), (b), (c) at `now` (default: the clock)."""
    now = now or get_clock().now()
    result = TickResult()
    result.cutoffs = await close_due_cutoffs(now)
    result.reminders = await queue_due_reminders(now)
    result.nightly = await queue_nightly_tasks(now)
    return result


async def run_scheduler(
    stop: asyncio.Event,
    *,
    tick_seconds: float = TICK_SECONDS,
    on_progress: Callable[[], None] | None = None,
    relay_wake: asyncio.Event | None = None,
) -> None:
    """Tick until `stop` is set. A failing tick (database away) is logged and retried next tick."""
    log.info("scheduler started", extra={"tick_seconds": tick_seconds})
    while not stop.is_set():
        if on_progress is not None:
            on_progress()
        try:
            result = await scheduler_tick()
        except Exception:
            log.exception("scheduler tick failed")
        else:
            if result.queued_events and relay_wake is not None:
                relay_wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=tick_seconds)
    log.info("scheduler stopped")


async def scheduler_process(ctx: WorkerContext, *, tick_seconds: float = TICK_SECONDS, relay: bool = True) -> None:
    """The process body: the scheduler loop and the outbox relay side by side."""
    wake = asyncio.Event()
    tasks = [
        run_scheduler(ctx.stop, tick_seconds=tick_seconds, on_progress=ctx.progress_hook("scheduler"), relay_wake=wake)
    ]
    if relay:
        tasks.append(run_relay(ctx.stop, settings=ctx.settings, on_progress=ctx.progress_hook("relay"), wake=wake))
    await run_together(ctx, *tasks)


def main() -> None:
    sys.exit(run_worker("scheduler", scheduler_process))


if __name__ == "__main__":
    main()
