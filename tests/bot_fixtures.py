"""The bot under test: the real Dispatcher long-polling the Telegram stand-in, with real data rows.

`BotHarness` pushes updates into the fake (served through getUpdates) and waits for the bot's Bot API
calls; the flood window is huge and its clock is a number the test moves, so nothing depends on timing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.utils.backoff import BackoffConfig

from bot.factory import create_bot, create_dispatcher, run_polling
from lunch_app import db
from lunch_app.models import Cafe, Role, User
from lunch_app.settings import get_settings
from tests.fakes.telegram import FakeBotAPI, RecordedCall
from tests.office_fixtures import office_in, serve_in

FAST_BACKOFF = BackoffConfig(min_delay=0.05, max_delay=0.3, factor=1.5, jitter=0.1)
FLOOD_LIMIT = 5
WAIT = 15.0

MANAGER = 1001
MANAGER_2 = 1002
EMPLOYEE = 3003
STRANGER = 4004


@dataclass
class ManualClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class BotHarness:
    fake: FakeBotAPI
    bot: Bot
    dispatcher: Dispatcher
    task: asyncio.Task[None]
    flood_clock: ManualClock = field(default_factory=ManualClock)

    def sends_to(self, chat_id: int) -> list[RecordedCall]:
        return [c for c in self.fake.calls("sendMessage") if c.params.get("chat_id") == chat_id]

    async def say(self, text: str, *, user_id: int = EMPLOYEE, chat_id: int | None = None, **kwargs: Any) -> str:
        """Send a message as a user and return the text of the bot's (one) reply in that chat."""
        chat = chat_id if chat_id is not None else user_id
        before = len(self.sends_to(chat))
        self.fake.push_message(text, user_id=user_id, chat_id=chat_id, **kwargs)
        calls = await self.fake.wait_for(
            "sendMessage", count=before + 1, timeout=WAIT, predicate=lambda c: c.params.get("chat_id") == chat
        )
        return str(calls[before].params["text"])

    async def reply_call(
        self, text: str, *, user_id: int = EMPLOYEE, chat_id: int | None = None, **kw: Any
    ) -> RecordedCall:
        chat = chat_id if chat_id is not None else user_id
        before = len(self.sends_to(chat))
        self.fake.push_message(text, user_id=user_id, chat_id=chat_id, **kw)
        calls = await self.fake.wait_for(
            "sendMessage", count=before + 1, timeout=WAIT, predicate=lambda c: c.params.get("chat_id") == chat
        )
        return calls[before]

    async def tap(self, data: str, *, user_id: int, chat_id: int, message_id: int, **kwargs: Any) -> RecordedCall:
        """Press an inline button and return the bot's answerCallbackQuery call."""
        update = self.fake.push_callback(data, user_id=user_id, chat_id=chat_id, message_id=message_id, **kwargs)
        query_id = update["callback_query"]["id"]
        calls = await self.fake.wait_for(
            "answerCallbackQuery", timeout=WAIT, predicate=lambda c: c.params.get("callback_query_id") == query_id
        )
        return calls[0]


async def start_harness(fake: FakeBotAPI, *, flood_limit: int = FLOOD_LIMIT) -> BotHarness:
    settings = get_settings()
    clock = ManualClock()
    bot = create_bot(settings)
    dispatcher = create_dispatcher(settings, flood_limit=flood_limit, flood_window=60.0, clock=clock)
    task = asyncio.create_task(
        run_polling(bot, dispatcher, settings, handle_signals=False, backoff=FAST_BACKOFF, polling_timeout=2)
    )
    return BotHarness(fake=fake, bot=bot, dispatcher=dispatcher, task=task, flood_clock=clock)


async def stop_harness(harness: BotHarness) -> None:
    with contextlib.suppress(RuntimeError):  # "Polling is not started": it never got past start-up
        await harness.dispatcher.stop_polling()
    if not harness.task.done():
        harness.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await harness.task
    await harness.bot.session.close()


@pytest.fixture(name="running_bot")
async def running_bot_fixture(db_ready: object, fake_telegram: FakeBotAPI) -> AsyncIterator[BotHarness]:
    harness = await start_harness(fake_telegram)
    await fake_telegram.wait_for("getUpdates", timeout=WAIT)
    try:
        yield harness
    finally:
        await stop_harness(harness)


async def add_user(tgid: int, name: str, *, role: Role = Role.employee, active: bool = True) -> None:
    async with db.session_scope() as session:
        session.add(User(tgid=tgid, name=name, office_id=await office_in(session, "HQ"), role=role, is_active=active))


async def add_cafe(name: str, *, active: bool = True, chat_id: int | None = None, title: str | None = None) -> int:
    async with db.session_scope() as session:
        cafe = Cafe(name=name, is_active=active, tg_chat_id=chat_id, tg_chat_title=title)
        session.add(cafe)
        await session.flush()
        assert cafe.id is not None
        await serve_in(session, cafe.id, [await office_in(session, "HQ")])
        return cafe.id
