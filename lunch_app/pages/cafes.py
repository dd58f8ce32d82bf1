"""The partner cafes page (`/cafes`): a card per active cafe (dishes, delivery days, combos), from
lunch_app/states/cafes.py. Inside Telegram people order in the Mini App (`/`); this page only lists."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from lunch_app.i18n import t
from lunch_app.settings import get_settings
from lunch_app.states.cafes import LANG, CafeCard, CafesState


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
            rx.text(card.offices, size="1", color_scheme="gray", class_name="cafe-offices"),
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
