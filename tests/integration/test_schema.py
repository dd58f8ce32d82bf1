"""The database itself guards the invariants of SPEC §3, whatever the code above it does."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from lunch_app import db
from lunch_app.models import Cafe, CafeLinkRequest, Order, OrderStatus, Schedule, User
from tests.office_fixtures import office_in


async def _seed() -> None:
    async with db.session_scope() as s:
        s.add(User(tgid=5_000_000_001, name="Анна", office_id=await office_in(s)))  # above 2^31: BIGINT
        s.add(Cafe(id=1, name="Кафе"))


async def _order(status: OrderStatus = OrderStatus.placed) -> None:
    async with db.session_scope() as s:
        s.add(
            Order(
                user_tgid=5_000_000_001,
                user_name="Анна",
                cafe_id=1,
                order_date=date(2026, 12, 1),
                status=status,
                lines=[],
                total=Decimal("1.00"),
            )
        )


async def test_one_live_order_per_user_cafe_date(db_ready: object) -> None:
    await _seed()
    await _order(OrderStatus.cancelled)
    await _order()
    with pytest.raises(IntegrityError):
        await _order()
    await _order(OrderStatus.cancelled)  # cancelled history may repeat


async def test_one_pending_link_request_per_cafe(db_ready: object) -> None:
    await _seed()

    async def link(status: str = "pending") -> None:
        async with db.session_scope() as s:
            s.add(CafeLinkRequest(cafe_id=1, tg_chat_id=-100, tg_chat_title="Кухня", requested_by=1, status=status))

    await link("rejected")
    await link()
    with pytest.raises(IntegrityError):
        await link()


async def test_schedule_weekday_unique_and_checked(db_ready: object) -> None:
    await _seed()
    async with db.session_scope() as s:
        s.add(Schedule(cafe_id=1, weekday=0, cutoff_time=time(11, 0)))
    with pytest.raises(IntegrityError):
        async with db.session_scope() as s:
            s.add(Schedule(cafe_id=1, weekday=0, cutoff_time=time(12, 0)))
    with pytest.raises(IntegrityError):
        async with db.session_scope() as s:
            await s.execute(
                text(
                    "INSERT INTO schedules (cafe_id, weekday, cutoff_time, cutoff_days_before, is_enabled)"
                    " VALUES (1, 7, '10:00', 0, true)"
                )
            )


async def test_enum_and_money_checks(db_ready: object) -> None:
    await _seed()
    with pytest.raises(IntegrityError):
        async with db.session_scope() as s:
            await s.execute(text("UPDATE users SET role = 'admin'"))
    with pytest.raises(IntegrityError):
        async with db.session_scope() as s:
            await s.execute(text("UPDATE users SET weekly_limit = -1"))


async def test_deleting_a_user_keeps_their_orders(db_ready: object) -> None:
    await _seed()
    await _order()
    async with db.session_scope() as s:
        await s.execute(text("DELETE FROM users WHERE tgid = 5000000001"))
    async with db.session_scope() as s:
        row = (await s.execute(text("SELECT user_tgid, user_name FROM orders"))).one()
    assert row == (None, "Анна")


async def test_deleting_a_cafe_with_orders_is_refused(db_ready: object) -> None:
    await _seed()
    await _order()
    with pytest.raises(IntegrityError):
        async with db.session_scope() as s:
            await s.execute(text("DELETE FROM cafes WHERE id = 1"))
