"""How the dashboard's tabs write dates, times, people and order lines (the texts their cards show)."""

from __future__ import annotations

from datetime import date, datetime

from lunch_app.clock import zone
from lunch_app.domain import reports
from lunch_app.i18n import format_options, t
from lunch_app.settings import get_settings


def date_text(day: date, lang: str) -> str:
    return f"{t(f'weekday_short.{day.weekday()}', lang)} {day.strftime('%d.%m.%Y')}"


def span_text(start: date, end: date, lang: str) -> str:
    """A date or a period as people read it: "Пн 04.01.2027" or "Пн 04.01.2027 — Пт 08.01.2027"."""
    return date_text(start, lang) if start == end else f"{date_text(start, lang)} — {date_text(end, lang)}"


def local_time(moment: datetime | None, tz_name: str = "") -> str:
    """A moment on the clock of `tz_name` (the signed-in manager's office; APP_TIMEZONE when not known)."""
    if moment is None:
        return ""
    return moment.astimezone(zone(tz_name) if tz_name else get_settings().tz).strftime("%d.%m.%Y %H:%M")


def clock_time(moment: datetime, tz_name: str) -> str:
    """Only the time of day of a moment, on the clock of `tz_name`."""
    return moment.astimezone(zone(tz_name)).strftime("%H:%M")


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
