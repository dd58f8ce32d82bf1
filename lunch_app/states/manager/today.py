"""The Today tab: each cafe's orders of a day, the digest's state, who ordered and who did not."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.clock import get_clock
from lunch_app.domain import digest, manager_views
from lunch_app.i18n import format_money, t
from lunch_app.states.manager.formats import combo_parts, line_text, local_time
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


class TodayTab(Tab, Dashboard):
    TAB: ClassVar[str] = "today"

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
                    cutoff=local_time(cafe.cutoff_at) if cafe.cutoff_at else t("dash.today.no_cutoff", lang),
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
