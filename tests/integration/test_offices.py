"""Offices, time per office and calendars (issue 11) in the domain, on PostgreSQL, with Moscow and Novosibirsk.

Moscow is UTC+3 and Novosibirsk UTC+7 all year. The default "now" is Monday 30 November 2026, 09:00 Moscow time
(13:00 in Novosibirsk). Both offices work Monday–Friday (the product's default week) unless a test says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.domain import calendar, manager_views, offices, orders, recommendations, reports
from lunch_app.domain.availability import DayState, week_availability
from lunch_app.domain.digest import due_cutoffs, process_cutoff
from lunch_app.domain.errors import Conflict, DayClosed, Forbidden, InvalidInput, NotFound
from lunch_app.domain.reminders import due_reminder_days, reminder_still_useful, send_reminders
from lunch_app.models import (
    WORKING_WEEK,
    CafeOffice,
    Category,
    Dispatch,
    Holiday,
    MenuItem,
    Order,
    OrderStatus,
    OutboxEvent,
    Report,
    Role,
    User,
)
from tests.access_fixtures import snapshot
from tests.conftest import MSK
from tests.events_fixtures import add_orders
from tests.office_fixtures import NSK, office
from tests.orders_fixtures import add_cafe, add_user

MONDAY = date(2026, 11, 30)
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = (MONDAY + timedelta(days=n) for n in range(1, 7))
ANNA = 7_100_000_001  # Moscow
BORIS = 7_100_000_002  # Novosibirsk
MANAGER = 7_100_000_100  # Moscow


@dataclass
class World:
    msk: int
    nsk: int
    moscow_cafe: int  # Moscow time, serves Moscow
    siberian_cafe: int  # Novosibirsk time, serves Novosibirsk
    shared_cafe: int  # Moscow time, serves both
    dishes: dict[int, int]  # cafe → a dish of it (10.00)


async def add_dish(cafe_id: int, name: str = "Борщ", price: str = "10.00") -> int:
    async with db.session_scope() as s:
        dish = MenuItem(cafe_id=cafe_id, name=name, category=Category.soup, price=Decimal(price))
        s.add(dish)
        await s.flush()
        assert dish.id is not None
        return dish.id


@pytest.fixture
async def world(db_ready: MovableClock) -> World:
    msk = await office("Москва", timezone=MSK.key, address="ул. Лесная, 5", working_weekdays=WORKING_WEEK)
    nsk = await office("Новосибирск", timezone=NSK, address="Красный проспект, 1", working_weekdays=WORKING_WEEK)
    every_day = range(7)
    moscow_cafe = await add_cafe("Московская", weekdays=every_day, offices=("Москва",))
    siberian_cafe = await add_cafe("Сибирская", weekdays=every_day, timezone=NSK, offices=("Новосибирск",))
    shared_cafe = await add_cafe("Общая", weekdays=every_day, offices=("Москва", "Новосибирск"))
    dishes = {cafe: await add_dish(cafe) for cafe in (moscow_cafe, siberian_cafe, shared_cafe)}
    await add_user(ANNA, name="Анна", office="Москва")
    await add_user(BORIS, name="Борис", office="Новосибирск")
    await add_user(MANAGER, name="Мария", office="Москва", role=Role.manager)
    return World(msk, nsk, moscow_cafe, siberian_cafe, shared_cafe, dishes)


def draft(world: World, cafe_id: int, day: date, quantity: int = 1) -> dict[str, Any]:
    return {
        "cafe_id": cafe_id,
        "order_date": day.isoformat(),
        "items": [{"menu_item_id": world.dishes[cafe_id], "quantity": quantity}],
    }


async def place(world: World, tgid: int, cafe_id: int, day: date, quantity: int = 1) -> Order:
    async with db.session_scope() as s:
        return await orders.place_order(s, user_tgid=tgid, draft=draft(world, cafe_id, day, quantity))


async def refused(world: World, tgid: int, cafe_id: int, day: date) -> DayClosed | Forbidden:
    before = await order_count()
    with pytest.raises((DayClosed, Forbidden)) as caught:
        await place(world, tgid, cafe_id, day)
    assert await order_count() == before
    error = caught.value
    assert isinstance(error, DayClosed | Forbidden)
    return error


async def order_count() -> int:
    async with db.session_scope() as s:
        return int((await s.execute(sa.select(sa.func.count()).select_from(Order))).scalar_one())


async def week(world: World, cafe_id: int, office_id: int | None) -> list[Any]:
    async with db.session_scope() as s:
        return await week_availability(s, cafe_id=cafe_id, office_id=office_id)


async def call(fn: Any, **kwargs: Any) -> Any:
    async with db.session_scope() as s:
        return await fn(s, **kwargs)


# --- the cut-off rule and the clocks ---------------------------------------------------------------------


async def test_the_same_instant_is_past_one_offices_cutoff_and_before_the_others(world: World) -> None:
    """08:30 in Moscow is 12:30 in Novosibirsk: the Novosibirsk cafe's 11:00 (its own time) has passed, the
    Moscow cafe's 11:00 has not."""
    clock_at(datetime(2026, 11, 30, 8, 30, tzinfo=MSK))
    error = await refused(world, BORIS, world.siberian_cafe, MONDAY)
    assert error.key == "error.day.cutoff_passed"
    assert (await place(world, ANNA, world.moscow_cafe, MONDAY)).status == OrderStatus.placed
    siberian = (await week(world, world.siberian_cafe, world.nsk))[0]
    moscow = (await week(world, world.moscow_cafe, world.msk))[0]
    assert (siberian.day, siberian.state, moscow.day, moscow.state) == (
        MONDAY,
        DayState.cutoff_passed,
        MONDAY,
        DayState.open,
    )
    assert siberian.cutoff_local is not None and siberian.cutoff_local.strftime("%H:%M") == "11:00"


async def test_a_cafe_serving_both_offices_has_one_cutoff_shown_on_each_offices_clock(world: World) -> None:
    clock_at(datetime(2026, 11, 30, 10, 59, tzinfo=MSK))
    moscow, siberia = (
        (await week(world, world.shared_cafe, world.msk))[0],
        (await week(world, world.shared_cafe, world.nsk))[0],
    )
    assert moscow.cutoff_at == siberia.cutoff_at == datetime(2026, 11, 30, 11, 0, tzinfo=MSK)  # one instant
    assert moscow.cutoff_local is not None and moscow.cutoff_local.strftime("%H:%M") == "11:00"
    assert siberia.cutoff_local is not None and siberia.cutoff_local.strftime("%H:%M") == "15:00"
    anna = await place(world, ANNA, world.shared_cafe, MONDAY, 1)
    boris = await place(world, BORIS, world.shared_cafe, MONDAY, 2)
    clock_at(datetime(2026, 11, 30, 11, 0, tzinfo=MSK))
    assert (await refused(world, BORIS, world.shared_cafe, MONDAY)).key == "error.day.cutoff_passed"
    assert (await refused(world, ANNA, world.moscow_cafe, MONDAY)).key == "error.day.cutoff_passed"

    async with db.session_scope() as s:
        assert (world.shared_cafe, MONDAY) in await due_cutoffs(s)
        outcome = await process_cutoff(s, cafe_id=world.shared_cafe, day=MONDAY)
    assert outcome is not None and outcome.orders_sent == 2
    async with db.session_scope() as s:
        assert len((await s.execute(sa.select(Dispatch))).scalars().all()) == 1  # one digest for the two offices
        stored = (await s.execute(sa.select(Report))).scalar_one()
    report = reports.DayReport.from_breakdown_json(stored.breakdown)
    assert [(o.name, o.address, o.orders_count, o.order_ids) for o in report.offices] == [
        ("Москва", "ул. Лесная, 5", 1, [anna.id]),
        ("Новосибирск", "Красный проспект, 1", 1, [boris.id]),
    ]
    assert [(d.name, d.quantity) for d in report.offices[1].dishes] == [("Борщ", 2)]


async def test_at_21_00_in_moscow_it_is_already_tomorrow_in_novosibirsk(world: World) -> None:
    late = await add_cafe("Вечерняя", cutoff=time(23, 0), weekdays=range(7), offices=("Москва", "Новосибирск"))
    world.dishes[late] = await add_dish(late)
    clock_at(datetime(2026, 11, 30, 21, 0, tzinfo=MSK))  # Tuesday 01:00 in Novosibirsk
    moscow, siberia = await week(world, late, world.msk), await week(world, late, world.nsk)
    assert (moscow[0].day, moscow[0].state) == (MONDAY, DayState.open)
    assert (siberia[0].day, siberia[0].state) == (TUESDAY, DayState.open)
    assert siberia[-1].day == MONDAY + timedelta(days=7)
    assert (await place(world, ANNA, late, MONDAY)).status == OrderStatus.placed
    assert (await refused(world, BORIS, late, MONDAY)).key == "error.day.past"  # Monday is over there
    tuesday = await place(world, BORIS, late, TUESDAY)
    async with db.session_scope() as s:
        boris_orders = await orders.my_orders(s, user_tgid=BORIS)
        anna_orders = await orders.my_orders(s, user_tgid=ANNA)
    assert [(o.order.id, o.can_change) for o in boris_orders.upcoming] == [(tuesday.id, True)]
    assert [o.order.order_date for o in anna_orders.upcoming] == [MONDAY]


async def test_the_limits_week_turns_at_each_offices_own_monday(world: World) -> None:
    """Sunday 21:00 in Moscow is Monday 01:00 in Novosibirsk: Boris's "this week" has started afresh, Anna's not.
    The limit of an order counts the Monday–Sunday week of the order's own date."""
    async with db.session_scope() as s:
        for tgid in (ANNA, BORIS):
            user = await s.get(User, tgid)
            assert user is not None
            user.weekly_limit = Decimal("100.00")
    await add_orders(world.shared_cafe, FRIDAY, [ANNA, BORIS], status=OrderStatus.confirmed)  # 540.00 and 630.00
    clock_at(datetime(2026, 12, 6, 21, 0, tzinfo=MSK))
    async with db.session_scope() as s:
        anna = await orders.get_week_balance(s, user_tgid=ANNA)
        boris = await orders.get_week_balance(s, user_tgid=BORIS)
    assert (anna.week_start, anna.spent) == (MONDAY, Decimal("540.00"))
    assert (boris.week_start, boris.spent) == (MONDAY + timedelta(days=7), Decimal("0.00"))
    # An order for the next Monday falls in that Monday's week for both: Friday's orders do not count against it.
    next_monday = MONDAY + timedelta(days=7)
    assert (await place(world, ANNA, world.shared_cafe, next_monday, 9)).total == Decimal("90.00")
    assert (await place(world, BORIS, world.shared_cafe, next_monday, 9)).total == Decimal("90.00")


def clock_at(instant: datetime) -> None:
    from lunch_app.clock import get_clock

    clock = get_clock()
    assert isinstance(clock, MovableClock)
    clock.set(instant)


# --- calendars ---------------------------------------------------------------------------------------------


async def test_a_holiday_closes_its_offices_day_with_its_name(world: World) -> None:
    change = await call(
        calendar.add_holiday,
        actor_tgid=MANAGER,
        office_id=world.nsk,
        data={"start": TUESDAY, "end": TUESDAY, "name": "День города"},
    )
    assert change.effect == calendar.CalendarEffect()
    error = await refused(world, BORIS, world.shared_cafe, TUESDAY)
    assert error.key == "error.day.holiday" and "День города" in error.message("ru")
    assert (await place(world, ANNA, world.shared_cafe, TUESDAY)).status == OrderStatus.placed  # Moscow works
    strip = {entry.day: entry for entry in await week(world, world.shared_cafe, world.nsk)}
    assert (strip[TUESDAY].state, strip[TUESDAY].reason_key, strip[TUESDAY].reason_params) == (
        DayState.holiday,
        "day.holiday",
        {"name": "День города"},
    )
    assert strip[SATURDAY].state is DayState.non_working  # Monday–Friday office
    assert strip[WEDNESDAY].state is DayState.open


async def test_a_closure_closes_the_cafe_for_every_office_with_its_note(world: World) -> None:
    await call(
        calendar.add_closure,
        actor_tgid=MANAGER,
        cafe_id=world.shared_cafe,
        data={"start": WEDNESDAY, "end": THURSDAY, "note": "кухня на ремонте"},
    )
    for tgid in (ANNA, BORIS):
        error = await refused(world, tgid, world.shared_cafe, THURSDAY)
        assert error.key == "error.day.closure" and "кухня на ремонте" in error.message("en")
    assert (await place(world, ANNA, world.moscow_cafe, THURSDAY)).status == OrderStatus.placed  # other cafes are open
    strip = {entry.day: entry for entry in await week(world, world.shared_cafe, world.msk)}
    assert [strip[d].state for d in (TUESDAY, WEDNESDAY, THURSDAY, FRIDAY)] == [
        DayState.open,
        DayState.closure,
        DayState.closure,
        DayState.open,
    ]
    assert strip[WEDNESDAY].reason_params == {"note": "кухня на ремонте"}


async def test_an_extra_working_saturday_opens_the_day_when_the_cafe_delivers_saturdays(world: World) -> None:
    weekdays_only = await add_cafe("Будни", weekdays=range(5), offices=("Москва",))
    world.dishes[weekdays_only] = await add_dish(weekdays_only)
    assert (await refused(world, ANNA, world.shared_cafe, SATURDAY)).key == "error.day.non_working"
    await call(
        calendar.add_extra_workday, actor_tgid=MANAGER, office_id=world.msk, data={"day": SATURDAY, "name": "Перенос"}
    )
    assert (await place(world, ANNA, world.shared_cafe, SATURDAY)).status == OrderStatus.placed
    assert (await refused(world, ANNA, weekdays_only, SATURDAY)).key == "error.day.no_delivery"
    assert (await refused(world, BORIS, world.shared_cafe, SATURDAY)).key == "error.day.non_working"  # not their office
    # An extra working day inside a holiday wins too (a worked day in the New Year break).
    await call(
        calendar.add_holiday,
        actor_tgid=MANAGER,
        office_id=world.nsk,
        data={"start": FRIDAY, "end": SUNDAY, "name": "Каникулы"},
    )
    await call(calendar.add_extra_workday, actor_tgid=MANAGER, office_id=world.nsk, data={"day": FRIDAY})
    assert (await place(world, BORIS, world.shared_cafe, FRIDAY)).status == OrderStatus.placed
    assert (await refused(world, BORIS, world.shared_cafe, SATURDAY)).key == "error.day.holiday"


async def test_cafes_of_other_offices_are_not_offered_nor_orderable(world: World) -> None:
    async with db.session_scope() as s:
        from lunch_app.domain import catalogue

        listed = [cafe.name for cafe in await catalogue.list_cafes(s, active_only=True, office_id=world.nsk)]
    assert listed == ["Общая", "Сибирская"]
    error = await refused(world, BORIS, world.moscow_cafe, TUESDAY)
    assert error.key == "error.cafe.not_for_office"
    with pytest.raises(Forbidden):
        await week(world, world.moscow_cafe, world.nsk)


# --- what a calendar change does to live orders ------------------------------------------------------------


async def test_a_holiday_over_live_orders_previews_then_cancels_them_with_a_notice(world: World) -> None:
    boris = await place(world, BORIS, world.shared_cafe, WEDNESDAY)
    anna = await place(world, ANNA, world.shared_cafe, WEDNESDAY)  # Moscow: not touched
    [sent] = await add_orders(world.siberian_cafe, THURSDAY, [BORIS], status=OrderStatus.sent)
    data = {"start": WEDNESDAY, "end": THURSDAY, "name": "Корпоратив"}

    before = await snapshot()
    preview = await call(calendar.add_holiday, actor_tgid=MANAGER, office_id=world.nsk, data=data, dry_run=True)
    assert (preview.effect.cancelled, preview.effect.already_sent, preview.dry_run) == ((boris.id,), (sent,), True)
    assert await snapshot() == before  # a preview changes nothing, audit and outbox included

    change = await call(calendar.add_holiday, actor_tgid=MANAGER, office_id=world.nsk, data=data)
    assert change.effect == preview.effect
    async with db.session_scope() as s:
        statuses = {o.id: o.status for o in (await s.execute(sa.select(Order))).scalars()}
        events = [e.payload for e in (await s.execute(sa.select(OutboxEvent))).scalars()]
    assert statuses == {boris.id: OrderStatus.cancelled, anna.id: OrderStatus.placed, sent: OrderStatus.sent}
    [notice] = [e for e in events if e.get("template") == "order_cancelled_calendar"]
    assert notice["user_tgid"] == BORIS and notice["event_id"] == f"calendar-cancel:{boris.id}"
    assert notice["params"] == {
        "order_id": boris.id,
        "cafe": "Общая",
        "date": WEDNESDAY.isoformat(),
        "kind": "holiday",
        "reason": "Корпоратив",
    }


async def test_a_closure_over_live_orders_cancels_every_offices_orders_there(world: World) -> None:
    ids = [(await place(world, tgid, world.shared_cafe, TUESDAY)).id for tgid in (ANNA, BORIS)]
    change = await call(
        calendar.add_closure, actor_tgid=MANAGER, cafe_id=world.shared_cafe, data={"start": TUESDAY, "end": TUESDAY}
    )
    assert sorted(change.effect.cancelled) == sorted(ids)
    async with db.session_scope() as s:
        notices = [e.payload for e in (await s.execute(sa.select(OutboxEvent))).scalars()]
    assert sorted(n["user_tgid"] for n in notices) == [ANNA, BORIS]
    assert {n["params"]["kind"] for n in notices} == {"closure"}


async def test_a_shorter_working_week_cancels_the_orders_of_the_dropped_weekday(world: World) -> None:
    friday = await place(world, BORIS, world.shared_cafe, FRIDAY)
    thursday = await place(world, BORIS, world.shared_cafe, THURSDAY)
    preview = await call(
        offices.update_office,
        actor_tgid=MANAGER,
        office_id=world.nsk,
        data={"working_weekdays": [0, 1, 2, 3]},
        dry_run=True,
    )
    assert preview.effect.cancelled == (friday.id,) and preview.office.working_weekdays == (0, 1, 2, 3)
    async with db.session_scope() as s:
        assert (await offices.get_office(s, world.nsk)).working_weekdays == (0, 1, 2, 3, 4)  # the preview kept nothing
    change = await call(
        offices.update_office, actor_tgid=MANAGER, office_id=world.nsk, data={"working_weekdays": [0, 1, 2, 3]}
    )
    assert change.effect.cancelled == (friday.id,)
    async with db.session_scope() as s:
        assert (await s.get(Order, thursday.id)).status == OrderStatus.placed  # type: ignore[union-attr]


# --- reminders and digests skip closed days ----------------------------------------------------------------


async def test_reminders_skip_closed_days_and_tell_each_office_its_own_time(world: World) -> None:
    week_ago = datetime(2026, 11, 23, 9, 0, tzinfo=MSK)
    await add_orders(
        world.shared_cafe, MONDAY - timedelta(days=7), [ANNA, BORIS], created_at=week_ago, status=OrderStatus.confirmed
    )
    clock_at(datetime(2026, 12, 1, 10, 45, tzinfo=MSK))  # Tuesday, 15 minutes before the 11:00 cut-off
    async with db.session_scope() as s:
        [due] = [d for d in await due_reminder_days(s) if d.cafe_id == world.shared_cafe]
        assert set(due.office_zones) == {world.msk, world.nsk}
        assert sorted(await send_reminders(s, due=due)) == [ANNA, BORIS]
    async with db.session_scope() as s:
        sent = {
            e.payload["user_tgid"]: e.payload["params"] for e in (await s.execute(sa.select(OutboxEvent))).scalars()
        }
    assert (sent[ANNA]["cutoff"], sent[BORIS]["cutoff"]) == ("11:00", "15:00")  # on each recipient's office clock

    await call(
        calendar.add_holiday,
        actor_tgid=MANAGER,
        office_id=world.nsk,
        data={"start": WEDNESDAY, "end": WEDNESDAY, "name": "Отгул"},
    )
    clock_at(datetime(2026, 12, 2, 10, 45, tzinfo=MSK))
    async with db.session_scope() as s:
        [due] = [d for d in await due_reminder_days(s) if d.cafe_id == world.shared_cafe]
        assert set(due.office_zones) == {world.msk}  # Novosibirsk has a day off
        assert await send_reminders(s, due=due) == [ANNA]
        # A reminder already queued for a day that closed since is dropped when it is about to be sent.
        assert not await reminder_still_useful(s, user_tgid=BORIS, cafe_id=world.shared_cafe, day=WEDNESDAY)
        assert await reminder_still_useful(s, user_tgid=ANNA, cafe_id=world.shared_cafe, day=WEDNESDAY)

    await call(
        calendar.add_closure, actor_tgid=MANAGER, cafe_id=world.shared_cafe, data={"start": THURSDAY, "end": THURSDAY}
    )
    clock_at(datetime(2026, 12, 3, 10, 45, tzinfo=MSK))
    async with db.session_scope() as s:
        assert [d for d in await due_reminder_days(s) if d.cafe_id == world.shared_cafe] == []


async def test_no_digest_goes_out_for_a_day_the_calendar_closed(world: World) -> None:
    # Orders that reached the database in the instant a closure was added (here: inserted directly) are cancelled
    # at the cut-off instead of being sent; with nothing left, no dispatch is claimed.
    await call(
        calendar.add_closure, actor_tgid=MANAGER, cafe_id=world.shared_cafe, data={"start": MONDAY, "end": MONDAY}
    )
    [late] = await add_orders(world.shared_cafe, MONDAY, [ANNA])
    clock_at(datetime(2026, 11, 30, 11, 1, tzinfo=MSK))
    async with db.session_scope() as s:
        assert await process_cutoff(s, cafe_id=world.shared_cafe, day=MONDAY) is None
    async with db.session_scope() as s:
        assert (await s.execute(sa.select(Dispatch))).first() is None
        assert (await s.get(Order, late)).status == OrderStatus.cancelled  # type: ignore[union-attr]
        assert await due_cutoffs(s) == []


async def test_a_holiday_of_one_office_leaves_the_other_offices_digest(world: World) -> None:
    anna = await place(world, ANNA, world.shared_cafe, MONDAY)
    async with db.session_scope() as s:  # Boris's order predates his office's holiday (inserted as it was)
        boris = Order(
            user_tgid=BORIS,
            user_name="Борис",
            cafe_id=world.shared_cafe,
            order_date=MONDAY,
            lines=[],
            total=Decimal("1.00"),
        )
        s.add(boris)
        s.add(Holiday(office_id=world.nsk, start_date=MONDAY, end_date=MONDAY, name="Отгул"))
    clock_at(datetime(2026, 11, 30, 11, 1, tzinfo=MSK))
    async with db.session_scope() as s:
        outcome = await process_cutoff(s, cafe_id=world.shared_cafe, day=MONDAY)
    assert outcome is not None and outcome.orders_sent == 1
    async with db.session_scope() as s:
        report = reports.DayReport.from_breakdown_json((await s.execute(sa.select(Report))).scalar_one().breakdown)
    assert [p.order_id for p in report.people] == [anna.id]


# --- offices themselves ------------------------------------------------------------------------------------


async def test_office_rules_bad_input_changes_nothing(world: World) -> None:
    before = await snapshot()
    for data, key in (
        ({"name": "Марс", "timezone": "Mars/Olympus"}, "error.office.bad_timezone"),
        ({"name": "Марс", "timezone": "localtime"}, "error.office.bad_timezone"),
        ({"name": "", "timezone": NSK}, "error.office.bad_name"),
        ({"name": "Х" * 101}, "error.office.bad_name"),
        ({"name": "Марс", "address": "А" * 301}, "error.office.bad_address"),
        ({"name": "Марс", "working_weekdays": [0, 0]}, "error.office.bad_weekdays"),
        ({"name": "Марс", "working_weekdays": [7]}, "error.office.bad_weekdays"),
    ):
        with pytest.raises(InvalidInput) as caught:
            await call(offices.create_office, actor_tgid=MANAGER, data=data)
        assert caught.value.key == key, data
    with pytest.raises(Conflict) as exists:
        await call(offices.create_office, actor_tgid=MANAGER, data={"name": "  москва "})  # case and spaces
    assert exists.value.key == "error.office.exists"
    with pytest.raises(Forbidden):
        await call(offices.create_office, actor_tgid=ANNA, data={"name": "Марс"})
    with pytest.raises(Conflict) as has_people:
        await call(offices.delete_office, actor_tgid=MANAGER, office_id=world.nsk)
    assert has_people.value.key == "error.office.has_people"
    assert await snapshot() == before

    spare = await call(offices.create_office, actor_tgid=MANAGER, data={"name": "Казань", "timezone": "Europe/Moscow"})
    assert spare.timezone == "Europe/Moscow" and spare.working_weekdays == (0, 1, 2, 3, 4)
    await call(offices.set_office_active, actor_tgid=MANAGER, office_id=world.nsk, active=False)  # people stay
    async with db.session_scope() as s:
        assert [o.name for o in await offices.list_offices(s, active_only=True)] == ["Казань", "Москва"]
        assert (await s.get(User, BORIS)).office_id == world.nsk  # type: ignore[union-attr]
    lonely = await add_cafe("Только Казань", offices=("Казань",))
    with pytest.raises(Conflict) as keeps_cafe:
        await call(offices.delete_office, actor_tgid=MANAGER, office_id=spare.id)
    assert keeps_cafe.value.key == "error.office.only_office_of_cafe" and "Только Казань" in keeps_cafe.value.message()
    async with db.session_scope() as s:
        await s.execute(sa.delete(CafeOffice).where(CafeOffice.cafe_id == lonely))  # type: ignore[arg-type]
        s.add(CafeOffice(cafe_id=lonely, office_id=world.msk))
    await call(offices.delete_office, actor_tgid=MANAGER, office_id=spare.id)
    await call(offices.set_office_active, actor_tgid=MANAGER, office_id=world.nsk, active=True)
    await call(offices.set_office_active, actor_tgid=MANAGER, office_id=world.nsk, active=False)
    with pytest.raises(Conflict) as last:
        await call(offices.set_office_active, actor_tgid=MANAGER, office_id=world.msk, active=False)
    assert last.value.key == "error.office.last_active"
    with pytest.raises(NotFound):
        await call(offices.get_office, office_id=424242)


async def test_calendar_bad_input_changes_nothing(world: World) -> None:
    before = await snapshot()
    for fn, kwargs, error in (
        (
            calendar.add_holiday,
            {"office_id": world.nsk, "data": {"start": FRIDAY, "end": MONDAY, "name": "X"}},
            InvalidInput,
        ),
        (
            calendar.add_holiday,
            {"office_id": world.nsk, "data": {"start": MONDAY, "end": MONDAY + timedelta(days=400), "name": "X"}},
            InvalidInput,
        ),
        (
            calendar.add_holiday,
            {"office_id": world.nsk, "data": {"start": MONDAY, "end": MONDAY, "name": ""}},
            InvalidInput,
        ),
        (
            calendar.add_holiday,
            {"office_id": world.nsk, "data": {"start": "завтра", "end": MONDAY, "name": "X"}},
            InvalidInput,
        ),
        (calendar.add_holiday, {"office_id": "1", "data": {"start": MONDAY, "end": MONDAY, "name": "X"}}, InvalidInput),
        (calendar.add_holiday, {"office_id": 424242, "data": {"start": MONDAY, "end": MONDAY, "name": "X"}}, NotFound),
        (
            calendar.add_closure,
            {"cafe_id": world.shared_cafe, "data": {"start": MONDAY, "end": MONDAY, "note": "N" * 201}},
            InvalidInput,
        ),
        (calendar.add_closure, {"cafe_id": 424242, "data": {"start": MONDAY, "end": MONDAY}}, NotFound),
        (calendar.add_extra_workday, {"office_id": world.msk, "data": {"day": "суббота"}}, InvalidInput),
        (calendar.delete_holiday, {"holiday_id": 424242}, NotFound),
        (calendar.delete_closure, {"closure_id": "1"}, InvalidInput),
    ):
        with pytest.raises(error):
            await call(fn, actor_tgid=MANAGER, **kwargs)
    with pytest.raises(Forbidden):
        await call(
            calendar.add_closure, actor_tgid=BORIS, cafe_id=world.shared_cafe, data={"start": MONDAY, "end": MONDAY}
        )
    assert await snapshot() == before
    data = {"start": MONDAY, "end": TUESDAY, "name": "X"}
    await call(calendar.add_holiday, actor_tgid=MANAGER, office_id=world.nsk, data=data)
    with pytest.raises(Conflict):
        await call(calendar.add_holiday, actor_tgid=MANAGER, office_id=world.nsk, data=data)


async def test_calendar_entries_are_listed_edited_and_removed(world: World) -> None:
    holiday = await call(
        calendar.add_holiday,
        actor_tgid=MANAGER,
        office_id=world.nsk,
        data={"start": FRIDAY, "end": FRIDAY, "name": "А"},
    )
    extra = await call(calendar.add_extra_workday, actor_tgid=MANAGER, office_id=world.nsk, data={"day": SATURDAY})
    closure = await call(
        calendar.add_closure,
        actor_tgid=MANAGER,
        cafe_id=world.siberian_cafe,
        data={"start": FRIDAY, "end": SUNDAY, "note": "Санобработка"},
    )
    await call(
        calendar.update_holiday,
        actor_tgid=MANAGER,
        holiday_id=holiday.entry_id,
        data={"start": THURSDAY, "end": FRIDAY, "name": "Б"},
    )
    await call(
        calendar.update_closure,
        actor_tgid=MANAGER,
        closure_id=closure.entry_id,
        data={"start": SATURDAY, "end": SUNDAY, "note": "Санобработка"},
    )
    view = await call(calendar.office_entries, actor_tgid=MANAGER, office_id=world.nsk, since=MONDAY)
    assert [(h.start, h.end, h.name) for h in view.holidays] == [(THURSDAY, FRIDAY, "Б")]
    assert [e.day for e in view.extra_workdays] == [SATURDAY]
    async with db.session_scope() as s:
        upcoming = await calendar.upcoming_closures(s, since=MONDAY)
    assert [(c.cafe_id, c.start, c.note) for c in upcoming] == [(world.siberian_cafe, SATURDAY, "Санобработка")]
    await call(calendar.delete_holiday, actor_tgid=MANAGER, holiday_id=holiday.entry_id)
    await call(calendar.delete_extra_workday, actor_tgid=MANAGER, workday_id=extra.entry_id)
    await call(calendar.delete_closure, actor_tgid=MANAGER, closure_id=closure.entry_id)
    view = await call(calendar.office_entries, actor_tgid=MANAGER, office_id=world.nsk, since=MONDAY)
    assert view.holidays == [] and view.extra_workdays == []


# --- everywhere it shows: Today, reports, the nightly run ----------------------------------------------------


async def test_today_filters_by_office_and_lists_who_did_not_order_per_office(world: World) -> None:
    await add_user(ANNA + 10, name="Алла", office="Москва")
    await add_user(BORIS + 10, name="Богдан", office="Новосибирск")
    await place(world, ANNA, world.shared_cafe, TUESDAY)
    await place(world, BORIS, world.shared_cafe, TUESDAY)
    await call(
        calendar.add_holiday,
        actor_tgid=MANAGER,
        office_id=world.nsk,
        data={"start": WEDNESDAY, "end": WEDNESDAY, "name": "Отгул"},
    )

    everyone = await call(manager_views.today_summary, actor_tgid=MANAGER, day=TUESDAY)
    missing = {entry.office: [p.name for p in entry.people] for entry in everyone.offices}
    assert missing == {"Москва": ["Алла", "Мария"], "Новосибирск": ["Богдан"]}
    shared = next(c for c in everyone.cafes if c.cafe_id == world.shared_cafe)
    assert shared.report.orders_count == 2 and [o.name for o in shared.report.offices] == ["Москва", "Новосибирск"]

    siberia = await call(manager_views.today_summary, actor_tgid=MANAGER, day=TUESDAY, office_id=world.nsk)
    assert [c.cafe_name for c in siberia.cafes] == ["Общая", "Сибирская"]  # the cafes serving Novosibirsk
    shared = next(c for c in siberia.cafes if c.cafe_id == world.shared_cafe)
    assert [p.user_name for p in shared.report.people] == ["Борис"]  # only that office's orders
    assert [(e.office, e.total) for e in siberia.offices] == [("Новосибирск", 1)]

    day_off = await call(manager_views.today_summary, actor_tgid=MANAGER, day=WEDNESDAY)
    nsk = next(e for e in day_off.offices if e.office == "Новосибирск")
    assert (nsk.day_off, nsk.day_off_name) == ("holiday", "Отгул")
    assert {p.name for p in day_off.not_ordered} == {"Анна", "Алла", "Мария"}  # nobody expected in Novosibirsk
    with pytest.raises(InvalidInput):
        await call(manager_views.today_summary, actor_tgid=MANAGER, day=TUESDAY, office_id="x")


async def test_reports_and_orders_filter_by_office(world: World) -> None:
    await place(world, ANNA, world.shared_cafe, TUESDAY)
    await place(world, BORIS, world.shared_cafe, TUESDAY, 3)
    await place(world, BORIS, world.siberian_cafe, WEDNESDAY)
    whole = await call(reports.range_report_for_manager, actor_tgid=MANAGER, start=MONDAY, end=SUNDAY)
    assert (whole.orders_count, whole.total) == (3, Decimal("50.00"))
    siberia = await call(
        reports.range_report_for_manager, actor_tgid=MANAGER, start=MONDAY, end=SUNDAY, office_id=world.nsk
    )
    assert (siberia.orders_count, siberia.total, siberia.office_id) == (2, Decimal("40.00"), world.nsk)
    assert [(e.name, e.office) for e in siberia.employees] == [("Борис", "Новосибирск")]
    day = await call(
        reports.day_report_for_manager,
        actor_tgid=MANAGER,
        cafe_id=world.shared_cafe,
        day=TUESDAY,
        office_id=str(world.msk),
    )
    assert [p.user_name for p in day.people] == ["Анна"] and day.office_id == world.msk
    page = await call(manager_views.list_orders, actor_tgid=MANAGER, office_id=world.nsk)
    assert page.total == 2 and {row.office for row in page.items} == {"Новосибирск"}
    with pytest.raises(NotFound):
        await call(reports.range_report_for_manager, actor_tgid=MANAGER, start=MONDAY, end=SUNDAY, office_id=424242)


async def test_the_nightly_batch_of_an_office_covers_only_its_people(world: World) -> None:
    await add_orders(world.shared_cafe, MONDAY - timedelta(days=7), [ANNA, BORIS], status=OrderStatus.confirmed)
    for offset in range(1, 5):
        await add_orders(
            world.shared_cafe, MONDAY - timedelta(days=7 + offset), [ANNA, BORIS], status=OrderStatus.confirmed
        )
    async with db.session_scope() as s:
        assert [t for t, _ in await recommendations.eligible_users(s)] == [ANNA, BORIS]
        assert [t for t, _ in await recommendations.eligible_users(s, office_id=world.nsk)] == [BORIS]
        # The 30-day window ends on the office's own today.
        assert (await recommendations.user_stats(s, user_tgid=BORIS)).order_count == 5  # 19–23 November
        late = await recommendations.user_stats(s, user_tgid=BORIS, today=date(2026, 12, 21))
        assert late.order_count == 3  # the window from 21 November
