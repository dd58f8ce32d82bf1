"""CSV/XLSX writers of the reports: the injection rule, the encoding, money formats, translated headers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lunch_app.domain.exports import (
    day_report_csv,
    day_report_filename,
    day_report_xlsx,
    range_report_csv,
    range_report_filename,
    range_report_xlsx,
    safe_text,
)
from lunch_app.domain.reports import (
    CafeSpending,
    ComboTotal,
    DayReport,
    DishTotal,
    EmployeeSpending,
    PersonEntry,
    RangeReport,
    ReportLine,
)

EVIL_DISH = '=HYPERLINK("http://evil","x")'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=1+1", "'=1+1"),
        (EVIL_DISH, "'" + EVIL_DISH),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =x", "'  =x"),
        ("\x01=x", "'=x"),
        ("Borscht", "Borscht"),
        ("a=b", "a=b"),
        ("", ""),
        ("Ivan\x00 Petrov", "Ivan Petrov"),
    ],
)
def test_safe_text(raw: str, expected: str) -> None:
    assert safe_text(raw) == expected


def _line(name: str, category: str, qty: int, price: str, options: dict[str, str] | None = None) -> ReportLine:
    unit = Decimal(price)
    return ReportLine(
        menu_item_id=1,
        name=name,
        category=category,
        quantity=qty,
        unit_price=unit,
        amount=unit * qty,
        options=options or {},
    )


def make_day_report() -> DayReport:
    people = [
        PersonEntry(
            order_id=7,
            user_tgid=2,
            user_name="+cmd",
            office="-floor",
            status="placed",
            combo_id=None,
            combo_name=None,
            combo_price=None,
            combo_dishes=[],
            items=[_line(EVIL_DISH, "main", 2, "10.00", {"Sauce": "@none"})],
            notes="@SUM(1)",
            total=Decimal("20.00"),
        ),
        PersonEntry(
            order_id=5,
            user_tgid=1,
            user_name="Alice",
            office="HQ",
            status="confirmed",
            combo_id=3,
            combo_name="Combo A",
            combo_price=Decimal("15.00"),
            combo_dishes=[_line("Borscht", "soup", 1, "0.00", {"Portion": "large"}), _line("Cutlet", "main", 1, "0")],
            items=[_line("Coffee", "drink", 2, "2.50")],
            notes="",
            total=Decimal("20.00"),
        ),
    ]
    return DayReport(
        cafe_id=3,
        cafe_name="=Cafe",
        day=date(2026, 12, 1),
        orders_count=2,
        total=Decimal("40.00"),
        dishes=[
            DishTotal("Borscht", "soup", 1, 1, Decimal("0.00")),
            DishTotal(EVIL_DISH, "main", 2, 0, Decimal("20.00")),
            DishTotal("Coffee", "drink", 2, 0, Decimal("5.00")),
        ],
        combos=[ComboTotal("Combo A", 1, Decimal("15.00"))],
        people=people,
    )


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM expected"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def split_tables(rows: list[list[str]]) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            tables[-1].append(row)
        else:
            tables.append([])
    return tables


def test_day_csv_rows_and_neutralised_cells() -> None:
    data = day_report_csv(make_day_report(), "en")
    raw_text = data.decode("utf-8-sig")
    assert raw_text.startswith('"Orders"\r\n'), "every field quoted by the csv module"
    orders, dishes, combos, summary = split_tables(read_csv(data))
    assert orders[0] == ["Orders"]
    assert orders[1] == [
        "Order #",
        "Employee",
        "Office",
        "Status",
        "Type",
        "Item",
        "Category",
        "Options",
        "Qty",
        "Unit price",
        "Sum",
        "Notes",
        "Order total",
    ]
    cmd = ["7", "'+cmd", "'-floor", "Placed"]
    alice = ["5", "Alice", "HQ", "Accepted by the cafe"]
    assert orders[2:] == [
        [*cmd, "Dish", "'" + EVIL_DISH, "main", "Sauce: @none", "2", "10.00", "20.00", "'@SUM(1)", "20.00"],
        [*alice, "Combo", "Combo A", "", "", "1", "15.00", "15.00", "", "20.00"],
        [*alice, "Combo dish", "Borscht", "soup", "Portion: large", "1", "", "", "", "20.00"],
        [*alice, "Combo dish", "Cutlet", "main", "", "1", "", "", "", "20.00"],
        [*alice, "Dish", "Coffee", "drink", "", "2", "2.50", "5.00", "", "20.00"],
    ]
    assert dishes == [
        ["Totals by dish"],
        ["Dish", "Category", "Qty", "Of which in combos", "Sum"],
        ["Borscht", "soup", "1", "1", "0.00"],
        ["'" + EVIL_DISH, "main", "2", "0", "20.00"],
        ["Coffee", "drink", "2", "0", "5.00"],
    ]
    assert combos == [["Totals by combo"], ["Combo", "Count", "Sum"], ["Combo A", "1", "15.00"]]
    assert summary == [["Summary"], ["Cafe", "Date", "Orders", "Total"], ["'=Cafe", "2026-12-01", "2", "40.00"]]
    for row in read_csv(data):
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_day_csv_headers_are_russian_by_default() -> None:
    orders = split_tables(read_csv(day_report_csv(make_day_report())))[0]
    assert orders[0] == ["Заказы"]
    assert orders[1][:3] == ["Заказ №", "Сотрудник", "Офис"]
    assert orders[2][3] == "Оформлен"
    assert orders[2][6] == "горячее"


def test_day_xlsx_has_no_formulas_and_numeric_money() -> None:
    workbook = load_workbook(io.BytesIO(day_report_xlsx(make_day_report(), "en")))
    assert workbook.sheetnames == ["Orders", "Totals"]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
    orders = workbook["Orders"]
    assert orders["A1"].value == "Orders"
    assert [c.value for c in orders[2]][:6] == ["Order #", "Employee", "Office", "Status", "Type", "Item"]
    first = [c.value for c in orders[3]]
    assert first[:6] == [7, "'+cmd", "'-floor", "Placed", "Dish", "'" + EVIL_DISH]
    assert first[11] == "'@SUM(1)"
    for column in ("J", "K", "M"):
        cell = orders[f"{column}3"]
        assert isinstance(cell.value, int | float) and cell.data_type == "n"
        assert cell.number_format == "0.00"
    assert orders["J3"].value == 10 and orders["K3"].value == 20 and orders["M3"].value == 20
    assert orders["J6"].value is None  # a combo dish has no price of its own
    totals = workbook["Totals"]
    values = [[c.value for c in row] for row in totals.iter_rows(max_col=5)]
    assert ["'" + EVIL_DISH, "main", 2, 0, 20] in values
    assert ["'=Cafe", "2026-12-01", 2, 40, None] in values


def make_range_report() -> RangeReport:
    return RangeReport(
        start=date(2026, 12, 1),
        end=date(2026, 12, 31),
        cafe_id=None,
        employees=[
            EmployeeSpending(2, "+cmd", "", 1, Decimal("20.00")),
            EmployeeSpending(1, "Alice", "HQ", 3, Decimal("47.50")),
        ],
        cafes=[CafeSpending(3, "@Cafe", 4, Decimal("67.50"))],
        orders_count=4,
        total=Decimal("67.50"),
    )


def test_range_csv_and_xlsx() -> None:
    report = make_range_report()
    employees, cafes = split_tables(read_csv(range_report_csv(report, "en")))
    assert employees == [
        ["Spending by employee, 2026-12-01 — 2026-12-31"],
        ["Employee", "Office", "Orders", "Total"],
        ["'+cmd", "", "1", "20.00"],
        ["Alice", "HQ", "3", "47.50"],
        ["Total", "", "4", "67.50"],
    ]
    assert cafes[2:] == [["'@Cafe", "4", "67.50"], ["Total", "4", "67.50"]]

    workbook = load_workbook(io.BytesIO(range_report_xlsx(report, "ru")))
    assert workbook.sheetnames == ["Сотрудники", "Кафе"]
    rows = [[c.value for c in row] for row in workbook["Сотрудники"].iter_rows(min_row=3)]
    assert rows == [["'+cmd", None, 1, 20], ["Alice", "HQ", 3, 47.5], ["Итого", None, 4, 67.5]]
    assert workbook["Сотрудники"]["D4"].number_format == "0.00"
    assert all(cell.data_type != "f" for row in workbook["Кафе"].iter_rows() for cell in row)


def test_filenames_are_ascii() -> None:
    assert day_report_filename(make_day_report(), "csv") == "report_cafe3_2026-12-01.csv"
    assert range_report_filename(make_range_report(), "xlsx") == "spending_2026-12-01_2026-12-31.xlsx"


def test_breakdown_json_round_trip() -> None:
    report = make_day_report()
    data = report.to_breakdown_json()
    assert data["total"] == "40.00" and data["people"][1]["combo_price"] == "15.00"
    assert DayReport.from_breakdown_json(data) == report
