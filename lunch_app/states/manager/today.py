"""The Today tab: each cafe's orders of a day, the digest's state, who ordered and, per office, who did not; all of
it or one office's (its people's orders, the cafes serving it). Cut-off times are on the clock of the office shown
(the manager's own when all are), with the cafe's own time next to it when that differs."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import catalogue, digest, manager_views, offices
from lunch_app.domain.availability import DayState
from lunch_app.i18n import format_money, t
from lunch_app.settings import get_settings
from lunch_app.states.manager.formats import clock_time, combo_parts, line_text
from lunch_app.states.manager.inputs import Choice, as_int
from lunch_app.states.manager.root import Dashboard, Tab


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


@dataclasses.dataclass
class OfficeMissing:
    """One office's people with no order that day (or why nobody is expected to order)."""

    office: str = ""
    note: str = ""  # "did not order: 3 of 12", or the day off
    people: str = ""  # their names
    more: str = ""


class TodayTab(Tab, Dashboard):
    TAB: ClassVar[str] = "today"

    day: str = ""
    f_office: str = ""  # "" = every office
    offices: list[Choice] = []
    cafes: list[TodayCafe] = []
    summary: str = ""
    missing: list[OfficeMissing] = []

    @rx.event
    async def load(self) -> None:
        if not self.day:
            self.day = self._today().isoformat()
        await self._load()

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        known = await offices.list_offices(session)
        self.offices = [Choice(value=str(office.id), label=office.name) for office in known]
        if self.f_office not in {choice.value for choice in self.offices}:
            self.f_office = ""
        shown = next((office for office in known if str(office.id) == self.f_office), None)
        clock = shown.timezone if shown is not None else self._zone or get_settings().app_timezone
        summary = await manager_views.today_summary(
            session, actor_tgid=actor, day=self.day, office_id=as_int(self.f_office) if self.f_office else None
        )
        zones = {cafe.id: cafe.timezone for cafe in await catalogue.list_cafes(session)}
        cards = []
        for cafe in summary.cafes:
            report = cafe.report
            problem = ""
            if cafe.state == "failed":
                problem = t("dash.today.failed", lang, error=cafe.dispatch_error or "")
            elif cafe.state == "confirmed" and cafe.confirmed_by_name:
                problem = t("dash.today.confirmed_by", lang, name=cafe.confirmed_by_name)
            elif cafe.day_state is DayState.closure:
                problem = t("day.closure" if cafe.note else "day.closure_plain", lang, note=cafe.note)
            cards.append(
                TodayCafe(
                    cafe_id=cafe.cafe_id,
                    name=cafe.cafe_name,
                    state=cafe.state,
                    state_text=t(f"dash.state.{cafe.state}", lang),
                    cutoff=self._cutoff_text(cafe.cutoff_at, clock, zones.get(cafe.cafe_id, clock)),
                    orders=str(report.orders_count),
                    total=format_money(report.total, lang),
                    dishes=[line_text(d.name, d.quantity) for d in report.dishes]
                    + [line_text(c.name, c.count) for c in report.combos],
                    people=[
                        PersonLine(
                            name=p.user_name,
                            office=p.office,
                            text="; ".join(
                                combo_parts(p)
                                + [line_text(line.name, line.quantity, line.options) for line in p.items]
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
        groups = []
        for entry in summary.offices:
            if entry.day_off:
                note = t(f"dash.today.day_off.{entry.day_off}", lang, name=entry.day_off_name)
                people, more = "", ""
            else:
                note = t("dash.today.missing_of", lang, count=entry.total, active=entry.active_users)
                people = ", ".join(person.name for person in entry.people)
                extra = entry.total - len(entry.people)
                more = t("dash.today.more", lang, count=extra) if extra > 0 else ""
            if entry.day_off or entry.total:
                groups.append(OfficeMissing(office=entry.office, note=note, people=people, more=more))
        self.missing = groups

    def _cutoff_text(self, cutoff: datetime | None, clock: str, cafe_zone: str) -> str:
        if cutoff is None:
            return self._t("dash.today.no_cutoff")
        shown = clock_time(cutoff, clock)
        own = clock_time(cutoff, cafe_zone)
        return shown if own == shown else self._t("dash.today.cutoff_cafe_time", time=shown, cafe_time=own)

    @rx.event
    async def set_f_office(self, value: str) -> None:
        self.f_office = "" if value == "all" else str(value)[:12]
        await self._load()

    @rx.event
    async def set_day(self, value: str) -> None:
        self.day = str(value)[:10]
        await self._load()

    @rx.event
    async def shift_day(self, days: int) -> None:
        try:
            current = date.fromisoformat(self.day)
        except ValueError:
            current = self._today()
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
