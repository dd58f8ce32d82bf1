"""Cut-off processing and the cafe digest's bookkeeping (SPEC §4 "Digest at cut-off").

Scheduler side: `due_cutoffs()` finds (cafe, date) pairs with `placed` orders whose cut-off passed (also
long ago: a scheduler that was down catches up), and `process_cutoff()` handles one pair in the caller's
transaction: it claims the pair by inserting its `Dispatch` row with ON CONFLICT DO NOTHING (the unique
(cafe_id, date) pair decides which of two schedulers wins; the loser does nothing), marks the orders
`sent`, stores the report and writes the `deadline.passed` outbox event.

A cafe's cut-off is one instant in the cafe's zone (domain/availability.py), so there is one digest per
(cafe, date) even when the cafe serves several offices; the digest is sectioned by office, each with its
delivery address (lunch_app/telegram/messages.py). Days the calendar closes are skipped: before claiming, the
placed orders of a closed day (a closure of the cafe, a holiday or day off of the owner's office) are cancelled
with a notice to their owners (domain/calendar.py); when none are left, no dispatch is claimed and nothing goes
to the cafe.

Notifications side (the worker in workers/notifications.py does the Telegram calls): the delivery of one
dispatch runs under a PostgreSQL advisory lock keyed on the dispatch (`lock_delivery`), so two consumers
never send the same digest at the same time; `delivery_plan()` says what is left to send; `record_part()`
stores each message id right after Telegram accepted that part, in its own transaction, so a worker that
dies mid-digest resumes with the next part instead of sending the whole digest again; `finish_delivery()`
records sent / skipped / failed.

Dashboard and bot: `resend_failed_digest()` and `confirm_digest()`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain import audit
from lunch_app.domain.availability import cafe_zone, cutoff_at
from lunch_app.domain.calendar import cancel_closed_orders
from lunch_app.domain.errors import Conflict, Forbidden, NotFound
from lunch_app.domain.reports import DayReport, store_day_report
from lunch_app.domain.users import require_manager
from lunch_app.domain.validation import parse
from lunch_app.events.outbox import add_event, deadline_passed
from lunch_app.models import Cafe, Dispatch, DispatchStatus, Order, OrderStatus, Report, Schedule
from lunch_app.settings import get_settings

DIGEST_LOCK_CLASS = 0x4449  # "DI": the advisory-lock namespace of digest deliveries (objid = dispatch id)
MAX_CUTOFF_DAYS_BEFORE = 6  # schedules.cutoff_days_before is 0..6


# --- scheduler side --------------------------------------------------------------------------------


async def due_cutoffs(session: AsyncSession, *, now: datetime | None = None) -> list[tuple[int, date]]:
    """(cafe_id, date) pairs with `placed` orders and no dispatch yet whose cut-off is at or before now.

    A pair whose schedule row has gone (deleted after the orders were placed) uses the start of the
    order date (cafe time) as its cut-off, so such orders still reach the cafe on their day.
    """
    now = now or get_clock().now()
    # The widest "today" anywhere (UTC+14) plus the longest days-before bounds the dates that can be due.
    latest_day = now.astimezone(UTC).date() + timedelta(days=MAX_CUTOFF_DAYS_BEFORE + 1)
    dispatched = sa.exists().where(
        col(Dispatch.cafe_id) == col(Order.cafe_id), col(Dispatch.date) == col(Order.order_date)
    )
    pairs = (
        await session.execute(
            sa.select(col(Order.cafe_id), col(Order.order_date))
            .where(col(Order.status) == OrderStatus.placed, col(Order.order_date) <= latest_day, ~dispatched)
            .distinct()
            .order_by(col(Order.order_date), col(Order.cafe_id))
        )
    ).all()
    if not pairs:
        return []
    cafe_ids = {cafe_id for cafe_id, _ in pairs}
    schedules = {
        (row.cafe_id, row.weekday): row
        for row in (await session.execute(sa.select(Schedule).where(col(Schedule.cafe_id).in_(cafe_ids)))).scalars()
    }
    zones = {
        cafe.id: cafe_zone(cafe)
        for cafe in (await session.execute(sa.select(Cafe).where(col(Cafe.id).in_(cafe_ids)))).scalars()
    }
    due: list[tuple[int, date]] = []
    for cafe_id, day in pairs:
        tz = zones[cafe_id]
        schedule = schedules.get((cafe_id, day.weekday()))
        cut = cutoff_at(schedule, day, tz) if schedule is not None else datetime.combine(day, time(0, 0), tzinfo=tz)
        if now >= cut:
            due.append((cafe_id, day))
    return due


@dataclass(frozen=True)
class CutoffOutcome:
    cafe_id: int
    day: date
    dispatch_id: int
    orders_sent: int
    report_id: int


async def process_cutoff(session: AsyncSession, *, cafe_id: int, day: date) -> CutoffOutcome | None:
    """Close (cafe, day): claim its dispatch, mark the orders sent, store the report, queue the digest
    event — all in the caller's transaction. None when another scheduler (or an earlier tick) won, or when the
    calendar closes the day for every order left (those orders are cancelled, their owners told)."""
    await cancel_closed_orders(session, start=day, end=day, cafe_id=cafe_id, actor_tgid=None)
    remaining = (
        await session.execute(
            sa.select(col(Order.id))
            .where(col(Order.cafe_id) == cafe_id, col(Order.order_date) == day, col(Order.status) == OrderStatus.placed)
            .limit(1)
        )
    ).first()
    if remaining is None:
        return None
    table = Dispatch.__table__  # type: ignore[attr-defined]
    claimed = (
        await session.execute(
            postgresql.insert(table)
            .values(
                cafe_id=cafe_id,
                date=day,
                status=DispatchStatus.pending.value,
                message_ids=[],
                attempts=0,
                created_at=get_clock().utcnow(),
            )
            .on_conflict_do_nothing(index_elements=[table.c.cafe_id, table.c.date])
            .returning(table.c.id)
        )
    ).scalar_one_or_none()
    if claimed is None:
        return None
    sent = (
        await session.execute(
            sa.update(Order)
            .where(col(Order.cafe_id) == cafe_id, col(Order.order_date) == day, col(Order.status) == OrderStatus.placed)
            .values(status=OrderStatus.sent, updated_at=get_clock().utcnow())
            .returning(col(Order.id))
        )
    ).all()
    report = await store_day_report(session, cafe_id=cafe_id, day=day)
    assert report.id is not None
    deadline_passed(session, cafe_id=cafe_id, day=day)
    return CutoffOutcome(cafe_id=cafe_id, day=day, dispatch_id=claimed, orders_sent=len(sent), report_id=report.id)


# --- notifications side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryPlan:
    """What a delivery of one digest still has to do, read under the delivery lock."""

    dispatch_id: int
    status: DispatchStatus
    chat_id: int | None  # the cafe's linked chat now; None: not linked
    notifications_enabled: bool
    sent_message_ids: list[int]  # parts already accepted by Telegram (for this chat)
    report: DayReport | None


async def get_dispatch(session: AsyncSession, *, cafe_id: int, day: date, for_update: bool = False) -> Dispatch | None:
    stmt = sa.select(Dispatch).where(col(Dispatch.cafe_id) == cafe_id, col(Dispatch.date) == day)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def lock_delivery(session: AsyncSession, *, dispatch_id: int) -> None:
    """Wait for the delivery lock of one dispatch; it is held until `session`'s transaction ends (also when
    the process dies: the connection closes). Keep that session open for the whole delivery."""
    await session.execute(sa.select(sa.func.pg_advisory_xact_lock(DIGEST_LOCK_CLASS, dispatch_id)))


async def delivery_plan(session: AsyncSession, *, cafe_id: int, day: date) -> DeliveryPlan | None:
    dispatch = await get_dispatch(session, cafe_id=cafe_id, day=day)
    if dispatch is None:
        return None
    assert dispatch.id is not None
    cafe = await session.get(Cafe, cafe_id, populate_existing=True)
    report_row = (
        await session.execute(sa.select(Report).where(col(Report.cafe_id) == cafe_id, col(Report.date) == day))
    ).scalar_one_or_none()
    chat_id = cafe.tg_chat_id if cafe is not None and cafe.is_active else None
    # Parts sent to another chat (the cafe was re-linked since) do not count for the new chat.
    sent = list(dispatch.message_ids or []) if dispatch.chat_id in (None, chat_id) else []
    return DeliveryPlan(
        dispatch_id=dispatch.id,
        status=DispatchStatus(dispatch.status),
        chat_id=chat_id,
        notifications_enabled=bool(cafe and cafe.notifications_enabled),
        sent_message_ids=sent,
        report=DayReport.from_breakdown_json(report_row.breakdown) if report_row is not None else None,
    )


async def start_delivery(session: AsyncSession, *, dispatch_id: int, chat_id: int, keep_parts: bool) -> None:
    """Count an attempt and pin the target chat (forgetting parts sent to another chat)."""
    values: dict[str, Any] = {"attempts": Dispatch.attempts + 1, "chat_id": chat_id}  # type: ignore[operator]
    if not keep_parts:
        values["message_ids"] = []
    await session.execute(sa.update(Dispatch).where(col(Dispatch.id) == dispatch_id).values(**values))


async def record_part(session: AsyncSession, *, dispatch_id: int, message_id: int) -> None:
    dispatch = await session.get(Dispatch, dispatch_id, with_for_update=True, populate_existing=True)
    assert dispatch is not None
    dispatch.message_ids = [*list(dispatch.message_ids or []), message_id]


async def finish_delivery(
    session: AsyncSession, *, dispatch_id: int, status: DispatchStatus, error: str | None = None
) -> None:
    values: dict[str, Any] = {"status": status, "last_error": error[:1000] if error else None}
    if status == DispatchStatus.sent:
        values["sent_at"] = get_clock().utcnow()
    await session.execute(sa.update(Dispatch).where(col(Dispatch.id) == dispatch_id).values(**values))


# --- dashboard and bot ------------------------------------------------------------------------------


class _DigestRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cafe_id: int = Field(ge=1, lt=2**31)
    day: date


async def resend_failed_digest(session: AsyncSession, *, actor_tgid: int, cafe_id: Any, day: Any) -> Dispatch:
    """A manager sends a failed (or skipped) digest again: the dispatch goes back to `pending` and a new
    deadline event (fresh event id) is queued. Parts that already reached the same chat are not resent."""
    await require_manager(session, actor_tgid)
    ref = parse(_DigestRef, {"cafe_id": cafe_id, "day": day})
    dispatch = await get_dispatch(session, cafe_id=ref.cafe_id, day=ref.day, for_update=True)
    if dispatch is None:
        raise NotFound("error.digest.not_found")
    if dispatch.status not in (DispatchStatus.failed, DispatchStatus.skipped):
        raise Conflict("error.digest.not_resendable")
    cafe = await session.get(Cafe, ref.cafe_id)
    if cafe is None or cafe.tg_chat_id is None or not cafe.notifications_enabled or not cafe.is_active:
        raise Conflict("error.digest.cafe_not_linked")
    previous = DispatchStatus(dispatch.status)
    dispatch.status = DispatchStatus.pending
    dispatch.last_error = None
    if dispatch.chat_id != cafe.tg_chat_id:
        dispatch.message_ids = []
    add_event(
        session,
        topic=get_settings().kafka_topic_deadlines,
        key=f"cafe:{ref.cafe_id}",
        payload={
            "type": "deadline.passed",
            "event_id": f"deadline:{ref.cafe_id}:{ref.day.isoformat()}:{uuid.uuid4().hex[:16]}",
            "cafe_id": ref.cafe_id,
            "date": ref.day.isoformat(),
            "occurred_at": get_clock().utcnow().isoformat(),
            "resend": True,
        },
    )
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="digest.resend",
        entity="dispatch",
        entity_id=dispatch.id,
        details={"cafe_id": ref.cafe_id, "date": ref.day.isoformat(), "was": previous.value},
    )
    await session.flush()
    return dispatch


async def confirm_digest(
    session: AsyncSession, *, cafe_id: int, day: date, chat_id: int | None, by_tgid: int, by_name: str
) -> bool:
    """The cafe tapped "Accepted" in `chat_id`: the day's sent orders become `confirmed` and the dispatch
    remembers who and when. Idempotent: False when it was already confirmed (nothing changes).

    Callback data can be forged by a modified client, so only the chat the digest went to may accept it."""
    dispatch = await get_dispatch(session, cafe_id=cafe_id, day=day, for_update=True)
    if dispatch is None:
        raise NotFound("error.digest.not_found")
    if dispatch.chat_id is None or dispatch.chat_id != chat_id:
        raise Forbidden("error.digest.wrong_chat")
    if dispatch.confirmed_at is not None:
        return False
    now = get_clock().utcnow()
    dispatch.confirmed_at = now
    dispatch.confirmed_by = by_tgid
    dispatch.confirmed_by_name = (by_name or "")[:100]
    confirmed = (
        await session.execute(
            sa.update(Order)
            .where(col(Order.cafe_id) == cafe_id, col(Order.order_date) == day, col(Order.status) == OrderStatus.sent)
            .values(status=OrderStatus.confirmed, updated_at=now)
            .returning(col(Order.id))
        )
    ).all()
    audit.record(
        session,
        actor_tgid=by_tgid,
        action="digest.confirm",
        entity="dispatch",
        entity_id=dispatch.id,
        details={"cafe_id": cafe_id, "date": day.isoformat(), "by_name": by_name, "orders": len(confirmed)},
    )
    await session.flush()
    return True
