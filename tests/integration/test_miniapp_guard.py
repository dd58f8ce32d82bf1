"""Every Mini App event, sent by a client that may not act, is refused on the server (the events enumerated).

A malicious client can send any event with any arguments whatever the page shows. Each handler of the Mini
App's state is called directly, as Reflex would, from a state that looks signed in (screen "app", a cart, a
cafe and day, a confirmed cancel) but whose user is signed out, unknown or deactivated since sign-in. None may
change the database or fill the screen with data; the handlers that only change the client's own screen may
not even open a database session. The same calls made by an active employee do change the database, so
the refusals are the guard's doing and not a broken call. A new handler fails the guard test until it is
classified here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlmodel import SQLModel

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.models import User
from lunch_app.states.miniapp import DayChip, MiniApp
from tests.integration.test_miniapp_events import fire, new_state, put_combo_in_cart, signed_in
from tests.orders_fixtures import EMPLOYEE, OTHER_EMPLOYEE, Menu, add_user, build_menu

UNKNOWN = 7_000_000_777
DAY = "2026-11-30"  # the movable clock's Monday, open until its cut-off

# Entry points that establish the identity from signed data (tested in test_miniapp_events.py).
SIGN_IN = {"start", "signed", "demo_sign_in"}
# Handlers that only change the client's own screen (sheets, filters, form text); they touch no data.
UI_ONLY = {
    "set_form_name",
    "set_form_office",
    "toggle_filter",
    "clear_filters",
    "open_dish",
    "set_dish_option",
    "change_qty",
    "close_sheet",
    "back",
    "open_combo",
    "choose_combo_dish",
    "set_combo_option",
    "set_notes",
    "stop_editing",
    "dismiss",
    "open_wheel",
    "spin",
}
# Handlers that read or change data: the server must refuse them for anyone but an active user.
DATA = {
    "submit_request",
    "pick_cafe",
    "refresh_days",
    "pick_day",
    "add_dish",
    "add_combo",
    "remove_line",
    "clear_cart",
    "place",
    "show_tab",
    "edit_order",
    "cancel_order",
    "repeat",
    "set_reminders",
    "generate_tips",
}
# What only a signed-in user's data fills; a refused event leaves them empty.
DATA_VARS = (
    "user_name",
    "user_office",
    "cafes",
    "days",
    "sections",
    "combos",
    "filters",
    "cart_total",
    "cart_remaining",
    "upcoming",
    "past",
    "week_text",
    "stats_orders",
    "stats_unique",
    "stats_top",
    "tips",
    "tips_summary",
    "demo_users",
)


def handlers() -> Iterator[str]:
    for name in MiniApp.event_handlers:
        if name != "setvar":  # Reflex's built-in: it only calls the `set_*` handlers enumerated here
            yield name


def calls(name: str, menu: Menu, order_id: int) -> list[tuple[Any, ...]]:
    """The argument lists to try for a handler: what the page would send, aimed at real data."""
    by_name: dict[str, list[tuple[Any, ...]]] = {
        "pick_cafe": [(str(menu.cafe_id),), (str(menu.other_cafe_id),)],
        "pick_day": [("2026-12-01",)],
        "toggle_filter": [("vegan",)],
        "open_dish": [(menu.steak,)],
        "set_dish_option": [("Прожарка", "Medium")],
        "change_qty": [(1,)],
        "open_combo": [(menu.combo,)],
        "choose_combo_dish": [("soup", str(menu.soup))],
        "set_combo_option": [("main", "Гарнир", "Рис")],
        "remove_line": [("0",), ("combo",)],
        "set_notes": [("без лука",)],
        "set_form_name": [("Иван",)],
        "set_form_office": [("Офис",)],
        "show_tab": [("orders",), ("profile",)],
        "edit_order": [(order_id,)],
        "cancel_order": [(order_id,)],
        "repeat": [(order_id,)],
        "set_reminders": [(False,)],
    }
    return by_name.get(name, [()])


def prefilled(tgid: int, menu: Menu, order_id: int) -> MiniApp:
    """A state that looks signed in as `tgid`, with everything an action needs to change data if allowed."""
    state = new_state()
    state._tgid = tgid
    state.screen = "app"
    state.cafe_id = str(menu.cafe_id)
    state.day = DAY
    state._cart_items = [{"menu_item_id": menu.coffee, "quantity": 2, "options": {}}]
    state._cart_combo = {
        "combo_id": menu.combo,
        "name": "Комплекс",
        "dishes": [
            {"menu_item_id": menu.soup, "options": {}},
            {"menu_item_id": menu.main, "options": {"Гарнир": "Рис"}},
            {"menu_item_id": menu.salad, "options": {}},
        ],
    }
    state.confirm_cancel_id = order_id  # the cancel is already confirmed: the next tap would cancel
    state.days = [DayChip(date=day, is_open=True) for day in (DAY, "2026-12-01")]  # the strip the page showed
    return state


def screen_data(state: MiniApp, before: dict[str, Any]) -> dict[str, Any]:
    """Data vars that got a new, non-empty value (what was prefilled or emptied is fine)."""
    values = {var: getattr(state, var) for var in DATA_VARS}
    return {var: value for var, value in values.items() if value not in ("", 0, [], None) and value != before[var]}


async def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    result = {}
    async with db.session_scope() as session:
        for table in SQLModel.metadata.sorted_tables:
            rows = await session.execute(text(f"SELECT * FROM {table.name} ORDER BY 1"))
            result[table.name] = [tuple(row) for row in rows]
    return result


async def world(clock: MovableClock) -> tuple[Menu, int]:
    """The menu and an order of EMPLOYEE's own (placed while active), for the events to aim at."""
    menu = await build_menu()
    await add_user(EMPLOYEE, limit="100.00")
    await add_user(OTHER_EMPLOYEE, name="Борис")
    owner = await signed_in(clock, EMPLOYEE, menu)
    await put_combo_in_cart(owner, menu)
    await fire(owner, MiniApp.place)
    assert owner.upcoming, owner.cart_error
    return menu, owner.upcoming[0].id


def test_every_handler_is_classified() -> None:
    names = set(handlers())
    assert len(names) > 30
    assert names == SIGN_IN | UI_ONLY | DATA, {
        "not classified": sorted(names - SIGN_IN - UI_ONLY - DATA),
        "gone": sorted((SIGN_IN | UI_ONLY | DATA) - names),
    }
    assert not (UI_ONLY & DATA) and not (SIGN_IN & (UI_ONLY | DATA))


@pytest.mark.parametrize("who", ["signed_out", "unknown", "deactivated"])
async def test_every_mini_app_event_is_refused_for_a_user_who_may_not_act(
    db_ready: MovableClock, monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    menu, order_id = await world(db_ready)
    if who == "deactivated":  # signed in while active, switched off by a manager since
        async with db.session_scope() as session:
            await session.execute(update(User).where(User.tgid == EMPLOYEE).values(is_active=False))  # type: ignore[arg-type]
    tgid = {"signed_out": 0, "unknown": UNKNOWN, "deactivated": EMPLOYEE}[who]

    opened: set[str] = set()
    current = ""
    real_scope = db.session_scope

    def scope_spy() -> Any:
        opened.add(current)
        return real_scope()

    monkeypatch.setattr(db, "session_scope", scope_spy)
    before = await snapshot()
    tried = set()
    for name in handlers():
        if name in SIGN_IN:
            continue
        for args in calls(name, menu, order_id):
            current = name
            state = prefilled(tgid, menu, order_id)
            shown = {var: getattr(state, var) for var in DATA_VARS}
            await fire(state, MiniApp.event_handlers[name], *args)
            current = ""
            tried.add(name)
            assert state._tgid == tgid, f"{name}{args} changed who is signed in"
            leaked = screen_data(state, shown)
            assert leaked == {}, f"{name}{args} showed data to {who}: {leaked}"
            if name in UI_ONLY:
                assert name not in opened, f"{name} is listed as screen-only but opens a database session"
            assert await snapshot() == before, f"{name}{args} changed the database for {who}"
    assert tried == UI_ONLY | DATA
    # The data handlers got as far as asking the database (where the domain refuses the user), except those that
    # refuse earlier: clearing the cart ends with nothing to price, a request needs a validated Telegram user,
    # and without any user tips are not even started.
    early = {"clear_cart", "submit_request"} | ({"generate_tips"} if who == "signed_out" else set())
    assert opened >= DATA - early, sorted(DATA - early - opened)


@pytest.mark.parametrize(
    ("name", "args"),
    [("place", ()), ("cancel_order", ("order",)), ("set_reminders", (False,)), ("edit_order", ("order",))],
)
async def test_the_same_calls_by_an_active_employee_do_their_work(
    db_ready: MovableClock, name: str, args: tuple[Any, ...]
) -> None:
    menu, order_id = await world(db_ready)
    if name == "place":  # a second order of the same cafe and day would be a duplicate: the next day
        db_ready.advance(timedelta(days=1))
        state = prefilled(EMPLOYEE, menu, order_id)
        state.day = "2026-12-01"
    else:
        state = prefilled(EMPLOYEE, menu, order_id)
    before = await snapshot()
    await fire(state, MiniApp.event_handlers[name], *(order_id if a == "order" else a for a in args))
    assert state.error == "" and state.cart_error == "", (state.error, state.cart_error)
    if name == "edit_order":  # a read: the order is loaded into the cart for editing
        assert state.editing_order_id == order_id and state.cart_total != ""
    else:
        assert await snapshot() != before
