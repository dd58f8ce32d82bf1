"""Offices for the test fixtures: people belong to an office and cafes serve offices (issue 11)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app import db
from lunch_app.models import CafeOffice, Office

DEFAULT_OFFICE = "Офис 1"
MSK = "Europe/Moscow"
NSK = "Asia/Novosibirsk"
# The fixtures' offices work every day unless a test says otherwise, so tests about other rules can order on any
# date their cafe delivers; the calendar tests give their offices a Monday–Friday week (the product's default).
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


async def office_in(
    session: AsyncSession,
    name: str = DEFAULT_OFFICE,
    *,
    timezone: str = MSK,
    address: str = "",
    working_weekdays: list[int] | None = None,
) -> int:
    """The id of the office called `name`, created (in `session`) on first use."""
    found = (await session.execute(sa.select(Office.id).where(Office.name == name))).scalar_one_or_none()  # type: ignore[call-overload]
    if found is not None:
        return int(found)
    office = Office(
        name=name,
        timezone=timezone,
        address=address,
        working_weekdays=list(working_weekdays if working_weekdays is not None else EVERY_DAY),
    )
    session.add(office)
    await session.flush()
    assert office.id is not None
    return office.id


async def office(
    name: str = DEFAULT_OFFICE, *, timezone: str = MSK, address: str = "", working_weekdays: list[int] | None = None
) -> int:
    async with db.session_scope() as session:
        return await office_in(session, name, timezone=timezone, address=address, working_weekdays=working_weekdays)


async def serve_in(session: AsyncSession, cafe_id: int, office_ids: Iterable[int] | None = None) -> None:
    """Make the cafe serve these offices (default: the default office)."""
    ids = list(office_ids) if office_ids is not None else [await office_in(session)]
    for office_id in ids:
        exists = await session.get(CafeOffice, (cafe_id, office_id))
        if exists is None:
            session.add(CafeOffice(cafe_id=cafe_id, office_id=office_id))
    await session.flush()


async def serve(cafe_id: int, office_ids: Iterable[int] | None = None) -> None:
    async with db.session_scope() as session:
        await serve_in(session, cafe_id, office_ids)
