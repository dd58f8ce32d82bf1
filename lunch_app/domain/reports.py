"""Reports: per (cafe, date) for the kitchen and the digest, per date range for accounting (SPEC §4, §6).

Everything here reads orders; only `store_day_report` writes (one `reports` row per cafe and date, created
idempotently because the scheduler may run twice). Cancelled orders never count. Money stays `Decimal`;
`to_breakdown_json()` / `to_json()` turn it into strings for JSON columns and HTTP responses.

Offices (issue 11): a day report is also sectioned by the office each person belongs to, with that office's
delivery address and its own counts and dish totals, so a cafe serving two offices packs two deliveries. Day and
range reports can be restricted to one office (`office_id`): then only that office's people count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain.errors import InvalidInput, NotFound
from lunch_app.domain.users import require_manager
from lunch_app.domain.validation import parse
from lunch_app.models import Cafe, Category, Office, Order, OrderStatus, Report, User

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_RANGE_DAYS = 366
"""The longest period a range report covers (a leap year), so one request cannot scan the whole history."""

_CATEGORY_ORDER = {category.value: index for index, category in enumerate(Category)}


def _money(value: Any) -> Decimal:
    """A snapshot amount (Decimal, str, int or None) as Decimal(0.01); unreadable values count as zero."""
    if value is None or isinstance(value, bool):
        return ZERO
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return ZERO


def _quantity(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _category_sort_key(category: str, name: str) -> tuple[int, str]:
    return _CATEGORY_ORDER.get(category, len(_CATEGORY_ORDER)), name.casefold()


# --- per (cafe, date) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLine:
    """One line of an order as snapshotted at order time."""

    menu_item_id: int | None
    name: str
    category: str
    quantity: int
    unit_price: Decimal  # 0.00 for combo dishes: their price is the combo's
    amount: Decimal  # unit_price × quantity
    options: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "menu_item_id": self.menu_item_id,
            "name": self.name,
            "category": self.category,
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
            "amount": str(self.amount),
            "options": dict(self.options),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportLine:
        return cls(
            menu_item_id=data.get("menu_item_id"),
            name=str(data.get("name", "")),
            category=str(data.get("category", "")),
            quantity=_quantity(data.get("quantity")),
            unit_price=_money(data.get("unit_price")),
            amount=_money(data.get("amount")),
            options={str(k): str(v) for k, v in (data.get("options") or {}).items()},
        )


@dataclass(frozen=True)
class PersonEntry:
    """One person's order in a day report."""

    order_id: int
    user_tgid: int | None
    user_name: str
    office: str  # the person's office's name; empty when the user was deleted
    status: str
    combo_id: int | None
    combo_name: str | None
    combo_price: Decimal | None
    combo_dishes: list[ReportLine]
    items: list[ReportLine]  # à-la-carte lines
    notes: str
    total: Decimal
    office_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "user_tgid": self.user_tgid,
            "user_name": self.user_name,
            "office": self.office,
            "office_id": self.office_id,
            "status": self.status,
            "combo_id": self.combo_id,
            "combo_name": self.combo_name,
            "combo_price": None if self.combo_price is None else str(self.combo_price),
            "combo_dishes": [line.to_json() for line in self.combo_dishes],
            "items": [line.to_json() for line in self.items],
            "notes": self.notes,
            "total": str(self.total),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PersonEntry:
        combo_price = data.get("combo_price")
        return cls(
            order_id=int(data["order_id"]),
            user_tgid=data.get("user_tgid"),
            user_name=str(data.get("user_name", "")),
            office=str(data.get("office", "")),
            office_id=data.get("office_id") if isinstance(data.get("office_id"), int) else None,
            status=str(data.get("status", "")),
            combo_id=data.get("combo_id"),
            combo_name=data.get("combo_name"),
            combo_price=None if combo_price is None else _money(combo_price),
            combo_dishes=[ReportLine.from_json(line) for line in data.get("combo_dishes", [])],
            items=[ReportLine.from_json(line) for line in data.get("items", [])],
            notes=str(data.get("notes", "")),
            total=_money(data.get("total")),
        )


@dataclass(frozen=True)
class DishTotal:
    """How many portions of a dish the kitchen cooks. `amount` covers à-la-carte portions only:
    dishes inside a combo are paid by the combo price (counted in `ComboTotal`)."""

    name: str
    category: str
    quantity: int  # all portions, in combos and à la carte
    combo_quantity: int  # of which inside combos
    amount: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "quantity": self.quantity,
            "combo_quantity": self.combo_quantity,
            "amount": str(self.amount),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DishTotal:
        return cls(
            name=str(data.get("name", "")),
            category=str(data.get("category", "")),
            quantity=_quantity(data.get("quantity")),
            combo_quantity=_quantity(data.get("combo_quantity")),
            amount=_money(data.get("amount")),
        )


@dataclass(frozen=True)
class ComboTotal:
    name: str
    count: int
    amount: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "count": self.count, "amount": str(self.amount)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ComboTotal:
        return cls(
            name=str(data.get("name", "")), count=_quantity(data.get("count")), amount=_money(data.get("amount"))
        )


@dataclass(frozen=True)
class OfficeRef:
    """The office of a person in a report: where that order is delivered."""

    id: int
    name: str
    address: str


@dataclass(frozen=True)
class OfficeSection:
    """One office's part of a day report: its delivery address, its orders and what to pack for it."""

    office_id: int | None  # None: orders of deleted users
    name: str
    address: str
    orders_count: int
    total: Decimal
    dishes: list[DishTotal]
    combos: list[ComboTotal]
    order_ids: list[int]  # its people's orders, in the report's order

    def to_json(self) -> dict[str, Any]:
        return {
            "office_id": self.office_id,
            "name": self.name,
            "address": self.address,
            "orders_count": self.orders_count,
            "total": str(self.total),
            "dishes": [dish.to_json() for dish in self.dishes],
            "combos": [combo.to_json() for combo in self.combos],
            "order_ids": list(self.order_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OfficeSection:
        office_id = data.get("office_id")
        return cls(
            office_id=office_id if isinstance(office_id, int) else None,
            name=str(data.get("name", "")),
            address=str(data.get("address", "")),
            orders_count=_quantity(data.get("orders_count")),
            total=_money(data.get("total")),
            dishes=[DishTotal.from_json(d) for d in data.get("dishes", [])],
            combos=[ComboTotal.from_json(c) for c in data.get("combos", [])],
            order_ids=[int(i) for i in data.get("order_ids", []) if isinstance(i, int)],
        )


@dataclass(frozen=True)
class DayReport:
    cafe_id: int
    cafe_name: str
    day: date
    orders_count: int
    total: Decimal
    dishes: list[DishTotal]  # by category (menu order), then name
    combos: list[ComboTotal]  # by name
    people: list[PersonEntry]  # by person name
    offices: list[OfficeSection] = field(default_factory=list)  # by office name; reports stored before: empty
    office_id: int | None = None  # the report covers only this office's people

    def people_of(self, section: OfficeSection) -> list[PersonEntry]:
        wanted = set(section.order_ids)
        return [person for person in self.people if person.order_id in wanted]

    def to_breakdown_json(self) -> dict[str, Any]:
        """The `reports.breakdown` column: plain JSON, money as strings."""
        return {
            "cafe_id": self.cafe_id,
            "cafe_name": self.cafe_name,
            "date": self.day.isoformat(),
            "orders_count": self.orders_count,
            "total": str(self.total),
            "dishes": [dish.to_json() for dish in self.dishes],
            "combos": [combo.to_json() for combo in self.combos],
            "people": [person.to_json() for person in self.people],
            "offices": [section.to_json() for section in self.offices],
            "office_id": self.office_id,
        }

    @classmethod
    def from_breakdown_json(cls, data: dict[str, Any]) -> DayReport:
        """Rebuild a stored report (e.g. the digest that went out) from `reports.breakdown`."""
        office_id = data.get("office_id")
        return cls(
            cafe_id=int(data["cafe_id"]),
            cafe_name=str(data.get("cafe_name", "")),
            day=date.fromisoformat(data["date"]),
            orders_count=_quantity(data.get("orders_count")),
            total=_money(data.get("total")),
            dishes=[DishTotal.from_json(d) for d in data.get("dishes", [])],
            combos=[ComboTotal.from_json(c) for c in data.get("combos", [])],
            people=[PersonEntry.from_json(p) for p in data.get("people", [])],
            offices=[OfficeSection.from_json(o) for o in data.get("offices", [])],
            office_id=office_id if isinstance(office_id, int) else None,
        )


def _snapshot_line(raw: Any) -> tuple[bool, ReportLine] | None:
    """(is_combo_dish, line) from one `Order.lines` entry; None for an entry that is not a dict."""
    if not isinstance(raw, dict):
        return None
    is_combo_dish = raw.get("kind") == "combo_dish"
    quantity = _quantity(raw.get("quantity", 1))
    unit_price = ZERO if is_combo_dish else _money(raw.get("unit_price"))
    options = raw.get("options") or {}
    line = ReportLine(
        menu_item_id=raw.get("menu_item_id") if isinstance(raw.get("menu_item_id"), int) else None,
        name=str(raw.get("name", "")),
        category=str(raw.get("category", "")),
        quantity=quantity,
        unit_price=unit_price,
        amount=(unit_price * quantity).quantize(CENT),
        options={str(k): str(v) for k, v in options.items()} if isinstance(options, dict) else {},
    )
    return is_combo_dish, line


async def _get_cafe(session: AsyncSession, cafe_id: int) -> Cafe:
    cafe = await session.get(Cafe, cafe_id)
    if cafe is None:
        raise NotFound("error.report.cafe_not_found")
    return cafe


async def build_day_report(
    session: AsyncSession, *, cafe_id: int, day: date, office_id: int | None = None
) -> DayReport:
    """The report of one cafe for one date from its non-cancelled orders (reads only); with `office_id` only the
    orders of that office's people."""
    cafe = await _get_cafe(session, cafe_id)
    query = (
        sa.select(Order, col(Office.id), col(Office.name), col(Office.address))
        .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
        .outerjoin(Office, col(Office.id) == col(User.office_id))
        .where(
            col(Order.cafe_id) == cafe_id,
            col(Order.order_date) == day,
            col(Order.status) != OrderStatus.cancelled,
        )
    )
    if office_id is not None:
        query = query.where(col(User.office_id) == office_id)
    rows = [
        (order, OfficeRef(oid, name, address) if oid is not None else None)
        for order, oid, name, address in (await session.execute(query)).all()
    ]
    return assemble_day_report(cafe_id=cafe_id, cafe_name=cafe.name, day=day, rows=rows, office_id=office_id)


# The columns `assemble_day_report` reads: a caller may select just these instead of whole `Order` rows.
DAY_REPORT_COLUMNS = (
    col(Order.id),
    col(Order.user_tgid),
    col(Order.user_name),
    col(Order.status),
    col(Order.combo_id),
    col(Order.combo_name),
    col(Order.combo_price),
    col(Order.lines),
    col(Order.notes),
    col(Order.total),
)


def _person_lines(order: Any) -> tuple[list[ReportLine], list[ReportLine]]:
    combo_dishes: list[ReportLine] = []
    items: list[ReportLine] = []
    for raw in order.lines or []:
        parsed = _snapshot_line(raw)
        if parsed is None:
            continue
        is_combo_dish, line = parsed
        (combo_dishes if is_combo_dish else items).append(line)
    return combo_dishes, items


def _totals(people: Iterable[PersonEntry]) -> tuple[list[DishTotal], list[ComboTotal]]:
    """Per-dish portions (combo dishes included) and per-combo counts of some people's orders."""
    dishes: dict[tuple[str, str], dict[str, Any]] = {}
    combos: dict[str, dict[str, Any]] = {}
    for person in people:
        for is_combo_dish, lines in ((True, person.combo_dishes), (False, person.items)):
            for line in lines:
                dish = dishes.setdefault(
                    (line.category, line.name), {"quantity": 0, "combo_quantity": 0, "amount": ZERO}
                )
                dish["quantity"] += line.quantity
                if is_combo_dish:
                    dish["combo_quantity"] += line.quantity
                else:
                    dish["amount"] += line.amount
        if person.combo_id is not None or person.combo_name:
            combo = combos.setdefault(person.combo_name or "", {"count": 0, "amount": ZERO})
            combo["count"] += 1
            combo["amount"] += person.combo_price or ZERO
    return (
        [
            DishTotal(
                name=name,
                category=category,
                quantity=value["quantity"],
                combo_quantity=value["combo_quantity"],
                amount=value["amount"].quantize(CENT),
            )
            for (category, name), value in sorted(dishes.items(), key=lambda kv: _category_sort_key(*kv[0]))
        ],
        [
            ComboTotal(name=name, count=value["count"], amount=value["amount"].quantize(CENT))
            for name, value in sorted(combos.items(), key=lambda kv: kv[0].casefold())
        ],
    )


def assemble_day_report(
    *,
    cafe_id: int,
    cafe_name: str,
    day: date,
    rows: Iterable[Sequence[Any]],
    office_id: int | None = None,
) -> DayReport:
    """The day report from (order, office) pairs of the cafe's non-cancelled orders that day. `order` is an
    `Order` or anything with the attributes of DAY_REPORT_COLUMNS (e.g. a row of a column select); `office` is
    the person's `OfficeRef` (None when the user was deleted)."""
    people: list[PersonEntry] = []
    offices: dict[int | None, OfficeRef | None] = {}
    for order, office in rows:
        combo_dishes, items = _person_lines(order)
        assert order.id is not None
        offices.setdefault(office.id if office is not None else None, office)
        people.append(
            PersonEntry(
                order_id=order.id,
                user_tgid=order.user_tgid,
                user_name=order.user_name,
                office=office.name if office is not None else "",
                office_id=office.id if office is not None else None,
                status=OrderStatus(order.status).value,
                combo_id=order.combo_id,
                combo_name=order.combo_name,
                combo_price=None if order.combo_price is None else _money(order.combo_price),
                combo_dishes=combo_dishes,
                items=items,
                notes=order.notes or "",
                total=_money(order.total),
            )
        )

    people.sort(key=lambda p: (p.user_name.casefold(), p.user_name, p.order_id))
    dishes, combos = _totals(people)
    sections = []
    for key, office in sorted(
        offices.items(), key=lambda kv: (kv[1] is None, (kv[1].name if kv[1] else "").casefold())
    ):
        members = [person for person in people if person.office_id == key]
        section_dishes, section_combos = _totals(members)
        sections.append(
            OfficeSection(
                office_id=key,
                name=office.name if office is not None else "",
                address=office.address if office is not None else "",
                orders_count=len(members),
                total=sum((person.total for person in members), ZERO).quantize(CENT),
                dishes=section_dishes,
                combos=section_combos,
                order_ids=[person.order_id for person in members],
            )
        )
    return DayReport(
        cafe_id=cafe_id,
        cafe_name=cafe_name,
        day=day,
        orders_count=len(people),
        total=sum((person.total for person in people), ZERO).quantize(CENT),
        dishes=dishes,
        combos=combos,
        people=people,
        offices=sections,
        office_id=office_id,
    )


async def get_stored_report(session: AsyncSession, *, cafe_id: int, day: date) -> Report | None:
    result = await session.execute(sa.select(Report).where(col(Report.cafe_id) == cafe_id, col(Report.date) == day))
    return result.scalar_one_or_none()


async def store_day_report(session: AsyncSession, *, cafe_id: int, day: date) -> Report:
    """Build and store the report of (cafe, date) once; later calls return the stored row unchanged.

    The scheduler may run this twice or concurrently: the insert does nothing on the unique
    (cafe_id, date) conflict (waiting for a concurrent writer's commit on PostgreSQL), and the row that
    won is read back.
    """
    existing = await get_stored_report(session, cafe_id=cafe_id, day=day)
    if existing is not None:
        return existing
    report = await build_day_report(session, cafe_id=cafe_id, day=day)
    values = {
        "cafe_id": cafe_id,
        "date": day,
        "orders_count": report.orders_count,
        "total": report.total,
        "breakdown": report.to_breakdown_json(),
        "created_at": get_clock().utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Report.__table__  # type: ignore[attr-defined]
    await session.execute(
        insert(table).values(**values).on_conflict_do_nothing(index_elements=[table.c.cafe_id, table.c.date])
    )
    stored = await get_stored_report(session, cafe_id=cafe_id, day=day)
    assert stored is not None  # inserted above, or by the concurrent writer that won
    return stored


# --- per date range ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeSpending:
    user_tgid: int | None  # None: the user was deleted; grouped by the name on their orders
    name: str
    office: str
    orders_count: int
    total: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "user_tgid": self.user_tgid,
            "name": self.name,
            "office": self.office,
            "orders_count": self.orders_count,
            "total": str(self.total),
        }


@dataclass(frozen=True)
class CafeSpending:
    cafe_id: int
    name: str
    orders_count: int
    total: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"cafe_id": self.cafe_id, "name": self.name, "orders_count": self.orders_count, "total": str(self.total)}


@dataclass(frozen=True)
class RangeReport:
    start: date
    end: date  # inclusive
    cafe_id: int | None  # None: all cafes
    employees: list[EmployeeSpending]  # by name
    cafes: list[CafeSpending]  # by name
    orders_count: int
    total: Decimal
    office_id: int | None = None  # None: all offices

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cafe_id": self.cafe_id,
            "office_id": self.office_id,
            "employees": [e.to_json() for e in self.employees],
            "cafes": [c.to_json() for c in self.cafes],
            "orders_count": self.orders_count,
            "total": str(self.total),
        }


class _RangeQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date
    end: date
    cafe_id: int | None = Field(default=None, ge=1)
    office_id: int | None = Field(default=None, ge=1, lt=2**31)


class _DayQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cafe_id: int = Field(ge=1)
    day: date
    office_id: int | None = Field(default=None, ge=1, lt=2**31)


def _blank(value: Any) -> Any:
    return None if value == "" else value


def _check_range(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput("error.report.range_order")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput("error.report.range_too_long", max_days=MAX_RANGE_DAYS)


async def build_range_report(
    session: AsyncSession,
    *,
    start: date | str,
    end: date | str,
    cafe_id: int | str | None = None,
    office_id: int | str | None = None,
) -> RangeReport:
    """Spending per employee and per cafe over start…end (inclusive) from non-cancelled orders; with `office_id`
    only the orders of that office's people."""
    query = parse(
        _RangeQuery,
        {"start": start, "end": end, "cafe_id": _blank(cafe_id), "office_id": _blank(office_id)},
        {"office_id": "error.office.bad_id"},
    )
    _check_range(query.start, query.end)
    if query.cafe_id is not None:
        await _get_cafe(session, query.cafe_id)
    if query.office_id is not None and await session.get(Office, query.office_id) is None:
        raise NotFound("error.office.not_found")

    conditions = [
        col(Order.order_date) >= query.start,
        col(Order.order_date) <= query.end,
        col(Order.status) != OrderStatus.cancelled,
    ]
    if query.cafe_id is not None:
        conditions.append(col(Order.cafe_id) == query.cafe_id)
    if query.office_id is not None:
        conditions.append(
            col(Order.user_tgid).in_(sa.select(col(User.tgid)).where(col(User.office_id) == query.office_id))
        )
    order_count = sa.func.count(col(Order.id))
    order_sum = sa.func.coalesce(sa.func.sum(col(Order.total)), 0)

    # Orders of deleted users (user_tgid NULL) are grouped by the name on the order.
    deleted_name = sa.case((col(Order.user_tgid).is_(None), col(Order.user_name)), else_=sa.null())
    employee_rows = (
        await session.execute(
            sa.select(col(Order.user_tgid), deleted_name, col(User.name), col(Office.name), order_count, order_sum)
            .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
            .outerjoin(Office, col(Office.id) == col(User.office_id))
            .where(*conditions)
            .group_by(col(Order.user_tgid), deleted_name, col(User.name), col(Office.name))
        )
    ).all()
    employees = sorted(
        (
            EmployeeSpending(
                user_tgid=tgid,
                name=(current_name if tgid is not None else snapshot_name) or "",
                office=office or "",
                orders_count=count,
                total=_money(amount),
            )
            for tgid, snapshot_name, current_name, office, count, amount in employee_rows
        ),
        key=lambda e: (e.name.casefold(), e.name, e.user_tgid or 0),
    )

    cafe_rows = (
        await session.execute(
            sa.select(col(Order.cafe_id), col(Cafe.name), order_count, order_sum)
            .join(Cafe, col(Cafe.id) == col(Order.cafe_id))
            .where(*conditions)
            .group_by(col(Order.cafe_id), col(Cafe.name))
        )
    ).all()
    cafes = sorted(
        (
            CafeSpending(cafe_id=cid, name=name, orders_count=count, total=_money(amount))
            for cid, name, count, amount in cafe_rows
        ),
        key=lambda c: (c.name.casefold(), c.cafe_id),
    )
    return RangeReport(
        start=query.start,
        end=query.end,
        cafe_id=query.cafe_id,
        office_id=query.office_id,
        employees=employees,
        cafes=cafes,
        orders_count=sum(c.orders_count for c in cafes),
        total=sum((c.total for c in cafes), ZERO).quantize(CENT),
    )


# --- manager entry points (dashboard, /api/ downloads) -----------------------------------------------


async def day_report_for_manager(
    session: AsyncSession,
    *,
    actor_tgid: int,
    cafe_id: int | str,
    day: date | str,
    office_id: int | str | None = None,
) -> DayReport:
    """`build_day_report` for the dashboard and downloads: managers only; untrusted arguments parsed."""
    await require_manager(session, actor_tgid)
    query = parse(
        _DayQuery,
        {"cafe_id": cafe_id, "day": day, "office_id": _blank(office_id)},
        {"office_id": "error.office.bad_id"},
    )
    if query.office_id is not None and await session.get(Office, query.office_id) is None:
        raise NotFound("error.office.not_found")
    return await build_day_report(session, cafe_id=query.cafe_id, day=query.day, office_id=query.office_id)


async def range_report_for_manager(
    session: AsyncSession,
    *,
    actor_tgid: int,
    start: date | str,
    end: date | str,
    cafe_id: int | str | None = None,
    office_id: int | str | None = None,
) -> RangeReport:
    """`build_range_report` for the dashboard and downloads: managers only; untrusted arguments parsed."""
    await require_manager(session, actor_tgid)
    return await build_range_report(session, start=start, end=end, cafe_id=cafe_id, office_id=office_id)
