"""Whether a (cafe, date) is open for ordering, and why not (SPEC §4 "Availability", issue 11).

THE CUT-OFF RULE. A cafe's schedule times are in the cafe's own time zone (`cafes.timezone`), so each
(cafe, date) has exactly one cut-off instant: (date − cutoff_days_before) at cutoff_time, cafe time. It is the
same instant for every office the cafe serves, which keeps one digest per (cafe, date). What an employee sees is
in their office's zone: "today" (and so "past" and "too far ahead") is the office's local date, and the cut-off
clock time is that instant on the office's clock (a Moscow cafe's 11:00 reads 15:00 in Novosibirsk). The
countdown is to the same instant everywhere.

A day is open for an employee when, in this order: the cafe is active; the date is not before the office's today
nor more than ORDER_HORIZON_DAYS after it; it is a working day of the office (not a holiday — unless it is an
extra working day — and a working weekday, see domain/calendar.py); no closure of the cafe covers it; the cafe's
schedule has that weekday and it is enabled; the cut-off instant has not passed. Each refusal has its own reason
(a holiday with its name, a closure with its note). Without an office (the dashboard's view of a cafe) "today" is
the cafe's and office calendars do not apply.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock, zone
from lunch_app.domain.calendar import ClosureSpan, DayOff, OfficeCalendar, cafe_closures, closure_on, office_calendar
from lunch_app.domain.errors import DayClosed, NotFound
from lunch_app.domain.offices import require_serves
from lunch_app.models import Cafe, Office, Schedule
from lunch_app.settings import get_settings


class DayState(enum.StrEnum):
    open = "open"
    cafe_inactive = "cafe_inactive"
    past = "past"
    too_far = "too_far"
    holiday = "holiday"  # the office's company holiday (note: its name)
    non_working = "non_working"  # not a working weekday of the office
    closure = "closure"  # the cafe is closed (note: the closure's note)
    no_delivery = "no_delivery"
    disabled = "disabled"
    cutoff_passed = "cutoff_passed"


@dataclass(frozen=True)
class DayAvailability:
    day: date
    state: DayState
    cutoff_at: datetime | None  # the cut-off instant, in the cafe's zone; None when the cafe has no schedule that day
    viewer_zone: ZoneInfo | None = None  # the office's zone (or the cafe's): how the cut-off time is shown
    note: str = ""  # the holiday's name or the closure's note
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.state is DayState.open

    @property
    def cutoff_local(self) -> datetime | None:
        """The cut-off instant on the viewer's clock."""
        if self.cutoff_at is None:
            return None
        return self.cutoff_at.astimezone(self.viewer_zone) if self.viewer_zone is not None else self.cutoff_at

    @property
    def reason_key(self) -> str:
        if self.state is DayState.closure and not self.note:
            return "day.closure_plain"
        return f"day.{self.state.value}"

    @property
    def reason_params(self) -> dict[str, str]:
        if self.state is DayState.holiday:
            return {"name": self.note}
        if self.state is DayState.closure:
            return {"note": self.note}
        return {}

    def seconds_left(self, now: datetime) -> int:
        if self.cutoff_at is None or not self.is_open:
            return 0
        return max(0, int((self.cutoff_at - now).total_seconds()))

    def error(self) -> DayClosed:
        key = "error.day.closure_plain" if self.reason_key == "day.closure_plain" else f"error.day.{self.state.value}"
        return DayClosed(key, day=self.day.isoformat(), **self.reason_params)


def cafe_zone(cafe: Cafe) -> ZoneInfo:
    return zone(cafe.timezone)


def cutoff_at(schedule: Schedule, day: date, tz: ZoneInfo) -> datetime:
    """The cut-off instant of `day` for a schedule whose times are in `tz` (the cafe's zone)."""
    return datetime.combine(day - timedelta(days=schedule.cutoff_days_before), schedule.cutoff_time, tzinfo=tz)


def evaluate_day(
    *,
    cafe: Cafe,
    schedule: Schedule | None,
    day: date,
    now: datetime,
    horizon_days: int,
    office: OfficeCalendar | None = None,
    closures: Sequence[ClosureSpan] = (),
) -> DayAvailability:
    """The pure rule: no database, no clock of its own. `office` is the calendar of the employee's office (None:
    the cafe's own view); `closures` the cafe's closures around `day`."""
    tz = cafe_zone(cafe)
    cut = cutoff_at(schedule, day, tz) if schedule is not None else None
    viewer = office.zone if office is not None else tz
    today = now.astimezone(viewer).date()
    note = ""
    day_off = office.day_off(day) if office is not None else None
    closure = closure_on(closures, day)
    if not cafe.is_active:
        state = DayState.cafe_inactive
    elif day < today:
        state = DayState.past
    elif day > today + timedelta(days=horizon_days):
        state = DayState.too_far
    elif day_off is not None:
        state = DayState.holiday if day_off[0] is DayOff.holiday else DayState.non_working
        note = day_off[1]
    elif closure is not None:
        state, note = DayState.closure, closure.note
    elif schedule is None:
        state = DayState.no_delivery
    elif not schedule.is_enabled:
        state = DayState.disabled
    elif cut is not None and now >= cut:
        state = DayState.cutoff_passed
    else:
        state = DayState.open
    return DayAvailability(day=day, state=state, cutoff_at=cut, viewer_zone=viewer, note=note)


async def _schedules(session: AsyncSession, cafe_id: int) -> dict[int, Schedule]:
    rows = (await session.execute(select(Schedule).where(col(Schedule.cafe_id) == cafe_id))).scalars()
    return {row.weekday: row for row in rows}


async def _cafe(session: AsyncSession, cafe_id: int) -> Cafe:
    cafe = await session.get(Cafe, cafe_id)
    if cafe is None:
        raise NotFound("error.cafe.not_found")
    return cafe


async def _day_schedule(session: AsyncSession, cafe: Cafe, day: date) -> Schedule | None:
    assert cafe.id is not None
    query = select(Schedule).where(col(Schedule.cafe_id) == cafe.id, col(Schedule.weekday) == day.weekday())
    return (await session.execute(query)).scalar_one_or_none()


async def _context(
    session: AsyncSession, cafe: Cafe, office_id: int | None, start: date, end: date
) -> tuple[OfficeCalendar | None, list[ClosureSpan]]:
    assert cafe.id is not None
    calendar = None
    if office_id is not None:
        calendar = await office_calendar(session, office_id=office_id, start=start, end=end)
    closures = (await cafe_closures(session, cafe_ids=[cafe.id], start=start, end=end))[cafe.id]
    return calendar, closures


async def day_availability(
    session: AsyncSession, *, cafe: Cafe, day: date, office_id: int | None = None
) -> DayAvailability:
    calendar, closures = await _context(session, cafe, office_id, day, day)
    return evaluate_day(
        cafe=cafe,
        schedule=await _day_schedule(session, cafe, day),
        day=day,
        now=get_clock().now(),
        horizon_days=get_settings().order_horizon_days,
        office=calendar,
        closures=closures,
    )


async def week_availability(
    session: AsyncSession, *, cafe_id: int, office_id: int | None, days: int = 7
) -> list[DayAvailability]:
    """The date strip of the Mini App: `days` days from the office's today with their state and cut-off. With an
    office, the cafe must serve it (employees see only their office's cafes)."""
    cafe = await _cafe(session, cafe_id)
    if office_id is not None:
        await require_serves(session, cafe_id=cafe_id, office_id=office_id)
    now = get_clock().now()
    horizon = get_settings().order_horizon_days
    viewer = cafe_zone(cafe)
    if office_id is not None:
        office = await session.get(Office, office_id)
        if office is None:
            raise NotFound("error.office.not_found")
        viewer = zone(office.timezone)
    today = now.astimezone(viewer).date()
    last = today + timedelta(days=days - 1)
    calendar, closures = await _context(session, cafe, office_id, today, last)
    schedules = await _schedules(session, cafe_id)
    result = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        result.append(
            evaluate_day(
                cafe=cafe,
                schedule=schedules.get(day.weekday()),
                day=day,
                now=now,
                horizon_days=horizon,
                office=calendar,
                closures=closures,
            )
        )
    return result


def require_open(
    *,
    cafe: Cafe,
    schedule: Schedule | None,
    day: date,
    office: OfficeCalendar | None = None,
    closures: Sequence[ClosureSpan] = (),
) -> DayAvailability:
    """Raise DayClosed (with the reason) unless ordering for (cafe, day) is open now."""
    availability = evaluate_day(
        cafe=cafe,
        schedule=schedule,
        day=day,
        now=get_clock().now(),
        horizon_days=get_settings().order_horizon_days,
        office=office,
        closures=closures,
    )
    if not availability.is_open:
        raise availability.error()
    return availability


async def ensure_open(session: AsyncSession, *, cafe: Cafe, day: date, office_id: int | None = None) -> DayAvailability:
    availability = await day_availability(session, cafe=cafe, day=day, office_id=office_id)
    if not availability.is_open:
        raise availability.error()
    return availability
