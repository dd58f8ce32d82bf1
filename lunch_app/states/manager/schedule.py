"""The Schedule tab: one cafe's week, each weekday's order cutoff (in the cafe's own time zone) and whether it
delivers, and the cafe's next closures (kept in the Calendar tab)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import calendar, catalogue, schedule
from lunch_app.i18n import t
from lunch_app.states.manager.formats import span_text
from lunch_app.states.manager.inputs import as_int
from lunch_app.states.manager.root import CafePicker, Dashboard, Tab


@dataclasses.dataclass
class ScheduleRow:
    weekday: int = 0
    label: str = ""
    short: str = ""
    time: str = "10:00"
    days: str = "0"
    enabled: bool = False
    configured: bool = False


@dataclasses.dataclass
class ClosureLine:
    dates: str = ""
    note: str = ""


class ScheduleTab(Tab, CafePicker, Dashboard):
    TAB: ClassVar[str] = "schedule"

    rows: list[ScheduleRow] = []
    zone_text: str = ""  # the time zone the cut-off times are in
    closures: list[ClosureLine] = []  # the picked cafe's next closures

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        cafe_id = await self._picked_cafe(session)
        if cafe_id is None:
            self.rows, self.closures, self.zone_text = [], [], ""
            return
        cafe = await catalogue.get_cafe(session, cafe_id)
        self.zone_text = t("dash.schedule.zone", lang, zone=cafe.timezone)
        self.closures = [
            ClosureLine(dates=span_text(c.start, c.end, lang), note=c.note or t("day.closure_plain", lang))
            for c in await calendar.upcoming_closures(session, since=self._today(), cafe_id=cafe_id, limit=10)
        ]
        week = await schedule.get_week_schedule(session, cafe_id)
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
        cafe_id = as_int(self.cafe_id)
        # A weekday never configured and still off stays "no delivery"; everything else is stored.
        rows = [
            {
                "weekday": row.weekday,
                "cutoff_time": row.time,
                "cutoff_days_before": as_int(row.days),
                "is_enabled": row.enabled,
            }
            for row in self.rows
            if row.configured or row.enabled
        ]

        async def work(session: AsyncSession, actor: int) -> None:
            if rows:
                await schedule.set_week_schedule(session, actor_tgid=actor, cafe_id=cafe_id, rows=rows)

        await self._act_and_reload(work, done="dash.saved")
