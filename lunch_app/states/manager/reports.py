"""The Reports tab: a cafe's day or a date range on screen, and the same as CSV or XLSX; of every office's people
or of one office's."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import reports
from lunch_app.domain.exports import (
    day_report_csv,
    day_report_filename,
    day_report_xlsx,
    range_report_csv,
    range_report_filename,
    range_report_xlsx,
)
from lunch_app.i18n import format_money, t
from lunch_app.states.manager.formats import combo_parts, date_text, line_text, with_office
from lunch_app.states.manager.inputs import Choice, as_int, cafe_choices, kept_or_first, office_choices
from lunch_app.states.manager.root import Dashboard, Tab


@dataclasses.dataclass
class ReportRow:
    name: str = ""
    detail: str = ""
    amount: str = ""


class ReportsTab(Tab, Dashboard):
    TAB: ClassVar[str] = "reports"

    mode: str = "day"  # day | range
    cafes: list[Choice] = []
    cafe_id: str = ""
    offices: list[Choice] = []
    office_id: str = ""  # "" = every office
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
        today = self._today()
        self.day = self.day or today.isoformat()
        self.range_start = self.range_start or today.replace(day=1).isoformat()
        self.range_end = self.range_end or today.isoformat()

        async def work(session: AsyncSession, actor: int) -> None:
            self.cafes = await cafe_choices(session)
            self.offices = await office_choices(session)
            if self.office_id not in {choice.value for choice in self.offices}:
                self.office_id = ""
            if self.mode == "day":
                self.cafe_id = kept_or_first(self.cafe_id, self.cafes)

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
    async def set_office(self, value: str) -> None:
        self.office_id = "" if value == "all" else str(value)[:12]
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
        office = as_int(self.office_id) if self.office_id else None
        if self.mode == "day":
            return await reports.day_report_for_manager(
                session, actor_tgid=actor, cafe_id=self.cafe_id, day=self.day, office_id=office
            )
        return await reports.range_report_for_manager(
            session,
            actor_tgid=actor,
            start=self.range_start,
            end=self.range_end,
            cafe_id=self.cafe_id or None,
            office_id=office,
        )

    async def _show(self) -> None:
        lang = self.lang
        self.shown = False

        async def work(session: AsyncSession, actor: int) -> None:
            report = await self._build(session, actor)
            if isinstance(report, reports.DayReport):
                self.title = t("dash.reports.day_title", lang, cafe=report.cafe_name, date=date_text(report.day, lang))
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
                        name=with_office(p.user_name, p.office),
                        detail="; ".join(combo_parts(p) + [line_text(line.name, line.quantity) for line in p.items]),
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
