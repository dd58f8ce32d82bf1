"""The Calendar tab (issue 11): the offices (add, edit, their time zone, address and working week, on/off), one
office's holidays and extra working days (add, edit, remove, import a year from a CSV/XLSX/ICS file), and the cafes'
closures (add, edit, remove).

A change that would close days with live orders is first previewed (the domain runs it in a savepoint and rolls it
back, domain/dry_run.py); the manager then sees how many placed orders will be cancelled (their owners are told)
and how many already went to the cafe, and confirms. A change that touches no orders is applied at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import calendar, offices
from lunch_app.domain.tables import TableError
from lunch_app.i18n import t
from lunch_app.states.manager.formats import date_text, span_text
from lunch_app.states.manager.inputs import Choice, as_int, cafe_choices, is_index, kept_or_first, text_setter
from lunch_app.states.manager.root import Confirm, Dashboard, FileUpload, Tab

IMPORT_UPLOAD = "calendar-import-upload"

Change = Callable[[AsyncSession, int, bool], Awaitable[calendar.CalendarEffect]]


@dataclasses.dataclass
class WeekdayPick:
    weekday: int = 0
    label: str = ""
    on: bool = False


@dataclasses.dataclass
class HolidayLine:
    id: int = 0
    dates: str = ""
    name: str = ""
    start: str = ""
    end: str = ""


@dataclasses.dataclass
class WorkdayLine:
    id: int = 0
    date: str = ""
    name: str = ""


@dataclasses.dataclass
class ClosureLine:
    id: int = 0
    cafe_id: int = 0
    cafe: str = ""
    dates: str = ""
    note: str = ""
    start: str = ""
    end: str = ""


@dataclasses.dataclass
class ImportEntry:
    line: int = 0
    kind: str = ""  # holiday | workday
    kind_text: str = ""
    dates: str = ""
    name: str = ""


class CalendarTab(Tab, Confirm, FileUpload, Dashboard):
    TAB: ClassVar[str] = "calendar"
    ACTIONS: ClassVar[tuple[str, ...]] = ("apply", "delete_holiday", "delete_workday", "delete_closure")

    offices: list[Choice] = []
    office_id: str = ""
    office_name: str = ""
    office_zone: str = ""
    office_address: str = ""
    office_active: bool = True
    week: list[WeekdayPick] = []
    holidays: list[HolidayLine] = []
    workdays: list[WorkdayLine] = []
    closures: list[ClosureLine] = []
    cafes: list[Choice] = []

    # one form at a time: office_add | office_edit | holiday_add | holiday_edit | workday_add | closure_add |
    # closure_edit | import
    form_mode: str = ""
    form_id: int = 0
    form_name: str = ""
    form_timezone: str = ""
    form_address: str = ""
    form_start: str = ""
    form_end: str = ""
    form_cafe: str = ""
    zones: list[str] = []

    import_entries: list[ImportEntry] = []
    import_problems: list[str] = []

    _pending: dict[str, Any] = {}  # the change waiting for the manager's yes (kind + its data)

    # -------------------------------------------------------------------------------- reading

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        known = await offices.list_offices(session)
        self.offices = [Choice(value=str(office.id), label=office.name) for office in known]
        self.office_id = kept_or_first(self.office_id, self.offices)
        office = next((o for o in known if str(o.id) == self.office_id), None)
        today = self._today()
        if office is not None:
            self.office_name, self.office_zone, self.office_address = office.name, office.timezone, office.address
            self.office_active = office.is_active
            self.week = [
                WeekdayPick(weekday=day, label=t(f"weekday_short.{day}", lang), on=day in office.working_weekdays)
                for day in range(7)
            ]
            entries = await calendar.office_entries(session, actor_tgid=actor, office_id=office.id, since=today)
            self.holidays = [
                HolidayLine(
                    id=h.id,
                    dates=span_text(h.start, h.end, lang),
                    name=h.name,
                    start=h.start.isoformat(),
                    end=h.end.isoformat(),
                )
                for h in entries.holidays
            ]
            self.workdays = [
                WorkdayLine(id=e.id, date=date_text(e.day, lang), name=e.name) for e in entries.extra_workdays
            ]
        else:
            self.office_name = self.office_zone = self.office_address = ""
            self.week, self.holidays, self.workdays = [], [], []
        self.cafes = await cafe_choices(session)
        names = {choice.value: choice.label for choice in self.cafes}
        self.closures = [
            ClosureLine(
                id=c.id,
                cafe_id=c.cafe_id,
                cafe=names.get(str(c.cafe_id), ""),
                dates=span_text(c.start, c.end, lang),
                note=c.note,
                start=c.start.isoformat(),
                end=c.end.isoformat(),
            )
            for c in await calendar.upcoming_closures(session, since=today)
        ]

    @rx.event
    async def select_office(self, value: str) -> None:
        self.office_id = str(value)[:12]
        await self._load()

    # -------------------------------------------------------------------------------- previews and changes

    def _impact(self, effect: calendar.CalendarEffect) -> str:
        parts = []
        if effect.cancelled:
            parts.append(self._t("dash.calendar.will_cancel", count=len(effect.cancelled)))
        if effect.already_sent:
            parts.append(self._t("dash.calendar.already_sent", count=len(effect.already_sent)))
        return " ".join(parts)

    def _change(self, kind: str, data: dict[str, Any]) -> Change:
        """The domain call of a change of `kind` with the form's `data`, runnable as a preview or for real."""
        office_id, item_id = as_int(self.office_id), data.get("id")

        async def run(session: AsyncSession, actor: int, dry_run: bool) -> calendar.CalendarEffect:
            fields = {key: value for key, value in data.items() if key not in ("id", "cafe_id")}
            if kind == "holiday_add":
                done = await calendar.add_holiday(
                    session, actor_tgid=actor, office_id=office_id, data=fields, dry_run=dry_run
                )
            elif kind == "holiday_edit":
                done = await calendar.update_holiday(
                    session, actor_tgid=actor, holiday_id=item_id, data=fields, dry_run=dry_run
                )
            elif kind == "closure_add":
                done = await calendar.add_closure(
                    session, actor_tgid=actor, cafe_id=as_int(data.get("cafe_id")), data=fields, dry_run=dry_run
                )
            elif kind == "closure_edit":
                done = await calendar.update_closure(
                    session, actor_tgid=actor, closure_id=item_id, data=fields, dry_run=dry_run
                )
            elif kind == "workday_delete":
                done = await calendar.delete_extra_workday(
                    session, actor_tgid=actor, workday_id=item_id, dry_run=dry_run
                )
            elif kind == "workweek":
                office = await offices.update_office(
                    session, actor_tgid=actor, office_id=office_id, data=fields, dry_run=dry_run
                )
                return office.effect
            elif kind == "import":
                result = await calendar.import_holidays(
                    session,
                    actor_tgid=actor,
                    office_id=office_id,
                    content=self._import_content,
                    filename=self.import_name,
                    dry_run=dry_run,
                )
                return result.effect
            else:
                raise ValueError(kind)
            return done.effect

        return run

    async def _preview_then_apply(self, kind: str, data: dict[str, Any], *, done: str) -> None:
        """Preview the change; when it would touch live orders ask first, else apply it now."""
        change = self._change(kind, data)
        effects: list[calendar.CalendarEffect] = []

        async def preview(session: AsyncSession, actor: int) -> None:
            effects.append(await change(session, actor, True))

        if not await self._act(preview):
            return
        impact = self._impact(effects[0])
        if impact:
            self._pending = {"kind": kind, "data": data, "done": done}
            self.asked, self.asked_id, self.asked_name = "apply", 0, impact
            return
        await self._apply(kind, data, done)

    async def _apply(self, kind: str, data: dict[str, Any], done: str) -> None:
        change = self._change(kind, data)
        effects: list[calendar.CalendarEffect] = []

        async def work(session: AsyncSession, actor: int) -> None:
            effects.append(await change(session, actor, False))

        if await self._act_and_reload(work, done=done):
            self.form_mode = ""
            self._forget_import()
            if effects and effects[0].cancelled:
                self.notice = self._t(done) + " " + self._t("dash.calendar.cancelled", count=len(effects[0].cancelled))

    async def _confirmed(self, action: str, target: int) -> None:
        if action == "apply":
            pending, self._pending = self._pending, {}
            if pending:
                await self._apply(pending["kind"], pending["data"], pending["done"])
            return
        delete: dict[str, Callable[[AsyncSession, int], Awaitable[object]]] = {
            "delete_holiday": lambda s, a: calendar.delete_holiday(s, actor_tgid=a, holiday_id=target),
            "delete_closure": lambda s, a: calendar.delete_closure(s, actor_tgid=a, closure_id=target),
        }
        if action == "delete_workday":
            await self._preview_then_apply("workday_delete", {"id": target}, done="dash.calendar.removed")
        elif action in delete:
            await self._act_and_reload(delete[action], done="dash.calendar.removed")

    # -------------------------------------------------------------------------------- the office

    @rx.event
    async def toggle_weekday(self, index: int) -> None:
        if not is_index(index, self.week):
            return
        days = [pick.weekday for pick in self.week if pick.on != (pick.weekday == self.week[index].weekday)]
        await self._preview_then_apply("workweek", {"working_weekdays": sorted(days)}, done="dash.saved")

    @rx.event
    async def set_office_active(self, active: bool) -> None:
        office_id = as_int(self.office_id)
        await self._act_and_reload(
            lambda s, a: offices.set_office_active(s, actor_tgid=a, office_id=office_id, active=active),
            done="dash.saved",
        )

    def _open(self, mode: str) -> None:
        self.form_mode = mode
        self.error = ""
        if not self.zones and mode.startswith("office"):
            self.zones = sorted(offices.known_timezones())

    @rx.event
    def open_office_add(self) -> None:
        self.form_id, self.form_name, self.form_timezone, self.form_address = 0, "", self.office_zone, ""
        self._open("office_add")

    @rx.event
    def open_office_edit(self) -> None:
        self.form_id = as_int(self.office_id) if self.office_id else 0
        self.form_name, self.form_timezone, self.form_address = self.office_name, self.office_zone, self.office_address
        self._open("office_edit")

    # -------------------------------------------------------------------------------- entries

    @rx.event
    def open_holiday_add(self) -> None:
        today = self._today().isoformat()
        self.form_id, self.form_name, self.form_start, self.form_end = 0, "", today, today
        self._open("holiday_add")

    @rx.event
    def open_holiday_edit(self, index: int) -> None:
        if is_index(index, self.holidays):
            row = self.holidays[index]
            self.form_id, self.form_name, self.form_start, self.form_end = row.id, row.name, row.start, row.end
            self._open("holiday_edit")

    @rx.event
    def open_workday_add(self) -> None:
        self.form_id, self.form_name, self.form_start = 0, "", self._today().isoformat()
        self._open("workday_add")

    @rx.event
    def open_closure_add(self) -> None:
        today = self._today().isoformat()
        self.form_id, self.form_name, self.form_start, self.form_end = 0, "", today, today
        self.form_cafe = self.cafes[0].value if self.cafes else ""
        self._open("closure_add")

    @rx.event
    def open_closure_edit(self, index: int) -> None:
        if is_index(index, self.closures):
            row = self.closures[index]
            self.form_id, self.form_name, self.form_start, self.form_end = row.id, row.note, row.start, row.end
            self.form_cafe = str(row.cafe_id)
            self._open("closure_edit")

    @rx.event
    def close_form(self) -> None:
        self._forget_import()
        self._close_form("form_mode")

    set_form_name = text_setter("form_name", 300)
    set_form_timezone = text_setter("form_timezone", 80)
    set_form_address = text_setter("form_address", 600)
    set_form_start = text_setter("form_start", 10)
    set_form_end = text_setter("form_end", 10)
    set_form_cafe = text_setter("form_cafe", 12)

    @rx.event
    async def save_form(self) -> None:
        mode = self.form_mode
        span: dict[str, Any] = {"start": self.form_start, "end": self.form_end or self.form_start}
        if mode in ("office_add", "office_edit"):
            data = {"name": self.form_name, "timezone": self.form_timezone.strip(), "address": self.form_address}
            office_id = self.form_id

            async def work(session: AsyncSession, actor: int) -> None:
                if mode == "office_add":
                    created = await offices.create_office(session, actor_tgid=actor, data=data)
                    self.office_id = str(created.id)
                else:
                    await offices.update_office(session, actor_tgid=actor, office_id=office_id, data=data)

            if await self._act_and_reload(work, done="dash.saved"):
                self.form_mode = ""
        elif mode in ("holiday_add", "holiday_edit"):
            await self._preview_then_apply(
                mode, {"id": self.form_id, **span, "name": self.form_name}, done="dash.calendar.saved"
            )
        elif mode == "workday_add":
            office_id, data = as_int(self.office_id), {"day": self.form_start, "name": self.form_name}
            if await self._act_and_reload(
                lambda s, a: calendar.add_extra_workday(s, actor_tgid=a, office_id=office_id, data=data),
                done="dash.calendar.saved",
            ):
                self.form_mode = ""
        elif mode in ("closure_add", "closure_edit"):
            closure: dict[str, Any] = {"id": self.form_id, "cafe_id": self.form_cafe, **span, "note": self.form_name}
            await self._preview_then_apply(mode, closure, done="dash.calendar.saved")

    # -------------------------------------------------------------------------------- holiday files

    def _forget_import(self) -> None:
        self.import_name = ""
        self.import_error = ""
        self.import_entries = []
        self.import_problems = []
        self._import_content = b""

    @rx.event
    def open_import(self) -> None:
        self._forget_import()
        self._open("import")

    @rx.event
    async def upload_holidays(self, files: list[rx.UploadFile]) -> None:
        """The chosen file, read and checked (nothing changes yet): its entries and every row's problem."""
        self._forget_import()
        content = await self._received(files)
        if content is None:
            return
        lang, name = self.lang, self.import_name
        files_read: list[calendar.HolidayFile] = []

        async def work(session: AsyncSession, actor: int) -> None:  # a manager's upload only
            try:
                files_read.append(calendar.parse_holiday_file(content, name))
            except TableError as exc:
                self.import_error = exc.message(lang)

        if not await self._act(work) or not files_read:
            return
        parsed = files_read[0]
        self._import_content = content
        self.import_entries = [
            ImportEntry(
                line=row.line,
                kind=row.kind.value,
                kind_text=t(f"dash.calendar.kind.{row.kind.value}", lang),
                dates=span_text(row.start, row.end, lang),
                name=row.name,
            )
            for row in parsed.rows[:500]
        ]
        self.import_problems = [problem.message(lang) for problem in sorted(parsed.problems, key=lambda p: p.line)]

    @rx.event
    async def apply_import(self) -> None:
        if self._import_content and not self.import_problems:
            await self._preview_then_apply("import", {}, done="dash.calendar.imported")
