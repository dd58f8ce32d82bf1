"""The manager dashboard's server-side guard, tested on every event handler of its state tree.

- Enumerates every event handler of `Dashboard` and its tab substates, calls each with plausible arguments and
  with forms pre-filled so that it would change data, in sessions that are not an active manager (an employee,
  an unknown id, a signed-out client, a deactivated manager): the database is unchanged (every table), no
  data reaches the client, and every handler that reaches data signs the client out. Handlers that never
  touch data (form setters, dialogs) are listed explicitly, so a new handler has to be classified.
- The same mutating calls as the manager do change the database (so the refusals above are meaningful).
- Sign-in: initData of the manager works; of an employee, forged or stale is refused; a session pointing at an
  employee is refused on load; the one-time link works once, then is refused, expired is refused.
- Demo sign-in (DEMO_MODE, no initData): the picker lists the active managers only; picking one signs in;
  an employee, an unknown or deactivated id, a non-int argument, or any pick with DEMO_MODE off is refused.
- The read views (Today, Orders, Users, Reports, Audit, Schedule, Calendar) show what the database holds.
- Offices (issue 11): the Today office filter and its per-office "did not order", the Users office filter and
  office choice, bulk onboarding upload → preview → apply, the Calendar tab's previews of changes over live orders,
  the Schedule tab's next closures, the Reports office filter.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import AsyncIterator, Iterator
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from sqlalchemy import text

from lunch_app import db
from lunch_app.domain import access, links, orders
from lunch_app.domain.dashboard_links import issue_dashboard_token
from lunch_app.i18n import t
from lunch_app.models import (
    Cafe,
    Category,
    Combo,
    Dispatch,
    DispatchStatus,
    MenuItem,
    MenuItemOption,
    Order,
    OrderStatus,
    Role,
    Schedule,
    User,
)
from lunch_app.settings import reset_settings_cache
from lunch_app.states import manager as dash
from lunch_app.states.manager import calendar as dash_calendar
from lunch_app.states.manager.cafes import OfficePick
from lunch_app.states.manager.inputs import Choice
from lunch_app.states.manager.orders import EditLine, OptionPick
from lunch_app.states.manager.schedule import ScheduleRow
from lunch_app.telegram_auth import sign_init_data
from tests.access_fixtures import EMPLOYEE, MANAGER, STRANGER, seed_manager, seed_user, tg_user
from tests.conftest import TEST_BOT_TOKEN
from tests.office_fixtures import office, serve_in

DEACTIVATED_MANAGER = 7_000_000_003
SECOND_MANAGER = 7_000_000_004
UNKNOWN = 7_000_000_555
DAY = date(2026, 11, 30)  # the tests' Monday
ALL_TABLES = (
    "offices",
    "cafe_offices",
    "holidays",
    "extra_workdays",
    "cafe_closures",
    "users",
    "access_requests",
    "cafes",
    "cafe_link_requests",
    "menu_items",
    "menu_item_options",
    "combos",
    "schedules",
    "orders",
    "reports",
    "dispatches",
    "outbox",
    "audit_log",
    "dashboard_tokens",
)
STATE_CLASSES: tuple[type[dash.Dashboard], ...] = (
    dash.Dashboard,
    dash.TodayTab,
    dash.OrdersTab,
    dash.UsersTab,
    dash.RequestsTab,
    dash.CafesTab,
    dash.MenuTab,
    dash.ScheduleTab,
    dash.CalendarTab,
    dash.ReportsTab,
    dash.AuditTab,
)
# Entry points that establish the identity; tested on their own below.
SIGN_IN = {("Dashboard", "start"), ("Dashboard", "signed"), ("Dashboard", "redeem"), ("Dashboard", "demo_sign_in")}
# Handlers that only change the client's own form/dialog state and never read or write data.
UI_ONLY = {
    ("Dashboard", "sign_out"),
    ("Dashboard", "open_tab"),
    ("Dashboard", "dismiss"),
    ("OrdersTab", "set_edit_quantity"),
    ("OrdersTab", "set_edit_combo"),
    ("OrdersTab", "set_slot_dish"),
    ("OrdersTab", "set_slot_option"),
    ("OrdersTab", "set_line_option"),
    ("OrdersTab", "set_edit_notes"),
    ("OrdersTab", "set_edit_pick"),
    ("OrdersTab", "add_edit_line"),
    ("OrdersTab", "close_edit"),
    ("OrdersTab", "ask"),
    ("OrdersTab", "keep"),
    ("UsersTab", "close_form"),
    ("UsersTab", "open_import"),
    ("UsersTab", "close_import"),
    ("UsersTab", "set_form_tgid"),
    ("UsersTab", "set_form_name"),
    ("UsersTab", "set_form_office"),
    ("UsersTab", "set_form_role"),
    ("UsersTab", "set_form_limit"),
    ("UsersTab", "ask"),
    ("UsersTab", "keep"),
    ("RequestsTab", "ask"),
    ("RequestsTab", "keep"),
    ("CafesTab", "open_add"),
    ("CafesTab", "open_edit"),
    ("CafesTab", "close_form"),
    ("CafesTab", "set_form_name"),
    ("CafesTab", "set_form_description"),
    ("CafesTab", "set_form_timezone"),
    ("CafesTab", "toggle_office"),
    ("CafesTab", "ask"),
    ("CafesTab", "keep"),
    ("MenuTab", "open_add_dish"),
    ("MenuTab", "close_dish"),
    ("MenuTab", "set_dish_name"),
    ("MenuTab", "set_dish_description"),
    ("MenuTab", "set_dish_category"),
    ("MenuTab", "set_dish_price"),
    ("MenuTab", "set_dish_sort"),
    ("MenuTab", "toggle_dish_tag"),
    ("MenuTab", "add_option"),
    ("MenuTab", "remove_option"),
    ("MenuTab", "set_option_name"),
    ("MenuTab", "set_option_values"),
    ("MenuTab", "set_option_required"),
    ("MenuTab", "open_add_combo"),
    ("MenuTab", "close_combo"),
    ("MenuTab", "set_combo_name"),
    ("MenuTab", "set_combo_price"),
    ("MenuTab", "toggle_combo_category"),
    ("MenuTab", "ask"),
    ("MenuTab", "keep"),
    ("ScheduleTab", "set_time"),
    ("ScheduleTab", "set_days"),
    ("ScheduleTab", "set_enabled"),
    ("CalendarTab", "open_office_add"),
    ("CalendarTab", "open_office_edit"),
    ("CalendarTab", "open_holiday_add"),
    ("CalendarTab", "open_holiday_edit"),
    ("CalendarTab", "open_workday_add"),
    ("CalendarTab", "open_closure_add"),
    ("CalendarTab", "open_closure_edit"),
    ("CalendarTab", "open_import"),
    ("CalendarTab", "close_form"),
    ("CalendarTab", "set_form_name"),
    ("CalendarTab", "set_form_timezone"),
    ("CalendarTab", "set_form_address"),
    ("CalendarTab", "set_form_start"),
    ("CalendarTab", "set_form_end"),
    ("CalendarTab", "set_form_cafe"),
    ("CalendarTab", "ask"),
    ("CalendarTab", "keep"),
}
# Vars that carry data from the database to the client: they must stay empty in a refused session.
DATA_VARS = {
    "manager_name",
    "demo_managers",
    "cafes",
    "summary",
    "not_ordered",
    "rows",
    "total",
    "edit_title",
    "edit_combo_choices",
    "edit_slots",
    "edit_lines",
    "edit_choices",
    "link_requests",
    "dishes",
    "combos",
    "title",
    "totals",
    "section_a",
    "section_b",
    "offices",
    "form_offices",
    "missing",
    "closures",
    "zone_text",
    "holidays",
    "workdays",
    "week",
    "office_name",
    "office_zone",
    "office_address",
    "import_rows",
    "import_problems",
    "import_summary",
    "import_entries",
    "import_valid",
    "import_invalid",
}
PEOPLE_CSV = "Telegram ID;Имя;Офис\r\n7000000777;Новый Сотрудник;Офис 1\r\n".encode()
HOLIDAYS_CSV = "Дата;Название\r\n2026-12-02;Отгул\r\n".encode()


# ------------------------------------------------------------------------------------------ world


async def seed_world() -> dict[str, int]:
    """A manager, an employee with an order, a linked cafe with menu/combo/schedule, a failed digest, a pending
    access request, a pending chat link request and a second (unlinked) cafe."""
    await seed_manager(MANAGER, "Мария Менеджер")
    await seed_user(EMPLOYEE, "Евгений Сотрудник")
    await seed_user(DEACTIVATED_MANAGER, "Бывший Менеджер", role=Role.manager, active=False)
    async with db.session_scope() as s:
        cafe = Cafe(name="Столовая", tg_chat_id=-100500, tg_chat_title="Кухня Столовой")
        other = Cafe(name="Пекарня")
        s.add_all([cafe, other])
        await s.flush()
        assert cafe.id and other.id
        await serve_in(s, cafe.id)
        await serve_in(s, other.id)
        s.add(Schedule(cafe_id=cafe.id, weekday=0, cutoff_time=time(11, 0)))
        soup = MenuItem(cafe_id=cafe.id, name="Борщ", category=Category.soup, price=Decimal("250.00"))
        main = MenuItem(cafe_id=cafe.id, name="Котлета", category=Category.main, price=Decimal("300.00"))
        unused = MenuItem(cafe_id=cafe.id, name="Компот", category=Category.drink, price=Decimal("80.00"))
        s.add_all([soup, main, unused])
        await s.flush()
        s.add(MenuItemOption(menu_item_id=main.id, name="Гарнир", values=["Пюре", "Рис"], is_required=True))
        combo = Combo(cafe_id=cafe.id, name="Обед", categories=["soup", "main"], price=Decimal("450.00"))
        s.add(combo)
        await s.flush()
        s.add(Dispatch(cafe_id=cafe.id, date=DAY - timedelta(days=3), status=DispatchStatus.failed, last_error="boom"))
    async with db.session_scope() as s:
        order = await orders.place_order(
            s,
            user_tgid=EMPLOYEE,
            draft={
                "cafe_id": cafe.id,
                "order_date": DAY.isoformat(),
                "items": [{"menu_item_id": main.id, "quantity": 2, "options": {"Гарнир": "Рис"}}],
                "notes": "без лука",
            },
        )
        assert order.id is not None
    async with db.session_scope() as s:
        request = await access.request_access(
            s, tg_user=tg_user(STRANGER), name="Иван Новый", office_id=await office("Офис 2")
        )
        link = await links.request_link(
            s, cafe_id=other.id, chat_id=-100777, chat_title="Чат Пекарни", requested_by=STRANGER + 1
        )
    return {
        "office": await office(),
        "cafe": cafe.id,
        "other_cafe": other.id,
        "soup": soup.id or 0,
        "main": main.id or 0,
        "unused": unused.id or 0,
        "combo": combo.id or 0,
        "order": order.id,
        "request": request.id or 0,
        "link": link.id or 0,
    }


async def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    result = {}
    async with db.session_scope() as s:
        for table in ALL_TABLES:
            rows = await s.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
            result[table] = [tuple(row) for row in rows]
    return result


# ------------------------------------------------------------------------------------------ state helpers


class Client:
    """One browser tab's dashboard state tree, driven by calling event handlers as Reflex would."""

    def __init__(self, tgid: int) -> None:
        self.root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
        self.base = self.state(dash.Dashboard)
        self.base._tgid = tgid
        self.base.screen = "app"

    def state(self, cls: type[dash.Dashboard]) -> Any:
        top = self.root.substates[dash.Dashboard.get_name()]
        return top if cls is dash.Dashboard else top.substates[cls.get_name()]

    async def call(self, cls: type[dash.Dashboard], name: str, *args: Any) -> Any:
        handler = cls.event_handlers[name]
        result = handler.fn(self.state(cls), *args)
        if inspect.isawaitable(result):
            result = await result
        return result


def prefill(client: Client, ids: dict[str, int]) -> None:
    """Forms and confirmations filled in so that each action handler would change data if it ran."""
    orders_tab = client.state(dash.OrdersTab)
    orders_tab.edit_id = ids["order"]
    orders_tab.edit_lines = [
        EditLine(
            index=0,
            name="Котлета",
            quantity="3",
            menu_item_id=ids["main"],
            picks=[OptionPick(name="Гарнир", allowed=["Пюре", "Рис"], required=True, chosen="Рис")],
        )
    ]
    orders_tab.edit_choices = [Choice(value=str(ids["unused"]), label="Компот · 80,00 ₽")]
    orders_tab.edit_pick = str(ids["unused"])
    orders_tab.edit_notes = "с луком"
    orders_tab.asked, orders_tab.asked_id = "cancel", ids["order"]
    users = client.state(dash.UsersTab)
    users.form_mode = "add"
    users.form_tgid = str(UNKNOWN)
    users.form_name = "Новый Человек"
    users.form_office = str(ids["office"])
    users.form_limit = "1000"
    users._import_content, users.import_name = PEOPLE_CSV, "people.csv"
    users.asked, users.asked_id = "delete", EMPLOYEE
    requests_tab = client.state(dash.RequestsTab)
    requests_tab.asked, requests_tab.asked_id = "reject", ids["request"]
    cafes = client.state(dash.CafesTab)
    cafes.form_mode = "add"
    cafes.form_name = "Новое кафе"
    cafes.form_offices = [OfficePick(id=str(ids["office"]), name="Офис 1", on=True)]
    cafes.asked, cafes.asked_id = "unlink", ids["cafe"]
    menu = client.state(dash.MenuTab)
    menu.cafe_id = str(ids["cafe"])
    menu.dish_mode = "add"
    menu.dish_name = "Солянка"
    menu.dish_category = "soup"
    menu.dish_price = "199"
    menu.combo_mode = "add"
    menu.combo_name = "Лёгкий"
    menu.combo_price = "300"
    menu.combo_categories = ["soup"]
    menu.asked, menu.asked_id = "delete_dish", ids["unused"]
    schedule_tab = client.state(dash.ScheduleTab)
    schedule_tab.cafe_id = str(ids["other_cafe"])
    schedule_tab.rows = [
        ScheduleRow(weekday=w, label=str(w), time="10:30", days="0", enabled=True, configured=False) for w in range(7)
    ]
    for paged in (dash.OrdersTab, dash.UsersTab, dash.AuditTab):  # so that both page buttons would load
        client.state(paged).page = 1
        client.state(paged).total = 1000
    reports_tab = client.state(dash.ReportsTab)
    reports_tab.cafe_id = str(ids["cafe"])
    reports_tab.day = DAY.isoformat()
    calendar_tab = client.state(dash.CalendarTab)
    calendar_tab.office_id = str(ids["office"])
    # Sunday first: toggling index 0 drops a weekday without orders (Monday has one, which would ask first).
    calendar_tab.week = [dash_calendar.WeekdayPick(weekday=w, label=str(w), on=True) for w in reversed(range(7))]
    calendar_tab.form_mode = "holiday_add"
    calendar_tab.form_name, calendar_tab.form_start, calendar_tab.form_end = "Отгул", "2026-12-03", "2026-12-04"
    calendar_tab._import_content, calendar_tab.import_name = HOLIDAYS_CSV, "holidays.csv"
    calendar_tab.asked, calendar_tab._pending = (
        "apply",
        {
            "kind": "holiday_add",
            "data": {"start": "2026-12-07", "end": "2026-12-07", "name": "Ещё"},
            "done": "dash.saved",
        },
    )


def upload(content: bytes, name: str) -> rx.UploadFile:
    """A file as the upload handler receives it (Reflex names it by its path)."""
    return rx.UploadFile(file=io.BytesIO(content), path=Path(name), size=len(content))


def arguments(cls_name: str, name: str, fn: Any, ids: dict[str, int]) -> list[Any]:
    """Plausible arguments for a handler, chosen so that a mutating handler would change something."""
    question = {  # the tab's confirm-then-act question (`ask`): an action it asks about and the row
        "OrdersTab": ("cancel", ids["order"]),
        "UsersTab": ("delete", EMPLOYEE),
        "RequestsTab": ("reject", ids["request"]),
        "CafesTab": ("unlink", ids["cafe"]),
        "MenuTab": ("delete_dish", ids["unused"]),
        "CalendarTab": ("apply", 0),
    }.get(cls_name, ("", 0))
    by_name: dict[str, Any] = {
        "order_id": ids["order"],
        "tgid": EMPLOYEE,
        "request_id": ids["link"] if cls_name == "CafesTab" else ids["request"],
        "cafe_id": ids["cafe"],
        "item_id": ids["main"],
        "combo_id": ids["combo"],
        "index": 0,
        "pick": 0,
        "days": 1,
        "active": False,
        "enabled": False,
        "available": False,
        "kind": "csv",
        "tab": "users",
        "action": question[0],
        "target": question[1],
        "name": "Имя",
        "tag": "vegan",
        "category": "soup",
        "skip_invalid": False,
        "files": [upload(HOLIDAYS_CSV if cls_name == "CalendarTab" else PEOPLE_CSV, "f.csv")],
    }
    values = {
        "set_day": DAY.isoformat(),
        "set_f_day": DAY.isoformat(),
        "set_range_start": DAY.isoformat(),
        "set_range_end": DAY.isoformat(),
        "set_f_cafe": str(ids["cafe"]),
        "set_cafe": str(ids["cafe"]),
        "select_cafe": str(ids["cafe"]),
        "set_status": "pending",
        "set_f_status": "placed",
        "set_mode": "day",
        "set_search": "Евгений",
        "set_f_person": "Евгений",
        "set_f_office": str(ids["office"]),
        "set_office": str(ids["office"]),
        "select_office": str(ids["office"]),
    }
    args = []
    for parameter in list(inspect.signature(fn).parameters.values())[1:]:
        if parameter.name in by_name:
            args.append(by_name[parameter.name])
        elif parameter.name == "value":
            args.append(True if "bool" in str(parameter.annotation) else values.get(name, "x"))
        else:
            raise AssertionError(f"no test argument for {cls_name}.{name}({parameter.name})")
    return args


def every_handler() -> Iterator[tuple[type[dash.Dashboard], str, Any]]:
    for cls in STATE_CLASSES:
        for name, handler in cls.event_handlers.items():
            if name == "setvar":  # Reflex's built-in: only calls `set_<var>` handlers, enumerated here anyway
                continue
            yield cls, name, handler.fn


def data_vars(client: Client) -> dict[str, Any]:
    values = {}
    for cls in STATE_CLASSES:
        state = client.state(cls)
        for var in DATA_VARS & set(cls.base_vars):
            value = getattr(state, var)
            values[f"{cls.__name__}.{var}"] = list(value) if isinstance(value, list) else value
    return values


def data_leaked(before: dict[str, Any], client: Client) -> dict[str, Any]:
    """Data vars that got a new, non-empty value (what was prefilled or emptied is fine)."""
    return {
        key: value
        for key, value in data_vars(client).items()
        if value not in ("", 0, [], None) and value != before.get(key)
    }


# ------------------------------------------------------------------------------------------ the guard


def test_the_enumeration_sees_every_tab_and_classifies_every_handler() -> None:
    names = {(cls.__name__, name) for cls, name, _ in every_handler()}
    assert len(names) > 90
    assert names >= UI_ONLY, sorted(UI_ONLY - names)
    assert names >= SIGN_IN
    assert {cls.__name__ for cls in STATE_CLASSES} == {
        "Dashboard",
        *(c.__name__ for c in dash.Dashboard.__subclasses__()),
    }
    for cls in STATE_CLASSES[1:]:
        assert "load" in cls.event_handlers, cls


@pytest.mark.parametrize("who", ["employee", "unknown", "signed_out", "deactivated_manager"])
async def test_every_dashboard_event_is_refused_outside_an_active_manager(
    db_ready: object, monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    ids = await seed_world()
    tgid = {"employee": EMPLOYEE, "unknown": UNKNOWN, "signed_out": 0, "deactivated_manager": DEACTIVATED_MANAGER}[who]
    guarded: set[tuple[str, str]] = set()
    opened: set[tuple[str, str] | None] = set()
    current: tuple[str, str] | None = None
    real_act = dash.Dashboard._act
    real_scope = db.session_scope

    async def spy(self: dash.Dashboard, work: Any, **kw: Any) -> bool:
        assert current is not None
        guarded.add(current)
        return await real_act(self, work, **kw)

    def scope_spy() -> Any:
        opened.add(current)
        return real_scope()

    monkeypatch.setattr(dash.Dashboard, "_act", spy)
    monkeypatch.setattr(db, "session_scope", scope_spy)
    before = await snapshot()
    called = set()
    for cls, name, fn in every_handler():
        if (cls.__name__, name) in SIGN_IN:
            continue
        current = (cls.__name__, name)
        client = Client(tgid)
        prefill(client, ids)
        prefilled = data_vars(client)
        await client.call(cls, name, *arguments(cls.__name__, name, fn, ids))
        called.add(current)
        if current in UI_ONLY:
            assert current not in opened, f"{current} is listed as UI-only but opens a database session"
        else:
            assert current in guarded, f"{current} does not re-check the manager on the server"
            assert client.base.screen == "denied", current
            assert client.base._tgid == 0, current
            assert data_leaked(prefilled, client) == {}, current
        done, current = current, None
        assert await snapshot() == before, f"{done} changed the database for {who}"
    assert len(called) == len({(c.__name__, n) for c, n, _ in every_handler()}) - len(SIGN_IN)


MUTATIONS = [
    (dash.OrdersTab, "save_edit"),
    (dash.OrdersTab, "confirm"),
    (dash.UsersTab, "save_form"),
    (dash.UsersTab, "set_active"),
    (dash.UsersTab, "confirm"),
    (dash.RequestsTab, "approve"),
    (dash.RequestsTab, "confirm"),
    (dash.CafesTab, "save_form"),
    (dash.CafesTab, "set_active"),
    (dash.CafesTab, "set_notifications"),
    (dash.CafesTab, "confirm"),
    (dash.CafesTab, "approve_link"),
    (dash.CafesTab, "reject_link"),
    (dash.MenuTab, "save_dish"),
    (dash.MenuTab, "set_dish_available"),
    (dash.MenuTab, "save_combo"),
    (dash.MenuTab, "set_combo_available"),
    (dash.MenuTab, "confirm"),
    (dash.ScheduleTab, "save"),
    (dash.TodayTab, "resend"),
    (dash.UsersTab, "apply_import"),
    (dash.CalendarTab, "save_form"),
    (dash.CalendarTab, "confirm"),
    (dash.CalendarTab, "toggle_weekday"),
    (dash.CalendarTab, "set_office_active"),
    (dash.CalendarTab, "apply_import"),
]


@pytest.mark.parametrize(("cls", "name"), MUTATIONS, ids=[f"{c.__name__}.{n}" for c, n in MUTATIONS])
async def test_the_same_calls_as_the_manager_change_the_database(
    db_ready: object, cls: type[dash.Dashboard], name: str
) -> None:
    ids = await seed_world()
    if (cls, name) == (dash.TodayTab, "resend"):
        async with db.session_scope() as s:
            await s.execute(text("UPDATE dispatches SET date = :d"), {"d": DAY})
        client = Client(MANAGER)
        client.state(dash.TodayTab).day = DAY.isoformat()
    else:
        client = Client(MANAGER)
    prefill(client, ids)
    before = await snapshot()
    await client.call(cls, name, *arguments(cls.__name__, name, cls.event_handlers[name].fn, ids))
    assert client.base.error == "", client.base.error
    assert client.base.screen == "app"
    assert await snapshot() != before


# ------------------------------------------------------------------------------------------ sign-in


def init_data(tgid: int, *, token: str = TEST_BOT_TOKEN, age: timedelta = timedelta(minutes=1)) -> str:
    from lunch_app.clock import get_clock

    return sign_init_data(
        {"id": tgid, "first_name": "Мария", "language_code": "ru"},
        bot_token=token,
        auth_date=get_clock().utcnow() - age,
    )


async def test_init_data_of_the_manager_opens_the_dashboard(db_ready: object) -> None:
    await seed_world()
    client = Client(0)
    client.base.screen = "loading"
    await client.call(dash.Dashboard, "signed", {"initData": init_data(MANAGER), "lang": "ru"})
    assert client.base.screen == "app"
    assert client.base._tgid == MANAGER
    assert client.base.manager_name == "Мария Менеджер"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(lambda: {"initData": init_data(EMPLOYEE)}, id="employee"),
        pytest.param(lambda: {"initData": init_data(DEACTIVATED_MANAGER)}, id="deactivated-manager"),
        pytest.param(lambda: {"initData": init_data(MANAGER, token="1:forged")}, id="forged-signature"),
        pytest.param(lambda: {"initData": init_data(MANAGER, age=timedelta(days=2))}, id="stale"),
        pytest.param(lambda: {"initData": init_data(MANAGER).replace("hash=", "hash=0")}, id="tampered"),
    ],
)
async def test_init_data_of_anyone_else_is_refused(db_ready: object, payload: Any) -> None:
    await seed_world()
    client = Client(0)
    client.base.screen = "loading"
    await client.call(dash.Dashboard, "signed", payload())
    assert client.base.screen == "denied"
    assert client.base._tgid == 0


async def test_no_init_data_outside_telegram_explains_how_to_sign_in(db_ready: object) -> None:
    client = Client(0)
    await client.call(dash.Dashboard, "signed", {"initData": "", "lang": "en"})
    assert client.base.screen == "outside"
    assert client.base.lang == "en"


async def test_a_session_holding_an_employee_id_is_refused_on_load(db_ready: object) -> None:
    await seed_world()
    client = Client(EMPLOYEE)
    await client.call(dash.Dashboard, "start")
    assert client.base.screen == "denied"
    assert client.base._tgid == 0


async def test_a_manager_demoted_mid_session_is_signed_out_at_the_next_event(db_ready: object) -> None:
    await seed_world()
    await seed_manager(UNKNOWN, "Второй Менеджер")
    client = Client(UNKNOWN)
    await client.call(dash.UsersTab, "load")
    assert client.state(dash.UsersTab).rows
    async with db.session_scope() as s:
        await access.update_user(s, actor_tgid=MANAGER, tgid=UNKNOWN, data={"role": "employee"})
    await client.call(dash.UsersTab, "load")
    assert client.base.screen == "denied"


async def test_the_one_time_link_works_once_then_is_refused(db_ready: object) -> None:
    await seed_world()
    async with db.session_scope() as s:
        token = await issue_dashboard_token(s, manager_tgid=MANAGER)
    first = Client(0)
    result = await first.state(dash.Dashboard)._redeem(token)
    assert first.base.screen == "app"
    assert first.base._tgid == MANAGER
    assert result is not None  # the redirect to /manager (drops the token from the address bar)
    second = Client(0)
    await second.state(dash.Dashboard)._redeem(token)
    assert second.base.screen == "link_invalid"
    assert second.base._tgid == 0


async def test_an_expired_link_is_refused(db_ready: Any) -> None:
    await seed_world()
    async with db.session_scope() as s:
        token = await issue_dashboard_token(s, manager_tgid=MANAGER)
    db_ready.advance(timedelta(minutes=11))
    client = Client(0)
    await client.state(dash.Dashboard)._redeem(token)
    assert client.base.screen == "link_invalid"
    assert client.base._tgid == 0


# ------------------------------------------------------------------------------------------ demo sign-in


@pytest.fixture
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DEMO_MODE", "1")
    reset_settings_cache()
    yield
    monkeypatch.setenv("DEMO_MODE", "0")
    reset_settings_cache()


@pytest.fixture
async def demo_client(db_ready: object, demo_mode: None) -> AsyncIterator[Client]:
    """Demo mode, the world plus a second manager, and a client that opened /manager without initData."""
    await seed_world()
    await seed_manager(SECOND_MANAGER, "Анна Менеджер")
    client = Client(0)
    client.base.screen = "loading"
    await client.call(dash.Dashboard, "signed", {"initData": "", "lang": "en-GB"})
    yield client


def is_open_tab(event: Any, tab: str) -> bool:
    return bool(event is not None and event.handler.fn.__name__ == "open_tab" and tab in str(event.args))


async def test_demo_mode_without_init_data_lists_the_active_managers(demo_client: Client) -> None:
    base = demo_client.base
    assert base.screen == "demo"
    assert base.lang == "en"
    assert base._tgid == 0
    # Active managers only, by name: not the employee, not the deactivated manager.
    assert [(m.tgid, m.name, m.office) for m in base.demo_managers] == [
        (SECOND_MANAGER, "Анна Менеджер", "Офис 1"),
        (MANAGER, "Мария Менеджер", "Офис 1"),
    ]


async def test_demo_sign_in_as_a_listed_manager_opens_the_current_tab(demo_client: Client) -> None:
    before = await snapshot()
    demo_client.base.tab = "orders"
    result = await demo_client.call(dash.Dashboard, "demo_sign_in", MANAGER)
    base = demo_client.base
    assert base.screen == "app"
    assert base._tgid == MANAGER
    assert base.manager_name == "Мария Менеджер"
    assert base.demo_managers == []
    assert is_open_tab(result, "orders"), result
    assert await snapshot() == before
    await demo_client.call(dash.OrdersTab, "load")  # the session now acts as that manager
    assert base.screen == "app"
    assert [row.id for row in demo_client.state(dash.OrdersTab).rows]


@pytest.mark.parametrize(
    "tgid",
    [
        pytest.param(EMPLOYEE, id="employee"),
        pytest.param(DEACTIVATED_MANAGER, id="deactivated-manager"),
        pytest.param(UNKNOWN, id="unknown"),
        pytest.param(0, id="zero"),
        pytest.param(-MANAGER, id="negative"),
        pytest.param(2**70, id="beyond-bigint"),
        pytest.param(str(MANAGER), id="str"),
        pytest.param(float(MANAGER), id="float"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="none"),
        pytest.param({"tgid": MANAGER}, id="dict"),
    ],
)
async def test_demo_sign_in_refuses_anyone_but_an_active_manager(demo_client: Client, tgid: Any) -> None:
    before = await snapshot()
    result = await demo_client.call(dash.Dashboard, "demo_sign_in", tgid)
    base = demo_client.base
    assert base.screen == "denied"
    assert base._tgid == 0
    assert base.manager_name == ""
    assert base.demo_managers == []
    assert result is None
    assert await snapshot() == before
    await demo_client.call(dash.TodayTab, "load")  # and the session reads nothing afterwards
    assert demo_client.state(dash.TodayTab).cafes == []
    assert base.screen == "denied"


async def test_demo_sign_in_is_refused_when_demo_mode_is_off(db_ready: object) -> None:
    await seed_world()
    client = Client(0)
    await client.call(dash.Dashboard, "signed", {"initData": "", "lang": "ru"})
    assert client.base.screen == "outside"
    assert client.base.demo_managers == []
    before = await snapshot()
    result = await client.call(dash.Dashboard, "demo_sign_in", MANAGER)
    assert result is None
    assert client.base.screen == "outside"
    assert client.base._tgid == 0
    assert client.base.manager_name == ""
    assert await snapshot() == before


async def test_a_demo_pick_with_demo_mode_turned_off_meanwhile_is_refused(
    demo_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert demo_client.base.screen == "demo"
    monkeypatch.setenv("DEMO_MODE", "0")
    reset_settings_cache()
    await demo_client.call(dash.Dashboard, "demo_sign_in", MANAGER)
    assert demo_client.base.screen == "outside"
    assert demo_client.base._tgid == 0
    assert demo_client.base.demo_managers == []


async def test_sign_out_returns_to_the_picker_in_demo_mode_and_to_outside_otherwise(
    db_ready: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_world()
    client = Client(MANAGER)
    assert await client.call(dash.Dashboard, "sign_out") is None
    assert client.base.screen == "outside" and client.base._tgid == 0
    monkeypatch.setenv("DEMO_MODE", "1")
    reset_settings_cache()
    try:
        client = Client(MANAGER)
        result = await client.call(dash.Dashboard, "sign_out")
        assert client.base._tgid == 0 and client.base.manager_name == ""
        assert result is dash.Dashboard.event_handlers["start"]  # starts over: no initData, so the picker
    finally:
        monkeypatch.setenv("DEMO_MODE", "0")
        reset_settings_cache()


# ------------------------------------------------------------------------------------------ views


async def test_today_shows_orders_totals_who_ordered_and_who_did_not(db_ready: object) -> None:
    ids = await seed_world()
    client = Client(MANAGER)
    await client.call(dash.TodayTab, "load")
    today = client.state(dash.TodayTab)
    assert today.day == DAY.isoformat()
    cafe = next(c for c in today.cafes if c.cafe_id == ids["cafe"])
    assert cafe.state == "open"
    assert cafe.orders == "1"
    assert cafe.dishes == ["Котлета × 2"]
    assert [p.name for p in cafe.people] == ["Евгений Сотрудник"]
    assert "Рис" in cafe.people[0].text
    assert [(m.office, m.people) for m in today.missing] == [("Офис 1", "Мария Менеджер")]


async def test_resend_is_offered_for_a_failed_digest(db_ready: object) -> None:
    ids = await seed_world()
    client = Client(MANAGER)
    client.state(dash.TodayTab).day = (DAY - timedelta(days=3)).isoformat()
    await client.call(dash.TodayTab, "set_day", (DAY - timedelta(days=3)).isoformat())
    cafe = next(c for c in client.state(dash.TodayTab).cafes if c.cafe_id == ids["cafe"])
    assert cafe.state == "failed"
    assert cafe.can_resend
    await client.call(dash.TodayTab, "resend", ids["cafe"])
    assert client.base.error == ""
    async with db.session_scope() as s:
        status = (await s.execute(text("SELECT status FROM dispatches"))).scalar_one()
    assert status == "pending"


async def test_orders_filters_and_manager_edit_notifies_the_owner(db_ready: object) -> None:
    ids = await seed_world()
    client = Client(MANAGER)
    await client.call(dash.OrdersTab, "load")
    tab = client.state(dash.OrdersTab)
    assert [row.id for row in tab.rows] == [ids["order"]]
    await client.call(dash.OrdersTab, "set_f_person", "нет такого")
    assert tab.rows == [] and tab.total == 0
    await client.call(dash.OrdersTab, "set_f_person", "евгений")
    assert tab.total == 1
    await client.call(dash.OrdersTab, "start_edit", ids["order"])
    assert [line.quantity for line in tab.edit_lines] == ["2"]
    # Every priced dish can be added, Котлета with its required option too.
    assert sorted(choice.label for choice in tab.edit_choices) == [
        "Борщ · 250,00\u00a0₽",
        "Компот · 80,00\u00a0₽",
        "Котлета · 300,00\u00a0₽",
    ]
    await client.call(dash.OrdersTab, "set_edit_quantity", 0, "1")
    await client.call(dash.OrdersTab, "set_edit_pick", str(ids["unused"]))
    await client.call(dash.OrdersTab, "add_edit_line")
    await client.call(dash.OrdersTab, "set_edit_quantity", 1, "2")
    await client.call(dash.OrdersTab, "save_edit")
    assert client.base.error == ""
    async with db.session_scope() as s:
        order = await s.get(Order, ids["order"])
        assert order is not None and order.total == Decimal("460.00")  # 1 × 300 + 2 × 80
        assert [(line["name"], line["quantity"]) for line in order.lines] == [("Котлета", 1), ("Компот", 2)]
        assert order.lines[0]["options"] == {"Гарнир": "Рис"}
        templates = [row[0] for row in await s.execute(text("SELECT payload->>'template' FROM outbox"))]
    assert "order_changed_by_manager" in templates


COMBO_BUYER = 7_000_000_010


async def test_manager_edits_combo_dishes_options_and_adds_a_dish_with_a_required_option(db_ready: object) -> None:
    """The order editor changes what the employee's cart can: a combo's dish and a dish's option, and it adds a
    dish whose option is required; `orders.update_order` checks and prices it, and the owner is notified."""
    ids = await seed_world()
    await seed_user(COMBO_BUYER, "Ольга Комплекс")
    async with db.session_scope() as s:
        shchi = MenuItem(cafe_id=ids["cafe"], name="Щи", category=Category.soup, price=None)  # only in a combo
        s.add(shchi)
        await s.flush()
        assert shchi.id is not None
        order = await orders.place_order(
            s,
            user_tgid=COMBO_BUYER,
            draft={
                "cafe_id": ids["cafe"],
                "order_date": DAY.isoformat(),
                "combo": {
                    "combo_id": ids["combo"],
                    "dishes": [
                        {"menu_item_id": ids["soup"]},
                        {"menu_item_id": ids["main"], "options": {"Гарнир": "Рис"}},
                    ],
                },
            },
        )
        order_id, shchi_id = order.id, shchi.id
    client = Client(MANAGER)
    tab = client.state(dash.OrdersTab)
    await client.call(dash.OrdersTab, "start_edit", order_id)
    assert client.base.error == ""
    assert tab.edit_combo_id == str(ids["combo"])
    assert [(slot.category, slot.dish) for slot in tab.edit_slots] == [
        ("soup", str(ids["soup"])),
        ("main", str(ids["main"])),
    ]
    assert sorted(choice.label for choice in tab.edit_slots[0].choices) == ["Борщ", "Щи"]  # combo-only dishes too
    assert [(p.name, p.allowed, p.required, p.chosen) for p in tab.edit_slots[1].picks] == [
        ("Гарнир", ["Пюре", "Рис"], True, "Рис")
    ]
    assert tab.edit_lines == []

    await client.call(dash.OrdersTab, "set_slot_dish", 0, str(shchi_id))
    await client.call(dash.OrdersTab, "set_slot_option", 1, 0, "Пюре")
    await client.call(dash.OrdersTab, "set_slot_option", 1, 0, "Картошка")  # not a value of the option: ignored
    assert tab.edit_slots[1].picks[0].chosen == "Пюре"
    await client.call(dash.OrdersTab, "set_edit_pick", str(ids["main"]))
    await client.call(dash.OrdersTab, "add_edit_line")
    assert [
        (line.name, line.quantity, [(p.name, p.required, p.chosen) for p in line.picks]) for line in tab.edit_lines
    ] == [("Котлета", "1", [("Гарнир", True, "")])]

    # Saved without the required option: the domain refuses, the message shows, nothing changes.
    before = await snapshot()
    await client.call(dash.OrdersTab, "save_edit")
    assert client.base.error == t("error.order.option_required", "ru", dish="Котлета", option="Гарнир")
    assert tab.edit_id == order_id  # the editor stays open with the message
    assert await snapshot() == before

    await client.call(dash.OrdersTab, "set_line_option", 0, 0, "Рис")
    await client.call(dash.OrdersTab, "set_edit_notes", "поострее")
    await client.call(dash.OrdersTab, "save_edit")
    assert client.base.error == ""
    assert tab.edit_id == 0
    async with db.session_scope() as s:
        changed = await s.get(Order, order_id)
        assert changed is not None
        assert changed.combo_id == ids["combo"]
        assert [(line["kind"], line["name"], line["quantity"], line["options"]) for line in changed.lines] == [
            ("combo_dish", "Щи", 1, {}),
            ("combo_dish", "Котлета", 1, {"Гарнир": "Пюре"}),
            ("item", "Котлета", 1, {"Гарнир": "Рис"}),
        ]
        assert changed.total == Decimal("750.00")  # the combo 450 + Котлета 300
        assert changed.notes == "поострее"
        notices = (
            await s.execute(
                text("SELECT payload->>'template', payload->>'user_tgid' FROM outbox WHERE payload ? 'user_tgid'")
            )
        ).all()
    assert ("order_changed_by_manager", str(COMBO_BUYER)) in [tuple(row) for row in notices]

    # The combo can be dropped, keeping the à-la-carte line; a new combo starts with empty slots.
    await client.call(dash.OrdersTab, "start_edit", order_id)
    await client.call(dash.OrdersTab, "set_edit_combo", "")
    assert tab.edit_combo_id == "" and tab.edit_slots == []
    await client.call(dash.OrdersTab, "set_edit_combo", str(ids["combo"]))
    assert [(slot.category, slot.dish, slot.picks) for slot in tab.edit_slots] == [("soup", "", []), ("main", "", [])]
    await client.call(dash.OrdersTab, "set_edit_combo", "")
    await client.call(dash.OrdersTab, "save_edit")
    assert client.base.error == ""
    async with db.session_scope() as s:
        changed = await s.get(Order, order_id)
        assert changed is not None and changed.combo_id is None and changed.total == Decimal("300.00")
        assert [(line["kind"], line["name"]) for line in changed.lines] == [("item", "Котлета")]


async def test_invalid_input_is_refused_with_a_message_and_nothing_stored(db_ready: object) -> None:
    ids = await seed_world()
    client = Client(MANAGER)
    prefill(client, ids)
    before = await snapshot()
    schedule_tab = client.state(dash.ScheduleTab)
    schedule_tab.rows = [ScheduleRow(weekday=0, time="25:99", days="0", enabled=True)]
    await client.call(dash.ScheduleTab, "save")
    assert client.base.error
    schedule_tab.rows = [ScheduleRow(weekday=0, time="10:00", days="9", enabled=True)]
    await client.call(dash.ScheduleTab, "save")
    assert client.base.error
    client.state(dash.UsersTab).form_limit = "-5"
    await client.call(dash.UsersTab, "save_form")
    assert client.base.error
    client.state(dash.MenuTab).dish_price = "abc"
    await client.call(dash.MenuTab, "save_dish")
    assert client.base.error
    assert await snapshot() == before
    assert client.base.screen == "app"


async def test_last_manager_protection_is_shown_as_a_message(db_ready: object) -> None:
    await seed_world()
    client = Client(MANAGER)
    await client.call(dash.UsersTab, "set_active", MANAGER, False)
    assert "менеджер" in client.base.error.lower()
    async with db.session_scope() as s:
        manager = await s.get(User, MANAGER)
        assert manager is not None and manager.is_active


async def test_removing_the_weekly_limit(db_ready: object) -> None:
    await seed_world()
    async with db.session_scope() as s:
        user = await s.get(User, EMPLOYEE)
        assert user is not None
        user.weekly_limit = Decimal("500.00")
    client = Client(MANAGER)
    await client.call(dash.UsersTab, "open_edit", EMPLOYEE)
    users = client.state(dash.UsersTab)
    assert users.form_limit == "500.00"
    await client.call(dash.UsersTab, "set_form_limit", "")
    await client.call(dash.UsersTab, "save_form")
    assert client.base.error == ""
    async with db.session_scope() as s:
        user = await s.get(User, EMPLOYEE)
        assert user is not None and user.weekly_limit is None


async def test_deleting_a_dish_used_by_orders_disables_it(db_ready: object) -> None:
    ids = await seed_world()
    client = Client(MANAGER)
    await client.call(dash.MenuTab, "load")
    await client.call(dash.MenuTab, "select_cafe", str(ids["cafe"]))
    assert "Котлета" in [dish.name for dish in client.state(dash.MenuTab).dishes]
    await client.call(dash.MenuTab, "ask", "delete_dish", ids["main"], "Котлета")
    await client.call(dash.MenuTab, "confirm")
    assert client.base.notice == "Есть в прошлых заказах, поэтому выключено, а не удалено."
    async with db.session_scope() as s:
        item = await s.get(MenuItem, ids["main"])
        assert item is not None and not item.is_available


async def test_reports_on_screen_and_downloads(db_ready: object) -> None:
    ids = await seed_world()
    client = Client(MANAGER)
    await client.call(dash.ReportsTab, "load")
    tab = client.state(dash.ReportsTab)
    assert tab.shown and tab.cafe_id == str(ids["other_cafe"])  # the first cafe by name
    assert tab.section_a == []
    await client.call(dash.ReportsTab, "set_cafe", str(ids["cafe"]))
    assert [row.name for row in tab.section_a] == ["Котлета"]
    download = await client.call(dash.ReportsTab, "download", "csv")
    assert download is not None and "report_cafe" in str(download)
    await client.call(dash.ReportsTab, "set_mode", "range")
    assert [row.name for row in tab.section_a] == ["Евгений Сотрудник"]


async def test_audit_lists_manager_actions_newest_first_and_searches(db_ready: object) -> None:
    ids = await seed_world()
    client = Client(MANAGER)
    await client.call(dash.RequestsTab, "approve", ids["request"])
    await client.call(dash.AuditTab, "load")
    audit_tab = client.state(dash.AuditTab)
    approved = t("dash.audit.action.access.approve", "ru")
    assert approved != "dash.audit.action.access.approve"
    assert audit_tab.rows[0].action == approved
    assert audit_tab.rows[0].actor.startswith("Мария Менеджер")
    await client.call(dash.AuditTab, "set_search", "access")
    assert {row.action for row in audit_tab.rows} == {approved}


async def test_order_status_labels_are_translated(db_ready: object) -> None:
    ids = await seed_world()
    async with db.session_scope() as s:
        order = await s.get(Order, ids["order"])
        assert order is not None
        order.status = OrderStatus.sent
    client = Client(MANAGER)
    await client.call(dash.OrdersTab, "load")
    assert client.state(dash.OrdersTab).rows[0].status_text == t("order_status.sent", "ru")


async def test_the_dashboard_speaks_the_managers_language(db_ready: object) -> None:
    await seed_world()
    async with db.session_scope() as s:
        manager = await s.get(User, MANAGER)
        assert manager is not None
        manager.language = "en"
    client = Client(0)
    await client.call(dash.Dashboard, "signed", {"initData": init_data(MANAGER), "lang": "ru"})
    assert client.base.lang == "en"  # the page's fixed texts follow it (the static tables of lunch_app/i18n/web.py)
    await client.call(dash.UsersTab, "set_active", MANAGER, False)
    assert client.base.error == t("error.access.last_manager", "en")
