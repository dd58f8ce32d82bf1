"""The start page: the partner cafes read from the database (proves app ↔ database wiring).

The Mini App proper replaces this page later; the state stays thin: one read on load.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict

import reflex as rx
from reflex.vars import ObjectVar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app import db
from lunch_app.i18n import format_money, t
from lunch_app.models import Cafe, Combo, MenuItem, Schedule
from lunch_app.settings import get_settings

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


def delivery_text(schedules: list[Schedule], lang: str = LANG) -> str:
    """ "Delivery: Mon, Tue · order by 11:00" from the enabled schedule rows of one cafe."""
    enabled = sorted((row for row in schedules if row.is_enabled), key=lambda row: row.weekday)
    if not enabled:
        return t("app.cafes.no_delivery", lang)
    days = ", ".join(t(f"weekday_short.{row.weekday}", lang) for row in enabled)
    rules: list[str] = []
    for row in enabled:
        clock = row.cutoff_time.strftime("%H:%M")
        if row.cutoff_days_before == 0:
            rule = t("app.cafes.cutoff_same_day", lang, time=clock)
        elif row.cutoff_days_before == 1:
            rule = t("app.cafes.cutoff_day_before", lang, time=clock)
        else:
            rule = t("app.cafes.cutoff_days_before", lang, time=clock, days=row.cutoff_days_before)
        if rule not in rules:
            rules.append(rule)
    return t("app.cafes.delivery", lang, days=days) + " · " + "; ".join(rules)


async def load_cafe_cards(session: AsyncSession, lang: str = LANG) -> list[CafeCard]:
    cafes = (await session.scalars(select(Cafe).where(col(Cafe.is_active)).order_by(col(Cafe.name)))).all()
    dish_counts = dict(
        (
            await session.execute(
                select(col(MenuItem.cafe_id), func.count())
                .where(col(MenuItem.is_available))
                .group_by(col(MenuItem.cafe_id))
            )
        ).all()
    )
    combos: dict[int, list[str]] = defaultdict(list)
    for combo in await session.scalars(select(Combo).where(col(Combo.is_available)).order_by(col(Combo.price))):
        combos[combo.cafe_id].append(t("app.cafes.combo", lang, name=combo.name, price=format_money(combo.price, lang)))
    schedules: dict[int, list[Schedule]] = defaultdict(list)
    for row in await session.scalars(select(Schedule)):
        schedules[row.cafe_id].append(row)
    cards = []
    for cafe in cafes:
        assert cafe.id is not None
        cards.append(
            CafeCard(
                id=cafe.id,
                name=cafe.name,
                description=cafe.description,
                dishes=t("app.cafes.dishes", lang, count=dish_counts.get(cafe.id, 0)),
                delivery=delivery_text(schedules[cafe.id], lang),
                combos=combos[cafe.id],
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
                self.cafes = await load_cafe_cards(session)
            self.failed = False
        except Exception:
            log.exception("could not load the cafe list")
            self.failed = True
        self.loaded = True


def cafe_card(card: ObjectVar[CafeCard]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(card.name, size="5", class_name="cafe-name"),
            rx.cond(card.description != "", rx.text(card.description, size="2", color_scheme="gray")),
            rx.hstack(
                rx.badge(card.dishes, color_scheme="grass", variant="soft"),
                wrap="wrap",
            ),
            rx.text(card.delivery, size="2", weight="medium"),
            rx.foreach(
                card.combos,
                lambda combo: rx.text(combo, size="2", color_scheme="orange"),
            ),
            spacing="2",
            align="start",
        ),
        width="100%",
        class_name="cafe-card",
    )


def index() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(t("app.title", LANG), size="8"),
            rx.heading(t("app.cafes.heading", LANG), size="5", color_scheme="gray"),
            rx.text(t("app.cafes.subtitle", LANG), size="2"),
            rx.cond(
                CafesState.failed,
                rx.callout(t("app.cafes.error", LANG), color_scheme="red", width="100%"),
                rx.cond(
                    CafesState.loaded,
                    rx.cond(
                        CafesState.cafes.length() > 0,  # type: ignore[attr-defined]
                        rx.vstack(rx.foreach(CafesState.cafes, cafe_card), spacing="3", width="100%"),
                        rx.text(t("app.cafes.empty", LANG), id="cafes-empty"),
                    ),
                    rx.hstack(rx.spinner(), rx.text(t("app.cafes.loading", LANG))),
                ),
            ),
            rx.text(
                t("app.cafes.open_in_telegram", LANG, bot=get_settings().telegram_bot_username),
                size="1",
                color_scheme="gray",
            ),
            spacing="4",
            width="100%",
            max_width="640px",
            margin_x="auto",
            padding="16px",
        ),
        id="cafes-page",
    )
