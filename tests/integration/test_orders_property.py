"""Property-based tests over random order drafts (hypothesis) on PostgreSQL.

Whatever a client sends, `place_order` either stores one consistent order or raises a DomainError and
stores nothing; drafts built only from valid choices always succeed with the expected total.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from lunch_app import db
from lunch_app.domain.errors import DomainError
from lunch_app.domain.orders import place_order
from lunch_app.models import Order, OutboxEvent
from tests.orders_fixtures import EMPLOYEE, Menu, add_user, build_menu

PRICES = {"soup": "7.00", "main": "9.00", "salad": "5.00", "dessert": "4.00", "coffee": "2.50", "steak": "10.00"}
_menu: dict[str, Menu] = {}


@pytest.fixture
async def menu(db_ready: object) -> Menu:
    await add_user(EMPLOYEE)
    _menu["m"] = await build_menu()
    return _menu["m"]


def _ids(m: Menu) -> list[int]:
    return [
        m.soup,
        m.main,
        m.salad,
        m.dessert,
        m.coffee,
        m.steak,
        m.combo_only,
        m.unavailable,
        m.other_cafe_dish,
        0,
        -1,
        999_999,
    ]


junk = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=5), st.integers(-(2**40), 2**40))
option_names = st.sampled_from(["Прожарка", "Соус", "Гарнир", "Лёд", ""])
option_values = st.sampled_from(["Medium", "Well done", "Перечный", "Пюре", "Рис", "", "x" * 120])


@st.composite
def random_draft(draw: st.DrawFn) -> Any:
    m = _menu["m"]
    ids = _ids(m)
    line = st.fixed_dictionaries(
        {"menu_item_id": st.one_of(st.sampled_from(ids), junk)},
        optional={
            "quantity": st.one_of(st.integers(-3, 25), junk),
            "options": st.one_of(st.dictionaries(option_names, option_values, max_size=3), junk),
        },
    )
    combo = st.fixed_dictionaries(
        {
            "combo_id": st.one_of(st.sampled_from([m.combo, m.unavailable_combo, 999]), junk),
            "dishes": st.lists(
                st.fixed_dictionaries(
                    {"menu_item_id": st.sampled_from(ids)},
                    optional={"options": st.dictionaries(option_names, option_values, max_size=2)},
                ),
                max_size=5,
            ),
        }
    )
    draft: dict[str, Any] = {
        "cafe_id": draw(st.one_of(st.just(m.cafe_id), st.sampled_from([m.other_cafe_id, 999]), junk)),
        "order_date": draw(
            st.sampled_from(["2026-11-30", "2026-12-01", "2026-12-05", "2026-11-01", "2027-01-01", "x"])
        ),
        "items": draw(st.one_of(st.lists(line, max_size=4), junk)),
    }
    if draw(st.booleans()):
        draft["combo"] = draw(st.one_of(combo, junk))
    if draw(st.booleans()):
        draft["notes"] = draw(st.one_of(st.text(max_size=600), junk))
    return draw(st.one_of(st.just(draft), junk))


async def _count(model: type) -> int:
    async with db.session_scope() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def _place_and_check(draft: Any) -> Order | None:
    try:
        async with db.session_scope() as s:
            order = await place_order(s, user_tgid=EMPLOYEE, draft=draft)
    except DomainError as exc:
        assert exc.message("ru") and exc.message("en")
        assert await _count(Order) == 0 and await _count(OutboxEvent) == 0
        return None
    # A stored order is consistent with the prices and the rules.
    expected = Decimal(str(order.combo_price or 0)) + sum(
        (Decimal(line["unit_price"]) * line["quantity"] for line in order.lines), Decimal("0")
    )
    assert order.total == expected
    assert order.lines and all(1 <= line["quantity"] <= 20 for line in order.lines)
    assert len(order.notes) <= 500
    async with db.session_scope() as s:
        await s.execute(delete(Order))
    return order


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
async def test_random_drafts_store_a_consistent_order_or_nothing(menu: Menu, data: st.DataObject) -> None:
    await _place_and_check(data.draw(random_draft()))


@st.composite
def valid_draft(draw: st.DrawFn) -> tuple[dict[str, Any], Decimal]:
    m = _menu["m"]
    plain = {"soup": m.soup, "salad": m.salad, "dessert": m.dessert, "coffee": m.coffee}
    items: list[dict[str, Any]] = []
    total = Decimal("0")
    for name in draw(st.lists(st.sampled_from(sorted(plain)), unique=True, max_size=4)):
        quantity = draw(st.integers(1, 20))
        items.append({"menu_item_id": plain[name], "quantity": quantity})
        total += Decimal(PRICES[name]) * quantity
    if draw(st.booleans()):
        quantity = draw(st.integers(1, 20))
        options = {"Прожарка": draw(st.sampled_from(["Medium", "Well done"]))}
        if draw(st.booleans()):
            options["Соус"] = draw(st.sampled_from(["Перечный", "Грибной"]))
        items.append({"menu_item_id": m.steak, "quantity": quantity, "options": options})
        total += Decimal("10.00") * quantity
    draft: dict[str, Any] = {
        "cafe_id": m.cafe_id,
        "order_date": draw(st.sampled_from(["2026-11-30", "2026-12-04"])),
        "items": items,
    }
    if draw(st.booleans()) or not items:
        soup = draw(st.sampled_from([m.soup, m.combo_only]))
        dishes = [
            {"menu_item_id": soup},
            {"menu_item_id": m.main, "options": {"Гарнир": "Пюре"}},
            {"menu_item_id": m.salad},
        ]
        draft["combo"] = {"combo_id": m.combo, "dishes": draw(st.permutations(dishes))}
        total += Decimal("15.00")
    draft["notes"] = draw(st.text(max_size=500).filter(lambda text: len(text.strip()) <= 500))
    return draft, total


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
async def test_valid_drafts_always_succeed_with_the_expected_total(menu: Menu, data: st.DataObject) -> None:
    draft, total = data.draw(valid_draft())
    order = await _place_and_check(draft)
    assert order is not None
    assert order.total == total
