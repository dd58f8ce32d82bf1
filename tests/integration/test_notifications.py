"""The notifications worker end to end: scheduler → outbox → relay → Kafka → worker → fake Bot API.

Covers SPEC §11 scenarios 7 and 8, a worker killed mid-digest, Telegram 429/500/permanent failures,
HTML escaping, a 200-order digest, skipped/resent digests and the person notices.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.domain.digest import confirm_digest, resend_failed_digest
from lunch_app.domain.errors import Conflict, Forbidden
from lunch_app.domain.orders import place_order
from lunch_app.domain.reports import DayReport
from lunch_app.events.outbox import notify
from lunch_app.models import AccessRequest, Cafe, DispatchStatus, Order, OrderStatus, OutboxEvent, Report
from lunch_app.telegram.callbacks import AccessDecision, DigestAccepted
from lunch_app.telegram.messages import render_digest
from tests.conftest import ROOT
from tests.events_fixtures import (
    Pipeline,
    add_cafe,
    add_manager,
    add_orders,
    add_user,
    add_users,
    all_dispatches_done,
    dispatches,
    past_cutoff,
    wait_until,
)
from tests.fakes.telegram import FakeBotAPI, plain_text
from tests.office_fixtures import office_in
from tests.orders_fixtures import build_menu, combo_draft

MONDAY = date(2026, 11, 30)


def texts(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return fake.sent_texts(chat_id)


def shown(fake: FakeBotAPI, chat_id: int) -> str:
    return "\n".join(plain_text(text, "HTML") for text in texts(fake, chat_id))


async def stored_digest(cafe_id: int, day: date = MONDAY) -> list[str]:
    async with db.session_scope() as s:
        report = (await s.execute(sa.select(Report).where(Report.cafe_id == cafe_id, Report.date == day))).scalar_one()
    return render_digest(DayReport.from_breakdown_json(report.breakdown))


@pytest.fixture
async def pipeline(db_ready: MovableClock, kafka: Any, fake_telegram: FakeBotAPI, redis_client: Any) -> Any:
    pipe = Pipeline()
    yield pipe
    await pipe.close()


async def redeliver_deadlines(kafka: Any, fake: FakeBotAPI, cafe_ids: list[int], sentinel_chat: int) -> None:
    """Publish every deadline event of these cafes again (a redelivery), each followed on the same key by a
    sentinel notice; once every sentinel arrived, every duplicate before it was handled."""
    producer = await kafka.producer()
    async with db.session_scope() as s:
        rows = (await s.execute(sa.select(OutboxEvent).where(OutboxEvent.topic == kafka.deadlines))).scalars().all()
    for n, row in enumerate(rows):
        if row.payload["cafe_id"] not in cafe_ids:
            continue
        await producer.send_and_wait(kafka.deadlines, json.dumps(row.payload).encode(), key=row.key.encode())
        sentinel = {
            "type": "notification",
            "event_id": f"sentinel-{n}",
            "template": "link_approved",
            "params": {"cafe_name": f"sentinel {n}"},
            "chat_id": sentinel_chat,
        }
        await producer.send_and_wait(kafka.deadlines, json.dumps(sentinel).encode(), key=row.key.encode())
    await fake.wait_for("sendMessage", len(cafe_ids), predicate=lambda c: c.params.get("chat_id") == sentinel_chat)


# --- scenario 7 ---------------------------------------------------------------------------------------


async def test_scenario_7_one_digest_per_cafe_with_every_order_despite_two_schedulers_and_redelivery(
    pipeline: Pipeline, kafka: Any, fake_telegram: FakeBotAPI, db_ready: MovableClock
) -> None:
    clock = db_ready
    chats = {-1001: "Кухня А", -1002: "Кухня Б"}
    linked = [await add_cafe(name, chat_id=chat) for chat, name in chats.items()]
    unlinked = await add_cafe("Без чата")
    muted = await add_cafe("Без уведомлений", chat_id=-1003, notifications=False)
    users = await add_users(7_200_000_000, 30, name="Сотрудник")
    for cafe_id in [*linked, unlinked, muted]:
        await add_orders(cafe_id, MONDAY, users)

    pipeline.start_scheduler("scheduler-1", relay=True)
    pipeline.start_scheduler("scheduler-2", relay=True)
    pipeline.start_notifications("notifications-1")
    pipeline.start_notifications("notifications-2")
    clock.set(past_cutoff(MONDAY))
    await wait_until(lambda: all_dispatches_done(4), what="every dispatch handled")

    rows = await dispatches()
    assert rows[unlinked].status == DispatchStatus.skipped
    assert rows[muted].status == DispatchStatus.skipped
    assert fake_telegram.sent_texts(-1003) == []
    for cafe_id, chat_id in zip(linked, chats, strict=True):
        expected = await stored_digest(cafe_id)
        assert texts(fake_telegram, chat_id) == expected
        assert rows[cafe_id].status == DispatchStatus.sent and rows[cafe_id].chat_id == chat_id
        assert len(rows[cafe_id].message_ids) == len(expected)
        text = shown(fake_telegram, chat_id)
        for n in range(30):
            assert f". Сотрудник {n} (Офис 1)" in text
        assert "Заказов: 30" in text

    # The event is delivered again (and the scheduler keeps ticking): still one digest per cafe.
    await redeliver_deadlines(kafka, fake_telegram, linked, sentinel_chat=-1999)
    for cafe_id, chat_id in zip(linked, chats, strict=True):
        assert texts(fake_telegram, chat_id) == await stored_digest(cafe_id)

    # "Accepted" under the last part confirms the orders; pressing it again changes nothing.
    last_call = [c for c in fake_telegram.calls("sendMessage") if c.params.get("chat_id") == -1001][-1]
    button = last_call.params["reply_markup"]["inline_keyboard"][0][0]
    data = DigestAccepted.unpack(button["callback_data"])
    async with db.session_scope() as s:
        with pytest.raises(Forbidden):  # forged callback data from another chat
            await confirm_digest(s, cafe_id=data.cafe_id, day=MONDAY, chat_id=-1002, by_tgid=7, by_name="Чужой")
    async with db.session_scope() as s:
        day = date.fromisoformat(data.day)
        assert await confirm_digest(s, cafe_id=data.cafe_id, day=day, chat_id=-1001, by_tgid=5, by_name="Шеф")
    async with db.session_scope() as s:
        assert not await confirm_digest(s, cafe_id=data.cafe_id, day=MONDAY, chat_id=-1001, by_tgid=6, by_name="Другой")
        statuses = set((await s.execute(sa.select(Order.status).where(Order.cafe_id == linked[0]))).scalars().all())
        other = set((await s.execute(sa.select(Order.status).where(Order.cafe_id == linked[1]))).scalars().all())
    assert statuses == {OrderStatus.confirmed} and other == {OrderStatus.sent}
    rows = await dispatches()
    assert rows[linked[0]].confirmed_by == 5 and rows[linked[0]].confirmed_by_name == "Шеф"


# --- scenario 8 ---------------------------------------------------------------------------------------


async def test_scenario_8_kafka_down_while_orders_are_placed_and_cutoffs_pass(
    pipeline: Pipeline, kafka: Any, fake_telegram: FakeBotAPI, db_ready: MovableClock
) -> None:
    clock = db_ready
    menu = await build_menu()
    async with db.session_scope() as s:
        for cafe_id, chat in ((menu.cafe_id, -2001), (menu.other_cafe_id, -2002)):
            cafe = await s.get(Cafe, cafe_id)
            assert cafe is not None
            cafe.tg_chat_id = chat
    other_dish_draft = {
        "cafe_id": menu.other_cafe_id,
        "order_date": "2026-11-30",
        "items": [{"menu_item_id": menu.other_cafe_dish, "quantity": 1}],
    }
    pipeline.start_scheduler()
    pipeline.start_notifications()
    await kafka.broker.astop()

    users = await add_users(7_300_000_000, 6)
    for tgid in users:
        async with db.session_scope() as s:
            await place_order(s, user_tgid=tgid, draft=combo_draft(menu, notes=f"заметка {tgid}"))
        async with db.session_scope() as s:
            await place_order(s, user_tgid=tgid, draft=other_dish_draft)
    clock.set(past_cutoff(MONDAY))
    await wait_until(lambda: _dispatch_count(2), what="both cut-offs processed while Kafka is down")
    async with db.session_scope() as s:
        waiting = (await s.execute(sa.select(OutboxEvent).where(OutboxEvent.topic == kafka.deadlines))).scalars().all()
    assert len(waiting) == 2 and all(row.published_at is None for row in waiting)
    assert fake_telegram.calls("sendMessage") == []

    await kafka.restart_broker()
    await wait_until(lambda: all_dispatches_done(2), timeout=60, what="digests after Kafka is back")
    for cafe_id, chat in ((menu.cafe_id, -2001), (menu.other_cafe_id, -2002)):
        assert texts(fake_telegram, chat) == await stored_digest(cafe_id)
        for tgid in users:
            assert f"Сотрудник {tgid - users[0]}" in shown(fake_telegram, chat)
    assert "заметка 7300000005" in shown(fake_telegram, -2001)


async def _dispatch_count(expected: int) -> bool:
    return len(await dispatches()) == expected


# --- killed mid-digest ----------------------------------------------------------------------------------


async def test_worker_killed_mid_digest_resumes_without_duplicated_parts(
    pipeline: Pipeline, fake_telegram: FakeBotAPI, db_ready: MovableClock
) -> None:
    clock = db_ready
    cafe_id = await add_cafe("Большое кафе", chat_id=-3001)
    users = await add_users(7_400_000_000, 200)
    await add_orders(cafe_id, MONDAY, users, notes="Пожалуйста, без лука и без соли, спасибо!")
    blocked = {"on": True}
    # Telegram fails the second part with 500 until the worker is killed.
    fake_telegram.fail_next(
        "sendMessage",
        500,
        times=10_000,
        predicate=lambda p: blocked["on"] and "(продолжение 2/" in str(p.get("text", "")),
    )
    slow_retry = {"base_delay": 0.05, "max_delay": 0.05, "max_attempts": 10_000}
    pipeline.start_scheduler()
    pipeline.start_notifications(sender=slow_retry)
    clock.set(past_cutoff(MONDAY))

    await fake_telegram.wait_for("sendMessage", 3, predicate=lambda c: c.status == 500)
    rows = await dispatches()
    assert len(rows[cafe_id].message_ids) == 1 and rows[cafe_id].status == DispatchStatus.pending
    await pipeline.kill("notifications")

    blocked["on"] = False
    pipeline.start_notifications()
    await wait_until(lambda: all_dispatches_done(1), what="the resumed digest")
    expected = await stored_digest(cafe_id)
    assert len(expected) >= 4
    assert texts(fake_telegram, -3001) == expected  # every part once, in order
    rows = await dispatches()
    assert rows[cafe_id].status == DispatchStatus.sent
    assert len(rows[cafe_id].message_ids) == len(expected)
    assert rows[cafe_id].attempts == 2
    whole = shown(fake_telegram, -3001)
    for n in range(200):
        assert f". Сотрудник {n} (Офис 1)" in whole
    for text in texts(fake_telegram, -3001):
        assert len(plain_text(text, "HTML")) <= 4096
    last = [c for c in fake_telegram.calls("sendMessage") if c.ok and c.params.get("chat_id") == -3001][-1]
    assert "reply_markup" in last.params


# --- Telegram errors --------------------------------------------------------------------------------


async def test_telegram_429_and_500_are_retried_and_the_digest_goes_out_once(
    pipeline: Pipeline, fake_telegram: FakeBotAPI, db_ready: MovableClock
) -> None:
    clock = db_ready
    cafe_id = await add_cafe("Кафе", chat_id=-4001)
    await add_orders(cafe_id, MONDAY, await add_users(7_500_000_000, 3))
    fake_telegram.fail_next("sendMessage", 429, retry_after=1)
    fake_telegram.fail_next("sendMessage", 500, times=2)
    fake_telegram.fail_next("sendMessage", 502)
    pipeline.start_scheduler()
    pipeline.start_notifications()
    clock.set(past_cutoff(MONDAY))
    await wait_until(lambda: all_dispatches_done(1), what="the digest")
    calls = fake_telegram.calls("sendMessage")
    assert [c.status for c in calls] == [429, 500, 500, 502, 200]
    assert calls[1].time - calls[0].time >= 0.9  # waited retry_after before trying again
    assert texts(fake_telegram, -4001) == await stored_digest(cafe_id)
    assert (await dispatches())[cafe_id].status == DispatchStatus.sent


async def test_permanent_failure_is_recorded_other_cafes_still_get_theirs_and_a_manager_can_resend(
    pipeline: Pipeline, fake_telegram: FakeBotAPI, db_ready: MovableClock
) -> None:
    clock = db_ready
    broken = await add_cafe("Сломанный чат", chat_id=-5001)
    exhausted = await add_cafe("Лежащий сервер", chat_id=-5002)
    fine = await add_cafe("Хороший чат", chat_id=-5003)
    users = await add_users(7_600_000_000, 4)
    for cafe_id in (broken, exhausted, fine):
        await add_orders(cafe_id, MONDAY, users)
    manager = await add_manager()
    fake_telegram.fail_next(
        "sendMessage", 400, description="Bad Request: chat not found", predicate=lambda p: p.get("chat_id") == -5001
    )
    fake_telegram.fail_next("sendMessage", 500, times=5, predicate=lambda p: p.get("chat_id") == -5002)
    pipeline.start_scheduler()
    pipeline.start_notifications(sender={"base_delay": 0.01, "max_delay": 0.02, "max_attempts": 3})
    clock.set(past_cutoff(MONDAY))
    await wait_until(lambda: all_dispatches_done(3), what="all three dispatches")
    rows = await dispatches()
    assert rows[broken].status == DispatchStatus.failed
    assert "chat not found" in (rows[broken].last_error or "")
    assert rows[exhausted].status == DispatchStatus.failed
    assert "TelegramServerError" in (rows[exhausted].last_error or "")
    assert rows[fine].status == DispatchStatus.sent
    assert texts(fake_telegram, -5003) == await stored_digest(fine)

    async with db.session_scope() as s:
        with pytest.raises(Forbidden):
            await resend_failed_digest(s, actor_tgid=users[0], cafe_id=broken, day=MONDAY)
    async with db.session_scope() as s:
        with pytest.raises(Conflict):
            await resend_failed_digest(s, actor_tgid=manager, cafe_id=fine, day="2026-11-30")
    for cafe_id in (broken, exhausted):
        async with db.session_scope() as s:
            await resend_failed_digest(s, actor_tgid=manager, cafe_id=cafe_id, day="2026-11-30")
    await wait_until(lambda: _statuses_are(DispatchStatus.sent, 3), what="the resent digests")
    assert texts(fake_telegram, -5001) == await stored_digest(broken)
    assert texts(fake_telegram, -5002) == await stored_digest(exhausted)
    assert texts(fake_telegram, -5003) == await stored_digest(fine)
    assert (await dispatches())[broken].attempts == 2


async def _statuses_are(status: DispatchStatus, count: int) -> bool:
    rows = await dispatches()
    return len(rows) == count and all(row.status == status for row in rows.values())


async def test_html_special_characters_in_names_and_notes_are_escaped(
    pipeline: Pipeline, fake_telegram: FakeBotAPI, db_ready: MovableClock
) -> None:
    clock = db_ready
    cafe_id = await add_cafe("Кафе <b>&</b>", chat_id=-6001)
    evil = await add_user(7_700_000_001, "<script>alert('x')</script> & <b>Bold</b>", office="R&D <1>")
    markdown = await add_user(7_700_000_002, "*bold* _it_ [link](http://x) `code`", office="R&D <1>")
    await add_orders(cafe_id, MONDAY, [evil, markdown], notes="</i><b>не жирный</b> & 5 < 6")
    pipeline.start_scheduler()
    pipeline.start_notifications()
    clock.set(past_cutoff(MONDAY))
    await wait_until(lambda: all_dispatches_done(1), what="the digest")
    (raw,) = texts(fake_telegram, -6001)
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    assert "</i><b>не жирный" not in raw
    visible = plain_text(raw, "HTML")
    assert "<script>alert('x')</script> & <b>Bold</b> (R&D <1>)" in visible
    assert "*bold* _it_ [link](http://x) `code`" in visible
    assert "</i><b>не жирный</b> & 5 < 6" in visible
    assert "Кафе <b>&</b>" in visible


# --- person notices ------------------------------------------------------------------------------------


async def test_person_notices_in_the_recipients_language_once_even_when_redelivered(
    pipeline: Pipeline, kafka: Any, fake_telegram: FakeBotAPI, db_ready: MovableClock
) -> None:
    manager = await add_manager()
    english = await add_user(7_800_000_001, "John", language="en")
    async with db.session_scope() as s:
        request = AccessRequest(
            tgid=7_800_000_002, name="<Новичок>", office_id=await office_in(s, "Склад"), language="ru"
        )
        s.add(request)
        await s.flush()
        notify(
            s,
            template="access_request_new",
            params={"request_id": request.id, "tgid": request.tgid, "name": request.name, "office": "Склад"},
            user_tgid=manager,
        )
        notify(s, template="access_rejected", params={"name": request.name}, user_tgid=request.tgid)
        notify(
            s,
            template="order_cancelled_by_manager",
            params={"order_id": 1, "cafe": "Cafe", "date": "2026-12-01", "total": "10.00"},
            user_tgid=english,
        )
        notify(s, template="link_approved", params={"cafe_name": "Кафе", "cafe_id": 1}, chat_id=-7001)
        notify(s, template="no_such_template", params={}, user_tgid=english)
    pipeline.start_scheduler()
    pipeline.start_notifications()
    await fake_telegram.wait_for("sendMessage", 4)

    (to_manager,) = [c for c in fake_telegram.calls("sendMessage") if c.params["chat_id"] == manager]
    assert "Запрос доступа" in to_manager.params["text"] and "&lt;Новичок&gt;" in to_manager.params["text"]
    buttons = to_manager.params["reply_markup"]["inline_keyboard"][0]
    assert AccessDecision.unpack(buttons[0]["callback_data"]).approve is True
    assert "запрос доступа отклонён" in texts(fake_telegram, 7_800_000_002)[0]
    assert "A manager cancelled your order" in texts(fake_telegram, english)[0]
    assert "привязан к кафе «Кафе»" in texts(fake_telegram, -7001)[0]

    # Redelivery: the relay publishes the same rows again; nobody gets a second message.
    async with db.session_scope() as s:
        await s.execute(sa.update(OutboxEvent).values(published_at=None))
        notify(s, template="link_rejected", params={"cafe_name": "Sentinel"}, chat_id=-7001)
    await fake_telegram.wait_for("sendMessage", 5)
    await asyncio.sleep(0.3)
    counts = {chat: len(texts(fake_telegram, chat)) for chat in (manager, 7_800_000_002, english, -7001)}
    assert counts == {manager: 1, 7_800_000_002: 1, english: 1, -7001: 2}


async def test_notice_to_a_user_who_blocked_the_bot_does_not_block_the_queue(
    pipeline: Pipeline, fake_telegram: FakeBotAPI, db_ready: MovableClock
) -> None:
    blocked = await add_user(7_900_000_001, "Blocked")
    fine = await add_user(7_900_000_002, "Fine")
    fake_telegram.fail_next("sendMessage", 403, predicate=lambda p: p.get("chat_id") == blocked)
    async with db.session_scope() as s:
        notify(s, template="access_approved", params={"name": "Blocked"}, user_tgid=blocked)
        # The same key (user) as the refused notice: it is handled after it, so it proves nothing waits.
        notify(s, template="access_rejected", params={"name": "Unblocked"}, user_tgid=blocked)
        notify(s, template="access_approved", params={"name": "Fine"}, user_tgid=fine)
    pipeline.start_scheduler()
    pipeline.start_notifications()
    await fake_telegram.wait_for("sendMessage", 1, predicate=lambda c: c.ok and c.params["chat_id"] == fine)
    calls = await fake_telegram.wait_for("sendMessage", 2, predicate=lambda c: c.params["chat_id"] == blocked)
    assert [c.status for c in calls] == [403, 200]
    assert "Unblocked" in calls[1].params["text"]


# --- the real process ------------------------------------------------------------------------------------


async def test_notifications_process_delivers_and_shuts_down_cleanly_on_sigterm(
    db_ready: MovableClock, kafka: Any, fake_telegram: FakeBotAPI, redis_client: Any, tmp_path: Path
) -> None:
    async with db.session_scope() as s:
        notify(s, template="link_approved", params={"cafe_name": "Процесс"}, chat_id=-8001)
    env = dict(os.environ)
    env.update({"HEALTH_DIR": str(tmp_path), "LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)})
    proc = subprocess.Popen(
        [sys.executable, "-m", "workers.notifications"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        await fake_telegram.wait_for("sendMessage", 1, timeout=60)
        await wait_until(lambda: (tmp_path / "notifications").exists(), what="health file")
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 40)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert code == 0, stderr[-3000:]
    assert "привязан к кафе «Процесс»" in texts(fake_telegram, -8001)[0]
    assert not (tmp_path / "notifications").exists()
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert any(line["msg"] == "notice sent" and line["worker"] == "notifications" for line in lines)
    assert any(line["msg"] == "worker stopped" for line in lines)
