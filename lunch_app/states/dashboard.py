"""Per-client state of the manager dashboard (SPEC §6). Thin: it holds what the screen shows and calls the domain.

Trust: the manager's Telegram id lives in a backend-only var (`_tgid`, never sent to nor settable by the
browser). It is set only by a validated `initData` (inside Telegram), by redeeming a one-time sign-in link
(desktop) or, with DEMO_MODE on, by picking a manager on the demo screen (the role re-checked on the server).
Every event that reads or changes data runs `Dashboard._act`, which opens one transaction and first
re-checks on the server that `_tgid` is an active manager; a refusal signs the client out (screen "denied").
Form setters only change the form's own text and touch no data.

The tree is shallow: the `Dashboard` root (sign-in, language, tab) and one small substate per tab.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sized
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeGuard

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app import db
from lunch_app.clock import get_clock
from lunch_app.domain import access, catalogue, digest, links, manager_views, orders, reports, schedule
from lunch_app.domain.dashboard_links import redeem_dashboard_token
from lunch_app.domain.errors import DomainError, Forbidden
from lunch_app.domain.exports import (
    day_report_csv,
    day_report_filename,
    day_report_xlsx,
    range_report_csv,
    range_report_filename,
    range_report_xlsx,
)
from lunch_app.domain.users import demo_accounts, get_user, require_manager
from lunch_app.i18n import format_money, format_options, format_order_lines, normalize_language, t
from lunch_app.models import Category, OrderStatus, RequestStatus, Tag
from lunch_app.settings import get_settings
from lunch_app.telegram_auth import InitDataInvalid, validate_init_data_now

log = logging.getLogger(__name__)

TABS = ("today", "orders", "users", "requests", "cafes", "menu", "schedule", "reports", "audit")
PAGE_SIZE = 25
READ_TELEGRAM_JS = (
    "(function(){var w=window.Telegram&&window.Telegram.WebApp;"
    "if(w){try{w.ready();w.expand();}catch(e){}}"
    "return {initData:(w&&w.initData)||'',lang:(navigator.language||'ru')};})()"
)
CATEGORIES = [c.value for c in Category]
COMBO_CATEGORIES = [c.value for c in catalogue.COMBO_CATEGORIES]
TAGS = [tag.value for tag in Tag]

Work = Callable[[AsyncSession, int], Awaitable[object]]


@dataclasses.dataclass
class DemoManager:
    tgid: int = 0
    name: str = ""
    office: str = ""


class _NotManager(Exception):
    """The session's user is not (or no longer) an active manager."""


def _int(value: object) -> Any:
    """A form's numeric text as int; anything else is passed on unchanged for the domain to refuse."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def _text_setter(var: str, limit: int) -> Callable[[Any, str], None]:
    """A form field's event handler `set_<var>`: keeps the first `limit` characters the browser sent.

    Assigned in a state's class body it becomes that state's event handler; Reflex names an event after its
    function's `__qualname__` (as it does for its own setters), hence the name set here."""

    def setter(self: Any, value: str) -> None:
        setattr(self, var, str(value)[:limit])

    setter.__name__ = setter.__qualname__ = f"set_{var}"
    return setter


def _date_text(day: date, lang: str) -> str:
    return f"{t(f'weekday_short.{day.weekday()}', lang)} {day.strftime('%d.%m.%Y')}"


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(get_settings().tz).strftime("%d.%m.%Y %H:%M")


def _is_index(index: object, items: Sized) -> TypeGuard[int]:
    """Whether the browser's `index` points at one of `items`."""
    return isinstance(index, int) and 0 <= index < len(items)


def _line_text(name: str, quantity: object, options: dict[str, str] | None = None) -> str:
    text = f"{name} × {quantity}"
    return f"{text} ({format_options(options)})" if options else text


def _with_office(name: str, office: str) -> str:
    return f"{name} · {office}" if office else name


def _contact(username: str | None, tgid: int) -> str:
    """How to reach someone on Telegram: "@username · id 123", or "id 123" without a username."""
    return (f"@{username} · " if username else "") + f"id {tgid}"


def _combo_parts(person: reports.PersonEntry) -> list[str]:
    """The first parts of a person's order as text: the combo's name and the dishes chosen in it."""
    return ([person.combo_name] if person.combo_name else []) + [line.name for line in person.combo_dishes]


# ------------------------------------------------------------------------------------------ root state


class Dashboard(rx.State):
    """Sign-in, language, current tab and the shared message line."""

    screen: str = "loading"  # loading | outside | demo | denied | link_invalid | app
    lang: str = "ru"
    tab: str = "today"
    manager_name: str = ""
    bot_username: str = ""
    error: str = ""
    notice: str = ""
    demo_managers: list[DemoManager] = []  # the "demo" screen's picker (DEMO_MODE only)

    _tgid: int = 0

    # -------------------------------------------------------------------------------- helpers

    def _t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def _set_language(self, lang: str | None) -> None:
        self.lang = normalize_language(lang)

    def _deny(self) -> None:
        self._tgid = 0
        self.screen = "denied"
        self.manager_name = ""

    async def _act(self, work: Work, *, done: str = "") -> bool:
        """Run `work(session, actor_tgid)` in one transaction after re-checking the manager on the server.

        A domain refusal becomes the translated `error` (nothing was changed); a non-manager is signed out.
        """
        self.error = ""
        self.notice = ""
        try:
            async with db.session_scope() as session:
                try:
                    await require_manager(session, self._tgid)
                except Forbidden:
                    raise _NotManager from None
                await work(session, self._tgid)
        except _NotManager:
            self._deny()
            return False
        except DomainError as exc:
            self.error = exc.message(self.lang)
            return False
        if done:
            self.notice = self._t(done)
        return True

    async def _read(self, session: AsyncSession, actor: int) -> None:
        """Sets what the tab shows from the database: each tab that lists data has its own."""
        raise NotImplementedError

    async def _load(self) -> None:
        """Reads again what the tab shows (its `_read`), as every read: after re-checking the manager."""
        await self._act(self._read)

    async def _reload(self) -> None:
        """`_load` after a change, keeping the change's notice (loading clears the message line)."""
        notice = self.notice
        await self._load()
        self.notice = notice

    async def _act_and_reload(self, work: Work, *, done: str) -> bool:
        """`_act` a change; when it is done, the tab shows the new data with the `done` notice."""
        ok = await self._act(work, done=done)
        if ok:
            await self._reload()
        return ok

    def _change_item(self, var: str, index: object, /, **changes: Any) -> None:
        """Item `index` of the list var `var` replaced by a copy with `changes`; an index off the list is ignored."""
        items = getattr(self, var)
        if _is_index(index, items):
            changed = list(items)
            changed[index] = dataclasses.replace(changed[index], **changes)
            setattr(self, var, changed)

    # -------------------------------------------------------------------------------- sign-in

    @rx.event
    async def start(self) -> Any:
        """on_load of /manager: a client signed in by a link keeps its session; otherwise read initData."""
        self.bot_username = get_settings().telegram_bot_username
        if self._tgid:
            if await self._enter(self._tgid):
                return Dashboard.open_tab(self.tab)  # type: ignore[operator]
            return None
        return rx.call_script(READ_TELEGRAM_JS, callback=Dashboard.signed)

    @rx.event
    async def signed(self, data: dict[str, Any]) -> Any:
        init_data = data.get("initData") if isinstance(data, dict) else None
        browser_lang = data.get("lang") if isinstance(data, dict) else None
        self._tgid = 0
        self._set_language(browser_lang if isinstance(browser_lang, str) else "ru")
        if not isinstance(init_data, str) or not init_data:
            if get_settings().demo_mode:
                await self._show_demo()
            else:
                self.screen = "outside"
            return None
        try:
            signed = validate_init_data_now(init_data)
        except InitDataInvalid as exc:
            log.info("dashboard sign-in refused: %s", exc.reason)
            self._deny()
            return None
        if await self._enter(signed.user.id):
            return Dashboard.open_tab(self.tab)  # type: ignore[operator]
        return None

    async def _show_demo(self) -> None:
        async with db.session_scope() as session:
            managers = await demo_accounts(session, managers_only=True)
            self.demo_managers = [DemoManager(tgid=m.tgid, name=m.name, office=m.office) for m in managers]
        self.screen = "demo"

    @rx.event
    async def demo_sign_in(self, tgid: int) -> Any:
        """A tap on the demo picker: signs in as that manager, re-checked on the server like every sign-in."""
        self._tgid = 0
        self.demo_managers = []
        if not get_settings().demo_mode:  # the browser may send this event whatever the page shows
            self.manager_name = ""
            self.screen = "outside"
            return None
        try:
            manager = access.parse_tgid(tgid)
        except DomainError:
            self._deny()
            return None
        if await self._enter(manager):
            return Dashboard.open_tab(self.tab)  # type: ignore[operator]
        return None

    @rx.event
    async def redeem(self) -> Any:
        """on_load of /manager/login?token=…: the bot's one-time link (single use, short-lived)."""
        self.bot_username = get_settings().telegram_bot_username
        return await self._redeem(self.router.url.query_parameters.get("token", ""))

    async def _redeem(self, token: object) -> Any:
        self._tgid = 0
        try:
            async with db.session_scope() as session:
                user = await redeem_dashboard_token(session, token)
                tgid = user.tgid
        except DomainError as exc:
            log.info("dashboard link refused: %s", exc.key)
            self.screen = "link_invalid"
            return None
        if await self._enter(tgid):
            return rx.redirect("/manager", replace=True)
        return None

    async def _enter(self, tgid: int) -> bool:
        async with db.session_scope() as session:
            try:
                user = await require_manager(session, tgid)
            except Forbidden:
                self._deny()
                return False
            self._tgid = user.tgid
            self.manager_name = user.name
            self._set_language(user.language)
        self.screen = "app"
        return True

    @rx.event
    def sign_out(self) -> Any:
        self._tgid = 0
        self.manager_name = ""
        if get_settings().demo_mode:  # the demo has no Telegram to come back from: start over, at the picker
            self.screen = "loading"
            return Dashboard.start
        self.screen = "outside"
        return None

    @rx.event
    def open_tab(self, tab: str) -> Any:
        if tab not in TABS:
            return None
        self.tab = tab
        self.error = ""
        self.notice = ""
        loaders = {
            "today": TodayTab.load,
            "orders": OrdersTab.load,
            "users": UsersTab.load,
            "requests": RequestsTab.load,
            "cafes": CafesTab.load,
            "menu": MenuTab.load,
            "schedule": ScheduleTab.load,
            "reports": ReportsTab.load,
            "audit": AuditTab.load,
        }
        return loaders[tab]

    @rx.event
    def dismiss(self) -> None:
        self.error = ""
        self.notice = ""

    @rx.var
    def form_hints(self) -> dict[str, str]:
        """Texts the browser shows with its own message when a form field does not match its pattern."""
        lang = self.lang
        return {
            "price": t("dash.form.money", lang, max=format_money(catalogue.MAX_PRICE, lang)),
            "limit": t("dash.form.money", lang, max=format_money(access.MAX_WEEKLY_LIMIT, lang)),
            "tgid": t("dash.form.tgid", lang),
            "option_values": t(
                "dash.form.option_values", lang, count=catalogue.MAX_OPTION_VALUES, length=catalogue.MAX_OPTION_TEXT
            ),
        }


@dataclasses.dataclass
class Choice:
    value: str = ""
    label: str = ""


async def _cafe_choices(session: AsyncSession) -> list[Choice]:
    return [Choice(value=str(cafe.id), label=cafe.name) for cafe in await catalogue.list_cafes(session)]


def _kept_or_first(value: str, choices: list[Choice]) -> str:
    """`value` while it is one of `choices`, else the first choice ("" when there is none)."""
    if value in {choice.value for choice in choices}:
        return value
    return choices[0].value if choices else ""


class Paged(rx.State, mixin=True):
    """A tab that lists PAGE_SIZE rows at a time (Orders, Users, Audit): the page, the row count, page buttons."""

    page: int = 0
    total: int = 0

    @rx.var
    def pages_text(self) -> str:
        pages = max(1, (self.total + PAGE_SIZE - 1) // PAGE_SIZE)
        return f"{self.page + 1} / {pages}"

    @rx.var
    def has_next(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total

    if TYPE_CHECKING:  # each tab's own `Dashboard._load`: the rows of `page` from `_offset()` and their `total`

        async def _load(self) -> None: ...

    def _offset(self) -> int:
        return self.page * PAGE_SIZE

    async def _first_page(self) -> None:
        """A filter changed: its rows from the first page on."""
        self.page = 0
        await self._load()

    @rx.event
    async def next_page(self) -> None:
        if self.has_next:
            self.page += 1
            await self._load()

    @rx.event
    async def prev_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            await self._load()


# ------------------------------------------------------------------------------------------ Today


@dataclasses.dataclass
class PersonLine:
    name: str = ""
    office: str = ""
    text: str = ""
    total: str = ""


@dataclasses.dataclass
class TodayCafe:
    cafe_id: int = 0
    name: str = ""
    state: str = ""
    state_text: str = ""
    cutoff: str = ""
    orders: str = ""
    total: str = ""
    dishes: list[str] = dataclasses.field(default_factory=list)
    people: list[PersonLine] = dataclasses.field(default_factory=list)
    can_resend: bool = False
    problem: str = ""


class TodayTab(Dashboard):
    day: str = ""
    cafes: list[TodayCafe] = []
    summary: str = ""
    not_ordered: list[str] = []
    not_ordered_more: str = ""

    @rx.event
    async def load(self) -> None:
        if not self.day:
            self.day = get_clock().today().isoformat()
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        summary = await manager_views.today_summary(session, actor_tgid=actor, day=self.day)
        cards = []
        for cafe in summary.cafes:
            report = cafe.report
            problem = ""
            if cafe.state == "failed":
                problem = t("dash.today.failed", lang, error=cafe.dispatch_error or "")
            elif cafe.state == "confirmed" and cafe.confirmed_by_name:
                problem = t("dash.today.confirmed_by", lang, name=cafe.confirmed_by_name)
            cards.append(
                TodayCafe(
                    cafe_id=cafe.cafe_id,
                    name=cafe.cafe_name,
                    state=cafe.state,
                    state_text=t(f"dash.state.{cafe.state}", lang),
                    cutoff=_local(cafe.cutoff_at) if cafe.cutoff_at else t("dash.today.no_cutoff", lang),
                    orders=str(report.orders_count),
                    total=format_money(report.total, lang),
                    dishes=[_line_text(d.name, d.quantity) for d in report.dishes]
                    + [_line_text(c.name, c.count) for c in report.combos],
                    people=[
                        PersonLine(
                            name=p.user_name,
                            office=p.office,
                            text="; ".join(
                                _combo_parts(p)
                                + [_line_text(line.name, line.quantity, line.options) for line in p.items]
                                + ([f"«{p.notes}»"] if p.notes else [])
                            ),
                            total=format_money(p.total, lang),
                        )
                        for p in report.people
                    ],
                    can_resend=cafe.can_resend,
                    problem=problem,
                )
            )
        self.cafes = cards
        self.summary = t("dash.today.summary", lang, ordered=summary.ordered_users, active=summary.active_users)
        self.not_ordered = [f"{p.name} ({p.office})" if p.office else p.name for p in summary.not_ordered]
        more = summary.not_ordered_total - len(summary.not_ordered)
        self.not_ordered_more = t("dash.today.more", lang, count=more) if more > 0 else ""

    @rx.event
    async def set_day(self, value: str) -> None:
        self.day = str(value)[:10]
        await self._load()

    @rx.event
    async def shift_day(self, days: int) -> None:
        try:
            current = date.fromisoformat(self.day)
        except ValueError:
            current = get_clock().today()
        step = days if isinstance(days, int) and -7 <= days <= 7 else 0
        self.day = (current + timedelta(days=step)).isoformat()
        await self._load()

    @rx.event
    async def resend(self, cafe_id: int) -> None:
        day = self.day
        await self._act_and_reload(
            lambda session, actor: digest.resend_failed_digest(session, actor_tgid=actor, cafe_id=cafe_id, day=day),
            done="dash.today.resent",
        )


# ------------------------------------------------------------------------------------------ Orders


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
    if not _is_index(pick, picks) or (value != "" and value not in picks[pick].allowed):
        return None
    changed = list(picks)
    changed[pick] = dataclasses.replace(changed[pick], chosen=value)
    return changed


class OrdersTab(Paged, Dashboard):
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
    cancel_id: int = 0
    # The cafe's available menu while the editor is open (server only): dishes by id
    # {name, category, priced, options: [[name, values, required]]} and combos by id [categories].
    _edit_dishes: dict[int, dict[str, Any]] = {}
    _edit_combos: dict[int, list[str]] = {}

    @rx.event
    async def load(self) -> None:
        if not self.f_day:
            self.f_day = get_clock().today().isoformat()
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        page = await manager_views.list_orders(
            session,
            actor_tgid=actor,
            day=self.f_day or None,
            cafe_id=_int(self.f_cafe) if self.f_cafe else None,
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
                person=_with_office(row.user_name, row.office),
                cafe=row.cafe_name,
                date=_date_text(row.order_date, lang),
                status=row.status.value,
                status_text=t(f"order_status.{row.status.value}", lang),
                lines=format_order_lines(row.combo_name, row.combo_price, row.lines, lang),
                notes=row.notes,
                total=format_money(row.total, lang),
                active=row.status != OrderStatus.cancelled,
            )
            for row in page.items
        ]
        self.cafes = await _cafe_choices(session)

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
        combo_id = _int(str(value)[:12])
        if isinstance(combo_id, int) and combo_id in self._edit_combos:
            self.edit_combo_id = str(combo_id)
            self.edit_slots = self._combo_slots(combo_id, {})
        else:
            self.edit_combo_id = ""
            self.edit_slots = []

    @rx.event
    def set_slot_dish(self, index: int, value: str) -> None:
        if not _is_index(index, self.edit_slots):
            return
        item_id = _int(str(value)[:12])
        dish = self._edit_dishes.get(item_id) if isinstance(item_id, int) else None
        if dish is None or dish["category"] != self.edit_slots[index].category:
            self._change_item("edit_slots", index, dish="", picks=[])
        else:
            self._change_item("edit_slots", index, dish=str(item_id), picks=_picks(dish["options"], {}))

    def _choose(self, var: str, index: object, pick: int, value: str) -> None:
        """Option `pick` of the slot or line `index` (of the list var `var`) set to `value`, if that is allowed."""
        items = getattr(self, var)
        if _is_index(index, items):
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

    set_edit_pick = _text_setter("edit_pick", 12)

    @rx.event
    def add_edit_line(self) -> None:
        """Adds the picked dish (from the menu loaded with the order) as a new line of one portion; its options,
        required ones included, are chosen in the line."""
        item_id = _int(self.edit_pick)
        dish = self._edit_dishes.get(item_id) if isinstance(item_id, int) else None
        if dish is None or not dish["priced"] or len(self.edit_lines) >= orders.MAX_LINES:
            return
        self.edit_lines = [*self.edit_lines, self._edit_line(len(self.edit_lines), "1", item_id, dish["name"], {})]

    set_edit_notes = _text_setter("edit_notes", orders.MAX_NOTES)

    @rx.event
    def close_edit(self) -> None:
        self.edit_id = 0
        self.error = ""

    @rx.event
    async def save_edit(self) -> None:
        """The edited order as a draft for `orders.update_order`, which checks and prices everything."""
        order_id = self.edit_id
        items = [(line.menu_item_id, _int(line.quantity), _chosen(line.picks)) for line in self.edit_lines]
        combo = (
            (_int(self.edit_combo_id), [(_int(slot.dish), _chosen(slot.picks)) for slot in self.edit_slots])
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

    @rx.event
    def ask_cancel(self, order_id: int) -> None:
        self.cancel_id = order_id if isinstance(order_id, int) else 0

    @rx.event
    def keep_order(self) -> None:
        self.cancel_id = 0

    @rx.event
    async def confirm_cancel(self) -> None:
        order_id = self.cancel_id
        self.cancel_id = 0
        await self._act_and_reload(
            lambda session, actor: orders.cancel_order(session, actor_tgid=actor, order_id=order_id),
            done="dash.orders.cancelled",
        )


# ------------------------------------------------------------------------------------------ Users


@dataclasses.dataclass
class UserCard:
    tgid: int = 0
    name: str = ""
    office: str = ""
    username: str = ""
    details: str = ""  # office · @username · id
    role: str = ""
    role_text: str = ""
    active: bool = True
    limit: str = ""


class UsersTab(Paged, Dashboard):
    search: str = ""
    rows: list[UserCard] = []
    form_mode: str = ""  # "" | add | edit
    form_tgid: str = ""
    form_name: str = ""
    form_office: str = ""
    form_role: str = "employee"
    form_limit: str = ""
    delete_tgid: int = 0
    delete_name: str = ""

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        page = await access.list_users(session, search=self.search or None, offset=self._offset(), limit=PAGE_SIZE)
        self.total = page.total
        self.rows = [
            UserCard(
                tgid=user.tgid,
                name=user.name,
                office=user.office,
                username=f"@{user.username}" if user.username else "",
                details=" · ".join(part for part in (user.office, _contact(user.username, user.tgid)) if part),
                role=user.role.value,
                role_text=t(f"role.{user.role.value}", lang),
                active=user.is_active,
                limit=format_money(user.weekly_limit, lang)
                if user.weekly_limit is not None
                else t("dash.users.no_limit", lang),
            )
            for user in page.items
        ]

    @rx.event
    async def set_search(self, value: str) -> None:
        self.search = str(value)[:100]
        await self._first_page()

    @rx.event
    def open_add(self) -> None:
        self.form_mode = "add"
        self.form_tgid = ""
        self.form_name = ""
        self.form_office = ""
        self.form_role = "employee"
        self.form_limit = ""
        self.error = ""

    @rx.event
    async def open_edit(self, tgid: int) -> None:
        async def work(session: AsyncSession, actor: int) -> None:
            user = await get_user(session, tgid)
            self.form_mode = "edit"
            self.form_tgid = str(user.tgid)
            self.form_name = user.name
            self.form_office = user.office
            self.form_role = user.role.value
            self.form_limit = "" if user.weekly_limit is None else str(user.weekly_limit)

        await self._act(work)

    @rx.event
    def close_form(self) -> None:
        self.form_mode = ""
        self.error = ""

    set_form_tgid = _text_setter("form_tgid", 20)
    set_form_name = _text_setter("form_name", 200)
    set_form_office = _text_setter("form_office", 200)
    set_form_role = _text_setter("form_role", 16)
    set_form_limit = _text_setter("form_limit", 20)

    @rx.event
    async def save_form(self) -> None:
        mode = self.form_mode
        data = {
            "name": self.form_name,
            "office": self.form_office,
            "role": self.form_role,
            "weekly_limit": self.form_limit.strip().replace(",", "."),
        }
        tgid = _int(self.form_tgid)

        async def work(session: AsyncSession, actor: int) -> None:
            if mode == "add":
                await access.add_user(session, actor_tgid=actor, data={"tgid": tgid, **data})
            else:
                await access.update_user(session, actor_tgid=actor, tgid=tgid, data=data)

        if await self._act_and_reload(work, done="dash.saved"):
            self.form_mode = ""

    @rx.event
    async def set_active(self, tgid: int, active: bool) -> None:
        await self._act_and_reload(
            lambda session, actor: access.set_user_active(session, actor_tgid=actor, tgid=tgid, active=active),
            done="dash.saved",
        )

    @rx.event
    def ask_delete(self, tgid: int, name: str) -> None:
        self.delete_tgid = tgid if isinstance(tgid, int) else 0
        self.delete_name = str(name)[:100]

    @rx.event
    def keep_user(self) -> None:
        self.delete_tgid = 0

    @rx.event
    async def confirm_delete(self) -> None:
        tgid = self.delete_tgid
        self.delete_tgid = 0
        await self._act_and_reload(
            lambda session, actor: access.delete_user(session, actor_tgid=actor, tgid=tgid), done="dash.users.deleted"
        )


# ------------------------------------------------------------------------------------------ Access requests


@dataclasses.dataclass
class RequestCard:
    id: int = 0
    name: str = ""
    office: str = ""
    contact: str = ""
    status: str = ""
    status_text: str = ""
    created: str = ""
    processed: str = ""


class RequestsTab(Dashboard):
    status: str = "pending"
    rows: list[RequestCard] = []
    reject_id: int = 0

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        requests = await access.list_requests(session, status=self.status or None)
        self.rows = [
            RequestCard(
                id=request.id or 0,
                name=request.name,
                office=request.office,
                contact=_contact(request.username, request.tgid),
                status=request.status.value,
                status_text=t(f"request_status.{request.status.value}", lang),
                created=_local(request.created_at),
                processed=_local(request.processed_at),
            )
            for request in requests[:500]
        ]

    @rx.event
    async def set_status(self, value: str) -> None:
        self.status = "" if value == "all" else str(value)[:16]
        await self._load()

    @rx.event
    async def approve(self, request_id: int) -> None:
        await self._act_and_reload(
            lambda session, actor: access.approve_request(session, actor_tgid=actor, request_id=request_id),
            done="dash.requests.approved",
        )

    @rx.event
    def ask_reject(self, request_id: int) -> None:
        self.reject_id = request_id if isinstance(request_id, int) else 0

    @rx.event
    def keep_request(self) -> None:
        self.reject_id = 0

    @rx.event
    async def confirm_reject(self) -> None:
        request_id = self.reject_id
        self.reject_id = 0
        await self._act_and_reload(
            lambda session, actor: access.reject_request(session, actor_tgid=actor, request_id=request_id),
            done="dash.requests.rejected",
        )


# ------------------------------------------------------------------------------------------ Cafes


@dataclasses.dataclass
class CafeCard:
    id: int = 0
    name: str = ""
    description: str = ""
    active: bool = True
    notifications: bool = True
    linked: bool = False
    link_text: str = ""


@dataclasses.dataclass
class LinkCard:
    id: int = 0
    cafe: str = ""
    chat: str = ""
    requester: str = ""
    created: str = ""


class CafesTab(Dashboard):
    rows: list[CafeCard] = []
    link_requests: list[LinkCard] = []
    form_mode: str = ""  # "" | add | edit
    form_id: int = 0
    form_name: str = ""
    form_description: str = ""
    unlink_id: int = 0

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        cafes = await catalogue.list_cafes(session)
        self.rows = [
            CafeCard(
                id=cafe.id,
                name=cafe.name,
                description=cafe.description,
                active=cafe.is_active,
                notifications=cafe.notifications_enabled,
                linked=cafe.tg_chat_id is not None,
                link_text=t("dash.cafes.linked", lang, chat=cafe.tg_chat_title or str(cafe.tg_chat_id))
                if cafe.tg_chat_id is not None
                else t("dash.cafes.not_linked", lang),
            )
            for cafe in cafes
        ]
        pending = await links.list_link_requests(session, status=RequestStatus.pending.value)
        self.link_requests = [
            LinkCard(
                id=request.id,
                cafe=request.cafe_name,
                chat=request.chat_title,
                requester=_contact(request.requested_by_username, request.requested_by),
                created=_local(request.created_at),
            )
            for request in pending
        ]

    @rx.event
    def open_add(self) -> None:
        self.form_mode = "add"
        self.form_id = 0
        self.form_name = ""
        self.form_description = ""
        self.error = ""

    @rx.event
    def open_edit(self, cafe_id: int) -> None:
        cafe = next((row for row in self.rows if row.id == cafe_id), None)
        if cafe is None:
            return
        self.form_mode = "edit"
        self.form_id = cafe.id
        self.form_name = cafe.name
        self.form_description = cafe.description
        self.error = ""

    @rx.event
    def close_form(self) -> None:
        self.form_mode = ""
        self.error = ""

    set_form_name = _text_setter("form_name", 200)
    set_form_description = _text_setter("form_description", 2000)

    @rx.event
    async def save_form(self) -> None:
        mode, cafe_id = self.form_mode, self.form_id
        data = {"name": self.form_name, "description": self.form_description}

        async def work(session: AsyncSession, actor: int) -> None:
            if mode == "add":
                await catalogue.create_cafe(session, actor_tgid=actor, data=data)
            else:
                await catalogue.update_cafe(session, actor_tgid=actor, cafe_id=cafe_id, data=data)

        if await self._act_and_reload(work, done="dash.saved"):
            self.form_mode = ""

    @rx.event
    async def set_active(self, cafe_id: int, active: bool) -> None:
        await self._act_and_reload(
            lambda session, actor: catalogue.set_cafe_active(session, actor_tgid=actor, cafe_id=cafe_id, active=active),
            done="dash.saved",
        )

    @rx.event
    async def set_notifications(self, cafe_id: int, enabled: bool) -> None:
        await self._act_and_reload(
            lambda session, actor: catalogue.set_notifications(
                session, actor_tgid=actor, cafe_id=cafe_id, enabled=enabled
            ),
            done="dash.saved",
        )

    @rx.event
    def ask_unlink(self, cafe_id: int) -> None:
        self.unlink_id = cafe_id if isinstance(cafe_id, int) else 0

    @rx.event
    def keep_link(self) -> None:
        self.unlink_id = 0

    @rx.event
    async def confirm_unlink(self) -> None:
        cafe_id = self.unlink_id
        self.unlink_id = 0
        await self._act_and_reload(
            lambda session, actor: catalogue.unlink_cafe(session, actor_tgid=actor, cafe_id=cafe_id),
            done="dash.cafes.unlinked",
        )

    @rx.event
    async def approve_link(self, request_id: int) -> None:
        await self._act_and_reload(
            lambda session, actor: links.approve_link(session, actor_tgid=actor, request_id=request_id),
            done="dash.cafes.link_approved",
        )

    @rx.event
    async def reject_link(self, request_id: int) -> None:
        await self._act_and_reload(
            lambda session, actor: links.reject_link(session, actor_tgid=actor, request_id=request_id),
            done="dash.cafes.link_rejected",
        )


# ------------------------------------------------------------------------------------------ Menu


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


class MenuTab(Dashboard):
    cafes: list[Choice] = []
    cafe_id: str = ""
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
    # delete confirmation: "dish:<id>" or "combo:<id>"
    delete_ref: str = ""
    delete_name: str = ""

    @rx.var
    def combo_has_category(self) -> bool:
        """A combo needs at least one category (the domain's rule); until then its form cannot be saved."""
        return len(self.combo_categories) > 0

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        self.cafes = await _cafe_choices(session)
        self.cafe_id = _kept_or_first(self.cafe_id, self.cafes)
        if not self.cafe_id:
            self.dishes = []
            self.combos = []
            return
        menu = await catalogue.get_menu(session, int(self.cafe_id), available_only=False)
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

    @rx.event
    async def select_cafe(self, value: str) -> None:
        self.cafe_id = str(value)[:12]
        await self._load()

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
        cafe_id = _int(self.cafe_id)

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
        self.dish_mode = ""
        self.error = ""

    set_dish_name = _text_setter("dish_name", 200)
    set_dish_description = _text_setter("dish_description", 2000)
    set_dish_category = _text_setter("dish_category", 16)
    set_dish_price = _text_setter("dish_price", 20)
    set_dish_sort = _text_setter("dish_sort", 10)

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
        if _is_index(index, self.dish_options):
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
        mode, item_id, cafe_id = self.dish_mode, self.dish_id, _int(self.cafe_id)
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
            "sort_order": _int(self.dish_sort or "0"),
        }

        async def work(session: AsyncSession, actor: int) -> None:
            if mode == "add":
                await catalogue.create_item(session, actor_tgid=actor, cafe_id=cafe_id, data=data)
            else:
                await catalogue.update_item(session, actor_tgid=actor, cafe_id=cafe_id, item_id=item_id, data=data)

        if await self._act_and_reload(work, done="dash.saved"):
            self.dish_mode = ""

    @rx.event
    async def set_dish_available(self, item_id: int, available: bool) -> None:
        cafe_id = _int(self.cafe_id)
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
        cafe_id = _int(self.cafe_id)

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
        self.combo_mode = ""
        self.error = ""

    set_combo_name = _text_setter("combo_name", 200)
    set_combo_price = _text_setter("combo_price", 20)

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
        mode, combo_id, cafe_id = self.combo_mode, self.combo_id, _int(self.cafe_id)
        data = {
            "name": self.combo_name,
            "price": self.combo_price.strip().replace(",", ".") or None,
            "categories": list(self.combo_categories),
        }

        async def work(session: AsyncSession, actor: int) -> None:
            if mode == "add":
                await catalogue.create_combo(session, actor_tgid=actor, cafe_id=cafe_id, data=data)
            else:
                await catalogue.update_combo(session, actor_tgid=actor, cafe_id=cafe_id, combo_id=combo_id, data=data)

        if await self._act_and_reload(work, done="dash.saved"):
            self.combo_mode = ""

    @rx.event
    async def set_combo_available(self, combo_id: int, available: bool) -> None:
        cafe_id = _int(self.cafe_id)
        await self._act_and_reload(
            lambda session, actor: catalogue.set_combo_available(
                session, actor_tgid=actor, cafe_id=cafe_id, combo_id=combo_id, available=available
            ),
            done="dash.saved",
        )

    # delete -----------------------------------------------------------------------

    @rx.event
    def ask_delete(self, ref: str, name: str) -> None:
        kind, _, number = str(ref).partition(":")
        self.delete_ref = ref if kind in ("dish", "combo") and number.isdigit() else ""
        self.delete_name = str(name)[:100]

    @rx.event
    def keep_item(self) -> None:
        self.delete_ref = ""

    @rx.event
    async def confirm_delete(self) -> None:
        kind, _, number = self.delete_ref.partition(":")
        self.delete_ref = ""
        if kind not in ("dish", "combo") or not number.isdigit():
            return
        cafe_id = _int(self.cafe_id)
        outcome: list[catalogue.DeleteOutcome] = []

        async def work(session: AsyncSession, actor: int) -> None:
            if kind == "dish":
                result = await catalogue.delete_item(session, actor_tgid=actor, cafe_id=cafe_id, item_id=int(number))
            else:
                result = await catalogue.delete_combo(session, actor_tgid=actor, cafe_id=cafe_id, combo_id=int(number))
            outcome.append(result)

        if await self._act(work):
            if outcome:
                self.notice = self._t(f"dash.menu.outcome.{outcome[0].value}")
            await self._reload()


# ------------------------------------------------------------------------------------------ Schedule


@dataclasses.dataclass
class ScheduleRow:
    weekday: int = 0
    label: str = ""
    short: str = ""
    time: str = "10:00"
    days: str = "0"
    enabled: bool = False
    configured: bool = False


class ScheduleTab(Dashboard):
    cafes: list[Choice] = []
    cafe_id: str = ""
    rows: list[ScheduleRow] = []

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        self.cafes = await _cafe_choices(session)
        self.cafe_id = _kept_or_first(self.cafe_id, self.cafes)
        if not self.cafe_id:
            self.rows = []
            return
        week = await schedule.get_week_schedule(session, int(self.cafe_id))
        self.rows = [
            ScheduleRow(
                weekday=day.weekday,
                label=t(f"weekday.{day.weekday}", lang),
                short=t(f"weekday_short.{day.weekday}", lang),
                time=day.cutoff_time,
                days=str(day.cutoff_days_before),
                enabled=day.is_enabled and day.configured,
                configured=day.configured,
            )
            for day in week
        ]

    @rx.event
    async def select_cafe(self, value: str) -> None:
        self.cafe_id = str(value)[:12]
        await self._load()

    @rx.event
    def set_time(self, index: int, value: str) -> None:
        self._change_item("rows", index, time=str(value)[:8])

    @rx.event
    def set_days(self, index: int, value: str) -> None:
        self._change_item("rows", index, days=str(value)[:4])

    @rx.event
    def set_enabled(self, index: int, value: bool) -> None:
        self._change_item("rows", index, enabled=bool(value))

    @rx.event
    async def save(self) -> None:
        cafe_id = _int(self.cafe_id)
        # A weekday never configured and still off stays "no delivery"; everything else is stored.
        rows = [
            {
                "weekday": row.weekday,
                "cutoff_time": row.time,
                "cutoff_days_before": _int(row.days),
                "is_enabled": row.enabled,
            }
            for row in self.rows
            if row.configured or row.enabled
        ]

        async def work(session: AsyncSession, actor: int) -> None:
            if rows:
                await schedule.set_week_schedule(session, actor_tgid=actor, cafe_id=cafe_id, rows=rows)

        await self._act_and_reload(work, done="dash.saved")


# ------------------------------------------------------------------------------------------ Reports


@dataclasses.dataclass
class ReportRow:
    name: str = ""
    detail: str = ""
    amount: str = ""


class ReportsTab(Dashboard):
    mode: str = "day"  # day | range
    cafes: list[Choice] = []
    cafe_id: str = ""
    day: str = ""
    range_start: str = ""
    range_end: str = ""
    title: str = ""
    totals: str = ""
    section_a: list[ReportRow] = []  # day: dishes and combos; range: employees
    section_b: list[ReportRow] = []  # day: people; range: cafes
    shown: bool = False

    @rx.event
    async def load(self) -> None:
        today = get_clock().today()
        self.day = self.day or today.isoformat()
        self.range_start = self.range_start or today.replace(day=1).isoformat()
        self.range_end = self.range_end or today.isoformat()

        async def work(session: AsyncSession, actor: int) -> None:
            self.cafes = await _cafe_choices(session)
            if self.mode == "day":
                self.cafe_id = _kept_or_first(self.cafe_id, self.cafes)

        if await self._act(work):
            await self._show()

    @rx.event
    async def set_mode(self, value: str) -> None:
        self.mode = "range" if value == "range" else "day"
        if self.mode == "day" and not self.cafe_id and self.cafes:
            self.cafe_id = self.cafes[0].value
        await self._show()

    @rx.event
    async def set_cafe(self, value: str) -> None:
        self.cafe_id = "" if value == "all" else str(value)[:12]
        await self._show()

    @rx.event
    async def set_day(self, value: str) -> None:
        self.day = str(value)[:10]
        await self._show()

    @rx.event
    async def set_range_start(self, value: str) -> None:
        self.range_start = str(value)[:10]
        await self._show()

    @rx.event
    async def set_range_end(self, value: str) -> None:
        self.range_end = str(value)[:10]
        await self._show()

    async def _build(self, session: AsyncSession, actor: int) -> reports.DayReport | reports.RangeReport:
        if self.mode == "day":
            return await reports.day_report_for_manager(session, actor_tgid=actor, cafe_id=self.cafe_id, day=self.day)
        return await reports.range_report_for_manager(
            session, actor_tgid=actor, start=self.range_start, end=self.range_end, cafe_id=self.cafe_id or None
        )

    async def _show(self) -> None:
        lang = self.lang
        self.shown = False

        async def work(session: AsyncSession, actor: int) -> None:
            report = await self._build(session, actor)
            if isinstance(report, reports.DayReport):
                self.title = t("dash.reports.day_title", lang, cafe=report.cafe_name, date=_date_text(report.day, lang))
                self.totals = t(
                    "dash.reports.totals", lang, count=report.orders_count, total=format_money(report.total, lang)
                )
                self.section_a = [
                    ReportRow(
                        name=d.name,
                        detail=f"× {d.quantity}"
                        + (t("dash.reports.in_combos", lang, count=d.combo_quantity) if d.combo_quantity else ""),
                        amount=format_money(d.amount, lang),
                    )
                    for d in report.dishes
                ] + [
                    ReportRow(name=c.name, detail=f"× {c.count}", amount=format_money(c.amount, lang))
                    for c in report.combos
                ]
                self.section_b = [
                    ReportRow(
                        name=_with_office(p.user_name, p.office),
                        detail="; ".join(_combo_parts(p) + [_line_text(line.name, line.quantity) for line in p.items]),
                        amount=format_money(p.total, lang),
                    )
                    for p in report.people
                ]
            else:
                self.title = t(
                    "dash.reports.range_title",
                    lang,
                    start=report.start.strftime("%d.%m.%Y"),
                    end=report.end.strftime("%d.%m.%Y"),
                )
                self.totals = t(
                    "dash.reports.totals", lang, count=report.orders_count, total=format_money(report.total, lang)
                )
                self.section_a = [
                    ReportRow(
                        name=e.name,
                        detail=(f"{e.office} · " if e.office else "")
                        + t("dash.reports.orders_n", lang, count=e.orders_count),
                        amount=format_money(e.total, lang),
                    )
                    for e in report.employees
                ]
                self.section_b = [
                    ReportRow(
                        name=c.name,
                        detail=t("dash.reports.orders_n", lang, count=c.orders_count),
                        amount=format_money(c.total, lang),
                    )
                    for c in report.cafes
                ]
            self.shown = True

        if self.mode == "day" and not self.cafe_id:
            return
        await self._act(work)

    @rx.event
    async def download(self, kind: str) -> Any:
        """CSV or XLSX of what is on screen, built on the server for the signed-in manager."""
        if kind not in ("csv", "xlsx"):
            return None
        lang = self.lang
        files: list[tuple[bytes, str, str]] = []

        async def work(session: AsyncSession, actor: int) -> None:
            report = await self._build(session, actor)
            if isinstance(report, reports.DayReport):
                data = day_report_csv(report, lang) if kind == "csv" else day_report_xlsx(report, lang)
                name = day_report_filename(report, kind)
            else:
                data = range_report_csv(report, lang) if kind == "csv" else range_report_xlsx(report, lang)
                name = range_report_filename(report, kind)
            mime = "text/csv" if kind == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            files.append((data, name, mime))

        if await self._act(work) and files:
            data, name, mime = files[0]
            return rx.download(data=data, filename=name, mime_type=mime)
        return None


# ------------------------------------------------------------------------------------------ Audit


@dataclasses.dataclass
class AuditCard:
    at: str = ""
    actor: str = ""
    action: str = ""
    entity: str = ""
    details: str = ""


class AuditTab(Paged, Dashboard):
    search: str = ""
    rows: list[AuditCard] = []

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        page = await manager_views.list_audit(
            session, actor_tgid=actor, search=self.search or None, offset=self._offset(), limit=PAGE_SIZE
        )
        self.total = page.total
        self.rows = [
            AuditCard(
                at=_local(entry.at),
                actor=(entry.actor_name or t("dash.audit.system", lang))
                + (f" · {entry.actor_tgid}" if entry.actor_tgid else ""),
                action=_action_text(entry.action, lang),
                entity=f"{entry.entity} {entry.entity_id or ''}".strip(),
                details=_details_text(entry.details),
            )
            for entry in page.items
        ]

    @rx.event
    async def set_search(self, value: str) -> None:
        self.search = str(value)[:100]
        await self._first_page()


def _action_text(action: str, lang: str) -> str:
    key = f"dash.audit.action.{action}"
    text = t(key, lang)
    return action if text == key else text


def _details_text(details: dict[str, Any], limit: int = 300) -> str:
    parts = []
    for key, value in details.items():
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            parts.append(f"{key}: {value['from']} → {value['to']}")
        elif isinstance(value, list | dict):
            parts.append(f"{key}: …")
        else:
            parts.append(f"{key}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
