"""Reports: per (cafe, date) for the kitchen and the digest, per date range for accounting (SPEC §4, §6).

Everything here reads orders; only `store_day_report` writes (one `reports` row per cafe and date, created
idempotently because the scheduler may run twice). Cancelled orders never count. Money stays `Decimal`;
`to_breakdown_json()` / `to_json()` turn it into strings for JSON columns and HTTP responses.
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
from lunch_app.models import Cafe, Category, Order, OrderStatus, Report, User

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
    office: str  # from the users table; empty when the user was deleted
    status: str
    combo_id: int | None
    combo_name: str | None
    combo_price: Decimal | None
    combo_dishes: list[ReportLine]
    items: list[ReportLine]  # à-la-carte lines
    notes: str
    total: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "user_tgid": self.user_tgid,
            "user_name": self.user_name,
            "office": self.office,
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
class DayReport:
    cafe_id: int
    cafe_name: str
    day: date
    orders_count: int
    total: Decimal
    dishes: list[DishTotal]  # by category (menu order), then name
    combos: list[ComboTotal]  # by name
    people: list[PersonEntry]  # by person name

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
        }

    @classmethod
    def from_breakdown_json(cls, data: dict[str, Any]) -> DayReport:
        """Rebuild a stored report (e.g. the digest that went out) from `reports.breakdown`."""
        return cls(
            cafe_id=int(data["cafe_id"]),
            cafe_name=str(data.get("cafe_name", "")),
            day=date.fromisoformat(data["date"]),
            orders_count=_quantity(data.get("orders_count")),
            total=_money(data.get("total")),
            dishes=[DishTotal.from_json(d) for d in data.get("dishes", [])],
            combos=[ComboTotal.from_json(c) for c in data.get("combos", [])],
            people=[PersonEntry.from_json(p) for p in data.get("people", [])],
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


async def build_day_report(session: AsyncSession, *, cafe_id: int, day: date) -> DayReport:
    """The report of one cafe for one date from its non-cancelled orders (reads only)."""
    cafe = await _get_cafe(session, cafe_id)
    rows = (
        await session.execute(
            sa.select(Order, col(User.office))
            .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
            .where(
                col(Order.cafe_id) == cafe_id,
                col(Order.order_date) == day,
                col(Order.status) != OrderStatus.cancelled,
            )
        )
    ).all()
    return assemble_day_report(cafe_id=cafe_id, cafe_name=cafe.name, day=day, rows=rows)


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


def assemble_day_report(*, cafe_id: int, cafe_name: str, day: date, rows: Iterable[Sequence[Any]]) -> DayReport:
    """The day report from (order, office) pairs of the cafe's non-cancelled orders that day. `order` is an
    `Order` or anything with the attributes of DAY_REPORT_COLUMNS (e.g. a row of a column select)."""
    dishes: dict[tuple[str, str], dict[str, Any]] = {}
    combos: dict[str, dict[str, Any]] = {}
    people: list[PersonEntry] = []
    total = ZERO
    for order, office in rows:
        combo_dishes: list[ReportLine] = []
        items: list[ReportLine] = []
        for raw in order.lines or []:
            parsed = _snapshot_line(raw)
            if parsed is None:
                continue
            is_combo_dish, line = parsed
            (combo_dishes if is_combo_dish else items).append(line)
            dish = dishes.setdefault((line.category, line.name), {"quantity": 0, "combo_quantity": 0, "amount": ZERO})
            dish["quantity"] += line.quantity
            if is_combo_dish:
                dish["combo_quantity"] += line.quantity
            else:
                dish["amount"] += line.amount
        combo_price = None if order.combo_price is None else _money(order.combo_price)
        if order.combo_id is not None or order.combo_name:
            combo_name = order.combo_name or ""
            combo = combos.setdefault(combo_name, {"count": 0, "amount": ZERO})
            combo["count"] += 1
            combo["amount"] += combo_price or ZERO
        order_total = _money(order.total)
        total += order_total
        assert order.id is not None
        people.append(
            PersonEntry(
                order_id=order.id,
                user_tgid=order.user_tgid,
                user_name=order.user_name,
                office=office or "",
                status=OrderStatus(order.status).value,
                combo_id=order.combo_id,
                combo_name=order.combo_name,
                combo_price=combo_price,
                combo_dishes=combo_dishes,
                items=items,
                notes=order.notes or "",
                total=order_total,
            )
        )

    people.sort(key=lambda p: (p.user_name.casefold(), p.user_name, p.order_id))
    return DayReport(
        cafe_id=cafe_id,
        cafe_name=cafe_name,
        day=day,
        orders_count=len(people),
        total=total.quantize(CENT),
        dishes=[
            DishTotal(
                name=name,
                category=category,
                quantity=value["quantity"],
                combo_quantity=value["combo_quantity"],
                amount=value["amount"].quantize(CENT),
            )
            for (category, name), value in sorted(dishes.items(), key=lambda kv: _category_sort_key(*kv[0]))
        ],
        combos=[
            ComboTotal(name=name, count=value["count"], amount=value["amount"].quantize(CENT))
            for name, value in sorted(combos.items(), key=lambda kv: kv[0].casefold())
        ],
        people=people,
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

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cafe_id": self.cafe_id,
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


class _DayQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cafe_id: int = Field(ge=1)
    day: date


def _check_range(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput("error.report.range_order")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput("error.report.range_too_long", max_days=MAX_RANGE_DAYS)


async def build_range_report(
    session: AsyncSession, *, start: date | str, end: date | str, cafe_id: int | str | None = None
) -> RangeReport:
    """Spending per employee and per cafe over start…end (inclusive) from non-cancelled orders."""
    query = parse(_RangeQuery, {"start": start, "end": end, "cafe_id": None if cafe_id == "" else cafe_id})
    _check_range(query.start, query.end)
    if query.cafe_id is not None:
        await _get_cafe(session, query.cafe_id)

    conditions = [
        col(Order.order_date) >= query.start,
        col(Order.order_date) <= query.end,
        col(Order.status) != OrderStatus.cancelled,
    ]
    if query.cafe_id is not None:
        conditions.append(col(Order.cafe_id) == query.cafe_id)
    order_count = sa.func.count(col(Order.id))
    order_sum = sa.func.coalesce(sa.func.sum(col(Order.total)), 0)

    # Orders of deleted users (user_tgid NULL) are grouped by the name on the order.
    deleted_name = sa.case((col(Order.user_tgid).is_(None), col(Order.user_name)), else_=sa.null())
    employee_rows = (
        await session.execute(
            sa.select(col(Order.user_tgid), deleted_name, col(User.name), col(User.office), order_count, order_sum)
            .outerjoin(User, col(User.tgid) == col(Order.user_tgid))
            .where(*conditions)
            .group_by(col(Order.user_tgid), deleted_name, col(User.name), col(User.office))
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
        employees=employees,
        cafes=cafes,
        orders_count=sum(c.orders_count for c in cafes),
        total=sum((c.total for c in cafes), ZERO).quantize(CENT),
    )


# --- manager entry points (dashboard, /api/ downloads) -----------------------------------------------


async def day_report_for_manager(
    session: AsyncSession, *, actor_tgid: int, cafe_id: int | str, day: date | str
) -> DayReport:
    """`build_day_report` for the dashboard and downloads: managers only; untrusted arguments parsed."""
    await require_manager(session, actor_tgid)
    query = parse(_DayQuery, {"cafe_id": cafe_id, "day": day})
    return await build_day_report(session, cafe_id=query.cafe_id, day=query.day)


async def range_report_for_manager(
    session: AsyncSession,
    *,
    actor_tgid: int,
    start: date | str,
    end: date | str,
    cafe_id: int | str | None = None,
) -> RangeReport:
    """`build_range_report` for the dashboard and downloads: managers only; untrusted arguments parsed."""
    await require_manager(session, actor_tgid)
    return await build_range_report(session, start=start, end=end, cafe_id=cafe_id)
