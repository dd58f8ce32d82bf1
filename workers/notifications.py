"""The notifications worker: `python -m workers.notifications` (SPEC §2, §4 "Digest", §8).

Consumes `lunch-bot.deadlines` and `lunch-bot.notifications` with the consumer group (manual commit after
the work is done, see `lunch_app.events.kafka.run_consumer`) and sends Telegram messages. The outbox relay
runs as a second task in this process.

Digest, exactly once per (cafe, date), keyed on its `Dispatch` row:
- the delivery runs under a PostgreSQL advisory lock keyed on the dispatch id, held by a dedicated
  transaction for the whole delivery (released by the database if the process dies), so a redelivered
  event handled by another consumer at the same time waits and then finds the digest already sent;
- under the lock the dispatch is re-read: anything but `pending` (sent, skipped, failed) is left alone;
- the digest is rendered from the report stored at the cut-off, so it is the same text every time;
- after Telegram accepts each part its message id is appended to the dispatch in its own transaction;
  a delivery that is interrupted (crash, kill, shutdown) resumes after the last recorded part. The one
  unavoidable window is a part Telegram accepted whose id was not recorded yet (process killed between
  the HTTP answer and the commit of one small UPDATE): that part alone would be sent again. A cancelled
  task finishes that UPDATE before it lets go of the lock, so only a hard kill can hit the window;
- the cafe has no linked chat or notifications are off → `skipped`; a permanent Telegram refusal
  (400 chat not found, 403 bot blocked) or retries running out → `failed` with `last_error` and the
  attempt counted; a manager can resend it from the dashboard. One cafe's failure never stops the others:
  the handler returns normally and the offset is committed.

Person/chat notices are idempotent on the event id with a Redis key (`SET NX`, a few days): `sending`
while in flight (expires after CLAIM_SECONDS, so a crashed sender does not block a retry for long),
`sent` or `failed` afterwards. A redelivered event whose key says sent/failed is skipped.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import date
from typing import Any

import redis.asyncio as aioredis
import sqlalchemy as sa
from aiokafka import ConsumerRecord
from sqlmodel import col

from lunch_app import db
from lunch_app.domain.digest import (
    delivery_plan,
    finish_delivery,
    get_dispatch,
    lock_delivery,
    record_part,
    start_delivery,
)
from lunch_app.domain.reminders import reminder_still_useful
from lunch_app.events.kafka import run_consumer
from lunch_app.events.relay import run_relay
from lunch_app.models import AccessRequest, DispatchStatus, User
from lunch_app.settings import Settings, get_settings
from lunch_app.telegram.messages import UnknownTemplate, digest_keyboard, render_digest, render_notice
from lunch_app.telegram.sender import DeliveryFailed, TelegramSender, make_bot
from workers.runtime import WorkerContext, run_together, run_worker

log = logging.getLogger("workers.notifications")

DIGEST_LANGUAGE = "ru"  # cafe chats get Russian (SPEC §5 default)
NOTICE_KEY = "lunch-bot:notice:{event_id}"
CLAIM_SECONDS = 120
DONE_SECONDS = 4 * 24 * 3600


class NoticeInFlight(Exception):
    """Another consumer is sending this notice right now; the record is retried later."""


class NotificationHandler:
    """Handles one decoded event of the deadlines or notifications topic (the consumer's `handle`)."""

    def __init__(self, sender: TelegramSender, redis: aioredis.Redis, settings: Settings | None = None) -> None:
        self.sender = sender
        self.redis = redis
        self.settings = settings or get_settings()

    async def __call__(self, payload: dict[str, Any], record: ConsumerRecord[bytes, bytes] | None = None) -> None:
        kind = payload.get("type")
        if kind == "deadline.passed":
            cafe_id, day = payload.get("cafe_id"), _parse_date(payload.get("date"))
            if not isinstance(cafe_id, int) or day is None:
                log.error("malformed deadline event skipped", extra={"event": payload})
                return
            await self.deliver_digest(cafe_id=cafe_id, day=day)
        elif kind == "notification":
            await self.deliver_notice(payload)
        else:
            log.warning("unknown event type skipped", extra={"event_type": kind, "event_id": payload.get("event_id")})

    # --- digest ------------------------------------------------------------------------------------

    async def deliver_digest(self, *, cafe_id: int, day: date) -> DispatchStatus | None:
        """Send the digest of (cafe, day) unless it went out already; returns the dispatch's final status."""
        where = {"cafe_id": cafe_id, "date": day.isoformat()}
        async with db.session_factory()() as lock_session, lock_session.begin():
            dispatch = await get_dispatch(lock_session, cafe_id=cafe_id, day=day)
            if dispatch is None or dispatch.id is None:
                log.warning("deadline event without a dispatch row skipped", extra=where)
                return None
            dispatch_id = dispatch.id
            await lock_delivery(lock_session, dispatch_id=dispatch_id)
            async with db.session_scope() as session:
                plan = await delivery_plan(session, cafe_id=cafe_id, day=day)
            assert plan is not None
            if plan.status != DispatchStatus.pending:
                log.info("digest already handled", extra={**where, "status": plan.status.value})
                return plan.status
            if plan.chat_id is None or not plan.notifications_enabled:
                async with db.session_scope() as session:
                    await finish_delivery(session, dispatch_id=dispatch_id, status=DispatchStatus.skipped)
                log.info("digest skipped: cafe not linked or notifications off", extra=where)
                return DispatchStatus.skipped
            if plan.report is None:
                async with db.session_scope() as session:
                    await finish_delivery(
                        session, dispatch_id=dispatch_id, status=DispatchStatus.failed, error="no stored report"
                    )
                log.error("digest failed: no stored report", extra=where)
                return DispatchStatus.failed

            parts = render_digest(plan.report, DIGEST_LANGUAGE)
            already = len(plan.sent_message_ids)
            async with db.session_scope() as session:
                await start_delivery(session, dispatch_id=dispatch_id, chat_id=plan.chat_id, keep_parts=already > 0)
            for index in range(already, len(parts)):
                last = index == len(parts) - 1
                markup = digest_keyboard(cafe_id, day, DIGEST_LANGUAGE) if last else None
                try:
                    message_id = await self.sender.send_message(plan.chat_id, parts[index], reply_markup=markup)
                except DeliveryFailed as exc:
                    async with db.session_scope() as session:
                        await finish_delivery(
                            session, dispatch_id=dispatch_id, status=DispatchStatus.failed, error=exc.description
                        )
                    log.error(
                        "digest failed",
                        extra={**where, "error": exc.description, "part": index + 1, "parts": len(parts)},
                    )
                    return DispatchStatus.failed
                await _record_shielded(dispatch_id, message_id)
            async with db.session_scope() as session:
                await finish_delivery(session, dispatch_id=dispatch_id, status=DispatchStatus.sent)
            log.info("digest sent", extra={**where, "parts": len(parts), "resumed_from": already})
            return DispatchStatus.sent

    # --- person and chat notices -------------------------------------------------------------------

    async def deliver_notice(self, payload: dict[str, Any]) -> str:
        """Send one notice once; returns "sent", "failed", "skipped" or "duplicate"."""
        event_id = str(payload.get("event_id") or "")
        template = str(payload.get("template") or "")
        if not event_id:
            log.error("notice without event_id skipped", extra={"template": template})
            return "skipped"
        key = NOTICE_KEY.format(event_id=event_id)
        if not await self.redis.set(key, "sending", nx=True, ex=CLAIM_SECONDS):
            state = await self.redis.get(key)
            if state in (b"sent", b"failed", b"skipped"):
                return "duplicate"
            raise NoticeInFlight(event_id)
        try:
            outcome = await self._send_notice(payload, event_id=event_id, template=template)
        except BaseException:
            await self.redis.delete(key)  # not done: a redelivery must be able to try again
            raise
        await self.redis.set(key, outcome, ex=DONE_SECONDS)
        return outcome

    async def _send_notice(self, payload: dict[str, Any], *, event_id: str, template: str) -> str:
        params = payload.get("params") if isinstance(payload.get("params"), dict) else {}
        assert isinstance(params, dict)
        where = {"event_id": event_id, "template": template}
        user_tgid, chat_id = payload.get("user_tgid"), payload.get("chat_id")
        if isinstance(user_tgid, int):
            target, lang = user_tgid, await self._user_language(user_tgid)
            if template == "reminder" and not await self._reminder_still_useful(user_tgid, params):
                log.info("reminder no longer needed", extra=where)
                return "skipped"
        elif isinstance(chat_id, int):
            target, lang = chat_id, DIGEST_LANGUAGE
        else:
            log.error("notice without a recipient skipped", extra=where)
            return "skipped"
        try:
            rendered = render_notice(template, params, lang, mini_app_url=self.settings.telegram_mini_app_url)
        except UnknownTemplate:
            log.error("notice with an unknown template skipped", extra=where)
            return "failed"
        try:
            await self.sender.send_message(target, rendered.text, reply_markup=rendered.reply_markup)
        except DeliveryFailed as exc:
            if not exc.permanent:
                raise  # Telegram unreachable for a while: the consumer retries the record later
            log.warning("notice refused by Telegram", extra={**where, "error": exc.description})
            return "failed"
        log.info("notice sent", extra=where)
        return "sent"

    async def _user_language(self, tgid: int) -> str:
        async with db.session_scope() as session:
            language = (await session.execute(sa.select(col(User.language)).where(col(User.tgid) == tgid))).scalar()
            if language is None:
                language = (
                    await session.execute(sa.select(col(AccessRequest.language)).where(col(AccessRequest.tgid) == tgid))
                ).scalar()
        return "en" if language == "en" else "ru"

    async def _reminder_still_useful(self, tgid: int, params: dict[str, Any]) -> bool:
        cafe_id, day = params.get("cafe_id"), _parse_date(params.get("date"))
        if not isinstance(cafe_id, int) or day is None:
            return True
        async with db.session_scope() as session:
            return await reminder_still_useful(session, user_tgid=tgid, cafe_id=cafe_id, day=day)


async def _record_part(dispatch_id: int, message_id: int) -> None:
    async with db.session_scope() as session:
        await record_part(session, dispatch_id=dispatch_id, message_id=message_id)


async def _record_shielded(dispatch_id: int, message_id: int) -> None:
    """Record a sent part even if the delivery is being cancelled right now (before the lock is released),
    so a restarted delivery does not send that part again."""
    task = asyncio.ensure_future(_record_part(dispatch_id, message_id))
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def notification_topics(settings: Settings) -> list[str]:
    return [settings.kafka_topic_deadlines, settings.kafka_topic_notifications]


async def notifications_process(
    ctx: WorkerContext,
    *,
    relay: bool = True,
    concurrency: int = 8,
    consumer_options: dict[str, Any] | None = None,
    sender_options: dict[str, Any] | None = None,
) -> None:
    """The process body: the consumer loop and the outbox relay side by side."""
    settings = ctx.settings
    bot = make_bot(settings)
    redis = aioredis.from_url(settings.redis_url)
    handler = NotificationHandler(TelegramSender(bot, **(sender_options or {})), redis, settings)
    loops = [
        run_consumer(
            topics=notification_topics(settings),
            handle=handler,
            stop=ctx.stop,
            settings=settings,
            concurrency=concurrency,
            on_progress=ctx.progress_hook("consumer"),
            consumer_options=consumer_options,
        )
    ]
    if relay:
        loops.append(run_relay(ctx.stop, settings=settings, on_progress=ctx.progress_hook("relay")))
    try:
        await run_together(ctx, *loops)
    finally:
        await bot.session.close()
        await redis.aclose()


def main() -> None:
    sys.exit(run_worker("notifications", notifications_process))


if __name__ == "__main__":
    main()
