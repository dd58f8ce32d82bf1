"""Bulk onboarding and holiday imports over real files (issue 11): CSV with a byte-order mark, `;` and `,`
separators, XLSX, iCalendar; every invalid class refused with every row's problem and nothing changed; re-imports
that change nothing; the last manager protected. Domain level on PostgreSQL, the CLI as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.domain import calendar, onboarding
from lunch_app.domain.tables import TableError
from lunch_app.models import AccessRequest, AuditLog, Office, Order, RequestStatus, Role, User
from tests.access_fixtures import notices, snapshot
from tests.conftest import ROOT
from tests.events_fixtures import add_orders
from tests.office_fixtures import NSK, office, office_in
from tests.orders_fixtures import add_cafe

MANAGER = 7_200_000_100
HEADER_RU = "Telegram ID;Имя;Офис;Роль;Недельный лимит"
ROWS_RU = [
    "7200000001;Анна Иванова;Москва;сотрудник;3000,00",
    "7200000002;Борис Петров;новосибирск;;",
    "7200000003;Вера Сидорова;Москва;менеджер;1500.5",
]


@pytest.fixture
async def company(db_ready: MovableClock) -> dict[str, int]:
    msk = await office("Москва", timezone="Europe/Moscow")
    nsk = await office("Новосибирск", timezone=NSK)
    closed = await office("Старый офис")
    async with db.session_scope() as s:
        row = await s.get(Office, closed)
        assert row is not None
        row.is_active = False
        s.add(User(tgid=MANAGER, name="Мария", office_id=msk, role=Role.manager))
    return {"msk": msk, "nsk": nsk, "closed": closed}


def csv_file(
    tmp_path: Path, lines: list[str], *, name: str = "people.csv", bom: bool = True, encoding: str = "utf-8"
) -> Path:
    path = tmp_path / name
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def xlsx_file(tmp_path: Path, rows: list[list[Any]], name: str = "people.xlsx") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


async def apply(path: Path, **kwargs: Any) -> onboarding.ImportOutcome:
    async with db.session_scope() as s:
        return await onboarding.apply_user_import(
            s, actor_tgid=kwargs.pop("actor", MANAGER), content=path.read_bytes(), filename=path.name, **kwargs
        )


async def people() -> dict[int, tuple[str, str, str, Decimal | None, bool]]:
    async with db.session_scope() as s:
        rows = await s.execute(
            sa.select(User.tgid, User.name, Office.name, User.role, User.weekly_limit, User.is_active).join(  # type: ignore[call-overload]
                Office, Office.id == User.office_id
            )
        )
        return {
            tgid: (name, office_name, role.value, limit, active)
            for tgid, name, office_name, role, limit, active in rows
        }


async def test_a_csv_with_a_bom_semicolons_and_russian_headers_onboards_everyone(
    company: dict[str, int], tmp_path: Path
) -> None:
    async with db.session_scope() as s:  # Борис asked for access already: the import settles his request
        s.add(AccessRequest(tgid=7200000002, name="Боря", office_id=company["nsk"], status=RequestStatus.pending))
    path = csv_file(tmp_path, [HEADER_RU, *ROWS_RU])
    async with db.session_scope() as s:
        plan = await onboarding.plan_user_import(s, content=path.read_bytes(), filename=path.name)
    assert plan.valid and [row.action for row in plan.rows] == [onboarding.RowAction.create] * 3
    outcome = await apply(path)
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.skipped) == (3, 0, 0, 0)
    assert await people() == {
        MANAGER: ("Мария", "Москва", "manager", None, True),
        7200000001: ("Анна Иванова", "Москва", "employee", Decimal("3000.00"), True),
        7200000002: ("Борис Петров", "Новосибирск", "employee", None, True),
        7200000003: ("Вера Сидорова", "Москва", "manager", Decimal("1500.50"), True),
    }
    async with db.session_scope() as s:
        request = (await s.execute(sa.select(AccessRequest))).scalar_one()
        audit = (await s.execute(sa.select(AuditLog.entity_id).where(AuditLog.action == "user.import"))).scalars().all()  # type: ignore[call-overload,arg-type]
    assert request.status == RequestStatus.approved and request.processed_by == MANAGER
    assert [n["user_tgid"] for n in await notices("access_approved")] == [7200000002]
    assert sorted(audit) == ["7200000001", "7200000002", "7200000003"]

    before = await snapshot()
    again = await apply(path)  # the same file once more changes nothing
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert await snapshot() == before


async def test_comma_csv_and_xlsx_with_english_headers_read_the_same(company: dict[str, int], tmp_path: Path) -> None:
    comma = csv_file(
        tmp_path,
        [
            "tgid,name,office,role,weekly_limit",
            '7200000001,"Иванова, Анна",Москва,employee,3000',
            "7200000002,Борис,Новосибирск,,",
        ],
        bom=False,
    )
    sheet = xlsx_file(
        tmp_path,
        [
            ["Telegram ID", "Name", "Office", "Role", "Weekly limit"],
            [7200000001, "Иванова, Анна", "Москва", "Employee", 3000],
            [7200000002.0, "Борис", "Новосибирск", None, None],
        ],
    )
    first = await apply(comma)
    assert first.created == 2
    assert (await people())[7200000001] == ("Иванова, Анна", "Москва", "employee", Decimal("3000.00"), True)
    before = await snapshot()
    second = await apply(sheet)  # the XLSX says the same thing: nothing to change
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert await snapshot() == before


async def test_a_row_for_an_existing_person_updates_name_office_and_limit(
    company: dict[str, int], tmp_path: Path
) -> None:
    async with db.session_scope() as s:
        s.add(User(tgid=7200000001, name="Аня", office_id=company["msk"], weekly_limit=Decimal("500"), is_active=False))
        s.add(User(tgid=7200000002, name="Борис", office_id=company["msk"], role=Role.manager))
    path = csv_file(tmp_path, ["tgid;name;office;role", "7200000001;Анна;Новосибирск;", "7200000002;Борис;Москва;"])
    outcome = await apply(path)
    assert (outcome.updated, outcome.unchanged) == (1, 1)
    found = await people()
    # No limit column: the limit stays; an empty role cell: the role stays; the person is active again.
    assert found[7200000001] == ("Анна", "Новосибирск", "employee", Decimal("500.00"), True)
    assert found[7200000002] == ("Борис", "Москва", "manager", None, True)
    limits = csv_file(tmp_path, ["tgid;name;office;limit", "7200000001;Анна;Новосибирск;"], name="limits.csv")
    await apply(limits)  # a limit column with an empty cell: no limit
    assert (await people())[7200000001][3] is None


INVALID_ROWS = [
    ("abc;Анна;Москва;;", "error.import.bad_tgid"),
    ("-5;Анна;Москва;;", "error.import.bad_tgid"),
    ("12.5;Анна;Москва;;", "error.import.bad_tgid"),
    ("99999999999999999999;Анна;Москва;;", "error.import.bad_tgid"),
    ("7200000011;;Москва;;", "error.import.bad_name"),
    (f"7200000012;{'Я' * 101};Москва;;", "error.import.bad_name"),
    ("7200000013;Глеб;Марс;;", "error.import.unknown_office"),
    ("7200000014;Дина;;;", "error.import.no_office"),
    ("7200000015;Ева;Старый офис;;", "error.import.inactive_office"),
    ("7200000016;Жанна;Москва;админ;", "error.import.bad_role"),
    ("7200000017;Зоя;Москва;;-1", "error.import.bad_limit"),
    ("7200000018;Ира;Москва;;много", "error.import.bad_limit"),
    ("7200000019;Кира;Москва;;10.001", "error.import.bad_limit"),
    ("7200000020;Лев;Москва;;1000000.01", "error.import.bad_limit"),
    ("7200000021;Мила;Москва;;;лишнее", "error.import.extra_cells"),
]


async def test_every_invalid_row_is_reported_and_nothing_changes(company: dict[str, int], tmp_path: Path) -> None:
    lines = [
        HEADER_RU,
        ROWS_RU[0],
        *(row for row, _ in INVALID_ROWS),
        "7200000030;Олег;Москва;;",
        "7200000030;Олег;Москва;;",
    ]
    path = csv_file(tmp_path, lines)
    before = await snapshot()
    with pytest.raises(onboarding.UserImportRefused) as caught:
        await apply(path)
    assert await snapshot() == before
    problems = caught.value.plan.problems
    by_line = {p.line: p.key for p in problems}
    for number, (_, key) in enumerate(INVALID_ROWS, start=3):  # header line 1, a valid row on line 2
        assert by_line.get(number) == key, (number, key, by_line.get(number))
    duplicate = len(INVALID_ROWS) + 3
    assert [p.key for p in problems if p.line in (duplicate, duplicate + 1)] == ["error.import.duplicate_tgid"] * 2
    assert 2 not in by_line  # the valid row has no problem
    messages = onboarding.problem_lines(problems, "ru")
    assert messages[0].startswith("Строка 3: «abc» — не Telegram ID")
    assert any("офиса «Марс» нет" in m for m in messages)
    assert caught.value.message("en") == f"The file has errors ({len(problems)}): nothing was changed."

    skipped = await apply(path, skip_invalid=True)  # on purpose: only the valid row is applied
    assert (skipped.created, skipped.skipped) == (1, len(INVALID_ROWS) + 2)
    assert set(await people()) == {MANAGER, 7200000001}


@pytest.mark.parametrize(
    ("lines", "encoding", "key"),
    [
        ([], "utf-8", "error.import.empty"),
        (["   "], "utf-8", "error.import.empty"),
        ([HEADER_RU], "utf-8", "error.import.no_rows"),
        (["Telegram ID;Имя;Офис;Почта", "1;А;Москва;a@b"], "utf-8", "error.import.unknown_column"),
        (["Telegram ID;Офис", "1;Москва"], "utf-8", "error.import.missing_columns"),
        (["tgid;name;office;Имя", "1;А;Москва;Б"], "utf-8", "error.import.duplicate_column"),
        ([HEADER_RU, *ROWS_RU], "cp1251", "error.import.not_utf8"),
    ],
)
async def test_a_file_that_is_not_the_expected_table_is_refused_whole(
    company: dict[str, int], tmp_path: Path, lines: list[str], encoding: str, key: str
) -> None:
    path = csv_file(tmp_path, lines, bom=False, encoding=encoding) if lines else tmp_path / "empty.csv"
    if not lines:
        path.write_bytes(b"")
    before = await snapshot()
    with pytest.raises(TableError) as caught:
        await apply(path)
    assert caught.value.key == key
    assert "{" not in caught.value.message("ru") and "{" not in caught.value.message("en")
    assert await snapshot() == before


async def test_a_broken_xlsx_is_refused(company: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(TableError) as caught:
        await apply(path)
    assert caught.value.key == "error.import.bad_xlsx"


async def test_the_last_manager_is_never_demoted(company: dict[str, int], tmp_path: Path) -> None:
    demote = csv_file(tmp_path, ["tgid;name;office;role", f"{MANAGER};Мария;Москва;employee"])
    before = await snapshot()
    with pytest.raises(onboarding.UserImportRefused) as caught:
        await apply(demote)
    assert [(p.line, p.key) for p in caught.value.plan.problems] == [(2, "error.import.last_manager")]
    assert await snapshot() == before
    # With someone else becoming a manager in the same file, the company keeps one: allowed.
    handover = csv_file(
        tmp_path,
        ["tgid;name;office;role", f"{MANAGER};Мария;Москва;employee", "7200000001;Анна;Москва;manager"],
        name="handover.csv",
    )
    outcome = await apply(handover)
    assert (outcome.created, outcome.updated) == (1, 1)
    found = await people()
    assert (found[MANAGER][2], found[7200000001][2]) == ("employee", "manager")


async def test_only_managers_import_from_the_dashboard(company: dict[str, int], tmp_path: Path) -> None:
    async with db.session_scope() as s:
        s.add(User(tgid=7200000099, name="Сотрудник", office_id=company["msk"]))
    path = csv_file(tmp_path, [HEADER_RU, *ROWS_RU])
    from lunch_app.domain.errors import Forbidden

    with pytest.raises(Forbidden):
        await apply(path, actor=7200000099)
    assert set(await people()) == {MANAGER, 7200000099}


# --- holiday files --------------------------------------------------------------------------------------------

HOLIDAYS_CSV = [
    "Начало;Конец;Название;Тип",
    "01.01.2027;08.01.2027;Новогодние каникулы;выходной",
    "2027-02-23;;День защитника Отечества;",
    "2027-02-20;;Перенос с 22 февраля;рабочий",
]
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//RU\r\n"
    "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20270308\r\nDTEND;VALUE=DATE:20270309\r\n"
    "SUMMARY:Международный женский день\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20270501\r\nDTEND;VALUE=DATE:20270504\r\n"
    "SUMMARY:Праздник весны\\, труда и \r\n отдыха\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


async def entries(office_id: int) -> tuple[list[tuple[date, date, str]], list[tuple[date, str]]]:
    async with db.session_scope() as s:
        view = await calendar.office_entries(s, actor_tgid=MANAGER, office_id=office_id, since=date(2026, 1, 1))
    return [(h.start, h.end, h.name) for h in view.holidays], [(e.day, e.name) for e in view.extra_workdays]


async def import_holidays(office_id: int, path: Path, **kwargs: Any) -> calendar.HolidayImport:
    async with db.session_scope() as s:
        return await calendar.import_holidays(
            s, actor_tgid=MANAGER, office_id=office_id, content=path.read_bytes(), filename=path.name, **kwargs
        )


async def test_a_years_holidays_from_csv_and_ics_and_again_changes_nothing(
    company: dict[str, int], tmp_path: Path
) -> None:
    table = csv_file(tmp_path, HOLIDAYS_CSV, name="holidays.csv")
    result = await import_holidays(company["nsk"], table)
    assert (len(result.added), len(result.existing)) == (3, 0)
    ics = tmp_path / "holidays.ics"
    ics.write_text(ICS, encoding="utf-8")
    await import_holidays(company["nsk"], ics)
    holidays, workdays = await entries(company["nsk"])
    assert holidays == [
        (date(2027, 1, 1), date(2027, 1, 8), "Новогодние каникулы"),
        (date(2027, 2, 23), date(2027, 2, 23), "День защитника Отечества"),
        (date(2027, 3, 8), date(2027, 3, 8), "Международный женский день"),  # DTEND is exclusive
        (date(2027, 5, 1), date(2027, 5, 3), "Праздник весны, труда и отдыха"),  # folded, escaped
    ]
    assert workdays == [(date(2027, 2, 20), "Перенос с 22 февраля")]
    assert await entries(company["msk"]) == ([], [])  # another office's calendar is its own

    before = await snapshot()
    again = await import_holidays(company["nsk"], table)
    assert (len(again.added), len(again.existing)) == (0, 3)
    assert await snapshot() == before


async def test_a_holiday_file_with_bad_rows_imports_nothing(company: dict[str, int], tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        [
            "start;end;name;kind",
            "2027-01-01;2027-01-08;Каникулы;",
            "32.01.2027;;Нет такой даты;",
            "2027-03-09;2027-03-08;Наоборот;",
            "2027-04-01;;;",
            "2027-05-01;2027-05-02;Рабочие;workday",
            "2027-06-01;;Что-то;отпуск",
        ],
        name="bad.csv",
    )
    before = await snapshot()
    with pytest.raises(calendar.HolidayImportRefused) as caught:
        await import_holidays(company["nsk"], path)
    assert [(p.line, p.key) for p in caught.value.file.problems] == [
        (3, "error.import.bad_date"),
        (4, "error.calendar.range_order"),
        (5, "error.import.no_name"),
        (6, "error.import.workday_range"),
        (7, "error.import.bad_kind"),
    ]
    assert await snapshot() == before


async def test_importing_holidays_over_live_orders_cancels_them(company: dict[str, int], tmp_path: Path) -> None:
    cafe = await add_cafe("Кафе", weekdays=range(7), offices=("Новосибирск",))
    async with db.session_scope() as s:
        s.add(User(tgid=7200000002, name="Борис", office_id=await office_in(s, "Новосибирск")))
    [placed] = await add_orders(cafe, date(2026, 12, 2), [7200000002])
    path = csv_file(tmp_path, ["date;name", "2026-12-02;Отгул"], name="one.csv")
    preview = await import_holidays(company["nsk"], path, dry_run=True)
    assert preview.effect.cancelled == (placed,) and preview.dry_run
    async with db.session_scope() as s:
        assert (await s.get(Order, placed)).status.value == "placed"  # type: ignore[union-attr]
    done = await import_holidays(company["nsk"], path)
    assert done.effect.cancelled == (placed,)
    assert [n["params"]["reason"] for n in await notices("order_cancelled_calendar")] == ["Отгул"]


# --- the CLI ---------------------------------------------------------------------------------------------------


def cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "lunch_app.cli", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_offices_and_imports_on_sqlite(tmp_path: Path) -> None:
    import sqlite3

    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", "ENVIRONMENT": "development"}
    assert cli("migrate", cwd=tmp_path, env=env).returncode == 0
    added = cli(
        "add-office", "Москва", "--timezone", "Europe/Moscow", "--address", "ул. Лесная, 5", cwd=tmp_path, env=env
    )
    assert added.returncode == 0 and "Europe/Moscow" in added.stdout
    assert cli("add-office", "Новосибирск", "--timezone", "Asia/Novosibirsk", cwd=tmp_path, env=env).returncode == 0
    bad_zone = cli("add-office", "Марс", "--timezone", "Mars/Olympus", cwd=tmp_path, env=env)
    assert bad_zone.returncode == 1 and "Mars/Olympus" in bad_zone.stderr and "Traceback" not in bad_zone.stderr
    twice = cli("add-office", "москва", cwd=tmp_path, env=env)
    assert twice.returncode == 1 and "already exists" in twice.stderr
    assert "Новосибирск" in cli("list-offices", cwd=tmp_path, env=env).stdout

    def users() -> list[tuple[object, ...]]:
        with sqlite3.connect(tmp_path / "cli.db") as conn:
            return conn.execute("SELECT tgid, name, role FROM users ORDER BY tgid").fetchall()

    bad = csv_file(tmp_path, [HEADER_RU, *ROWS_RU, "abc;Глеб;Марс;;", "7200000009;;Москва;;"], name="bad.csv")
    refused = cli("import-users", str(bad), cwd=tmp_path, env=env)
    assert refused.returncode == 2 and users() == []
    assert "Line 5: “abc” is not a Telegram ID" in refused.stderr and "there is no office “Марс”" in refused.stderr
    assert "Line 6: a name is 1 to 100 characters" in refused.stderr and "nothing was changed" in refused.stderr
    russian = cli("import-users", str(bad), "--dry-run", "--lang", "ru", cwd=tmp_path, env=env)
    assert russian.returncode == 2 and "Строка 5" in russian.stderr and users() == []

    good = csv_file(tmp_path, [HEADER_RU, *ROWS_RU], name="good.csv")
    dry = cli("import-users", str(good), "--dry-run", cwd=tmp_path, env=env)
    assert dry.returncode == 0 and "3 new" in dry.stdout and "dry run" in dry.stdout and users() == []
    done = cli("import-users", str(good), cwd=tmp_path, env=env)
    assert done.returncode == 0 and "3 new, 0 updated" in done.stdout
    assert [row[0] for row in users()] == [7200000001, 7200000002, 7200000003]
    again = cli("import-users", str(good), cwd=tmp_path, env=env)
    assert "0 new, 0 updated, 3 unchanged" in again.stdout
    skipped = cli("import-users", str(bad), "--skip-invalid", cwd=tmp_path, env=env)
    assert skipped.returncode == 0 and "2 invalid rows skipped" in skipped.stdout
    assert cli("import-users", str(tmp_path / "missing.csv"), cwd=tmp_path, env=env).returncode == 1

    holidays = csv_file(tmp_path, HOLIDAYS_CSV, name="holidays.csv")
    preview = cli("import-holidays", str(holidays), "--office", "Новосибирск", "--dry-run", cwd=tmp_path, env=env)
    assert preview.returncode == 0 and "Would add 3 entries" in preview.stdout
    imported = cli("import-holidays", str(holidays), "--office", "новосибирск", cwd=tmp_path, env=env)
    assert imported.returncode == 0 and "Added 3 entries" in imported.stdout
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        assert conn.execute("SELECT count(*) FROM holidays").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM extra_workdays").fetchone() == (1,)
    nowhere = cli("import-holidays", str(holidays), "--office", "Марс", cwd=tmp_path, env=env)
    assert nowhere.returncode == 2 and "Марс" in nowhere.stderr
    broken = csv_file(tmp_path, ["start;name", "вчера;Х"], name="broken.csv")
    refused_holidays = cli("import-holidays", str(broken), "--office", "Москва", cwd=tmp_path, env=env)
    assert refused_holidays.returncode == 2 and "Line 2" in refused_holidays.stderr
