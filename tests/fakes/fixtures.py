"""Pytest fixtures for the protocol stand-ins (Telegram Bot API, Gemini, Kafka broker).

Registered as a plugin by `tests/conftest.py`. Each fixture also points the application settings at its
stand-in (environment via `monkeypatch`, then `reset_settings_cache()`), so code that calls
`get_settings()` during the test talks to the fake:

- `fake_telegram` → TELEGRAM_API_BASE
- `fake_gemini`   → GEMINI_BASE_URL (keys stay as the test sets them: GEMINI_API_KEYS)
- `kafka`         → KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_DEADLINES / _NOTIFICATIONS / _DAILY_TASKS,
                    KAFKA_CONSUMER_GROUP (unique per test, topics already created with 3 partitions)
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from lunch_app.settings import get_settings, reset_settings_cache
from tests.fakes.gemini import FakeGemini
from tests.fakes.kafka import PRODUCER_KWARGS, KafkaBroker, consumer_kwargs, create_topics
from tests.fakes.telegram import FakeBotAPI


@contextlib.contextmanager
def _settings_env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the settings, restoring them (and the settings cache) afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        reset_settings_cache()
        try:
            yield
        finally:
            patch.undo()
            reset_settings_cache()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeBotAPI]:
    """A started `FakeBotAPI` (any token accepted); TELEGRAM_API_BASE points at it during the test."""
    fake = FakeBotAPI(bot_username=get_settings().telegram_bot_username)
    await fake.start()
    try:
        with _settings_env({"TELEGRAM_API_BASE": fake.base_url}):
            yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def fake_gemini() -> AsyncIterator[FakeGemini]:
    """A started `FakeGemini` answering a valid recommendation by default; GEMINI_BASE_URL points at it."""
    fake = FakeGemini()
    await fake.start()
    try:
        with _settings_env({"GEMINI_BASE_URL": fake.base_url}):
            yield fake
    finally:
        await fake.stop()


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker]:
    """One Tansu broker for the whole run (memory storage; see tests/fakes/kafka.py for its quirks)."""
    broker = KafkaBroker()
    broker.start()
    try:
        yield broker
    finally:
        broker.close()


class KafkaTestEnv:
    """What the `kafka` fixture gives a test: the broker, unique topic names and a unique group id.

    Producers/consumers made with `producer()` / `consumer()` are stopped at teardown.
    """

    def __init__(self, broker: KafkaBroker, suffix: str) -> None:
        settings = get_settings()
        self.broker = broker
        self.suffix = suffix
        self.deadlines = f"{settings.kafka_topic_deadlines}.{suffix}"
        self.notifications = f"{settings.kafka_topic_notifications}.{suffix}"
        self.daily_tasks = f"{settings.kafka_topic_daily_tasks}.{suffix}"
        self.group_id = f"{settings.kafka_consumer_group}.{suffix}"
        self.partitions = 3
        self._extra_topics: list[str] = []
        self._clients: list[Any] = []

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap

    @property
    def topics(self) -> list[str]:
        return [self.deadlines, self.notifications, self.daily_tasks, *self._extra_topics]

    def env(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "KAFKA_TOPIC_DEADLINES": self.deadlines,
            "KAFKA_TOPIC_NOTIFICATIONS": self.notifications,
            "KAFKA_TOPIC_DAILY_TASKS": self.daily_tasks,
            "KAFKA_CONSUMER_GROUP": self.group_id,
        }

    async def new_topic(self, name: str, partitions: int | None = None) -> str:
        """Create an extra topic `<name>.<suffix>` for this test and return its full name."""
        full = f"{name}.{self.suffix}"
        await create_topics(self.bootstrap, [full], partitions=partitions or self.partitions)
        self._extra_topics.append(full)
        return full

    async def recreate_topics(self) -> None:
        """Create this test's topics again — needed after `broker.stop()`/`start()` (memory storage)."""
        await create_topics(self.bootstrap, self.topics, partitions=self.partitions)

    async def restart_broker(self) -> None:
        """Stop and start the broker on the same port, then recreate this test's topics (data is lost)."""
        await self.broker.astop()
        await self.broker.astart()
        await self.recreate_topics()

    async def producer(self, **overrides: Any) -> Any:
        """A started AIOKafkaProducer (acks=all, no idempotence) on this broker."""
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, **{**PRODUCER_KWARGS, **overrides})
        await producer.start()
        self._clients.append(producer)
        return producer

    async def consumer(self, *topics: str, **overrides: Any) -> Any:
        """A started AIOKafkaConsumer with the fast test kwargs, this test's group id, manual commits."""
        from aiokafka import AIOKafkaConsumer

        kwargs = consumer_kwargs(group_id=self.group_id, enable_auto_commit=False, **overrides)
        consumer = AIOKafkaConsumer(*topics, bootstrap_servers=self.bootstrap, **kwargs)
        await consumer.start()
        self._clients.append(consumer)
        return consumer

    async def close(self) -> None:
        for client in reversed(self._clients):
            with contextlib.suppress(Exception):
                await client.stop()
        self._clients.clear()


@pytest.fixture
async def kafka(kafka_broker: KafkaBroker) -> AsyncIterator[KafkaTestEnv]:
    """Per-test Kafka: unique topics (created, 3 partitions) and group id; settings point at them."""
    if not kafka_broker.running:  # an earlier test stopped it and did not restart it
        await kafka_broker.astart()
    env = KafkaTestEnv(kafka_broker, uuid.uuid4().hex[:10])
    await env.recreate_topics()
    try:
        with _settings_env(env.env()):
            yield env
    finally:
        await env.close()
        if not kafka_broker.running:
            await kafka_broker.astart()
