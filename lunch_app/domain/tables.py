"""Tables from uploaded files, for the imports (people, holidays): one reader for the CLI and the dashboard.

- CSV: UTF-8 (a byte-order mark is fine, anything else that is not UTF-8 is refused), `;` or `,` (or tab) as the
  separator, guessed from the header line; quoted cells as the csv module reads them.
- XLSX: the first sheet (openpyxl, values only).
- The first non-empty row is the header. Each column is recognised by one of its names (Russian or English, any
  case, spaces/underscores/dashes alike). An unknown column, a column given twice, a missing required column, an
  empty file, an unreadable or oversized file are problems of the whole file (`TableError`); what a cell holds is
  for the caller to check row by row (`RowProblem`, with the row's line number in the file).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lunch_app.domain.errors import InvalidInput

MAX_FILE_BYTES = 5 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class TableError(InvalidInput):
    """The file as a whole cannot be read as the expected table; nothing was changed."""


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row (line numbers as a spreadsheet shows them: the header is line 1 or later)."""

    line: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "ru") -> str:
        from lunch_app.i18n import t

        return t("import.line", lang, line=self.line, problem=t(self.key, lang, **self.params))


@dataclass(frozen=True)
class TableRow:
    line: int
    cells: dict[str, Any]  # field → raw value (str from CSV; str/int/float/datetime/None from XLSX)
    extra_cells: bool = False  # non-empty cells beyond the header's columns


@dataclass(frozen=True)
class Table:
    fields: tuple[str, ...]  # the recognised columns, in file order
    rows: list[TableRow]


def _normalise(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.replace("\ufeff", "")).strip().strip("*:").strip().casefold()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(
    content: bytes, filename: str, *, columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> Table:
    """The table in `content`: `columns` maps each field to the header names it may have."""
    if not content or not content.strip():
        raise TableError("error.import.empty")
    if len(content) > MAX_FILE_BYTES:
        raise TableError("error.import.too_big", max_mb=MAX_FILE_BYTES // (1024 * 1024))
    is_xlsx = content.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm"))
    raw_rows = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    header: list[Any] | None = None
    header_line = 0
    rows: list[TableRow] = []
    positions: dict[str, int] = {}
    for line, cells in raw_rows:
        if all(_is_blank(cell) for cell in cells):
            continue
        if header is None:
            header, header_line = list(cells), line
            positions = _map_header(header, columns, required)
            continue
        extra = any(not _is_blank(cell) for cell in cells[len(header) :])
        values = {name: (cells[index] if index < len(cells) else None) for name, index in positions.items()}
        rows.append(TableRow(line=line, cells=values, extra_cells=extra))
    if header is None or header_line == 0:
        raise TableError("error.import.empty")
    if not rows:
        raise TableError("error.import.no_rows")
    ordered = tuple(sorted(positions, key=positions.__getitem__))
    return Table(fields=ordered, rows=rows)


def _map_header(header: list[Any], columns: Mapping[str, Sequence[str]], required: Sequence[str]) -> dict[str, int]:
    aliases = {_normalise(alias): name for name, names in columns.items() for alias in (name, *names)}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = "" if cell is None else str(cell)
        if not text.strip():
            raise TableError("error.import.blank_column", number=index + 1)
        name = aliases.get(_normalise(text))
        if name is None:
            raise TableError("error.import.unknown_column", column=text.strip()[:50])
        if name in positions:
            raise TableError("error.import.duplicate_column", column=text.strip()[:50])
        positions[name] = index
    missing = [name for name in required if name not in positions]
    if missing:
        raise TableError("error.import.missing_columns", columns=", ".join(missing))
    return positions


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError("error.import.not_utf8") from None
    if "\x00" in text:
        raise TableError("error.import.not_utf8")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise TableError("error.import.bad_csv", line=reader.line_num, details=str(exc)[:100]) from None


def _xlsx_rows(content: bytes) -> Iterable[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise TableError("error.import.bad_xlsx") from exc
    except Exception as exc:  # openpyxl raises its own InvalidFileException and friends for broken files
        raise TableError("error.import.bad_xlsx") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TableError("error.import.empty")
        return [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A cell as trimmed text: None → "", 12.0 → "12" (XLSX stores whole numbers as floats sometimes)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return " ".join(str(value).split())


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y.%m.%d")


def parse_date_cell(value: Any) -> date | None:
    """A date cell: an XLSX date, or text as 2027-01-01 / 01.01.2027 / 01/01/2027; None when it is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
