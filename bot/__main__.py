"""`python -m bot`: the Telegram bot with long polling.

Start-up: delete any webhook, set the chat menu button to the Mini App and register the commands (retried
while the Bot API is unreachable), then poll. Polling survives the Bot API being down: aiogram retries
getUpdates with a backoff. Every successful Bot API call touches HEALTH_DIR/bot for the container health
check, so a bot that cannot reach Telegram for a minute reports unhealthy. SIGTERM/SIGINT stop it cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.factory import create_bot, create_dispatcher, run_polling
from lunch_app import db
from lunch_app.settings import Settings, SettingsError, get_settings

log = logging.getLogger("bot")


class HealthBeacon(BaseRequestMiddleware):
    """Touches a file after every successful Bot API call (long polling calls getUpdates every few seconds)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        try:
            self.path.touch()
        except OSError as exc:  # a read-only or full disk must not stop the bot
            log.warning("cannot touch health file %s: %s", self.path, exc)
        return response


async def _serve(settings: Settings) -> None:
    bot = create_bot(settings)
    bot.session.middleware(HealthBeacon(Path(settings.health_dir) / "bot"))
    dispatcher = create_dispatcher(settings)
    try:
        await run_polling(bot, dispatcher, settings)
    finally:
        await bot.session.close()
        await db.dispose()


def main() -> int:
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stdout,
    )
    log.info("bot starting: Bot API %s, Mini App %s", settings.telegram_api_base, settings.telegram_mini_app_url)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(settings))
    log.info("bot stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
