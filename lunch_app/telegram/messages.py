"""Telegram HTML for person notices and cafe digests, with their inline keyboards (SPEC §4 "Digest", §8).

Everything a user typed (names, offices, notes, dish and chat titles) is HTML-escaped here, once, right
before it is put into a template; the templates themselves hold the only markup. A digest is split into
parts that each stay within Telegram's 4096-character limit, on line boundaries, keeping one person's
order in one part whenever it fits; only the last part carries the "Accepted" button.

A digest whose orders go to several offices is sectioned by office: after the kitchen's totals, each office gets
its delivery address, its own count, sum and dishes to pack, then its people. A digest for one office names that
office and its address in the header.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from lunch_app.domain.reports import ComboTotal, DayReport, DishTotal, OfficeSection, PersonEntry, ReportLine
from lunch_app.i18n import format_money, format_options, t
from lunch_app.telegram.callbacks import AccessDecision, DigestAccepted, LinkDecision

MESSAGE_LIMIT = 4096
"""Telegram's limit on a message text, in UTF-16 code units after entity parsing. The rendered HTML is
measured instead (tags and entities included), which is always at least as long, so parts are safe."""

NOTICE_TEMPLATES = (
    "access_request_new",
    "access_approved",
    "access_rejected",
    "order_changed_by_manager",
    "order_cancelled_by_manager",
    "order_cancelled_calendar",
    "reminder",
    "link_request_new",
    "link_approved",
    "link_rejected",
)


class UnknownTemplate(ValueError):
    """A notice names a template this version cannot render (a permanent failure for that event)."""


@dataclass(frozen=True)
class RenderedMessage:
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


def escape(value: Any) -> str:
    """User-supplied text made safe for Telegram HTML (<, >, & and quotes)."""
    return html.escape("" if value is None else str(value), quote=True)


def text_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def format_day(day: date, lang: str) -> str:
    return day.strftime("%d.%m.%Y") if lang != "en" else day.isoformat()


def _parse_day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _day_param(value: Any, lang: str) -> str:
    parsed = _parse_day(value)
    return format_day(parsed, lang) if parsed is not None else str(value or "")


def _money_param(value: Any, lang: str) -> str:
    try:
        return format_money(Decimal(str(value)), lang)
    except ArithmeticError:
        return str(value or "")


# --- person and chat notices -------------------------------------------------------------------------


def render_notice(template: str, params: dict[str, Any], lang: str, *, mini_app_url: str) -> RenderedMessage:
    """The text and keyboard of one notice of `lunch-bot.notifications` in the recipient's language."""
    if template not in NOTICE_TEMPLATES:
        raise UnknownTemplate(template)
    safe = {key: escape(value) for key, value in params.items()}
    markup: InlineKeyboardMarkup | None = None
    if template == "access_request_new":
        username = params.get("username")
        safe["username"] = f" (@{escape(username)})" if username else ""
        markup = _decision_keyboard(AccessDecision, params.get("request_id"), lang)
    elif template == "link_request_new":
        username = params.get("requested_by_username")
        requester = escape(params.get("requested_by", ""))
        safe["requester"] = f"@{escape(username)} ({requester})" if username else requester
        markup = _decision_keyboard(LinkDecision, params.get("request_id"), lang)
    elif template in ("order_changed_by_manager", "order_cancelled_by_manager"):
        safe["date"] = escape(_day_param(params.get("date"), lang))
        safe["total"] = escape(_money_param(params.get("total"), lang))
    elif template == "order_cancelled_calendar":
        safe["date"] = escape(_day_param(params.get("date"), lang))
        kind = str(params.get("kind") or "")
        key = f"notice.closed_reason.{kind}" if kind in ("holiday", "non_working", "closure") else ""
        reason = str(params.get("reason") or "")
        if kind == "closure" and not reason:
            key = "notice.closed_reason.closure_plain"
        safe["reason"] = t(key, lang, reason=escape(reason)) if key else escape(reason)
    elif template == "reminder":
        safe["date"] = escape(_day_param(params.get("date"), lang))
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=t("notice.button.order", lang), web_app=WebAppInfo(url=mini_app_url))]
            ]
        )
    defaults = {"name": "", "office": "", "tgid": "", "cafe": "", "cafe_name": "", "cafe_id": "", "chat_title": ""}
    return RenderedMessage(text=t(f"notice.{template}", lang, **{**defaults, **safe}), reply_markup=markup)


def _decision_keyboard(
    callback: type[AccessDecision] | type[LinkDecision], request_id: Any, lang: str
) -> InlineKeyboardMarkup | None:
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("notice.button.approve", lang),
                    callback_data=callback(request_id=request_id, approve=True).pack(),
                ),
                InlineKeyboardButton(
                    text=t("notice.button.reject", lang),
                    callback_data=callback(request_id=request_id, approve=False).pack(),
                ),
            ]
        ]
    )


# --- cafe digest ---------------------------------------------------------------------------------------


def digest_keyboard(cafe_id: int, day: date, lang: str = "ru") -> InlineKeyboardMarkup:
    """The "Accepted" button under the last part of a digest."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("digest.button.accepted", lang),
                    callback_data=DigestAccepted(cafe_id=cafe_id, day=day.isoformat()).pack(),
                )
            ]
        ]
    )


def digest_accepted_line(by_name: str, at: datetime, lang: str = "ru") -> str:
    """The line the bot appends to the last digest part when the cafe taps "Accepted" (escaped)."""
    return t("digest.accepted_by", lang, name=escape(by_name), time=escape(at.strftime("%H:%M")))


def _options(options: dict[str, str]) -> str:
    if not options:
        return ""
    return f" ({escape(format_options(options))})"


def _line(line: ReportLine, *, indent: str, show_quantity: bool) -> str:
    quantity = f" × {line.quantity}" if show_quantity or line.quantity != 1 else ""
    return f"{indent}– {escape(line.name)}{quantity}{_options(line.options)}"


def _person_block(number: int, person: PersonEntry, lang: str, *, show_office: bool = True) -> list[str]:
    office = f" ({escape(person.office)})" if person.office and show_office else ""
    lines = [f"<b>{number}. {escape(person.user_name)}</b>{office}"]
    if person.combo_name is not None or person.combo_dishes:
        lines.append(
            t(
                "digest.combo_line",
                lang,
                name=escape(person.combo_name or ""),
                price=escape(format_money(person.combo_price, lang)),
            )
        )
        lines.extend(_line(dish, indent="   ", show_quantity=False) for dish in person.combo_dishes)
    lines.extend(_line(item, indent="", show_quantity=True) for item in person.items)
    if person.notes:
        lines.append(t("digest.notes", lang, notes=escape(person.notes)))
    lines.append(t("digest.person_total", lang, total=escape(format_money(person.total, lang))))
    return lines


def _header(report: DayReport, lang: str) -> list[str]:
    return [
        t("digest.title", lang, cafe=escape(report.cafe_name)),
        t("digest.date", lang, weekday=t(f"weekday.{report.day.weekday()}", lang), date=format_day(report.day, lang)),
    ]


def _totals_blocks(combos: list[ComboTotal], dishes: list[DishTotal], lang: str) -> list[list[str]]:
    blocks = []
    if combos:
        blocks.append([t("digest.combos", lang)] + [f"• {escape(combo.name)} × {combo.count}" for combo in combos])
    if dishes:
        blocks.append([t("digest.dishes", lang)] + [f"• {escape(dish.name)} × {dish.quantity}" for dish in dishes])
    return blocks


def _office_line(section: OfficeSection, lang: str) -> str:
    name = escape(section.name) if section.office_id is not None else t("digest.no_office", lang)
    if section.address:
        return t("digest.office_address", lang, office=name, address=escape(section.address))
    return t("digest.office", lang, office=name)


def digest_blocks(report: DayReport, lang: str = "ru") -> list[list[str]]:
    """The digest as blocks of lines; a block is kept in one message whenever it fits."""
    total = escape(format_money(report.total, lang))
    header = _header(report, lang)
    sectioned = len(report.offices) > 1
    if len(report.offices) == 1 and report.offices[0].office_id is not None:
        header.append(_office_line(report.offices[0], lang))
    blocks: list[list[str]] = [[*header, t("digest.summary", lang, count=report.orders_count, total=total)]]
    blocks.extend(_totals_blocks(report.combos, report.dishes, lang))
    if not sectioned:
        blocks.append([t("digest.people", lang)])
        blocks.extend(_person_block(number, person, lang) for number, person in enumerate(report.people, start=1))
    else:
        number = 0
        for section in report.offices:
            summary = t(
                "digest.summary",
                lang,
                count=section.orders_count,
                total=escape(format_money(section.total, lang)),
            )
            blocks.append([_office_line(section, lang), summary])
            blocks.extend(_totals_blocks(section.combos, section.dishes, lang))
            blocks.append([t("digest.people", lang)])
            for person in report.people_of(section):
                number += 1
                blocks.append(_person_block(number, person, lang, show_office=False))
    blocks.append([t("digest.footer", lang, count=report.orders_count, total=total)])
    return blocks


def render_digest(report: DayReport, lang: str = "ru", *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The digest split into message texts of at most `limit` characters each (deterministic: the same
    report always gives the same parts, which lets a resumed delivery skip the parts already sent)."""
    header = "\n".join(_header(report, lang))
    # Room for the "(continued N/M)" header of parts 2..M, measured for the widest numbers.
    continued_room = text_length(header + "\n" + t("digest.continued", lang, part=999, parts=999) + "\n\n")
    bodies = _pack(digest_blocks(report, lang), first_limit=limit, next_limit=limit - continued_room)
    if len(bodies) == 1:
        return bodies
    parts = [bodies[0]]
    for index, body in enumerate(bodies[1:], start=2):
        continued = t("digest.continued", lang, part=index, parts=len(bodies))
        parts.append(f"{header}\n{continued}\n\n{body}")
    return parts


def _pack(blocks: Iterable[list[str]], *, first_limit: int, next_limit: int) -> list[str]:
    """Greedy packing of blocks (joined by a blank line) into texts within the limits; a block that does
    not fit in an empty part is split on its lines, and a single over-long line is cut safely."""
    parts: list[str] = []
    current = ""

    def room() -> int:
        return first_limit if not parts else next_limit

    def flush() -> None:
        nonlocal current
        if current:
            parts.append(current)
            current = ""

    for block in blocks:
        text = "\n".join(block)
        joined = f"{current}\n\n{text}" if current else text
        if text_length(joined) <= room():
            current = joined
            continue
        flush()
        if text_length(text) <= room():
            current = text
            continue
        for line in block:
            for piece in _cut_line(line, min(first_limit, next_limit)):
                joined = f"{current}\n{piece}" if current else piece
                if text_length(joined) <= room():
                    current = joined
                else:
                    flush()
                    current = piece
    flush()
    return parts


def _cut_line(line: str, limit: int) -> list[str]:
    """A line longer than a whole message (only possible with absurd input) cut into pieces, never inside
    an HTML entity or tag; markup that would be cut is dropped from such a line."""
    if text_length(line) <= limit:
        return [line]
    plain = html.unescape(_strip_tags(line))
    pieces: list[str] = []
    chunk = ""
    for char in plain:
        candidate = chunk + char
        if text_length(escape(candidate)) > limit:
            pieces.append(escape(chunk))
            chunk = char
        else:
            chunk = candidate
    if chunk:
        pieces.append(escape(chunk))
    return pieces


def _strip_tags(text: str) -> str:
    out: list[str] = []
    inside = False
    for char in text:
        if char == "<":
            inside = True
        elif char == ">" and inside:
            inside = False
        elif not inside:
            out.append(char)
    return "".join(out)
