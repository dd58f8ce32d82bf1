"""Working days of offices and cafes (issue 11 "Calendar").

The rule, used by availability, reminders, digests and the dashboard alike:

- An **office** works on its working weekdays (`offices.working_weekdays`, Monday–Friday by default), except on
  its **holidays** (date ranges with a name, e.g. 1–8 January "Новогодние каникулы"); an **extra working day**
  (a transferred working Saturday) is a working day whatever its weekday and whatever holiday covers it.
- A **cafe closure** (a date range with a note, e.g. "кухня на ремонте") closes the cafe for every office.
- A day is open for an employee only if it is a working day of their office, the cafe delivers that weekday and no
  closure covers it (lunch_app/domain/availability.py puts the reasons in that order).

When a manager adds or changes an entry (or an office's working week) so that days with live orders become
closed, the `placed` orders of those days are cancelled in the same transaction and each owner gets a translated
notice through the outbox (`order_cancelled_calendar`). Orders already sent to the cafe (its cut-off passed) are
not cancelled behind the cafe's back: they are counted, so the manager sees them in the confirmation and can
change them in the Orders tab. Every change can be previewed with `dry_run=True`: the same code runs inside a
savepoint that is rolled back, so the confirmation shows exactly what applying will do. Removing an entry never
re-opens cancelled orders. The cut-off processing applies the same rule once more to the orders it is about to
send (`cancel_closed_orders`), so an order placed in the instant a closure was being added never reaches the cafe.

Holiday files (`parse_holiday_file`): CSV or XLSX (columns start/date, end, name and optionally kind
holiday|workday, headers in Russian or English) or iCalendar (.ics, all-day VEVENTs; DTEND is exclusive there).
Importing is all or nothing and idempotent: an entry that already exists is left alone.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock, zone
from lunch_app.domain import audit
from lunch_app.domain.dry_run import run_or_preview
from lunch_app.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from lunch_app.domain.tables import RowProblem, TableError, cell_text, parse_date_cell, read_table
from lunch_app.domain.users import require_manager
from lunch_app.domain.validation import NoControlChars, parse
from lunch_app.events.outbox import notify
from lunch_app.models import (
    Cafe,
    CafeClosure,
    ExtraWorkday,
    Holiday,
    Office,
    Order,
    OrderStatus,
    User,
)

MAX_SPAN_DAYS = 366
MAX_NAME = 100
MAX_NOTE = 200
MAX_FILE_ROWS = 1000

# --- the rule ----------------------------------------------------------------------------------------


class DayOff(enum.StrEnum):
    """Why an office does not work on a date."""

    holiday = "holiday"
    non_working = "non_working"


@dataclass(frozen=True, slots=True)
class HolidaySpan:
    id: int
    office_id: int
    start: date
    end: date
    name: str

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class ExtraDay:
    id: int
    office_id: int
    day: date
    name: str


@dataclass(frozen=True, slots=True)
class ClosureSpan:
    id: int
    cafe_id: int
    start: date
    end: date
    note: str

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class OfficeCalendar:
    """What decides an office's working days (for the dates that were loaded) and its "today"."""

    office_id: int
    zone: ZoneInfo
    working_weekdays: frozenset[int]
    holidays: tuple[HolidaySpan, ...] = ()
    extra_workdays: Mapping[date, str] = field(default_factory=dict)

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def day_off(self, day: date) -> tuple[DayOff, str] | None:
        """None on a working day; else why not, with the holiday's name."""
        if day in self.extra_workdays:
            return None
        for holiday in self.holidays:
            if holiday.covers(day):
                return DayOff.holiday, holiday.name
        if day.weekday() not in self.working_weekdays:
            return DayOff.non_working, ""
        return None


def closure_on(closures: Iterable[ClosureSpan], day: date) -> ClosureSpan | None:
    return next((closure for closure in closures if closure.covers(day)), None)


# --- loading -----------------------------------------------------------------------------------------


def _overlaps(start_column: Any, end_column: Any, start: date, end: date | None) -> list[Any]:
    conditions = [end_column >= start]
    if end is not None:
        conditions.append(start_column <= end)
    return conditions


async def office_calendars(
    session: AsyncSession, *, office_ids: Iterable[int], start: date, end: date | None
) -> dict[int, OfficeCalendar]:
    """The calendars of the given offices with the holidays and extra days that touch start…end."""
    ids = sorted(set(office_ids))
    if not ids:
        return {}
    offices = (await session.execute(sa.select(Office).where(col(Office.id).in_(ids)))).scalars().all()
    holidays = (
        await session.execute(
            sa.select(Holiday)
            .where(
                col(Holiday.office_id).in_(ids), *_overlaps(col(Holiday.start_date), col(Holiday.end_date), start, end)
            )
            .order_by(col(Holiday.start_date), col(Holiday.id))
        )
    ).scalars()
    extra_query = sa.select(ExtraWorkday).where(col(ExtraWorkday.office_id).in_(ids), col(ExtraWorkday.day) >= start)
    if end is not None:
        extra_query = extra_query.where(col(ExtraWorkday.day) <= end)
    extras = (await session.execute(extra_query)).scalars()
    spans: dict[int, list[HolidaySpan]] = {office_id: [] for office_id in ids}
    for row in holidays:
        assert row.id is not None
        spans[row.office_id].append(HolidaySpan(row.id, row.office_id, row.start_date, row.end_date, row.name))
    days: dict[int, dict[date, str]] = {office_id: {} for office_id in ids}
    for extra in extras:
        days[extra.office_id][extra.day] = extra.name
    result = {}
    for office in offices:
        assert office.id is not None
        result[office.id] = OfficeCalendar(
            office_id=office.id,
            zone=zone(office.timezone),
            working_weekdays=frozenset(office.working_weekdays),
            holidays=tuple(spans[office.id]),
            extra_workdays=days[office.id],
        )
    return result


async def office_calendar(session: AsyncSession, *, office_id: int, start: date, end: date | None) -> OfficeCalendar:
    calendars = await office_calendars(session, office_ids=[office_id], start=start, end=end)
    if office_id not in calendars:
        raise NotFound("error.office.not_found")
    return calendars[office_id]


async def cafe_closures(
    session: AsyncSession, *, cafe_ids: Iterable[int], start: date, end: date | None
) -> dict[int, list[ClosureSpan]]:
    ids = sorted(set(cafe_ids))
    result: dict[int, list[ClosureSpan]] = {cafe_id: [] for cafe_id in ids}
    if not ids:
        return result
    rows = (
        await session.execute(
            sa.select(CafeClosure)
            .where(
                col(CafeClosure.cafe_id).in_(ids),
                *_overlaps(col(CafeClosure.start_date), col(CafeClosure.end_date), start, end),
            )
            .order_by(col(CafeClosure.start_date), col(CafeClosure.id))
        )
    ).scalars()
    for row in rows:
        result[row.cafe_id].append(_closure_span(row))
    return result


def _closure_span(row: CafeClosure) -> ClosureSpan:
    assert row.id is not None
    return ClosureSpan(row.id, row.cafe_id, row.start_date, row.end_date, row.note)


# --- cancelling what a change closed ---------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEffect:
    """What a calendar change does to live orders."""

    cancelled: tuple[int, ...] = ()  # ids of `placed` orders cancelled (their owners are told)
    already_sent: tuple[int, ...] = ()  # ids of orders on closed days the cafe already has (left as they are)

    def __add__(self, other: CalendarEffect) -> CalendarEffect:
        return CalendarEffect(self.cancelled + other.cancelled, self.already_sent + other.already_sent)


_LIVE = (OrderStatus.placed, OrderStatus.sent, OrderStatus.confirmed)


def _day_closed_reason(
    calendar: OfficeCalendar | None, closures: Sequence[ClosureSpan], day: date
) -> tuple[str, str] | None:
    """(kind, text) when the calendar closes `day` for an order: the office's day off or a cafe closure."""
    if calendar is not None:
        off = calendar.day_off(day)
        if off is not None:
            return off[0].value, off[1]
    closure = closure_on(closures, day)
    if closure is not None:
        return "closure", closure.note
    return None


async def cancel_closed_orders(
    session: AsyncSession,
    *,
    start: date,
    end: date | None = None,
    office_id: int | None = None,
    cafe_id: int | None = None,
    actor_tgid: int | None,
) -> CalendarEffect:
    """Cancel the `placed` orders of start…end (of one office's people and/or one cafe) whose day the calendar now
    closes, telling each owner why; orders already sent on such days are only counted. Days before the owner's
    office's today are history and are left alone."""
    conditions: list[Any] = [col(Order.status).in_(_LIVE), col(Order.order_date) >= start]
    if end is not None:
        conditions.append(col(Order.order_date) <= end)
    if office_id is not None:
        conditions.append(col(User.office_id) == office_id)
    if cafe_id is not None:
        conditions.append(col(Order.cafe_id) == cafe_id)
    rows = (
        await session.execute(
            sa.select(Order, col(User.office_id), col(Cafe.name), col(Cafe.timezone))
            .join(Cafe, col(Cafe.id) == col(Order.cafe_id))
            .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
            .where(*conditions)
            .order_by(col(Order.order_date), col(Order.id))
            .with_for_update(of=Order)  # type: ignore[arg-type]
        )
    ).all()
    if not rows:
        return CalendarEffect()
    last = max(order.order_date for order, *_ in rows)
    calendars = await office_calendars(
        session, office_ids={oid for _, oid, _, _ in rows if oid is not None}, start=start, end=last
    )
    closures = await cafe_closures(session, cafe_ids={order.cafe_id for order, *_ in rows}, start=start, end=last)
    now = get_clock().utcnow()
    cancelled: list[int] = []
    sent: list[int] = []
    for order, owner_office, cafe_name, cafe_zone in rows:
        calendar = calendars.get(owner_office) if owner_office is not None else None
        today = calendar.today(now) if calendar is not None else now.astimezone(zone(cafe_zone)).date()
        if order.order_date < today:
            continue
        reason = _day_closed_reason(calendar, closures.get(order.cafe_id, []), order.order_date)
        if reason is None:
            continue
        assert order.id is not None
        if order.status != OrderStatus.placed:
            sent.append(order.id)
            continue
        order.status = OrderStatus.cancelled
        order.updated_at = now
        cancelled.append(order.id)
        if order.user_tgid is not None:
            notify(
                session,
                user_tgid=order.user_tgid,
                template="order_cancelled_calendar",
                params={
                    "order_id": order.id,
                    "cafe": cafe_name,
                    "date": order.order_date.isoformat(),
                    "kind": reason[0],
                    "reason": reason[1],
                },
                event_id=f"calendar-cancel:{order.id}",
            )
    if cancelled:
        audit.record(
            session,
            actor_tgid=actor_tgid,
            action="order.cancel_closed_day",
            entity="order",
            entity_id=None,
            details={"orders": cancelled},
        )
    await session.flush()
    return CalendarEffect(cancelled=tuple(cancelled), already_sent=tuple(sent))


# --- entries: input ----------------------------------------------------------------------------------

Name = Annotated[
    str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_NAME)
]
OptionalName = Annotated[
    str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, max_length=MAX_NAME)
]
Note = Annotated[str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, max_length=MAX_NOTE)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HolidayInput(_Input):
    start: date
    end: date
    name: Name


class ExtraWorkdayInput(_Input):
    day: date
    name: OptionalName = ""


class ClosureInput(_Input):
    start: date
    end: date
    note: Note = ""


_KEYS = {
    "start": "error.calendar.bad_start",
    "end": "error.calendar.bad_end",
    "day": "error.calendar.bad_day",
    "name": "error.calendar.bad_name",
    "note": "error.calendar.bad_note",
}


def _check_span(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput("error.calendar.range_order", field="end")
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        raise InvalidInput("error.calendar.range_too_long", field="end", max_days=MAX_SPAN_DAYS)


def _entry_id(value: object, not_found: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("error.calendar.bad_id", field="id")
    if not 0 < value < 2**31:
        raise NotFound(not_found)
    return value


async def _office(session: AsyncSession, office_id: object) -> Office:
    if isinstance(office_id, bool) or not isinstance(office_id, int) or not 0 < office_id < 2**31:
        raise InvalidInput("error.office.bad_id", field="office_id")
    office = await session.get(Office, office_id)
    if office is None:
        raise NotFound("error.office.not_found")
    return office


async def _cafe(session: AsyncSession, cafe_id: object) -> Cafe:
    if isinstance(cafe_id, bool) or not isinstance(cafe_id, int) or not 0 < cafe_id < 2**31:
        raise InvalidInput("error.catalogue.bad_id", field="cafe_id")
    cafe = await session.get(Cafe, cafe_id)
    if cafe is None:
        raise NotFound("error.cafe.not_found")
    return cafe


async def _actor(session: AsyncSession, actor_tgid: int | None) -> None:
    """A manager acting from the dashboard; None is the operator at the CLI (no Telegram identity)."""
    if actor_tgid is not None:
        await require_manager(session, actor_tgid)


@dataclass(frozen=True)
class CalendarChange:
    """The outcome (or, with dry_run, the preview) of one calendar change."""

    entry_id: int | None
    effect: CalendarEffect
    dry_run: bool


async def _apply(
    session: AsyncSession, dry_run: bool, work: Callable[[], Awaitable[tuple[int | None, CalendarEffect]]]
) -> CalendarChange:
    entry_id, effect = await run_or_preview(session, work, dry_run=dry_run)
    return CalendarChange(entry_id=entry_id, effect=effect, dry_run=dry_run)


# --- holidays ----------------------------------------------------------------------------------------


async def add_holiday(
    session: AsyncSession, *, actor_tgid: int | None, office_id: object, data: Any, dry_run: bool = False
) -> CalendarChange:
    """A company holiday of one office; the placed orders of its people on those days are cancelled."""
    await _actor(session, actor_tgid)
    office = await _office(session, office_id)
    parsed = parse(HolidayInput, data, _KEYS)
    _check_span(parsed.start, parsed.end)
    assert office.id is not None

    async def work() -> tuple[int | None, CalendarEffect]:
        holiday = await _store_holiday(session, office_id=office.id or 0, entry=parsed, actor_tgid=actor_tgid)
        effect = await cancel_closed_orders(
            session, start=parsed.start, end=parsed.end, office_id=office.id, actor_tgid=actor_tgid
        )
        return holiday.id, effect

    return await _apply(session, dry_run, work)


async def _store_holiday(
    session: AsyncSession, *, office_id: int, entry: HolidayInput, actor_tgid: int | None
) -> Holiday:
    duplicate = (
        await session.execute(
            sa.select(col(Holiday.id)).where(
                col(Holiday.office_id) == office_id,
                col(Holiday.start_date) == entry.start,
                col(Holiday.end_date) == entry.end,
            )
        )
    ).first()
    if duplicate is not None:
        raise Conflict("error.calendar.holiday_exists", start=entry.start.isoformat(), end=entry.end.isoformat())
    holiday = Holiday(office_id=office_id, start_date=entry.start, end_date=entry.end, name=entry.name)
    session.add(holiday)
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="holiday.add",
        entity="office",
        entity_id=office_id,
        details={"start": entry.start.isoformat(), "end": entry.end.isoformat(), "name": entry.name},
    )
    return holiday


async def update_holiday(
    session: AsyncSession, *, actor_tgid: int, holiday_id: object, data: Any, dry_run: bool = False
) -> CalendarChange:
    """Change a holiday's dates or name; the placed orders on the days it now covers are cancelled."""
    return await _update_span(session, _HOLIDAY, actor_tgid=actor_tgid, entry_id=holiday_id, data=data, dry_run=dry_run)


async def delete_holiday(session: AsyncSession, *, actor_tgid: int, holiday_id: object) -> None:
    """Remove a holiday (its days become ordinary days again; cancelled orders stay cancelled)."""
    await _delete_span(session, _HOLIDAY, actor_tgid=actor_tgid, entry_id=holiday_id)


# --- extra working days --------------------------------------------------------------------------------


async def add_extra_workday(
    session: AsyncSession, *, actor_tgid: int | None, office_id: object, data: Any
) -> CalendarChange:
    """A date the office works although its weekday (or a holiday) says otherwise. Opens days, cancels none."""
    await _actor(session, actor_tgid)
    office = await _office(session, office_id)
    parsed = parse(ExtraWorkdayInput, data, _KEYS)
    assert office.id is not None
    extra = await _store_extra_day(session, office_id=office.id, entry=parsed, actor_tgid=actor_tgid)
    return CalendarChange(entry_id=extra.id, effect=CalendarEffect(), dry_run=False)


async def _store_extra_day(
    session: AsyncSession, *, office_id: int, entry: ExtraWorkdayInput, actor_tgid: int | None
) -> ExtraWorkday:
    exists = (
        await session.execute(
            sa.select(col(ExtraWorkday.id)).where(
                col(ExtraWorkday.office_id) == office_id, col(ExtraWorkday.day) == entry.day
            )
        )
    ).first()
    if exists is not None:
        raise Conflict("error.calendar.workday_exists", day=entry.day.isoformat())
    extra = ExtraWorkday(office_id=office_id, day=entry.day, name=entry.name)
    session.add(extra)
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="workday.add",
        entity="office",
        entity_id=office_id,
        details={"day": entry.day.isoformat(), "name": entry.name},
    )
    return extra


async def delete_extra_workday(
    session: AsyncSession, *, actor_tgid: int, workday_id: object, dry_run: bool = False
) -> CalendarChange:
    """Remove an extra working day; if that makes the day a day off, its placed orders are cancelled."""
    await _actor(session, actor_tgid)
    extra = await session.get(ExtraWorkday, _entry_id(workday_id, "error.calendar.workday_not_found"))
    if extra is None:
        raise NotFound("error.calendar.workday_not_found")

    async def work() -> tuple[int | None, CalendarEffect]:
        audit.record(
            session,
            actor_tgid=actor_tgid,
            action="workday.delete",
            entity="office",
            entity_id=extra.office_id,
            details={"day": extra.day.isoformat(), "name": extra.name},
        )
        office_id, day, entry_id = extra.office_id, extra.day, extra.id
        await session.delete(extra)
        await session.flush()
        effect = await cancel_closed_orders(session, start=day, end=day, office_id=office_id, actor_tgid=actor_tgid)
        return entry_id, effect

    return await _apply(session, dry_run, work)


# --- cafe closures ---------------------------------------------------------------------------------------


async def add_closure(
    session: AsyncSession, *, actor_tgid: int, cafe_id: object, data: Any, dry_run: bool = False
) -> CalendarChange:
    """Close a cafe for start…end; the placed orders of those days are cancelled, their owners told."""
    await _actor(session, actor_tgid)
    cafe = await _cafe(session, cafe_id)
    parsed = parse(ClosureInput, data, _KEYS)
    _check_span(parsed.start, parsed.end)
    assert cafe.id is not None

    async def work() -> tuple[int | None, CalendarEffect]:
        closure = CafeClosure(cafe_id=cafe.id or 0, start_date=parsed.start, end_date=parsed.end, note=parsed.note)
        session.add(closure)
        await session.flush()
        audit.record(
            session,
            actor_tgid=actor_tgid,
            action="closure.add",
            entity="cafe",
            entity_id=cafe.id,
            details=parsed.model_dump(mode="json"),
        )
        effect = await cancel_closed_orders(
            session, start=parsed.start, end=parsed.end, cafe_id=cafe.id, actor_tgid=actor_tgid
        )
        return closure.id, effect

    return await _apply(session, dry_run, work)


async def update_closure(
    session: AsyncSession, *, actor_tgid: int, closure_id: object, data: Any, dry_run: bool = False
) -> CalendarChange:
    """Change a closure's dates or note; the placed orders on the days it now covers are cancelled."""
    return await _update_span(session, _CLOSURE, actor_tgid=actor_tgid, entry_id=closure_id, data=data, dry_run=dry_run)


async def delete_closure(session: AsyncSession, *, actor_tgid: int, closure_id: object) -> None:
    """Remove a closure (the cafe delivers those days again; cancelled orders stay cancelled)."""
    await _delete_span(session, _CLOSURE, actor_tgid=actor_tgid, entry_id=closure_id)


# --- holidays and closures alike: a date range with a text, of an office or of a cafe -----------------------


@dataclass(frozen=True)
class _SpanKind:
    model: type[Holiday] | type[CafeClosure]
    input: type[HolidayInput] | type[ClosureInput]
    text: str  # the text field: a holiday's name, a closure's note
    scope: str  # whose it is: office_id or cafe_id
    entity: str  # the audit entity of the scope
    action: str  # the audit action prefix
    not_found: str


_HOLIDAY = _SpanKind(
    Holiday, HolidayInput, "name", "office_id", "office", "holiday", "error.calendar.holiday_not_found"
)
_CLOSURE = _SpanKind(
    CafeClosure, ClosureInput, "note", "cafe_id", "cafe", "closure", "error.calendar.closure_not_found"
)


def _span_details(row: Holiday | CafeClosure, kind: _SpanKind) -> dict[str, Any]:
    return {"start": row.start_date.isoformat(), "end": row.end_date.isoformat(), kind.text: getattr(row, kind.text)}


async def _load_span(session: AsyncSession, kind: _SpanKind, entry_id: object, *, lock: bool) -> Holiday | CafeClosure:
    row = await session.get(kind.model, _entry_id(entry_id, kind.not_found), with_for_update=lock)
    if not isinstance(row, Holiday | CafeClosure):
        raise NotFound(kind.not_found)
    return row


async def _update_span(
    session: AsyncSession, kind: _SpanKind, *, actor_tgid: int, entry_id: object, data: Any, dry_run: bool
) -> CalendarChange:
    await _actor(session, actor_tgid)
    row = await _load_span(session, kind, entry_id, lock=True)
    parsed = parse(kind.input, data, _KEYS)
    _check_span(parsed.start, parsed.end)

    async def work() -> tuple[int | None, CalendarEffect]:
        before = _span_details(row, kind)
        row.start_date, row.end_date = parsed.start, parsed.end
        setattr(row, kind.text, getattr(parsed, kind.text))
        session.add(row)
        await session.flush()
        scope = getattr(row, kind.scope)
        audit.record(
            session,
            actor_tgid=actor_tgid,
            action=f"{kind.action}.update",
            entity=kind.entity,
            entity_id=scope,
            details={"before": before, "after": parsed.model_dump(mode="json")},
        )
        effect = await cancel_closed_orders(
            session, start=parsed.start, end=parsed.end, actor_tgid=actor_tgid, **{kind.scope: scope}
        )
        return row.id, effect

    return await _apply(session, dry_run, work)


async def _delete_span(session: AsyncSession, kind: _SpanKind, *, actor_tgid: int, entry_id: object) -> None:
    await _actor(session, actor_tgid)
    row = await _load_span(session, kind, entry_id, lock=False)
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action=f"{kind.action}.delete",
        entity=kind.entity,
        entity_id=getattr(row, kind.scope),
        details=_span_details(row, kind),
    )
    await session.delete(row)
    await session.flush()


# --- reading for the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarView:
    """One office's calendar entries from a date on, for the Calendar screen."""

    office_id: int
    holidays: list[HolidaySpan]
    extra_workdays: list[ExtraDay]


async def office_entries(session: AsyncSession, *, actor_tgid: int, office_id: object, since: date) -> CalendarView:
    """The holidays (ending on or after `since`) and extra working days (from `since`) of an office, by date."""
    await require_manager(session, actor_tgid)
    office = await _office(session, office_id)
    assert office.id is not None
    holidays = (
        await session.execute(
            sa.select(Holiday)
            .where(col(Holiday.office_id) == office.id, col(Holiday.end_date) >= since)
            .order_by(col(Holiday.start_date), col(Holiday.id))
        )
    ).scalars()
    extras = (
        await session.execute(
            sa.select(ExtraWorkday)
            .where(col(ExtraWorkday.office_id) == office.id, col(ExtraWorkday.day) >= since)
            .order_by(col(ExtraWorkday.day))
        )
    ).scalars()
    return CalendarView(
        office_id=office.id,
        holidays=[HolidaySpan(h.id or 0, h.office_id, h.start_date, h.end_date, h.name) for h in holidays],
        extra_workdays=[ExtraDay(e.id or 0, e.office_id, e.day, e.name) for e in extras],
    )


async def upcoming_closures(
    session: AsyncSession, *, since: date, cafe_id: int | None = None, limit: int = 50
) -> list[ClosureSpan]:
    """Closures that end on or after `since` (one cafe's or all), soonest first: the Schedule tab's "next closures"."""
    query = sa.select(CafeClosure).where(col(CafeClosure.end_date) >= since)
    if cafe_id is not None:
        query = query.where(col(CafeClosure.cafe_id) == cafe_id)
    rows = (
        await session.execute(
            query.order_by(col(CafeClosure.start_date), col(CafeClosure.id)).limit(max(1, min(limit, 500)))
        )
    ).scalars()
    return [_closure_span(row) for row in rows]


# --- holiday files -----------------------------------------------------------------------------------------


class EntryKind(enum.StrEnum):
    holiday = "holiday"
    workday = "workday"


@dataclass(frozen=True)
class HolidayRow:
    line: int
    kind: EntryKind
    start: date
    end: date
    name: str


@dataclass(frozen=True)
class HolidayFile:
    rows: list[HolidayRow]
    problems: list[RowProblem]  # every row's problem; empty when the file can be imported

    @property
    def valid(self) -> bool:
        return not self.problems


_HOLIDAY_COLUMNS: dict[str, tuple[str, ...]] = {
    "start": ("start", "date", "from", "start date", "начало", "дата", "с", "дата начала"),
    "end": ("end", "to", "until", "end date", "конец", "по", "дата окончания"),
    "name": ("name", "title", "holiday", "название", "праздник", "описание"),
    "kind": ("kind", "type", "тип", "вид"),
}
_KIND_WORDS = {
    "holiday": EntryKind.holiday,
    "day off": EntryKind.holiday,
    "выходной": EntryKind.holiday,
    "праздник": EntryKind.holiday,
    "workday": EntryKind.workday,
    "working day": EntryKind.workday,
    "рабочий": EntryKind.workday,
    "рабочий день": EntryKind.workday,
}


def parse_holiday_file(content: bytes, filename: str) -> HolidayFile:
    """A year's holidays from a CSV/XLSX table or an iCalendar file. File-level problems (not UTF-8, empty, wrong
    columns) raise TableError; row problems are collected, every row checked."""
    if filename.lower().endswith(".ics") or content.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"BEGIN:VCALENDAR"):
        return _parse_ics(content)
    table = read_table(content, filename, columns=_HOLIDAY_COLUMNS, required=("start", "name"))
    if len(table.rows) > MAX_FILE_ROWS:
        raise TableError("error.import.too_many_rows", max=MAX_FILE_ROWS)
    rows: list[HolidayRow] = []
    problems: list[RowProblem] = []
    for table_row in table.rows:
        line, cells = table_row.line, table_row.cells
        row_problems: list[RowProblem] = []
        if table_row.extra_cells:
            row_problems.append(RowProblem(line, "error.import.extra_cells", {}))
        start = parse_date_cell(cells.get("start"))
        end_cell = cells.get("end")
        end_given = cell_text(end_cell) != ""
        end = parse_date_cell(end_cell) if end_given else start
        if start is None:
            row_problems.append(
                RowProblem(line, "error.import.bad_date", {"column": "start", "value": cells.get("start")})
            )
        if end is None and end_given:
            row_problems.append(RowProblem(line, "error.import.bad_date", {"column": "end", "value": end_cell}))
        name = cell_text(cells.get("name"))
        kind_text = cell_text(cells.get("kind")).casefold()
        kind = _KIND_WORDS.get(kind_text, EntryKind.holiday) if kind_text else EntryKind.holiday
        if kind_text and kind_text not in _KIND_WORDS:
            row_problems.append(RowProblem(line, "error.import.bad_kind", {"value": cells.get("kind")}))
        if kind is EntryKind.holiday and not name:
            row_problems.append(RowProblem(line, "error.import.no_name", {}))
        if len(name) > MAX_NAME:
            row_problems.append(RowProblem(line, "error.import.name_too_long", {"max": MAX_NAME}))
        if start is not None and end is not None:
            if end < start:
                row_problems.append(RowProblem(line, "error.calendar.range_order", {}))
            elif (end - start).days + 1 > MAX_SPAN_DAYS:
                row_problems.append(RowProblem(line, "error.calendar.range_too_long", {"max_days": MAX_SPAN_DAYS}))
            elif kind is EntryKind.workday and end != start:
                row_problems.append(RowProblem(line, "error.import.workday_range", {}))
        if row_problems:
            problems.extend(row_problems)
        elif start is not None and end is not None:
            rows.append(HolidayRow(line=line, kind=kind, start=start, end=end, name=name))
    if not rows and not problems:
        raise TableError("error.import.empty")
    return HolidayFile(rows=rows, problems=problems)


_ICS_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})")


def _ics_lines(text: str) -> list[str]:
    """Unfolded content lines (RFC 5545 §3.1: a line starting with a space or tab continues the previous one)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def _ics_unescape(value: str) -> str:
    return value.replace("\\n", " ").replace("\\N", " ").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def _parse_ics(content: bytes) -> HolidayFile:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError("error.import.not_utf8") from None
    rows: list[HolidayRow] = []
    problems: list[RowProblem] = []
    event: dict[str, str] | None = None
    start_line = 0
    for number, line in enumerate(_ics_lines(text), start=1):
        name, _, value = line.partition(":")
        prop = name.split(";", 1)[0].upper()
        if prop == "BEGIN" and value.strip().upper() == "VEVENT":
            event, start_line = {}, number
        elif prop == "END" and value.strip().upper() == "VEVENT" and event is not None:
            _ics_event(event, start_line, rows, problems)
            event = None
        elif event is not None and prop in ("DTSTART", "DTEND", "SUMMARY"):
            event[prop] = value.strip()
    if len(rows) + len(problems) > MAX_FILE_ROWS:
        raise TableError("error.import.too_many_rows", max=MAX_FILE_ROWS)
    if not rows and not problems:
        raise TableError("error.import.empty")
    return HolidayFile(rows=rows, problems=problems)


def _ics_date(value: str | None) -> date | None:
    match = _ICS_DATE.match(value or "")
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _ics_event(event: dict[str, str], line: int, rows: list[HolidayRow], problems: list[RowProblem]) -> None:
    start = _ics_date(event.get("DTSTART"))
    if start is None:
        problems.append(RowProblem(line, "error.import.bad_date", {"column": "DTSTART", "value": event.get("DTSTART")}))
        return
    end = start
    if event.get("DTEND"):
        exclusive = _ics_date(event["DTEND"])
        if exclusive is None:
            problems.append(RowProblem(line, "error.import.bad_date", {"column": "DTEND", "value": event["DTEND"]}))
            return
        # All-day events end the day before DTEND; a timed event ends on DTEND's own date.
        all_day = len(event["DTEND"]) == 8
        end = max(start, exclusive - timedelta(days=1) if all_day else exclusive)
    name = " ".join(_ics_unescape(event.get("SUMMARY", "")).split())
    if not name:
        problems.append(RowProblem(line, "error.import.no_name", {}))
        return
    if len(name) > MAX_NAME:
        problems.append(RowProblem(line, "error.import.name_too_long", {"max": MAX_NAME}))
        return
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        problems.append(RowProblem(line, "error.calendar.range_too_long", {"max_days": MAX_SPAN_DAYS}))
        return
    rows.append(HolidayRow(line=line, kind=EntryKind.holiday, start=start, end=end, name=name))


@dataclass(frozen=True)
class HolidayImport:
    file: HolidayFile
    added: list[HolidayRow]  # rows that are (or, in a dry run, would be) added
    existing: list[HolidayRow]  # rows already in the calendar: left alone
    effect: CalendarEffect
    dry_run: bool


async def import_holidays(
    session: AsyncSession,
    *,
    actor_tgid: int | None,
    office_id: object,
    content: bytes,
    filename: str,
    dry_run: bool = False,
) -> HolidayImport:
    """Import a holiday file into one office's calendar: all rows or none (an invalid row refuses the whole file
    with `HolidayImportRefused`, listing every problem); rows already present are skipped, so importing the same
    file twice changes nothing the second time. The placed orders on new holidays are cancelled (see above)."""
    await _actor(session, actor_tgid)
    office = await _office(session, office_id)
    assert office.id is not None
    parsed = parse_holiday_file(content, filename)
    if not parsed.valid:
        raise HolidayImportRefused(parsed)
    holidays = {
        (h.start_date, h.end_date)
        for h in (await session.execute(sa.select(Holiday).where(col(Holiday.office_id) == office.id))).scalars()
    }
    workdays = set(
        (await session.execute(sa.select(col(ExtraWorkday.day)).where(col(ExtraWorkday.office_id) == office.id)))
        .scalars()
        .all()
    )
    added: list[HolidayRow] = []
    existing: list[HolidayRow] = []
    for row in parsed.rows:
        present = (row.start, row.end) in holidays if row.kind is EntryKind.holiday else row.start in workdays
        if present:
            existing.append(row)
            continue
        added.append(row)
        if row.kind is EntryKind.holiday:
            holidays.add((row.start, row.end))
        else:
            workdays.add(row.start)

    async def work() -> tuple[int | None, CalendarEffect]:
        for row in added:
            if row.kind is EntryKind.holiday:
                entry = HolidayInput(start=row.start, end=row.end, name=row.name)
                await _store_holiday(session, office_id=office.id or 0, entry=entry, actor_tgid=actor_tgid)
            else:
                extra = ExtraWorkdayInput(day=row.start, name=row.name)
                await _store_extra_day(session, office_id=office.id or 0, entry=extra, actor_tgid=actor_tgid)
        effect = CalendarEffect()
        spans = [row for row in added if row.kind is EntryKind.holiday]
        if spans:
            effect = await cancel_closed_orders(
                session,
                start=min(row.start for row in spans),
                end=max(row.end for row in spans),
                office_id=office.id,
                actor_tgid=actor_tgid,
            )
        return None, effect

    change = await _apply(session, dry_run, work)
    return HolidayImport(file=parsed, added=added, existing=existing, effect=change.effect, dry_run=dry_run)


class HolidayImportRefused(DomainError):
    """A holiday file with at least one invalid row: nothing was imported; `file.problems` lists every row's."""

    default_key = "error.import.invalid_rows"

    def __init__(self, file: HolidayFile) -> None:
        super().__init__("error.import.invalid_rows", count=len(file.problems))
        self.file = file
