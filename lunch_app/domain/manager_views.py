"""Read-only views for the manager dashboard (SPEC §6): the Today summary, the orders list, the audit list.

Every function is manager-guarded (`require_manager` first) and parses its untrusted arguments. Queries
are bounded (pages of at most 200 rows) and use the indexes on orders (cafe_id, order_date, status) and
(user_tgid, order_date) and on audit_log (at), so they stay fast with thousands of users and orders.

Offices: Today and the orders list can be narrowed to one office (its people's orders, the cafes serving it);
Today's "did not order" is per office, and an office whose calendar closes the date (a holiday, a day off) lists
nobody, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain.availability import DayState, evaluate_day
from lunch_app.domain.calendar import DayOff, cafe_closures, office_calendars
from lunch_app.domain.errors import NotFound
from lunch_app.domain.reports import DAY_REPORT_COLUMNS, DayReport, OfficeRef, assemble_day_report
from lunch_app.domain.users import require_manager
from lunch_app.domain.validation import like_pattern, parse, parse_id, search_number
from lunch_app.models import (
    AuditLog,
    Cafe,
    CafeOffice,
    Dispatch,
    DispatchStatus,
    Office,
    Order,
    OrderStatus,
    Schedule,
    User,
)
from lunch_app.settings import get_settings

MAX_PAGE = 200
Search = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=100)]
Offset = Annotated[StrictInt, Field(ge=0, le=10_000_000)]
Limit = Annotated[StrictInt, Field(ge=1, le=MAX_PAGE)]
OfficeFilter = Annotated[StrictInt, Field(ge=1, lt=2**31)]


# --- Today ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRef:
    tgid: int
    name: str
    office: str


@dataclass(frozen=True)
class CafeDay:
    """One cafe on one date, as the Today tab shows it."""

    cafe_id: int
    cafe_name: str
    is_active: bool
    # open | closed | sent | confirmed | failed | skipped | closure | no_delivery | disabled | cafe_inactive |
    # too_far | past
    state: str
    day_state: DayState
    cutoff_at: datetime | None  # the cut-off instant (cafe time)
    note: str  # a closure's note
    dispatch_status: DispatchStatus | None
    dispatch_error: str | None
    confirmed_by_name: str | None
    can_resend: bool
    report: DayReport


@dataclass(frozen=True)
class OfficeMissing:
    """One office's active people with no order that date."""

    office_id: int
    office: str
    active_users: int
    people: list[PersonRef]  # at most `not_ordered_limit`, by name
    total: int
    day_off: str  # "" on a working day; else holiday | non_working (then nobody is expected to order)
    day_off_name: str  # the holiday's name


@dataclass(frozen=True)
class TodaySummary:
    day: date
    office_id: int | None  # the office the summary is narrowed to
    cafes: list[CafeDay]
    active_users: int
    ordered_users: int
    not_ordered: list[PersonRef]  # at most `not_ordered_limit`, by name (offices with a day off left out)
    not_ordered_total: int
    offices: list[OfficeMissing]  # "did not order" per office, by office name


class _TodayQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date
    not_ordered_limit: Limit = 100
    office_id: OfficeFilter | None = None


def _cafe_state(day_state: DayState, dispatch: Dispatch | None) -> str:
    if dispatch is not None:
        if dispatch.status == DispatchStatus.failed:
            return "failed"
        if dispatch.confirmed_at is not None:
            return "confirmed"
        if dispatch.status == DispatchStatus.sent:
            return "sent"
        if dispatch.status == DispatchStatus.skipped:
            return "skipped"
        return "closed"
    if day_state in (DayState.open, DayState.cutoff_passed):
        return "open" if day_state is DayState.open else "closed"
    return day_state.value


def _blank(value: object) -> object:
    return None if value in ("", 0) else value


async def today_summary(
    session: AsyncSession,
    *,
    actor_tgid: int,
    day: date | str,
    not_ordered_limit: int = 100,
    office_id: object = None,
) -> TodaySummary:
    """Per cafe: cut-off and state, the day report (orders, sum, per-dish totals, who ordered); plus, per office,
    the active people with no order that day at any cafe. Cafes shown: active ones and any with orders. With
    `office_id`: only the cafes serving that office (or with orders of its people), only its people's orders."""
    await require_manager(session, actor_tgid)
    query = parse(
        _TodayQuery,
        {"day": day, "not_ordered_limit": not_ordered_limit, "office_id": _blank(office_id)},
        {"office_id": "error.office.bad_id"},
    )
    if query.office_id is not None and await session.get(Office, query.office_id) is None:
        raise NotFound("error.office.not_found")
    live = col(Order.status) != OrderStatus.cancelled
    of_office: list[Any] = []
    if query.office_id is not None:
        of_office.append(col(User.office_id) == query.office_id)
    with_orders = (
        sa.select(col(Order.cafe_id))
        .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
        .where(col(Order.order_date) == query.day, live, *of_office)
        .distinct()
    )
    shown: sa.ColumnElement[bool] = col(Cafe.is_active).is_(True)
    if query.office_id is not None:
        shown = sa.and_(
            shown,
            sa.exists().where(col(CafeOffice.cafe_id) == col(Cafe.id), col(CafeOffice.office_id) == query.office_id),
        )
    cafes = list(
        (
            await session.execute(
                sa.select(Cafe)
                .where(sa.or_(shown, col(Cafe.id).in_(with_orders)))
                .order_by(sa.func.lower(col(Cafe.name)), col(Cafe.id))
            )
        ).scalars()
    )
    cafe_ids = [cafe.id for cafe in cafes if cafe.id is not None]
    schedules = {
        row.cafe_id: row
        for row in (
            await session.execute(
                sa.select(Schedule).where(
                    col(Schedule.cafe_id).in_(cafe_ids), col(Schedule.weekday) == query.day.weekday()
                )
            )
        ).scalars()
    }
    dispatches = {
        row.cafe_id: row
        for row in (
            await session.execute(
                sa.select(Dispatch).where(col(Dispatch.cafe_id).in_(cafe_ids), col(Dispatch.date) == query.day)
            )
        ).scalars()
    }
    closures = await cafe_closures(session, cafe_ids=cafe_ids, start=query.day, end=query.day)
    # One query for the orders of every cafe that day (columns only, no ORM objects), then the report rule.
    by_cafe: dict[int, list[tuple[Any, OfficeRef | None]]] = {cafe_id: [] for cafe_id in cafe_ids}
    order_rows = await session.execute(
        sa.select(
            *DAY_REPORT_COLUMNS,
            col(Order.cafe_id),
            col(Office.id).label("office_id"),
            col(Office.name).label("office_name"),
            col(Office.address).label("office_address"),
        )
        .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
        .outerjoin(Office, col(Office.id) == col(User.office_id))
        .where(col(Order.order_date) == query.day, live, *of_office)
    )
    for row in order_rows:
        office = OfficeRef(row.office_id, row.office_name, row.office_address) if row.office_id is not None else None
        by_cafe.setdefault(row.cafe_id, []).append((row, office))
    now = get_clock().now()
    horizon = get_settings().order_horizon_days
    result: list[CafeDay] = []
    for cafe in cafes:
        assert cafe.id is not None
        availability = evaluate_day(
            cafe=cafe,
            schedule=schedules.get(cafe.id),
            day=query.day,
            now=now,
            horizon_days=horizon,
            closures=closures.get(cafe.id, []),
        )
        dispatch = dispatches.get(cafe.id)
        result.append(
            CafeDay(
                cafe_id=cafe.id,
                cafe_name=cafe.name,
                is_active=cafe.is_active,
                state=_cafe_state(availability.state, dispatch),
                day_state=availability.state,
                cutoff_at=availability.cutoff_at,
                note=availability.note,
                dispatch_status=DispatchStatus(dispatch.status) if dispatch else None,
                dispatch_error=dispatch.last_error if dispatch else None,
                confirmed_by_name=dispatch.confirmed_by_name if dispatch else None,
                can_resend=dispatch is not None
                and dispatch.status in (DispatchStatus.failed, DispatchStatus.skipped)
                and cafe.tg_chat_id is not None,
                report=assemble_day_report(
                    cafe_id=cafe.id,
                    cafe_name=cafe.name,
                    day=query.day,
                    rows=by_cafe.get(cafe.id, []),
                    office_id=query.office_id,
                ),
            )
        )
    offices = await _not_ordered_by_office(
        session, day=query.day, office_id=query.office_id, limit=query.not_ordered_limit
    )
    working = [entry for entry in offices if not entry.day_off]
    missing = sorted(
        (person for entry in working for person in entry.people), key=lambda p: (p.name.casefold(), p.tgid)
    )
    active_users = sum(entry.active_users for entry in offices)
    not_total = sum(entry.total for entry in working)
    return TodaySummary(
        day=query.day,
        office_id=query.office_id,
        cafes=result,
        active_users=active_users,
        ordered_users=active_users - sum(entry.total for entry in offices),
        not_ordered=missing[: query.not_ordered_limit],
        not_ordered_total=not_total,
        offices=offices,
    )


async def _not_ordered_by_office(
    session: AsyncSession, *, day: date, office_id: int | None, limit: int
) -> list[OfficeMissing]:
    """Per office (all, or one): its active people, and those with no live order that day (at most `limit` named)."""
    live = col(Order.status) != OrderStatus.cancelled
    ordered = sa.exists().where(col(Order.user_tgid) == col(User.tgid), col(Order.order_date) == day, live)
    active = col(User.is_active).is_(True)
    office_query = sa.select(Office).order_by(sa.func.lower(col(Office.name)), col(Office.id))
    if office_id is not None:
        office_query = office_query.where(col(Office.id) == office_id)
    offices = list((await session.execute(office_query)).scalars())
    ids = [office.id for office in offices if office.id is not None]
    counts = dict(
        (
            await session.execute(
                sa.select(col(User.office_id), sa.func.count())
                .where(active, col(User.office_id).in_(ids))
                .group_by(col(User.office_id))
            )
        ).all()
    )
    missing_counts = dict(
        (
            await session.execute(
                sa.select(col(User.office_id), sa.func.count())
                .where(active, ~ordered, col(User.office_id).in_(ids))
                .group_by(col(User.office_id))
            )
        ).all()
    )
    calendars = await office_calendars(session, office_ids=ids, start=day, end=day)
    result = []
    for office in offices:
        assert office.id is not None
        if not counts.get(office.id) and not office.is_active:
            continue  # an inactive office nobody is in any more
        people = (
            await session.execute(
                sa.select(col(User.tgid), col(User.name))
                .where(active, ~ordered, col(User.office_id) == office.id)
                .order_by(sa.func.lower(col(User.name)), col(User.tgid))
                .limit(limit)
            )
        ).all()
        off = calendars[office.id].day_off(day)
        result.append(
            OfficeMissing(
                office_id=office.id,
                office=office.name,
                active_users=int(counts.get(office.id, 0)),
                people=[PersonRef(tgid=tgid, name=name, office=office.name) for tgid, name in people],
                total=int(missing_counts.get(office.id, 0)),
                day_off=off[0].value if off is not None else "",
                day_off_name=off[1] if off is not None and off[0] is DayOff.holiday else "",
            )
        )
    return result


# --- Orders --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    id: int
    user_tgid: int | None
    user_name: str
    office: str
    cafe_id: int
    cafe_name: str
    order_date: date
    status: OrderStatus
    combo_id: int | None
    combo_name: str | None
    combo_price: Decimal | None
    lines: list[dict[str, Any]]
    notes: str
    total: Decimal
    updated_at: datetime


@dataclass(frozen=True)
class OrderPage:
    items: list[OrderRow]
    total: int


class _OrderQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date | None = None
    cafe_id: Annotated[StrictInt, Field(ge=1, lt=2**31)] | None = None
    office_id: OfficeFilter | None = None
    person: Search | None = None
    status: OrderStatus | None = None
    offset: Offset = 0
    limit: Limit = 50


def _order_row(order: Order, office: str | None, cafe_name: str) -> OrderRow:
    assert order.id is not None
    return OrderRow(
        id=order.id,
        user_tgid=order.user_tgid,
        user_name=order.user_name,
        office=office or "",
        cafe_id=order.cafe_id,
        cafe_name=cafe_name,
        order_date=order.order_date,
        status=OrderStatus(order.status),
        combo_id=order.combo_id,
        combo_name=order.combo_name,
        combo_price=None if order.combo_price is None else Decimal(order.combo_price),
        lines=list(order.lines or []),
        notes=order.notes or "",
        total=Decimal(order.total),
        updated_at=order.updated_at,
    )


async def list_orders(
    session: AsyncSession,
    *,
    actor_tgid: int,
    day: object = None,
    cafe_id: object = None,
    person: object = None,
    status: object = None,
    offset: object = 0,
    limit: object = 50,
    office_id: object = None,
) -> OrderPage:
    """Orders, newest date first, filtered by date, cafe, office (of the person), person (name on the order, or
    Telegram id) and status; one page plus the number of matching orders."""
    await require_manager(session, actor_tgid)
    query = parse(
        _OrderQuery,
        {
            "day": day or None,
            "cafe_id": cafe_id or None,
            "office_id": office_id or None,
            "person": person or None,
            "status": status or None,
            "offset": offset,
            "limit": limit,
        },
    )
    conditions: list[Any] = []
    if query.day is not None:
        conditions.append(col(Order.order_date) == query.day)
    if query.cafe_id is not None:
        conditions.append(col(Order.cafe_id) == query.cafe_id)
    if query.status is not None:
        conditions.append(col(Order.status) == query.status)
    if query.office_id is not None:
        conditions.append(
            col(Order.user_tgid).in_(sa.select(col(User.tgid)).where(col(User.office_id) == query.office_id))
        )
    if query.person:
        text = query.person.lstrip("@")
        matches: list[Any] = [col(Order.user_name).ilike(like_pattern(text), escape="\\")]
        number = search_number(text)
        if number is not None:
            matches.append(col(Order.user_tgid) == number)
            matches.append(col(Order.id) == number if number < 2**31 else sa.false())
        conditions.append(sa.or_(*matches))
    total = int((await session.execute(sa.select(sa.func.count()).select_from(Order).where(*conditions))).scalar_one())
    rows = (
        await session.execute(
            sa.select(Order, col(Office.name), col(Cafe.name))
            .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
            .outerjoin(Office, col(Office.id) == col(User.office_id))
            .join(Cafe, col(Cafe.id) == col(Order.cafe_id))
            .where(*conditions)
            .order_by(col(Order.order_date).desc(), col(Order.id).desc())
            .offset(query.offset)
            .limit(query.limit)
        )
    ).all()
    return OrderPage(items=[_order_row(order, office, name) for order, office, name in rows], total=total)


async def get_order_row(session: AsyncSession, *, actor_tgid: int, order_id: object) -> OrderRow:
    await require_manager(session, actor_tgid)
    order_id = parse_id(order_id, "order_id")
    row = (
        await session.execute(
            sa.select(Order, col(Office.name), col(Cafe.name))
            .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
            .outerjoin(Office, col(Office.id) == col(User.office_id))
            .join(Cafe, col(Cafe.id) == col(Order.cafe_id))
            .where(col(Order.id) == order_id)
        )
    ).first()
    if row is None:
        raise NotFound("error.order.not_found")
    return _order_row(row[0], row[1], row[2])


KEEP_COMBO: Literal["keep"] = "keep"


def edited_draft(
    order: OrderRow,
    *,
    items: list[tuple[Any, Any, dict[str, str]]],
    notes: str,
    combo: tuple[Any, list[tuple[Any, dict[str, str]]]] | Literal["keep"] | None = KEEP_COMBO,
) -> dict[str, Any]:
    """The draft for `orders.update_order` built from what the dashboard edited.

    `items` = [(menu_item_id, quantity, options)] replace the à-la-carte lines; quantity 0 drops a line.
    `combo` = (combo_id, [(menu_item_id, options)]) replaces the combo and its dishes, None removes it, and
    KEEP_COMBO keeps the order's combo with its dishes and options. The domain re-validates and re-prices the
    draft; this only reshapes it."""
    draft: dict[str, Any] = {
        "cafe_id": order.cafe_id,
        "order_date": order.order_date,
        "items": [
            {"menu_item_id": item_id, "quantity": quantity, "options": dict(options)}
            for item_id, quantity, options in items
            if quantity != 0
        ],
        "notes": notes,
    }
    if combo == KEEP_COMBO:
        if order.combo_id is not None:
            draft["combo"] = {
                "combo_id": order.combo_id,
                "dishes": [
                    {"menu_item_id": line["menu_item_id"], "options": dict(line.get("options") or {})}
                    for line in order.lines
                    if line.get("kind") == "combo_dish"
                ],
            }
    elif combo is not None:
        combo_id, dishes = combo
        draft["combo"] = {
            "combo_id": combo_id,
            "dishes": [{"menu_item_id": item_id, "options": dict(options)} for item_id, options in dishes],
        }
    return draft


# --- Audit ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_tgid: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditRow]
    total: int


class _AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    search: Search | None = None
    offset: Offset = 0
    limit: Limit = 50


async def list_audit(
    session: AsyncSession, *, actor_tgid: int, search: object = None, offset: object = 0, limit: object = 50
) -> AuditPage:
    """Audit entries, newest first; `search` matches the action, the entity, the entity id or the actor
    (name or Telegram id)."""
    await require_manager(session, actor_tgid)
    query = parse(_AuditQuery, {"search": search or None, "offset": offset, "limit": limit})
    conditions: list[Any] = []
    if query.search:
        pattern = like_pattern(query.search)
        actors = sa.select(col(User.tgid)).where(col(User.name).ilike(pattern, escape="\\"))
        matches: list[Any] = [
            col(AuditLog.action).ilike(pattern, escape="\\"),
            col(AuditLog.entity).ilike(pattern, escape="\\"),
            col(AuditLog.entity_id) == query.search,
            col(AuditLog.actor_tgid).in_(actors),
        ]
        number = search_number(query.search)
        if number is not None:
            matches.append(col(AuditLog.actor_tgid) == number)
        conditions.append(sa.or_(*matches))
    total = int(
        (await session.execute(sa.select(sa.func.count()).select_from(AuditLog).where(*conditions))).scalar_one()
    )
    rows = (
        await session.execute(
            sa.select(AuditLog, col(User.name))
            .outerjoin(User, col(User.tgid) == col(AuditLog.actor_tgid))
            .where(*conditions)
            .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
            .offset(query.offset)
            .limit(query.limit)
        )
    ).all()
    items = []
    for entry, name in rows:
        assert entry.id is not None
        items.append(
            AuditRow(
                id=entry.id,
                at=entry.at,
                actor_tgid=entry.actor_tgid,
                actor_name=name or "",
                action=entry.action,
                entity=entry.entity,
                entity_id=entry.entity_id,
                details=dict(entry.details or {}),
            )
        )
    return AuditPage(items=items, total=total)
