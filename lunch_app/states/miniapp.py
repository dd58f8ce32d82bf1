"""Per-client state of the employee Mini App (SPEC §5). Thin: it holds what the screen shows and calls the domain.

Trust: the only thing taken from the client for identity is the signed `initData`, validated on the server.
The Telegram id lives in a backend-only var (`_tgid`, never sent to or settable by the browser), and every
domain call re-checks that user (`require_active_user`), so a user disabled mid-session is refused at once.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import redis.asyncio as aioredis
import reflex as rx
from reflex.event import EventSpec
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app import db
from lunch_app.clock import get_clock, local_today, zone
from lunch_app.domain import access, availability, catalogue, offices, orders, recommendations
from lunch_app.domain.errors import Conflict, DomainError, Forbidden
from lunch_app.domain.users import demo_accounts, require_active_user
from lunch_app.i18n import format_money, format_options, format_order_lines, normalize_language, t
from lunch_app.models import User
from lunch_app.settings import get_settings
from lunch_app.telegram_auth import InitDataInvalid, TelegramUser, validate_init_data_now

log = logging.getLogger(__name__)

# Runs in the browser on every load: only the signed initData string goes to the server (initDataUnsafe never).
READ_TELEGRAM_JS = (
    "(function(){var w=window.Telegram&&window.Telegram.WebApp;"
    "if(w){try{w.ready();w.expand();}catch(e){}}"
    "return {initData:(w&&w.initData)||'',lang:(navigator.language||'ru')};})()"
)


@dataclasses.dataclass
class DayChip:
    date: str = ""
    weekday: str = ""
    number: str = ""
    note: str = ""
    is_open: bool = False
    cutoff_ms: int = 0  # the cut-off instant (Unix ms) of an open day, for the browser's live countdown; else 0


@dataclasses.dataclass
class DishCard:
    id: int = 0
    name: str = ""
    description: str = ""
    price: str = ""
    tags: list[str] = dataclasses.field(default_factory=list)
    combo_only: bool = False


@dataclasses.dataclass
class MenuSectionCard:
    key: str = ""
    title: str = ""
    dishes: list[DishCard] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ComboCard:
    id: int = 0
    name: str = ""
    price: str = ""
    parts: str = ""


@dataclasses.dataclass
class OptionField:
    name: str = ""
    choices: list[str] = dataclasses.field(default_factory=list)
    required: bool = False
    value: str = ""


@dataclasses.dataclass
class Choice:
    id: str = ""
    name: str = ""


@dataclasses.dataclass
class ComboSlot:
    category: str = ""
    title: str = ""
    choices: list[Choice] = dataclasses.field(default_factory=list)
    selected: str = ""
    options: list[OptionField] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CartLine:
    key: str = ""
    title: str = ""
    details: str = ""
    price: str = ""


@dataclasses.dataclass
class OrderCard:
    id: int = 0
    number: str = ""
    cafe: str = ""
    date: str = ""
    status: str = ""
    status_text: str = ""
    lines: list[str] = dataclasses.field(default_factory=list)
    notes: str = ""
    total: str = ""
    can_change: bool = False


@dataclasses.dataclass
class DemoUser:
    tgid: int = 0
    name: str = ""
    office: str = ""


@dataclasses.dataclass
class FilterChip:
    tag: str = ""
    label: str = ""
    active: bool = False


@dataclasses.dataclass
class WheelLabel:
    name: str = ""
    transform: str = ""


WHEEL_COLORS = ("#f2994a", "#2f80ed", "#27ae60", "#eb5757", "#9b51e0", "#f2c94c", "#56ccf2", "#6fcf97")


def _date_text(day: date, lang: str) -> str:
    return f"{t(f'weekday_short.{day.weekday()}', lang)}, {day.strftime('%d.%m')}"


class MiniApp(rx.State):
    """The whole Mini App: one state (each substate costs Redis round trips under load)."""

    screen: str = "loading"  # loading|outside|demo|failed|request|pending|rejected|disabled|app
    lang: str = "ru"  # the page's fixed texts follow it from a static table (lunch_app/i18n/web.py)
    tab: str = "order"  # order|orders|profile
    sheet: str = ""  # ""|dish|combo|wheel
    notice: str = ""
    error: str = ""
    busy: bool = False

    _tgid: int = 0
    _office_id: int = 0
    _office_zone: str = ""  # the signed-in person's office's IANA zone: their "today" and clock times
    _tg_user: dict[str, Any] = {}
    _menu_items: dict[int, dict[str, Any]] = {}
    _combos: dict[int, dict[str, Any]] = {}
    _cart_items: list[dict[str, Any]] = []
    _cart_combo: dict[str, Any] = {}
    _day_reasons: dict[str, str] = {}

    bot_username: str = ""
    outside_text: str = ""
    demo_users: list[DemoUser] = []
    form_name: str = ""
    form_office: str = ""  # the chosen office's id (the access form offers the active offices)
    form_error: str = ""
    office_choices: list[Choice] = []

    user_name: str = ""
    user_office: str = ""

    cafes: list[Choice] = []
    cafe_id: str = ""
    days: list[DayChip] = []
    clock_ms: int = 0  # the server's time (Unix ms) when `days` was computed
    day: str = ""
    day_closed_reason: str = ""
    filters: list[FilterChip] = []
    sections: list[MenuSectionCard] = []
    combos: list[ComboCard] = []

    dish: DishCard = DishCard()
    dish_options: list[OptionField] = []
    dish_qty: int = 1
    sheet_error: str = ""
    combo_id: int = 0
    combo_title: str = ""
    combo_price: str = ""
    combo_slots: list[ComboSlot] = []

    cart_lines: list[CartLine] = []
    cart_total: str = ""
    cart_remaining: str = ""
    cart_error: str = ""
    notes: str = ""
    editing_order_id: int = 0
    existing_order_id: int = 0

    upcoming: list[OrderCard] = []
    past: list[OrderCard] = []
    confirm_cancel_id: int = 0

    week_text: str = ""
    week_percent: int = 0
    week_over: bool = False
    stats_orders: int = 0
    stats_unique: int = 0
    stats_top: list[str] = []
    tips_enabled: bool = False
    tips_summary: str = ""
    tips: list[str] = []
    tips_time: str = ""
    tips_error: str = ""
    generating: bool = False
    reminders: bool = True

    wheel_names: list[str] = []
    wheel_angle: int = 0
    wheel_pick_id: int = 0
    wheel_pick_name: str = ""

    # ------------------------------------------------------------------------------------ computed

    @rx.var
    def no_filter(self) -> bool:
        return not any(chip.active for chip in self.filters)

    @rx.var
    def has_cart(self) -> bool:
        return len(self.cart_lines) > 0

    @rx.var
    def place_text(self) -> str:
        key = "mini.save" if self.editing_order_id else "mini.place"
        return t(key, self.lang, total=self.cart_total) if self.cart_total else t("mini.place_plain", self.lang)

    @rx.var
    def editing_text(self) -> str:
        return t("mini.editing", self.lang, id=self.editing_order_id) if self.editing_order_id else ""

    @rx.var
    def user_initial(self) -> str:
        return (self.user_name[:1] or "?").upper()

    @rx.var
    def wheel_gradient(self) -> str:
        count = len(self.wheel_names)
        if not count:
            return "none"
        stops = []
        for index in range(count):
            color = WHEEL_COLORS[index % len(WHEEL_COLORS)]
            stops.append(f"{color} {index * 360 / count:.2f}deg {(index + 1) * 360 / count:.2f}deg")
        return f"conic-gradient({', '.join(stops)})"

    @rx.var
    def wheel_labels(self) -> list[WheelLabel]:
        count = len(self.wheel_names)
        return [
            WheelLabel(name=name, transform=f"rotate({(index + 0.5) * 360 / count - 90:.2f}deg)")
            for index, name in enumerate(self.wheel_names)
        ]

    @rx.var
    def wheel_transform(self) -> str:
        return f"rotate({self.wheel_angle}deg)"

    # ------------------------------------------------------------------------------------ helpers

    def _t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def _fail(self, exc: DomainError) -> str:
        return exc.message(self.lang)

    def _set_language(self, lang: str) -> None:
        self.lang = normalize_language(lang)

    def _telegram_sync(self) -> EventSpec:
        """Mirror the screen in Telegram's native chrome: BackButton, MainButton (its progress while an order is
        being placed), closing confirmation (assets/telegram_bridge.js)."""
        back = self.screen == "app" and (self.sheet != "" or self.tab != "order")
        cart = bool(self._cart_items or self._cart_combo)
        main = ""
        if self.screen == "app" and self.tab == "order" and self.sheet == "" and cart:
            main = self._t("mini.save" if self.editing_order_id else "mini.place", total=self.cart_total)
        args = json.dumps({"back": back, "main": main, "progress": self.busy, "confirmClose": cart})
        return rx.call_script(f"window.lunchTg&&window.lunchTg.sync({args})")

    # ------------------------------------------------------------------------------------ sign-in

    @rx.event
    def start(self) -> EventSpec:
        """on_load: every open of the Mini App starts a fresh state, so authenticate from initData every time."""
        self.bot_username = get_settings().telegram_bot_username
        self.screen = "loading"
        self._tgid = 0
        return rx.call_script(READ_TELEGRAM_JS, callback=MiniApp.signed)

    @rx.event
    async def signed(self, data: dict[str, Any]) -> AsyncIterator[Any]:
        init_data = data.get("initData") if isinstance(data, dict) else None
        browser_lang = data.get("lang") if isinstance(data, dict) else None
        self._tgid = 0
        if not isinstance(init_data, str) or not init_data:
            self._set_language(browser_lang if isinstance(browser_lang, str) else "ru")
            self.outside_text = self._t("mini.outside.text", bot=self.bot_username)
            if get_settings().demo_mode:
                await self._load_demo_users()
                self.screen = "demo"
            else:
                self.screen = "outside"
            return
        try:
            signed = validate_init_data_now(init_data)
        except InitDataInvalid as exc:
            log.info("miniapp sign-in refused: %s", exc.reason)
            self.screen = "failed"
            return
        self._tg_user = dataclasses.asdict(signed.user)
        async with db.session_scope() as session:  # one transaction: sign-in, the user's screen and first menu
            result = await access.sign_in(session, signed.user)
            self._set_language(result.language)
            user = result.user if result.status == access.SignInStatus.active else None
            if user is not None:
                await self._enter(session, user)
        if user is not None:
            yield self._telegram_sync()
            return
        self.form_name = result.prefill_name
        self.screen = {
            access.SignInStatus.disabled: "disabled",
            access.SignInStatus.pending: "pending",
            access.SignInStatus.rejected: "rejected",
        }.get(result.status, "request")
        if self.screen == "request":
            async with db.session_scope() as session:
                choices = await offices.list_offices(session, active_only=True)
            self.office_choices = [Choice(id=str(office.id), name=office.name) for office in choices]
            if len(self.office_choices) == 1:
                self.form_office = self.office_choices[0].id

    async def _load_demo_users(self) -> None:
        async with db.session_scope() as session:
            users = await demo_accounts(session, managers_only=False)
            self.demo_users = [DemoUser(tgid=u.tgid, name=u.name, office=u.office) for u in users]

    @rx.event
    async def demo_sign_in(self, tgid: int) -> AsyncIterator[Any]:
        if not get_settings().demo_mode:  # the browser may send this event whatever the page shows
            self.screen = "outside"
            return
        self.error = ""  # a refusal of an earlier pick must not follow the user into the app
        try:
            async with db.session_scope() as session:
                user = await require_active_user(session, access.parse_tgid(tgid))
                self._set_language(user.language)
                await self._enter(session, user)
        except DomainError:
            self._tgid = 0
            self.screen = "demo"
            self.error = self._t("mini.signin_failed")
            return
        yield self._telegram_sync()

    @rx.event
    def set_form_name(self, value: str) -> None:
        self.form_name = str(value)[:200]

    @rx.event
    def set_form_office(self, value: str) -> None:
        self.form_office = str(value)[:12]

    @rx.event
    async def submit_request(self) -> None:
        if not self._tg_user or self.screen != "request":
            return
        try:
            async with db.session_scope() as session:
                await access.request_access(
                    session, tg_user=TelegramUser(**self._tg_user), name=self.form_name, office_id=self.form_office
                )
        except DomainError as exc:
            field = exc.params.get("field") if exc.key == "error.invalid_input" else None
            if field == "office_id":
                self.form_error = self._t("mini.request.bad_office")
            else:
                self.form_error = self._t("mini.request.bad_name") if field == "name" else self._fail(exc)
            return
        self.form_error = ""
        self.screen = "pending"

    async def _enter(self, session: AsyncSession, user: User) -> None:
        """Show the ordering screen to an active user (checked by the caller in this `session`)."""
        office = await offices.office_of(session, user)
        self._tgid = user.tgid
        self._office_id = user.office_id
        self._office_zone = office.timezone
        self.screen = "app"
        self.tab = "order"
        self.sheet = ""
        self.user_name = user.name
        self.user_office = office.name
        self.reminders = user.reminders_enabled
        # Only the cafes serving the person's office.
        cafes = await catalogue.list_cafes(session, active_only=True, office_id=user.office_id)
        self.cafes = [Choice(id=str(cafe.id), name=cafe.name) for cafe in cafes]
        if cafes:
            await self._load_cafe(session, cafes[0].id)

    # ------------------------------------------------------------------------------------ ordering

    async def _select_cafe(self, cafe_id: int) -> None:
        async with db.session_scope() as session:
            await require_active_user(session, self._tgid)
            await self._load_cafe(session, cafe_id)

    async def _load_cafe(self, session: AsyncSession, cafe_id: int) -> None:
        """The cafe's 7-day strip and menu, an empty cart. The caller has checked the user in `session`."""
        # Held while both read it: the session's identity map then answers their lookups of the cafe (one query).
        cafe = await catalogue.load_cafe(session, cafe_id)
        week = await availability.week_availability(session, cafe_id=cafe_id, office_id=self._office_id)
        menu = await catalogue.get_menu(session, cafe_id, available_only=True)
        del cafe
        self.cafe_id = str(cafe_id)
        self._cart_items = []
        self._cart_combo = {}
        self.editing_order_id = 0
        self.existing_order_id = 0
        self.notes = ""
        self.cart_error = ""
        self._show_week(week)
        first_open = next((d for d in week if d.is_open), week[0] if week else None)
        self.day = first_open.day.isoformat() if first_open else ""
        self._update_day_reason()
        self._menu_items = {
            item.id: {
                "id": item.id,
                "name": item.name,
                "description": item.description,
                "category": str(item.category),
                "price": None if item.price is None else str(item.price),
                "tags": [str(tag) for tag in item.tags],
                "options": [
                    {"name": o.name, "values": list(o.values), "required": o.is_required} for o in item.options
                ],
            }
            for item in menu.items()
        }
        self._combos = {
            combo.id: {
                "id": combo.id,
                "name": combo.name,
                "price": str(combo.price),
                "categories": list(combo.categories),
            }
            for combo in menu.combos
        }
        present = sorted({tag for item in self._menu_items.values() for tag in item["tags"]})
        self.filters = [FilterChip(tag=tag, label=self._t(f"tag.{tag}"), active=False) for tag in present]
        self._show_menu()
        self.combos = [
            ComboCard(
                id=c["id"],
                name=c["name"],
                price=format_money(c["price"], self.lang),
                parts=" + ".join(self._t(f"category_one.{cat}") for cat in c["categories"]),
            )
            for c in self._combos.values()
        ]
        self._show_cart(None)

    def _show_week(self, week: list[availability.DayAvailability]) -> None:
        now = get_clock().now()
        chips = []
        for entry in week:
            if entry.is_open and entry.cutoff_at is not None:
                left = entry.seconds_left(now)
                if left < 6 * 3600:
                    hours, minutes = divmod(-(-left // 60), 60)  # whole minutes rounded up, as the browser's
                    key = "left_hours" if hours and minutes else "left_whole_hours" if hours else "left_minutes"
                    note = self._t(f"mini.day.{key}", hours=hours, minutes=minutes)
                else:
                    cutoff = entry.cutoff_local or entry.cutoff_at  # the cut-off on the office's clock
                    note = self._t("mini.day.until", time=cutoff.strftime("%H:%M"))
            else:
                note = self._t("mini.day.closed")
            chips.append(
                DayChip(
                    date=entry.day.isoformat(),
                    weekday=self._t(f"weekday_short.{entry.day.weekday()}"),
                    number=str(entry.day.day),
                    note=note,
                    is_open=entry.is_open,
                    cutoff_ms=int(entry.cutoff_at.timestamp() * 1000) if entry.is_open and entry.cutoff_at else 0,
                )
            )
        self.days = chips
        self.clock_ms = int(now.timestamp() * 1000)
        self._day_reasons = {
            entry.day.isoformat(): self._t("mini.closed_day", reason=self._t(entry.reason_key, **entry.reason_params))
            for entry in week
            if not entry.is_open
        }

    def _update_day_reason(self) -> None:
        self.day_closed_reason = self._day_reasons.get(self.day, "")

    def _show_menu(self) -> None:
        active = {chip.tag for chip in self.filters if chip.active}
        sections: dict[str, list[DishCard]] = {}
        for item in self._menu_items.values():
            if item["price"] is None or not active.issubset(item["tags"]):
                continue
            sections.setdefault(item["category"], []).append(
                DishCard(
                    id=item["id"],
                    name=item["name"],
                    description=item["description"],
                    price=format_money(item["price"], self.lang),
                    tags=[self._t(f"tag.{tag}") for tag in item["tags"]],
                    combo_only=False,
                )
            )
        self.sections = [
            MenuSectionCard(key=category, title=self._t(f"category.{category}"), dishes=items)
            for category, items in sections.items()
        ]

    @rx.event
    async def pick_cafe(self, cafe_id: str) -> AsyncIterator[Any]:
        try:
            await self._select_cafe(int(cafe_id))
        except (DomainError, ValueError) as exc:
            self.error = self._fail(exc) if isinstance(exc, DomainError) else self._t("error.generic")
            return
        yield self._telegram_sync()

    @rx.event
    async def refresh_days(self) -> None:
        """A cut-off passed on the browser's countdown: the server decides again what is open (the cart stays)."""
        if self.screen != "app" or not self.cafe_id:
            return
        try:
            async with db.session_scope() as session:
                await require_active_user(session, self._tgid)
                week = await availability.week_availability(
                    session, cafe_id=int(self.cafe_id), office_id=self._office_id
                )
        except DomainError as exc:
            self.error = self._fail(exc)
            return
        self._show_week(week)
        self._update_day_reason()
        if self._cart_items or self._cart_combo:
            await self._quote()  # a closed day shows its refusal on the cart

    @rx.event
    async def pick_day(self, day: str) -> None:
        if day not in {chip.date for chip in self.days} or self.editing_order_id:
            return
        self.day = day
        self._update_day_reason()
        self.existing_order_id = 0
        await self._quote()

    @rx.event
    def toggle_filter(self, tag: str) -> None:
        self.filters = [
            FilterChip(tag=chip.tag, label=chip.label, active=(not chip.active) if chip.tag == tag else chip.active)
            for chip in self.filters
        ]
        self._show_menu()

    @rx.event
    def clear_filters(self) -> None:
        self.filters = [FilterChip(tag=chip.tag, label=chip.label, active=False) for chip in self.filters]
        self._show_menu()

    # --- dish sheet

    @rx.event
    def open_dish(self, item_id: int) -> EventSpec | None:
        item = self._menu_items.get(int(item_id))
        if item is None or item["price"] is None:
            return None
        self.dish = DishCard(
            id=item["id"],
            name=item["name"],
            description=item["description"],
            price=format_money(item["price"], self.lang),
            tags=[self._t(f"tag.{tag}") for tag in item["tags"]],
        )
        self.dish_options = [
            OptionField(name=o["name"], choices=o["values"], required=o["required"], value="") for o in item["options"]
        ]
        self.dish_qty = 1
        self.sheet_error = ""
        self.sheet = "dish"
        return self._telegram_sync()

    @rx.event
    def set_dish_option(self, name: str, value: str) -> None:
        self.sheet_error = ""
        self.dish_options = [
            OptionField(name=o.name, choices=o.choices, required=o.required, value=value if o.name == name else o.value)
            for o in self.dish_options
        ]

    @rx.event
    def change_qty(self, delta: int) -> None:
        self.dish_qty = max(1, min(20, self.dish_qty + int(delta)))

    @rx.event
    async def add_dish(self) -> AsyncIterator[Any]:
        missing = [o.name for o in self.dish_options if o.required and not o.value]
        if missing:
            self.sheet_error = self._t("error.order.option_required", option=missing[0], dish=self.dish.name)
            return
        options = {o.name: o.value for o in self.dish_options if o.value}
        for line in self._cart_items:
            if line["menu_item_id"] == self.dish.id and line["options"] == options:
                line["quantity"] = min(20, line["quantity"] + self.dish_qty)
                break
        else:
            self._cart_items.append({"menu_item_id": self.dish.id, "quantity": self.dish_qty, "options": options})
        self._cart_items = list(self._cart_items)
        self.sheet = ""
        await self._quote()
        yield rx.call_script("window.lunchTg&&window.lunchTg.haptic()")
        yield self._telegram_sync()

    @rx.event
    def close_sheet(self) -> EventSpec:
        self.sheet = ""
        return self._telegram_sync()

    @rx.event
    def back(self) -> EventSpec:
        if self.sheet:
            self.sheet = ""
        elif self.tab != "order":
            self.tab = "order"
        return self._telegram_sync()

    # --- combo sheet

    @rx.event
    def open_combo(self, combo_id: int) -> EventSpec | None:
        combo = self._combos.get(int(combo_id))
        if combo is None:
            return None
        self.combo_id = combo["id"]
        self.combo_title = combo["name"]
        self.combo_price = format_money(combo["price"], self.lang)
        slots = []
        for category in combo["categories"]:
            choices = [
                Choice(id=str(item["id"]), name=item["name"])
                for item in self._menu_items.values()
                if item["category"] == category
            ]
            slots.append(ComboSlot(category=category, title=self._t(f"category_one.{category}"), choices=choices))
        self.combo_slots = slots
        self.sheet_error = self._t("mini.combo.in_cart", name=self._cart_combo["name"]) if self._cart_combo else ""
        self.sheet = "combo"
        return self._telegram_sync()

    @rx.event
    def choose_combo_dish(self, category: str, item_id: str) -> None:
        self.sheet_error = ""
        slots = []
        for slot in self.combo_slots:
            if slot.category == category:
                item = self._menu_items.get(int(item_id)) if str(item_id).isdigit() else None
                options = (
                    [OptionField(name=o["name"], choices=o["values"], required=o["required"]) for o in item["options"]]
                    if item
                    else []
                )
                slot = ComboSlot(
                    category=slot.category,
                    title=slot.title,
                    choices=slot.choices,
                    selected=str(item_id) if item else "",
                    options=options,
                )
            slots.append(slot)
        self.combo_slots = slots

    @rx.event
    def set_combo_option(self, category: str, name: str, value: str) -> None:
        self.sheet_error = ""
        slots = []
        for slot in self.combo_slots:
            if slot.category == category:
                slot = dataclasses.replace(
                    slot,
                    options=[
                        OptionField(o.name, o.choices, o.required, value if o.name == name else o.value)
                        for o in slot.options
                    ],
                )
            slots.append(slot)
        self.combo_slots = slots

    @rx.event
    async def add_combo(self) -> AsyncIterator[Any]:
        for slot in self.combo_slots:
            if not slot.selected:
                self.sheet_error = self._t("mini.combo.pick", category=slot.title)
                return
            missing = [o.name for o in slot.options if o.required and not o.value]
            if missing:
                dish = self._menu_items[int(slot.selected)]["name"]
                self.sheet_error = self._t("error.order.option_required", option=missing[0], dish=dish)
                return
        self._cart_combo = {
            "combo_id": self.combo_id,
            "name": self.combo_title,
            "dishes": [
                {"menu_item_id": int(slot.selected), "options": {o.name: o.value for o in slot.options if o.value}}
                for slot in self.combo_slots
            ],
        }
        self.sheet = ""
        await self._quote()
        yield rx.call_script("window.lunchTg&&window.lunchTg.haptic()")
        yield self._telegram_sync()

    # --- cart

    def _draft(self) -> dict[str, Any]:
        combo = (
            {"combo_id": self._cart_combo["combo_id"], "dishes": self._cart_combo["dishes"]}
            if self._cart_combo
            else None
        )
        return {
            "cafe_id": int(self.cafe_id or 0),
            "order_date": self.day,
            "combo": combo,
            "items": [dict(line) for line in self._cart_items],
            "notes": self.notes,
        }

    def _show_cart(self, quote: orders.OrderQuote | None) -> None:
        lines: list[CartLine] = []
        if self._cart_combo:
            dishes = [
                self._menu_items.get(d["menu_item_id"], {}).get("name", "?")
                + (f" ({format_options(d['options'])})" if d["options"] else "")
                for d in self._cart_combo["dishes"]
            ]
            price = self._combos.get(self._cart_combo["combo_id"], {}).get("price")
            lines.append(
                CartLine(
                    key="combo",
                    title=f"{self._t('mini.cart.combo')} «{self._cart_combo['name']}»",
                    details=", ".join(dishes),
                    price=format_money(price, self.lang) if price else "",
                )
            )
        for index, line in enumerate(self._cart_items):
            item = self._menu_items.get(line["menu_item_id"], {})
            unit = item.get("price")
            lines.append(
                CartLine(
                    key=str(index),
                    title=f"{line['quantity']} × {item.get('name', '?')}",
                    details=format_options(line["options"]),
                    price=format_money(Decimal(unit) * line["quantity"], self.lang) if unit else "",
                )
            )
        self.cart_lines = lines
        if quote is None:
            self.cart_total = ""
            self.cart_remaining = ""
            return
        self.cart_total = format_money(quote.total, self.lang)
        self.cart_remaining = (
            self._t("mini.cart.no_limit")
            if quote.remaining_after is None
            else self._t("mini.cart.remaining", amount=format_money(quote.remaining_after, self.lang))
        )

    async def _quote(self) -> None:
        """Ask the server for the total (never computed here). A refusal is shown; the cart stays."""
        self.cart_error = ""
        if not self._cart_items and not self._cart_combo:
            self._show_cart(None)
            return
        try:
            async with db.session_scope() as session:
                quote = await orders.quote_order(
                    session, user_tgid=self._tgid, draft=self._draft(), order_id=self.editing_order_id or None
                )
        except DomainError as exc:
            self._show_cart(None)
            self.cart_error = self._fail(exc)
            return
        self._show_cart(quote)

    @rx.event
    async def remove_line(self, key: str) -> AsyncIterator[Any]:
        if key == "combo":
            self._cart_combo = {}
        elif key.isdigit() and int(key) < len(self._cart_items):
            self._cart_items = [line for i, line in enumerate(self._cart_items) if i != int(key)]
        self.existing_order_id = 0
        await self._quote()
        yield self._telegram_sync()

    @rx.event
    async def clear_cart(self) -> AsyncIterator[Any]:
        self._cart_items = []
        self._cart_combo = {}
        self.editing_order_id = 0
        self.existing_order_id = 0
        self.notes = ""
        await self._quote()
        yield self._telegram_sync()

    @rx.event
    def set_notes(self, value: str) -> None:
        self.notes = str(value)[:600]

    @rx.event
    async def place(self) -> AsyncIterator[Any]:
        # Every way out syncs Telegram's MainButton, which shows its progress from the press on.
        if self.busy:
            return  # the placement under way syncs when it ends
        if not self._cart_items and not self._cart_combo:
            yield self._telegram_sync()
            return
        self.busy = True
        self.notice = ""
        self.cart_error = ""
        self.existing_order_id = 0
        yield self._telegram_sync()
        try:
            async with db.session_scope() as session:
                if self.editing_order_id:
                    order = await orders.update_order(
                        session, actor_tgid=self._tgid, order_id=self.editing_order_id, draft=self._draft()
                    )
                else:
                    order = await orders.place_order(session, user_tgid=self._tgid, draft=self._draft())
                order_id, order_date = order.id, order.order_date
                await self._load_orders(session)  # same transaction: My orders already shows the new order
        except DomainError as exc:
            self.busy = False
            self.cart_error = self._fail(exc)
            if isinstance(exc, Conflict) and exc.key == "error.order.already_exists":
                self.existing_order_id = int(exc.params.get("order_id") or 0)
            yield rx.call_script("window.lunchTg&&window.lunchTg.haptic('error')")
            yield self._telegram_sync()
            return
        key = "mini.saved" if self.editing_order_id else "mini.placed"
        self.notice = self._t(key, id=order_id, date=_date_text(order_date, self.lang))
        self._cart_items = []
        self._cart_combo = {}
        self.notes = ""
        self.editing_order_id = 0
        self._show_cart(None)
        self.busy = False
        self.tab = "orders"
        yield rx.call_script("window.lunchTg&&window.lunchTg.haptic('success')")
        yield self._telegram_sync()

    # ------------------------------------------------------------------------------------ my orders

    async def _load_orders(self, session: AsyncSession | None = None) -> None:
        if session is None:
            async with db.session_scope() as own:
                await self._load_orders(own)
            return
        mine = await orders.my_orders(session, user_tgid=self._tgid)
        self.upcoming = [self._order_card(entry) for entry in mine.upcoming]
        self.past = [self._order_card(entry) for entry in mine.past]

    def _order_card(self, entry: orders.MyOrder) -> OrderCard:
        order = entry.order
        assert order.id is not None
        return OrderCard(
            id=order.id,
            number=self._t("mini.orders.number", id=order.id),
            cafe=entry.cafe_name,
            date=_date_text(order.order_date, self.lang),
            status=str(order.status),
            status_text=self._t(f"order_status.{order.status}"),
            lines=format_order_lines(order.combo_name, order.combo_price, order.lines, self.lang),
            notes=order.notes or "",
            total=format_money(order.total, self.lang),
            can_change=entry.can_change,
        )

    @rx.event
    async def show_tab(self, tab: str) -> AsyncIterator[Any]:
        if tab not in ("order", "orders", "profile") or self.screen != "app":
            return
        self.tab = tab
        self.sheet = ""
        self.error = ""
        self.notice = "" if tab == "order" else self.notice
        self.confirm_cancel_id = 0
        yield self._telegram_sync()
        try:
            if tab == "orders":
                await self._load_orders()
            elif tab == "profile":
                await self._load_profile()
        except DomainError as exc:
            self.error = self._fail(exc)

    @rx.event
    async def edit_order(self, order_id: int) -> AsyncIterator[Any]:
        try:
            async with db.session_scope() as session:
                order = await orders.get_order(session, actor_tgid=self._tgid, order_id=int(order_id))
                if order.user_tgid != self._tgid:
                    raise Forbidden("error.order.not_yours")
            if str(order.cafe_id) != self.cafe_id:
                await self._select_cafe(order.cafe_id)
        except DomainError as exc:
            self.error = self._fail(exc)
            return
        self.day = order.order_date.isoformat()
        self._update_day_reason()
        self._cart_combo = {}
        if order.combo_id is not None:
            self._cart_combo = {
                "combo_id": order.combo_id,
                "name": order.combo_name or "",
                "dishes": [
                    {"menu_item_id": line["menu_item_id"], "options": dict(line["options"])}
                    for line in order.lines
                    if line["kind"] == "combo_dish"
                ],
            }
        self._cart_items = [
            {"menu_item_id": line["menu_item_id"], "quantity": line["quantity"], "options": dict(line["options"])}
            for line in order.lines
            if line["kind"] == "item"
        ]
        self.notes = order.notes or ""
        self.editing_order_id = order.id or 0
        self.existing_order_id = 0
        self.notice = ""
        self.tab = "order"
        await self._quote()
        yield self._telegram_sync()

    @rx.event
    def stop_editing(self) -> Any:
        return MiniApp.clear_cart

    @rx.event
    async def cancel_order(self, order_id: int) -> None:
        if self.confirm_cancel_id != int(order_id):
            self.confirm_cancel_id = int(order_id)
            return
        self.confirm_cancel_id = 0
        try:
            async with db.session_scope() as session:
                order = await orders.cancel_order(session, actor_tgid=self._tgid, order_id=int(order_id))
                cancelled_id = order.id
                await self._load_orders(session)
        except DomainError as exc:
            self.error = self._fail(exc)
            return
        self.error = ""
        self.notice = self._t("mini.cancelled", id=cancelled_id)
        if self.editing_order_id == cancelled_id:
            self._cart_items, self._cart_combo, self.editing_order_id = [], {}, 0
            self._show_cart(None)

    @rx.event
    async def repeat(self, order_id: int) -> AsyncIterator[Any]:
        try:
            async with db.session_scope() as session:
                source = await orders.get_order(session, actor_tgid=self._tgid, order_id=int(order_id))
            if str(source.cafe_id) != self.cafe_id:
                await self._select_cafe(source.cafe_id)
            open_day = self.day if self.day and not self.day_closed_reason else ""
            if not open_day:
                self.error = self._t("mini.repeat.no_day")
                return
            async with db.session_scope() as session:
                result = await orders.repeat_order(
                    session, user_tgid=self._tgid, order_id=int(order_id), day=date.fromisoformat(open_day)
                )
        except DomainError as exc:
            self.error = self._fail(exc)
            return
        skipped = self._t("mini.repeat.skipped", names=", ".join(result.skipped)) if result.skipped else ""
        if result.draft is None:
            self.error = skipped
            return
        draft = result.draft.model_dump(mode="json")
        combo = draft.get("combo")
        self._cart_combo = (
            {
                "combo_id": combo["combo_id"],
                "name": self._combos.get(combo["combo_id"], {}).get("name", ""),
                "dishes": combo["dishes"],
            }
            if combo
            else {}
        )
        self._cart_items = [dict(line) for line in draft["items"]]
        self.notes = draft.get("notes") or ""
        self.editing_order_id = 0
        self.error = ""
        self.notice = " ".join(
            part
            for part in (self._t("mini.repeat.done", date=_date_text(date.fromisoformat(open_day), self.lang)), skipped)
            if part
        )
        self.tab = "order"
        await self._quote()
        yield self._telegram_sync()

    @rx.event
    def dismiss(self) -> None:
        self.notice = ""
        self.error = ""

    # ------------------------------------------------------------------------------------ profile

    async def _load_profile(self) -> None:
        settings = get_settings()
        async with db.session_scope() as session:
            user = await require_active_user(session, self._tgid)
            office = await offices.office_of(session, user)
            today = local_today(zone(office.timezone))
            balance = await orders.get_week_balance(session, user_tgid=self._tgid, day=today)  # this week, office time
            stats = await recommendations.user_stats(session, user_tgid=self._tgid, today=today)
        self._office_id, self._office_zone = user.office_id, office.timezone
        self.user_name = user.name
        self.user_office = office.name
        self.reminders = user.reminders_enabled
        spent = format_money(balance.spent, self.lang)
        if balance.limit is None or balance.limit <= 0:
            self.week_text = self._t("mini.profile.no_limit", spent=spent)
            self.week_percent = 0
            self.week_over = False
        else:
            self.week_text = self._t("mini.profile.of_limit", spent=spent, limit=format_money(balance.limit, self.lang))
            self.week_percent = min(100, int(balance.spent * 100 / balance.limit))
            self.week_over = balance.spent > balance.limit
        self.stats_orders = stats.order_count
        self.stats_unique = stats.unique_dishes
        self.stats_top = [f"{name} × {count}" for name, count in stats.top_dishes]
        self.tips_enabled = bool(settings.gemini_keys)
        self.tips_summary, self.tips, self.tips_time = "", [], ""
        if self.tips_enabled:
            client = aioredis.from_url(settings.redis_url)
            try:
                cached = await recommendations.cached_tips(client, user_tgid=self._tgid)
            finally:
                await client.aclose()
            if cached is not None:
                self._show_tips(cached)

    def _show_tips(self, tips: recommendations.Tips) -> None:
        self.tips_summary = tips.summary
        self.tips = list(tips.tips)
        local = tips.generated_at.astimezone(zone(self._office_zone) if self._office_zone else get_settings().tz)
        self.tips_time = self._t("mini.profile.generated_at", time=local.strftime("%d.%m %H:%M"))

    @rx.event
    async def set_reminders(self, enabled: bool) -> None:
        try:
            async with db.session_scope() as session:
                user = await access.set_reminders(session, user_tgid=self._tgid, enabled=enabled)
            self.reminders = user.reminders_enabled
        except DomainError as exc:
            self.error = self._fail(exc)

    @rx.event(background=True)
    async def generate_tips(self) -> None:
        """Calls Gemini (seconds): a background event, so the state lock is not held meanwhile."""
        from lunch_app.ai.gemini import GeminiGenerator

        async with self:
            if self.generating or not self._tgid:
                return
            self.generating = True
            self.tips_error = ""
            tgid, lang, office_zone = self._tgid, self.lang, self._office_zone
        settings = get_settings()
        client = aioredis.from_url(settings.redis_url)
        tips: recommendations.Tips | None = None
        message = ""
        try:
            async with db.session_scope() as session:
                await require_active_user(session, tgid)
                tips = await recommendations.generate_now(
                    session,
                    client,
                    GeminiGenerator(settings, client),
                    user_tgid=tgid,
                    language=lang,
                    today=local_today(zone(office_zone)) if office_zone else None,
                )
        except DomainError as exc:
            message = exc.message(lang)
        except Exception:
            log.exception("tips generation failed")
            message = t("error.reco.failed", lang)
        finally:
            await client.aclose()
        async with self:
            self.generating = False
            self.tips_error = message
            if tips is not None:
                self._show_tips(tips)

    # ------------------------------------------------------------------------------------ wheel

    @rx.event
    def open_wheel(self) -> EventSpec:
        names = [dish.name for section in self.sections for dish in section.dishes]
        self.wheel_names = names[:12]
        self.wheel_pick_id = 0
        self.wheel_pick_name = ""
        self.sheet = "wheel"
        return self._telegram_sync()

    @rx.event
    def spin(self) -> None:
        dishes = [dish for section in self.sections for dish in section.dishes][:12]
        if not dishes:
            return
        index = random.randrange(len(dishes))
        segment = 360 / len(dishes)
        # Land the middle of segment `index` under the pointer at the top, after a few full turns.
        target = 360 - (index * segment + segment / 2)
        turns = (self.wheel_angle // 360 + 4) * 360
        self.wheel_angle = int(turns + target)
        self.wheel_pick_id = dishes[index].id
        self.wheel_pick_name = self._t("mini.wheel.result", name=dishes[index].name)
