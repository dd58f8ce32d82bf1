"""Recommendations worker: `python -m workers.recommendations`.

Consumes `lunch-bot.daily-tasks`. A `generate_recommendations` task with `office_id` runs the nightly batch over
that office's eligible users (queued at 03:00 office time; bounded concurrency, stops when every Gemini key is
exhausted); without either it runs over everyone (tasks queued before offices existed); with `user_tgid` it
refreshes one user's tips. The same domain code serves the Mini App's "generate now".
A nightly task delivered twice within a day runs once (a Redis mark per event id, set after success).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import redis.asyncio as aioredis
from aiokafka import ConsumerRecord

from lunch_app import db
from lunch_app.ai.gemini import GeminiGenerator
from lunch_app.domain.offices import office_today
from lunch_app.domain.recommendations import AllKeysExhausted, GenerationFailed, generate_tips, run_batch, user_stats
from lunch_app.events.kafka import run_consumer
from lunch_app.models import User
from workers.runtime import WorkerContext, run_worker

log = logging.getLogger("workers.recommendations")

DONE_KEY = "reco:task-done:{event_id}"
DONE_TTL = 3 * 24 * 3600


class TaskHandler:
    def __init__(self, generator: GeminiGenerator, redis: aioredis.Redis, concurrency: int) -> None:
        self.generator = generator
        self.redis = redis
        self.concurrency = concurrency

    async def __call__(self, payload: dict[str, Any], record: ConsumerRecord[bytes, bytes] | None = None) -> None:
        if payload.get("type") != "generate_recommendations":
            log.warning("ignoring an unknown task", extra={"type": payload.get("type")})
            return
        event_id = str(payload.get("event_id") or "")
        if event_id and await self.redis.exists(DONE_KEY.format(event_id=event_id)):
            log.info("task already done", extra={"event_id": event_id})
            return
        if not self.generator.enabled:
            log.info("recommendations are off (no GEMINI_API_KEYS)")
        elif payload.get("user_tgid") is not None:
            await self._one(int(payload["user_tgid"]))
        else:
            office_id = payload.get("office_id")
            result = await run_batch(
                db.session_factory(),
                self.redis,
                self.generator,
                concurrency=self.concurrency,
                office_id=office_id if isinstance(office_id, int) else None,
                today=_parse_date(payload.get("date")),
            )
            log.info("nightly recommendations done", extra={**vars(result), "office_id": office_id})
        if event_id:
            await self.redis.set(DONE_KEY.format(event_id=event_id), "1", ex=DONE_TTL)

    async def _one(self, tgid: int) -> None:
        async with db.session_factory()() as session:
            user = await session.get(User, tgid)
            if user is None or not user.is_active:
                return
            stats = await user_stats(session, user_tgid=tgid, today=await office_today(session, user))
        try:
            await generate_tips(self.redis, self.generator, user_tgid=tgid, stats=stats, language=user.language)
        except (AllKeysExhausted, GenerationFailed) as exc:
            log.warning("recommendation not generated", extra={"user_tgid": tgid, "reason": exc.key})


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


async def body(ctx: WorkerContext) -> None:
    settings = ctx.settings
    redis = aioredis.from_url(settings.redis_url)
    handler = TaskHandler(GeminiGenerator(settings, redis), redis, settings.gemini_concurrency)
    try:
        await run_consumer(
            topics=[settings.kafka_topic_daily_tasks],
            handle=handler,
            stop=ctx.stop,
            settings=settings,
            group_id=f"{settings.kafka_consumer_group}-recommendations",
            concurrency=1,
            shutdown_grace=60.0,
            on_progress=ctx.progress_hook("consumer"),
        )
    finally:
        await redis.aclose()


def main() -> int:
    return run_worker("recommendations", body)


if __name__ == "__main__":
    raise SystemExit(main())
