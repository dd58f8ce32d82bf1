"""How the dashboard's tabs write dates, times, people and order lines (the texts their cards show)."""

from __future__ import annotations

from datetime import date, datetime

from lunch_app.domain import reports
from lunch_app.i18n import format_options, t
from lunch_app.settings import get_settings


def date_text(day: date, lang: str) -> str:
    return f"{t(f'weekday_short.{day.weekday()}', lang)} {day.strftime('%d.%m.%Y')}"


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(get_settings().tz).strftime("%d.%m.%Y %H:%M")


def line_text(name: str, quantity: object, options: dict[str, str] | None = None) -> str:
    text = f"{name} × {quantity}"
    return f"{text} ({format_options(options)})" if options else text


def with_office(name: str, office: str) -> str:
    return f"{name} · {office}" if office else name


def contact(username: str | None, tgid: int) -> str:
    """How to reach someone on Telegram: "@username · id 123", or "id 123" without a username."""
    return (f"@{username} · " if username else "") + f"id {tgid}"


def combo_parts(person: reports.PersonEntry) -> list[str]:
    """The first parts of a person's order as text: the combo's name and the dishes chosen in it."""
    return ([person.combo_name] if person.combo_name else []) + [line.name for line in person.combo_dishes]
