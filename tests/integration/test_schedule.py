"""Cut-off schedule per cafe on PostgreSQL (SPEC §3 "schedules", §6 "Schedule")."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import func, select, text

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.domain import schedule
from lunch_app.domain.availability import DayState, week_availability
from lunch_app.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from lunch_app.i18n import CATALOG
from lunch_app.models import AuditLog, Cafe, Role, Schedule, User
from tests.office_fixtures import office_in

MANAGER = 8_100_000_100
EMPLOYEE = 8_100_000_001

WORKWEEK = [{"weekday": day, "cutoff_time": "11:00", "cutoff_days_before": 0, "is_enabled": True} for day in range(5)]


@pytest.fixture
async def cafe_id(db_ready: MovableClock) -> int:
    async with db.session_scope() as s:
        s.add(User(tgid=MANAGER, name="Мария", office_id=await office_in(s), role=Role.manager))
        s.add(User(tgid=EMPLOYEE, name="Анна", office_id=await office_in(s)))
        cafe = Cafe(name="Столовая")
        s.add(cafe)
        await s.flush()
        assert cafe.id is not None
        return cafe.id


async def run(fn: Any, **kwargs: Any) -> Any:
    async with db.session_scope() as s:
        return await fn(s, **kwargs)


async def stored() -> list[tuple[int, int, time, int, bool]]:
    async with db.session_scope() as s:
        rows = (
            await s.execute(
                text(
                    "SELECT cafe_id, weekday, cutoff_time, cutoff_days_before, is_enabled "
                    "FROM schedules ORDER BY cafe_id, weekday"
                )
            )
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def audit_count() -> int:
    async with db.session_scope() as s:
        return (await s.execute(select(func.count()).select_from(AuditLog))).scalar_one()


async def expect_refusal(error: type[DomainError], key: str | None, **kwargs: Any) -> DomainError:
    before = (await stored(), await audit_count())
    with pytest.raises(error) as caught:
        await run(schedule.set_week_schedule, **kwargs)
    if key is not None:
        assert caught.value.key == key
    assert caught.value.key in CATALOG["ru"] and caught.value.key in CATALOG["en"]
    assert (await stored(), await audit_count()) == before
    return caught.value


async def test_unconfigured_cafe_shows_seven_days(cafe_id: int) -> None:
    week = await run(schedule.get_week_schedule, cafe_id=cafe_id)
    assert [d.weekday for d in week] == list(range(7))
    assert all(not d.configured and not d.is_enabled and not d.delivers for d in week)
    assert week[0].cutoff_time == schedule.DEFAULT_CUTOFF
    assert week[0].as_dict() == {
        "weekday": 0,
        "cutoff_time": "10:00",
        "cutoff_days_before": 0,
        "is_enabled": False,
        "configured": False,
    }


async def test_set_week_then_change_some_days(cafe_id: int) -> None:
    week = await run(schedule.set_week_schedule, actor_tgid=MANAGER, cafe_id=cafe_id, rows=WORKWEEK)
    assert [(d.weekday, d.configured, d.is_enabled) for d in week] == [(w, w < 5, w < 5) for w in range(7)]
    assert week[2].cutoff == time(11, 0)

    week = await run(
        schedule.set_week_schedule,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        rows=[
            {"weekday": 0, "cutoff_time": "17:30", "cutoff_days_before": 3, "is_enabled": True},
            {"weekday": 4, "cutoff_time": "00:00", "cutoff_days_before": 6, "is_enabled": False},
            {"weekday": 6, "cutoff_time": "23:59", "cutoff_days_before": 1},
        ],
    )
    assert (week[0].cutoff_time, week[0].cutoff_days_before, week[0].is_enabled) == ("17:30", 3, True)
    assert (week[4].cutoff_time, week[4].cutoff_days_before, week[4].is_enabled) == ("00:00", 6, False)
    assert week[4].configured and not week[4].delivers
    assert (week[6].cutoff_time, week[6].is_enabled) == ("23:59", True)
    assert (week[1].cutoff_time, week[1].cutoff_days_before) == ("11:00", 0)  # untouched
    assert not week[5].configured

    rows = await stored()
    assert len(rows) == 6  # upserted, never duplicated
    assert rows[0] == (cafe_id, 0, time(17, 30), 3, True)
    assert await run(schedule.get_week_schedule, cafe_id=cafe_id) == week

    async with db.session_scope() as s:
        entries = (await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars().all()  # type: ignore[arg-type]
    assert [(e.action, e.entity, e.entity_id, e.actor_tgid) for e in entries] == [
        ("schedule.set", "cafe", str(cafe_id), MANAGER)
    ] * 2
    assert entries[1].details["before"][0]["cutoff_time"] == "11:00"
    assert entries[1].details["rows"][0]["cutoff_time"] == "17:30"


async def test_set_day(cafe_id: int) -> None:
    day = await run(
        schedule.set_day, actor_tgid=MANAGER, cafe_id=cafe_id, weekday=2, cutoff_time="09:45", cutoff_days_before=1
    )
    assert (day.weekday, day.cutoff_time, day.cutoff_days_before, day.is_enabled, day.configured) == (
        2,
        "09:45",
        1,
        True,
        True,
    )
    day = await run(
        schedule.set_day, actor_tgid=MANAGER, cafe_id=cafe_id, weekday=2, cutoff_time="10:00", is_enabled=False
    )
    assert (day.cutoff_time, day.cutoff_days_before, day.is_enabled) == ("10:00", 0, False)
    assert await stored() == [(cafe_id, 2, time(10, 0), 0, False)]
    with pytest.raises(InvalidInput) as caught:
        await run(schedule.set_day, actor_tgid=MANAGER, cafe_id=cafe_id, weekday=9, cutoff_time="10:00")
    assert caught.value.key == "error.schedule.bad_weekday"


async def test_the_schedule_drives_availability(cafe_id: int) -> None:
    # Monday 30 Nov 2026, 09:00. Tuesday ordering closes on Monday at 08:00 (one day before).
    await run(
        schedule.set_week_schedule,
        actor_tgid=MANAGER,
        cafe_id=cafe_id,
        rows=[
            {"weekday": 0, "cutoff_time": "11:00", "cutoff_days_before": 0, "is_enabled": True},
            {"weekday": 1, "cutoff_time": "08:00", "cutoff_days_before": 1, "is_enabled": True},
            {"weekday": 2, "cutoff_time": "11:00", "cutoff_days_before": 0, "is_enabled": False},
        ],
    )
    async with db.session_scope() as s:
        days = await week_availability(s, cafe_id=cafe_id, office_id=None)
    assert days[0].day == date(2026, 11, 30)
    assert [d.state for d in days[:4]] == [
        DayState.open,
        DayState.cutoff_passed,
        DayState.disabled,
        DayState.no_delivery,
    ]


@pytest.mark.parametrize(
    ("row_change", "key"),
    [
        ({"cutoff_time": "24:00"}, "error.schedule.bad_time"),
        ({"cutoff_time": "7:5"}, "error.schedule.bad_time"),
        ({"cutoff_time": "7:05"}, "error.schedule.bad_time"),
        ({"cutoff_time": "ab"}, "error.schedule.bad_time"),
        ({"cutoff_time": "12:60"}, "error.schedule.bad_time"),
        ({"cutoff_time": "12:00:00"}, "error.schedule.bad_time"),
        ({"cutoff_time": " 12:00"}, "error.schedule.bad_time"),
        ({"cutoff_time": "12:00\n"}, "error.schedule.bad_time"),
        ({"cutoff_time": ""}, "error.schedule.bad_time"),
        ({"cutoff_time": 1200}, "error.schedule.bad_time"),
        ({"cutoff_time": None}, "error.schedule.bad_time"),
        ({"weekday": 7}, "error.schedule.bad_weekday"),
        ({"weekday": -1}, "error.schedule.bad_weekday"),
        ({"weekday": "1"}, "error.schedule.bad_weekday"),
        ({"weekday": True}, "error.schedule.bad_weekday"),
        ({"weekday": 1.0}, "error.schedule.bad_weekday"),
        ({"cutoff_days_before": 7}, "error.schedule.bad_days_before"),
        ({"cutoff_days_before": -1}, "error.schedule.bad_days_before"),
        ({"cutoff_days_before": "0"}, "error.schedule.bad_days_before"),
        ({"is_enabled": "yes"}, "error.catalogue.bad_flag"),
        ({"is_enabled": 1}, "error.catalogue.bad_flag"),
        ({"cafe_id": 1}, "error.invalid_input"),
    ],
)
async def test_bad_rows_refused_and_nothing_changes(cafe_id: int, row_change: dict[str, Any], key: str) -> None:
    await run(schedule.set_week_schedule, actor_tgid=MANAGER, cafe_id=cafe_id, rows=WORKWEEK)
    rows = [dict(row) for row in WORKWEEK]
    rows[0] = {**rows[0], "cutoff_time": "13:00"}  # a valid change in the same request must not slip through
    rows[3] = {**rows[3], **row_change}
    await expect_refusal(InvalidInput, key, actor_tgid=MANAGER, cafe_id=cafe_id, rows=rows)


@pytest.mark.parametrize(
    ("rows", "key"),
    [
        ([*WORKWEEK, {**WORKWEEK[2], "cutoff_time": "12:00"}], "error.schedule.duplicate_weekday"),
        ([WORKWEEK[0], WORKWEEK[0]], "error.schedule.duplicate_weekday"),
        ([], "error.schedule.bad_rows"),
        ("Mon 11:00", "error.schedule.bad_rows"),
        (None, "error.schedule.bad_rows"),
        ({"weekday": 0, "cutoff_time": "11:00"}, "error.schedule.bad_rows"),
        (["11:00"], "error.schedule.bad_rows"),
        ([{"weekday": 0}], "error.schedule.bad_time"),
    ],
)
async def test_bad_week_refused(cafe_id: int, rows: Any, key: str) -> None:
    await expect_refusal(InvalidInput, key, actor_tgid=MANAGER, cafe_id=cafe_id, rows=rows)
    assert await stored() == []


async def test_non_managers_and_unknown_cafes_refused(cafe_id: int) -> None:
    await run(schedule.set_week_schedule, actor_tgid=MANAGER, cafe_id=cafe_id, rows=WORKWEEK)
    new_times = [{**row, "cutoff_time": "08:00"} for row in WORKWEEK]
    for actor in (EMPLOYEE, 1):
        await expect_refusal(Forbidden, "error.access.manager_only", actor_tgid=actor, cafe_id=cafe_id, rows=new_times)
    async with db.session_scope() as s:
        user = await s.get(User, MANAGER)
        assert user is not None
        user.is_active = False
    await expect_refusal(Forbidden, "error.access.manager_only", actor_tgid=MANAGER, cafe_id=cafe_id, rows=new_times)
    async with db.session_scope() as s:
        user = await s.get(User, MANAGER)
        assert user is not None
        user.is_active = True

    await expect_refusal(NotFound, "error.cafe.not_found", actor_tgid=MANAGER, cafe_id=cafe_id + 1, rows=new_times)
    await expect_refusal(NotFound, "error.cafe.not_found", actor_tgid=MANAGER, cafe_id=2**40, rows=new_times)
    await expect_refusal(InvalidInput, "error.catalogue.bad_id", actor_tgid=MANAGER, cafe_id="1", rows=new_times)
    with pytest.raises(NotFound):
        await run(schedule.get_week_schedule, cafe_id=cafe_id + 1)
    async with db.session_scope() as s:
        assert (await s.execute(select(func.count()).select_from(Schedule))).scalar_one() == 5
