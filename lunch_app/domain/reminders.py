"""Order reminders (SPEC §4 "Reminders").

REMINDER_MINUTES_BEFORE before a cafe's cut-off for a date, every active user who ordered from that cafe
in the last 30 days (a non-cancelled order created in that time), has no live order from it for that date
and has reminders on gets one `reminder` notice with an "Order" Mini App button. The `reminders` row
(unique user+cafe+date, inserted with ON CONFLICT DO NOTHING) is written in the same transaction as the
outbox notice, so two schedulers or two ticks never remind anyone twice.

A reminder is only due inside its window [cut-off − N minutes, cut-off): a scheduler that was down
during the whole window does not send reminders for a day that is already closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain.availability import cutoff_at, evaluate_day
from lunch_app.events.outbox import notify
from lunch_app.models import Cafe, Order, OrderStatus, Reminder, Schedule, User
from lunch_app.settings import get_settings

RECENT_DAYS = 30


@dataclass(frozen=True)
class DueReminder:
    cafe_id: int
    cafe_name: str
    day: date
    cutoff: datetime  # in APP_TIMEZONE


async def due_reminder_days(session: AsyncSession, *, now: datetime | None = None) -> list[DueReminder]:
    """(cafe, date) pairs whose reminder window is open now: the day is open and its cut-off is within
    REMINDER_MINUTES_BEFORE minutes."""
    settings = get_settings()
    now = now or get_clock().now()
    window = timedelta(minutes=settings.reminder_minutes_before)
    rows = (
        await session.execute(
            sa.select(Cafe, Schedule)
            .join(Schedule, col(Schedule.cafe_id) == col(Cafe.id))
            .where(col(Cafe.is_active).is_(True), col(Schedule.is_enabled).is_(True))
        )
    ).all()
    due: list[DueReminder] = []
    for cafe, schedule in rows:
        # Dates whose cut-off can fall in the window: cut-off = date − days_before at cutoff_time.
        for offset in range(0, schedule.cutoff_days_before + 2):
            day = now.date() + timedelta(days=offset)
            if day.weekday() != schedule.weekday:
                continue
            cut = cutoff_at(schedule, day, settings.tz)
            if not cut - window <= now < cut:
                continue
            availability = evaluate_day(
                cafe=cafe, schedule=schedule, day=day, now=now, horizon_days=settings.order_horizon_days
            )
            if availability.is_open:
                assert cafe.id is not None
                due.append(DueReminder(cafe_id=cafe.id, cafe_name=cafe.name, day=day, cutoff=cut))
    return due


async def send_reminders(session: AsyncSession, *, due: DueReminder, now: datetime | None = None) -> list[int]:
    """Queue the reminders of one (cafe, date) in the caller's transaction; returns who gets one now."""
    now = now or get_clock().now()
    since = now - timedelta(days=RECENT_DAYS)
    ordered_recently = sa.exists().where(
        col(Order.user_tgid) == col(User.tgid),
        col(Order.cafe_id) == due.cafe_id,
        col(Order.status) != OrderStatus.cancelled,
        col(Order.created_at) >= since,
    )
    has_order_that_day = sa.exists().where(
        col(Order.user_tgid) == col(User.tgid),
        col(Order.cafe_id) == due.cafe_id,
        col(Order.order_date) == due.day,
        col(Order.status) != OrderStatus.cancelled,
    )
    candidates = (
        (
            await session.execute(
                sa.select(col(User.tgid)).where(
                    col(User.is_active).is_(True),
                    col(User.reminders_enabled).is_(True),
                    ordered_recently,
                    ~has_order_that_day,
                )
            )
        )
        .scalars()
        .all()
    )
    if not candidates:
        return []
    table = Reminder.__table__  # type: ignore[attr-defined]
    created = now.astimezone(get_settings().tz)
    inserted = (
        (
            await session.execute(
                postgresql.insert(table)
                .values(
                    [
                        {"user_tgid": tgid, "cafe_id": due.cafe_id, "date": due.day, "created_at": created}
                        for tgid in candidates
                    ]
                )
                .on_conflict_do_nothing(index_elements=[table.c.user_tgid, table.c.cafe_id, table.c.date])
                .returning(table.c.user_tgid)
            )
        )
        .scalars()
        .all()
    )
    params = {
        "cafe_id": due.cafe_id,
        "cafe": due.cafe_name,
        "date": due.day.isoformat(),
        "cutoff": due.cutoff.strftime("%H:%M"),
    }
    for tgid in sorted(inserted):
        notify(
            session,
            template="reminder",
            params=params,
            user_tgid=tgid,
            event_id=f"reminder:{tgid}:{due.cafe_id}:{due.day.isoformat()}",
        )
    return sorted(inserted)
