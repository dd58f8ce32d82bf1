"""Inline buttons: managers' Approve/Reject on access and link requests, the cafe's "Accepted" under a digest.

The domain decides who may act (`require_manager` for decisions); a refused tap changes nothing and gets an
alert. After a decision the manager's message is edited to show the outcome and who decided, and its
buttons are removed; a second tap (on another manager's copy) says the request was already handled.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.keyboards import digest_accepted_marker
from bot.texts import alert_text, person_name, tr
from lunch_app import db
from lunch_app.clock import get_clock
from lunch_app.domain import access, digest, links
from lunch_app.domain.errors import DomainError, Forbidden
from lunch_app.i18n import t
from lunch_app.telegram.callbacks import AccessDecision, DigestAccepted, LinkDecision
from lunch_app.telegram.messages import MESSAGE_LIMIT, digest_accepted_line, text_length

log = logging.getLogger("bot")

Decide = Callable[..., Awaitable[Any]]
_ALREADY_PROCESSED = frozenset({"error.access.already_processed", "error.link.already_processed"})


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a message; an edit that changes nothing or targets a deleted message is not a failure."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        log.info("could not edit message %s in chat %s: %s", message.message_id, message.chat.id, exc.message)


async def _remove_buttons(message: Message) -> None:
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_reply_markup(reply_markup=None)


async def _decide(query: CallbackQuery, lang: str, decide: Decide, request_id: int, approve: bool) -> None:
    """Run one manager decision and reflect it on the message that carried the buttons."""
    try:
        async with db.session_scope() as session:
            await decide(session, actor_tgid=query.from_user.id, request_id=request_id)
    except Forbidden:
        await query.answer(tr("bot.decision.managers_only", lang), show_alert=True)
        return
    except DomainError as err:
        await query.answer(alert_text(err.message(lang)), show_alert=True)
        if err.key in _ALREADY_PROCESSED and isinstance(query.message, Message):
            await _remove_buttons(query.message)
        return
    await query.answer(tr("bot.decision.approved" if approve else "bot.decision.rejected", lang))
    if isinstance(query.message, Message):
        outcome = tr(
            "bot.decision.approved_by" if approve else "bot.decision.rejected_by",
            lang,
            name=person_name(query.from_user),
        )
        await _edit(query.message, f"{query.message.html_text}\n\n{outcome}", None)


async def on_access_decision(query: CallbackQuery, callback_data: AccessDecision, lang: str) -> None:
    decide = access.approve_request if callback_data.approve else access.reject_request
    await _decide(query, lang, decide, callback_data.request_id, callback_data.approve)


async def on_link_decision(query: CallbackQuery, callback_data: LinkDecision, lang: str) -> None:
    decide = links.approve_link if callback_data.approve else links.reject_link
    await _decide(query, lang, decide, callback_data.request_id, callback_data.approve)


def _digest_language(message: Message) -> str:
    """The digest's own language, recognised from its button, so the appended line matches the text."""
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup else []
    if rows and rows[0] and rows[0][0].text == t("digest.button.accepted", "en"):
        return "en"
    return "ru"


async def _confirm(session: AsyncSession, data: DigestAccepted, day: date, query: CallbackQuery) -> bool:
    changed: bool = await digest.confirm_digest(
        session,
        cafe_id=data.cafe_id,
        day=day,
        chat_id=query.message.chat.id if query.message is not None else None,
        by_tgid=query.from_user.id,
        by_name=person_name(query.from_user),
    )
    return changed


async def on_digest_accepted(query: CallbackQuery, callback_data: DigestAccepted, lang: str) -> None:
    try:
        day = date.fromisoformat(callback_data.day)
    except ValueError:
        await query.answer(tr("bot.button.stale", lang), show_alert=True)
        return
    try:
        async with db.session_scope() as session:
            changed = await _confirm(session, callback_data, day, query)
    except DomainError as err:
        await query.answer(alert_text(err.message(lang)), show_alert=True)
        return
    if not changed:
        await query.answer(tr("bot.digest.already_accepted", lang))
        return
    await query.answer(tr("bot.digest.accepted", lang))
    message = query.message
    if not isinstance(message, Message):
        return
    name = person_name(query.from_user)
    digest_lang = _digest_language(message)
    marker = digest_accepted_marker(callback_data, name, digest_lang)
    text = f"{message.html_text}\n\n{digest_accepted_line(name, get_clock().now(), digest_lang)}"
    if text_length(text) <= MESSAGE_LIMIT:
        await _edit(message, text, marker)
    else:  # a full-length digest part: keep its text as it is and only replace the button
        try:
            await message.edit_reply_markup(reply_markup=marker)
        except TelegramBadRequest as exc:
            log.info("could not mark digest message %s: %s", message.message_id, exc.message)


def router() -> Router:
    r = Router(name="callbacks")
    r.callback_query.register(on_access_decision, AccessDecision.filter())
    r.callback_query.register(on_link_decision, LinkDecision.filter())
    r.callback_query.register(on_digest_accepted, DigestAccepted.filter())
    return r
