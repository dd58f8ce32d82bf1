"""Whether a (cafe, date) is open for ordering, and why not (SPEC §4 "Availability").

All dates and cut-offs are in APP_TIMEZONE: cut-off = (date − cutoff_days_before) at cutoff_time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain.errors import DayClosed, NotFound
from lunch_app.models import Cafe, Schedule
from lunch_app.settings import get_settings


class DayState(enum.StrEnum):
    open = "open"
    cafe_inactive = "cafe_inactive"
    past = "past"
    too_far = "too_far"
    no_delivery = "no_delivery"
    disabled = "disabled"
    cutoff_passed = "cutoff_passed"


@dataclass(frozen=True)
class DayAvailability:
    day: date
    state: DayState
    cutoff_at: datetime | None  # in APP_TIMEZONE; None when the cafe has no schedule that day

    @property
    def is_open(self) -> bool:
        return self.state is DayState.open

    @property
    def reason_key(self) -> str:
        return f"day.{self.state.value}"

    def seconds_left(self, now: datetime) -> int:
        if self.cutoff_at is None or not self.is_open:
            return 0
        return max(0, int((self.cutoff_at - now).total_seconds()))


def cutoff_at(schedule: Schedule, day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day - timedelta(days=schedule.cutoff_days_before), schedule.cutoff_time, tzinfo=tz)


def evaluate_day(
    *, cafe: Cafe, schedule: Schedule | None, day: date, now: datetime, horizon_days: int
) -> DayAvailability:
    """The pure rule: no database, no clock of its own."""
    tz = now.tzinfo
    assert isinstance(tz, ZoneInfo)
    cut = cutoff_at(schedule, day, tz) if schedule is not None else None
    today = now.date()
    if not cafe.is_active:
        state = DayState.cafe_inactive
    elif day < today:
        state = DayState.past
    elif day > today + timedelta(days=horizon_days):
        state = DayState.too_far
    elif schedule is None:
        state = DayState.no_delivery
    elif not schedule.is_enabled:
        state = DayState.disabled
    elif cut is not None and now >= cut:
        state = DayState.cutoff_passed
    else:
        state = DayState.open
    return DayAvailability(day=day, state=state, cutoff_at=cut)


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


def _evaluate_now(cafe: Cafe, schedule: Schedule | None, day: date) -> DayAvailability:
    return evaluate_day(
        cafe=cafe, schedule=schedule, day=day, now=get_clock().now(), horizon_days=get_settings().order_horizon_days
    )


async def day_availability(session: AsyncSession, *, cafe: Cafe, day: date) -> DayAvailability:
    return _evaluate_now(cafe, await _day_schedule(session, cafe, day), day)


async def week_availability(session: AsyncSession, *, cafe_id: int, days: int = 7) -> list[DayAvailability]:
    """The date strip of the Mini App: `days` days from today with their state and cut-off."""
    cafe = await _cafe(session, cafe_id)
    schedules = await _schedules(session, cafe_id)
    now = get_clock().now()
    horizon = get_settings().order_horizon_days
    today = now.date()
    result = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        result.append(
            evaluate_day(cafe=cafe, schedule=schedules.get(day.weekday()), day=day, now=now, horizon_days=horizon)
        )
    return result


def require_open(*, cafe: Cafe, schedule: Schedule | None, day: date) -> DayAvailability:
    """Raise DayClosed (with the reason) unless ordering for (cafe, day) is open now."""
    availability = _evaluate_now(cafe, schedule, day)
    if not availability.is_open:
        raise DayClosed(f"error.day.{availability.state.value}", day=day.isoformat())
    return availability


async def ensure_open(session: AsyncSession, *, cafe: Cafe, day: date) -> DayAvailability:
    return require_open(cafe=cafe, schedule=await _day_schedule(session, cafe, day), day=day)
