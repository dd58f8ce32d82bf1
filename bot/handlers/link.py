"""/link <cafe_id> and /status: linking a cafe's Telegram chat (SPEC §4 "Cafe linking")."""

from __future__ import annotations

import re

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.texts import error_text, person_name, tr
from lunch_app import db
from lunch_app.domain import links
from lunch_app.domain.errors import DomainError
from lunch_app.domain.links import ChatState

# Cafe numbers are database ids; nine digits keep the value inside the domain's int32 range check.
_CAFE_NUMBER = re.compile(r"^\d{1,9}$")
_SHOWN_VALUE_LIMIT = 30


def _chat_title(message: Message) -> str:
    """Groups have a title; a private chat is named after the person (that is what managers will see)."""
    if message.chat.type == ChatType.PRIVATE or not message.chat.title:
        return person_name(message.from_user)
    return message.chat.title


async def on_link(message: Message, command: CommandObject, lang: str) -> None:
    raw = (command.args or "").strip()
    if not raw:
        await message.answer(tr("bot.link.usage", lang))
        return
    value = raw.split()[0]
    if not _CAFE_NUMBER.match(value) or int(value) == 0:
        shown = value if len(value) <= _SHOWN_VALUE_LIMIT else value[: _SHOWN_VALUE_LIMIT - 1] + "…"
        await message.answer(tr("bot.link.bad_id", lang, value=shown))
        return
    requester = message.from_user
    try:
        async with db.session_scope() as session:
            await links.request_link(
                session,
                cafe_id=int(value),
                chat_id=message.chat.id,
                chat_title=_chat_title(message)[:255],
                requested_by=requester.id if requester else message.chat.id,
                requested_by_username=requester.username if requester else None,
            )
            status = await links.chat_status(session, message.chat.id)
    except DomainError as err:
        await message.answer(error_text(err, lang))
        return
    await message.answer(tr("bot.link.requested", lang, cafe=status.cafe_name or value))


async def on_status(message: Message, lang: str) -> None:
    async with db.session_scope() as session:
        status = await links.chat_status(session, message.chat.id)
    if status.state == ChatState.linked:
        switch = "bot.status.notifications_on" if status.notifications_enabled else "bot.status.notifications_off"
        text = tr("bot.status.linked", lang, cafe=status.cafe_name or "", notifications=tr(switch, lang))
    elif status.state == ChatState.pending:
        text = tr("bot.status.pending", lang, cafe=status.cafe_name or "")
    else:
        text = tr("bot.status.none", lang)
    await message.answer(text)


def router() -> Router:
    r = Router(name="link")
    r.message.register(on_link, Command("link"))
    r.message.register(on_status, Command("status"))
    return r
