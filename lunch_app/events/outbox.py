"""The outbox writer: events are stored in the same transaction as the change that caused them.

Only the relay (lunch_app/events/relay.py) talks to Kafka; domain code calls the functions here.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.clock import get_clock
from lunch_app.models import OutboxEvent
from lunch_app.settings import get_settings


def new_event_id() -> str:
    return uuid.uuid4().hex


def add_event(session: AsyncSession, *, topic: str, key: str, payload: dict[str, Any]) -> OutboxEvent:
    """Queue one event. `payload` must be JSON-ready; an `event_id` is added when missing."""
    body = dict(payload)
    body.setdefault("event_id", new_event_id())
    row = OutboxEvent(event_id=body["event_id"], topic=topic, key=key, payload=body, created_at=get_clock().utcnow())
    session.add(row)
    return row


def notify(
    session: AsyncSession,
    *,
    template: str,
    params: dict[str, Any] | None = None,
    user_tgid: int | None = None,
    chat_id: int | None = None,
    event_id: str | None = None,
) -> OutboxEvent:
    """A notice to one person (by Telegram id) or one chat, rendered by the notifications worker."""
    if (user_tgid is None) == (chat_id is None):
        raise ValueError("a notice goes to exactly one of user_tgid or chat_id")
    payload: dict[str, Any] = {
        "type": "notification",
        "event_id": event_id or new_event_id(),
        "template": template,
        "params": params or {},
    }
    if user_tgid is not None:
        payload["user_tgid"] = user_tgid
        key = f"user:{user_tgid}"
    else:
        payload["chat_id"] = chat_id
        key = f"chat:{chat_id}"
    return add_event(session, topic=get_settings().kafka_topic_notifications, key=key, payload=payload)


def deadline_passed(session: AsyncSession, *, cafe_id: int, day: date) -> OutboxEvent:
    """The cut-off of (cafe, day) passed: the notifications worker sends the digest once."""
    payload = {
        "type": "deadline.passed",
        # The business identity makes a second event for the same digest harmless.
        "event_id": f"deadline:{cafe_id}:{day.isoformat()}",
        "cafe_id": cafe_id,
        "date": day.isoformat(),
        "occurred_at": get_clock().utcnow().isoformat(),
    }
    return add_event(session, topic=get_settings().kafka_topic_deadlines, key=f"cafe:{cafe_id}", payload=payload)


def daily_task(
    session: AsyncSession,
    *,
    event_id: str,
    user_tgid: int | None = None,
    office_id: int | None = None,
    day: date | None = None,
) -> OutboxEvent:
    """A recommendations task: one person's tips (`user_tgid`), or the nightly batch of one office (`office_id`,
    with `day` the office's local date of that night)."""
    payload: dict[str, Any] = {
        "type": "generate_recommendations",
        "event_id": event_id,
        "occurred_at": get_clock().utcnow().isoformat(),
    }
    if user_tgid is not None:
        payload["user_tgid"] = user_tgid
    if office_id is not None:
        payload["office_id"] = office_id
    if day is not None:
        payload["date"] = day.isoformat()
    key = f"user:{user_tgid}" if user_tgid is not None else f"nightly:{office_id}" if office_id else "nightly"
    return add_event(session, topic=get_settings().kafka_topic_daily_tasks, key=key, payload=payload)
