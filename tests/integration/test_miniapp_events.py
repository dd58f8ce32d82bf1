"""Mini App state events called directly (as a malicious client could send them), against PostgreSQL.

Each event that reads or changes data must be refused on the server for a user who may not do it, whatever
the page shows: not signed in, forged initData, someone else's order, disabled meanwhile, after the cut-off.
"""

from __future__ import annotations

import inspect
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from reflex.state import State
from sqlalchemy import func, select, update

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.models import AccessRequest, Office, Order, OrderStatus, Role, User
from lunch_app.states.miniapp import MiniApp
from lunch_app.telegram_auth import sign_init_data
from tests.conftest import MSK, TEST_BOT_TOKEN
from tests.office_fixtures import NSK, office
from tests.orders_fixtures import EMPLOYEE, MANAGER, OTHER_EMPLOYEE, Menu, add_cafe, add_user, build_menu


def new_state() -> MiniApp:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(MiniApp.get_full_name().split("."))
    assert isinstance(state, MiniApp)
    return state


async def fire(state: MiniApp, handler: Any, *args: Any) -> list[Any]:
    """Run an event handler the way Reflex does (plain, coroutine or async generator)."""
    result = handler.fn(state, *args)
    events: list[Any] = []
    if inspect.isasyncgen(result):
        async for event in result:
            events.append(event)
    elif inspect.isawaitable(result):
        events.append(await result)
    else:
        events.append(result)
    return events


def signed_data(clock: MovableClock, tgid: int, *, token: str = TEST_BOT_TOKEN, lang: str = "ru") -> dict[str, str]:
    user = {"id": tgid, "first_name": "Анна", "language_code": lang}
    return {"initData": sign_init_data(user, bot_token=token, auth_date=clock.utcnow()), "lang": "ru"}


async def signed_in(clock: MovableClock, tgid: int, menu: Menu) -> MiniApp:
    state = new_state()
    await fire(state, MiniApp.signed, signed_data(clock, tgid))
    assert state.screen == "app"
    await fire(state, MiniApp.pick_cafe, str(menu.cafe_id))
    assert state.day == "2026-11-30"
    return state


async def order_count() -> int:
    async with db.session_scope() as session:
        return int((await session.execute(select(func.count()).select_from(Order))).scalar_one())


async def put_combo_in_cart(state: MiniApp, menu: Menu) -> None:
    await fire(state, MiniApp.open_combo, menu.combo)
    await fire(state, MiniApp.choose_combo_dish, "soup", str(menu.soup))
    await fire(state, MiniApp.choose_combo_dish, "main", str(menu.main))
    await fire(state, MiniApp.set_combo_option, "main", "Гарнир", "Рис")
    await fire(state, MiniApp.choose_combo_dish, "salad", str(menu.salad))
    await fire(state, MiniApp.add_combo)


async def test_signed_in_employee_orders_with_server_total(db_ready: MovableClock) -> None:
    menu = await build_menu()
    await add_user(EMPLOYEE, limit="100.00")
    state = await signed_in(db_ready, EMPLOYEE, menu)
    await put_combo_in_cart(state, menu)
    await fire(state, MiniApp.open_dish, menu.coffee)
    await fire(state, MiniApp.change_qty, 1)
    await fire(state, MiniApp.add_dish)
    assert state.cart_total == "20,00\u00a0₽"  # scenario 3: combo 15.00 + 2 × coffee 2.50
    assert "80,00" in state.cart_remaining
    await fire(state, MiniApp.place)
    assert state.cart_error == "" and state.tab == "orders"
    async with db.session_scope() as session:
        order = (await session.execute(select(Order))).scalar_one()
    assert order.user_tgid == EMPLOYEE and order.total == Decimal("20.00")
    assert [card.id for card in state.upcoming] == [order.id]


async def test_forged_or_missing_sign_in_gets_no_access(db_ready: MovableClock) -> None:
    menu = await build_menu()
    await add_user(EMPLOYEE)
    for data in (
        signed_data(db_ready, EMPLOYEE, token="424242:forged"),
        {"initData": signed_data(db_ready, EMPLOYEE)["initData"].replace("auth_date=", "auth_date=1"), "lang": "ru"},
        "not a dict",
    ):
        state = new_state()
        await fire(state, MiniApp.signed, data)
        assert state.screen in ("failed", "outside")
        assert state._tgid == 0
    db_ready.advance(timedelta(days=2))  # a day-old signature is stale
    state = new_state()
    stale = signed_data(db_ready, EMPLOYEE)
    db_ready.advance(timedelta(hours=25))
    await fire(state, MiniApp.signed, stale)
    assert state.screen == "failed" and state._tgid == 0

    # Events sent without a sign-in are refused by the domain: nothing read, nothing stored.
    await fire(state, MiniApp.pick_cafe, str(menu.cafe_id))
    assert state.sections == [] and state.error != ""
    state.cafe_id, state.day = str(menu.cafe_id), "2026-12-01"
    state._cart_items = [{"menu_item_id": menu.coffee, "quantity": 1, "options": {}}]
    await fire(state, MiniApp.place)
    assert state.cart_error != ""
    await fire(state, MiniApp.set_reminders, False)
    await fire(state, MiniApp.demo_sign_in, EMPLOYEE)  # demo mode is off
    assert state._tgid == 0 and state.screen == "outside"
    await fire(state, MiniApp.submit_request)  # no validated Telegram user
    assert await order_count() == 0
    async with db.session_scope() as session:
        user = await session.get(User, EMPLOYEE)
        assert user is not None and user.reminders_enabled is True
        assert (await session.execute(select(AccessRequest))).first() is None


async def test_someone_elses_order_cannot_be_edited_cancelled_or_repeated(db_ready: MovableClock) -> None:
    menu = await build_menu()
    await add_user(EMPLOYEE, limit="100.00")
    await add_user(OTHER_EMPLOYEE, name="Борис")
    owner = await signed_in(db_ready, OTHER_EMPLOYEE, menu)
    await put_combo_in_cart(owner, menu)
    await fire(owner, MiniApp.place)
    async with db.session_scope() as session:
        order = (await session.execute(select(Order))).scalar_one()

    intruder = await signed_in(db_ready, EMPLOYEE, menu)
    await fire(intruder, MiniApp.cancel_order, order.id)
    await fire(intruder, MiniApp.cancel_order, order.id)  # the confirming second tap
    assert intruder.error != ""
    await fire(intruder, MiniApp.edit_order, order.id)
    assert intruder.editing_order_id == 0 and intruder.cart_lines == []
    await fire(intruder, MiniApp.repeat, order.id)
    assert intruder.cart_lines == []
    async with db.session_scope() as session:
        stored = await session.get(Order, order.id)
    assert stored is not None and stored.status == OrderStatus.placed and stored.total == Decimal("15.00")

    # The owner can; a manager's Mini App edit is still their own orders only (no loading others' orders).
    await fire(owner, MiniApp.cancel_order, order.id)
    await fire(owner, MiniApp.cancel_order, order.id)
    async with db.session_scope() as session:
        stored = await session.get(Order, order.id)
    assert stored is not None and stored.status == OrderStatus.cancelled


async def test_user_disabled_after_sign_in_is_refused(db_ready: MovableClock) -> None:
    menu = await build_menu()
    await add_user(EMPLOYEE, limit="100.00")
    state = await signed_in(db_ready, EMPLOYEE, menu)
    await put_combo_in_cart(state, menu)
    async with db.session_scope() as session:
        await session.execute(update(User).where(User.tgid == EMPLOYEE).values(is_active=False))  # type: ignore[arg-type]
    await fire(state, MiniApp.place)
    assert state.cart_error != "" and len(state.cart_lines) == 1  # refused, the cart is kept
    await fire(state, MiniApp.set_reminders, False)
    assert state.error != ""
    await fire(state, MiniApp.show_tab, "orders")
    assert state.upcoming == []
    assert await order_count() == 0


async def test_limit_and_cutoff_refusals_keep_the_cart(db_ready: MovableClock) -> None:
    menu = await build_menu()
    await add_user(EMPLOYEE, limit="10.00")
    state = await signed_in(db_ready, EMPLOYEE, menu)
    await put_combo_in_cart(state, menu)
    await fire(state, MiniApp.place)
    assert "лимит" in state.cart_error and len(state.cart_lines) == 1
    async with db.session_scope() as session:
        await session.execute(update(User).where(User.tgid == EMPLOYEE).values(weekly_limit=Decimal("100")))  # type: ignore[arg-type]
    db_ready.advance(timedelta(hours=2, minutes=1))  # 11:01, the cut-off of today passed
    await fire(state, MiniApp.place)
    assert state.cart_error != "" and len(state.cart_lines) == 1
    assert await order_count() == 0


async def test_owner_cannot_cancel_after_cutoff_and_existing_order_is_offered(db_ready: MovableClock) -> None:
    menu = await build_menu()
    await add_user(EMPLOYEE, limit="100.00")
    state = await signed_in(db_ready, EMPLOYEE, menu)
    await put_combo_in_cart(state, menu)
    await fire(state, MiniApp.place)
    async with db.session_scope() as session:
        order = (await session.execute(select(Order))).scalar_one()

    # A second order for the same cafe and day: refused, with a way to edit the existing one.
    await fire(state, MiniApp.show_tab, "order")
    await fire(state, MiniApp.pick_day, "2026-11-30")
    await fire(state, MiniApp.open_dish, menu.coffee)
    await fire(state, MiniApp.add_dish)
    await fire(state, MiniApp.place)
    assert state.existing_order_id == order.id and state.cart_error != ""
    await fire(state, MiniApp.edit_order, order.id)
    assert state.editing_order_id == order.id and state.cart_total == "15,00\u00a0₽"

    db_ready.advance(timedelta(hours=3))
    await fire(state, MiniApp.cancel_order, order.id)
    await fire(state, MiniApp.cancel_order, order.id)
    assert state.error != ""
    async with db.session_scope() as session:
        stored = await session.get(Order, order.id)
    assert stored is not None and stored.status == OrderStatus.placed


async def test_access_screens_and_request_from_signed_data(db_ready: MovableClock) -> None:
    await add_user(MANAGER, name="Менеджер", role=Role.manager)
    london = await office("London")
    paris = await office("Paris")
    async with db.session_scope() as session:
        await session.execute(update(Office).where(Office.id == paris).values(is_active=False))  # type: ignore[arg-type]
    newcomer = 7_000_000_777
    state = new_state()
    await fire(state, MiniApp.signed, signed_data(db_ready, newcomer, lang="en"))
    assert state.screen == "request" and state.lang == "en" and state._tgid == 0
    assert [(c.id, c.name) for c in state.office_choices] == [(str(london), "London"), (str(await office()), "Офис 1")]
    await fire(state, MiniApp.set_form_office, "")
    await fire(state, MiniApp.submit_request)
    assert state.form_error == "Choose your office from the list."
    await fire(state, MiniApp.set_form_office, str(paris))  # not offered, but a client can send anything
    await fire(state, MiniApp.submit_request)
    assert state.screen == "request" and "Paris" in state.form_error and "deactivated" in state.form_error
    await fire(state, MiniApp.set_form_office, str(london))
    await fire(state, MiniApp.submit_request)
    assert state.screen == "pending"
    async with db.session_scope() as session:
        request = (await session.execute(select(AccessRequest))).scalar_one()
    assert (request.tgid, request.name, request.office_id) == (newcomer, "Анна", london)

    # Pending users get no data: ordering events are refused.
    await fire(state, MiniApp.show_tab, "orders")
    assert state.tab == "order" and state.upcoming == []


async def test_an_employee_of_the_second_office_sees_its_cafes_on_its_own_clock(db_ready: MovableClock) -> None:
    """Novosibirsk is four hours ahead of Moscow: a Moscow-time cafe's 11:00 cut-off reads 15:00 there, the strip
    starts at Novosibirsk's today, and the Moscow-only cafe is not offered at all."""
    menu = await build_menu()  # "Столовая №1" and "Другое кафе": the Moscow office only
    nsk = await office("Новосибирск", timezone=NSK)
    shared = await add_cafe("Сибирский двор", cutoff=time(11, 0), offices=("Новосибирск",))
    await add_user(OTHER_EMPLOYEE, name="Борис", office="Новосибирск")
    db_ready.set(datetime(2026, 11, 30, 21, 0, tzinfo=MSK))  # Monday 21:00 in Moscow = Tuesday 01:00 in Novosibirsk
    state = new_state()
    await fire(state, MiniApp.signed, signed_data(db_ready, OTHER_EMPLOYEE))
    assert state.screen == "app" and state.user_office == "Новосибирск" and state._office_id == nsk
    assert [(c.id, c.name) for c in state.cafes] == [(str(shared), "Сибирский двор")]
    assert state.days[0].date == "2026-12-01"  # Tuesday: Novosibirsk's today
    assert [d.note for d in state.days[:2]] == ["до 15:00", "до 15:00"]  # 11:00 Moscow time, on the office's clock
    cutoff = datetime(2026, 12, 1, 11, 0, tzinfo=MSK)
    assert state.days[0].cutoff_ms == int(cutoff.timestamp() * 1000)  # the countdown: the same instant
    await fire(state, MiniApp.pick_cafe, str(menu.cafe_id))  # the Moscow-only cafe, asked for by a modified client
    assert state.error == "Это кафе не обслуживает ваш офис." and state.cafe_id == str(shared)


async def test_profile_shows_stats_only_without_gemini_keys(db_ready: MovableClock) -> None:
    menu = await build_menu()
    await add_user(EMPLOYEE, limit="100.00")
    state = await signed_in(db_ready, EMPLOYEE, menu)
    await put_combo_in_cart(state, menu)
    await fire(state, MiniApp.place)
    await fire(state, MiniApp.show_tab, "profile")
    assert state.week_text == "15,00\u00a0₽ из 100,00\u00a0₽" and state.week_percent == 15
    assert state.stats_orders == 1 and state.tips_enabled is False
    await fire(state, MiniApp.set_reminders, False)
    async with db.session_scope() as session:
        user = await session.get(User, EMPLOYEE)
    assert user is not None and user.reminders_enabled is False


async def test_outside_telegram_and_demo_sign_in(db_ready: MovableClock, monkeypatch: Any) -> None:
    from lunch_app.settings import reset_settings_cache

    menu = await build_menu()
    await add_user(EMPLOYEE, name="Анна")
    await add_user(OTHER_EMPLOYEE, name="Борис")
    await add_user(MANAGER, name="Алла", role=Role.manager)
    async with db.session_scope() as session:
        await session.execute(update(User).where(User.tgid == OTHER_EMPLOYEE).values(is_active=False))  # type: ignore[arg-type]

    state = new_state()
    await fire(state, MiniApp.signed, {"initData": "", "lang": "en-GB"})
    assert state.screen == "outside" and state.lang == "en" and "@" in state.outside_text

    monkeypatch.setenv("DEMO_MODE", "1")
    reset_settings_cache()
    try:
        state = new_state()
        await fire(state, MiniApp.signed, {"initData": "", "lang": "ru"})
        assert state.screen == "demo"
        assert [user.tgid for user in state.demo_users] == [MANAGER, EMPLOYEE]  # active users of any role, by name
        await fire(state, MiniApp.demo_sign_in, OTHER_EMPLOYEE)  # inactive: refused
        assert state.screen == "demo" and state._tgid == 0 and state.error != ""
        await fire(state, MiniApp.demo_sign_in, EMPLOYEE)
        assert state.screen == "app" and state._tgid == EMPLOYEE
        assert {cafe.id for cafe in state.cafes} == {str(menu.cafe_id), str(menu.other_cafe_id)}
    finally:
        monkeypatch.setenv("DEMO_MODE", "0")
        reset_settings_cache()


async def test_repeat_puts_the_order_back_in_the_cart_naming_skipped_dishes(db_ready: MovableClock) -> None:
    from lunch_app.models import MenuItem

    menu = await build_menu()
    await add_user(EMPLOYEE, limit="100.00")
    state = await signed_in(db_ready, EMPLOYEE, menu)
    await put_combo_in_cart(state, menu)
    await fire(state, MiniApp.open_dish, menu.coffee)
    await fire(state, MiniApp.add_dish)
    await fire(state, MiniApp.place)
    async with db.session_scope() as session:
        order = (await session.execute(select(Order))).scalar_one()
        await session.execute(update(MenuItem).where(MenuItem.id == menu.coffee).values(is_available=False))  # type: ignore[arg-type]

    db_ready.advance(timedelta(days=1))  # Tuesday: a new day to order for
    state = await signed_in_on(db_ready, EMPLOYEE, menu, "2026-12-01")
    await fire(state, MiniApp.repeat, order.id)
    assert state.tab == "order" and state.day == "2026-12-01"
    assert [line.key for line in state.cart_lines] == ["combo"]
    assert state.cart_total == "15,00\u00a0₽"
    assert "Кофе" in state.notice
    await fire(state, MiniApp.place)
    async with db.session_scope() as session:
        days = sorted(o.order_date.isoformat() for o in (await session.execute(select(Order))).scalars())
    assert days == ["2026-11-30", "2026-12-01"]


async def signed_in_on(clock: MovableClock, tgid: int, menu: Menu, day: str) -> MiniApp:
    state = new_state()
    await fire(state, MiniApp.signed, signed_data(clock, tgid))
    await fire(state, MiniApp.pick_cafe, str(menu.cafe_id))
    assert state.day == day
    return state


async def test_date_strip_carries_cutoff_instants_and_refresh_closes_a_passed_day(db_ready: MovableClock) -> None:
    """The browser counts down from `cutoff_ms`; at zero it asks `refresh_days`, and the server decides."""
    menu = await build_menu()  # cut-off 11:00 on the day, Monday–Friday; now Monday 09:00
    await add_user(EMPLOYEE)
    anonymous = new_state()
    await fire(anonymous, MiniApp.refresh_days)  # not signed in: nothing is loaded
    assert anonymous.days == [] and anonymous.cafe_id == ""

    state = await signed_in(db_ready, EMPLOYEE, menu)
    today = state.days[0]
    cutoff = db_ready.now().replace(hour=11, minute=0, second=0, microsecond=0)
    assert today.is_open and today.cutoff_ms == int(cutoff.timestamp() * 1000)
    assert state.clock_ms == int(db_ready.now().timestamp() * 1000)
    assert today.note == "осталось 2\u00a0ч"
    assert [day.cutoff_ms for day in state.days if not day.is_open] == [0, 0]  # the weekend
    await fire(state, MiniApp.open_dish, menu.coffee)
    await fire(state, MiniApp.add_dish)
    assert state.cart_total and state.cart_error == ""

    db_ready.advance(timedelta(hours=1, minutes=59, seconds=30))  # 30 s left: rounded up, as the browser shows it
    await fire(state, MiniApp.refresh_days)
    assert state.days[0].note == "осталось 1\u00a0мин" and state.days[0].is_open

    db_ready.advance(timedelta(seconds=31))  # the cut-off passed
    await fire(state, MiniApp.refresh_days)
    assert not state.days[0].is_open and state.days[0].cutoff_ms == 0
    assert state.day == today.date and state.day_closed_reason != ""
    assert state.cart_error != "" and state.cart_lines  # the refusal is shown and the cart stays
