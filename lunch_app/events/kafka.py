"""Kafka producer/consumer factories from settings and the consume loop every worker shares.

Producer: acks="all", idempotence as configured (KAFKA_ENABLE_IDEMPOTENCE; the bundled test broker does
not support it). Consumer: a group id, manual commits, `auto_offset_reset="earliest"` (a new group starts
from the beginning, so nothing published before the first start is skipped).

`run_consumer()` is the at-least-once loop of the notifications and recommendations workers: fetch a
batch, handle it (records with different keys concurrently, records with the same key in order), then
commit the offsets of what was handled. A handler error leaves its record (and what follows it in the
partition) uncommitted: the loop seeks back and retries after a pause, so handlers must be idempotent.
On stop the batch in flight is finished (within a grace period) and committed, or handed back uncommitted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from lunch_app.settings import Settings, get_settings

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], ConsumerRecord[bytes, bytes]], Awaitable[None]]


def encode_value(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def decode_value(raw: bytes | None) -> dict[str, Any] | None:
    """A JSON object from a record value; None for anything else (logged and skipped by the loop)."""
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def make_producer(settings: Settings | None = None, **overrides: Any) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas; the caller starts and stops it."""
    settings = settings or get_settings()
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "acks": "all",
        "enable_idempotence": settings.kafka_enable_idempotence,
        "request_timeout_ms": 10_000,
        "linger_ms": 5,
        "client_id": "lunch-bot-relay",
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def make_consumer(
    *topics: str, settings: Settings | None = None, group_id: str | None = None, **overrides: Any
) -> AIOKafkaConsumer:
    """A group consumer with manual commits that starts from the earliest offset when it has none."""
    settings = settings or get_settings()
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "group_id": group_id or settings.kafka_consumer_group,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "fetch_max_wait_ms": 100,
        "metadata_max_age_ms": 30_000,
        "client_id": f"lunch-bot-{group_id or settings.kafka_consumer_group}",
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


async def ensure_topics(topics: Iterable[str], *, settings: Settings | None = None, partitions: int = 3) -> None:
    """Create the topics when missing, so a consumer never waits for a topic a producer has not made yet.
    Failure is only logged: a broker that auto-creates topics or an operator may have made them."""
    settings = settings or get_settings()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=10_000)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [topic for topic in topics if topic not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(name=topic, num_partitions=partitions, replication_factor=1) for topic in missing]
            )
    except TopicAlreadyExistsError:
        pass
    except (KafkaError, OSError) as exc:
        log.warning("could not ensure kafka topics", extra={"topics": list(topics), "error": str(exc)})
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


ClientT = TypeVar("ClientT", AIOKafkaConsumer, AIOKafkaProducer)


async def start_with_retry(
    make_client: Callable[[], ClientT],
    stop: asyncio.Event,
    *,
    what: str,
    on_progress: Callable[[], None] | None = None,
) -> ClientT | None:
    """Build and start a Kafka client, retrying with backoff (a fresh client each time: a stopped aiokafka
    client cannot be started again) while the broker is unreachable; None if stopped first."""
    delay = 0.5
    while not stop.is_set():
        if on_progress is not None:
            on_progress()
        client = make_client()
        try:
            await client.start()
            return client
        except (KafkaError, OSError) as exc:
            log.warning("kafka unavailable, retrying", extra={"what": what, "error": str(exc), "delay": delay})
            with contextlib.suppress(Exception):
                await client.stop()
            await _wait(stop, delay)
            delay = min(delay * 2, 10.0)
    return None


async def run_consumer(
    *,
    topics: list[str],
    handle: Handler,
    stop: asyncio.Event,
    settings: Settings | None = None,
    group_id: str | None = None,
    concurrency: int = 8,
    max_records: int = 200,
    retry_delay: float = 2.0,
    shutdown_grace: float = 20.0,
    on_progress: Callable[[], None] | None = None,
    consumer_options: dict[str, Any] | None = None,
) -> None:
    """Consume `topics` until `stop` is set (see the module docstring for the delivery guarantees)."""
    settings = settings or get_settings()
    await ensure_topics(topics, settings=settings)
    consumer = await start_with_retry(
        lambda: make_consumer(*topics, settings=settings, group_id=group_id, **(consumer_options or {})),
        stop,
        what="consumer",
        on_progress=on_progress,
    )
    if consumer is None:
        return
    log.info("consumer started", extra={"topics": topics, "group_id": group_id or settings.kafka_consumer_group})
    semaphore = asyncio.Semaphore(concurrency)
    failures = 0
    try:
        while not stop.is_set():
            if on_progress is not None:
                on_progress()
            try:
                batch = await consumer.getmany(timeout_ms=500, max_records=max_records)
            except KafkaError as exc:
                log.warning("kafka fetch failed", extra={"error": str(exc)})
                await _wait(stop, retry_delay)
                continue
            if not batch:
                continue
            work = asyncio.ensure_future(_handle_batch(batch, handle, semaphore))
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:  # killed: the batch is abandoned uncommitted
                work.cancel()
                raise
            finally:
                stopper.cancel()
            if not work.done():
                # Stopping: let the messages in flight finish, else hand them back uncommitted.
                done, _ = await asyncio.wait({work}, timeout=shutdown_grace)
                if not done:
                    work.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await work
                    log.warning("stopped with messages in flight; they will be redelivered")
                    break
            commit_to, failed_at = work.result()
            if commit_to:
                try:
                    await consumer.commit(commit_to)
                except KafkaError as exc:  # e.g. a rebalance took the partition: the new owner redoes it
                    log.warning("commit failed", extra={"error": str(exc)})
            if failed_at:
                failures += 1
                for tp, offset in failed_at.items():
                    consumer.seek(tp, offset)
                await _wait(stop, min(retry_delay * 2 ** min(failures - 1, 4), 30.0))
            else:
                failures = 0
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()
        log.info("consumer stopped")


async def _handle_batch(
    batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]], handle: Handler, semaphore: asyncio.Semaphore
) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
    """Handle a fetched batch; returns (offsets to commit, offsets to seek back to after a failure)."""
    chains: dict[tuple[TopicPartition, bytes | None], list[ConsumerRecord[bytes, bytes]]] = defaultdict(list)
    for tp, records in batch.items():
        for record in records:
            chains[(tp, record.key)].append(record)
    failed: dict[TopicPartition, int] = {}

    async def run_chain(tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        async with semaphore:
            for record in records:
                payload = decode_value(record.value)
                if payload is None:
                    log.error("skipping a record that is not a JSON object", extra=_where(record))
                    continue
                try:
                    await handle(payload, record)
                except Exception:
                    log.exception("handler failed; the record will be retried", extra=_where(record))
                    failed[tp] = min(failed.get(tp, record.offset), record.offset)
                    return  # later records with this key wait for this one

    await asyncio.gather(*(run_chain(tp, records) for (tp, _key), records in chains.items()))
    commit: dict[TopicPartition, int] = {}
    for tp, records in batch.items():
        if tp in failed:
            if failed[tp] > records[0].offset:
                commit[tp] = failed[tp]
        else:
            commit[tp] = records[-1].offset + 1
    return commit, failed


def _where(record: ConsumerRecord[bytes, bytes]) -> dict[str, Any]:
    return {"topic": record.topic, "partition": record.partition, "offset": record.offset}
