"""The dashboard's office, calendar and onboarding screens through their state events (issue 11), on PostgreSQL:
what the Users, Today, Schedule, Calendar, Cafes and Reports tabs show and do, and that bad input changes nothing.
(The guard on every handler, including these, is in test_dashboard_events.py.)"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import sqlalchemy as sa

from lunch_app import db
from lunch_app.models import CafeClosure, Order, OrderStatus, User
from lunch_app.states import manager as dash
from tests.conftest import MSK
from tests.integration.test_dashboard_events import DAY, MANAGER, Client, seed_world, snapshot, upload
from tests.office_fixtures import NSK, office, serve

PEOPLE = (
    "Telegram ID;Имя;Офис;Роль;Лимит\r\n"
    "7300000001;Анна Новая;Офис 1;;2000\r\n"
    "7300000002;Борис Новый;Новосибирск;менеджер;\r\n"
    "abc;Плохой;Марс;;\r\n"
).encode()


async def call(client: Client, cls: type[dash.Dashboard], name: str, *args: Any) -> Any:
    return await client.call(cls, name, *args)


async def test_users_import_previews_every_row_then_applies(db_ready: object) -> None:
    await seed_world()
    await office("Новосибирск", timezone=NSK)
    client = Client(MANAGER)
    users = client.state(dash.UsersTab)
    await call(client, dash.UsersTab, "open_import")
    before = await snapshot()
    await call(client, dash.UsersTab, "upload_import", [upload(PEOPLE, "hr.csv")])
    assert await snapshot() == before  # a preview changes nothing
    assert users.import_name == "hr.csv" and (users.import_valid, users.import_invalid) == (2, 1)
    assert [(r.line, r.action) for r in users.import_rows] == [(2, "create"), (3, "create"), (4, "invalid")]
    assert users.import_problems[0].startswith("Строка 4: «abc» — не Telegram ID")
    assert any("офиса «Марс» нет" in p for p in users.import_problems)
    assert users.import_summary == "Новых: 2 · изменится: 0 · без изменений: 0 · с ошибками: 1"

    await call(client, dash.UsersTab, "apply_import", False)  # with an invalid row nothing is applied
    assert client.base.error == "В файле есть ошибки (2): ничего не изменено."
    assert await snapshot() == before and users.import_open
    await call(client, dash.UsersTab, "apply_import", True)  # the valid rows only, on purpose
    assert client.base.error == "" and not users.import_open
    assert client.base.notice == "Импорт выполнен: новых 2, изменено 0, без изменений 0."
    async with db.session_scope() as s:
        created = {u.tgid: (u.name, u.role.value) for u in (await s.execute(sa.select(User))).scalars()}
    assert created[7300000002] == ("Борис Новый", "manager") and created[7300000001][0] == "Анна Новая"
    assert any(row.name == "Анна Новая" for row in users.rows)  # the list shows them at once

    await call(client, dash.UsersTab, "open_import")
    await call(client, dash.UsersTab, "upload_import", [upload(b"\xff\xfe not utf-8", "bad.csv")])
    assert users.import_error.startswith("Файл не в кодировке UTF-8") and users.import_rows == []


async def test_users_office_filter_and_the_office_choice_of_the_form(db_ready: object) -> None:
    ids = await seed_world()
    nsk = await office("Новосибирск", timezone=NSK)
    client = Client(MANAGER)
    users = client.state(dash.UsersTab)
    await call(client, dash.UsersTab, "load")
    assert [c.label for c in users.offices] == ["Новосибирск", "Офис 1", "Офис 2"]
    await call(client, dash.UsersTab, "set_f_office", str(nsk))
    assert users.rows == [] and users.total == 0
    await call(client, dash.UsersTab, "open_add")
    assert users.form_office == str(nsk)  # the filtered office is the natural choice
    users.form_tgid, users.form_name = "7300000009", "Вера"
    await call(client, dash.UsersTab, "save_form")
    assert client.base.error == ""
    assert [(r.name, r.office) for r in users.rows] == [("Вера", "Новосибирск")]
    await call(client, dash.UsersTab, "open_edit", 7300000009)
    assert users.form_office == str(nsk)
    users.form_office = str(ids["office"])
    await call(client, dash.UsersTab, "save_form")
    async with db.session_scope() as s:
        assert (await s.get(User, 7300000009)).office_id == ids["office"]  # type: ignore[union-attr]
    before = await snapshot()
    await call(client, dash.UsersTab, "open_add")
    users.form_tgid, users.form_name, users.form_office = "7300000010", "Без офиса", ""
    await call(client, dash.UsersTab, "save_form")
    assert client.base.error == "Выберите офис." and await snapshot() == before


async def test_a_holiday_over_orders_asks_first_with_the_count_then_cancels(db_ready: object) -> None:
    ids = await seed_world()  # the employee has a placed order on Monday DAY at the linked cafe
    client = Client(MANAGER)
    cal = client.state(dash.CalendarTab)
    await call(client, dash.CalendarTab, "load")
    assert cal.office_name == "Офис 1" and [d.on for d in cal.week] == [True] * 7
    await call(client, dash.CalendarTab, "open_holiday_add")
    cal.form_start, cal.form_end, cal.form_name = DAY.isoformat(), DAY.isoformat(), "День компании"
    before = await snapshot()
    await call(client, dash.CalendarTab, "save_form")
    assert cal.asked == "apply" and cal.asked_name.startswith("Будет отменено заказов: 1")
    assert await snapshot() == before  # only previewed
    await call(client, dash.CalendarTab, "keep")
    assert cal.asked == "" and await snapshot() == before
    await call(client, dash.CalendarTab, "save_form")
    await call(client, dash.CalendarTab, "confirm")
    assert client.base.error == "" and client.base.notice == "Календарь сохранён. Отменено заказов: 1."
    assert [(h.name, h.dates) for h in cal.holidays] == [("День компании", "Пн 30.11.2026")]
    async with db.session_scope() as s:
        assert (await s.get(Order, ids["order"])).status == OrderStatus.cancelled  # type: ignore[union-attr]

    # A day without orders is applied at once; a bad range is refused and changes nothing.
    await call(client, dash.CalendarTab, "open_holiday_add")
    cal.form_start, cal.form_end, cal.form_name = "2027-01-01", "2027-01-08", "Новогодние каникулы"
    await call(client, dash.CalendarTab, "save_form")
    assert cal.asked == "" and cal.form_mode == "" and len(cal.holidays) == 2
    before = await snapshot()
    await call(client, dash.CalendarTab, "open_holiday_add")
    cal.form_start, cal.form_end, cal.form_name = "2027-02-10", "2027-02-01", "Наоборот"
    await call(client, dash.CalendarTab, "save_form")
    assert client.base.error == "Дата окончания раньше даты начала." and cal.form_mode == "holiday_add"
    assert await snapshot() == before


async def test_calendar_office_week_workdays_closures_and_a_holiday_file(db_ready: object) -> None:
    ids = await seed_world()
    client = Client(MANAGER)
    cal = client.state(dash.CalendarTab)
    await call(client, dash.CalendarTab, "load")
    await call(client, dash.CalendarTab, "open_office_add")
    cal.form_name, cal.form_timezone, cal.form_address = "Новосибирск", "Asia/Novosibirsk", "Красный пр., 1"
    await call(client, dash.CalendarTab, "save_form")
    assert client.base.error == "" and cal.office_name == "Новосибирск" and cal.office_zone == NSK
    assert [d.on for d in cal.week] == [True] * 5 + [False] * 2  # a new office works Monday–Friday
    before = await snapshot()
    await call(client, dash.CalendarTab, "open_office_add")
    cal.form_name, cal.form_timezone = "Марс", "Mars/Olympus"
    await call(client, dash.CalendarTab, "save_form")
    assert "Mars/Olympus" in client.base.error and await snapshot() == before
    await call(client, dash.CalendarTab, "close_form")

    await call(client, dash.CalendarTab, "toggle_weekday", 5)  # Saturday on: no orders to worry about
    assert [d.on for d in cal.week] == [True] * 6 + [False]
    await call(client, dash.CalendarTab, "open_workday_add")
    cal.form_start, cal.form_name = "2026-12-06", "Перенос"
    await call(client, dash.CalendarTab, "save_form")
    assert [(w.date, w.name) for w in cal.workdays] == [("Вс 06.12.2026", "Перенос")]

    await call(client, dash.CalendarTab, "open_import")
    file = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270223\r\nSUMMARY:23 февраля\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    await call(client, dash.CalendarTab, "upload_holidays", [upload(file.encode(), "ru.ics")])
    assert [(e.dates, e.name) for e in cal.import_entries] == [("Вт 23.02.2027", "23 февраля")]
    await call(client, dash.CalendarTab, "apply_import")
    assert client.base.notice == "Выходные загружены." and [h.name for h in cal.holidays] == ["23 февраля"]

    await call(client, dash.CalendarTab, "open_closure_add")
    cal.form_cafe, cal.form_start, cal.form_end, cal.form_name = str(ids["cafe"]), "2026-12-01", "2026-12-03", "Ремонт"
    await call(client, dash.CalendarTab, "save_form")
    assert [(c.cafe, c.note) for c in cal.closures] == [("Столовая", "Ремонт")]
    schedule = client.state(dash.ScheduleTab)
    schedule.cafe_id = str(ids["cafe"])
    await call(client, dash.ScheduleTab, "load")
    assert [(c.dates, c.note) for c in schedule.closures] == [("Вт 01.12.2026 — Чт 03.12.2026", "Ремонт")]
    assert schedule.zone_text == "Время — по часовому поясу кафе: Europe/Moscow."
    await call(client, dash.CalendarTab, "ask", "delete_closure", cal.closures[0].id, "Столовая")
    await call(client, dash.CalendarTab, "confirm")
    async with db.session_scope() as s:
        assert (await s.execute(sa.select(CafeClosure))).first() is None


async def test_today_narrows_to_an_office_and_shows_its_cutoff_on_its_clock(db_ready: object) -> None:
    ids = await seed_world()
    nsk = await office("Новосибирск", timezone=NSK)
    await serve(ids["cafe"], [nsk])
    async with db.session_scope() as s:
        s.add(User(tgid=7300000020, name="Глеб Сибирский", office_id=nsk))
    client = Client(MANAGER)
    today = client.state(dash.TodayTab)
    await call(client, dash.TodayTab, "load")
    assert [(m.office, m.people) for m in today.missing] == [
        ("Новосибирск", "Глеб Сибирский"),
        ("Офис 1", "Мария Менеджер"),
    ]
    await call(client, dash.TodayTab, "set_f_office", str(nsk))
    cafe = next(c for c in today.cafes if c.cafe_id == ids["cafe"])
    assert cafe.orders == "0"  # the Moscow employee's order is not this office's
    assert cafe.cutoff == "15:00 (по времени кафе 11:00)"  # the cafe's 11:00, on Novosibirsk's clock
    assert [c.cafe_id for c in today.cafes] == [ids["cafe"]]  # only the cafes serving Novosibirsk
    assert [(m.office, m.note) for m in today.missing] == [("Новосибирск", "не заказали 1 из 1")]


async def test_reports_filter_by_office_and_cafes_keep_offices_and_a_zone(db_ready: object) -> None:
    ids = await seed_world()
    nsk = await office("Новосибирск", timezone=NSK)
    client = Client(MANAGER)
    reports = client.state(dash.ReportsTab)
    reports.day, reports.cafe_id = DAY.isoformat(), str(ids["cafe"])
    await call(client, dash.ReportsTab, "load")
    assert reports.totals.startswith("Заказов: 1")
    await call(client, dash.ReportsTab, "set_office", str(nsk))
    assert reports.totals.startswith("Заказов: 0")
    await call(client, dash.ReportsTab, "set_mode", "range")
    reports.range_start, reports.range_end = (DAY - timedelta(days=7)).isoformat(), DAY.isoformat()
    await call(client, dash.ReportsTab, "set_office", "all")
    assert [r.name for r in reports.section_a] == ["Евгений Сотрудник"]

    cafes = client.state(dash.CafesTab)
    await call(client, dash.CafesTab, "load")
    await call(client, dash.CafesTab, "open_edit", ids["cafe"])
    assert [(o.name, o.on) for o in cafes.form_offices] == [("Новосибирск", False), ("Офис 1", True), ("Офис 2", False)]
    await call(client, dash.CafesTab, "toggle_office", 0)
    cafes.form_timezone = "Asia/Novosibirsk"
    await call(client, dash.CafesTab, "save_form")
    assert client.base.error == ""
    card = next(c for c in cafes.rows if c.id == ids["cafe"])
    assert card.offices == "Офисы: Новосибирск, Офис 1 · часовой пояс Asia/Novosibirsk"
    before = await snapshot()
    await call(client, dash.CafesTab, "open_edit", ids["cafe"])
    for index in range(len(cafes.form_offices)):
        if cafes.form_offices[index].on:
            await call(client, dash.CafesTab, "toggle_office", index)
    await call(client, dash.CafesTab, "save_form")
    assert client.base.error == "Выберите хотя бы один офис, который обслуживает кафе." and await snapshot() == before


async def test_the_dashboard_days_and_times_are_on_the_managers_office_clock(db_ready: object) -> None:
    from lunch_app.clock import get_clock

    await seed_world()
    nsk = await office("Новосибирск", timezone=NSK)
    async with db.session_scope() as s:
        manager = await s.get(User, MANAGER)
        assert manager is not None
        manager.office_id = nsk
    clock = get_clock()
    clock.set(datetime_msk(date(2026, 11, 30), time(21, 0)))  # Tuesday 01:00 in Novosibirsk
    client = Client(0)
    assert await client.base._enter(MANAGER)
    await call(client, dash.TodayTab, "load")
    assert client.state(dash.TodayTab).day == "2026-12-01"


def datetime_msk(day: date, at: time) -> Any:
    from datetime import datetime

    return datetime.combine(day, at, tzinfo=MSK)
