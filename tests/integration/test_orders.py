"""Ordering rules on PostgreSQL: SPEC §4 "Placing an order", "Editing and cancelling"; SPEC §11 scenarios 3–6."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.domain.errors import Conflict, DayClosed, DomainError, Forbidden, InvalidInput, LimitExceeded, NotFound
from lunch_app.domain.orders import (
    cancel_order,
    get_week_balance,
    my_orders,
    place_order,
    quote_order,
    repeat_order,
    update_order,
)
from lunch_app.models import MenuItem, Order, OrderStatus, OutboxEvent, Role, User
from tests.conftest import MSK
from tests.orders_fixtures import (
    EMPLOYEE,
    MANAGER,
    OTHER_EMPLOYEE,
    Menu,
    add_user,
    build_menu,
    combo_draft,
    steak_draft,
)


@pytest.fixture
async def menu(db_ready: MovableClock) -> Menu:
    await add_user(EMPLOYEE)
    await add_user(OTHER_EMPLOYEE, name="Борис")
    await add_user(MANAGER, name="Мария", role=Role.manager)
    return await build_menu()


async def place(user: int, draft: Any) -> Order:
    async with db.session_scope() as s:
        return await place_order(s, user_tgid=user, draft=draft)


async def count_orders() -> int:
    async with db.session_scope() as s:
        return (await s.execute(select(func.count()).select_from(Order))).scalar_one()


async def fetch(order_id: int) -> Order:
    async with db.session_scope() as s:
        order = await s.get(Order, order_id)
        assert order is not None
        return order


# --- scenario 3: totals --------------------------------------------------------------------------------


async def test_scenario3_combo_and_two_coffees_cost_20(menu: Menu) -> None:
    order = await place(EMPLOYEE, combo_draft(menu))
    assert order.total == Decimal("20.00")
    assert order.combo_name == "Комплекс А" and order.combo_price == Decimal("15.00")
    kinds = [(line["kind"], line["name"], line["unit_price"], line["quantity"]) for line in order.lines]
    assert kinds == [
        ("combo_dish", "Борщ", "0.00", 1),
        ("combo_dish", "Котлета", "0.00", 1),
        ("combo_dish", "Оливье", "0.00", 1),
        ("item", "Кофе", "2.50", 2),
    ]
    assert order.lines[1]["options"] == {"Гарнир": "Рис"}


async def test_scenario3_two_dishes_with_options_cost_20(menu: Menu) -> None:
    order = await place(EMPLOYEE, steak_draft(menu, notes="  без лука  "))
    assert order.total == Decimal("20.00")
    assert order.lines == [
        {
            "kind": "item",
            "menu_item_id": menu.steak,
            "name": "Стейк",
            "category": "main",
            "unit_price": "10.00",
            "quantity": 2,
            "options": {"Прожарка": "Medium", "Соус": "Грибной"},
        }
    ]
    assert order.notes == "без лука"
    assert order.status == OrderStatus.placed


async def test_snapshot_survives_menu_changes(menu: Menu) -> None:
    order = await place(EMPLOYEE, steak_draft(menu))
    async with db.session_scope() as s:
        steak = await s.get(MenuItem, menu.steak)
        assert steak is not None
        steak.price = Decimal("99.00")
        steak.name = "Стейк рибай"
    stored = await fetch(order.id or 0)
    assert stored.total == Decimal("20.00") and stored.lines[0]["name"] == "Стейк"


async def test_quote_shows_total_and_limit_left(menu: Menu) -> None:
    async with db.session_scope() as s:
        (await s.get(User, EMPLOYEE)).weekly_limit = Decimal("100.00")  # type: ignore[union-attr]
    await place(EMPLOYEE, steak_draft(menu, day="2026-12-01"))
    async with db.session_scope() as s:
        quote = await quote_order(s, user_tgid=EMPLOYEE, draft=combo_draft(menu))
    assert quote.total == Decimal("20.00")
    assert quote.balance.spent == Decimal("20.00")
    assert quote.remaining_after == Decimal("60.00")
    assert await count_orders() == 1


# --- scenario 4: every invalid order is refused with its message and stores nothing -------------------


def _invalid_drafts(m: Menu) -> list[tuple[str, dict[str, Any], type[DomainError], str]]:
    base = steak_draft(m)
    combo = combo_draft(m)
    steak_line = base["items"][0]

    def with_items(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {**base, "items": list(items), **extra}

    def with_dishes(*dishes: dict[str, Any], combo_id: int | None = None) -> dict[str, Any]:
        return {**combo, "items": [], "combo": {"combo_id": combo_id or m.combo, "dishes": list(dishes)}}

    soup, main, salad = (
        {"menu_item_id": m.soup},
        {"menu_item_id": m.main, "options": {"Гарнир": "Пюре"}},
        {"menu_item_id": m.salad},
    )
    return [
        ("empty", with_items(), InvalidInput, "error.order.empty"),
        ("zero quantity", with_items({**steak_line, "quantity": 0}), InvalidInput, "error.order.bad_quantity"),
        ("negative quantity", with_items({**steak_line, "quantity": -3}), InvalidInput, "error.order.bad_quantity"),
        ("absurd quantity", with_items({**steak_line, "quantity": 10**9}), InvalidInput, "error.order.bad_quantity"),
        ("quantity as text", with_items({**steak_line, "quantity": "2"}), InvalidInput, "error.invalid_input"),
        ("quantity as float", with_items({**steak_line, "quantity": 2.5}), InvalidInput, "error.invalid_input"),
        ("quantity as bool", with_items({**steak_line, "quantity": True}), InvalidInput, "error.invalid_input"),
        ("unknown dish", with_items({"menu_item_id": 999_999}), NotFound, "error.order.dish_not_found"),
        ("huge id", with_items({"menu_item_id": 2**40}), InvalidInput, "error.invalid_input"),
        ("other cafe's dish", with_items({"menu_item_id": m.other_cafe_dish}), NotFound, "error.order.dish_not_found"),
        ("unavailable dish", with_items({"menu_item_id": m.unavailable}), InvalidInput, "error.order.dish_unavailable"),
        (
            "combo-only dish alone",
            with_items({"menu_item_id": m.combo_only}),
            InvalidInput,
            "error.order.dish_combo_only",
        ),
        (
            "missing required option",
            with_items({"menu_item_id": m.steak, "quantity": 1}),
            InvalidInput,
            "error.order.option_required",
        ),
        (
            "empty required option",
            with_items({"menu_item_id": m.steak, "options": {"Прожарка": ""}}),
            InvalidInput,
            "error.order.bad_option_value",
        ),
        (
            "unknown option value",
            with_items({"menu_item_id": m.steak, "options": {"Прожарка": "Raw"}}),
            InvalidInput,
            "error.order.bad_option_value",
        ),
        (
            "unknown option name",
            with_items({"menu_item_id": m.steak, "options": {"Прожарка": "Medium", "Лёд": "Да"}}),
            InvalidInput,
            "error.order.unknown_option",
        ),
        (
            "option value not text",
            with_items({"menu_item_id": m.steak, "options": {"Прожарка": 1}}),
            InvalidInput,
            "error.invalid_input",
        ),
        ("notes too long", with_items(steak_line, notes="х" * 501), InvalidInput, "error.order.notes_too_long"),
        ("notes not text", with_items(steak_line, notes=["a"]), InvalidInput, "error.invalid_input"),
        ("unknown field", with_items(steak_line, price="0.01"), InvalidInput, "error.invalid_input"),
        ("unknown cafe", {**base, "cafe_id": 424242}, NotFound, "error.cafe.not_found"),
        ("cafe id as text", {**base, "cafe_id": "1"}, InvalidInput, "error.invalid_input"),
        ("bad date", {**base, "order_date": "30.11.2026"}, InvalidInput, "error.invalid_input"),
        ("past date", {**base, "order_date": "2026-11-27"}, DayClosed, "error.day.past"),
        ("too far ahead", {**base, "order_date": "2026-12-09"}, DayClosed, "error.day.too_far"),
        ("no delivery on Saturday", {**base, "order_date": "2026-12-05"}, DayClosed, "error.day.no_delivery"),
        ("combo missing a category", with_dishes(soup, main), InvalidInput, "error.order.combo_missing_category"),
        (
            "combo duplicate category",
            with_dishes(soup, main, salad, {"menu_item_id": m.combo_only}),
            InvalidInput,
            "error.order.combo_duplicate_category",
        ),
        (
            "combo extra category",
            with_dishes(soup, main, salad, {"menu_item_id": m.dessert}),
            InvalidInput,
            "error.order.combo_wrong_category",
        ),
        (
            "combo dish of other cafe",
            with_dishes(soup, {"menu_item_id": m.other_cafe_dish}, salad),
            NotFound,
            "error.order.dish_not_found",
        ),
        (
            "combo dish unavailable",
            with_dishes({"menu_item_id": m.unavailable}, main, salad),
            InvalidInput,
            "error.order.dish_unavailable",
        ),
        (
            "combo dish missing option",
            with_dishes(soup, {"menu_item_id": m.main}, salad),
            InvalidInput,
            "error.order.option_required",
        ),
        ("unknown combo", with_dishes(soup, main, salad, combo_id=999_999), NotFound, "error.order.combo_not_found"),
        (
            "unavailable combo",
            with_dishes(soup, combo_id=m.unavailable_combo),
            InvalidInput,
            "error.order.combo_unavailable",
        ),
        ("draft not a mapping", "please", InvalidInput, "error.invalid_input"),  # type: ignore[list-item]
    ]


async def test_scenario4_every_invalid_order_is_refused_and_stores_nothing(menu: Menu) -> None:
    cases = _invalid_drafts(menu)
    for name, draft, error, key in cases:
        with pytest.raises(error) as caught:
            await place(EMPLOYEE, draft)
        assert caught.value.key == key, name
        for lang in ("ru", "en"):
            text = caught.value.message(lang)
            assert text and not text.startswith("error."), (name, lang, text)
        async with db.session_scope() as s:
            with pytest.raises(error):
                await quote_order(s, user_tgid=EMPLOYEE, draft=draft)
    assert await count_orders() == 0
    async with db.session_scope() as s:
        assert (await s.execute(select(func.count()).select_from(OutboxEvent))).scalar_one() == 0


async def test_unknown_or_inactive_user_cannot_order(menu: Menu) -> None:
    await add_user(7_000_000_555, active=False)
    for tgid in (7_000_000_555, 123):
        with pytest.raises(Forbidden):
            await place(tgid, steak_draft(menu))
    assert await count_orders() == 0


async def test_second_order_same_day_is_refused_and_edit_works(menu: Menu) -> None:
    first = await place(EMPLOYEE, steak_draft(menu))
    with pytest.raises(Conflict) as caught:
        await place(EMPLOYEE, combo_draft(menu))
    assert caught.value.key == "error.order.already_exists"
    assert caught.value.params["order_id"] == first.id
    async with db.session_scope() as s:
        edited = await update_order(s, actor_tgid=EMPLOYEE, order_id=first.id, draft=combo_draft(menu))
    assert edited.total == Decimal("20.00") and edited.combo_name == "Комплекс А"
    assert await count_orders() == 1
    # Another cafe the same day is a separate order.
    await place(
        EMPLOYEE,
        {"cafe_id": menu.other_cafe_id, "order_date": "2026-11-30", "items": [{"menu_item_id": menu.other_cafe_dish}]},
    )
    assert await count_orders() == 2


async def test_cancelled_order_frees_the_day(menu: Menu) -> None:
    first = await place(EMPLOYEE, steak_draft(menu))
    async with db.session_scope() as s:
        await cancel_order(s, actor_tgid=EMPLOYEE, order_id=first.id)
    again = await place(EMPLOYEE, steak_draft(menu))
    assert again.id != first.id
    assert (await fetch(first.id or 0)).status == OrderStatus.cancelled


async def test_double_submit_creates_one_order(menu: Menu) -> None:
    results = await asyncio.gather(*(place(EMPLOYEE, steak_draft(menu)) for _ in range(8)), return_exceptions=True)
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(placed) == 1 and len(refused) == 7, results
    assert await count_orders() == 1


# --- scenario 5: weekly limit ----------------------------------------------------------------------------


async def test_scenario5_weekly_limit(menu: Menu) -> None:
    async with db.session_scope() as s:
        (await s.get(User, EMPLOYEE)).weekly_limit = Decimal("100.00")  # type: ignore[union-attr]
    sixty = {
        "cafe_id": menu.cafe_id,
        "order_date": "2026-11-30",
        "items": [{"menu_item_id": menu.steak, "quantity": 6, "options": {"Прожарка": "Medium"}}],
    }
    fifty = {
        "cafe_id": menu.cafe_id,
        "order_date": "2026-12-02",
        "items": [{"menu_item_id": menu.steak, "quantity": 5, "options": {"Прожарка": "Medium"}}],
    }
    await place(EMPLOYEE, sixty)
    with pytest.raises(LimitExceeded) as caught:
        await place(EMPLOYEE, fifty)
    assert caught.value.params == {"limit": "100.00", "spent": "60.00", "remaining": "40.00", "total": "50.00"}
    assert "40" in caught.value.message("ru") and "50" in caught.value.message("en")
    assert await count_orders() == 1
    # Exactly the limit is allowed; the next week starts from zero.
    forty = {**fifty, "items": [{"menu_item_id": menu.steak, "quantity": 4, "options": {"Прожарка": "Medium"}}]}
    await place(EMPLOYEE, forty)
    async with db.session_scope() as s:
        balance = await get_week_balance(s, user_tgid=EMPLOYEE, day=date(2026, 12, 2))
    assert balance.spent == Decimal("100.00") and balance.remaining == Decimal("0.00")
    await place(EMPLOYEE, {**fifty, "order_date": "2026-12-07"})


async def test_scenario5_limit_rechecked_on_edit(menu: Menu) -> None:
    async with db.session_scope() as s:
        (await s.get(User, EMPLOYEE)).weekly_limit = Decimal("30.00")  # type: ignore[union-attr]
    order = await place(EMPLOYEE, steak_draft(menu))  # 20.00
    async with db.session_scope() as s:  # editing to 30.00 is fine: its own 20.00 is not counted twice
        await update_order(s, actor_tgid=EMPLOYEE, order_id=order.id, draft=steak_draft(menu, quantity=3))
    with pytest.raises(LimitExceeded):
        async with db.session_scope() as s:
            await update_order(s, actor_tgid=EMPLOYEE, order_id=order.id, draft=steak_draft(menu, quantity=4))
    assert (await fetch(order.id or 0)).total == Decimal("30.00")


async def test_scenario5_concurrent_orders_never_exceed_limit(menu: Menu) -> None:
    """20 orders at once (different cafes and days, 15.00 each) against a 100.00 limit."""
    async with db.session_scope() as s:
        (await s.get(User, EMPLOYEE)).weekly_limit = Decimal("100.00")  # type: ignore[union-attr]
    from tests.orders_fixtures import add_cafe

    drafts = []
    for n in range(4):
        cafe_id = await add_cafe(f"Кафе {n}")
        async with db.session_scope() as s:
            dish = MenuItem(cafe_id=cafe_id, name="Плов", category="main", price=Decimal("15.00"))
            s.add(dish)
            await s.flush()
            dish_id = dish.id
        for day in range(5):  # Monday..Friday of this week
            drafts.append(
                {
                    "cafe_id": cafe_id,
                    "order_date": f"2026-12-0{day}" if day else "2026-11-30",
                    "items": [{"menu_item_id": dish_id}],
                }
            )
    assert len(drafts) == 20
    results = await asyncio.gather(*(place(EMPLOYEE, d) for d in drafts), return_exceptions=True)
    unexpected = [r for r in results if not isinstance(r, Order | LimitExceeded)]
    assert not unexpected, unexpected
    async with db.session_scope() as s:
        balance = await get_week_balance(s, user_tgid=EMPLOYEE, day=date(2026, 11, 30))
    assert balance.spent <= Decimal("100.00")
    assert sum(isinstance(r, Order) for r in results) == 6  # 6 × 15.00 = 90.00; a 7th would be 105.00
    assert balance.spent == Decimal("90.00")


# --- scenario 6: after the cut-off ------------------------------------------------------------------------


async def test_scenario6_after_cutoff_employee_cannot_but_manager_can(menu: Menu, db_ready: MovableClock) -> None:
    order = await place(EMPLOYEE, steak_draft(menu))
    other = await place(OTHER_EMPLOYEE, steak_draft(menu))
    db_ready.set(datetime(2026, 11, 30, 11, 0, tzinfo=MSK))  # the cut-off itself: closed

    with pytest.raises(DayClosed) as caught:
        await place(EMPLOYEE, {**combo_draft(menu), "cafe_id": menu.cafe_id})
    assert caught.value.key == "error.day.cutoff_passed"
    with pytest.raises(DayClosed):
        async with db.session_scope() as s:
            await update_order(s, actor_tgid=EMPLOYEE, order_id=order.id, draft=steak_draft(menu, quantity=1))
    with pytest.raises(DayClosed):
        async with db.session_scope() as s:
            await cancel_order(s, actor_tgid=EMPLOYEE, order_id=order.id)
    assert (await fetch(order.id or 0)).total == Decimal("20.00")

    async with db.session_scope() as s:
        await update_order(s, actor_tgid=MANAGER, order_id=order.id, draft=steak_draft(menu, quantity=1))
    async with db.session_scope() as s:
        await cancel_order(s, actor_tgid=MANAGER, order_id=other.id)
    assert (await fetch(order.id or 0)).total == Decimal("10.00")
    assert (await fetch(other.id or 0)).status == OrderStatus.cancelled
    async with db.session_scope() as s:
        events = (await s.execute(select(OutboxEvent).order_by(OutboxEvent.id))).scalars().all()  # type: ignore[arg-type]
    notices = [(e.payload["template"], e.payload["user_tgid"]) for e in events]
    assert notices == [("order_changed_by_manager", EMPLOYEE), ("order_cancelled_by_manager", OTHER_EMPLOYEE)]
    assert events[0].payload["params"]["total"] == "10.00"


async def test_cutoff_days_before_and_timezone(db_ready: MovableClock) -> None:
    """Cut-off 18:00 the day before, in Moscow time whatever the server's zone."""
    from datetime import time

    from tests.orders_fixtures import add_cafe

    await add_user(EMPLOYEE)
    cafe_id = await add_cafe("Пекарня", cutoff=time(18, 0), days_before=1, weekdays=range(7))
    async with db.session_scope() as s:
        bun = MenuItem(cafe_id=cafe_id, name="Булочка", category="bakery", price=Decimal("3.00"))
        s.add(bun)
        await s.flush()
        bun_id = bun.id
    draft = {"cafe_id": cafe_id, "order_date": "2026-12-01", "items": [{"menu_item_id": bun_id}]}
    db_ready.set(datetime(2026, 11, 30, 17, 59, tzinfo=MSK))
    order = await place(EMPLOYEE, draft)
    db_ready.advance(timedelta(minutes=1))  # 18:00 Moscow = 15:00 UTC
    with pytest.raises(DayClosed):
        async with db.session_scope() as s:
            await cancel_order(s, actor_tgid=EMPLOYEE, order_id=order.id)
    with pytest.raises(DayClosed):
        await place(EMPLOYEE, {**draft, "order_date": "2026-11-30"})  # its cut-off was yesterday


async def test_employee_cannot_touch_someone_elses_order(menu: Menu) -> None:
    order = await place(EMPLOYEE, steak_draft(menu))
    with pytest.raises(Forbidden):
        async with db.session_scope() as s:
            await cancel_order(s, actor_tgid=OTHER_EMPLOYEE, order_id=order.id)
    with pytest.raises(Forbidden):
        async with db.session_scope() as s:
            await update_order(s, actor_tgid=OTHER_EMPLOYEE, order_id=order.id, draft=steak_draft(menu, quantity=1))
    for bad_id in ("1", None, -1, 2**40, True):
        with pytest.raises(InvalidInput):
            async with db.session_scope() as s:
                await cancel_order(s, actor_tgid=EMPLOYEE, order_id=bad_id)
    with pytest.raises(NotFound):
        async with db.session_scope() as s:
            await cancel_order(s, actor_tgid=EMPLOYEE, order_id=999_999)
    stored = await fetch(order.id or 0)
    assert stored.status == OrderStatus.placed and stored.total == Decimal("20.00")


async def test_edit_cannot_move_order_and_sent_orders_are_frozen(menu: Menu) -> None:
    order = await place(EMPLOYEE, steak_draft(menu))
    with pytest.raises(InvalidInput) as caught:
        async with db.session_scope() as s:
            await update_order(s, actor_tgid=EMPLOYEE, order_id=order.id, draft=steak_draft(menu, day="2026-12-01"))
    assert caught.value.key == "error.order.cannot_move"
    async with db.session_scope() as s:
        stored = await s.get(Order, order.id)
        stored.status = OrderStatus.sent  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        async with db.session_scope() as s:
            await cancel_order(s, actor_tgid=EMPLOYEE, order_id=order.id)


# --- my orders and repeat ------------------------------------------------------------------------------


async def test_my_orders_says_which_upcoming_orders_can_still_change(menu: Menu, db_ready: MovableClock) -> None:
    today = await place(EMPLOYEE, combo_draft(menu))  # Monday, cut-off 11:00; the clock says 09:00
    tomorrow = await place(EMPLOYEE, steak_draft(menu, day="2026-12-01"))

    async def changeable() -> dict[int | None, bool]:
        async with db.session_scope() as s:
            mine = await my_orders(s, user_tgid=EMPLOYEE)
        assert all(entry.cafe_name == "Столовая №1" for entry in mine.upcoming)
        assert all(not entry.can_change for entry in mine.past)
        return {entry.order.id: entry.can_change for entry in mine.upcoming}

    assert await changeable() == {today.id: True, tomorrow.id: True}
    db_ready.advance(timedelta(hours=2, minutes=1))  # 11:01: Monday's cut-off has passed
    assert await changeable() == {today.id: False, tomorrow.id: True}
    async with db.session_scope() as s:
        await cancel_order(s, actor_tgid=EMPLOYEE, order_id=tomorrow.id or 0)
    assert await changeable() == {today.id: False, tomorrow.id: False}  # cancelled: nothing left to change
    db_ready.advance(timedelta(days=1))
    async with db.session_scope() as s:
        mine = await my_orders(s, user_tgid=EMPLOYEE)
    assert [entry.order.id for entry in mine.past] == [today.id]
    with pytest.raises(Forbidden):  # nobody by that id
        async with db.session_scope() as s:
            await my_orders(s, user_tgid=424242)


async def test_my_orders_and_repeat_skips_unavailable(menu: Menu, db_ready: MovableClock) -> None:
    order = await place(
        EMPLOYEE,
        {**combo_draft(menu), "items": [{"menu_item_id": menu.coffee, "quantity": 2}, {"menu_item_id": menu.dessert}]},
    )
    async with db.session_scope() as s:
        mine = await my_orders(s, user_tgid=EMPLOYEE)
        upcoming = [entry.order for entry in mine.upcoming]
        past = [entry.order for entry in mine.past]
    assert [o.id for o in upcoming] == [order.id] and past == []

    async with db.session_scope() as s:
        (await s.get(MenuItem, menu.dessert)).is_available = False  # type: ignore[union-attr]
    db_ready.advance(timedelta(days=1))
    async with db.session_scope() as s:
        result = await repeat_order(s, user_tgid=EMPLOYEE, order_id=order.id or 0, day=date(2026, 12, 1))
        assert [entry.order.id for entry in (await my_orders(s, user_tgid=EMPLOYEE)).past] == [order.id]
    assert result.skipped == ["Медовик"]
    assert result.draft is not None
    repeated = await place(EMPLOYEE, result.draft)
    assert repeated.total == Decimal("20.00") and repeated.order_date == date(2026, 12, 1)
    with pytest.raises(Forbidden):
        async with db.session_scope() as s:
            await repeat_order(s, user_tgid=OTHER_EMPLOYEE, order_id=order.id or 0, day=date(2026, 12, 1))
