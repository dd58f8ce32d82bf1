"""The Menu tab: one cafe's dishes (with tags and options) and combos; add, edit, on/off and delete."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import catalogue
from lunch_app.i18n import format_money, t
from lunch_app.models import Category, Tag
from lunch_app.states.manager.inputs import as_int, is_index, text_setter
from lunch_app.states.manager.root import CafePicker, Confirm, Dashboard, Tab

CATEGORIES = [c.value for c in Category]
COMBO_CATEGORIES = [c.value for c in catalogue.COMBO_CATEGORIES]
TAGS = [tag.value for tag in Tag]


@dataclasses.dataclass
class DishCard:
    id: int = 0
    name: str = ""
    description: str = ""
    category: str = ""
    price: str = ""
    available: bool = True
    tags: list[str] = dataclasses.field(default_factory=list)
    options: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ComboCard:
    id: int = 0
    name: str = ""
    price: str = ""
    parts: str = ""
    available: bool = True


@dataclasses.dataclass
class OptionRow:
    name: str = ""
    choices: str = ""  # the option's values, comma separated
    required: bool = False


class MenuTab(Tab, CafePicker, Confirm, Dashboard):
    TAB: ClassVar[str] = "menu"
    ACTIONS: ClassVar[tuple[str, ...]] = ("delete_dish", "delete_combo")

    dishes: list[DishCard] = []
    combos: list[ComboCard] = []
    # dish form
    dish_mode: str = ""  # "" | add | edit
    dish_id: int = 0
    dish_name: str = ""
    dish_description: str = ""
    dish_category: str = "main"
    dish_price: str = ""
    dish_tags: list[str] = []
    dish_options: list[OptionRow] = []
    dish_sort: str = "0"
    # combo form
    combo_mode: str = ""
    combo_id: int = 0
    combo_name: str = ""
    combo_price: str = ""
    combo_categories: list[str] = []

    @rx.var
    def combo_has_category(self) -> bool:
        """A combo needs at least one category (the domain's rule); until then its form cannot be saved."""
        return len(self.combo_categories) > 0

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        cafe_id = await self._picked_cafe(session)
        if cafe_id is None:
            self.dishes = []
            self.combos = []
            return
        menu = await catalogue.get_menu(session, cafe_id, available_only=False)
        self.dishes = [
            DishCard(
                id=item.id,
                name=item.name,
                description=item.description,
                category=t(f"category_one.{item.category.value}", lang),
                price=format_money(item.price, lang) if item.price is not None else t("dash.menu.combo_only", lang),
                available=item.is_available,
                tags=[t(f"tag.{tag.value}", lang) for tag in item.tags],
                options=[
                    f"{option.name}{' *' if option.is_required else ''}: {', '.join(option.values)}"
                    for option in item.options
                ],
            )
            for section in menu.sections
            for item in section.items
        ]
        self.combos = [
            ComboCard(
                id=combo.id,
                name=combo.name,
                price=format_money(combo.price, lang),
                parts=" + ".join(t(f"category_one.{c.value}", lang) for c in combo.categories),
                available=combo.is_available,
            )
            for combo in menu.combos
        ]

    # dish form --------------------------------------------------------------------

    @rx.event
    def open_add_dish(self) -> None:
        self.dish_mode = "add"
        self.dish_id = 0
        self.dish_name = ""
        self.dish_description = ""
        self.dish_category = "main"
        self.dish_price = ""
        self.dish_tags = []
        self.dish_options = []
        self.dish_sort = "0"
        self.error = ""

    @rx.event
    async def open_edit_dish(self, item_id: int) -> None:
        cafe_id = as_int(self.cafe_id)

        async def work(session: AsyncSession, actor: int) -> None:
            item = await catalogue.get_item(session, cafe_id, item_id)
            self.dish_mode = "edit"
            self.dish_id = item.id
            self.dish_name = item.name
            self.dish_description = item.description
            self.dish_category = item.category.value
            self.dish_price = "" if item.price is None else str(item.price)
            self.dish_tags = [tag.value for tag in item.tags]
            self.dish_options = [
                OptionRow(name=o.name, choices=", ".join(o.values), required=o.is_required) for o in item.options
            ]
            self.dish_sort = str(item.sort_order)

        await self._act(work)

    @rx.event
    def close_dish(self) -> None:
        self._close_form("dish_mode")

    set_dish_name = text_setter("dish_name", 200)
    set_dish_description = text_setter("dish_description", 2000)
    set_dish_category = text_setter("dish_category", 16)
    set_dish_price = text_setter("dish_price", 20)
    set_dish_sort = text_setter("dish_sort", 10)

    @rx.event
    def toggle_dish_tag(self, tag: str) -> None:
        if tag not in TAGS:
            return
        self.dish_tags = [t_ for t_ in self.dish_tags if t_ != tag] if tag in self.dish_tags else [*self.dish_tags, tag]

    @rx.event
    def add_option(self) -> None:
        if len(self.dish_options) < catalogue.MAX_OPTIONS_PER_DISH:
            self.dish_options = [*self.dish_options, OptionRow()]

    @rx.event
    def remove_option(self, index: int) -> None:
        if is_index(index, self.dish_options):
            self.dish_options = [o for i, o in enumerate(self.dish_options) if i != index]

    @rx.event
    def set_option_name(self, index: int, value: str) -> None:
        self._change_item("dish_options", index, name=str(value)[:100])

    @rx.event
    def set_option_values(self, index: int, value: str) -> None:
        self._change_item("dish_options", index, choices=str(value)[:1000])

    @rx.event
    def set_option_required(self, index: int, value: bool) -> None:
        self._change_item("dish_options", index, required=bool(value))

    @rx.event
    async def save_dish(self) -> None:
        item_id, cafe_id = self.dish_id, as_int(self.cafe_id)
        price = self.dish_price.strip().replace(",", ".")
        data = {
            "name": self.dish_name,
            "description": self.dish_description,
            "category": self.dish_category,
            "price": price or None,
            "tags": list(self.dish_tags),
            "options": [
                {
                    "name": option.name,
                    "values": [value.strip() for value in option.choices.split(",") if value.strip()],
                    "is_required": option.required,
                }
                for option in self.dish_options
            ],
            "sort_order": as_int(self.dish_sort or "0"),
        }
        await self._save_form(
            "dish_mode",
            add=lambda session, actor: catalogue.create_item(session, actor_tgid=actor, cafe_id=cafe_id, data=data),
            edit=lambda session, actor: catalogue.update_item(
                session, actor_tgid=actor, cafe_id=cafe_id, item_id=item_id, data=data
            ),
        )

    @rx.event
    async def set_dish_available(self, item_id: int, available: bool) -> None:
        cafe_id = as_int(self.cafe_id)
        await self._act_and_reload(
            lambda session, actor: catalogue.set_item_available(
                session, actor_tgid=actor, cafe_id=cafe_id, item_id=item_id, available=available
            ),
            done="dash.saved",
        )

    # combo form -------------------------------------------------------------------

    @rx.event
    def open_add_combo(self) -> None:
        self.combo_mode = "add"
        self.combo_id = 0
        self.combo_name = ""
        self.combo_price = ""
        self.combo_categories = []
        self.error = ""

    @rx.event
    async def open_edit_combo(self, combo_id: int) -> None:
        cafe_id = as_int(self.cafe_id)

        async def work(session: AsyncSession, actor: int) -> None:
            combo = await catalogue.get_combo(session, cafe_id, combo_id)
            self.combo_mode = "edit"
            self.combo_id = combo.id
            self.combo_name = combo.name
            self.combo_price = str(combo.price)
            self.combo_categories = [c.value for c in combo.categories]

        await self._act(work)

    @rx.event
    def close_combo(self) -> None:
        self._close_form("combo_mode")

    set_combo_name = text_setter("combo_name", 200)
    set_combo_price = text_setter("combo_price", 20)

    @rx.event
    def toggle_combo_category(self, category: str) -> None:
        if category not in COMBO_CATEGORIES:
            return
        chosen = [c for c in self.combo_categories if c != category]
        if category not in self.combo_categories:
            chosen.append(category)
        self.combo_categories = [c for c in COMBO_CATEGORIES if c in chosen]

    @rx.event
    async def save_combo(self) -> None:
        combo_id, cafe_id = self.combo_id, as_int(self.cafe_id)
        data = {
            "name": self.combo_name,
            "price": self.combo_price.strip().replace(",", ".") or None,
            "categories": list(self.combo_categories),
        }
        await self._save_form(
            "combo_mode",
            add=lambda session, actor: catalogue.create_combo(session, actor_tgid=actor, cafe_id=cafe_id, data=data),
            edit=lambda session, actor: catalogue.update_combo(
                session, actor_tgid=actor, cafe_id=cafe_id, combo_id=combo_id, data=data
            ),
        )

    @rx.event
    async def set_combo_available(self, combo_id: int, available: bool) -> None:
        cafe_id = as_int(self.cafe_id)
        await self._act_and_reload(
            lambda session, actor: catalogue.set_combo_available(
                session, actor_tgid=actor, cafe_id=cafe_id, combo_id=combo_id, available=available
            ),
            done="dash.saved",
        )

    # delete -----------------------------------------------------------------------

    async def _confirmed(self, action: str, target: int) -> None:
        """Deleted, or turned off when past orders name it: the notice says which."""
        cafe_id = as_int(self.cafe_id)
        outcome: list[catalogue.DeleteOutcome] = []

        async def work(session: AsyncSession, actor: int) -> None:
            if action == "delete_dish":
                result = await catalogue.delete_item(session, actor_tgid=actor, cafe_id=cafe_id, item_id=target)
            else:
                result = await catalogue.delete_combo(session, actor_tgid=actor, cafe_id=cafe_id, combo_id=target)
            outcome.append(result)

        if await self._act(work):
            if outcome:
                self.notice = self._t(f"dash.menu.outcome.{outcome[0].value}")
            await self._reload()
