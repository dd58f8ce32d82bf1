"""Builds the Bot and the Dispatcher from settings, and prepares the bot's profile (menu button, commands).

Tests build their own pair against a local Bot API stand-in: `create_bot(settings)` talks to
`settings.telegram_api_base`; `create_dispatcher(...)` takes the flood limits and a clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import BotCommand, BotCommandScopeDefault, MenuButtonWebApp, WebAppInfo
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.handlers import build_routers
from bot.middlewares import CommandFloodGuard, LanguageMiddleware, on_error
from lunch_app.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from lunch_app.settings import Settings, get_settings

log = logging.getLogger("bot")

COMMANDS = ("start", "order", "help", "link", "status", "dashboard")
FLOOD_LIMIT = 5
FLOOD_WINDOW = 10.0
# aiogram's polling retries getUpdates forever with this backoff while the Bot API is unreachable.
POLLING_BACKOFF = BackoffConfig(min_delay=1.0, max_delay=15.0, factor=1.5, jitter=0.1)


def create_bot(settings: Settings | None = None) -> Bot:
    settings = settings or get_settings()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base.rstrip("/")))
    return Bot(
        settings.bot_token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings | None = None,
    *,
    flood_limit: int = FLOOD_LIMIT,
    flood_window: float = FLOOD_WINDOW,
    clock: Callable[[], float] = time.monotonic,
) -> Dispatcher:
    """A Dispatcher with every router, the language and flood middlewares and the polite error handler.

    Handlers receive `settings` and `lang` in their data.
    """
    dispatcher = Dispatcher(settings=settings or get_settings())
    dispatcher.update.outer_middleware(LanguageMiddleware())
    dispatcher.message.outer_middleware(CommandFloodGuard(limit=flood_limit, window=flood_window, clock=clock))
    dispatcher.errors.register(on_error)
    dispatcher.include_routers(*build_routers())
    return dispatcher


def bot_commands(lang: str) -> list[BotCommand]:
    return [BotCommand(command=name, description=t(f"bot.cmd.{name}", lang)) for name in COMMANDS]


async def prepare_bot(bot: Bot, settings: Settings) -> None:
    """Switch to long polling (drop any webhook), point the chat menu button at the Mini App, register commands.

    Russian is the default command list; other languages are registered for their Telegram language code.
    """
    await bot.delete_webhook(drop_pending_updates=False)
    try:
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp(
                text=t("bot.menu_button", DEFAULT_LANGUAGE), web_app=WebAppInfo(url=settings.telegram_mini_app_url)
            )
        )
    except TelegramBadRequest as exc:
        # Telegram refuses non-https Mini App URLs (a development setup): the commands still work.
        log.error("menu button not set for %s: %s", settings.telegram_mini_app_url, exc.message)
    await bot.set_my_commands(bot_commands(DEFAULT_LANGUAGE), scope=BotCommandScopeDefault())
    for lang in LANGUAGES:
        if lang != DEFAULT_LANGUAGE:
            await bot.set_my_commands(bot_commands(lang), scope=BotCommandScopeDefault(), language_code=lang)
    await bot.me()  # cached: polling then starts without another round trip


async def prepare_bot_until_ready(bot: Bot, settings: Settings, *, backoff: BackoffConfig = POLLING_BACKOFF) -> None:
    """`prepare_bot`, retried while the Bot API is unreachable or overloaded (the bot may start before it).

    A rejected token (401) or a bad request is not retried: that is a configuration error to fix.
    """
    delays = Backoff(config=backoff)
    while True:
        try:
            await prepare_bot(bot, settings)
            return
        except TelegramRetryAfter as exc:
            log.warning("Bot API asks to wait %s s before start-up calls", exc.retry_after)
            await asyncio.sleep(exc.retry_after)
        except (TelegramNetworkError, TelegramServerError) as exc:
            log.warning("Bot API unavailable at start-up (%s); retrying in %.1f s", exc, delays.next_delay)
            await delays.asleep()


async def run_polling(
    bot: Bot,
    dispatcher: Dispatcher,
    settings: Settings,
    *,
    handle_signals: bool = True,
    backoff: BackoffConfig = POLLING_BACKOFF,
    polling_timeout: int = 10,
) -> None:
    """Prepare the bot, then long-poll until stopped (SIGTERM/SIGINT or `dispatcher.stop_polling()`)."""
    await prepare_bot_until_ready(bot, settings, backoff=backoff)
    await dispatcher.start_polling(
        bot,
        polling_timeout=polling_timeout,
        backoff_config=backoff,
        allowed_updates=dispatcher.resolve_used_update_types(),
        handle_signals=handle_signals,
        close_bot_session=True,
    )
