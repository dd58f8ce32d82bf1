"""The dashboard's root state and what every tab's substate shares: sign-in, tab switching, the guarded
transaction `_act`, the paged list and the confirm-then-act question (SPEC §6).

Trust: the manager's Telegram id lives in a backend-only var (`_tgid`, never sent to nor settable by the
browser). It is set only by a validated `initData` (inside Telegram), by redeeming a one-time sign-in link
(desktop) or, with DEMO_MODE on, by picking a manager on the demo screen (the role re-checked on the server).
Every event that reads or changes data runs `Dashboard._act`, which opens one transaction and first
re-checks on the server that `_tgid` is an active manager; a refusal signs the client out (screen "denied").
Form setters only change the form's own text and touch no data.

The tree is shallow: the `Dashboard` root (sign-in, language, tab) and one small substate per tab, each in the
module of this package named after its tab (the page's view of it has the same name in lunch_app/pages/manager).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app import db
from lunch_app.clock import get_clock, local_today, zone
from lunch_app.domain import access, catalogue, offices
from lunch_app.domain.dashboard_links import redeem_dashboard_token
from lunch_app.domain.errors import DomainError, Forbidden
from lunch_app.domain.tables import MAX_FILE_BYTES
from lunch_app.domain.users import demo_accounts, require_manager
from lunch_app.i18n import format_money, normalize_language, t
from lunch_app.settings import get_settings
from lunch_app.states.manager.formats import local_time
from lunch_app.states.manager.inputs import Choice, cafe_choices, is_index, kept_or_first
from lunch_app.telegram_auth import InitDataInvalid, validate_init_data_now

log = logging.getLogger(__name__)

TABS = ("today", "orders", "users", "requests", "cafes", "menu", "schedule", "calendar", "reports", "audit")
PAGE_SIZE = 25
READ_TELEGRAM_JS = (
    "(function(){var w=window.Telegram&&window.Telegram.WebApp;"
    "if(w){try{w.ready();w.expand();}catch(e){}}"
    "return {initData:(w&&w.initData)||'',lang:(navigator.language||'ru')};})()"
)

Work = Callable[[AsyncSession, int], Awaitable[object]]


@dataclasses.dataclass
class DemoManager:
    tgid: int = 0
    name: str = ""
    office: str = ""


class _NotManager(Exception):
    """The session's user is not (or no longer) an active manager."""


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
    _zone: str = ""  # the manager's office's IANA zone: the dashboard's "today" and clock times are on it

    # -------------------------------------------------------------------------------- helpers

    def _t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def _set_language(self, lang: str | None) -> None:
        self.lang = normalize_language(lang)

    def _today(self) -> date:
        """The manager's today: the date on their office's clock."""
        return local_today(zone(self._zone)) if self._zone else get_clock().today()

    def _time(self, moment: datetime | None) -> str:
        return local_time(moment, self._zone)

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

    def _close_form(self, mode_var: str) -> None:
        """A form sheet's Close: the sheet (open while `mode_var` is "add" or "edit") goes, and its message too."""
        setattr(self, mode_var, "")
        self.error = ""

    async def _save_form(self, mode_var: str, *, add: Work, edit: Work) -> None:
        """A form sheet's Save: the change for the mode it was opened in (`mode_var`), guarded by `_act`; once
        it is done the sheet closes and the tab shows the new data. A refusal keeps the sheet open with it."""
        work = add if getattr(self, mode_var) == "add" else edit
        if await self._act_and_reload(work, done="dash.saved"):
            setattr(self, mode_var, "")

    def _change_item(self, var: str, index: object, /, **changes: Any) -> None:
        """Item `index` of the list var `var` replaced by a copy with `changes`; an index off the list is ignored."""
        items = getattr(self, var)
        if is_index(index, items):
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
            self._zone = (await offices.office_of(session, user)).timezone
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

    # -------------------------------------------------------------------------------- tabs

    @rx.event
    def open_tab(self, tab: str) -> Any:
        """Shows `tab` and loads it: the `load` of the tab's substate (the `Tab` whose TAB it is)."""
        if tab not in TABS:
            return None
        self.tab = tab
        self.error = ""
        self.notice = ""
        return next(state.event_handlers["load"] for state in Tab.__subclasses__() if tab == state.TAB)

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


class Tab(rx.State, mixin=True):
    """What makes a substate of `Dashboard` a tab: its name in TABS and `load`, which opening the tab runs
    (`_load`; a tab that needs more before it reads has its own `load`)."""

    TAB: ClassVar[str] = ""

    if TYPE_CHECKING:  # `Dashboard._load`, the tab's state being a Dashboard

        async def _load(self) -> None: ...

    @rx.event
    async def load(self) -> None:
        await self._load()


class CafePicker(rx.State, mixin=True):
    """A tab that shows one cafe at a time (Menu, Schedule): the cafes to pick from and the one picked."""

    cafes: list[Choice] = []
    cafe_id: str = ""

    if TYPE_CHECKING:

        async def _load(self) -> None: ...

    async def _picked_cafe(self, session: AsyncSession) -> int | None:
        """Reads the cafes again and keeps the picked one while it exists, else picks the first; None: no cafe."""
        self.cafes = await cafe_choices(session)
        self.cafe_id = kept_or_first(self.cafe_id, self.cafes)
        return int(self.cafe_id) if self.cafe_id else None

    @rx.event
    async def select_cafe(self, value: str) -> None:
        self.cafe_id = str(value)[:12]
        await self._load()


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


class Confirm(rx.State, mixin=True):
    """Confirm-then-act, once for every tab that asks before a change (cancel an order, delete a user, …).

    `ask(action, target, name)` opens the question about one row, `keep` closes it, `confirm` closes it and
    runs the tab's `_confirmed(action, target)`, a guarded change like any other. Only the tab's ACTIONS can be
    asked; the question holds just the row's id and the name it shows."""

    asked: str = ""  # the action waiting for a yes; "" while no question is open
    asked_id: int = 0  # the row it is about
    asked_name: str = ""  # how the question names that row

    ACTIONS: ClassVar[tuple[str, ...]] = ()

    async def _confirmed(self, action: str, target: int) -> None:
        raise NotImplementedError

    def _close_question(self) -> None:
        self.asked = ""
        self.asked_id = 0
        self.asked_name = ""

    @rx.event
    def ask(self, action: str, target: int, name: str) -> None:
        """Opens the question about `target`; `name` is how it names the row ("" for none)."""
        if action in self.ACTIONS and isinstance(target, int):
            self.asked, self.asked_id, self.asked_name = action, target, str(name)[:100]
        else:
            self._close_question()

    @rx.event
    def keep(self) -> None:
        self._close_question()

    @rx.event
    async def confirm(self) -> None:
        action, target = self.asked, self.asked_id
        self._close_question()
        if action in self.ACTIONS:
            await self._confirmed(action, target)


class FileUpload(rx.State, mixin=True):
    """A tab that imports a file (people, holidays): the file the manager chose, kept on the server until applied."""

    import_name: str = ""  # the chosen file's name
    import_error: str = ""  # what is wrong with the file as a whole
    _import_content: bytes = b""

    if TYPE_CHECKING:

        def _t(self, key: str, **params: Any) -> str: ...

    async def _received(self, files: list[Any]) -> bytes | None:
        """The first file the browser sent (its name kept to show); None when there is none or, with the reason
        shown, when it is larger than an import takes (the domain's limit)."""
        self.import_name, self.import_error, self._import_content = "", "", b""
        if not files:
            return None
        content = await files[0].read(MAX_FILE_BYTES + 1)
        self.import_name = (files[0].filename or "")[-100:]
        if len(content) > MAX_FILE_BYTES:
            self.import_error = self._t("error.import.too_big", max_mb=MAX_FILE_BYTES // (1024 * 1024))
            return None
        return bytes(content)
