"""The outbox relay: publishes outbox rows to Kafka in id order and marks them published (SPEC §2).

One pass (`publish_pending`) runs in one transaction:
1. `pg_try_advisory_xact_lock` — only one relay publishes at a time, so rows leave in id order (and so
   per cafe/user key order is kept) even with several relays running; the others skip the pass;
2. `SELECT ... FOR UPDATE SKIP LOCKED` claims a small batch of unpublished rows (belt and braces: a row
   is never handled by two relays even if the advisory lock were bypassed);
3. every row is sent with its topic and key (acks=all) and the relay waits for all the acknowledgements;
4. the rows get `published_at` and the transaction commits.
If Kafka is unreachable the send fails, the transaction rolls back and the rows stay unpublished; the
next pass tries again. A crash between the Kafka acknowledgement and the commit publishes a row twice —
consumers are idempotent on the event's business identity, so that is harmless (at-least-once).

`run_relay()` is the loop; it runs as a task inside both the scheduler and the notifications processes
(two relays give availability; the advisory lock keeps them from interleaving).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlmodel import col

from lunch_app import db
from lunch_app.clock import get_clock
from lunch_app.events.kafka import encode_value, make_producer, start_with_retry
from lunch_app.models import OutboxEvent
from lunch_app.settings import Settings, get_settings

log = logging.getLogger(__name__)

RELAY_LOCK_KEY = 0x4C554E4348  # "LUNCH": the advisory lock of the relay pass
DEFAULT_BATCH_SIZE = 100


async def publish_pending(producer: AIOKafkaProducer, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Publish one batch of unpublished outbox rows; returns how many were published (0: nothing to do
    or another relay holds the lock). Raises KafkaError when Kafka refused; nothing is marked then."""
    async with db.session_scope() as session:
        locked = (await session.execute(sa.select(sa.func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY)))).scalar()
        if not locked:
            return 0
        rows = (
            (
                await session.execute(
                    sa.select(OutboxEvent)
                    .where(col(OutboxEvent.published_at).is_(None))
                    .order_by(col(OutboxEvent.id))
                    .limit(batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            return 0
        # send() only queues: the producer keeps per-partition order; then wait for every acknowledgement.
        pending = [
            await producer.send(row.topic, value=encode_value(row.payload), key=row.key.encode()) for row in rows
        ]
        await asyncio.gather(*pending)
        now = get_clock().utcnow()
        await session.execute(
            sa.update(OutboxEvent).where(col(OutboxEvent.id).in_([row.id for row in rows])).values(published_at=now)
        )
        return len(rows)


async def run_relay(
    stop: asyncio.Event,
    *,
    settings: Settings | None = None,
    interval: float = 0.5,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[], None] | None = None,
    producer_options: dict[str, object] | None = None,
    wake: asyncio.Event | None = None,
) -> None:
    """Relay the outbox until `stop` is set: drain while there is work, then poll every `interval` s.
    Code in the same process that just committed outbox rows may set `wake` to skip the wait."""
    settings = settings or get_settings()
    options = producer_options or {}
    producer = await start_with_retry(
        lambda: make_producer(settings, **options), stop, what="producer", on_progress=on_progress
    )
    if producer is None:
        return
    log.info("outbox relay started")
    delay = interval
    try:
        while not stop.is_set():
            if on_progress is not None:
                on_progress()
            try:
                published = await publish_pending(producer, batch_size=batch_size)
            except (KafkaError, OSError) as exc:
                log.warning("kafka unavailable; outbox rows wait", extra={"error": str(exc), "delay": delay})
                published = 0
                delay = min(delay * 2, 10.0)
            except Exception:
                log.exception("outbox relay pass failed")
                published = 0
                delay = min(delay * 2, 10.0)
            else:
                delay = interval
            if published:
                log.debug("outbox rows published", extra={"count": published})
                continue
            await _sleep(stop, wake, delay)
    finally:
        with contextlib.suppress(Exception):
            await producer.stop()
        log.info("outbox relay stopped")


async def _sleep(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        if wake is not None:
            wake.clear()
