"""The Orders tab: every order of a day by cafe, person and status, a page at a time; the manager's order editor
(everything the employee's cart can change) and cancelling after a question."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import catalogue, manager_views, orders
from lunch_app.i18n import format_money, format_order_lines, t
from lunch_app.models import OrderStatus
from lunch_app.states.manager.formats import date_text, with_office
from lunch_app.states.manager.inputs import Choice, as_int, cafe_choices, is_index, text_setter
from lunch_app.states.manager.root import PAGE_SIZE, Confirm, Dashboard, Paged, Tab


@dataclasses.dataclass
class OrderCard:
    id: int = 0
    number: str = ""
    person: str = ""
    cafe: str = ""
    date: str = ""
    status: str = ""
    status_text: str = ""
    lines: list[str] = dataclasses.field(default_factory=list)
    notes: str = ""
    total: str = ""
    active: bool = False


@dataclasses.dataclass
class OptionPick:
    """One option of a dish in the order editor: its allowed values and the chosen one ("" = none)."""

    name: str = ""
    allowed: list[str] = dataclasses.field(default_factory=list)
    required: bool = False
    chosen: str = ""


@dataclasses.dataclass
class EditLine:
    index: int = 0
    name: str = ""
    quantity: str = "1"
    menu_item_id: int = 0
    picks: list[OptionPick] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ComboSlot:
    """One category of the chosen combo: the dish picked for it (its id as text, "" = none) and its options."""

    index: int = 0
    category: str = ""
    label: str = ""
    dish: str = ""
    choices: list[Choice] = dataclasses.field(default_factory=list)
    picks: list[OptionPick] = dataclasses.field(default_factory=list)


def _picks(options: list[list[Any]], chosen: dict[str, Any]) -> list[OptionPick]:
    """The editor's option pickers from a dish's options [[name, values, required]] and the chosen values."""
    picks = []
    for name, values, required in options:
        value = str(chosen.get(name) or "")
        picks.append(
            OptionPick(
                name=name, allowed=list(values), required=bool(required), chosen=value if value in values else ""
            )
        )
    return picks


def _kept_picks(chosen: dict[str, Any]) -> list[OptionPick]:
    """Pickers for a dish no longer on the menu: only the values the order already has."""
    return [OptionPick(name=str(name), allowed=[str(value)], chosen=str(value)) for name, value in chosen.items()]


def _saved_line(line: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
    """A line as the order stores it: the dish's id, its name and the chosen options."""
    return int(line.get("menu_item_id") or 0), str(line.get("name", "")), dict(line.get("options") or {})


def _chosen(picks: list[OptionPick]) -> dict[str, str]:
    return {pick.name: pick.chosen for pick in picks if pick.chosen}


def _with_pick(picks: list[OptionPick], pick: int, value: str) -> list[OptionPick] | None:
    """The pickers with option `pick` set to `value` (one of its values, or "" for none); None if invalid."""
    if not is_index(pick, picks) or (value != "" and value not in picks[pick].allowed):
        return None
    changed = list(picks)
    changed[pick] = dataclasses.replace(changed[pick], chosen=value)
    return changed


class OrdersTab(Tab, Confirm, Paged, Dashboard):
    TAB: ClassVar[str] = "orders"
    ACTIONS: ClassVar[tuple[str, ...]] = ("cancel",)

    f_day: str = ""
    f_cafe: str = ""
    f_person: str = ""
    f_status: str = ""
    rows: list[OrderCard] = []
    cafes: list[Choice] = []
    # the edit dialog
    edit_id: int = 0
    edit_title: str = ""
    edit_combo_id: str = ""  # "" = no combo
    edit_combo_choices: list[Choice] = []
    edit_slots: list[ComboSlot] = []
    edit_lines: list[EditLine] = []
    edit_notes: str = ""
    edit_choices: list[Choice] = []  # dishes that can be added: priced and available
    edit_pick: str = ""
    # The cafe's available menu while the editor is open (server only): dishes by id
    # {name, category, priced, options: [[name, values, required]]} and combos by id [categories].
    _edit_dishes: dict[int, dict[str, Any]] = {}
    _edit_combos: dict[int, list[str]] = {}

    @rx.event
    async def load(self) -> None:
        if not self.f_day:
            self.f_day = self._today().isoformat()
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        page = await manager_views.list_orders(
            session,
            actor_tgid=actor,
            day=self.f_day or None,
            cafe_id=as_int(self.f_cafe) if self.f_cafe else None,
            person=self.f_person or None,
            status=self.f_status or None,
            offset=self._offset(),
            limit=PAGE_SIZE,
        )
        self.total = page.total
        self.rows = [
            OrderCard(
                id=row.id,
                number=f"#{row.id}",
                person=with_office(row.user_name, row.office),
                cafe=row.cafe_name,
                date=date_text(row.order_date, lang),
                status=row.status.value,
                status_text=t(f"order_status.{row.status.value}", lang),
                lines=format_order_lines(row.combo_name, row.combo_price, row.lines, lang),
                notes=row.notes,
                total=format_money(row.total, lang),
                active=row.status != OrderStatus.cancelled,
            )
            for row in page.items
        ]
        self.cafes = await cafe_choices(session)

    @rx.event
    async def set_f_day(self, value: str) -> None:
        self.f_day = str(value)[:10]
        await self._first_page()

    @rx.event
    async def set_f_cafe(self, value: str) -> None:
        self.f_cafe = "" if value == "all" else str(value)[:12]
        await self._first_page()

    @rx.event
    async def set_f_person(self, value: str) -> None:
        self.f_person = str(value)[:100]
        await self._first_page()

    @rx.event
    async def set_f_status(self, value: str) -> None:
        self.f_status = "" if value == "all" else str(value)[:16]
        await self._first_page()

    @rx.event
    async def start_edit(self, order_id: int) -> None:
        lang = self.lang

        async def work(session: AsyncSession, actor: int) -> None:
            row = await manager_views.get_order_row(session, actor_tgid=actor, order_id=order_id)
            menu = await catalogue.get_menu(session, row.cafe_id, available_only=True)
            dishes: dict[int, dict[str, Any]] = {
                item.id: {
                    "name": item.name,
                    "category": item.category.value,
                    "priced": item.price is not None,
                    "options": [[option.name, list(option.values), option.is_required] for option in item.options],
                }
                for item in menu.items()
            }
            combos = {combo.id: [category.value for category in combo.categories] for combo in menu.combos}
            self.edit_combo_choices = [
                Choice(value=str(combo.id), label=f"{combo.name} · {format_money(combo.price, lang)}")
                for combo in menu.combos
            ]
            combo_lines = [line for line in row.lines if line.get("kind") == "combo_dish"]
            if row.combo_id is not None and row.combo_id not in combos:
                # No longer offered: still shown, so the manager sees it; the domain decides whether it can stay.
                combos[row.combo_id] = [str(line.get("category", "")) for line in combo_lines]
                self.edit_combo_choices = [
                    *self.edit_combo_choices,
                    Choice(value=str(row.combo_id), label=row.combo_name or f"#{row.combo_id}"),
                ]
            self._edit_dishes = dishes
            self._edit_combos = combos
            self.edit_id = row.id
            self.edit_title = t("dash.orders.edit_title", lang, number=row.id, name=row.user_name)
            self.edit_combo_id = str(row.combo_id) if row.combo_id is not None else ""
            self.edit_slots = (
                self._combo_slots(
                    row.combo_id, {str(line.get("category", "")): _saved_line(line) for line in combo_lines}
                )
                if row.combo_id is not None
                else []
            )
            items = [line for line in row.lines if line.get("kind") != "combo_dish"]
            self.edit_lines = [
                self._edit_line(index, str(line.get("quantity", 1)), *_saved_line(line))
                for index, line in enumerate(items)
            ]
            self.edit_notes = row.notes
            self.edit_choices = [
                Choice(value=str(item.id), label=f"{item.name} · {format_money(item.price, lang)}")
                for item in menu.items()
                if item.price is not None
            ]
            self.edit_pick = self.edit_choices[0].value if self.edit_choices else ""

        await self._act(work)

    def _dish_picks(self, item_id: int, chosen: dict[str, Any]) -> list[OptionPick]:
        dish = self._edit_dishes.get(item_id)
        return _picks(dish["options"], chosen) if dish is not None else _kept_picks(chosen)

    def _edit_line(self, index: int, quantity: str, item_id: int, name: str, chosen: dict[str, Any]) -> EditLine:
        picks = self._dish_picks(item_id, chosen)
        return EditLine(index=index, name=name, quantity=quantity, menu_item_id=item_id, picks=picks)

    def _combo_slots(self, combo_id: int, chosen: dict[str, tuple[int, str, dict[str, Any]]]) -> list[ComboSlot]:
        """One slot per category of the combo; `chosen` = {category: (dish id, name, options)} preselects."""
        slots = []
        for index, category in enumerate(self._edit_combos.get(combo_id, [])):
            choices = [
                Choice(value=str(item_id), label=dish["name"])
                for item_id, dish in self._edit_dishes.items()
                if dish["category"] == category
            ]
            item_id, name, options = chosen.get(category, (0, "", {}))
            if item_id and item_id not in self._edit_dishes:  # no longer on the menu: kept visible, the domain decides
                choices.append(Choice(value=str(item_id), label=name))
            slots.append(
                ComboSlot(
                    index=index,
                    category=category,
                    label=t(f"category_one.{category}", self.lang),
                    dish=str(item_id) if item_id else "",
                    choices=choices,
                    picks=self._dish_picks(item_id, options) if item_id else [],
                )
            )
        return slots

    @rx.event
    def set_edit_combo(self, value: str) -> None:
        """Choose another combo (or none): one empty slot per category of the new combo."""
        combo_id = as_int(str(value)[:12])
        if isinstance(combo_id, int) and combo_id in self._edit_combos:
            self.edit_combo_id = str(combo_id)
            self.edit_slots = self._combo_slots(combo_id, {})
        else:
            self.edit_combo_id = ""
            self.edit_slots = []

    @rx.event
    def set_slot_dish(self, index: int, value: str) -> None:
        if not is_index(index, self.edit_slots):
            return
        item_id = as_int(str(value)[:12])
        dish = self._edit_dishes.get(item_id) if isinstance(item_id, int) else None
        if dish is None or dish["category"] != self.edit_slots[index].category:
            self._change_item("edit_slots", index, dish="", picks=[])
        else:
            self._change_item("edit_slots", index, dish=str(item_id), picks=_picks(dish["options"], {}))

    def _choose(self, var: str, index: object, pick: int, value: str) -> None:
        """Option `pick` of the slot or line `index` (of the list var `var`) set to `value`, if that is allowed."""
        items = getattr(self, var)
        if is_index(index, items):
            picks = _with_pick(items[index].picks, pick, value)
            if picks is not None:
                self._change_item(var, index, picks=picks)

    @rx.event
    def set_slot_option(self, index: int, pick: int, value: str) -> None:
        self._choose("edit_slots", index, pick, value)

    @rx.event
    def set_line_option(self, index: int, pick: int, value: str) -> None:
        self._choose("edit_lines", index, pick, value)

    @rx.event
    def set_edit_quantity(self, index: int, value: str) -> None:
        self._change_item("edit_lines", index, quantity=str(value)[:4])

    set_edit_pick = text_setter("edit_pick", 12)

    @rx.event
    def add_edit_line(self) -> None:
        """Adds the picked dish (from the menu loaded with the order) as a new line of one portion; its options,
        required ones included, are chosen in the line."""
        item_id = as_int(self.edit_pick)
        dish = self._edit_dishes.get(item_id) if isinstance(item_id, int) else None
        if dish is None or not dish["priced"] or len(self.edit_lines) >= orders.MAX_LINES:
            return
        self.edit_lines = [*self.edit_lines, self._edit_line(len(self.edit_lines), "1", item_id, dish["name"], {})]

    set_edit_notes = text_setter("edit_notes", orders.MAX_NOTES)

    @rx.event
    def close_edit(self) -> None:
        self.edit_id = 0
        self.error = ""

    @rx.event
    async def save_edit(self) -> None:
        """The edited order as a draft for `orders.update_order`, which checks and prices everything."""
        order_id = self.edit_id
        items = [(line.menu_item_id, as_int(line.quantity), _chosen(line.picks)) for line in self.edit_lines]
        combo = (
            (as_int(self.edit_combo_id), [(as_int(slot.dish), _chosen(slot.picks)) for slot in self.edit_slots])
            if self.edit_combo_id
            else None
        )
        notes = self.edit_notes

        async def work(session: AsyncSession, actor: int) -> None:
            row = await manager_views.get_order_row(session, actor_tgid=actor, order_id=order_id)
            draft = manager_views.edited_draft(row, items=items, notes=notes, combo=combo)
            await orders.update_order(session, actor_tgid=actor, order_id=order_id, draft=draft)

        if await self._act_and_reload(work, done="dash.orders.saved"):
            self.edit_id = 0

    async def _confirmed(self, action: str, target: int) -> None:
        await self._act_and_reload(
            lambda session, actor: orders.cancel_order(session, actor_tgid=actor, order_id=target),
            done="dash.orders.cancelled",
        )
