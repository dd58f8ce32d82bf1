"""Cross-cutting behaviour of every update: the user's language, command flood protection, polite errors."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent, Message, TelegramObject, Update
from aiogram.types import User as TelegramUser

from bot.texts import alert_text, error_text, tr
from lunch_app.domain.errors import DomainError
from lunch_app.i18n import normalize_language, t

log = logging.getLogger("bot")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class LanguageMiddleware(BaseMiddleware):
    """Puts `lang` ("ru" or "en") into the handler data, from the Telegram language of whoever acted."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: TelegramUser | None = data.get("event_from_user")
        data["lang"] = normalize_language(user.language_code if user else None)
        return await handler(event, data)


def _command_target(text: str) -> tuple[str, str | None] | None:
    """("link", "lunch_bot") for "/link@lunch_bot 5"; None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head = text.split(maxsplit=1)[0][1:]
    command, _, mention = head.partition("@")
    return command.lower(), (mention or None)


class CommandFloodGuard(BaseMiddleware):
    """At most `limit` commands per chat within `window` seconds; the next one gets a single "slow down" reply.

    Later commands inside the window are dropped silently (answering each would be the flood itself). The
    counters live in memory: one polling process serves all updates of the bot. `clock` is injectable so
    tests never depend on real time.
    """

    def __init__(self, *, limit: int = 5, window: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("flood limit must be >= 1 and the window positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or not event.text:
            return await handler(event, data)
        target = _command_target(event.text)
        if target is None:
            return await handler(event, data)
        mention = target[1]
        if mention is not None:
            bot: Bot = data["bot"]
            me = await bot.me()
            if not me.username or mention.lower() != me.username.lower():
                return await handler(event, data)  # a command for another bot in the group: not ours to count
        if self._allow(event.chat.id):
            return await handler(event, data)
        if event.chat.id not in self._warned:
            self._warned.add(event.chat.id)
            log.info("flood protection engaged for chat %s", event.chat.id)
            await event.answer(tr("bot.flood", data.get("lang", "ru")))
        return None

    def _allow(self, chat_id: int) -> bool:
        now = self.clock()
        recent = self._recent.setdefault(chat_id, deque())
        while recent and now - recent[0] >= self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            return False
        recent.append(now)
        self._warned.discard(chat_id)
        if len(self._recent) > 10_000:
            self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        idle = [chat for chat, times in self._recent.items() if not times or now - times[-1] >= self.window]
        for chat in idle:
            del self._recent[chat]
            self._warned.discard(chat)


def _update_user(update: Update) -> TelegramUser | None:
    if update.message is not None:
        return update.message.from_user
    if update.callback_query is not None:
        return update.callback_query.from_user
    return None


async def on_error(event: ErrorEvent) -> bool:
    """Last line of defence: log the failure and answer politely instead of a traceback or silence."""
    update, exc = event.update, event.exception
    user = _update_user(update)
    lang = normalize_language(user.language_code if user else None)
    if isinstance(exc, DomainError):
        log.info("update %s refused: %s", update.update_id, exc.key)
        plain = exc.message(lang)
        text = error_text(exc, lang)
    else:
        log.error("update %s failed", update.update_id, exc_info=exc)
        plain = t("bot.error.generic", lang)
        text = tr("bot.error.generic", lang)
    # Telegram itself may be the reason we are here; then there is nobody to answer.
    with contextlib.suppress(TelegramAPIError):
        if update.callback_query is not None:
            await update.callback_query.answer(alert_text(plain), show_alert=True)
        elif update.message is not None:
            await update.message.answer(text)
    return True
