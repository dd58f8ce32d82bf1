"""Reports against PostgreSQL: day report totals, the stored report, range spending, manager-only access,
and SPEC §11 scenario 12 (CSV and XLSX contents match the orders; formula-like text is neutralised)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lunch_app import db
from lunch_app.domain.errors import Forbidden, InvalidInput, NotFound
from lunch_app.domain.exports import day_report_csv, day_report_xlsx, range_report_csv, range_report_xlsx
from lunch_app.domain.reports import (
    build_day_report,
    build_range_report,
    day_report_for_manager,
    get_stored_report,
    range_report_for_manager,
    store_day_report,
)
from lunch_app.models import Cafe, Office, Order, OrderStatus, Report, Role, User
from tests.office_fixtures import office_in

DAY = date(2026, 12, 1)
NEXT_DAY = date(2026, 12, 2)
EVIL_DISH = '=HYPERLINK("http://evil","x")'
ALICE, CMD, BOB, CAROL, MANAGER = 1001, 1002, 1003, 1004, 9000


def combo_dish(name: str, category: str, options: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "kind": "combo_dish",
        "menu_item_id": 1,
        "name": name,
        "category": category,
        "unit_price": "0.00",
        "quantity": 1,
        "options": options or {},
    }


def item(name: str, category: str, price: str, qty: int, options: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "kind": "item",
        "menu_item_id": 2,
        "name": name,
        "category": category,
        "unit_price": price,
        "quantity": qty,
        "options": options or {},
    }


def order(
    user_tgid: int | None,
    user_name: str,
    cafe_id: int,
    lines: list[dict[str, Any]],
    total: str,
    *,
    day: date = DAY,
    status: OrderStatus = OrderStatus.placed,
    combo: tuple[str, str] | None = None,
    notes: str = "",
) -> Order:
    return Order(
        user_tgid=user_tgid,
        user_name=user_name,
        cafe_id=cafe_id,
        order_date=day,
        status=status,
        combo_id=None,
        combo_name=combo[0] if combo else None,
        combo_price=Decimal(combo[1]) if combo else None,
        lines=lines,
        notes=notes,
        total=Decimal(total),
    )


async def seed() -> dict[str, int]:
    """Cafe A on DAY: Alice (combo + coffee), '+cmd' (the evil dish), Bob (combo + borscht, confirmed), a deleted
    user's coffee; excluded: Carol's cancelled order, Alice on NEXT_DAY, Alice at cafe B."""
    async with db.session_scope() as s:
        s.add_all(
            [
                User(tgid=ALICE, name="Alice", office_id=await office_in(s, "HQ")),
                User(tgid=CMD, name="+cmd", office_id=await office_in(s, "-floor2")),
                User(tgid=BOB, name="Bob", office_id=await office_in(s, "Lab")),
                User(tgid=CAROL, name="Carol", office_id=await office_in(s, "HQ")),
                User(tgid=MANAGER, name="Manager", office_id=await office_in(s, "HQ"), role=Role.manager),
            ]
        )
        cafe_a, cafe_b = Cafe(name="Cafe A"), Cafe(name="@Cafe B")
        s.add_all([cafe_a, cafe_b])
        await s.flush()
        assert cafe_a.id is not None and cafe_b.id is not None
        a, b = cafe_a.id, cafe_b.id
        alice = order(
            ALICE,
            "Alice",
            a,
            [
                combo_dish("Borscht", "soup", {"Portion": "large"}),
                combo_dish("Cutlet", "main"),
                combo_dish("Olivier", "salad"),
                item("Coffee", "drink", "2.50", 2, {"Milk": "oat"}),
            ],
            "20.00",
            combo=("Combo A", "15.00"),
        )
        cmd = order(CMD, "+cmd", a, [item(EVIL_DISH, "main", "10.00", 2, {"Sauce": "-none"})], "20.00", notes="@SUM(1)")
        bob = order(
            BOB,
            "Bob",
            a,
            [
                combo_dish("Borscht", "soup"),
                combo_dish("Fish", "main"),
                combo_dish("Olivier", "salad"),
                item("Borscht", "soup", "8.00", 1),
            ],
            "23.00",
            combo=("Combo A", "15.00"),
            status=OrderStatus.confirmed,
        )
        deleted = order(None, "Dave", a, [item("Coffee", "drink", "2.50", 1)], "2.50", status=OrderStatus.sent)
        s.add_all(
            [
                alice,
                cmd,
                bob,
                deleted,
                order(CAROL, "Carol", a, [item("Coffee", "drink", "2.50", 2)], "5.00", status=OrderStatus.cancelled),
                order(ALICE, "Alice", a, [item("Coffee", "drink", "2.50", 4)], "10.00", day=NEXT_DAY),
                order(ALICE, "Alice", b, [item("Tea", "drink", "1.50", 1)], "1.50"),
            ]
        )
        await s.flush()
        return {"a": a, "b": b, "alice": alice.id, "cmd": cmd.id, "bob": bob.id, "dave": deleted.id}


async def test_day_report_totals_and_people(db_ready: object) -> None:
    ids = await seed()
    async with db.session_scope() as s:
        report = await build_day_report(s, cafe_id=ids["a"], day=DAY)

    assert report.cafe_name == "Cafe A"
    assert report.orders_count == 4
    assert report.total == Decimal("65.50")
    dishes = [(d.category, d.name, d.quantity, d.combo_quantity, d.amount) for d in report.dishes]
    assert dishes == [
        ("soup", "Borscht", 3, 2, Decimal("8.00")),
        ("salad", "Olivier", 2, 2, Decimal("0.00")),
        ("main", EVIL_DISH, 2, 0, Decimal("20.00")),
        ("main", "Cutlet", 1, 1, Decimal("0.00")),
        ("main", "Fish", 1, 1, Decimal("0.00")),
        ("drink", "Coffee", 3, 0, Decimal("7.50")),
    ]
    assert [(c.name, c.count, c.amount) for c in report.combos] == [("Combo A", 2, Decimal("30.00"))]
    # Every ruble is either a combo or an à-la-carte dish.
    assert sum(d.amount for d in report.dishes) + sum(c.amount for c in report.combos) == report.total

    assert [p.user_name for p in report.people] == ["+cmd", "Alice", "Bob", "Dave"]
    cmd, alice, bob, dave = report.people
    assert (cmd.order_id, cmd.office, cmd.notes, cmd.total, cmd.status) == (
        ids["cmd"],
        "-floor2",
        "@SUM(1)",
        Decimal("20.00"),
        "placed",
    )
    assert [(i.name, i.quantity, i.unit_price, i.amount, i.options) for i in cmd.items] == [
        (EVIL_DISH, 2, Decimal("10.00"), Decimal("20.00"), {"Sauce": "-none"})
    ]
    assert (alice.combo_name, alice.combo_price, alice.office) == ("Combo A", Decimal("15.00"), "HQ")
    assert [(d.name, d.options) for d in alice.combo_dishes] == [
        ("Borscht", {"Portion": "large"}),
        ("Cutlet", {}),
        ("Olivier", {}),
    ]
    assert [(i.name, i.quantity, i.amount, i.options) for i in alice.items] == [
        ("Coffee", 2, Decimal("5.00"), {"Milk": "oat"})
    ]
    assert bob.status == "confirmed" and bob.total == Decimal("23.00")
    assert (dave.user_tgid, dave.office, dave.status) == (None, "", "sent")

    breakdown = report.to_breakdown_json()
    assert breakdown["total"] == "65.50"
    assert breakdown["combos"] == [{"name": "Combo A", "count": 2, "amount": "30.00"}]
    assert breakdown["people"][1]["items"][0]["unit_price"] == "2.50"


async def test_day_report_of_an_empty_day_and_unknown_cafe(db_ready: object) -> None:
    ids = await seed()
    async with db.session_scope() as s:
        empty = await build_day_report(s, cafe_id=ids["b"], day=NEXT_DAY)
        assert (empty.orders_count, empty.total, empty.people, empty.dishes) == (0, Decimal("0.00"), [], [])
        with pytest.raises(NotFound):
            await build_day_report(s, cafe_id=999, day=DAY)


async def test_store_day_report_is_idempotent(db_ready: object) -> None:
    ids = await seed()
    async with db.session_scope() as s:
        first = await store_day_report(s, cafe_id=ids["a"], day=DAY)
        expected = (await build_day_report(s, cafe_id=ids["a"], day=DAY)).to_breakdown_json()
    assert (first.orders_count, first.total) == (4, Decimal("65.50"))
    assert first.breakdown == expected

    # A later change does not rewrite the stored report: the digest that went out stays on record.
    async with db.session_scope() as s:
        await s.execute(sa.update(Order).where(Order.id == ids["bob"]).values(status=OrderStatus.cancelled))
        again = await store_day_report(s, cafe_id=ids["a"], day=DAY)
    assert again.id == first.id and again.total == Decimal("65.50")

    async with db.session_scope() as s:
        count = await s.scalar(sa.select(sa.func.count()).select_from(Report))
        stored = await get_stored_report(s, cafe_id=ids["a"], day=DAY)
    assert count == 1
    assert stored is not None and stored.breakdown["orders_count"] == 4


async def _store_in_new_session(cafe_id: int, day: date) -> int | None:
    async with db.session_scope() as s:
        report = await store_day_report(s, cafe_id=cafe_id, day=day)
        return report.id


async def test_store_day_report_concurrently_makes_one_row(db_ready: object) -> None:
    ids = await seed()
    results = await asyncio.gather(*(_store_in_new_session(ids["a"], DAY) for _ in range(5)))
    assert len(set(results)) == 1

    # The second writer inserts while the first one's row is still uncommitted: it waits on the unique
    # (cafe_id, date) pair, then does nothing and reads the winner's row instead of failing.
    async with db.session_factory()() as first, first.begin():
        stored = await store_day_report(first, cafe_id=ids["a"], day=NEXT_DAY)
        second = asyncio.create_task(_store_in_new_session(ids["a"], NEXT_DAY))
        await asyncio.sleep(0.3)  # let the second writer reach the insert
    assert await second == stored.id

    async with db.session_scope() as s:
        rows = (await s.execute(sa.select(Report.date, Report.orders_count).order_by(Report.date))).all()
    assert rows == [(DAY, 4), (NEXT_DAY, 1)]


async def test_store_day_report_on_sqlite(db_ready: object, tmp_path: Any) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from sqlmodel import SQLModel

    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'reports.db'}")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
        factory = async_sessionmaker(engine, expire_on_commit=False, class_=AsyncSession)
        async with factory() as s, s.begin():
            cafe = Cafe(name="Cafe A")
            s.add(cafe)
            await s.flush()
            assert cafe.id is not None
            s.add(order(None, "Dave", cafe.id, [item("Coffee", "drink", "2.50", 3)], "7.50"))
        ids = []
        for _ in range(2):
            async with factory() as s, s.begin():
                ids.append((await store_day_report(s, cafe_id=cafe.id, day=DAY)).id)
        async with factory() as s:
            rows = (await s.execute(sa.select(Report.orders_count, Report.total))).all()
        assert ids[0] == ids[1]
        assert rows == [(1, Decimal("7.50"))]
    finally:
        await engine.dispose()


# --- SPEC §11 scenario 12: downloads match the orders, nothing in them is a formula -------------------

STATUS_EN = {"placed": "Placed", "sent": "Sent to the cafe", "confirmed": "Accepted by the cafe"}


def neutral(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


async def expected_order_rows(cafe_id: int) -> list[list[str]]:
    """The rows the Orders table must have, computed straight from the order rows in the database."""
    async with db.session_scope() as s:
        result = await s.execute(
            sa.select(Order, Office.name)
            .outerjoin(User, User.tgid == Order.user_tgid)
            .outerjoin(Office, Office.id == User.office_id)
            .where(Order.cafe_id == cafe_id, Order.order_date == DAY, Order.status != OrderStatus.cancelled)
        )
        orders = sorted(result.all(), key=lambda row: row[0].user_name.casefold())
    rows: list[list[str]] = []
    for o, office in orders:
        person = [str(o.id), neutral(o.user_name), neutral(office or ""), STATUS_EN[o.status]]
        tail = [neutral(o.notes), f"{o.total:.2f}"]
        if o.combo_name:
            price = f"{o.combo_price:.2f}"
            rows.append([*person, "Combo", neutral(o.combo_name), "", "", "1", price, price, *tail])
        for kind in ("combo_dish", "item"):
            for line in (raw for raw in o.lines if raw["kind"] == kind):
                options = "; ".join(f"{k}: {v}" for k, v in line["options"].items())
                if kind == "combo_dish":
                    prices = ["", ""]
                else:
                    unit = Decimal(line["unit_price"])
                    prices = [f"{unit:.2f}", f"{unit * line['quantity']:.2f}"]
                label = "Combo dish" if kind == "combo_dish" else "Dish"
                name = neutral(line["name"])
                quantity = str(line["quantity"])
                rows.append([*person, label, name, line["category"], options, quantity, *prices, *tail])
    return rows


def csv_tables(data: bytes) -> list[list[list[str]]]:
    assert data[:3] == b"\xef\xbb\xbf", "UTF-8 BOM"
    tables: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")):
        if row:
            tables[-1].append(row)
        else:
            tables.append([])
    return tables


def xlsx_text(value: object, money: bool) -> str:
    if value is None:
        return ""
    if money:
        assert isinstance(value, int | float), value
        return f"{Decimal(str(value)):.2f}"
    return str(value)


async def test_scenario_12_csv_and_xlsx_match_the_orders(db_ready: object) -> None:
    ids = await seed()
    async with db.session_scope() as s:
        report = await day_report_for_manager(s, actor_tgid=MANAGER, cafe_id=ids["a"], day=DAY)
    expected = await expected_order_rows(ids["a"])
    assert len(expected) == 12  # Alice 1+3+1, +cmd 1, Bob 1+3+1, Dave 1

    orders, dishes, combos, summary = csv_tables(day_report_csv(report, "en"))
    assert orders[2:] == expected
    assert sum(Decimal(row[10]) for row in orders[2:] if row[10]) == Decimal("65.50")
    assert summary[2] == ["Cafe A", "2026-12-01", "4", "65.50"]
    assert ["'" + EVIL_DISH, "main", "2", "0", "20.00"] in dishes
    assert ["Borscht", "soup", "3", "2", "8.00"] in dishes
    assert combos[2:] == [["Combo A", "2", "30.00"]]
    evil_row = next(row for row in orders[2:] if row[1] == "'+cmd")
    assert evil_row[5] == "'" + EVIL_DISH and evil_row[11] == "'@SUM(1)" and evil_row[2] == "'-floor2"

    workbook = load_workbook(io.BytesIO(day_report_xlsx(report, "en")))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), cell.value
    sheet = workbook["Orders"]
    money_columns = {9, 10, 12}  # unit price, sum, order total (0-based)
    xlsx_rows = [
        [xlsx_text(cell.value, index in money_columns) for index, cell in enumerate(row)]
        for row in sheet.iter_rows(min_row=3)
    ]
    assert xlsx_rows == expected
    for row in sheet.iter_rows(min_row=3):
        for index in money_columns:
            if row[index].value is not None:
                assert row[index].data_type == "n" and row[index].number_format == "0.00"


# --- per date range -----------------------------------------------------------------------------------


async def test_range_report_spending_per_employee_and_cafe(db_ready: object) -> None:
    ids = await seed()
    async with db.session_scope() as s:
        alice = await s.get(User, ALICE)
        assert alice is not None
        alice.name = "Alice Smith"  # the range report shows today's name and office
        report = await build_range_report(s, start=DAY, end=NEXT_DAY)
    employees = [(e.user_tgid, e.name, e.office, e.orders_count, e.total) for e in report.employees]
    assert employees == [
        (CMD, "+cmd", "-floor2", 1, Decimal("20.00")),
        (ALICE, "Alice Smith", "HQ", 3, Decimal("31.50")),
        (BOB, "Bob", "Lab", 1, Decimal("23.00")),
        (None, "Dave", "", 1, Decimal("2.50")),
    ]
    assert [(c.cafe_id, c.name, c.orders_count, c.total) for c in report.cafes] == [
        (ids["b"], "@Cafe B", 1, Decimal("1.50")),
        (ids["a"], "Cafe A", 5, Decimal("75.50")),
    ]
    assert (report.orders_count, report.total) == (6, Decimal("77.00"))
    assert report.to_json()["total"] == "77.00"

    async with db.session_scope() as s:
        one_cafe = await build_range_report(s, start="2026-12-01", end="2026-12-01", cafe_id=ids["b"])
        one_day = await build_range_report(s, start=DAY, end=DAY)
    assert [(e.name, e.orders_count, e.total) for e in one_cafe.employees] == [("Alice Smith", 1, Decimal("1.50"))]
    assert (one_cafe.orders_count, one_cafe.total, len(one_cafe.cafes)) == (1, Decimal("1.50"), 1)
    assert [(e.name, e.total) for e in one_day.employees][1] == ("Alice Smith", Decimal("21.50"))
    assert one_day.total == Decimal("67.00")

    employees_table, cafes_table = csv_tables(range_report_csv(report, "en"))
    assert employees_table[2:] == [
        ["'+cmd", "'-floor2", "1", "20.00"],
        ["Alice Smith", "HQ", "3", "31.50"],
        ["Bob", "Lab", "1", "23.00"],
        ["Dave", "", "1", "2.50"],
        ["Total", "", "6", "77.00"],
    ]
    assert cafes_table[2:] == [["'@Cafe B", "1", "1.50"], ["Cafe A", "5", "75.50"], ["Total", "6", "77.00"]]
    workbook = load_workbook(io.BytesIO(range_report_xlsx(report, "en")))
    cafe_rows = [[c.value for c in row] for row in workbook["Cafes"].iter_rows(min_row=3)]
    assert cafe_rows == [["'@Cafe B", 1, 1.5], ["Cafe A", 5, 75.5], ["Total", 6, 77]]


@pytest.mark.parametrize(
    ("start", "end", "key"),
    [
        (NEXT_DAY, DAY, "error.report.range_order"),
        (date(2026, 1, 1), date(2027, 1, 2), "error.report.range_too_long"),
        ("yesterday", DAY, "error.invalid_input"),
        (DAY, "2026-13-01", "error.invalid_input"),
    ],
)
async def test_bad_ranges_are_refused(db_ready: object, start: Any, end: Any, key: str) -> None:
    async with db.session_scope() as s:
        with pytest.raises(InvalidInput) as refused:
            await build_range_report(s, start=start, end=end)
    assert refused.value.key == key
    assert refused.value.message("en") != key  # translated


async def test_longest_range_and_unknown_cafe(db_ready: object) -> None:
    await seed()
    async with db.session_scope() as s:
        year = await build_range_report(s, start=date(2026, 1, 1), end=date(2027, 1, 1))  # 366 days
        assert year.total == Decimal("77.00")
        with pytest.raises(NotFound):
            await build_range_report(s, start=DAY, end=DAY, cafe_id=999)
        with pytest.raises(InvalidInput):
            await build_range_report(s, start=DAY, end=DAY, cafe_id=0)


# --- only managers ------------------------------------------------------------------------------------


async def test_reports_are_for_managers_only(db_ready: object) -> None:
    ids = await seed()
    async with db.session_scope() as s:
        inactive = User(tgid=9001, name="Former", office_id=await office_in(s), role=Role.manager, is_active=False)
        s.add(inactive)
    for actor in (ALICE, 9001, 424242):
        async with db.session_scope() as s:
            with pytest.raises(Forbidden):
                await day_report_for_manager(s, actor_tgid=actor, cafe_id=ids["a"], day=DAY)
            with pytest.raises(Forbidden):
                await range_report_for_manager(s, actor_tgid=actor, start=DAY, end=DAY)
    async with db.session_scope() as s:
        day = await day_report_for_manager(s, actor_tgid=MANAGER, cafe_id=str(ids["a"]), day="2026-12-01")
        period = await range_report_for_manager(s, actor_tgid=MANAGER, start=DAY, end=NEXT_DAY, cafe_id="")
        assert (day.orders_count, period.orders_count) == (4, 6)
        with pytest.raises(InvalidInput):
            await day_report_for_manager(s, actor_tgid=MANAGER, cafe_id="abc", day=DAY)
        with pytest.raises(InvalidInput):
            await range_report_for_manager(s, actor_tgid=MANAGER, start=DAY, end=NEXT_DAY, cafe_id="x")
