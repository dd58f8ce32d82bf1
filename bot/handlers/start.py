"""/start, /order and /help: the front door to the Mini App."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandStart
from aiogram.types import InlineKeyboardMarkup, Message

from bot.keyboards import order_button, private_chat_button
from bot.texts import person_name, tr
from lunch_app.settings import Settings


async def _order_keyboard(message: Message, bot: Bot, settings: Settings, lang: str) -> InlineKeyboardMarkup:
    if message.chat.type == ChatType.PRIVATE:
        return order_button(settings.telegram_mini_app_url, lang)
    me = await bot.me()
    return private_chat_button(me.username or settings.telegram_bot_username, lang)


async def on_start(message: Message, bot: Bot, settings: Settings, lang: str) -> None:
    keyboard = await _order_keyboard(message, bot, settings, lang)
    await message.answer(tr("bot.start.welcome", lang, name=person_name(message.from_user)), reply_markup=keyboard)


async def on_order(message: Message, bot: Bot, settings: Settings, lang: str) -> None:
    keyboard = await _order_keyboard(message, bot, settings, lang)
    key = "bot.order.text" if message.chat.type == ChatType.PRIVATE else "bot.order.private_only"
    await message.answer(tr(key, lang), reply_markup=keyboard)


async def on_help(message: Message, lang: str) -> None:
    await message.answer(tr("bot.help", lang))


def router() -> Router:
    r = Router(name="start")
    r.message.register(on_start, CommandStart())
    r.message.register(on_order, Command("order"))
    r.message.register(on_help, Command("help"))
    return r
