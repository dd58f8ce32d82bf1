"""Cafes, dishes with options, and combos (SPEC §3, §6 "Cafes" and "Menu").

Reads return typed, immutable views; manager actions check the role, validate untrusted input with
pydantic (strict types, bounds, lengths), and write an audit entry. A dish that past orders refer to is
disabled instead of deleted, so the order history keeps making sense.

A cafe serves one or more offices (`office_ids`, never none) and has its own time zone, the zone of its schedule
(see domain/availability.py). A new cafe given no offices serves every active office; given no zone it takes the
zone of the first office it serves.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
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
from lunch_app.domain.offices import Timezone, cafe_office_ids, check_zone_field
from lunch_app.domain.users import require_manager
from lunch_app.domain.validation import NoControlChars, parse
from lunch_app.models import Cafe, CafeOffice, Category, Combo, MenuItem, MenuItemOption, Office, Order, Tag

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


OfficeIds = Annotated[list[Annotated[StrictInt, Field(gt=0, lt=2**31)]], Field(min_length=1, max_length=1000)]


class CafeInput(_Input):
    name: Name
    description: Description = ""
    is_active: StrictBool = True
    notifications_enabled: StrictBool = True
    timezone: Timezone | None = None
    office_ids: OfficeIds | None = None


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
    "timezone": "error.office.bad_timezone",
    "office_ids": "error.cafe.bad_offices",
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
    timezone: str = ""
    office_ids: tuple[int, ...] = ()  # the offices it serves

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


def _cafe_view(cafe: Cafe, office_ids: Sequence[int] = ()) -> CafeView:
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
        timezone=cafe.timezone,
        office_ids=tuple(office_ids),
    )


async def _view(session: AsyncSession, cafe: Cafe) -> CafeView:
    assert cafe.id is not None
    return _cafe_view(cafe, (await cafe_office_ids(session, [cafe.id]))[cafe.id])


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


async def load_cafe(session: AsyncSession, cafe_id: Any, *, for_update: bool = False) -> Cafe:
    """The cafe with an id from untrusted input: a malformed id is InvalidInput, a missing cafe NotFound."""
    cafe_id = _require_id(cafe_id, "cafe_id", "error.cafe.not_found")
    cafe = await session.get(Cafe, cafe_id, with_for_update=for_update)
    if cafe is None:
        raise NotFound("error.cafe.not_found")
    return cafe


_OfCafe = TypeVar("_OfCafe", MenuItem, Combo)


async def _load_of_cafe(
    session: AsyncSession, model: type[_OfCafe], cafe_id: Any, row_id: Any, *, field: str, not_found_key: str
) -> _OfCafe:
    """A dish or combo of the cafe, locked for the change that follows; one of another cafe is not found."""
    cafe = await load_cafe(session, cafe_id)
    row_id = _require_id(row_id, field, not_found_key)
    row = await session.get(model, row_id, with_for_update=True)
    if row is None or row.cafe_id != cafe.id:
        raise NotFound(not_found_key)
    return row


async def _load_item(session: AsyncSession, cafe_id: Any, item_id: Any) -> MenuItem:
    return await _load_of_cafe(
        session, MenuItem, cafe_id, item_id, field="item_id", not_found_key="error.menu.item_not_found"
    )


async def _load_combo(session: AsyncSession, cafe_id: Any, combo_id: Any) -> Combo:
    return await _load_of_cafe(
        session, Combo, cafe_id, combo_id, field="combo_id", not_found_key="error.combo.not_found"
    )


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


# ------------------------------------------------------------------------------------------ switches


@dataclass(frozen=True, slots=True)
class _Switch:
    """A manager's on/off switch of a cafe, dish or combo: which column, and how it is audited."""

    entity: str
    column: str
    field: str  # the argument's name, for the error on a non-bool value
    on_action: str
    off_action: str


_CAFE_ACTIVE = _Switch("cafe", "is_active", "active", "cafe.activate", "cafe.deactivate")
_CAFE_NOTIFICATIONS = _Switch(
    "cafe", "notifications_enabled", "enabled", "cafe.notifications_on", "cafe.notifications_off"
)
_ITEM_AVAILABLE = _Switch("menu_item", "is_available", "available", "menu_item.enable", "menu_item.disable")
_COMBO_AVAILABLE = _Switch("combo", "is_available", "available", "combo.enable", "combo.disable")

_Switched = TypeVar("_Switched", Cafe, MenuItem, Combo)


async def _switch(
    session: AsyncSession,
    switch: _Switch,
    actor_tgid: int,
    value: Any,
    load: Callable[[], Awaitable[_Switched]],
) -> _Switched:
    """Manager only: set the switch of the row that `load` locks, and audit it (a dish's or combo's entry
    names its cafe)."""
    await require_manager(session, actor_tgid)
    value = _require_bool(value, switch.field)
    row = await load()
    setattr(row, switch.column, value)
    await session.flush()
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action=switch.on_action if value else switch.off_action,
        entity=switch.entity,
        entity_id=row.id,
        details=None if isinstance(row, Cafe) else {"cafe_id": row.cafe_id},
    )
    return row


# ---------------------------------------------------------------------------------------------- cafes


async def list_cafes(
    session: AsyncSession, *, active_only: bool = False, office_id: int | None = None
) -> list[CafeView]:
    """Cafes by name; with `office_id` only the cafes serving that office (what its employees may order from)."""
    query = sa.select(Cafe).order_by(sa.func.lower(col(Cafe.name)), col(Cafe.id))
    if active_only:
        query = query.where(col(Cafe.is_active).is_(True))
    if office_id is not None:
        query = query.where(
            sa.exists().where(col(CafeOffice.cafe_id) == col(Cafe.id), col(CafeOffice.office_id) == office_id)
        )
    cafes = list((await session.execute(query)).scalars())
    served = await cafe_office_ids(session, [cafe.id for cafe in cafes if cafe.id is not None])
    return [_cafe_view(cafe, served.get(cafe.id or 0, [])) for cafe in cafes]


async def get_cafe(session: AsyncSession, cafe_id: int) -> CafeView:
    return await _view(session, await load_cafe(session, cafe_id))


async def _check_offices(session: AsyncSession, office_ids: Sequence[int]) -> list[Office]:
    wanted = sorted(set(office_ids))
    rows = list((await session.execute(sa.select(Office).where(col(Office.id).in_(wanted)))).scalars())
    if len(rows) != len(wanted):
        raise NotFound("error.office.not_found")
    return sorted(rows, key=lambda office: office.id or 0)


async def _set_offices(session: AsyncSession, cafe_id: int, office_ids: Sequence[int]) -> None:
    await session.execute(sa.delete(CafeOffice).where(col(CafeOffice.cafe_id) == cafe_id))
    session.add_all(CafeOffice(cafe_id=cafe_id, office_id=office_id) for office_id in sorted(set(office_ids)))
    await session.flush()


async def create_cafe(session: AsyncSession, *, actor_tgid: int, data: Any) -> CafeView:
    """A new cafe. It serves `office_ids` (default: every active office) and its schedule is in `timezone`
    (default: the first office's zone, or APP_TIMEZONE)."""
    await require_manager(session, actor_tgid)
    check_zone_field(data)
    parsed = parse(CafeInput, data, _CAFE_KEYS)
    if parsed.office_ids is not None:
        offices = await _check_offices(session, parsed.office_ids)
    else:
        offices = list(
            (
                await session.execute(sa.select(Office).where(col(Office.is_active).is_(True)).order_by(col(Office.id)))
            ).scalars()
        )
        if not offices:
            raise InvalidInput("error.cafe.no_offices", field="office_ids")
    fields_ = parsed.model_dump(exclude={"office_ids", "timezone"})
    cafe = Cafe(**fields_)
    if parsed.timezone is not None:
        cafe.timezone = parsed.timezone
    elif offices:
        cafe.timezone = offices[0].timezone
    session.add(cafe)
    await session.flush()
    assert cafe.id is not None
    await _set_offices(session, cafe.id, [office.id for office in offices if office.id is not None])
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="cafe.create",
        entity="cafe",
        entity_id=cafe.id,
        details={**fields_, "timezone": cafe.timezone, "office_ids": [office.id for office in offices]},
    )
    return await _view(session, cafe)


async def update_cafe(session: AsyncSession, *, actor_tgid: int, cafe_id: int, data: Any) -> CafeView:
    """Change any of name, description, is_active, notifications_enabled, timezone, office_ids; fields left out
    stay as they are. A cafe always serves at least one office."""
    await require_manager(session, actor_tgid)
    cafe = await load_cafe(session, cafe_id, for_update=True)
    assert cafe.id is not None
    current: dict[str, Any] = {
        "name": cafe.name,
        "description": cafe.description,
        "is_active": cafe.is_active,
        "notifications_enabled": cafe.notifications_enabled,
        "timezone": cafe.timezone,
        "office_ids": (await cafe_office_ids(session, [cafe.id]))[cafe.id],
    }
    check_zone_field(_as_mapping(data))
    parsed = parse(CafeInput, {**current, **_as_mapping(data)}, _CAFE_KEYS)
    wanted = parsed.model_dump()
    if parsed.office_ids is not None:
        await _check_offices(session, parsed.office_ids)
        wanted["office_ids"] = sorted(set(parsed.office_ids))
    changes = {k: v for k, v in wanted.items() if v is not None and current[k] != v}
    for key, value in changes.items():
        if key == "office_ids":
            await _set_offices(session, cafe.id, value)
        else:
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
    return await _view(session, cafe)


async def set_cafe_active(session: AsyncSession, *, actor_tgid: int, cafe_id: int, active: bool) -> CafeView:
    cafe = await _switch(
        session, _CAFE_ACTIVE, actor_tgid, active, lambda: load_cafe(session, cafe_id, for_update=True)
    )
    return await _view(session, cafe)


async def set_notifications(session: AsyncSession, *, actor_tgid: int, cafe_id: int, enabled: bool) -> CafeView:
    cafe = await _switch(
        session, _CAFE_NOTIFICATIONS, actor_tgid, enabled, lambda: load_cafe(session, cafe_id, for_update=True)
    )
    return await _view(session, cafe)


async def unlink_cafe(session: AsyncSession, *, actor_tgid: int, cafe_id: int) -> CafeView:
    """Forget the cafe's Telegram chat; digests stop until a new chat is linked."""
    await require_manager(session, actor_tgid)
    cafe = await load_cafe(session, cafe_id, for_update=True)
    before = {"tg_chat_id": cafe.tg_chat_id, "tg_chat_title": cafe.tg_chat_title}
    cafe.tg_chat_id = None
    cafe.tg_chat_title = None
    cafe.linked_at = None
    await session.flush()
    audit.record(session, actor_tgid=actor_tgid, action="cafe.unlink", entity="cafe", entity_id=cafe.id, details=before)
    return await _view(session, cafe)


# ----------------------------------------------------------------------------------------------- menu


async def get_menu(session: AsyncSession, cafe_id: int, *, available_only: bool) -> MenuView:
    """Dishes grouped by category in the fixed category order, plus combos.

    With `available_only` (the Mini App) disabled dishes and combos are left out, and so is a combo
    for which some category has no available dish (nobody could complete it).
    """
    cafe = await load_cafe(session, cafe_id)
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
    cafe = await load_cafe(session, cafe_id)
    parsed = parse(ItemInput, data, _ITEM_KEYS)
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
    parsed = parse(ItemInput, {**current, **changes_in}, _ITEM_KEYS)
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
    item = await _switch(session, _ITEM_AVAILABLE, actor_tgid, available, lambda: _load_item(session, cafe_id, item_id))
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
    cafe = await load_cafe(session, cafe_id)
    parsed = parse(ComboInput, data, _COMBO_KEYS)
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
    parsed = parse(ComboInput, {**current, **changes_in}, _COMBO_KEYS)
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
    combo = await _switch(
        session, _COMBO_AVAILABLE, actor_tgid, available, lambda: _load_combo(session, cafe_id, combo_id)
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
