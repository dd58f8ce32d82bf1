"""CSV and XLSX downloads of the reports (SPEC §4 "Reports").

Both formats are written from the same list of tables, so they always say the same thing. Every text
cell goes through `safe_text`, the one place of the spreadsheet-injection rule: a cell that a
spreadsheet would read as a formula (=, +, -, @, tab or CR first) gets a leading single quote, and
XLSX text cells are additionally forced to the string type. Money is `Decimal`: "20.00" in CSV,
a number with a 0.00 format in XLSX.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lunch_app.domain.reports import CENT, DayReport, PersonEntry, RangeReport, ReportLine
from lunch_app.i18n import t

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | Decimal | None

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML (and so XLSX) cannot hold; they carry no meaning in a report either.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MONEY_FORMAT = "0.00"


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet will execute: control characters removed, and a leading quote
    when the text (or the text after leading spaces) starts like a formula."""
    cleaned = _CONTROL_CHARACTERS.sub("", value)
    if cleaned.startswith(FORMULA_TRIGGERS) or cleaned.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + cleaned
    return cleaned


@dataclass(frozen=True)
class _Table:
    sheet: str  # translated sheet name (XLSX); tables sharing a sheet are stacked
    title: str
    header: list[str]
    rows: list[list[Cell]]


# --- table builders ----------------------------------------------------------------------------------


def _label(key: str, lang: str, fallback: str) -> str:
    text = t(key, lang)
    return fallback if text == key else text


def _options(options: dict[str, str]) -> str:
    return "; ".join(f"{name}: {value}" for name, value in options.items())


def _person_rows(person: PersonEntry, lang: str) -> list[list[Cell]]:
    status = _label(f"order_status.{person.status}", lang, person.status)

    def row(kind: str, name: str, category: str, options: str, qty: int, price: Cell, amount: Cell) -> list[Cell]:
        return [
            person.order_id,
            person.user_name,
            person.office,
            status,
            t(f"export.kind.{kind}", lang),
            name,
            category,
            options,
            qty,
            price,
            amount,
            person.notes,
            person.total,
        ]

    def line_row(kind: str, line: ReportLine, priced: bool) -> list[Cell]:
        category = _label(f"category_one.{line.category}", lang, line.category)
        price, amount = (line.unit_price, line.amount) if priced else (None, None)
        return row(kind, line.name, category, _options(line.options), line.quantity, price, amount)

    rows: list[list[Cell]] = []
    if person.combo_name is not None or person.combo_id is not None:
        rows.append(row("combo", person.combo_name or "", "", "", 1, person.combo_price, person.combo_price))
        rows.extend(line_row("combo_dish", line, priced=False) for line in person.combo_dishes)
    rows.extend(line_row("item", line, priced=True) for line in person.items)
    if not rows:  # an order without lines still shows who ordered and the total
        rows.append(row("item", "", "", "", 0, None, None))
    return rows


def _column(key: str, lang: str) -> str:
    return t(f"export.col.{key}", lang)


def _day_tables(report: DayReport, lang: str) -> list[_Table]:
    def col(key: str) -> str:
        return _column(key, lang)

    orders_sheet, totals_sheet = t("export.sheet.orders", lang), t("export.sheet.totals", lang)
    orders_header = [
        col(key)
        for key in (
            "order_id",
            "person",
            "office",
            "status",
            "kind",
            "item",
            "category",
            "options",
            "quantity",
            "unit_price",
            "amount",
            "notes",
            "order_total",
        )
    ]
    return [
        _Table(
            sheet=orders_sheet,
            title=t("export.table.orders", lang),
            header=orders_header,
            rows=[row for person in report.people for row in _person_rows(person, lang)],
        ),
        _Table(
            sheet=totals_sheet,
            title=t("export.table.dishes", lang),
            header=[col("dish"), col("category"), col("quantity"), col("combo_quantity"), col("amount")],
            rows=[
                [
                    dish.name,
                    _label(f"category_one.{dish.category}", lang, dish.category),
                    dish.quantity,
                    dish.combo_quantity,
                    dish.amount,
                ]
                for dish in report.dishes
            ],
        ),
        _Table(
            sheet=totals_sheet,
            title=t("export.table.combos", lang),
            header=[col("combo"), col("count"), col("amount")],
            rows=[[combo.name, combo.count, combo.amount] for combo in report.combos],
        ),
        _Table(
            sheet=totals_sheet,
            title=t("export.table.summary", lang),
            header=[col("cafe"), col("date"), col("orders"), col("total")],
            rows=[[report.cafe_name, report.day.isoformat(), report.orders_count, report.total]],
        ),
    ]


def _range_tables(report: RangeReport, lang: str) -> list[_Table]:
    def col(key: str) -> str:
        return _column(key, lang)

    period = {"start": report.start.isoformat(), "end": report.end.isoformat()}
    total_label = t("export.total_row", lang)
    employee_rows: list[list[Cell]] = [[e.name, e.office, e.orders_count, e.total] for e in report.employees]
    cafe_rows: list[list[Cell]] = [[c.name, c.orders_count, c.total] for c in report.cafes]
    return [
        _Table(
            sheet=t("export.sheet.employees", lang),
            title=t("export.table.employees", lang, **period),
            header=[col("person"), col("office"), col("orders"), col("total")],
            rows=[*employee_rows, [total_label, "", report.orders_count, report.total]],
        ),
        _Table(
            sheet=t("export.sheet.cafes", lang),
            title=t("export.table.cafes", lang, **period),
            header=[col("cafe"), col("orders"), col("total")],
            rows=[*cafe_rows, [total_label, report.orders_count, report.total]],
        ),
    ]


# --- writers -----------------------------------------------------------------------------------------


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if isinstance(value, int):
        return str(value)
    return safe_text(value)


def _to_csv(tables: Iterable[_Table]) -> bytes:
    """UTF-8 with a BOM (so Excel detects the encoding), every field quoted, tables separated by a blank row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([_csv_value(table.title)])
        writer.writerow([_csv_value(name) for name in table.header])
        writer.writerows([_csv_value(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def _put(sheet: Any, row: int, column: int, value: Cell, *, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"  # never a formula, whatever the text
    elif isinstance(value, Decimal):
        cell.value = value.quantize(CENT)
        cell.number_format = _MONEY_FORMAT
    else:
        cell.value = value
    if bold:
        cell.font = Font(bold=True)


def _to_xlsx(tables: Iterable[_Table]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets: dict[str, Any] = {}
    next_row: dict[str, int] = {}
    widths: dict[str, dict[int, int]] = {}
    for table in tables:
        if table.sheet not in sheets:
            sheets[table.sheet] = workbook.create_sheet(title=table.sheet[:31])
            next_row[table.sheet] = 1
            widths[table.sheet] = {}
        sheet, row = sheets[table.sheet], next_row[table.sheet]
        if row > 1:
            row += 1  # a blank row between stacked tables
        _put(sheet, row, 1, table.title, bold=True)
        for column, name in enumerate(table.header, start=1):
            _put(sheet, row + 1, column, name, bold=True)
        for offset, values in enumerate(table.rows, start=2):
            for column, value in enumerate(values, start=1):
                _put(sheet, row + offset, column, value)
        for values in [list[Cell](table.header), *table.rows]:
            for column, value in enumerate(values, start=1):
                width = len(str(value)) if value is not None else 0
                widths[table.sheet][column] = max(widths[table.sheet].get(column, 0), width)
        next_row[table.sheet] = row + len(table.rows) + 2
    for name, sheet in sheets.items():
        for column, width in widths[name].items():
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- public API --------------------------------------------------------------------------------------


def day_report_csv(report: DayReport, lang: str = "ru") -> bytes:
    return _to_csv(_day_tables(report, lang))


def day_report_xlsx(report: DayReport, lang: str = "ru") -> bytes:
    return _to_xlsx(_day_tables(report, lang))


def range_report_csv(report: RangeReport, lang: str = "ru") -> bytes:
    return _to_csv(_range_tables(report, lang))


def range_report_xlsx(report: RangeReport, lang: str = "ru") -> bytes:
    return _to_xlsx(_range_tables(report, lang))


def day_report_filename(report: DayReport, extension: str) -> str:
    """ASCII-only (safe in a Content-Disposition header): report_cafe3_2026-11-30.csv"""
    return f"report_cafe{report.cafe_id}_{report.day.isoformat()}.{extension}"


def range_report_filename(report: RangeReport, extension: str) -> str:
    cafe = f"_cafe{report.cafe_id}" if report.cafe_id is not None else ""
    return f"spending{cafe}_{report.start.isoformat()}_{report.end.isoformat()}.{extension}"
