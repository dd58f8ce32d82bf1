"""The outbox relay: in order with topic and key, survives Kafka being down, safe with two relays."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import sqlalchemy as sa
from aiokafka.errors import KafkaError

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.events.kafka import make_producer
from lunch_app.events.outbox import add_event, notify
from lunch_app.events.relay import publish_pending, run_relay
from lunch_app.models import OutboxEvent
from tests.events_fixtures import wait_until


async def queue(count: int, *, start: int = 0, keys: int = 3) -> list[str]:
    ids = []
    async with db.session_scope() as s:
        for n in range(start, start + count):
            row = notify(s, template="access_approved", params={"name": f"n{n}"}, user_tgid=1000 + n % keys)
            ids.append(row.event_id)
    return ids


async def unpublished() -> int:
    async with db.session_scope() as s:
        return (
            await s.execute(
                sa.select(sa.func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
            )
        ).scalar_one()


async def consume_all(kafka: Any, topic: str, expected: int) -> list[tuple[str, dict[str, Any]]]:
    consumer = await kafka.consumer(topic)
    got: list[tuple[str, dict[str, Any]]] = []

    async def fetch() -> bool:
        batch = await consumer.getmany(timeout_ms=200)
        for records in batch.values():
            got.extend((r.key.decode(), json.loads(r.value)) for r in records)
        return len(got) >= expected

    await wait_until(fetch, what=f"{expected} records")
    # Anything beyond `expected` (a duplicate) would arrive with the same fetches.
    batch = await consumer.getmany(timeout_ms=300)
    got.extend((r.key.decode(), json.loads(r.value)) for records in batch.values() for r in records)
    return got


def per_key_order(records: list[tuple[str, dict[str, Any]]]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for key, value in records:
        by_key.setdefault(key, []).append(value["params"]["name"])
    return by_key


async def test_publishes_rows_in_order_with_topic_and_key_and_marks_them(db_ready: MovableClock, kafka: Any) -> None:
    event_ids = await queue(25)
    async with db.session_scope() as s:
        add_event(s, topic=kafka.deadlines, key="cafe:7", payload={"type": "deadline.passed", "cafe_id": 7})
    producer = make_producer()
    await producer.start()
    try:
        assert await publish_pending(producer, batch_size=10) == 10
        assert await unpublished() == 16
        while await publish_pending(producer, batch_size=10):
            pass
    finally:
        await producer.stop()
    assert await unpublished() == 0

    records = await consume_all(kafka, kafka.notifications, 25)
    assert sorted(v["event_id"] for _, v in records) == sorted(event_ids)
    assert per_key_order(records) == {f"user:{1000 + k}": [f"n{n}" for n in range(25) if n % 3 == k] for k in range(3)}
    (deadline,) = await consume_all(kafka, kafka.deadlines, 1)
    assert deadline[0] == "cafe:7" and deadline[1]["cafe_id"] == 7


async def test_rows_wait_while_kafka_is_down_and_go_out_when_it_is_back(db_ready: MovableClock, kafka: Any) -> None:
    producer = make_producer(request_timeout_ms=1500)
    await producer.start()
    try:
        await kafka.broker.astop()
        await queue(5)
        with pytest.raises(KafkaError):
            await publish_pending(producer)
        assert await unpublished() == 5  # nothing marked: the transaction rolled back
    finally:
        await producer.stop()

    stop = asyncio.Event()
    relay = asyncio.create_task(run_relay(stop, interval=0.05, producer_options={"request_timeout_ms": 1500}))
    try:
        await queue(5, start=5)  # more events while the broker is still down
        await asyncio.sleep(0.5)
        assert await unpublished() == 10
        await kafka.restart_broker()
        await wait_until(lambda: _none_unpublished(), what="the outbox to drain")
    finally:
        stop.set()
        await relay
    records = await consume_all(kafka, kafka.notifications, 10)
    assert per_key_order(records) == {f"user:{1000 + k}": [f"n{n}" for n in range(10) if n % 3 == k] for k in range(3)}


async def _none_unpublished() -> bool:
    return await unpublished() == 0


async def test_two_relays_publish_every_row_once_in_order(db_ready: MovableClock, kafka: Any) -> None:
    stop = asyncio.Event()
    relays = [asyncio.create_task(run_relay(stop, interval=0.01, batch_size=7)) for _ in range(2)]
    try:
        for chunk in range(10):
            await queue(30, start=chunk * 30, keys=4)
            await asyncio.sleep(0.01)
        await wait_until(lambda: _none_unpublished(), what="the outbox to drain")
    finally:
        stop.set()
        await asyncio.gather(*relays)
    records = await consume_all(kafka, kafka.notifications, 300)
    assert len(records) == 300
    assert len({v["event_id"] for _, v in records}) == 300
    assert per_key_order(records) == {f"user:{1000 + k}": [f"n{n}" for n in range(300) if n % 4 == k] for k in range(4)}
