"""Offices and their time zones (issue 11 "Offices", "Time per office").

Decisions:
- An office has a unique name (compared case-insensitively), an IANA time zone (checked against the zone
  database), a delivery address, a working week (Monday–Friday by default; lunch_app/domain/calendar.py adds
  holidays and extra working days) and is active or not. Every person belongs to exactly one office
  (`users.office_id`, NOT NULL, ON DELETE RESTRICT), and so does every access request.
- An office with people (or access requests) is deactivated, never deleted; an inactive office is no longer
  offered to newcomers (access form, user form, import), while its people keep ordering until moved.
- A cafe serves one or more offices (`cafe_offices`); employees see and order only from the cafes of their office.
- Time: everything an employee sees is in their office's zone — "today", the 7-day strip, the cut-off clock time,
  "this week" in the profile, the reminder's time, the nightly tips at 03:00. A cafe's schedule is in the cafe's
  own zone, so each (cafe, date) has one cut-off instant for everyone (lunch_app/domain/availability.py).
- APP_TIMEZONE is only the default zone of a new office or cafe. When a person must be put somewhere and no
  office is named (a manager from MANAGER_TGIDS, `create-manager` without --office), they join the oldest
  active office, or a new "Основной офис" in APP_TIMEZONE when there is none yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock, local_today, zone
from lunch_app.domain import audit
from lunch_app.domain.calendar import CalendarEffect, cancel_closed_orders
from lunch_app.domain.dry_run import run_or_preview
from lunch_app.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from lunch_app.domain.users import require_manager
from lunch_app.domain.validation import NoControlChars, parse
from lunch_app.models import WORKING_WEEK, AccessRequest, Cafe, CafeOffice, Office, User, default_timezone

DEFAULT_OFFICE_NAME = "Основной офис"
MAX_NAME = 100
MAX_ADDRESS = 300
MAX_ZONE = 64


_NOT_ZONES = {"localtime", "Factory", "posixrules"}  # files of the zone database that are not places


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(
        name for name in available_timezones() if name not in _NOT_ZONES and not name.startswith(("posix/", "right/"))
    )


def check_timezone(value: str) -> str:
    """An IANA zone name ("Asia/Novosibirsk"), as the zone database spells it; ValueError otherwise."""
    text = value.strip()
    if text not in known_timezones():
        raise ValueError("unknown time zone")
    return text


def parse_timezone(value: object) -> str:
    """A time zone from untrusted input, or InvalidInput("error.office.bad_timezone") naming it."""
    try:
        if not isinstance(value, str):
            raise ValueError("not text")
        return check_timezone(value)
    except ValueError:
        raise InvalidInput("error.office.bad_timezone", field="timezone", timezone=str(value)[:64]) from None


def check_zone_field(data: Any) -> None:
    """Name the zone in the refusal when `data` carries a bad "timezone" (the generic parse names only the field)."""
    if isinstance(data, dict) and data.get("timezone") is not None:
        parse_timezone(data["timezone"])


def _weekdays(value: list[int]) -> list[int]:
    if len(set(value)) != len(value):
        raise ValueError("a weekday twice")
    return sorted(value)


OfficeName = Annotated[
    str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_NAME)
]
Address = Annotated[str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, max_length=MAX_ADDRESS)]
Timezone = Annotated[str, StringConstraints(strict=True, max_length=MAX_ZONE), AfterValidator(check_timezone)]
Weekdays = Annotated[list[Annotated[StrictInt, Field(ge=0, le=6)]], Field(max_length=7), AfterValidator(_weekdays)]


class OfficeInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: OfficeName
    timezone: Timezone = Field(default_factory=default_timezone)
    address: Address = ""
    working_weekdays: Weekdays = Field(default_factory=lambda: list(WORKING_WEEK))
    is_active: StrictBool = True


_KEYS = {
    "name": "error.office.bad_name",
    "timezone": "error.office.bad_timezone",
    "address": "error.office.bad_address",
    "working_weekdays": "error.office.bad_weekdays",
    "is_active": "error.catalogue.bad_flag",
}


@dataclass(frozen=True, slots=True)
class OfficeView:
    id: int
    name: str
    timezone: str
    address: str
    working_weekdays: tuple[int, ...]
    is_active: bool

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def today(self, now: datetime | None = None) -> date:
        """The office's local today (at `now`, default the clock's now)."""
        return (now or get_clock().utcnow()).astimezone(self.zone).date()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "timezone": self.timezone,
            "address": self.address,
            "working_weekdays": list(self.working_weekdays),
            "is_active": self.is_active,
        }


def office_view(office: Office) -> OfficeView:
    assert office.id is not None
    return OfficeView(
        id=office.id,
        name=office.name,
        timezone=office.timezone,
        address=office.address,
        working_weekdays=tuple(sorted(office.working_weekdays)),
        is_active=office.is_active,
    )


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


# --- reading -----------------------------------------------------------------------------------------------


async def list_offices(session: AsyncSession, *, active_only: bool = False) -> list[OfficeView]:
    """Offices by name (the choices of the access form and the user form are the active ones)."""
    query = sa.select(Office).order_by(sa.func.lower(col(Office.name)), col(Office.id))
    if active_only:
        query = query.where(col(Office.is_active).is_(True))
    return [office_view(office) for office in (await session.execute(query)).scalars()]


def parse_office_id(value: object) -> int:
    """An office id from untrusted input (an int, or the digits a form's select sends)."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise InvalidInput("error.office.bad_id", field="office_id")
    return value


async def load_office(session: AsyncSession, office_id: object, *, for_update: bool = False) -> Office:
    office = await session.get(Office, parse_office_id(office_id), with_for_update=for_update)
    if office is None:
        raise NotFound("error.office.not_found")
    return office


async def get_office(session: AsyncSession, office_id: object) -> OfficeView:
    return office_view(await load_office(session, office_id))


async def require_active_office(session: AsyncSession, office_id: object) -> Office:
    """An office a newcomer may be put in: it exists and is active."""
    office = await load_office(session, office_id)
    if not office.is_active:
        raise Conflict("error.office.inactive", office=office.name)
    return office


async def find_office(session: AsyncSession, name: str) -> Office | None:
    """The office with this name, compared case- and space-insensitively (imports, the CLI)."""
    wanted = _key(name)
    if not wanted:
        return None
    for office in (await session.execute(sa.select(Office))).scalars():
        if _key(office.name) == wanted:
            return office
    return None


async def offices_by_key(session: AsyncSession) -> dict[str, Office]:
    """Every office keyed by its folded name (one query for a whole import)."""
    return {_key(office.name): office for office in (await session.execute(sa.select(Office))).scalars()}


async def office_of(session: AsyncSession, user: User) -> Office:
    office = await session.get(Office, user.office_id)
    assert office is not None  # NOT NULL foreign key
    return office


async def office_today(session: AsyncSession, user: User) -> date:
    """The person's "today": the date in their office's zone."""
    return local_today(zone((await office_of(session, user)).timezone))


async def office_names(session: AsyncSession, office_ids: Iterable[int] | None = None) -> dict[int, str]:
    query = sa.select(col(Office.id), col(Office.name))
    if office_ids is not None:
        query = query.where(col(Office.id).in_(set(office_ids)))
    rows: Any = (await session.execute(query)).all()
    return {office_id: name for office_id, name in rows}


async def ensure_default_office(session: AsyncSession) -> Office:
    """The office people join when none is named: the oldest active one, or a new "Основной офис"."""
    office = (
        await session.execute(
            sa.select(Office).where(col(Office.is_active).is_(True)).order_by(col(Office.id)).limit(1)
        )
    ).scalar_one_or_none()
    if office is not None:
        return office
    existing = await find_office(session, DEFAULT_OFFICE_NAME)
    if existing is not None:  # the default office exists but was deactivated: it is used again
        existing.is_active = True
        await session.flush()
        return existing
    office = Office(name=DEFAULT_OFFICE_NAME, timezone=default_timezone())
    try:
        async with session.begin_nested():
            session.add(office)
    except IntegrityError:  # another process (a second worker starting up) created it a moment ago
        created = await find_office(session, DEFAULT_OFFICE_NAME)
        if created is None:
            raise
        return created
    audit.record(
        session,
        actor_tgid=None,
        action="office.create",
        entity="office",
        entity_id=office.id,
        details={"name": office.name, "timezone": office.timezone, "default": True},
    )
    return office


# --- changes -----------------------------------------------------------------------------------------------


async def _actor(session: AsyncSession, actor_tgid: int | None) -> None:
    """A manager from the dashboard; None is the operator at the CLI."""
    if actor_tgid is not None:
        await require_manager(session, actor_tgid)


async def _check_unique(session: AsyncSession, name: str, *, except_id: int | None = None) -> None:
    same = await find_office(session, name)
    if same is not None and same.id != except_id:
        raise Conflict("error.office.exists", name=same.name)


async def create_office(session: AsyncSession, *, actor_tgid: int | None, data: Any) -> OfficeView:
    """A new office: {name, timezone (default APP_TIMEZONE), address, working_weekdays, is_active}."""
    await _actor(session, actor_tgid)
    check_zone_field(data)
    parsed = parse(OfficeInput, data, _KEYS)
    await _check_unique(session, parsed.name)
    office = Office(**parsed.model_dump())
    session.add(office)
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="office.create",
        entity="office",
        entity_id=office.id,
        details=parsed.model_dump(),
    )
    return office_view(office)


@dataclass(frozen=True)
class OfficeChange:
    office: OfficeView
    effect: CalendarEffect  # orders on days the new working week closes
    dry_run: bool


async def update_office(
    session: AsyncSession, *, actor_tgid: int | None, office_id: object, data: Any, dry_run: bool = False
) -> OfficeChange:
    """Change any of name, timezone, address, working_weekdays, is_active (fields left out stay). A working week
    that drops weekdays cancels the placed orders of the office's people on those days (see domain/calendar)."""
    await _actor(session, actor_tgid)
    office = await load_office(session, office_id, for_update=True)
    current = office_view(office).as_dict()
    del current["id"]
    if not isinstance(data, dict):
        raise InvalidInput("error.invalid_input", details="input", field="input")
    check_zone_field(data)
    parsed = parse(OfficeInput, {**current, **data}, _KEYS)
    await _check_unique(session, parsed.name, except_id=office.id)
    if not parsed.is_active and office.is_active:
        await _check_not_last_active(session, office)
    changes = {key: value for key, value in parsed.model_dump().items() if current[key] != value}
    fewer_days = set(current["working_weekdays"]) - set(parsed.working_weekdays)

    async def work() -> OfficeChange:
        for key, value in changes.items():
            setattr(office, key, value)
        session.add(office)
        await session.flush()
        if changes:
            audit.record(
                session,
                actor_tgid=actor_tgid,
                action="office.update",
                entity="office",
                entity_id=office.id,
                details={key: {"from": current[key], "to": value} for key, value in changes.items()},
            )
        effect = CalendarEffect()
        if fewer_days:
            effect = await cancel_closed_orders(
                session, start=local_today(zone(parsed.timezone)), office_id=office.id, actor_tgid=actor_tgid
            )
        return OfficeChange(office=office_view(office), effect=effect, dry_run=dry_run)

    return await run_or_preview(session, work, dry_run=dry_run)


async def _check_not_last_active(session: AsyncSession, office: Office) -> None:
    others = (
        await session.execute(
            sa.select(sa.func.count())
            .select_from(Office)
            .where(col(Office.is_active).is_(True), col(Office.id) != office.id)
        )
    ).scalar_one()
    if not others:
        raise Conflict("error.office.last_active")


async def set_office_active(session: AsyncSession, *, actor_tgid: int, office_id: object, active: object) -> OfficeView:
    if not isinstance(active, bool):
        raise InvalidInput("error.catalogue.bad_flag", field="active")
    change = await update_office(session, actor_tgid=actor_tgid, office_id=office_id, data={"is_active": active})
    return change.office


async def delete_office(session: AsyncSession, *, actor_tgid: int, office_id: object) -> None:
    """Delete an office nobody belongs to (no people, no access requests); otherwise deactivate it instead."""
    await require_manager(session, actor_tgid)
    office = await load_office(session, office_id, for_update=True)
    people = (
        await session.execute(sa.select(sa.func.count()).select_from(User).where(col(User.office_id) == office.id))
    ).scalar_one()
    requests = (
        await session.execute(
            sa.select(sa.func.count()).select_from(AccessRequest).where(col(AccessRequest.office_id) == office.id)
        )
    ).scalar_one()
    if people or requests:
        raise Conflict("error.office.has_people", office=office.name, people=people)
    # A cafe serves at least one office: one that serves only this one keeps it.
    others = sa.select(col(CafeOffice.cafe_id)).where(col(CafeOffice.office_id) != office.id)
    orphan = (
        await session.execute(
            sa.select(col(Cafe.name))
            .join(CafeOffice, col(CafeOffice.cafe_id) == col(Cafe.id))
            .where(col(CafeOffice.office_id) == office.id, col(Cafe.id).not_in(others))
            .order_by(col(Cafe.name))
            .limit(1)
        )
    ).scalar_one_or_none()
    if orphan is not None:
        raise Conflict("error.office.only_office_of_cafe", office=office.name, cafe=orphan)
    if office.is_active:
        await _check_not_last_active(session, office)
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="office.delete",
        entity="office",
        entity_id=office.id,
        details={"name": office.name},
    )
    await session.delete(office)
    await session.flush()


# --- which cafes serve which offices ----------------------------------------------------------------------


async def cafe_office_ids(session: AsyncSession, cafe_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = sorted(set(cafe_ids))
    result: dict[int, list[int]] = {cafe_id: [] for cafe_id in ids}
    if not ids:
        return result
    rows = await session.execute(
        sa.select(col(CafeOffice.cafe_id), col(CafeOffice.office_id))
        .where(col(CafeOffice.cafe_id).in_(ids))
        .order_by(col(CafeOffice.office_id))
    )
    for cafe_id, office_id in rows.all():
        result[cafe_id].append(office_id)
    return result


async def serves(session: AsyncSession, *, cafe_id: int, office_id: int) -> bool:
    row = await session.execute(
        sa.select(sa.literal(1)).where(col(CafeOffice.cafe_id) == cafe_id, col(CafeOffice.office_id) == office_id)
    )
    return row.first() is not None


async def require_serves(session: AsyncSession, *, cafe_id: int, office_id: int) -> None:
    """Employees see only the cafes of their office: anything else is refused as if it were not there."""
    if not await serves(session, cafe_id=cafe_id, office_id=office_id):
        raise Forbidden("error.cafe.not_for_office")
