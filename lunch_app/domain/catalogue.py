"""Cafes, dishes with options, and combos (SPEC §3, §6 "Cafes" and "Menu").

Reads return typed, immutable views; manager actions check the role, validate untrusted input with
pydantic (strict types, bounds, lengths), and write an audit entry. A dish that past orders refer to is
disabled instead of deleted, so the order history keeps making sense.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StringConstraints,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.domain import audit
from lunch_app.domain.errors import InvalidInput, NotFound
from lunch_app.domain.users import require_manager
from lunch_app.domain.validation import NoControlChars, parse
from lunch_app.models import Cafe, Category, Combo, MenuItem, MenuItemOption, Order, Tag

CENT = Decimal("0.01")
MAX_PRICE = Decimal("100000")
MAX_OPTIONS_PER_DISH = 10
MAX_OPTION_VALUES = 20
MAX_NAME = 100
MAX_DESCRIPTION = 1000
MAX_OPTION_TEXT = 50  # an option's name and each of its values
MAX_SORT_ORDER = 1_000_000
# Identifiers are INTEGER columns: anything outside that range cannot exist.
_MAX_ID = 2**31 - 1

CATEGORY_ORDER: tuple[Category, ...] = tuple(Category)
COMBO_CATEGORIES: tuple[Category, ...] = tuple(c for c in Category if c is not Category.extra)


# --------------------------------------------------------------------------------------------- input


def _to_money(value: Any) -> Any:
    """Prices arrive as Decimal, int, a JS number or a string; bools and junk are refused."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("not a price")
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("not a price") from None
    raise ValueError("not a price")


def _check_money(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE or value != value.quantize(CENT):
        raise ValueError("price out of range or with more than 2 decimals")
    return value.quantize(CENT)


Money = Annotated[Decimal, BeforeValidator(_to_money), AfterValidator(_check_money)]

Name = Annotated[
    str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_NAME)
]
Description = Annotated[
    str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, max_length=MAX_DESCRIPTION)
]
OptionName = Annotated[
    str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_OPTION_TEXT)
]
# Enum members by value ("soup") from the UI: lax for the enum itself, strict everywhere else.
LaxCategory = Annotated[Category, Strict(False)]
LaxTag = Annotated[Tag, Strict(False)]
OptionValue = Annotated[
    str, NoControlChars, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_OPTION_TEXT)
]


class _Input(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class CafeInput(_Input):
    name: Name
    description: Description = ""
    is_active: StrictBool = True
    notifications_enabled: StrictBool = True


class OptionInput(_Input):
    name: OptionName
    values: list[OptionValue] = Field(min_length=1, max_length=MAX_OPTION_VALUES)
    is_required: StrictBool = False


class ItemInput(_Input):
    name: Name
    description: Description = ""
    category: LaxCategory
    price: Money | None = None
    tags: list[LaxTag] = Field(default_factory=list, max_length=len(Tag))
    options: list[OptionInput] = Field(default_factory=list, max_length=MAX_OPTIONS_PER_DISH)
    is_available: StrictBool = True
    sort_order: StrictInt = Field(default=0, ge=-MAX_SORT_ORDER, le=MAX_SORT_ORDER)


class ComboInput(_Input):
    name: Name
    categories: list[LaxCategory] = Field(min_length=1, max_length=len(Category))
    price: Money
    is_available: StrictBool = True


_CAFE_KEYS = {
    "name": "error.cafe.bad_name",
    "description": "error.cafe.bad_description",
    "is_active": "error.catalogue.bad_flag",
    "notifications_enabled": "error.catalogue.bad_flag",
}
_ITEM_KEYS = {
    "name": "error.menu.bad_name",
    "description": "error.menu.bad_description",
    "category": "error.menu.bad_category",
    "price": "error.menu.bad_price",
    "tags": "error.menu.bad_tags",
    "options": "error.menu.bad_options",
    "options.name": "error.menu.option.bad_name",
    "options.values": "error.menu.option.bad_values",
    "options.is_required": "error.catalogue.bad_flag",
    "is_available": "error.catalogue.bad_flag",
    "sort_order": "error.menu.bad_sort_order",
}
_COMBO_KEYS = {
    "name": "error.combo.bad_name",
    "categories": "error.combo.bad_categories",
    "price": "error.combo.bad_price",
    "is_available": "error.catalogue.bad_flag",
}

M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], data: Any, keys: Mapping[str, str]) -> M:
    """`validation.parse` with a specific, translated key for each known field."""
    try:
        parsed = parse(model, data)
    except InvalidInput as exc:
        field = str(exc.params.get("field", ""))
        key = keys.get(field)
        if key is None:
            raise
        raise InvalidInput(key, field=field, details=field) from None
    return parsed


def _as_mapping(data: Any) -> dict[str, Any]:
    if isinstance(data, BaseModel):
        return data.model_dump(exclude_unset=True)
    if not isinstance(data, Mapping):
        raise InvalidInput("error.invalid_input", details="input", field="input")
    return dict(data)


def _require_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("error.catalogue.bad_flag", field=field, details=field)
    return value


def _require_id(value: Any, field: str, not_found_key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("error.catalogue.bad_id", field=field, details=field)
    if not 0 < value <= _MAX_ID:
        raise NotFound(not_found_key)
    return value


def _check_item_rules(item: ItemInput) -> None:
    if len(set(item.tags)) != len(item.tags):
        raise InvalidInput("error.menu.bad_tags", field="tags", details="tags")
    seen: set[str] = set()
    for option in item.options:
        folded = option.name.casefold()
        if folded in seen:
            raise InvalidInput("error.menu.option.duplicate_name", field="options.name", name=option.name)
        seen.add(folded)
        if len(set(option.values)) != len(option.values):
            raise InvalidInput("error.menu.option.duplicate_value", field="options.values", name=option.name)


def _check_combo_rules(combo: ComboInput) -> None:
    if Category.extra in combo.categories:
        raise InvalidInput("error.combo.extra_category", field="categories")
    if len(set(combo.categories)) != len(combo.categories):
        raise InvalidInput("error.combo.duplicate_category", field="categories")


# ---------------------------------------------------------------------------------------- read models


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class _View:
    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: money as strings, enums as values, datetimes as ISO strings."""
        result = _plain(self)
        assert isinstance(result, dict)
        return result


@dataclass(frozen=True, slots=True)
class CafeView(_View):
    id: int
    name: str
    description: str
    is_active: bool
    notifications_enabled: bool
    tg_chat_id: int | None
    tg_chat_title: str | None
    linked_at: datetime | None
    created_at: datetime

    @property
    def is_linked(self) -> bool:
        return self.tg_chat_id is not None


@dataclass(frozen=True, slots=True)
class OptionView(_View):
    id: int
    name: str
    values: tuple[str, ...]
    is_required: bool


@dataclass(frozen=True, slots=True)
class MenuItemView(_View):
    id: int
    cafe_id: int
    name: str
    description: str
    category: Category
    price: Decimal | None  # None: only inside a combo
    is_available: bool
    tags: tuple[Tag, ...]
    sort_order: int
    options: tuple[OptionView, ...]

    @property
    def sold_alone(self) -> bool:
        return self.price is not None


@dataclass(frozen=True, slots=True)
class ComboView(_View):
    id: int
    cafe_id: int
    name: str
    categories: tuple[Category, ...]
    price: Decimal
    is_available: bool


@dataclass(frozen=True, slots=True)
class MenuSection(_View):
    category: Category
    items: tuple[MenuItemView, ...]


@dataclass(frozen=True, slots=True)
class MenuView(_View):
    cafe_id: int
    sections: tuple[MenuSection, ...]  # fixed category order, empty categories left out
    combos: tuple[ComboView, ...]

    def items(self) -> list[MenuItemView]:
        return [item for section in self.sections for item in section.items]

    def item(self, item_id: int) -> MenuItemView | None:
        return next((item for item in self.items() if item.id == item_id), None)


class DeleteOutcome(enum.StrEnum):
    deleted = "deleted"
    disabled = "disabled"  # used by past orders: kept, but no longer offered


def _cafe_view(cafe: Cafe) -> CafeView:
    assert cafe.id is not None
    return CafeView(
        id=cafe.id,
        name=cafe.name,
        description=cafe.description,
        is_active=cafe.is_active,
        notifications_enabled=cafe.notifications_enabled,
        tg_chat_id=cafe.tg_chat_id,
        tg_chat_title=cafe.tg_chat_title,
        linked_at=cafe.linked_at,
        created_at=cafe.created_at,
    )


def _option_view(option: MenuItemOption) -> OptionView:
    assert option.id is not None
    return OptionView(id=option.id, name=option.name, values=tuple(option.values), is_required=option.is_required)


def _item_view(item: MenuItem, options: Sequence[MenuItemOption]) -> MenuItemView:
    assert item.id is not None
    return MenuItemView(
        id=item.id,
        cafe_id=item.cafe_id,
        name=item.name,
        description=item.description,
        category=Category(item.category),
        price=None if item.price is None else Decimal(item.price).quantize(CENT),
        is_available=item.is_available,
        tags=tuple(Tag(tag) for tag in item.tags if tag in Tag.__members__),
        sort_order=item.sort_order,
        options=tuple(_option_view(o) for o in options),
    )


def _combo_view(combo: Combo) -> ComboView:
    assert combo.id is not None
    return ComboView(
        id=combo.id,
        cafe_id=combo.cafe_id,
        name=combo.name,
        categories=tuple(Category(c) for c in combo.categories),
        price=Decimal(combo.price).quantize(CENT),
        is_available=combo.is_available,
    )


# ---------------------------------------------------------------------------------------------- loads


async def _load_cafe(session: AsyncSession, cafe_id: Any, *, for_update: bool = False) -> Cafe:
    cafe_id = _require_id(cafe_id, "cafe_id", "error.cafe.not_found")
    cafe = await session.get(Cafe, cafe_id, with_for_update=for_update)
    if cafe is None:
        raise NotFound("error.cafe.not_found")
    return cafe


async def _load_item(session: AsyncSession, cafe_id: Any, item_id: Any) -> MenuItem:
    cafe = await _load_cafe(session, cafe_id)
    item_id = _require_id(item_id, "item_id", "error.menu.item_not_found")
    item = await session.get(MenuItem, item_id, with_for_update=True)
    if item is None or item.cafe_id != cafe.id:
        raise NotFound("error.menu.item_not_found")
    return item


async def _load_combo(session: AsyncSession, cafe_id: Any, combo_id: Any) -> Combo:
    cafe = await _load_cafe(session, cafe_id)
    combo_id = _require_id(combo_id, "combo_id", "error.combo.not_found")
    combo = await session.get(Combo, combo_id, with_for_update=True)
    if combo is None or combo.cafe_id != cafe.id:
        raise NotFound("error.combo.not_found")
    return combo


async def _options_of(session: AsyncSession, item_ids: Sequence[int]) -> dict[int, list[MenuItemOption]]:
    result: dict[int, list[MenuItemOption]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return result
    rows = await session.execute(
        sa.select(MenuItemOption).where(col(MenuItemOption.menu_item_id).in_(item_ids)).order_by(col(MenuItemOption.id))
    )
    for option in rows.scalars():
        result[option.menu_item_id].append(option)
    return result


async def _item_with_options(session: AsyncSession, item: MenuItem) -> MenuItemView:
    assert item.id is not None
    options = await _options_of(session, [item.id])
    return _item_view(item, options[item.id])


# ---------------------------------------------------------------------------------------------- cafes


async def list_cafes(session: AsyncSession, *, active_only: bool = False) -> list[CafeView]:
    query = sa.select(Cafe).order_by(sa.func.lower(col(Cafe.name)), col(Cafe.id))
    if active_only:
        query = query.where(col(Cafe.is_active).is_(True))
    return [_cafe_view(cafe) for cafe in (await session.execute(query)).scalars()]


async def get_cafe(session: AsyncSession, cafe_id: int) -> CafeView:
    return _cafe_view(await _load_cafe(session, cafe_id))


async def create_cafe(session: AsyncSession, *, actor_tgid: int, data: Any) -> CafeView:
    await require_manager(session, actor_tgid)
    parsed = _parse(CafeInput, data, _CAFE_KEYS)
    cafe = Cafe(**parsed.model_dump())
    session.add(cafe)
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="cafe.create",
        entity="cafe",
        entity_id=cafe.id,
        details=parsed.model_dump(),
    )
    return _cafe_view(cafe)


async def update_cafe(session: AsyncSession, *, actor_tgid: int, cafe_id: int, data: Any) -> CafeView:
    """Change any of name, description, is_active, notifications_enabled; fields left out stay as they are."""
    await require_manager(session, actor_tgid)
    cafe = await _load_cafe(session, cafe_id, for_update=True)
    current = {
        "name": cafe.name,
        "description": cafe.description,
        "is_active": cafe.is_active,
        "notifications_enabled": cafe.notifications_enabled,
    }
    parsed = _parse(CafeInput, {**current, **_as_mapping(data)}, _CAFE_KEYS)
    changes = {k: v for k, v in parsed.model_dump().items() if current[k] != v}
    for key, value in changes.items():
        setattr(cafe, key, value)
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="cafe.update",
        entity="cafe",
        entity_id=cafe.id,
        details={"changes": changes},
    )
    return _cafe_view(cafe)


async def set_cafe_active(session: AsyncSession, *, actor_tgid: int, cafe_id: int, active: bool) -> CafeView:
    await require_manager(session, actor_tgid)
    active = _require_bool(active, "active")
    cafe = await _load_cafe(session, cafe_id, for_update=True)
    cafe.is_active = active
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="cafe.activate" if active else "cafe.deactivate",
        entity="cafe",
        entity_id=cafe.id,
    )
    return _cafe_view(cafe)


async def set_notifications(session: AsyncSession, *, actor_tgid: int, cafe_id: int, enabled: bool) -> CafeView:
    await require_manager(session, actor_tgid)
    enabled = _require_bool(enabled, "enabled")
    cafe = await _load_cafe(session, cafe_id, for_update=True)
    cafe.notifications_enabled = enabled
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="cafe.notifications_on" if enabled else "cafe.notifications_off",
        entity="cafe",
        entity_id=cafe.id,
    )
    return _cafe_view(cafe)


async def unlink_cafe(session: AsyncSession, *, actor_tgid: int, cafe_id: int) -> CafeView:
    """Forget the cafe's Telegram chat; digests stop until a new chat is linked."""
    await require_manager(session, actor_tgid)
    cafe = await _load_cafe(session, cafe_id, for_update=True)
    before = {"tg_chat_id": cafe.tg_chat_id, "tg_chat_title": cafe.tg_chat_title}
    cafe.tg_chat_id = None
    cafe.tg_chat_title = None
    cafe.linked_at = None
    await session.flush()
    audit.record(session, actor_tgid=actor_tgid, action="cafe.unlink", entity="cafe", entity_id=cafe.id, details=before)
    return _cafe_view(cafe)


# ----------------------------------------------------------------------------------------------- menu


async def get_menu(session: AsyncSession, cafe_id: int, *, available_only: bool) -> MenuView:
    """Dishes grouped by category in the fixed category order, plus combos.

    With `available_only` (the Mini App) disabled dishes and combos are left out, and so is a combo
    for which some category has no available dish (nobody could complete it).
    """
    cafe = await _load_cafe(session, cafe_id)
    assert cafe.id is not None
    item_query = sa.select(MenuItem).where(col(MenuItem.cafe_id) == cafe.id)
    combo_query = sa.select(Combo).where(col(Combo.cafe_id) == cafe.id)
    if available_only:
        item_query = item_query.where(col(MenuItem.is_available).is_(True))
        combo_query = combo_query.where(col(Combo.is_available).is_(True))
    items = list(
        (
            await session.execute(
                item_query.order_by(col(MenuItem.sort_order), sa.func.lower(col(MenuItem.name)), col(MenuItem.id))
            )
        ).scalars()
    )
    combos = list(
        (await session.execute(combo_query.order_by(col(Combo.price), col(Combo.name), col(Combo.id)))).scalars()
    )
    options = await _options_of(session, [item.id for item in items if item.id is not None])
    views = [_item_view(item, options[item.id]) for item in items if item.id is not None]
    sections = tuple(
        MenuSection(category=category, items=tuple(v for v in views if v.category is category))
        for category in CATEGORY_ORDER
        if any(v.category is category for v in views)
    )
    combo_views = [_combo_view(combo) for combo in combos]
    if available_only:
        present = {v.category for v in views}
        combo_views = [c for c in combo_views if all(cat in present for cat in c.categories)]
    return MenuView(cafe_id=cafe.id, sections=sections, combos=tuple(combo_views))


async def get_item(session: AsyncSession, cafe_id: int, item_id: int) -> MenuItemView:
    item = await _load_item(session, cafe_id, item_id)
    return await _item_with_options(session, item)


def _new_options(item_id: int, options: Sequence[OptionInput]) -> list[MenuItemOption]:
    return [
        MenuItemOption(menu_item_id=item_id, name=o.name, values=list(o.values), is_required=o.is_required)
        for o in options
    ]


def _item_details(parsed: ItemInput) -> dict[str, Any]:
    return parsed.model_dump(mode="json")


async def create_item(session: AsyncSession, *, actor_tgid: int, cafe_id: int, data: Any) -> MenuItemView:
    """A new dish: name, description, category, price (None = only in combos), tags, options, ..."""
    await require_manager(session, actor_tgid)
    cafe = await _load_cafe(session, cafe_id)
    parsed = _parse(ItemInput, data, _ITEM_KEYS)
    _check_item_rules(parsed)
    assert cafe.id is not None
    item = MenuItem(
        cafe_id=cafe.id,
        name=parsed.name,
        description=parsed.description,
        category=parsed.category,
        price=parsed.price,
        is_available=parsed.is_available,
        tags=[tag.value for tag in parsed.tags],
        sort_order=parsed.sort_order,
    )
    session.add(item)
    await session.flush()
    assert item.id is not None
    session.add_all(_new_options(item.id, parsed.options))
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="menu_item.create",
        entity="menu_item",
        entity_id=item.id,
        details={"cafe_id": cafe.id, **_item_details(parsed)},
    )
    return await _item_with_options(session, item)


async def update_item(session: AsyncSession, *, actor_tgid: int, cafe_id: int, item_id: int, data: Any) -> MenuItemView:
    """Change a dish; fields left out stay as they are. A given `options` list replaces all options."""
    await require_manager(session, actor_tgid)
    item = await _load_item(session, cafe_id, item_id)
    assert item.id is not None
    current_options = (await _options_of(session, [item.id]))[item.id]
    current = {
        "name": item.name,
        "description": item.description,
        "category": item.category,
        "price": item.price,
        "tags": list(item.tags),
        "options": [{"name": o.name, "values": list(o.values), "is_required": o.is_required} for o in current_options],
        "is_available": item.is_available,
        "sort_order": item.sort_order,
    }
    changes_in = _as_mapping(data)
    parsed = _parse(ItemInput, {**current, **changes_in}, _ITEM_KEYS)
    _check_item_rules(parsed)
    item.name = parsed.name
    item.description = parsed.description
    item.category = parsed.category
    item.price = parsed.price
    item.tags = [tag.value for tag in parsed.tags]
    item.is_available = parsed.is_available
    item.sort_order = parsed.sort_order
    if "options" in changes_in:
        await session.execute(sa.delete(MenuItemOption).where(col(MenuItemOption.menu_item_id) == item.id))
        session.add_all(_new_options(item.id, parsed.options))
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="menu_item.update",
        entity="menu_item",
        entity_id=item.id,
        details={"cafe_id": item.cafe_id, "fields": sorted(changes_in), **_item_details(parsed)},
    )
    return await _item_with_options(session, item)


async def set_item_available(
    session: AsyncSession, *, actor_tgid: int, cafe_id: int, item_id: int, available: bool
) -> MenuItemView:
    await require_manager(session, actor_tgid)
    available = _require_bool(available, "available")
    item = await _load_item(session, cafe_id, item_id)
    item.is_available = available
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="menu_item.enable" if available else "menu_item.disable",
        entity="menu_item",
        entity_id=item.id,
        details={"cafe_id": item.cafe_id},
    )
    return await _item_with_options(session, item)


async def item_used_by_orders(session: AsyncSession, *, cafe_id: int, item_id: int) -> bool:
    """Whether any order (of any status) of the cafe has the dish in its line snapshot."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        element = sa.text(
            "EXISTS (SELECT 1 FROM jsonb_array_elements("
            "CASE WHEN jsonb_typeof(orders.lines) = 'array' THEN orders.lines ELSE '[]'::jsonb END) AS line "
            "WHERE line ->> 'menu_item_id' = :item_ref)"
        )
    else:
        element = sa.text(
            "EXISTS (SELECT 1 FROM json_each(orders.lines) AS line "
            "WHERE CAST(json_extract(line.value, '$.menu_item_id') AS TEXT) = :item_ref)"
        )
    query = (
        sa.select(sa.literal(1))
        .select_from(Order)
        .where(col(Order.cafe_id) == cafe_id, element.bindparams(item_ref=str(item_id)))
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def delete_item(session: AsyncSession, *, actor_tgid: int, cafe_id: int, item_id: int) -> DeleteOutcome:
    """Delete a dish with its options, or only disable it when past orders refer to it."""
    await require_manager(session, actor_tgid)
    item = await _load_item(session, cafe_id, item_id)
    assert item.id is not None
    if await item_used_by_orders(session, cafe_id=item.cafe_id, item_id=item.id):
        item.is_available = False
        outcome = DeleteOutcome.disabled
    else:
        await session.delete(item)
        outcome = DeleteOutcome.deleted
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="menu_item.delete",
        entity="menu_item",
        entity_id=item_id,
        details={"cafe_id": cafe_id, "name": item.name, "outcome": outcome.value},
    )
    return outcome


# --------------------------------------------------------------------------------------------- combos


async def get_combo(session: AsyncSession, cafe_id: int, combo_id: int) -> ComboView:
    return _combo_view(await _load_combo(session, cafe_id, combo_id))


async def create_combo(session: AsyncSession, *, actor_tgid: int, cafe_id: int, data: Any) -> ComboView:
    """A combo: name, categories (distinct dish categories, not `extra`), price, is_available."""
    await require_manager(session, actor_tgid)
    cafe = await _load_cafe(session, cafe_id)
    parsed = _parse(ComboInput, data, _COMBO_KEYS)
    _check_combo_rules(parsed)
    assert cafe.id is not None
    combo = Combo(
        cafe_id=cafe.id,
        name=parsed.name,
        categories=[c.value for c in parsed.categories],
        price=parsed.price,
        is_available=parsed.is_available,
    )
    session.add(combo)
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="combo.create",
        entity="combo",
        entity_id=combo.id,
        details={"cafe_id": cafe.id, **parsed.model_dump(mode="json")},
    )
    return _combo_view(combo)


async def update_combo(session: AsyncSession, *, actor_tgid: int, cafe_id: int, combo_id: int, data: Any) -> ComboView:
    """Change a combo; fields left out stay as they are. Existing orders keep their snapshot."""
    await require_manager(session, actor_tgid)
    combo = await _load_combo(session, cafe_id, combo_id)
    current = {
        "name": combo.name,
        "categories": list(combo.categories),
        "price": combo.price,
        "is_available": combo.is_available,
    }
    changes_in = _as_mapping(data)
    parsed = _parse(ComboInput, {**current, **changes_in}, _COMBO_KEYS)
    _check_combo_rules(parsed)
    combo.name = parsed.name
    combo.categories = [c.value for c in parsed.categories]
    combo.price = parsed.price
    combo.is_available = parsed.is_available
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="combo.update",
        entity="combo",
        entity_id=combo.id,
        details={"cafe_id": combo.cafe_id, "fields": sorted(changes_in), **parsed.model_dump(mode="json")},
    )
    return _combo_view(combo)


async def set_combo_available(
    session: AsyncSession, *, actor_tgid: int, cafe_id: int, combo_id: int, available: bool
) -> ComboView:
    await require_manager(session, actor_tgid)
    available = _require_bool(available, "available")
    combo = await _load_combo(session, cafe_id, combo_id)
    combo.is_available = available
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="combo.enable" if available else "combo.disable",
        entity="combo",
        entity_id=combo.id,
        details={"cafe_id": combo.cafe_id},
    )
    return _combo_view(combo)


async def delete_combo(session: AsyncSession, *, actor_tgid: int, cafe_id: int, combo_id: int) -> DeleteOutcome:
    """Always a real delete: orders keep `combo_name`/`combo_price` and their combo_id becomes NULL."""
    await require_manager(session, actor_tgid)
    combo = await _load_combo(session, cafe_id, combo_id)
    name = combo.name
    await session.delete(combo)
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="combo.delete",
        entity="combo",
        entity_id=combo_id,
        details={"cafe_id": cafe_id, "name": name},
    )
    return DeleteOutcome.deleted
