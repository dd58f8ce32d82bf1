"""What no other handler took: unknown commands and plain text get a hint instead of silence.

In groups only commands addressed to this bot are answered (a cafe chat is a conversation between people).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from bot.texts import tr


async def on_unknown_command(message: Message, bot: Bot, lang: str) -> None:
    text = message.text or ""
    mention = text.split(maxsplit=1)[0].partition("@")[2]
    if message.chat.type != ChatType.PRIVATE:
        me = await bot.me()
        if not mention or not me.username or mention.lower() != me.username.lower():
            return
    await message.answer(tr("bot.unknown_command", lang))


async def on_private_text(message: Message, lang: str) -> None:
    await message.answer(tr("bot.text_hint", lang))


async def on_stale_button(query: CallbackQuery, lang: str) -> None:
    await query.answer(tr("bot.button.stale", lang), show_alert=True)


def router() -> Router:
    r = Router(name="fallback")
    r.message.register(on_unknown_command, F.text.startswith("/"))
    r.message.register(on_private_text, F.chat.type == ChatType.PRIVATE)
    r.callback_query.register(on_stale_button)
    return r
