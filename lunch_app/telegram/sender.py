"""Sending to Telegram with the retry rules of SPEC §4: 429 waits `retry_after`, 5xx and network errors
retry with bounded exponential backoff, everything else is a permanent failure reported to the caller.

`make_bot()` builds the aiogram Bot every process uses (token and API base from settings, HTML parse mode).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    RestartingTelegram,
    TelegramAPIError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions

from lunch_app.settings import Settings, get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")


def make_bot(settings: Settings | None = None) -> Bot:
    """The Bot for this process: token and API server from settings, HTML parse mode by default."""
    settings = settings or get_settings()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    return Bot(
        settings.bot_token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)),
    )


class DeliveryFailed(Exception):
    """Telegram refused for good (bad request, chat not found, bot blocked) or retries ran out."""

    def __init__(self, description: str, *, permanent: bool) -> None:
        super().__init__(description)
        self.description = description[:1000]
        self.permanent = permanent  # False: transient errors persisted past the retry budget


class TelegramSender:
    """Calls the Bot API with retries. One instance per process; safe for concurrent use."""

    def __init__(
        self,
        bot: Bot,
        *,
        max_attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 15.0,
        max_flood_waits: int = 10,
        max_retry_after: float = 300.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_flood_waits = max_flood_waits
        self.max_retry_after = max_retry_after
        self._sleep = sleep

    async def call(self, make_request: Callable[[], Awaitable[T]], *, what: str) -> T:
        """Run one Bot API request (built afresh on every attempt) until it succeeds or fails for good."""
        failures = 0
        flood_waits = 0
        while True:
            try:
                return await make_request()
            except TelegramRetryAfter as exc:
                flood_waits += 1
                if flood_waits > self.max_flood_waits or exc.retry_after > self.max_retry_after:
                    raise DeliveryFailed(f"429 flood control: {exc.message}", permanent=False) from exc
                log.warning("telegram flood control", extra={"what": what, "retry_after": exc.retry_after})
                await self._sleep(float(exc.retry_after))
            except (TelegramServerError, RestartingTelegram, TelegramNetworkError, ClientDecodeError) as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise DeliveryFailed(f"{type(exc).__name__}: {exc}", permanent=False) from exc
                delay = min(self.max_delay, self.base_delay * 2 ** (failures - 1)) * (0.5 + random.random() / 2)
                log.warning(
                    "telegram transient error, retrying",
                    extra={"what": what, "error": str(exc)[:300], "attempt": failures, "delay": round(delay, 2)},
                )
                await self._sleep(delay)
            except TelegramMigrateToChat as exc:
                raise DeliveryFailed(
                    f"the chat became a supergroup {exc.migrate_to_chat_id}; link the cafe again", permanent=True
                ) from exc
            except TelegramAPIError as exc:
                # 400 chat not found / message is malformed, 401, 403 bot blocked or kicked, 404, 409, 413.
                raise DeliveryFailed(f"{type(exc).__name__}: {exc.message}", permanent=True) from exc

    async def send_message(self, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None) -> int:
        """Send an HTML message; returns its message id."""
        message = await self.call(
            lambda: self.bot.send_message(chat_id=chat_id, text=text, reply_markup=reply_markup),
            what=f"sendMessage:{chat_id}",
        )
        return message.message_id
