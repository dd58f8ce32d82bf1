"""Cafes, dishes with options and combos on PostgreSQL (SPEC §3, §6 "Cafes" and "Menu").

Every manager action: the happy path, refusal for non-managers, typed errors for bad input, and in every
refusal the database is left exactly as it was.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.domain import catalogue
from lunch_app.domain.catalogue import DeleteOutcome
from lunch_app.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from lunch_app.i18n import CATALOG
from lunch_app.models import (
    AuditLog,
    Cafe,
    Category,
    Combo,
    MenuItem,
    MenuItemOption,
    Order,
    OrderStatus,
    Role,
    Tag,
    User,
)
from tests.office_fixtures import office_in

MANAGER = 8_000_000_100  # above 2^31 on purpose
EMPLOYEE = 8_000_000_001
RETIRED_MANAGER = 8_000_000_200
STRANGER = 8_000_000_999  # not a user at all

BORSCHT = {
    "name": "Борщ",
    "description": "Со сметаной",
    "category": "soup",
    "price": "7.50",
    "tags": ["vegetarian", "gluten_free"],
    "options": [
        {"name": "Порция", "values": ["Стандарт", "Большая"], "is_required": True},
        {"name": "Хлеб", "values": ["Белый", "Чёрный"]},
    ],
}


@pytest.fixture
async def people(db_ready: MovableClock) -> None:
    async with db.session_scope() as s:
        s.add(User(tgid=MANAGER, name="Мария", office_id=await office_in(s), role=Role.manager))
        s.add(User(tgid=EMPLOYEE, name="Анна", office_id=await office_in(s), role=Role.employee))
        s.add(User(tgid=RETIRED_MANAGER, name="Пётр", office_id=await office_in(s), role=Role.manager, is_active=False))


@pytest.fixture
async def cafe_id(people: None) -> int:
    async with db.session_scope() as s:
        cafe = await catalogue.create_cafe(s, actor_tgid=MANAGER, data={"name": "Столовая №1"})
        return cafe.id


@pytest.fixture
async def other_cafe_id(people: None) -> int:
    async with db.session_scope() as s:
        cafe = await catalogue.create_cafe(s, actor_tgid=MANAGER, data={"name": "Другое кафе"})
        return cafe.id


async def run(fn: Any, **kwargs: Any) -> Any:
    async with db.session_scope() as s:
        return await fn(s, **kwargs)


async def snapshot() -> dict[str, Any]:
    """Everything a catalogue action can touch, as plain data, to prove a refusal changed nothing."""
    async with db.session_scope() as s:
        result: dict[str, Any] = {}
        for table in ("cafes", "menu_items", "menu_item_options", "combos", "orders"):
            rows = (await s.execute(text(f"SELECT * FROM {table} ORDER BY id"))).mappings().all()
            result[table] = [dict(row) for row in rows]
        result["audit"] = (await s.execute(select(func.count()).select_from(AuditLog))).scalar_one()
        return result


async def audit_actions() -> list[tuple[str, str, str | None]]:
    async with db.session_scope() as s:
        rows = (await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars().all()  # type: ignore[arg-type]
        return [(row.action, row.entity, row.entity_id) for row in rows]


async def expect_refusal(error: type[DomainError], key: str | None, fn: Any, **kwargs: Any) -> DomainError:
    before = await snapshot()
    with pytest.raises(error) as caught:
        await run(fn, **kwargs)
    if key is not None:
        assert caught.value.key == key
    assert caught.value.key in CATALOG["ru"] and caught.value.key in CATALOG["en"]
    assert await snapshot() == before
    return caught.value


async def add_order(
    cafe_id: int, lines: list[dict[str, Any]], *, combo_id: int | None = None, status: OrderStatus = OrderStatus.placed
) -> int:
    async with db.session_scope() as s:
        order = Order(
            user_tgid=EMPLOYEE,
            user_name="Анна",
            cafe_id=cafe_id,
            order_date=date(2026, 11, 30),
            status=status,
            combo_id=combo_id,
            combo_name="Комплекс" if combo_id else None,
            combo_price=Decimal("15.00") if combo_id else None,
            lines=lines,
            total=Decimal("15.00"),
        )
        s.add(order)
        await s.flush()
        assert order.id is not None
        return order.id


# --------------------------------------------------------------------------------------------- cafes


async def test_cafe_lifecycle(people: None) -> None:
    created = await run(
        catalogue.create_cafe, actor_tgid=MANAGER, data={"name": "  Пельменная  ", "description": "У метро"}
    )
    assert created.name == "Пельменная"
    assert created.description == "У метро"
    assert created.is_active and created.notifications_enabled and not created.is_linked

    updated = await run(catalogue.update_cafe, actor_tgid=MANAGER, cafe_id=created.id, data={"name": "Вареничная"})
    assert updated.name == "Вареничная"
    assert updated.description == "У метро"  # left out: unchanged

    off = await run(catalogue.set_cafe_active, actor_tgid=MANAGER, cafe_id=created.id, active=False)
    assert not off.is_active
    quiet = await run(catalogue.set_notifications, actor_tgid=MANAGER, cafe_id=created.id, enabled=False)
    assert not quiet.notifications_enabled

    async with db.session_scope() as s:
        cafe = await s.get(Cafe, created.id)
        assert cafe is not None
        cafe.tg_chat_id = -100123
        cafe.tg_chat_title = "Кухня"
        cafe.linked_at = datetime(2026, 11, 1, tzinfo=UTC)
    linked = await run(catalogue.get_cafe, cafe_id=created.id)
    assert linked.is_linked and linked.tg_chat_title == "Кухня"
    unlinked = await run(catalogue.unlink_cafe, actor_tgid=MANAGER, cafe_id=created.id)
    assert (unlinked.tg_chat_id, unlinked.tg_chat_title, unlinked.linked_at) == (None, None, None)
    assert unlinked.as_dict()["name"] == "Вареничная"

    assert await audit_actions() == [
        ("cafe.create", "cafe", str(created.id)),
        ("cafe.update", "cafe", str(created.id)),
        ("cafe.deactivate", "cafe", str(created.id)),
        ("cafe.notifications_off", "cafe", str(created.id)),
        ("cafe.unlink", "cafe", str(created.id)),
    ]
    async with db.session_scope() as s:
        entry = (await s.execute(select(AuditLog).where(AuditLog.action == "cafe.unlink"))).scalar_one()
        assert entry.actor_tgid == MANAGER
        assert entry.details == {"tg_chat_id": -100123, "tg_chat_title": "Кухня"}


async def test_list_cafes_sorted_and_filtered(people: None) -> None:
    for name in ("Бистро", "аптека-кафе", "Вок"):
        await run(catalogue.create_cafe, actor_tgid=MANAGER, data={"name": name})
    all_cafes = await run(catalogue.list_cafes)
    assert [c.name for c in all_cafes] == ["аптека-кафе", "Бистро", "Вок"]
    await run(catalogue.set_cafe_active, actor_tgid=MANAGER, cafe_id=all_cafes[1].id, active=False)
    active = await run(catalogue.list_cafes, active_only=True)
    assert [c.name for c in active] == ["аптека-кафе", "Вок"]


async def test_get_cafe_unknown_or_wrong_id(people: None) -> None:
    with pytest.raises(NotFound) as caught:
        await run(catalogue.get_cafe, cafe_id=12345)
    assert caught.value.key == "error.cafe.not_found"
    with pytest.raises(NotFound):
        await run(catalogue.get_cafe, cafe_id=2**40)
    with pytest.raises(InvalidInput):
        await run(catalogue.get_cafe, cafe_id="1")


@pytest.mark.parametrize("actor", [EMPLOYEE, RETIRED_MANAGER, STRANGER])
async def test_cafe_actions_refused_to_non_managers(cafe_id: int, actor: int) -> None:
    key = "error.access.manager_only"
    await expect_refusal(Forbidden, key, catalogue.create_cafe, actor_tgid=actor, data={"name": "X"})
    await expect_refusal(Forbidden, key, catalogue.update_cafe, actor_tgid=actor, cafe_id=cafe_id, data={"name": "X"})
    await expect_refusal(Forbidden, key, catalogue.set_cafe_active, actor_tgid=actor, cafe_id=cafe_id, active=False)
    await expect_refusal(Forbidden, key, catalogue.set_notifications, actor_tgid=actor, cafe_id=cafe_id, enabled=False)
    await expect_refusal(Forbidden, key, catalogue.unlink_cafe, actor_tgid=actor, cafe_id=cafe_id)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"name": ""}, "error.cafe.bad_name"),
        ({"name": "   "}, "error.cafe.bad_name"),
        ({"name": "x" * 101}, "error.cafe.bad_name"),
        ({"name": 42}, "error.cafe.bad_name"),
        ({}, "error.cafe.bad_name"),
        ({"name": "Кафе", "description": "x" * 1001}, "error.cafe.bad_description"),
        ({"name": "Кафе", "description": None}, "error.cafe.bad_description"),
        ({"name": "Кафе", "is_active": "yes"}, "error.catalogue.bad_flag"),
        ({"name": "Кафе", "tg_chat_id": 5}, "error.invalid_input"),
        (["Кафе"], "error.invalid_input"),
        (None, "error.invalid_input"),
    ],
)
async def test_create_cafe_bad_input(people: None, data: Any, key: str) -> None:
    await expect_refusal(InvalidInput, key, catalogue.create_cafe, actor_tgid=MANAGER, data=data)


async def test_cafe_updates_bad_input(cafe_id: int) -> None:
    await expect_refusal(
        InvalidInput,
        "error.cafe.bad_name",
        catalogue.update_cafe,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        data={"name": "y" * 101},
    )
    await expect_refusal(
        InvalidInput, "error.invalid_input", catalogue.update_cafe, actor_tgid=MANAGER, cafe_id=cafe_id, data="name"
    )
    await expect_refusal(
        NotFound, "error.cafe.not_found", catalogue.update_cafe, actor_tgid=MANAGER, cafe_id=999, data={"name": "Z"}
    )
    await expect_refusal(
        InvalidInput,
        "error.catalogue.bad_flag",
        catalogue.set_cafe_active,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        active=0,
    )
    await expect_refusal(
        InvalidInput,
        "error.catalogue.bad_flag",
        catalogue.set_notifications,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        enabled="false",
    )
    await expect_refusal(
        InvalidInput,
        "error.catalogue.bad_id",
        catalogue.set_cafe_active,
        actor_tgid=MANAGER,
        cafe_id="1",
        active=True,
    )
    await expect_refusal(NotFound, "error.cafe.not_found", catalogue.unlink_cafe, actor_tgid=MANAGER, cafe_id=-1)


# ---------------------------------------------------------------------------------------------- menu


async def test_create_item_with_options_and_menu_grouping(cafe_id: int) -> None:
    borscht = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data=BORSCHT)
    assert borscht.name == "Борщ"
    assert borscht.category is Category.soup
    assert borscht.price == Decimal("7.50")
    assert borscht.tags == (Tag.vegetarian, Tag.gluten_free)
    assert [(o.name, o.values, o.is_required) for o in borscht.options] == [
        ("Порция", ("Стандарт", "Большая"), True),
        ("Хлеб", ("Белый", "Чёрный"), False),
    ]
    cake = await run(
        catalogue.create_item,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        data={"name": "Медовик", "category": Category.dessert, "price": 4},
    )
    cutlet = await run(
        catalogue.create_item,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        data={"name": "Котлета", "category": "main", "price": Decimal("9.9"), "sort_order": 2},
    )
    steak = await run(
        catalogue.create_item,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        data={"name": "Стейк", "category": "main", "price": 12.5, "sort_order": 1},
    )
    soup_of_day = await run(
        catalogue.create_item,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        data={"name": "Суп дня", "category": "soup", "price": None, "is_available": False},
    )
    assert cutlet.price == Decimal("9.90") and steak.price == Decimal("12.50") and cake.price == Decimal("4.00")
    assert not soup_of_day.sold_alone

    full = await run(catalogue.get_menu, cafe_id=cafe_id, available_only=False)
    assert [s.category for s in full.sections] == [Category.soup, Category.main, Category.dessert]
    assert [i.name for i in full.sections[0].items] == ["Борщ", "Суп дня"]
    assert [i.name for i in full.sections[1].items] == ["Стейк", "Котлета"]  # sort_order first
    assert full.item(borscht.id) == borscht

    offered = await run(catalogue.get_menu, cafe_id=cafe_id, available_only=True)
    assert [i.name for i in offered.items()] == ["Борщ", "Стейк", "Котлета", "Медовик"]
    plain = offered.as_dict()
    assert plain["sections"][0]["items"][0]["price"] == "7.50"
    assert plain["sections"][0]["items"][0]["tags"] == ["vegetarian", "gluten_free"]
    assert plain["sections"][0]["category"] == "soup"

    assert [a[0] for a in await audit_actions()] == ["cafe.create"] + ["menu_item.create"] * 5


async def test_update_item_replaces_options_only_when_given(cafe_id: int) -> None:
    item = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data=BORSCHT)
    cheaper = await run(
        catalogue.update_item, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=item.id, data={"price": "6.00"}
    )
    assert cheaper.price == Decimal("6.00")
    assert [o.name for o in cheaper.options] == ["Порция", "Хлеб"]  # kept
    assert cheaper.tags == item.tags and cheaper.description == item.description

    replaced = await run(
        catalogue.update_item,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        item_id=item.id,
        data={"name": "Борщ украинский", "tags": [], "options": [{"name": "Порция", "values": ["Малая"]}]},
    )
    assert replaced.name == "Борщ украинский"
    assert replaced.tags == ()
    assert [(o.name, o.values, o.is_required) for o in replaced.options] == [("Порция", ("Малая",), False)]
    async with db.session_scope() as s:
        assert (await s.execute(select(func.count()).select_from(MenuItemOption))).scalar_one() == 1

    cleared = await run(
        catalogue.update_item, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=item.id, data={"options": []}
    )
    assert cleared.options == ()
    assert (await run(catalogue.get_item, cafe_id=cafe_id, item_id=item.id)) == cleared

    off = await run(catalogue.set_item_available, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=item.id, available=False)
    assert not off.is_available
    on = await run(catalogue.set_item_available, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=item.id, available=True)
    assert on.is_available
    actions = [a[0] for a in await audit_actions()]
    assert actions[-5:] == [
        "menu_item.update",
        "menu_item.update",
        "menu_item.update",
        "menu_item.disable",
        "menu_item.enable",
    ]


OPTION = {"name": "Порция", "values": ["S", "L"]}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"name": ""}, "error.menu.bad_name"),
        ({"name": "x" * 101}, "error.menu.bad_name"),
        ({"name": ["Борщ"]}, "error.menu.bad_name"),
        ({"description": "x" * 1001}, "error.menu.bad_description"),
        ({"category": "pizza"}, "error.menu.bad_category"),
        ({"category": 1}, "error.menu.bad_category"),
        ({"price": "-0.01"}, "error.menu.bad_price"),
        ({"price": -5}, "error.menu.bad_price"),
        ({"price": "100000.01"}, "error.menu.bad_price"),
        ({"price": 10**12}, "error.menu.bad_price"),
        ({"price": "1.005"}, "error.menu.bad_price"),
        ({"price": "NaN"}, "error.menu.bad_price"),
        ({"price": "Infinity"}, "error.menu.bad_price"),
        ({"price": "десять"}, "error.menu.bad_price"),
        ({"price": True}, "error.menu.bad_price"),
        ({"price": [1]}, "error.menu.bad_price"),
        ({"tags": ["halal"]}, "error.menu.bad_tags"),
        ({"tags": ["vegan", "vegan"]}, "error.menu.bad_tags"),
        ({"tags": "vegan"}, "error.menu.bad_tags"),
        ({"options": {"Порция": ["S"]}}, "error.menu.bad_options"),
        ({"options": [OPTION] * 11}, "error.menu.bad_options"),
        ({"options": [{"name": "", "values": ["S"]}]}, "error.menu.option.bad_name"),
        ({"options": [{"name": "x" * 51, "values": ["S"]}]}, "error.menu.option.bad_name"),
        ({"options": [{"name": "Порция", "values": []}]}, "error.menu.option.bad_values"),
        ({"options": [{"name": "Порция", "values": ["S", " "]}]}, "error.menu.option.bad_values"),
        ({"options": [{"name": "Порция", "values": ["x" * 51]}]}, "error.menu.option.bad_values"),
        ({"options": [{"name": "Порция", "values": [str(i) for i in range(21)]}]}, "error.menu.option.bad_values"),
        ({"options": [{"name": "Порция", "values": "S"}]}, "error.menu.option.bad_values"),
        ({"options": [{"name": "Порция", "values": [1, 2]}]}, "error.menu.option.bad_values"),
        ({"options": [{"name": "Порция", "values": ["S", "S"]}]}, "error.menu.option.duplicate_value"),
        ({"options": [OPTION, {"name": "порция ", "values": ["M"]}]}, "error.menu.option.duplicate_name"),
        ({"options": [{**OPTION, "is_required": "yes"}]}, "error.catalogue.bad_flag"),
        ({"options": [{**OPTION, "price": "1.00"}]}, "error.invalid_input"),
        ({"is_available": 1}, "error.catalogue.bad_flag"),
        ({"sort_order": "1"}, "error.menu.bad_sort_order"),
        ({"sort_order": 10**9}, "error.menu.bad_sort_order"),
        ({"cafe_id": 1}, "error.invalid_input"),
    ],
)
async def test_item_bad_input_refused_on_create_and_update(cafe_id: int, change: dict[str, Any], key: str) -> None:
    existing = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data=BORSCHT)
    await expect_refusal(
        InvalidInput, key, catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data={**BORSCHT, **change}
    )
    await expect_refusal(
        InvalidInput, key, catalogue.update_item, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=existing.id, data=change
    )


async def test_item_missing_required_fields(cafe_id: int) -> None:
    await expect_refusal(
        InvalidInput,
        "error.menu.bad_category",
        catalogue.create_item,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        data={"name": "Борщ"},
    )
    await expect_refusal(
        InvalidInput, "error.invalid_input", catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data="Борщ"
    )


async def test_items_are_scoped_to_their_cafe(cafe_id: int, other_cafe_id: int) -> None:
    foreign = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=other_cafe_id, data=BORSCHT)
    key = "error.menu.item_not_found"
    for item_id in (foreign.id, 999_999, 2**40):
        await expect_refusal(
            NotFound,
            key,
            catalogue.update_item,
            actor_tgid=MANAGER,
            cafe_id=cafe_id,
            item_id=item_id,
            data={"price": "1.00"},
        )
        await expect_refusal(
            NotFound,
            key,
            catalogue.set_item_available,
            actor_tgid=MANAGER,
            cafe_id=cafe_id,
            item_id=item_id,
            available=False,
        )
        await expect_refusal(NotFound, key, catalogue.delete_item, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=item_id)
        with pytest.raises(NotFound):
            await run(catalogue.get_item, cafe_id=cafe_id, item_id=item_id)
    await expect_refusal(
        InvalidInput,
        "error.catalogue.bad_id",
        catalogue.delete_item,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        item_id=str(foreign.id),
    )
    await expect_refusal(
        NotFound, "error.cafe.not_found", catalogue.create_item, actor_tgid=MANAGER, cafe_id=424242, data=BORSCHT
    )
    with pytest.raises(NotFound):
        await run(catalogue.get_menu, cafe_id=424242, available_only=True)
    assert (await run(catalogue.get_menu, cafe_id=cafe_id, available_only=False)).sections == ()


@pytest.mark.parametrize("actor", [EMPLOYEE, RETIRED_MANAGER, STRANGER])
async def test_menu_actions_refused_to_non_managers(cafe_id: int, actor: int) -> None:
    item = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data=BORSCHT)
    combo = await run(
        catalogue.create_combo,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        data={"name": "Комплекс", "categories": ["soup"], "price": "5.00"},
    )
    ids = {"actor_tgid": actor, "cafe_id": cafe_id}
    await expect_refusal(Forbidden, None, catalogue.create_item, **ids, data=BORSCHT)
    await expect_refusal(Forbidden, None, catalogue.update_item, **ids, item_id=item.id, data={"price": "1"})
    await expect_refusal(Forbidden, None, catalogue.set_item_available, **ids, item_id=item.id, available=False)
    await expect_refusal(Forbidden, None, catalogue.delete_item, **ids, item_id=item.id)
    combo_data = {"name": "К", "categories": ["soup"], "price": "1"}
    await expect_refusal(Forbidden, None, catalogue.create_combo, **ids, data=combo_data)
    await expect_refusal(Forbidden, None, catalogue.update_combo, **ids, combo_id=combo.id, data={"price": "1"})
    await expect_refusal(Forbidden, None, catalogue.set_combo_available, **ids, combo_id=combo.id, available=False)
    await expect_refusal(Forbidden, None, catalogue.delete_combo, **ids, combo_id=combo.id)


async def test_delete_unused_dish_removes_it_with_options(cafe_id: int) -> None:
    item = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data=BORSCHT)
    other = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data={**BORSCHT, "name": "Щи"})
    # An order that mentions a different dish does not keep this one alive.
    await add_order(cafe_id, [{"kind": "item", "menu_item_id": other.id, "name": "Щи", "quantity": 1}])
    outcome = await run(catalogue.delete_item, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=item.id)
    assert outcome is DeleteOutcome.deleted
    async with db.session_scope() as s:
        assert await s.get(MenuItem, item.id) is None
        options = (await s.execute(select(MenuItemOption.menu_item_id))).scalars().all()
        assert set(options) == {other.id}
        entry = (await s.execute(select(AuditLog).where(AuditLog.action == "menu_item.delete"))).scalar_one()
        assert entry.details["outcome"] == "deleted" and entry.entity_id == str(item.id)


@pytest.mark.parametrize("kind", ["item", "combo-dish"])
@pytest.mark.parametrize("status", [OrderStatus.placed, OrderStatus.cancelled])
async def test_delete_dish_used_by_orders_disables_it(cafe_id: int, kind: str, status: OrderStatus) -> None:
    item = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data=BORSCHT)
    await add_order(
        cafe_id,
        [
            {"kind": "item", "menu_item_id": item.id + 1000, "name": "Другое", "quantity": 1},
            {"kind": kind, "menu_item_id": item.id, "name": "Борщ", "unit_price": "7.50", "quantity": 1},
        ],
        status=status,
    )
    outcome = await run(catalogue.delete_item, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=item.id)
    assert outcome is DeleteOutcome.disabled
    kept = await run(catalogue.get_item, cafe_id=cafe_id, item_id=item.id)
    assert not kept.is_available
    assert [o.name for o in kept.options] == ["Порция", "Хлеб"]
    offered = await run(catalogue.get_menu, cafe_id=cafe_id, available_only=True)
    assert offered.items() == []
    async with db.session_scope() as s:
        entry = (await s.execute(select(AuditLog).where(AuditLog.action == "menu_item.delete"))).scalar_one()
        assert entry.details["outcome"] == "disabled"


async def test_item_used_by_orders_ignores_other_cafes(cafe_id: int, other_cafe_id: int) -> None:
    item = await run(catalogue.create_item, actor_tgid=MANAGER, cafe_id=cafe_id, data=BORSCHT)
    await add_order(other_cafe_id, [{"kind": "item", "menu_item_id": item.id, "name": "Борщ", "quantity": 1}])
    assert not await run(catalogue.item_used_by_orders, cafe_id=cafe_id, item_id=item.id)
    await add_order(cafe_id, [{"kind": "item", "menu_item_id": item.id, "name": "Борщ", "quantity": 1}])
    assert await run(catalogue.item_used_by_orders, cafe_id=cafe_id, item_id=item.id)


# --------------------------------------------------------------------------------------------- combos

LUNCH = {"name": "Комплекс А", "categories": ["soup", "main", "salad"], "price": "15.00"}


async def test_combo_lifecycle(cafe_id: int) -> None:
    combo = await run(catalogue.create_combo, actor_tgid=MANAGER, cafe_id=cafe_id, data=LUNCH)
    assert combo.categories == (Category.soup, Category.main, Category.salad)
    assert combo.price == Decimal("15.00") and combo.is_available
    assert combo.as_dict()["price"] == "15.00"

    updated = await run(
        catalogue.update_combo,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        combo_id=combo.id,
        data={"price": 16, "categories": ["soup", "main"]},
    )
    assert updated.price == Decimal("16.00")
    assert updated.categories == (Category.soup, Category.main)
    assert updated.name == "Комплекс А"
    assert await run(catalogue.get_combo, cafe_id=cafe_id, combo_id=combo.id) == updated

    off = await run(
        catalogue.set_combo_available, actor_tgid=MANAGER, cafe_id=cafe_id, combo_id=combo.id, available=False
    )
    assert not off.is_available
    assert (await run(catalogue.get_menu, cafe_id=cafe_id, available_only=False)).combos == (off,)
    assert (await run(catalogue.get_menu, cafe_id=cafe_id, available_only=True)).combos == ()

    order_id = await add_order(cafe_id, [], combo_id=combo.id)
    assert (
        await run(catalogue.delete_combo, actor_tgid=MANAGER, cafe_id=cafe_id, combo_id=combo.id)
        is DeleteOutcome.deleted
    )
    async with db.session_scope() as s:
        assert await s.get(Combo, combo.id) is None
        order = await s.get(Order, order_id)
        assert order is not None
        assert order.combo_id is None and order.combo_name == "Комплекс"  # the snapshot survives
    assert [a[0] for a in await audit_actions()][-4:] == [
        "combo.create",
        "combo.update",
        "combo.disable",
        "combo.delete",
    ]


async def test_menu_for_employees_hides_combos_nobody_can_complete(cafe_id: int) -> None:
    combo = await run(catalogue.create_combo, actor_tgid=MANAGER, cafe_id=cafe_id, data=LUNCH)
    for name, category in (("Борщ", "soup"), ("Котлета", "main")):
        await run(
            catalogue.create_item,
            actor_tgid=MANAGER,
            cafe_id=cafe_id,
            data={"name": name, "category": category, "price": None},
        )
    salad = await run(
        catalogue.create_item,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        data={"name": "Оливье", "category": "salad", "price": "5", "is_available": False},
    )
    assert (await run(catalogue.get_menu, cafe_id=cafe_id, available_only=True)).combos == ()
    assert [c.id for c in (await run(catalogue.get_menu, cafe_id=cafe_id, available_only=False)).combos] == [combo.id]
    await run(catalogue.set_item_available, actor_tgid=MANAGER, cafe_id=cafe_id, item_id=salad.id, available=True)
    assert [c.id for c in (await run(catalogue.get_menu, cafe_id=cafe_id, available_only=True)).combos] == [combo.id]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"categories": ["soup", "extra"]}, "error.combo.extra_category"),
        ({"categories": ["extra"]}, "error.combo.extra_category"),
        ({"categories": ["soup", "main", "soup"]}, "error.combo.duplicate_category"),
        ({"categories": []}, "error.combo.bad_categories"),
        ({"categories": ["soup", "pizza"]}, "error.combo.bad_categories"),
        ({"categories": "soup"}, "error.combo.bad_categories"),
        ({"categories": None}, "error.combo.bad_categories"),
        ({"price": None}, "error.combo.bad_price"),
        ({"price": "-1"}, "error.combo.bad_price"),
        ({"price": "100001"}, "error.combo.bad_price"),
        ({"price": "15.001"}, "error.combo.bad_price"),
        ({"price": False}, "error.combo.bad_price"),
        ({"name": ""}, "error.combo.bad_name"),
        ({"name": "x" * 101}, "error.combo.bad_name"),
        ({"is_available": "true"}, "error.catalogue.bad_flag"),
        ({"dishes": []}, "error.invalid_input"),
    ],
)
async def test_combo_bad_input_refused_on_create_and_update(cafe_id: int, change: dict[str, Any], key: str) -> None:
    combo = await run(catalogue.create_combo, actor_tgid=MANAGER, cafe_id=cafe_id, data=LUNCH)
    await expect_refusal(
        InvalidInput, key, catalogue.create_combo, actor_tgid=MANAGER, cafe_id=cafe_id, data={**LUNCH, **change}
    )
    await expect_refusal(
        InvalidInput, key, catalogue.update_combo, actor_tgid=MANAGER, cafe_id=cafe_id, combo_id=combo.id, data=change
    )


async def test_combos_are_scoped_to_their_cafe(cafe_id: int, other_cafe_id: int) -> None:
    foreign = await run(catalogue.create_combo, actor_tgid=MANAGER, cafe_id=other_cafe_id, data=LUNCH)
    key = "error.combo.not_found"
    for combo_id in (foreign.id, 999_999):
        await expect_refusal(
            NotFound,
            key,
            catalogue.update_combo,
            actor_tgid=MANAGER,
            cafe_id=cafe_id,
            combo_id=combo_id,
            data={"price": "1"},
        )
        await expect_refusal(
            NotFound,
            key,
            catalogue.set_combo_available,
            actor_tgid=MANAGER,
            cafe_id=cafe_id,
            combo_id=combo_id,
            available=True,
        )
        await expect_refusal(
            NotFound, key, catalogue.delete_combo, actor_tgid=MANAGER, cafe_id=cafe_id, combo_id=combo_id
        )
        with pytest.raises(NotFound):
            await run(catalogue.get_combo, cafe_id=cafe_id, combo_id=combo_id)
    await expect_refusal(
        InvalidInput,
        "error.catalogue.bad_id",
        catalogue.set_combo_available,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        combo_id=None,
        available=True,
    )
    await expect_refusal(
        NotFound, "error.cafe.not_found", catalogue.create_combo, actor_tgid=MANAGER, cafe_id=31337, data=LUNCH
    )


# ------------------------------------------------------------------------------------------ messages


def test_every_catalogue_and_schedule_error_is_translated() -> None:
    root = Path(catalogue.__file__).parent
    source = (root / "catalogue.py").read_text() + (root / "schedule.py").read_text()
    keys = set(re.findall(r'"(error\.[a-z_.]+)"', source))
    keys |= {f"menu.delete.{outcome.value}" for outcome in DeleteOutcome}
    assert "error.menu.bad_price" in keys and "error.schedule.duplicate_weekday" in keys
    for key in keys:
        assert key in CATALOG["ru"], key
        assert key in CATALOG["en"], key
    assert CATALOG["en"]["menu.delete.disabled"] != CATALOG["ru"]["menu.delete.disabled"]
