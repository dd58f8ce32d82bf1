"""The protocol stand-ins work with the real client libraries (aiogram, google-genai, aiokafka)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.filters import Command
from aiogram.types import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    Message,
    Update,
    WebAppInfo,
)
from google.genai import errors as genai_errors
from google.genai import types as genai_types
from pydantic import BaseModel

from lunch_app.settings import get_settings
from tests.fakes.fixtures import KafkaTestEnv
from tests.fakes.gemini import DEFAULT_ANSWER, FakeGemini
from tests.fakes.kafka import BrokerError, KafkaBroker
from tests.fakes.telegram import FakeBotAPI

TOKEN = "424242:test-bot-token-for-the-stand-in"


@pytest.fixture
async def bot(fake_telegram: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_telegram.base_url))
    bot = Bot(TOKEN, session=session)
    yield bot
    await bot.session.close()


def _keyboard(data: str = "accept:1") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Accepted", callback_data=data)]])


# ---------------------------------------------------------------------------------------------- Telegram
async def test_telegram_settings_point_at_the_fake(fake_telegram: FakeBotAPI) -> None:
    assert get_settings().telegram_api_base == fake_telegram.base_url


async def test_send_message_returns_valid_messages_and_records_parsed_params(
    bot: Bot, fake_telegram: FakeBotAPI
) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "lunch_bot" and me.id == 424242

    first = await bot.send_message(1001, "Привет", reply_markup=_keyboard())
    second = await bot.send_message(1001, "again")
    group = await bot.send_message(-1001234567890, "to a group")

    assert (first.message_id, second.message_id, group.message_id) == (1, 2, 1)
    assert first.chat.type == "private" and group.chat.type == "supergroup"
    assert first.text == "Привет"
    assert first.reply_markup is not None
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "accept:1"
    assert second.reply_markup is None

    call = fake_telegram.calls("sendMessage")[0]
    assert call.token == TOKEN
    assert call.params["chat_id"] == 1001  # form string decoded to int
    assert call.params["text"] == "Привет"
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Accepted", "callback_data": "accept:1"}]]}
    assert fake_telegram.sent_texts(1001) == ["Привет", "again"]


async def test_text_limit_is_enforced_after_html_parsing(bot: Bot) -> None:
    await bot.send_message(1001, "x" * 4096)
    await bot.send_message(1001, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags don't count
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1001, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1001, "&amp;" * 4097, parse_mode="HTML")


async def test_429_raises_retry_after_then_recovers(bot: Bot, fake_telegram: FakeBotAPI) -> None:
    fake_telegram.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1001, "digest")
    assert caught.value.retry_after == 3
    assert fake_telegram.calls("sendMessage")[0].response["parameters"] == {"retry_after": 3}

    fake_telegram.fail_next("sendMessage", 500, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(1001, "digest")
    sent = await bot.send_message(1001, "digest")
    assert sent.message_id == 1  # failed attempts did not consume message ids
    assert [c.status for c in fake_telegram.calls("sendMessage")] == [429, 500, 500, 200]


async def test_failure_predicate_targets_one_chat(bot: Bot, fake_telegram: FakeBotAPI) -> None:
    fake_telegram.fail_next("sendMessage", 403, predicate=lambda p: p.get("chat_id") == 2002)
    await bot.send_message(1001, "fine")
    with pytest.raises(Exception, match="blocked"):
        await bot.send_message(2002, "blocked user")


async def test_edit_and_callback_answer(bot: Bot, fake_telegram: FakeBotAPI) -> None:
    sent = await bot.send_message(-100500, "Digest", reply_markup=_keyboard())
    edited = await bot.edit_message_text("Digest — accepted by Anna", chat_id=-100500, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Digest — accepted by Anna" and edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_text("Digest — accepted by Anna", chat_id=-100500, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.edit_message_text("x", chat_id=-100500, message_id=999)
    marked = await bot.edit_message_reply_markup(
        chat_id=-100500, message_id=sent.message_id, reply_markup=_keyboard("again")
    )
    assert isinstance(marked, Message) and marked.reply_markup is not None
    assert marked.reply_markup.inline_keyboard[0][0].callback_data == "again"

    assert await bot.answer_callback_query("77", text="Done") is True
    assert fake_telegram.calls("answerCallbackQuery")[0].params == {"callback_query_id": "77", "text": "Done"}


async def test_menu_button_commands_and_unknown_methods(bot: Bot, fake_telegram: FakeBotAPI) -> None:
    button = MenuButtonWebApp(text="Order", web_app=WebAppInfo(url="https://example.org/app"))
    assert await bot.set_chat_menu_button(menu_button=button) is True
    assert await bot.set_my_commands([BotCommand(command="start", description="Start")]) is True
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert await bot.send_chat_action(1001, "typing") is True  # not modelled: generic ok, still recorded

    menu = fake_telegram.calls("setChatMenuButton")[0].params["menu_button"]
    assert menu == {"type": "web_app", "text": "Order", "web_app": {"url": "https://example.org/app"}}
    assert fake_telegram.calls("setMyCommands")[0].params["commands"] == [{"command": "start", "description": "Start"}]
    assert fake_telegram.calls("deleteWebhook")[0].params["drop_pending_updates"] is True
    assert len(fake_telegram.calls("sendChatAction")) == 1


async def test_get_updates_long_poll_honours_offset_and_timeout(bot: Bot, fake_telegram: FakeBotAPI) -> None:
    assert await bot.get_updates(timeout=0) == []

    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await fake_telegram.wait_for("getUpdates", count=2)
    pushed = fake_telegram.push_message("/start", user_id=555, language_code="en")
    updates = await asyncio.wait_for(poll, 5)  # answered on push, long before the 10 s poll timeout
    assert [u.update_id for u in updates] == [pushed["update_id"]]
    message = updates[0].message
    assert message is not None and message.text == "/start" and message.from_user is not None
    assert message.from_user.language_code == "en" and message.chat.type == "private"

    # Not confirmed yet: delivered again; confirmed with offset: gone.
    assert len(await bot.get_updates(timeout=0)) == 1
    assert await bot.get_updates(offset=pushed["update_id"] + 1, timeout=0) == []


async def test_builders_drive_a_dispatcher_and_polling(bot: Bot, fake_telegram: FakeBotAPI) -> None:
    dp = Dispatcher()
    seen: list[str] = []

    @dp.message(Command("link"))
    async def link(message: Message) -> None:
        assert message.chat.title == "Cafe Borscht"
        await message.answer(f"link requested by {message.from_user.language_code}")  # type: ignore[union-attr]

    @dp.callback_query(F.data == "accept:1")
    async def accept(query: CallbackQuery) -> None:
        seen.append(query.data or "")
        await query.answer("ok")

    # Without polling: feed a built update.
    group_update = fake_telegram.message_update(
        "/link@lunch_bot 7", chat_id=-100777, chat_type="supergroup", chat_title="Cafe Borscht", language_code="en"
    )
    await dp.feed_update(bot, Update.model_validate(group_update, context={"bot": bot}))
    assert fake_telegram.sent_texts(-100777) == ["link requested by en"]
    assert fake_telegram.calls("sendMessage")[-1].response["result"]["chat"]["title"] == "Cafe Borscht"

    # With real long polling: a pressed button on the bot's own message.
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        sent = fake_telegram.calls("sendMessage")[-1].response["result"]
        fake_telegram.push_callback("accept:1", user_id=42, message=sent)
        await fake_telegram.wait_for("answerCallbackQuery")
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert seen == ["accept:1"]


async def test_stop_and_start_simulate_an_outage_on_the_same_port(bot: Bot, fake_telegram: FakeBotAPI) -> None:
    port = fake_telegram.port
    pending_poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake_telegram.wait_for("getUpdates")
    await fake_telegram.stop()
    assert await asyncio.wait_for(pending_poll, 5) == []  # a pending long poll ends with the server
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(1001, "while down")
    await fake_telegram.start()
    assert fake_telegram.port == port
    assert (await bot.send_message(1001, "back")).text == "back"


async def test_wait_for_reports_missing_calls(bot: Bot, fake_telegram: FakeBotAPI) -> None:
    await bot.send_message(1001, "one")
    assert len(await fake_telegram.wait_for("sendMessage", predicate=lambda c: c.params["text"] == "one")) == 1
    with pytest.raises(AssertionError, match="expected 2 sendMessage"):
        await fake_telegram.wait_for("sendMessage", count=2, timeout=0.1)


async def test_json_requests_and_wrong_token(fake_telegram: FakeBotAPI) -> None:
    strict = FakeBotAPI(token=TOKEN)
    async with strict, aiohttp.ClientSession() as http:
        async with http.post(f"{strict.base_url}/bot{TOKEN}/sendMessage", json={"chat_id": 5, "text": "hi"}) as resp:
            body = await resp.json()
        assert body["ok"] is True and body["result"]["chat"] == {"id": 5, "type": "private"}
        async with http.post(f"{strict.base_url}/bot1:wrong/getMe") as resp:
            assert resp.status == 401
            assert (await resp.json())["error_code"] == 401


# ---------------------------------------------------------------------------------------------- Gemini
class Tips(BaseModel):
    summary: str
    tips: list[str]


def _structured() -> genai_types.GenerateContentConfig:
    return genai_types.GenerateContentConfig(response_mime_type="application/json", response_schema=Tips)


async def test_gemini_structured_answer(fake_gemini: FakeGemini) -> None:
    assert get_settings().gemini_base_url == fake_gemini.base_url
    client = fake_gemini.client_for("key-1")
    response = await client.aio.models.generate_content(
        model="gemini-2.5-flash", contents="Soup x3, Salad x2", config=_structured()
    )
    assert isinstance(response.parsed, Tips)
    assert response.parsed.model_dump() == DEFAULT_ANSWER

    fake_gemini.answer({"summary": "Custom", "tips": ["a", "b", "c"]}, key="key-1")
    response = await client.aio.models.generate_content(model="gemini-2.5-flash", contents="x", config=_structured())
    assert isinstance(response.parsed, Tips) and response.parsed.tips == ["a", "b", "c"]

    [first, _] = fake_gemini.calls("key-1")
    assert first.model == "gemini-2.5-flash" and first.api_version == "v1"
    assert "Soup x3" in first.prompt
    assert first.body["generationConfig"]["responseMimeType"] == "application/json"


async def test_gemini_errors_have_google_shapes(fake_gemini: FakeGemini) -> None:
    fake_gemini.fail("limited", 429)
    fake_gemini.fail("revoked", 400)
    fake_gemini.fail("flaky", 500, times=1)

    with pytest.raises(genai_errors.ClientError) as rate_limited:
        await fake_gemini.client_for("limited").aio.models.generate_content(model="m", contents="x")
    assert rate_limited.value.code == 429 and rate_limited.value.status == "RESOURCE_EXHAUSTED"

    with pytest.raises(genai_errors.ClientError) as invalid:
        await fake_gemini.client_for("revoked").aio.models.generate_content(model="m", contents="x")
    assert invalid.value.code == 400
    assert invalid.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"

    flaky = fake_gemini.client_for("flaky")
    with pytest.raises(genai_errors.ServerError) as server:
        await flaky.aio.models.generate_content(model="m", contents="x")
    assert server.value.code == 500
    assert (await flaky.aio.models.generate_content(model="m", contents="x")).text  # times=1: recovered

    for status, name in ((401, "UNAUTHENTICATED"), (403, "PERMISSION_DENIED")):
        fake_gemini.fail("other", status, times=1)
        with pytest.raises(genai_errors.ClientError) as caught:
            await fake_gemini.client_for("other").aio.models.generate_content(model="m", contents="x")
        assert (caught.value.code, caught.value.status) == (status, name)
    assert [c.status for c in fake_gemini.calls()] == [429, 400, 500, 200, 401, 403]


async def test_gemini_unparseable_and_blocked_answers(fake_gemini: FakeGemini) -> None:
    client = fake_gemini.client_for("key")
    fake_gemini.bad_answer("key", times=1)
    response = await client.aio.models.generate_content(model="m", contents="x", config=_structured())
    assert response.parsed is None and response.text == "Sure! Here are tips: eat well"

    fake_gemini.block("key", times=1)
    response = await client.aio.models.generate_content(model="m", contents="x", config=_structured())
    assert response.parsed is None and response.text is None

    fake_gemini.set_latency(0.05)
    response = await client.aio.models.generate_content(model="m", contents="x", config=_structured())
    assert isinstance(response.parsed, Tips)


async def test_gemini_v1beta_path_and_missing_key(fake_gemini: FakeGemini) -> None:
    url = f"{fake_gemini.base_url}/v1beta/models/gemini-2.5-flash:generateContent"
    payload = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=payload, headers={"x-goog-api-key": "k"}) as resp:
            body = await resp.json()
        assert json.loads(body["candidates"][0]["content"]["parts"][0]["text"]) == DEFAULT_ANSWER
        async with http.post(url, json=payload) as resp:
            assert resp.status == 403
    assert [c.api_version for c in fake_gemini.calls()] == ["v1beta", "v1beta"]


async def test_gemini_valid_keys(fake_gemini: FakeGemini) -> None:
    fake_gemini.valid_keys = {"good"}
    assert (await fake_gemini.client_for("good").aio.models.generate_content(model="m", contents="x")).text
    with pytest.raises(genai_errors.ClientError) as caught:
        await fake_gemini.client_for("unknown").aio.models.generate_content(model="m", contents="x")
    assert caught.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"


# ---------------------------------------------------------------------------------------------- Kafka
async def test_kafka_settings_point_at_this_tests_topics(kafka: KafkaTestEnv) -> None:
    settings = get_settings()
    assert settings.kafka_bootstrap_servers == kafka.bootstrap
    assert settings.kafka_topic_deadlines == kafka.deadlines != "lunch-bot.deadlines"
    assert settings.kafka_consumer_group == kafka.group_id


async def test_kafka_round_trip_and_resume_from_committed_offset(kafka: KafkaTestEnv) -> None:
    producer = await kafka.producer()
    for i in range(3):
        await producer.send_and_wait(kafka.deadlines, json.dumps({"n": i}).encode(), key=b"cafe-1")

    consumer = await kafka.consumer(kafka.deadlines)
    first = await asyncio.wait_for(consumer.getone(), 15)
    assert json.loads(first.value) == {"n": 0}
    await consumer.commit()
    await consumer.stop()

    # Same group id: resumes after the committed message, nothing lost, nothing repeated.
    restarted = await kafka.consumer(kafka.deadlines)
    values = []
    for _ in range(2):
        message = await asyncio.wait_for(restarted.getone(), 15)
        values.append(json.loads(message.value)["n"])
    assert values == [1, 2]


async def test_kafka_broker_restart_on_same_port(kafka: KafkaTestEnv) -> None:
    bootstrap = kafka.bootstrap
    await kafka.restart_broker()  # memory storage: topics recreated, data gone
    assert kafka.bootstrap == bootstrap and kafka.broker.running

    producer = await kafka.producer()
    await producer.send_and_wait(kafka.notifications, b"after restart")
    consumer = await kafka.consumer(kafka.notifications)
    message = await asyncio.wait_for(consumer.getone(), 15)
    assert message.value == b"after restart"


def test_kafka_broker_refuses_a_taken_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        broker = KafkaBroker(port=sock.getsockname()[1])
        with pytest.raises(BrokerError):
            broker.start()
        broker.close()
    assert not broker.running
