"""A small menu for order tests, inserted directly through the models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from lunch_app import db
from lunch_app.models import Cafe, Category, Combo, MenuItem, MenuItemOption, Role, Schedule, User
from tests.office_fixtures import office_in, serve_in

EMPLOYEE = 7_000_000_001  # above 2^31 on purpose
OTHER_EMPLOYEE = 7_000_000_002
MANAGER = 7_000_000_100


@dataclass
class Menu:
    cafe_id: int
    other_cafe_id: int
    soup: int
    main: int
    salad: int
    dessert: int
    coffee: int
    steak: int  # 10.00, required option "Прожарка", optional "Соус"
    combo_only: int  # price NULL
    unavailable: int
    other_cafe_dish: int
    combo: int  # soup + main + salad, 15.00
    unavailable_combo: int


async def add_user(
    tgid: int,
    *,
    name: str = "Анна",
    role: Role = Role.employee,
    limit: str | None = None,
    active: bool = True,
    office: str = "Офис 1",
) -> None:
    async with db.session_scope() as s:
        s.add(
            User(
                tgid=tgid,
                name=name,
                office_id=await office_in(s, office),
                role=role,
                is_active=active,
                weekly_limit=Decimal(limit) if limit is not None else None,
            )
        )


async def add_cafe(
    name: str,
    *,
    cutoff: time = time(11, 0),
    days_before: int = 0,
    weekdays: range = range(5),
    timezone: str = "Europe/Moscow",
    offices: tuple[str, ...] = ("Офис 1",),
) -> int:
    async with db.session_scope() as s:
        cafe = Cafe(name=name, timezone=timezone)
        s.add(cafe)
        await s.flush()
        assert cafe.id is not None
        await serve_in(s, cafe.id, [await office_in(s, office) for office in offices])
        for weekday in weekdays:
            s.add(Schedule(cafe_id=cafe.id, weekday=weekday, cutoff_time=cutoff, cutoff_days_before=days_before))
        return cafe.id


async def build_menu() -> Menu:
    cafe_id = await add_cafe("Столовая №1")
    other_id = await add_cafe("Другое кафе")
    async with db.session_scope() as s:

        def dish(
            name: str, category: Category, price: str | None, *, cafe: int = cafe_id, available: bool = True
        ) -> MenuItem:
            item = MenuItem(
                cafe_id=cafe,
                name=name,
                category=category,
                price=Decimal(price) if price is not None else None,
                is_available=available,
            )
            s.add(item)
            return item

        soup = dish("Борщ", Category.soup, "7.00")
        main = dish("Котлета", Category.main, "9.00")
        salad = dish("Оливье", Category.salad, "5.00")
        dessert = dish("Медовик", Category.dessert, "4.00")
        coffee = dish("Кофе", Category.drink, "2.50")
        steak = dish("Стейк", Category.main, "10.00")
        combo_only = dish("Суп дня", Category.soup, None)
        unavailable = dish("Уха", Category.soup, "8.00", available=False)
        foreign = dish("Чужое блюдо", Category.main, "3.00", cafe=other_id)
        combo = Combo(cafe_id=cafe_id, name="Комплекс А", categories=["soup", "main", "salad"], price=Decimal("15.00"))
        off_combo = Combo(
            cafe_id=cafe_id, name="Старый комплекс", categories=["soup"], price=Decimal("5.00"), is_available=False
        )
        s.add_all([combo, off_combo])
        await s.flush()
        s.add(MenuItemOption(menu_item_id=steak.id, name="Прожарка", values=["Medium", "Well done"], is_required=True))
        s.add(MenuItemOption(menu_item_id=steak.id, name="Соус", values=["Перечный", "Грибной"], is_required=False))
        s.add(MenuItemOption(menu_item_id=main.id, name="Гарнир", values=["Пюре", "Рис"], is_required=True))
        return Menu(
            cafe_id=cafe_id,
            other_cafe_id=other_id,
            soup=soup.id,  # type: ignore[arg-type]
            main=main.id,  # type: ignore[arg-type]
            salad=salad.id,  # type: ignore[arg-type]
            dessert=dessert.id,  # type: ignore[arg-type]
            coffee=coffee.id,  # type: ignore[arg-type]
            steak=steak.id,  # type: ignore[arg-type]
            combo_only=combo_only.id,  # type: ignore[arg-type]
            unavailable=unavailable.id,  # type: ignore[arg-type]
            other_cafe_dish=foreign.id,  # type: ignore[arg-type]
            combo=combo.id,  # type: ignore[arg-type]
            unavailable_combo=off_combo.id,  # type: ignore[arg-type]
        )


def combo_draft(menu: Menu, day: str = "2026-11-30", **extra: object) -> dict:
    return {
        "cafe_id": menu.cafe_id,
        "order_date": day,
        "combo": {
            "combo_id": menu.combo,
            "dishes": [
                {"menu_item_id": menu.soup},
                {"menu_item_id": menu.main, "options": {"Гарнир": "Рис"}},
                {"menu_item_id": menu.salad},
            ],
        },
        "items": [{"menu_item_id": menu.coffee, "quantity": 2}],
        **extra,
    }


def steak_draft(menu: Menu, day: str = "2026-11-30", quantity: int = 2, **extra: object) -> dict:
    return {
        "cafe_id": menu.cafe_id,
        "order_date": day,
        "items": [
            {"menu_item_id": menu.steak, "quantity": quantity, "options": {"Прожарка": "Medium", "Соус": "Грибной"}}
        ],
        **extra,
    }
