"""State of the partner cafes page (`/cafes`): the active cafes with how many dishes they offer, their combos and
when they deliver, read through the domain (the same reads the Mini App uses) on every load."""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app import db
from lunch_app.domain import catalogue, offices, schedule
from lunch_app.i18n import format_money, t

log = logging.getLogger(__name__)
LANG = "ru"


@dataclasses.dataclass
class CafeCard:
    id: int
    name: str
    description: str
    dishes: str
    delivery: str
    combos: list[str]
    offices: str = ""  # the offices it serves and the zone of its times


def delivery_text(week: list[schedule.ScheduleDay], lang: str = LANG) -> str:
    """ "Delivery: Mon, Tue · order by 11:00" from a cafe's week."""
    days = [day for day in week if day.delivers]
    if not days:
        return t("app.cafes.no_delivery", lang)
    names = ", ".join(t(f"weekday_short.{day.weekday}", lang) for day in days)
    rules: list[str] = []
    for day in days:
        if day.cutoff_days_before == 0:
            rule = t("app.cafes.cutoff_same_day", lang, time=day.cutoff_time)
        elif day.cutoff_days_before == 1:
            rule = t("app.cafes.cutoff_day_before", lang, time=day.cutoff_time)
        else:
            rule = t("app.cafes.cutoff_days_before", lang, time=day.cutoff_time, days=day.cutoff_days_before)
        if rule not in rules:
            rules.append(rule)
    return t("app.cafes.delivery", lang, days=names) + " · " + "; ".join(rules)


async def cafe_cards(session: AsyncSession, lang: str = LANG) -> list[CafeCard]:
    cards = []
    names = await offices.office_names(session)
    for cafe in await catalogue.list_cafes(session, active_only=True):
        menu = await catalogue.get_menu(session, cafe.id, available_only=True)
        cards.append(
            CafeCard(
                id=cafe.id,
                name=cafe.name,
                description=cafe.description,
                dishes=t("app.cafes.dishes", lang, count=len(menu.items())),
                delivery=delivery_text(await schedule.get_week_schedule(session, cafe.id), lang),
                combos=[
                    t("app.cafes.combo", lang, name=combo.name, price=format_money(combo.price, lang))
                    for combo in menu.combos
                ],
                offices=t(
                    "app.cafes.offices",
                    lang,
                    offices=", ".join(sorted((names.get(o, "") for o in cafe.office_ids), key=str.casefold)),
                    zone=cafe.timezone,
                ),
            )
        )
    return cards


class CafesState(rx.State):
    cafes: list[CafeCard] = []
    loaded: bool = False
    failed: bool = False

    @rx.event
    async def load(self) -> None:
        try:
            async with db.session_scope() as session:
                self.cafes = await cafe_cards(session)
            self.failed = False
        except Exception:
            log.exception("could not load the cafe list")
            self.failed = True
        self.loaded = True
