"""/dashboard: a manager's one-time sign-in link to the dashboard on a desktop (SPEC §4 "Access")."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message

from bot.texts import tr
from lunch_app import db
from lunch_app.domain.dashboard_links import issue_dashboard_token, sign_in_url
from lunch_app.domain.errors import Forbidden
from lunch_app.settings import Settings


async def on_dashboard(message: Message, settings: Settings, lang: str) -> None:
    if message.from_user is None:
        await message.answer(tr("bot.dashboard.managers_only", lang))
        return
    # A sign-in link posted in a group could be used by anyone there: never issue one outside a private chat.
    if message.chat.type != ChatType.PRIVATE:
        await message.answer(tr("bot.dashboard.private_only", lang))
        return
    try:
        async with db.session_scope() as session:
            token = await issue_dashboard_token(session, manager_tgid=message.from_user.id)
    except Forbidden:
        await message.answer(tr("bot.dashboard.managers_only", lang))
        return
    minutes = max(1, settings.dashboard_link_ttl // 60)
    await message.answer(tr("bot.dashboard.link", lang, url=sign_in_url(settings.public_url, token), minutes=minutes))


def router() -> Router:
    r = Router(name="dashboard")
    r.message.register(on_dashboard, Command("dashboard"))
    return r
