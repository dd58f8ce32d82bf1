"""Order reminders (SPEC §4 "Reminders", issue 11).

REMINDER_MINUTES_BEFORE before a cafe's cut-off instant for a date (one instant per (cafe, date), see
domain/availability.py), every active user who ordered from that cafe in the last 30 days (a non-cancelled order
created in that time), has no live order from it for that date, has reminders on, and belongs to an office the
cafe serves for which the date is an open day (a working day of the office, within its horizon) gets one
`reminder` notice with an "Order" Mini App button. The cut-off time in the reminder is on the recipient's office's
clock. A day a closure or the office's calendar closes gets no reminders. The `reminders` row (unique
user+cafe+date, inserted with ON CONFLICT DO NOTHING) is written in the same transaction as the outbox notice, so
two schedulers or two ticks never remind anyone twice.

A reminder is only due inside its window [cut-off − N minutes, cut-off): a scheduler that was down during the
whole window does not send reminders for a day that is already closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock, zone
from lunch_app.domain.availability import cafe_zone, cutoff_at, day_availability, evaluate_day
from lunch_app.domain.calendar import cafe_closures, office_calendars
from lunch_app.domain.offices import cafe_office_ids
from lunch_app.events.outbox import notify
from lunch_app.models import Cafe, Order, OrderStatus, Reminder, Schedule, User
from lunch_app.settings import get_settings

RECENT_DAYS = 30


@dataclass(frozen=True)
class DueReminder:
    cafe_id: int
    cafe_name: str
    day: date
    cutoff: datetime  # the cut-off instant (in the cafe's zone)
    office_zones: dict[int, str]  # the offices for which the day is open now → their zone names


async def due_reminder_days(session: AsyncSession, *, now: datetime | None = None) -> list[DueReminder]:
    """(cafe, date) pairs whose reminder window is open now, with the offices for which the day is open: the cafe
    serves them, the date is a working day of theirs and no closure covers it, and the cut-off is within
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
    candidates: list[tuple[Cafe, Schedule, date, datetime]] = []
    for cafe, schedule in rows:
        # Dates whose cut-off can fall in the window: cut-off = date − days_before at cutoff_time, cafe time.
        cafe_today = now.astimezone(cafe_zone(cafe)).date()
        for offset in range(0, schedule.cutoff_days_before + 2):
            day = cafe_today + timedelta(days=offset)
            if day.weekday() != schedule.weekday:
                continue
            cut = cutoff_at(schedule, day, cafe_zone(cafe))
            if cut - window <= now < cut:
                candidates.append((cafe, schedule, day, cut))
    if not candidates:
        return []
    cafe_ids = {cafe.id for cafe, *_ in candidates if cafe.id is not None}
    start = min(day for *_, day, _ in candidates)
    end = max(day for *_, day, _ in candidates)
    served = await cafe_office_ids(session, cafe_ids)
    calendars = await office_calendars(
        session, office_ids={oid for ids in served.values() for oid in ids}, start=start, end=end
    )
    closures = await cafe_closures(session, cafe_ids=cafe_ids, start=start, end=end)
    due: list[DueReminder] = []
    for cafe, schedule, day, cut in candidates:
        assert cafe.id is not None
        open_for: dict[int, str] = {}
        for office_id in served.get(cafe.id, []):
            calendar = calendars.get(office_id)
            availability = evaluate_day(
                cafe=cafe,
                schedule=schedule,
                day=day,
                now=now,
                horizon_days=settings.order_horizon_days,
                office=calendar,
                closures=closures.get(cafe.id, []),
            )
            if availability.is_open and calendar is not None:
                open_for[office_id] = calendar.zone.key
        if open_for:
            due.append(DueReminder(cafe_id=cafe.id, cafe_name=cafe.name, day=day, cutoff=cut, office_zones=open_for))
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
    candidates = dict(
        (
            await session.execute(
                sa.select(col(User.tgid), col(User.office_id)).where(
                    col(User.is_active).is_(True),
                    col(User.reminders_enabled).is_(True),
                    col(User.office_id).in_(list(due.office_zones)),
                    ordered_recently,
                    ~has_order_that_day,
                )
            )
        ).all()
    )
    if not candidates:
        return []
    table = Reminder.__table__  # type: ignore[attr-defined]
    created = now.astimezone(UTC)
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
    for tgid in sorted(inserted):
        office_zone = zone(due.office_zones[candidates[tgid]])
        notify(
            session,
            template="reminder",
            params={
                "cafe_id": due.cafe_id,
                "cafe": due.cafe_name,
                "date": due.day.isoformat(),
                "cutoff": due.cutoff.astimezone(office_zone).strftime("%H:%M"),  # on the recipient's office clock
            },
            user_tgid=tgid,
            event_id=f"reminder:{tgid}:{due.cafe_id}:{due.day.isoformat()}",
        )
    return sorted(inserted)


async def reminder_still_useful(session: AsyncSession, *, user_tgid: int, cafe_id: int, day: date) -> bool:
    """A reminder that waited in a queue is dropped if the person ordered or opted out meanwhile, or if the day
    closed for them since (a holiday or a closure added, the cafe stopped serving their office)."""
    user = await session.get(User, user_tgid)
    if user is None or not user.is_active or not user.reminders_enabled:
        return False
    ordered = await session.execute(
        sa.select(col(Order.id)).where(
            col(Order.user_tgid) == user_tgid,
            col(Order.cafe_id) == cafe_id,
            col(Order.order_date) == day,
            col(Order.status) != OrderStatus.cancelled,
        )
    )
    if ordered.first() is not None:
        return False
    cafe = await session.get(Cafe, cafe_id)
    if cafe is None or user.office_id not in (await cafe_office_ids(session, [cafe_id]))[cafe_id]:
        return False
    availability = await day_availability(session, cafe=cafe, day=day, office_id=user.office_id)
    return availability.is_open
