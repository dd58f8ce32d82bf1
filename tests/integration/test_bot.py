"""The Telegram bot end to end: the real Dispatcher long-polls the Bot API stand-in over HTTP, with PostgreSQL.

Updates go in through getUpdates; the bot's answers are checked as the sendMessage / editMessageText /
answerCallbackQuery calls the stand-in recorded, and the database as the domain left it.
"""

from __future__ import annotations

import asyncio
import html
import os
import signal
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bot.handlers import link as link_handlers
from lunch_app import db
from lunch_app.domain.dashboard_links import redeem_dashboard_token
from lunch_app.domain.errors import Forbidden
from lunch_app.models import (
    AccessRequest,
    AuditLog,
    Cafe,
    CafeLinkRequest,
    DashboardToken,
    Dispatch,
    DispatchStatus,
    Order,
    OrderStatus,
    OutboxEvent,
    RequestStatus,
    Role,
    User,
)
from lunch_app.settings import get_settings
from lunch_app.telegram.callbacks import AccessDecision, DigestAccepted, LinkDecision
from lunch_app.telegram.messages import digest_keyboard, render_notice
from tests.bot_fixtures import (
    EMPLOYEE,
    FLOOD_LIMIT,
    MANAGER,
    MANAGER_2,
    STRANGER,
    WAIT,
    BotHarness,
    add_cafe,
    add_user,
    running_bot_fixture,  # noqa: F401 (provides the `running_bot` fixture)
    start_harness,
    stop_harness,
)
from tests.conftest import ROOT
from tests.fakes.telegram import FakeBotAPI, RecordedCall
from tests.office_fixtures import office_in

GROUP = -1_001_234_567_890


async def outbox(template: str) -> list[dict[str, Any]]:
    async with db.session_scope() as session:
        rows = (await session.execute(select(OutboxEvent).order_by(col(OutboxEvent.id)))).scalars().all()
    return [row.payload for row in rows if row.payload.get("template") == template]


async def send_notice(harness: BotHarness, chat_id: int, payload: dict[str, Any], lang: str = "ru") -> int:
    """Deliver an outbox notice the way the notifications worker does (same renderer); returns the message id."""
    rendered = render_notice(
        payload["template"], payload["params"], lang, mini_app_url=get_settings().telegram_mini_app_url
    )
    message = await harness.bot.send_message(chat_id, rendered.text, reply_markup=rendered.reply_markup)
    return message.message_id


def edits_of(fake: FakeBotAPI, chat_id: int, message_id: int) -> list[RecordedCall]:
    return [
        c
        for c in fake.calls("editMessageText") + fake.calls("editMessageReplyMarkup")
        if c.params.get("chat_id") == chat_id and c.params.get("message_id") == message_id
    ]


def button_texts(markup: dict[str, Any] | None) -> list[str]:
    return [button["text"] for row in (markup or {}).get("inline_keyboard", []) for button in row]


# --- start-up -------------------------------------------------------------------------------------


async def test_start_up_registers_commands_and_the_mini_app_menu_button(running_bot: BotHarness) -> None:
    fake = running_bot.fake
    methods = [c.method for c in fake.calls()]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    ru = [c["command"] for c in fake.commands[""]]
    assert ru == ["start", "order", "help", "link", "status", "dashboard"]
    assert fake.commands[""][0]["description"] == "Начать"
    assert fake.commands["en"][1]["description"] == "Order lunch"
    menu = fake.menu_buttons[None]
    assert menu["type"] == "web_app"
    assert menu["web_app"]["url"] == get_settings().telegram_mini_app_url


# --- /start, /order, /help --------------------------------------------------------------------------


async def test_start_welcomes_in_russian_with_the_mini_app_button_and_escapes_the_name(
    running_bot: BotHarness,
) -> None:
    call = await running_bot.reply_call("/start", first_name="<b>Ева</b> & Co")
    text = call.params["text"]
    assert "Здравствуйте, &lt;b&gt;Ева&lt;/b&gt; &amp; Co!" in text
    assert call.params["parse_mode"] == "HTML"
    button = call.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "🍽 Заказать обед"
    assert button["web_app"]["url"] == get_settings().telegram_mini_app_url


async def test_english_telegram_users_get_english(running_bot: BotHarness) -> None:
    call = await running_bot.reply_call("/start", language_code="en-GB", first_name="Ann")
    assert call.params["text"].startswith("Hello, Ann!")
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "🍽 Order lunch"
    assert "What I can do" in await running_bot.say("/help", language_code="en")
    # Any other language falls back to Russian.
    assert "Что я умею" in await running_bot.say("/help", language_code="de")


async def test_order_opens_the_mini_app_in_private_and_points_groups_to_the_private_chat(
    running_bot: BotHarness,
) -> None:
    private = await running_bot.reply_call("/order")
    assert private.params["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"] == (
        get_settings().telegram_mini_app_url
    )
    group = await running_bot.reply_call("/order@lunch_bot", chat_id=GROUP, chat_type="supergroup", chat_title="Office")
    button = group.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/lunch_bot?start=order"
    assert "web_app" not in button


async def test_help_lists_every_command(running_bot: BotHarness) -> None:
    text = await running_bot.say("/help")
    for command in ("/order", "/start", "/help", "/link", "/status", "/dashboard"):
        assert command in text


# --- /link and /status (SPEC §11 scenario 10) --------------------------------------------------------


async def test_scenario_10_link_then_manager_approves_then_status_reports_it(running_bot: BotHarness) -> None:
    await add_user(MANAGER, "Мария", role=Role.manager)
    cafe_id = await add_cafe("Пельмени <Lux>")
    title = "Kitchen & <Co>"

    reply = await running_bot.say(
        f"/link@lunch_bot {cafe_id}",
        user_id=555,
        chat_id=GROUP,
        chat_type="supergroup",
        chat_title=title,
        username="chef",
    )
    assert "Пельмени &lt;Lux&gt;" in reply and "отправлена менеджерам" in reply
    assert "ждёт решения" in await running_bot.say(
        "/status", user_id=555, chat_id=GROUP, chat_type="supergroup", chat_title=title
    )

    async with db.session_scope() as session:
        request = (await session.execute(select(CafeLinkRequest))).scalar_one()
    assert (request.cafe_id, request.tg_chat_id, request.tg_chat_title) == (cafe_id, GROUP, title)
    assert (request.requested_by, request.requested_by_username) == (555, "chef")

    # The manager gets the notice with buttons (rendered by the worker's renderer) and taps Approve.
    [notice] = await outbox("link_request_new")
    assert notice["user_tgid"] == MANAGER and notice["params"]["request_id"] == request.id
    message_id = await send_notice(running_bot, MANAGER, notice)
    answer = await running_bot.tap(
        LinkDecision(request_id=request.id, approve=True).pack(),
        user_id=MANAGER,
        chat_id=MANAGER,
        message_id=message_id,
        first_name="Мария",
    )
    assert answer.params["text"] == "Заявка одобрена."
    [edit] = await running_bot.fake.wait_for(
        "editMessageText", timeout=WAIT, predicate=lambda c: c.params.get("message_id") == message_id
    )
    assert edit.params["text"].endswith("✅ Одобрено: Мария")
    assert "Kitchen &amp; &lt;Co&gt;" in edit.params["text"]  # the notice's own text is kept (escaped)
    assert "reply_markup" not in edit.params  # the buttons are gone

    async with db.session_scope() as session:
        cafe = await session.get(Cafe, cafe_id)
    assert cafe is not None and cafe.tg_chat_id == GROUP and cafe.notifications_enabled

    # The chat is told through the outbox; deliver it the way the worker does.
    [approved] = await outbox("link_approved")
    assert approved["chat_id"] == GROUP
    await send_notice(running_bot, GROUP, approved)
    assert "Пельмени &lt;Lux&gt;" in running_bot.fake.sent_texts(GROUP)[-1]

    status = await running_bot.say("/status", user_id=555, chat_id=GROUP, chat_type="supergroup", chat_title=title)
    assert status == "Этот чат привязан к кафе «Пельмени &lt;Lux&gt;». Уведомления о заказах: включены."


async def test_link_in_a_private_chat_is_titled_with_the_persons_name(running_bot: BotHarness) -> None:
    cafe_id = await add_cafe("Суп-бар")
    reply = await running_bot.say(f"/link {cafe_id}", user_id=777, first_name="Иван", last_name="Петров")
    assert "Суп-бар" in reply
    async with db.session_scope() as session:
        request = (await session.execute(select(CafeLinkRequest))).scalar_one()
    assert (request.tg_chat_id, request.tg_chat_title) == (777, "Иван Петров")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/link", "Укажите номер кафе"),
        ("/link    ", "Укажите номер кафе"),
        ("/link abc", "«abc» — не номер кафе"),
        ("/link -3", "«-3» — не номер кафе"),
        ("/link 0", "«0» — не номер кафе"),
        ("/link 1.5", "«1.5» — не номер кафе"),
        ("/link 99999999999999999999", "не номер кафе"),
        ("/link <script>", "«&lt;script&gt;» — не номер кафе"),
        ("/link 424242", "Кафе с таким номером не найдено."),
    ],
)
async def test_link_bad_input_gets_a_clear_reply_and_files_nothing(
    running_bot: BotHarness, command: str, expected: str
) -> None:
    await add_cafe("Кафе")
    assert expected in await running_bot.say(command, chat_id=GROUP, chat_type="group", chat_title="Cafe chat")
    async with db.session_scope() as session:
        assert (await session.execute(select(func.count()).select_from(CafeLinkRequest))).scalar_one() == 0


async def test_link_refuses_inactive_already_linked_and_already_pending(running_bot: BotHarness) -> None:
    inactive = await add_cafe("Closed <cafe>", active=False)
    linked_here = await add_cafe("Here", chat_id=GROUP, title="Cafe chat")
    pending = await add_cafe("Pending")
    group = {"chat_id": -555, "chat_type": "group", "chat_title": "Other chat"}

    assert "«Closed &lt;cafe&gt;» сейчас неактивно" in await running_bot.say(f"/link {inactive}", **group)
    assert "уже привязано к другому чату" in await running_bot.say(f"/link {linked_here}", **group)
    assert "уже привязан к кафе «Here»" in await running_bot.say(
        f"/link {linked_here}", chat_id=GROUP, chat_type="group", chat_title="Cafe chat"
    )
    assert "отправлена менеджерам" in await running_bot.say(f"/link {pending}", **group)
    assert "уже ожидает решения" in await running_bot.say(
        f"/link {pending}", chat_id=-556, chat_type="group", chat_title="Third"
    )
    async with db.session_scope() as session:
        assert (await session.execute(select(func.count()).select_from(CafeLinkRequest))).scalar_one() == 1


async def test_link_for_another_bot_is_ignored(running_bot: BotHarness) -> None:
    cafe_id = await add_cafe("Кафе")
    group = {"chat_id": GROUP, "chat_type": "supergroup", "chat_title": "Cafe"}
    running_bot.fake.push_message(f"/link@other_bot {cafe_id}", **group)
    assert "не привязан ни к одному кафе" in await running_bot.say("/status", **group)
    assert len(running_bot.sends_to(GROUP)) == 1
    async with db.session_scope() as session:
        assert (await session.execute(select(func.count()).select_from(CafeLinkRequest))).scalar_one() == 0


async def test_status_reports_notifications_off(running_bot: BotHarness) -> None:
    cafe_id = await add_cafe("Tea & Co", chat_id=GROUP, title="Tea chat")
    async with db.session_scope() as session:
        cafe = await session.get(Cafe, cafe_id)
        assert cafe is not None
        cafe.notifications_enabled = False
    text = await running_bot.say("/status", chat_id=GROUP, chat_type="group", chat_title="Tea chat", language_code="en")
    assert text == "This chat is linked to the cafe “Tea &amp; Co”. Order notifications are off."


async def test_link_request_rejected_by_button_tells_the_chat(running_bot: BotHarness) -> None:
    await add_user(MANAGER, "Boss", role=Role.manager)
    cafe_id = await add_cafe("Grill")
    await running_bot.say(f"/link {cafe_id}", chat_id=GROUP, chat_type="group", chat_title="Grill chat")
    [notice] = await outbox("link_request_new")
    message_id = await send_notice(running_bot, MANAGER, notice, lang="en")
    data = LinkDecision(request_id=notice["params"]["request_id"], approve=False).pack()
    answer = await running_bot.tap(data, user_id=MANAGER, chat_id=MANAGER, message_id=message_id, language_code="en")
    assert answer.params["text"] == "Request rejected."
    [edit] = await running_bot.fake.wait_for(
        "editMessageText", timeout=WAIT, predicate=lambda c: c.params.get("message_id") == message_id
    )
    assert edit.params["text"].endswith("❌ Rejected by Test")
    async with db.session_scope() as session:
        cafe = await session.get(Cafe, cafe_id)
        request = (await session.execute(select(CafeLinkRequest))).scalar_one()
    assert cafe is not None and cafe.tg_chat_id is None
    assert request.status == RequestStatus.rejected and request.processed_by == MANAGER
    assert [p["chat_id"] for p in await outbox("link_rejected")] == [GROUP]


# --- manager buttons: access requests ----------------------------------------------------------------


async def _pending_access_request(tgid: int = 9009, name: str = "Новичок <New>") -> int:
    async with db.session_scope() as session:
        request = AccessRequest(
            tgid=tgid, name=name, office_id=await office_in(session, "Floor 3"), status=RequestStatus.pending
        )
        session.add(request)
        await session.flush()
        assert request.id is not None
        return request.id


async def _decision_notice(harness: BotHarness, chat_id: int, request_id: int) -> int:
    payload = {
        "template": "access_request_new",
        "params": {"request_id": request_id, "tgid": 9009, "name": "Новичок <New>", "office": "Floor 3"},
    }
    return await send_notice(harness, chat_id, payload)


async def test_access_approve_edits_the_message_and_a_second_tap_says_already_handled(
    running_bot: BotHarness,
) -> None:
    await add_user(MANAGER, "Мария", role=Role.manager)
    await add_user(MANAGER_2, "Пётр", role=Role.manager)
    request_id = await _pending_access_request()
    first = await _decision_notice(running_bot, MANAGER, request_id)
    second = await _decision_notice(running_bot, MANAGER_2, request_id)

    answer = await running_bot.tap(
        AccessDecision(request_id=request_id, approve=True).pack(),
        user_id=MANAGER,
        chat_id=MANAGER,
        message_id=first,
        first_name="Мария",
    )
    assert answer.params["text"] == "Заявка одобрена."
    [edit] = await running_bot.fake.wait_for(
        "editMessageText", timeout=WAIT, predicate=lambda c: c.params.get("message_id") == first
    )
    assert "Новичок &lt;New&gt;" in edit.params["text"]
    assert edit.params["text"].endswith("✅ Одобрено: Мария")
    async with db.session_scope() as session:
        user = await session.get(User, 9009)
    assert user is not None and user.is_active and user.role == Role.employee

    # The other manager's copy: Reject after the approval changes nothing and says so.
    answer = await running_bot.tap(
        AccessDecision(request_id=request_id, approve=False).pack(),
        user_id=MANAGER_2,
        chat_id=MANAGER_2,
        message_id=second,
    )
    assert answer.params["show_alert"] is True
    assert answer.params["text"] == "Эта заявка уже обработана."
    [removed] = await running_bot.fake.wait_for(
        "editMessageReplyMarkup", timeout=WAIT, predicate=lambda c: c.params.get("message_id") == second
    )
    assert "reply_markup" not in removed.params
    async with db.session_scope() as session:
        request = await session.get(AccessRequest, request_id)
    assert request is not None and request.status == RequestStatus.approved and request.processed_by == MANAGER


async def test_access_reject_by_button(running_bot: BotHarness) -> None:
    await add_user(MANAGER, "Boss", role=Role.manager)
    request_id = await _pending_access_request()
    message_id = await _decision_notice(running_bot, MANAGER, request_id)
    answer = await running_bot.tap(
        AccessDecision(request_id=request_id, approve=False).pack(),
        user_id=MANAGER,
        chat_id=MANAGER,
        message_id=message_id,
        first_name="Boss",
    )
    assert answer.params["text"] == "Заявка отклонена."
    [edit] = await running_bot.fake.wait_for(
        "editMessageText", timeout=WAIT, predicate=lambda c: c.params.get("message_id") == message_id
    )
    assert edit.params["text"].endswith("❌ Отклонено: Boss")
    async with db.session_scope() as session:
        request = await session.get(AccessRequest, request_id)
        assert await session.get(User, 9009) is None
    assert request is not None and request.status == RequestStatus.rejected
    assert [p["user_tgid"] for p in await outbox("access_rejected")] == [9009]


@pytest.mark.parametrize("who", ["employee", "inactive_manager", "stranger"])
async def test_a_non_manager_pressing_a_manager_button_changes_nothing(running_bot: BotHarness, who: str) -> None:
    await add_user(MANAGER, "Boss", role=Role.manager)
    await add_user(EMPLOYEE, "Emp", role=Role.employee)
    await add_user(MANAGER_2, "Ex-boss", role=Role.manager, active=False)
    tapper = {"employee": EMPLOYEE, "inactive_manager": MANAGER_2, "stranger": STRANGER}[who]
    access_id = await _pending_access_request()
    cafe_id = await add_cafe("Cafe")
    async with db.session_scope() as session:
        link = CafeLinkRequest(
            cafe_id=cafe_id, tg_chat_id=GROUP, tg_chat_title="Chat", requested_by=555, status=RequestStatus.pending
        )
        session.add(link)
        await session.flush()
        link_id = link.id
    assert link_id is not None
    message_id = await _decision_notice(running_bot, tapper, access_id)

    for data in (
        AccessDecision(request_id=access_id, approve=True).pack(),
        AccessDecision(request_id=access_id, approve=False).pack(),
        LinkDecision(request_id=link_id, approve=True).pack(),
        LinkDecision(request_id=link_id, approve=False).pack(),
    ):
        answer = await running_bot.tap(data, user_id=tapper, chat_id=tapper, message_id=message_id)
        assert answer.params["show_alert"] is True
        assert answer.params["text"] == "Решения по заявкам принимают только менеджеры. Ничего не изменилось."

    assert edits_of(running_bot.fake, tapper, message_id) == []
    async with db.session_scope() as session:
        access_request = await session.get(AccessRequest, access_id)
        link_request = await session.get(CafeLinkRequest, link_id)
        cafe = await session.get(Cafe, cafe_id)
        audits = (await session.execute(select(func.count()).select_from(AuditLog))).scalar_one()
        assert await session.get(User, 9009) is None
    assert access_request is not None and access_request.status == RequestStatus.pending
    assert link_request is not None and link_request.status == RequestStatus.pending
    assert cafe is not None and cafe.tg_chat_id is None
    assert audits == 0
    assert await outbox("access_approved") == [] and await outbox("link_approved") == []


async def test_unknown_request_and_stale_buttons_get_an_alert(running_bot: BotHarness) -> None:
    await add_user(MANAGER, "Boss", role=Role.manager)
    message_id = await _decision_notice(running_bot, MANAGER, 1)
    cases = {
        AccessDecision(request_id=777, approve=True).pack(): "Заявка не найдена.",
        LinkDecision(request_id=777, approve=True).pack(): "Заявка на привязку не найдена.",
        "garbage": "Эта кнопка устарела.",
        "acc:notanumber:1": "Эта кнопка устарела.",
        "dig:1:not-a-date": "Эта кнопка устарела.",
    }
    for data, expected in cases.items():
        answer = await running_bot.tap(data, user_id=MANAGER, chat_id=MANAGER, message_id=message_id)
        assert answer.params["text"] == expected
        assert answer.params["show_alert"] is True


# --- digest "Accepted" ------------------------------------------------------------------------------


async def _sent_digest(cafe_chat: int) -> tuple[int, date]:
    day = date(2026, 11, 30)
    cafe_id = await add_cafe("Борщ & Co", chat_id=cafe_chat, title="Kitchen")
    await add_user(EMPLOYEE, "Emp")
    async with db.session_scope() as session:
        for tgid, name in ((EMPLOYEE, "Emp"), (None, "Deleted user")):
            session.add(
                Order(
                    user_tgid=tgid,
                    user_name=name,
                    cafe_id=cafe_id,
                    order_date=day,
                    status=OrderStatus.sent,
                    lines=[],
                    total=Decimal("10.00"),
                )
            )
        session.add(Dispatch(cafe_id=cafe_id, date=day, status=DispatchStatus.sent, chat_id=cafe_chat, message_ids=[1]))
    return cafe_id, day


async def test_digest_accepted_confirms_orders_edits_the_message_and_is_idempotent(running_bot: BotHarness) -> None:
    cafe_id, day = await _sent_digest(GROUP)
    running_bot.fake.register_chat(GROUP, "supergroup", "Kitchen")
    message = await running_bot.bot.send_message(
        GROUP, "<b>Борщ &amp; Co</b>\nБорщ × 2", reply_markup=digest_keyboard(cafe_id, day)
    )
    data = DigestAccepted(cafe_id=cafe_id, day=day.isoformat()).pack()

    answer = await running_bot.tap(
        data, user_id=STRANGER, chat_id=GROUP, message_id=message.message_id, first_name="Chef <Bob>"
    )
    assert answer.params["text"] == "Спасибо! Заказ отмечен как принятый."
    [edit] = await running_bot.fake.wait_for(
        "editMessageText", timeout=WAIT, predicate=lambda c: c.params.get("message_id") == message.message_id
    )
    assert edit.params["text"].startswith("Борщ &amp; Co\nБорщ × 2\n\n")  # the digest text is kept
    assert "✅ Принято: Chef &lt;Bob&gt;, 09:00" in edit.params["text"]
    assert button_texts(edit.params["reply_markup"]) == ["✅ Принято: Chef <Bob>"]

    async with db.session_scope() as session:
        statuses = (await session.execute(select(col(Order.status)))).scalars().all()
        dispatch = (await session.execute(select(Dispatch))).scalar_one()
    assert statuses == [OrderStatus.confirmed, OrderStatus.confirmed]
    assert (dispatch.confirmed_by, dispatch.confirmed_by_name) == (STRANGER, "Chef <Bob>")

    again = await running_bot.tap(data, user_id=555, chat_id=GROUP, message_id=message.message_id, first_name="Ann")
    assert again.params["text"] == "Этот заказ уже принят."
    assert len(edits_of(running_bot.fake, GROUP, message.message_id)) == 1
    async with db.session_scope() as session:
        dispatch = (await session.execute(select(Dispatch))).scalar_one()
    assert dispatch.confirmed_by == STRANGER


async def test_digest_accepted_from_another_chat_changes_nothing(running_bot: BotHarness) -> None:
    cafe_id, day = await _sent_digest(GROUP)
    other_chat = -777
    message = await running_bot.bot.send_message(other_chat, "Something", reply_markup=digest_keyboard(cafe_id, day))
    data = DigestAccepted(cafe_id=cafe_id, day=day.isoformat()).pack()
    answer = await running_bot.tap(data, user_id=STRANGER, chat_id=other_chat, message_id=message.message_id)
    assert answer.params["text"] == "Эту сводку можно подтвердить только в чате, куда она пришла."
    assert answer.params["show_alert"] is True
    unknown = DigestAccepted(cafe_id=cafe_id, day="2026-12-01").pack()
    answer = await running_bot.tap(unknown, user_id=STRANGER, chat_id=other_chat, message_id=message.message_id)
    assert answer.params["text"] == "Рассылка для этого кафе и даты не найдена."
    async with db.session_scope() as session:
        statuses = (await session.execute(select(col(Order.status)))).scalars().all()
        dispatch = (await session.execute(select(Dispatch))).scalar_one()
    assert statuses == [OrderStatus.sent, OrderStatus.sent] and dispatch.confirmed_at is None
    assert edits_of(running_bot.fake, other_chat, message.message_id) == []


# --- /dashboard ----------------------------------------------------------------------------------------


async def test_dashboard_gives_a_manager_a_one_time_link(running_bot: BotHarness) -> None:
    await add_user(MANAGER, "Boss", role=Role.manager)
    text = await running_bot.say("/dashboard", user_id=MANAGER)
    assert "одноразовая и действует 10 мин" in text
    href = html.unescape(text.split('href="', 1)[1].split('"', 1)[0])
    parsed = urlparse(href)
    assert f"{parsed.scheme}://{parsed.netloc}" == get_settings().public_url.rstrip("/")
    assert parsed.path == "/manager/login"
    token = parse_qs(parsed.query)["token"][0]
    async with db.session_scope() as session:
        manager = await redeem_dashboard_token(session, token)
    assert manager.tgid == MANAGER
    with pytest.raises(Forbidden):
        async with db.session_scope() as session:
            await redeem_dashboard_token(session, token)


async def test_dashboard_refuses_non_managers_and_group_chats(running_bot: BotHarness) -> None:
    await add_user(MANAGER, "Boss", role=Role.manager)
    await add_user(EMPLOYEE, "Emp")
    polite = "Панель управления доступна только менеджерам"
    assert polite in await running_bot.say("/dashboard", user_id=EMPLOYEE)
    assert polite in await running_bot.say("/dashboard", user_id=STRANGER)
    assert "только в личном чате" in await running_bot.say(
        "/dashboard@lunch_bot", user_id=MANAGER, chat_id=GROUP, chat_type="supergroup", chat_title="Team"
    )
    assert "dashboard is for managers only" in await running_bot.say("/dashboard", user_id=EMPLOYEE, language_code="en")
    async with db.session_scope() as session:
        assert (await session.execute(select(func.count()).select_from(DashboardToken))).scalar_one() == 0


# --- bad input, errors, flood --------------------------------------------------------------------------


async def test_unknown_commands_and_text_get_a_hint_in_private_and_silence_in_groups(running_bot: BotHarness) -> None:
    assert "не знаю такой команды" in await running_bot.say("/frobnicate")
    assert "понимаю только команды" in await running_bot.say("привет <b>")
    group = {"chat_id": GROUP, "chat_type": "supergroup", "chat_title": "Cafe"}
    running_bot.fake.push_message("hello everyone", **group)
    running_bot.fake.push_message("/frobnicate", **group)
    assert "не знаю такой команды" in await running_bot.say("/frobnicate@lunch_bot", **group)
    assert "Что я умею" in await running_bot.say("/help", **group)
    assert len(running_bot.sends_to(GROUP)) == 2


async def test_an_unexpected_failure_gets_a_polite_reply_not_silence(
    running_bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(link_handlers.links, "chat_status", broken)
    assert await running_bot.say("/status") == "Что-то пошло не так. Попробуйте ещё раз чуть позже."
    assert await running_bot.say("/status", language_code="en") == "Something went wrong. Please try again a bit later."
    # The bot keeps working afterwards.
    assert "Что я умею" in await running_bot.say("/help")


async def test_flood_protection_answers_once_then_drops_until_the_window_passes(running_bot: BotHarness) -> None:
    chat = 2222
    for _ in range(FLOOD_LIMIT + 4):
        running_bot.fake.push_message("/help", user_id=chat)
    # Another chat is not affected: its answer also proves the flooded chat's updates were all handled.
    assert "Что я умею" in await running_bot.say("/help", user_id=3333)
    await running_bot.fake.wait_for(
        "sendMessage", count=FLOOD_LIMIT + 1, timeout=WAIT, predicate=lambda c: c.params.get("chat_id") == chat
    )
    texts = running_bot.fake.sent_texts(chat)
    assert len(texts) == FLOOD_LIMIT + 1
    assert sum("Что я умею" in text for text in texts) == FLOOD_LIMIT
    assert texts.count("Слишком много команд подряд. Подождите несколько секунд и попробуйте снова.") == 1

    # Plain text is not a command and is not limited.
    assert "понимаю только команды" in await running_bot.say("hi", user_id=chat)
    running_bot.flood_clock.now += 61  # the window (60 s in the harness) has passed
    assert "Что я умею" in await running_bot.say("/help", user_id=chat)


# --- Bot API outages --------------------------------------------------------------------------------------


async def test_polling_survives_the_bot_api_being_down_and_answers_after_it_returns(running_bot: BotHarness) -> None:
    fake = running_bot.fake
    assert "Что я умею" in await running_bot.say("/help")
    await fake.stop()
    # Long enough for several failed getUpdates attempts with the harness backoff (0.05–0.3 s).
    await asyncio.sleep(1.5)
    assert not running_bot.task.done()
    polls_before = len(fake.calls("getUpdates"))
    await fake.start()
    assert "Что я умею" in await running_bot.say("/help")
    assert len(fake.calls("getUpdates")) > polls_before
    assert not running_bot.task.done()


async def test_polling_survives_server_errors_and_rate_limits_on_get_updates(running_bot: BotHarness) -> None:
    running_bot.fake.fail_next("getUpdates", 502, times=3)
    running_bot.fake.fail_next("getUpdates", 429, retry_after=1)
    assert "Что я умею" in await running_bot.say("/help")
    assert not running_bot.task.done()


async def test_a_failed_reply_does_not_stop_the_bot(running_bot: BotHarness) -> None:
    fake = running_bot.fake
    fake.fail_next("sendMessage", 403, times=2)  # the reply and the error handler's apology both fail
    fake.push_message("/help", user_id=6006)
    await fake.wait_for("sendMessage", count=2, timeout=WAIT, predicate=lambda c: c.params.get("chat_id") == 6006)
    assert "Что я умею" in await running_bot.say("/help", user_id=6006)


async def test_start_up_waits_for_the_bot_api_and_then_serves(db_ready: object, fake_telegram: FakeBotAPI) -> None:
    await fake_telegram.stop()
    harness = await start_harness(fake_telegram)
    try:
        await asyncio.sleep(0.5)  # start-up attempts fail while the API is down
        assert not harness.task.done()
        await fake_telegram.start()
        await fake_telegram.wait_for("getUpdates", timeout=WAIT)
        assert fake_telegram.menu_buttons[None]["type"] == "web_app"
        assert "Что я умею" in await harness.say("/help")
    finally:
        await stop_harness(harness)


# --- the process -----------------------------------------------------------------------------------------


async def test_python_m_bot_prepares_polls_answers_and_stops_on_sigterm(
    fake_telegram: FakeBotAPI, tmp_path: Path
) -> None:
    env = {**os.environ, "TELEGRAM_API_BASE": fake_telegram.base_url, "HEALTH_DIR": str(tmp_path), "LOG_LEVEL": "INFO"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        await fake_telegram.wait_for("getUpdates", timeout=60)
        assert fake_telegram.menu_buttons[None]["type"] == "web_app"
        fake_telegram.push_message("/help", user_id=8008)
        [reply] = await fake_telegram.wait_for(
            "sendMessage", timeout=WAIT, predicate=lambda c: c.params.get("chat_id") == 8008
        )
        assert "Что я умею" in reply.params["text"]
        assert (tmp_path / "bot").exists()  # the container health check's heartbeat
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=WAIT)
        assert process.returncode == 0, output.decode()
        assert b"Traceback" not in output
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_start_up_retries_server_errors_and_survives_a_refused_menu_button(
    db_ready: object, fake_telegram: FakeBotAPI
) -> None:
    fake_telegram.fail_next("deleteWebhook", 502, times=2)
    fake_telegram.fail_next("setChatMenuButton", 400, description="Bad Request: WEB_APP_URL_INVALID")
    harness = await start_harness(fake_telegram)
    try:
        await fake_telegram.wait_for("getUpdates", timeout=WAIT)
        assert len(fake_telegram.calls("deleteWebhook")) == 3
        assert None not in fake_telegram.menu_buttons
        assert fake_telegram.commands["en"][0]["command"] == "start"
        assert "Что я умею" in await harness.say("/help")
    finally:
        await stop_harness(harness)


def test_bot_texts_exist_in_both_languages_with_the_same_placeholders() -> None:
    import string

    from lunch_app.i18n.catalog import bot as catalogue

    assert catalogue.RU.keys() == catalogue.EN.keys()
    for key, text in catalogue.RU.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert fields == {name for _, name, _, _ in string.Formatter().parse(catalogue.EN[key]) if name}, key
