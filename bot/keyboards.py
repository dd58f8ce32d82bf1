"""Inline keyboards of the bot's own replies (the buttons of notices and digests are built by the worker)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from lunch_app.i18n import t
from lunch_app.telegram.callbacks import DigestAccepted


def order_button(mini_app_url: str, lang: str) -> InlineKeyboardMarkup:
    """The "Order lunch" button opening the Mini App (Telegram allows web_app buttons in private chats only)."""
    button = InlineKeyboardButton(text=t("bot.button.order", lang), web_app=WebAppInfo(url=mini_app_url))
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def private_chat_button(bot_username: str, lang: str) -> InlineKeyboardMarkup:
    """In a group: a deep link to the private chat with the bot, where the Mini App button works."""
    url = f"https://t.me/{bot_username}?start=order"
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t("bot.button.open_private", lang), url=url)]]
    )


def digest_accepted_marker(data: DigestAccepted, name: str, lang: str) -> InlineKeyboardMarkup:
    """Replaces the digest's "Accepted" button; tapping it again only says the order is already accepted."""
    # Button texts are plain text (no parse mode), so the name is not escaped here.
    button = InlineKeyboardButton(text=t("bot.digest.accepted_by", lang, name=name), callback_data=data.pack())
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
