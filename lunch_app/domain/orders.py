"""Placing, quoting, editing and cancelling orders (SPEC §4 "Placing an order", "Editing and cancelling").

Every check happens here, on the server, before anything is stored. The weekly limit is enforced
atomically by locking the owner's user row for the rest of the transaction, so two concurrent orders of
one person are serialised; the partial unique index on orders makes a double tap harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict
from sqlalchemy import and_, bindparam, case, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock, local_today, week_bounds, zone
from lunch_app.domain import audit
from lunch_app.domain.availability import ensure_open, evaluate_day, require_open
from lunch_app.domain.calendar import ClosureSpan, HolidaySpan, OfficeCalendar, cafe_closures, office_calendar
from lunch_app.domain.errors import Conflict, Forbidden, InvalidInput, LimitExceeded, NotFound
from lunch_app.domain.offices import office_of
from lunch_app.domain.users import require_active_user
from lunch_app.domain.validation import clean_text, parse, parse_id
from lunch_app.events.outbox import notify
from lunch_app.models import (
    Cafe,
    CafeClosure,
    CafeOffice,
    Category,
    Combo,
    ExtraWorkday,
    Holiday,
    MenuItem,
    MenuItemOption,
    Office,
    Order,
    OrderStatus,
    Role,
    Schedule,
    User,
)
from lunch_app.settings import get_settings

MAX_QUANTITY = 20
MAX_NOTES = 500
MAX_LINES = 50
CENT = Decimal("0.01")

Id = Annotated[int, Strict(), Field(gt=0, lt=2**31)]
OptionText = Annotated[str, Strict(), Field(max_length=100)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemLineIn(_Input):
    menu_item_id: Id
    quantity: Annotated[int, Strict()] = 1
    options: dict[OptionText, OptionText] = Field(default_factory=dict, max_length=20)


class ComboDishIn(_Input):
    menu_item_id: Id
    options: dict[OptionText, OptionText] = Field(default_factory=dict, max_length=20)


class ComboChoiceIn(_Input):
    combo_id: Id
    dishes: list[ComboDishIn] = Field(default_factory=list, max_length=len(Category))


class OrderDraft(_Input):
    """What a client sends: the cafe, the day, an optional combo and à-la-carte lines."""

    cafe_id: Id
    order_date: date
    combo: ComboChoiceIn | None = None
    items: list[ItemLineIn] = Field(default_factory=list, max_length=MAX_LINES)
    notes: Annotated[str, Strict(), Field(max_length=10_000)] = ""


@dataclass(frozen=True)
class DayFacts:
    """What the calendar says about the order's date, read with the cafe (for one office; see domain/calendar)."""

    served: bool  # the cafe serves the office
    holiday: HolidaySpan | None  # the office's holiday covering the date
    extra_workday: str | None  # the office's extra working day that date (its name), if any
    closure: ClosureSpan | None  # the cafe's closure covering the date

    def calendar_for(self, *, office_id: int, timezone: str, working_weekdays: list[int], day: date) -> OfficeCalendar:
        return OfficeCalendar(
            office_id=office_id,
            zone=zone(timezone),
            working_weekdays=frozenset(working_weekdays),
            holidays=(self.holiday,) if self.holiday is not None else (),
            extra_workdays={day: self.extra_workday} if self.extra_workday is not None else {},
        )


@dataclass(frozen=True)
class PricedOrder:
    """A validated draft: the line snapshot and the total computed from current prices."""

    cafe: Cafe
    schedule: Schedule | None  # the cafe's schedule for the order's weekday
    order_date: date
    combo: Combo | None
    lines: list[dict[str, Any]]
    notes: str
    total: Decimal
    facts: DayFacts

    def require_open_for(self, *, office_id: int, timezone: str, working_weekdays: list[int]) -> None:
        """An employee of this office may order this (cafe, date) now: the cafe serves the office and the day is
        open for it (DayClosed with the reason otherwise)."""
        if not self.facts.served:
            raise Forbidden("error.cafe.not_for_office")
        calendar = self.facts.calendar_for(
            office_id=office_id, timezone=timezone, working_weekdays=working_weekdays, day=self.order_date
        )
        closures = (self.facts.closure,) if self.facts.closure is not None else ()
        require_open(cafe=self.cafe, schedule=self.schedule, day=self.order_date, office=calendar, closures=closures)


@dataclass(frozen=True)
class WeekBalance:
    week_start: date
    week_end: date
    spent: Decimal
    limit: Decimal | None

    @property
    def remaining(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.spent


@dataclass(frozen=True)
class OrderQuote:
    total: Decimal
    lines: list[dict[str, Any]]
    balance: WeekBalance  # the week without this order
    remaining_after: Decimal | None


@dataclass(frozen=True)
class RepeatResult:
    draft: OrderDraft | None
    skipped: list[str] = field(default_factory=list)


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT)


# --- validation and pricing --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dish:
    id: int
    name: str
    category: str
    price: Decimal | None
    is_available: bool


@dataclass(frozen=True)
class _Option:
    name: str
    values: list[str]
    is_required: bool


def _check_options(item: _Dish, options: dict[str, OptionText], known: list[_Option]) -> dict[str, str]:
    by_name = {option.name: option for option in known}
    for name, value in options.items():
        option = by_name.get(name)
        if option is None:
            raise InvalidInput("error.order.unknown_option", dish=item.name, option=name)
        if value not in option.values:
            raise InvalidInput("error.order.bad_option_value", dish=item.name, option=name, value=value)
    for option in known:
        if option.is_required and not options.get(option.name):
            raise InvalidInput("error.order.option_required", dish=item.name, option=option.name)
    # Snapshot in the dish's own option order, so equal choices always look the same.
    return {option.name: options[option.name] for option in known if option.name in options}


_DISHES = (
    select(
        col(MenuItem.id),
        col(MenuItem.name),
        col(MenuItem.category),
        col(MenuItem.price),
        col(MenuItem.is_available),
        col(MenuItemOption.name),
        col(MenuItemOption.values),
        col(MenuItemOption.is_required),
    )
    .outerjoin(MenuItemOption, col(MenuItemOption.menu_item_id) == col(MenuItem.id))
    .where(col(MenuItem.id).in_(bindparam("ids", expanding=True)), col(MenuItem.cafe_id) == bindparam("cafe_id"))
    .order_by(col(MenuItemOption.id))
)


async def _load_items(
    session: AsyncSession, cafe_id: int, ids: set[int]
) -> tuple[dict[int, _Dish], dict[int, list[_Option]]]:
    """The dishes and their options in one round trip; a dish of another cafe counts as unknown.
    (Plain columns rather than ORM objects: this runs for every order at lunch time.)"""
    if not ids:
        return {}, {}
    connection = await session.connection()  # plain Core rows: no ORM layer needed
    rows = await connection.execute(_DISHES, {"ids": list(ids), "cafe_id": cafe_id})
    items: dict[int, _Dish] = {}
    options: dict[int, list[_Option]] = {menu_item_id: [] for menu_item_id in ids}
    for row in rows:
        item_id: int = row[0]  # type: ignore[assignment]  # never NULL: the primary key
        name, category, price, available, option_name, values, required = row[1:]
        if item_id not in items:
            items[item_id] = _Dish(item_id, name, str(category), price, available)
        if option_name is not None:
            options[item_id].append(_Option(option_name, values, required))
    for menu_item_id in ids:
        if menu_item_id not in items:
            raise NotFound("error.order.dish_not_found", id=menu_item_id)
    return items, options


def _line(kind: str, item: _Dish, unit_price: Decimal, quantity: int, options: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": kind,
        "menu_item_id": item.id,
        "name": item.name,
        "category": item.category,
        "unit_price": str(money(unit_price)),
        "quantity": quantity,
        "options": options,
    }


# Hot-path statements are built once with bind parameters: building SQLAlchemy expressions on every call
# costs more CPU than running them. What the calendars say about the date comes from outer joins of the same
# statement (overlapping holidays or closures could repeat the row: any one of them explains the refusal).
_DAY: Any = bindparam("day")
_OFFICE: Any = bindparam("office_id")
_CAFE_DAY_AND_COMBO = (
    select(
        col(Cafe.id),
        col(Cafe.name),
        col(Cafe.is_active),
        col(Cafe.timezone),
        col(CafeOffice.office_id),
        col(Holiday.id),
        col(Holiday.start_date),
        col(Holiday.end_date),
        col(Holiday.name),
        col(ExtraWorkday.name),
        col(CafeClosure.id),
        col(CafeClosure.start_date),
        col(CafeClosure.end_date),
        col(CafeClosure.note),
        col(Schedule.id),
        col(Schedule.cutoff_time),
        col(Schedule.cutoff_days_before),
        col(Schedule.is_enabled),
        col(Combo.id),
        col(Combo.name),
        col(Combo.categories),
        col(Combo.price),
        col(Combo.is_available),
    )
    .select_from(Cafe)
    .outerjoin(Schedule, and_(col(Schedule.cafe_id) == col(Cafe.id), col(Schedule.weekday) == bindparam("weekday")))
    .outerjoin(Combo, and_(col(Combo.id) == bindparam("combo_id"), col(Combo.cafe_id) == col(Cafe.id)))
    .outerjoin(CafeOffice, and_(col(CafeOffice.cafe_id) == col(Cafe.id), col(CafeOffice.office_id) == _OFFICE))
    .outerjoin(
        Holiday,
        and_(col(Holiday.office_id) == _OFFICE, col(Holiday.start_date) <= _DAY, col(Holiday.end_date) >= _DAY),
    )
    .outerjoin(ExtraWorkday, and_(col(ExtraWorkday.office_id) == _OFFICE, col(ExtraWorkday.day) == _DAY))
    .outerjoin(
        CafeClosure,
        and_(
            col(CafeClosure.cafe_id) == col(Cafe.id),
            col(CafeClosure.start_date) <= _DAY,
            col(CafeClosure.end_date) >= _DAY,
        ),
    )
    .where(col(Cafe.id) == bindparam("cafe_id"))
    .limit(1)
)


async def _load_cafe(
    session: AsyncSession, draft: OrderDraft, office_id: int | None
) -> tuple[Cafe, Combo | None, Schedule | None, DayFacts]:
    """The cafe, the chosen combo (if it is this cafe's), the schedule of that weekday and what the office's and the
    cafe's calendars say about the date, in one query.

    Plain columns made into detached objects: this runs for every order at lunch time."""
    params = {
        "cafe_id": draft.cafe_id,
        "weekday": draft.order_date.weekday(),
        "combo_id": draft.combo.combo_id if draft.combo is not None else None,
        "day": draft.order_date,
        "office_id": office_id,
    }
    row: Any = (await (await session.connection()).execute(_CAFE_DAY_AND_COMBO, params)).first()
    if row is None:
        raise NotFound("error.cafe.not_found")
    cafe_id: int = row[0]  # never NULL: the primary key
    cafe_name, active, timezone, served_office = row[1:5]
    holiday_id, holiday_start, holiday_end, holiday_name, extra = row[5:10]
    closure_id, closure_start, closure_end, closure_note = row[10:14]
    schedule_id, cutoff, days_before, enabled = row[14:18]
    combo_id, combo_name, categories, price, available = row[18:]
    cafe = Cafe(id=cafe_id, name=cafe_name, is_active=active, timezone=timezone)
    facts = DayFacts(
        served=served_office is not None,
        holiday=HolidaySpan(holiday_id, office_id or 0, holiday_start, holiday_end, holiday_name)
        if holiday_id is not None
        else None,
        extra_workday=extra,
        closure=ClosureSpan(closure_id, cafe_id, closure_start, closure_end, closure_note)
        if closure_id is not None
        else None,
    )
    schedule = None
    if schedule_id is not None:
        schedule = Schedule(
            id=schedule_id,
            cafe_id=cafe_id,
            weekday=draft.order_date.weekday(),
            cutoff_time=cutoff,
            cutoff_days_before=days_before,
            is_enabled=enabled,
        )
    combo = None
    if combo_id is not None:
        combo = Combo(
            id=combo_id, cafe_id=cafe_id, name=combo_name, categories=categories, price=price, is_available=available
        )
    return cafe, combo, schedule, facts


async def price_draft(session: AsyncSession, draft: OrderDraft, *, office_id: int | None = None) -> PricedOrder:
    """Validate every rule of the draft except the day, the limit and duplicates; compute the total. With an
    office, the result also knows what that office's calendar says about the date."""
    cafe, combo, schedule, facts = await _load_cafe(session, draft, office_id)
    notes = clean_text(draft.notes, multiline=True)
    if len(notes) > MAX_NOTES:
        raise InvalidInput("error.order.notes_too_long", max=MAX_NOTES)
    if draft.combo is None and not draft.items:
        raise InvalidInput("error.order.empty")
    for line in draft.items:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise InvalidInput("error.order.bad_quantity", min=1, max=MAX_QUANTITY)

    ids = {line.menu_item_id for line in draft.items}
    if draft.combo is not None:
        ids |= {dish.menu_item_id for dish in draft.combo.dishes}
    items, options = await _load_items(session, cafe.id or 0, ids)

    lines: list[dict[str, Any]] = []
    total = Decimal("0.00")
    if draft.combo is not None:
        if combo is None:
            raise NotFound("error.order.combo_not_found")
        if not combo.is_available:
            raise InvalidInput("error.order.combo_unavailable", combo=combo.name)
        wanted = list(combo.categories)
        seen: set[str] = set()
        for dish in draft.combo.dishes:
            item = items[dish.menu_item_id]
            if not item.is_available:
                raise InvalidInput("error.order.dish_unavailable", dish=item.name)
            category = str(item.category)
            if category not in wanted:
                raise InvalidInput("error.order.combo_wrong_category", dish=item.name, combo=combo.name)
            if category in seen:
                raise InvalidInput("error.order.combo_duplicate_category", category=category, combo=combo.name)
            seen.add(category)
            chosen = _check_options(item, dish.options, options[item.id or 0])
            lines.append(_line("combo_dish", item, Decimal("0"), 1, chosen))
        for category in wanted:
            if category not in seen:
                raise InvalidInput("error.order.combo_missing_category", category=category, combo=combo.name)
        total += money(combo.price)

    for line in draft.items:
        item = items[line.menu_item_id]
        if not item.is_available:
            raise InvalidInput("error.order.dish_unavailable", dish=item.name)
        if item.price is None:
            raise InvalidInput("error.order.dish_combo_only", dish=item.name)
        chosen = _check_options(item, line.options, options[item.id or 0])
        lines.append(_line("item", item, item.price, line.quantity, chosen))
        total += money(item.price) * line.quantity

    return PricedOrder(
        cafe=cafe,
        schedule=schedule,
        order_date=draft.order_date,
        combo=combo,
        lines=lines,
        notes=notes,
        total=money(total),
        facts=facts,
    )


# --- weekly limit -------------------------------------------------------------------------------------


def _week_filter(user_tgid: int, day: date) -> list[Any]:
    start, end = week_bounds(day)
    return [
        col(Order.user_tgid) == user_tgid,
        col(Order.order_date) >= start,  # type: ignore[operator]
        col(Order.order_date) <= end,  # type: ignore[operator]
        col(Order.status) != OrderStatus.cancelled,
    ]


async def week_balance(
    session: AsyncSession, *, user: User | _Buyer, day: date, exclude_order_id: int | None = None
) -> WeekBalance:
    """The user's spending in the Monday–Sunday week of `day` (non-cancelled orders)."""
    query = select(func.coalesce(func.sum(Order.total), 0)).where(*_week_filter(user.tgid, day))
    if exclude_order_id is not None:
        query = query.where(col(Order.id) != exclude_order_id)
    spent = money((await session.execute(query)).scalar_one())
    start, end = week_bounds(day)
    return WeekBalance(week_start=start, week_end=end, spent=spent, limit=user.weekly_limit)


_BALANCE_AND_LIVE_ORDER = select(
    func.coalesce(func.sum(Order.total), 0),
    func.max(
        case((and_(col(Order.cafe_id) == bindparam("cafe_id"), col(Order.order_date) == bindparam("day")), Order.id))
    ),
).where(
    col(Order.user_tgid) == bindparam("user_tgid"),
    col(Order.order_date) >= bindparam("start"),
    col(Order.order_date) <= bindparam("end"),
    col(Order.status) != OrderStatus.cancelled,
)


async def _balance_and_live_order(
    session: AsyncSession, *, user: _Buyer, cafe_id: int, day: date
) -> tuple[WeekBalance, int | None]:
    """The week's spending and the id of a live order for (user, cafe, day), in one query."""
    start, end = week_bounds(day)
    params = {"user_tgid": user.tgid, "start": start, "end": end, "cafe_id": cafe_id, "day": day}
    row = (await (await session.connection()).execute(_BALANCE_AND_LIVE_ORDER, params)).one()
    return WeekBalance(week_start=start, week_end=end, spent=money(row[0]), limit=user.weekly_limit), row[1]


async def get_week_balance(session: AsyncSession, *, user_tgid: int, day: date | None = None) -> WeekBalance:
    """The Monday–Sunday week of `day`, by default of the person's "today" (their office's local date)."""
    user = await require_active_user(session, user_tgid)
    office = await office_of(session, user)
    return await week_balance(session, user=user, day=day or local_today(zone(office.timezone)))


def _check_limit(balance: WeekBalance, total: Decimal) -> None:
    if balance.limit is not None and balance.spent + total > balance.limit:
        raise LimitExceeded(
            "error.order.limit_exceeded",
            limit=str(balance.limit),
            spent=str(balance.spent),
            remaining=str(max(balance.limit - balance.spent, Decimal("0.00"))),
            total=str(total),
        )


# --- employee entry points ----------------------------------------------------------------------------


async def quote_order(session: AsyncSession, *, user_tgid: int, draft: Any, order_id: int | None = None) -> OrderQuote:
    """The server-computed total of a cart and what is left of the weekly limit after it (nothing stored)."""
    parsed = parse(OrderDraft, draft)
    user = await require_active_user(session, user_tgid)
    office = await office_of(session, user)
    priced = await price_draft(session, parsed, office_id=user.office_id)
    if order_id is None or user.role != Role.manager:  # managers may change orders after the cut-off
        priced.require_open_for(
            office_id=user.office_id, timezone=office.timezone, working_weekdays=office.working_weekdays
        )
    balance = await week_balance(session, user=user, day=parsed.order_date, exclude_order_id=order_id)
    remaining = None if balance.remaining is None else balance.remaining - priced.total
    return OrderQuote(total=priced.total, lines=priced.lines, balance=balance, remaining_after=remaining)


@dataclass(frozen=True)
class _Buyer:
    tgid: int
    name: str
    weekly_limit: Decimal | None
    office_id: int
    timezone: str
    working_weekdays: list[int]


_LOCK_BUYER = (
    select(
        col(User.tgid),
        col(User.name),
        col(User.weekly_limit),
        col(User.office_id),
        col(Office.timezone),
        col(Office.working_weekdays),
    )
    .join(Office, col(Office.id) == col(User.office_id))
    .where(col(User.tgid) == bindparam("tgid"), col(User.is_active))
    .with_for_update(of=User)  # type: ignore[arg-type]
)


async def _lock_buyer(session: AsyncSession, user_tgid: int) -> _Buyer:
    """Lock the active user's row until commit: this person's concurrent orders run one after another,
    so the limit check and the insert below happen as one step. (Plain columns: this is the hot path.)"""
    row = (await (await session.connection()).execute(_LOCK_BUYER, {"tgid": user_tgid})).first()
    if row is None:
        raise Forbidden("error.access.not_active")
    return _Buyer(
        tgid=row[0], name=row[1], weekly_limit=row[2], office_id=row[3], timezone=row[4], working_weekdays=row[5]
    )


_INSERT_ORDER = insert(Order.__table__).returning(Order.__table__.c.id)  # type: ignore[attr-defined]


async def place_order(session: AsyncSession, *, user_tgid: int, draft: Any) -> Order:
    """Place a new order for `user_tgid`. Refusals raise a DomainError and store nothing."""
    parsed = parse(OrderDraft, draft)
    user = await _lock_buyer(session, user_tgid)
    priced = await price_draft(session, parsed, office_id=user.office_id)
    priced.require_open_for(office_id=user.office_id, timezone=user.timezone, working_weekdays=user.working_weekdays)
    balance, existing_id = await _balance_and_live_order(
        session, user=user, cafe_id=parsed.cafe_id, day=parsed.order_date
    )
    if existing_id is not None:
        raise Conflict("error.order.already_exists", order_id=existing_id)
    _check_limit(balance, priced.total)

    now = get_clock().utcnow()
    values: dict[str, Any] = {
        "user_tgid": user.tgid,
        "user_name": user.name,
        "cafe_id": parsed.cafe_id,
        "order_date": parsed.order_date,
        "status": OrderStatus.placed,
        "combo_id": priced.combo.id if priced.combo else None,
        "combo_name": priced.combo.name if priced.combo else None,
        "combo_price": money(priced.combo.price) if priced.combo else None,
        "lines": priced.lines,
        "notes": priced.notes,
        "total": priced.total,
        "created_at": now,
        "updated_at": now,
    }
    try:
        # A plain INSERT (not the ORM unit of work): this is the hot path of lunch time.
        order_id = (await (await session.connection()).execute(_INSERT_ORDER, values)).scalar_one()
    except IntegrityError:
        # The unique index keeps one live order even where the row lock is not available (SQLite).
        raise Conflict("error.order.already_exists") from None
    return Order(id=order_id, **values)


async def _editable_order(session: AsyncSession, *, actor: User, order_id: Any) -> tuple[Order, bool]:
    """The order and whether the actor acts as a manager on someone else's order."""
    order = await session.get(Order, parse_id(order_id, "order_id"), with_for_update=True)
    if order is None:
        raise NotFound("error.order.not_found")
    is_manager = actor.role == Role.manager
    if order.user_tgid != actor.tgid and not is_manager:
        raise Forbidden("error.order.not_yours")
    if order.status == OrderStatus.cancelled:
        raise Conflict("error.order.already_cancelled")
    if not is_manager:
        if order.status != OrderStatus.placed:
            raise Conflict("error.order.already_sent")
        cafe = await session.get(Cafe, order.cafe_id)
        assert cafe is not None
        await ensure_open(session, cafe=cafe, day=order.order_date, office_id=actor.office_id)
    return order, is_manager and order.user_tgid != actor.tgid


async def _store_change(
    session: AsyncSession,
    *,
    actor: User,
    order: Order,
    by_manager: bool,
    action: str,
    details: dict[str, Any],
    notice: str,
    cafe_name: str | None = None,
) -> Order:
    """Stamp and store a changed order. A manager's change is audited; when it was someone else's order,
    its owner gets the `notice` (naming the cafe, looked up when `cafe_name` is not given)."""
    order.updated_at = get_clock().utcnow()
    session.add(order)
    if actor.role == Role.manager:
        audit.record(session, actor_tgid=actor.tgid, action=action, entity="order", entity_id=order.id, details=details)
    if by_manager and order.user_tgid is not None:
        if cafe_name is None:
            cafe = await session.get(Cafe, order.cafe_id)
            cafe_name = cafe.name if cafe else ""
        notify(
            session,
            user_tgid=order.user_tgid,
            template=notice,
            params={
                "order_id": order.id,
                "cafe": cafe_name,
                "date": order.order_date.isoformat(),
                "total": str(order.total),
            },
        )
    return order


async def update_order(session: AsyncSession, *, actor_tgid: int, order_id: Any, draft: Any) -> Order:
    """Change an order. The owner may until the cut-off; a manager may at any time (owner is notified)."""
    parsed = parse(OrderDraft, draft)
    actor = await require_active_user(session, actor_tgid)
    order, by_manager = await _editable_order(session, actor=actor, order_id=order_id)
    if parsed.cafe_id != order.cafe_id or parsed.order_date != order.order_date:
        raise InvalidInput("error.order.cannot_move")
    owner = await session.get(User, order.user_tgid, with_for_update=True) if order.user_tgid else None
    priced = await price_draft(session, parsed)
    if owner is not None:
        _check_limit(
            await week_balance(session, user=owner, day=order.order_date, exclude_order_id=order.id), priced.total
        )
    before = {"total": str(order.total), "lines": order.lines, "notes": order.notes}
    order.combo_id = priced.combo.id if priced.combo else None
    order.combo_name = priced.combo.name if priced.combo else None
    order.combo_price = money(priced.combo.price) if priced.combo else None
    order.lines = priced.lines
    order.notes = priced.notes
    order.total = priced.total
    return await _store_change(
        session,
        actor=actor,
        order=order,
        by_manager=by_manager,
        action="order.update",
        details={"before": before, "after": {"total": str(order.total), "lines": order.lines, "notes": order.notes}},
        notice="order_changed_by_manager",
        cafe_name=priced.cafe.name,
    )


async def cancel_order(session: AsyncSession, *, actor_tgid: int, order_id: Any) -> Order:
    """Cancel an order (the row stays, status `cancelled`). Same rights as editing."""
    actor = await require_active_user(session, actor_tgid)
    order, by_manager = await _editable_order(session, actor=actor, order_id=order_id)
    order.status = OrderStatus.cancelled
    return await _store_change(
        session,
        actor=actor,
        order=order,
        by_manager=by_manager,
        action="order.cancel",
        details={"user_tgid": order.user_tgid, "date": order.order_date, "total": order.total},
        notice="order_cancelled_by_manager",
    )


# --- reading ------------------------------------------------------------------------------------------


async def get_order(session: AsyncSession, *, actor_tgid: int, order_id: int) -> Order:
    actor = await require_active_user(session, actor_tgid)
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound("error.order.not_found")
    if order.user_tgid != actor.tgid and actor.role != Role.manager:
        raise Forbidden("error.order.not_yours")
    return order


@dataclass(frozen=True)
class MyOrder:
    order: Order
    cafe_name: str
    can_change: bool  # still placed and its day still open: the owner may edit or cancel it


@dataclass(frozen=True)
class MyOrders:
    upcoming: list[MyOrder]
    past: list[MyOrder]


async def my_orders(session: AsyncSession, *, user_tgid: int, past_limit: int = 20) -> MyOrders:
    """A person's "My orders": upcoming ones with whether each can still change (the same day rule that edit and
    cancel apply, over the cafes' schedules in one query) and the most recent past ones. "Upcoming" starts at the
    person's office's today."""
    user = await require_active_user(session, user_tgid)
    office = await office_of(session, user)
    today = local_today(zone(office.timezone))
    upcoming = await _orders_of(session, user_tgid, today=today, upcoming=True, limit=50)
    past = await _orders_of(session, user_tgid, today=today, upcoming=False, limit=past_limit)
    cafe_ids = {order.cafe_id for order in [*upcoming, *past]}
    cafes = {c.id: c for c in (await session.execute(select(Cafe).where(col(Cafe.id).in_(cafe_ids)))).scalars()}
    changeable = {o.cafe_id for o in upcoming if o.status == OrderStatus.placed and o.cafe_id in cafes}
    rows: Iterable[Schedule] = (
        (await session.execute(select(Schedule).where(col(Schedule.cafe_id).in_(changeable)))).scalars()
        if changeable
        else []
    )
    schedules = {(row.cafe_id, row.weekday): row for row in rows}
    now, horizon = get_clock().now(), get_settings().order_horizon_days
    last = max((order.order_date for order in upcoming), default=today)
    calendar = await office_calendar(session, office_id=user.office_id, start=today, end=last)
    closures = await cafe_closures(session, cafe_ids=changeable, start=today, end=last)
    open_days: dict[tuple[int, date], bool] = {}

    def can_change(order: Order) -> bool:
        if order.cafe_id not in changeable or order.status != OrderStatus.placed:
            return False
        key = (order.cafe_id, order.order_date)
        if key not in open_days:
            schedule = schedules.get((order.cafe_id, order.order_date.weekday()))
            day = evaluate_day(
                cafe=cafes[order.cafe_id],
                schedule=schedule,
                day=key[1],
                now=now,
                horizon_days=horizon,
                office=calendar,
                closures=closures.get(order.cafe_id, []),
            )
            open_days[key] = day.is_open
        return open_days[key]

    def mine(order: Order, changes: bool) -> MyOrder:
        cafe = cafes.get(order.cafe_id)
        return MyOrder(order=order, cafe_name=cafe.name if cafe else "", can_change=changes)

    return MyOrders(
        upcoming=[mine(order, can_change(order)) for order in upcoming],
        past=[mine(order, False) for order in past],
    )


async def _orders_of(session: AsyncSession, user_tgid: int, *, today: date, upcoming: bool, limit: int) -> list[Order]:
    query = select(Order).where(col(Order.user_tgid) == user_tgid)
    if upcoming:
        query = query.where(Order.order_date >= today).order_by(Order.order_date, Order.id)  # type: ignore[operator,arg-type]
    else:
        query = query.where(col(Order.order_date) < today).order_by(Order.order_date.desc(), Order.id.desc())  # type: ignore[operator,attr-defined,union-attr]
    return list((await session.execute(query.limit(max(1, min(limit, 200))))).scalars())


async def repeat_order(session: AsyncSession, *, user_tgid: int, order_id: int, day: date) -> RepeatResult:
    """A draft for `day` with the dishes of an earlier order that can still be ordered; the rest named."""
    source = await get_order(session, actor_tgid=user_tgid, order_id=order_id)
    ids = {line["menu_item_id"] for line in source.lines}
    current = {
        item.id: item
        for item in (await session.execute(select(MenuItem).where(col(MenuItem.id).in_(ids)))).scalars()  # type: ignore[attr-defined]
    }
    skipped: list[str] = []

    def still_orderable(line: dict[str, Any], *, priced: bool) -> bool:
        item = current.get(line["menu_item_id"])
        ok = item is not None and item.is_available and (item.price is not None or not priced)
        if not ok:
            skipped.append(line["name"])
        return ok

    combo_choice: ComboChoiceIn | None = None
    if source.combo_id is not None:
        combo = await session.get(Combo, source.combo_id)
        dishes = [line for line in source.lines if line["kind"] == "combo_dish"]
        if combo is None or not combo.is_available:
            skipped.append(source.combo_name or "")
        elif all(still_orderable(line, priced=False) for line in dishes):
            combo_choice = ComboChoiceIn(
                combo_id=combo.id or 0,
                dishes=[ComboDishIn(menu_item_id=d["menu_item_id"], options=d["options"]) for d in dishes],
            )
    items = [
        ItemLineIn(menu_item_id=line["menu_item_id"], quantity=line["quantity"], options=line["options"])
        for line in source.lines
        if line["kind"] == "item" and still_orderable(line, priced=True)
    ]
    if combo_choice is None and not items:
        return RepeatResult(draft=None, skipped=skipped)
    draft = OrderDraft(cafe_id=source.cafe_id, order_date=day, combo=combo_choice, items=items, notes=source.notes)
    return RepeatResult(draft=draft, skipped=skipped)
