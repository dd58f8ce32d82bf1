"""Per-cafe cut-off schedule: one row per weekday (SPEC §3 "schedules", §6 "Schedule").

The dashboard always shows all 7 weekdays; a weekday without a stored row means "no delivery that
day". Computing whether a date is open lives in `availability.py`, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.domain import audit
from lunch_app.domain.catalogue import load_cafe
from lunch_app.domain.errors import InvalidInput
from lunch_app.domain.users import require_manager
from lunch_app.domain.validation import parse
from lunch_app.models import Schedule

WEEKDAYS = range(7)
# Shown for a weekday that was never configured, so the form has something sensible to start from.
DEFAULT_CUTOFF = "10:00"

CUTOFF_PATTERN = r"([01][0-9]|2[0-3]):[0-5][0-9]"  # HH:MM, 00:00–23:59
MAX_DAYS_BEFORE = 6
CutoffTime = Annotated[str, StringConstraints(strict=True, pattern=rf"^{CUTOFF_PATTERN}$")]


class ScheduleRowInput(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    weekday: StrictInt = Field(ge=0, le=6)
    cutoff_time: CutoffTime
    cutoff_days_before: StrictInt = Field(default=0, ge=0, le=MAX_DAYS_BEFORE)
    is_enabled: StrictBool = True


class _WeekInput(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    rows: list[ScheduleRowInput] = Field(min_length=1)


_FIELD_KEYS = {
    "rows": "error.schedule.bad_rows",
    "rows.weekday": "error.schedule.bad_weekday",
    "rows.cutoff_time": "error.schedule.bad_time",
    "rows.cutoff_days_before": "error.schedule.bad_days_before",
    "rows.is_enabled": "error.catalogue.bad_flag",
}


@dataclass(frozen=True, slots=True)
class ScheduleDay:
    weekday: int  # 0 = Monday
    cutoff_time: str  # "HH:MM" in APP_TIMEZONE
    cutoff_days_before: int
    is_enabled: bool
    configured: bool  # False: no row stored; the cafe does not deliver that day

    @property
    def cutoff(self) -> time:
        return _to_time(self.cutoff_time)

    @property
    def delivers(self) -> bool:
        return self.configured and self.is_enabled

    def as_dict(self) -> dict[str, Any]:
        return {
            "weekday": self.weekday,
            "cutoff_time": self.cutoff_time,
            "cutoff_days_before": self.cutoff_days_before,
            "is_enabled": self.is_enabled,
            "configured": self.configured,
        }


def _to_time(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


def _day(row: Schedule) -> ScheduleDay:
    return ScheduleDay(
        weekday=row.weekday,
        cutoff_time=row.cutoff_time.strftime("%H:%M"),
        cutoff_days_before=row.cutoff_days_before,
        is_enabled=row.is_enabled,
        configured=True,
    )


def _not_configured(weekday: int) -> ScheduleDay:
    return ScheduleDay(
        weekday=weekday, cutoff_time=DEFAULT_CUTOFF, cutoff_days_before=0, is_enabled=False, configured=False
    )


def parse_rows(rows: Any) -> list[ScheduleRowInput]:
    """Validate untrusted schedule rows: types, ranges, "HH:MM" times and no weekday twice."""
    parsed = parse(_WeekInput, {"rows": rows}, _FIELD_KEYS)
    seen: set[int] = set()
    for row in parsed.rows:
        if row.weekday in seen:
            raise InvalidInput("error.schedule.duplicate_weekday", field="rows.weekday", weekday=row.weekday)
        seen.add(row.weekday)
    return list(parsed.rows)


async def get_week_schedule(session: AsyncSession, cafe_id: int) -> list[ScheduleDay]:
    """Always 7 entries, Monday first; weekdays without a stored row come back as not configured."""
    cafe = await load_cafe(session, cafe_id)
    # populate_existing: rows written by the upsert below must not be shadowed by stale ORM objects.
    query = sa.select(Schedule).where(col(Schedule.cafe_id) == cafe.id).execution_options(populate_existing=True)
    rows = (await session.execute(query)).scalars()
    stored = {row.weekday: row for row in rows}
    return [_day(stored[w]) if w in stored else _not_configured(w) for w in WEEKDAYS]


async def set_week_schedule(
    session: AsyncSession, *, actor_tgid: int, cafe_id: int, rows: Sequence[Any]
) -> list[ScheduleDay]:
    """Create or replace the rows of the given weekdays (others stay as they are); returns all 7 days.

    Each row: {weekday 0–6, cutoff_time "HH:MM", cutoff_days_before 0–6, is_enabled}.
    """
    await require_manager(session, actor_tgid)
    cafe = await load_cafe(session, cafe_id)
    parsed = parse_rows(rows)
    before = {day.weekday: day.as_dict() for day in await get_week_schedule(session, cafe_id)}
    values = [
        {
            "cafe_id": cafe.id,
            "weekday": row.weekday,
            "cutoff_time": _to_time(row.cutoff_time),
            "cutoff_days_before": row.cutoff_days_before,
            "is_enabled": row.is_enabled,
        }
        for row in parsed
    ]
    # One statement that is safe against a concurrent edit of the same (cafe, weekday).
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Schedule).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=["cafe_id", "weekday"],
        set_={
            "cutoff_time": statement.excluded.cutoff_time,
            "cutoff_days_before": statement.excluded.cutoff_days_before,
            "is_enabled": statement.excluded.is_enabled,
        },
    )
    await session.execute(statement)
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="schedule.set",
        entity="cafe",
        entity_id=cafe.id,
        details={
            "rows": [row.model_dump() for row in parsed],
            "before": [before[row.weekday] for row in parsed],
        },
    )
    return await get_week_schedule(session, cafe_id)


async def set_day(
    session: AsyncSession,
    *,
    actor_tgid: int,
    cafe_id: int,
    weekday: int,
    cutoff_time: str,
    cutoff_days_before: int = 0,
    is_enabled: bool = True,
) -> ScheduleDay:
    """Set one weekday; same rules as `set_week_schedule`."""
    week = await set_week_schedule(
        session,
        actor_tgid=actor_tgid,
        cafe_id=cafe_id,
        rows=[
            {
                "weekday": weekday,
                "cutoff_time": cutoff_time,
                "cutoff_days_before": cutoff_days_before,
                "is_enabled": is_enabled,
            }
        ],
    )
    return week[weekday]
