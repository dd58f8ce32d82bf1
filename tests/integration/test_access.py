"""Access rules (SPEC §4 "Access") and SPEC §11 scenario 2 at the domain level, on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from lunch_app import db
from lunch_app.domain import access
from lunch_app.domain.access import SignInStatus
from lunch_app.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from lunch_app.domain.users import require_active_user
from lunch_app.models import AccessRequest, AuditLog, Order, RequestStatus, Role
from tests.access_fixtures import (
    EMPLOYEE,
    MANAGER,
    MANAGER_2,
    STRANGER,
    active_manager_ids,
    get_user,
    notices,
    office_name_of,
    seed_cafe,
    seed_manager,
    seed_user,
    snapshot,
    tg_user,
)
from tests.office_fixtures import office

OFFICE = "<the test's office>"  # replaced by a real office id when a test runs


async def _sign_in(user: Any) -> access.SignInResult:
    async with db.session_scope() as s:
        return await access.sign_in(s, user)


async def _office_choice(value: object) -> object:
    """An office name of the test becomes the id the form sends (the office is created); other values go as they are."""
    if isinstance(value, str) and value.strip() and not value.isdigit() and len(value) <= 100:
        return await office(value)
    return value


async def _request(user: Any = None, name: object = "Иван Иванов", office: object = "Офис 2") -> int:
    office_id = await _office_choice(office)
    async with db.session_scope() as s:
        request = await access.request_access(s, tg_user=user or tg_user(), name=name, office_id=office_id)
        assert request.id is not None
        return request.id


async def _approve(request_id: object, actor: int = MANAGER) -> AccessRequest:
    async with db.session_scope() as s:
        return await access.approve_request(s, actor_tgid=actor, request_id=request_id)


async def _reject(request_id: object, actor: int = MANAGER) -> AccessRequest:
    async with db.session_scope() as s:
        return await access.reject_request(s, actor_tgid=actor, request_id=request_id)


async def _call(fn: Any, **kwargs: Any) -> Any:
    async with db.session_scope() as s:
        return await fn(s, **kwargs)


# --- scenario 2 ----------------------------------------------------------------------------------------


async def test_scenario_2_unknown_user_requests_access_and_is_approved(db_ready: object) -> None:
    await seed_manager(MANAGER)
    await seed_manager(MANAGER_2, "Пётр Менеджер")
    await seed_user(8_000, "Бывший менеджер", role=Role.manager, active=False)
    stranger = tg_user(language_code="en", username="ivan_i")

    first = await _sign_in(stranger)
    assert first.status is SignInStatus.unknown
    assert first.prefill_name == "Иван Иванов"
    assert first.language == "en"

    request_id = await _request(stranger, name="  Иван Иванов  ", office="Офис 2")
    pending = await _sign_in(stranger)
    assert pending.status is SignInStatus.pending
    assert pending.request is not None and pending.request.name == "Иван Иванов"

    new = await notices("access_request_new")
    assert sorted(n["user_tgid"] for n in new) == [MANAGER, MANAGER_2]  # active managers only
    assert new[0]["params"] == {
        "request_id": request_id,
        "tgid": STRANGER,
        "name": "Иван Иванов",
        "office": "Офис 2",
        "username": "ivan_i",
    }

    decided = await _approve(request_id)
    assert decided.status == RequestStatus.approved
    assert decided.processed_by == MANAGER

    signed = await _sign_in(stranger)
    assert signed.status is SignInStatus.active
    assert signed.user is not None
    assert (signed.user.name, signed.user.role) == ("Иван Иванов", Role.employee)
    assert await office_name_of(STRANGER) == "Офис 2"
    assert signed.user.language == "en"
    async with db.session_scope() as s:  # the gate every ordering function uses
        assert (await require_active_user(s, STRANGER)).tgid == STRANGER

    approved = await notices("access_approved")
    assert [n["user_tgid"] for n in approved] == [STRANGER]
    async with db.session_scope() as s:
        entries = (await s.execute(select(AuditLog).where(AuditLog.action == "access.approve"))).scalars().all()  # type: ignore[arg-type]
    assert [(e.actor_tgid, e.entity_id) for e in entries] == [(MANAGER, str(request_id))]


async def test_scenario_2_rejection_shows_rejected_and_notifies(db_ready: object) -> None:
    await seed_manager()
    request_id = await _request()
    rejected = await _reject(request_id)
    assert rejected.status == RequestStatus.rejected

    result = await _sign_in(tg_user())
    assert result.status is SignInStatus.rejected
    assert await get_user(STRANGER) is None
    assert [n["user_tgid"] for n in await notices("access_rejected")] == [STRANGER]

    # A rejected requester cannot simply file again...
    before = await snapshot()
    with pytest.raises(Conflict) as caught:
        await _request()
    assert caught.value.key == "error.access.request_rejected"
    assert await snapshot() == before

    # ...but a manager can still approve later.
    await _approve(request_id)
    assert (await _sign_in(tg_user())).status is SignInStatus.active
    assert len(await notices("access_approved")) == 1


async def test_processing_twice_says_already_processed(db_ready: object) -> None:
    await seed_manager()
    await seed_manager(MANAGER_2)
    request_id = await _request()
    await _approve(request_id)
    before = await snapshot()
    for decide in (_approve, _reject):
        with pytest.raises(Conflict) as caught:
            await decide(request_id, MANAGER_2)
        assert caught.value.key == "error.access.already_processed"
    assert await snapshot() == before

    second = await _request(tg_user(STRANGER + 1))
    await _reject(second)
    with pytest.raises(Conflict) as caught:
        await _reject(second, MANAGER_2)
    assert caught.value.key == "error.access.already_processed"


async def test_concurrent_approvals_of_one_request_produce_one_outcome(db_ready: object) -> None:
    await seed_manager()
    await seed_manager(MANAGER_2)
    request_id = await _request()
    results = await asyncio.gather(
        _approve(request_id, MANAGER), _approve(request_id, MANAGER_2), return_exceptions=True
    )
    assert sum(isinstance(r, AccessRequest) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert len(await notices("access_approved")) == 1


async def test_pending_request_is_refreshed_not_duplicated(db_ready: object) -> None:
    await seed_manager()
    first = await _request(office="Офис 2")
    again = await _request(office="Офис 3")
    assert first == again
    async with db.session_scope() as s:
        rows = (await s.execute(select(AccessRequest))).scalars().all()
    assert [(r.office_id, r.status) for r in rows] == [(await office("Офис 3"), RequestStatus.pending)]
    assert len(await notices("access_request_new")) == 1  # managers are not spammed by a re-submit


async def test_double_submitted_request_form_creates_one_request(db_ready: object) -> None:
    await seed_manager()
    await office("Офис 2")
    ids = await asyncio.gather(*(_request() for _ in range(4)))
    assert len(set(ids)) == 1
    async with db.session_scope() as s:
        assert len((await s.execute(select(AccessRequest))).scalars().all()) == 1
    assert len(await notices("access_request_new")) == 1


async def test_known_users_cannot_file_requests(db_ready: object) -> None:
    await seed_user(EMPLOYEE)
    await seed_user(EMPLOYEE + 1, active=False)
    with pytest.raises(Conflict):
        await _request(tg_user(EMPLOYEE))
    with pytest.raises(Forbidden) as caught:
        await _request(tg_user(EMPLOYEE + 1))
    assert caught.value.key == "error.access.disabled"


async def test_inactive_user_sees_disabled(db_ready: object) -> None:
    await seed_user(EMPLOYEE, "Ольга", active=False)
    result = await _sign_in(tg_user(EMPLOYEE, username="new_name"))
    assert result.status is SignInStatus.disabled
    user = await get_user(EMPLOYEE)
    assert user is not None and user.username is None  # nothing refreshed for a disabled user


async def test_approving_a_request_of_a_deactivated_user_reactivates(db_ready: object) -> None:
    await seed_manager()
    request_id = await _request()
    await _approve(request_id)
    await _call(access.set_user_active, actor_tgid=MANAGER, tgid=STRANGER, active=False)
    await _call(access.delete_user, actor_tgid=MANAGER, tgid=STRANGER)
    # Deleted people may come back: the old approved request opens again.
    assert (await _sign_in(tg_user())).status is SignInStatus.unknown
    assert await _request(office="Офис 9") == request_id
    assert (await _sign_in(tg_user())).status is SignInStatus.pending
    assert len(await notices("access_request_new")) == 2
    await _approve(request_id)
    user = await get_user(STRANGER)
    assert user is not None and user.is_active and await office_name_of(STRANGER) == "Офис 9"


# --- sign-in keeps what managers own -------------------------------------------------------------------


async def test_sign_in_never_overwrites_manager_edited_name_or_office(db_ready: object) -> None:
    await seed_manager()
    await _approve(await _request(tg_user(username="old")))
    await _call(
        access.update_user,
        actor_tgid=MANAGER,
        tgid=STRANGER,
        data={"name": "Иван (бухгалтерия)", "office_id": await office("Б-3")},
    )
    result = await _sign_in(tg_user(first="Ivan", last="Renamed", username="new_nick", language_code="en"))
    assert result.status is SignInStatus.active
    user = await get_user(STRANGER)
    assert user is not None
    assert (user.name, await office_name_of(STRANGER)) == ("Иван (бухгалтерия)", "Б-3")
    assert (user.username, user.language) == ("new_nick", "en")


async def test_bootstrapped_manager_gets_telegram_name_on_first_sign_in(db_ready: object) -> None:
    async with db.session_scope() as s:
        await access.ensure_managers(s, [MANAGER])
    user = await get_user(MANAGER)
    assert user is not None and user.name == access.placeholder_name(MANAGER)
    await _sign_in(tg_user(MANAGER, first="Мария", last="Сергеевна"))
    user = await get_user(MANAGER)
    assert user is not None and user.name == "Мария Сергеевна"
    # Once named, a later Telegram name change does not touch it.
    await _sign_in(tg_user(MANAGER, first="Maria"))
    user = await get_user(MANAGER)
    assert user is not None and user.name == "Мария Сергеевна"


# --- managers bootstrap --------------------------------------------------------------------------------


async def test_ensure_managers_creates_promotes_and_reactivates(db_ready: object) -> None:
    await seed_user(EMPLOYEE, "Анна", office="Офис 1")
    await seed_user(MANAGER_2, "Олег", role=Role.manager, active=False)
    async with db.session_scope() as s:
        users = await access.ensure_managers(s, [MANAGER, EMPLOYEE, MANAGER_2, MANAGER])
    assert [u.tgid for u in users] == [MANAGER, EMPLOYEE, MANAGER_2]
    assert await active_manager_ids() == [MANAGER, MANAGER_2, EMPLOYEE]
    anna = await get_user(EMPLOYEE)
    assert anna is not None and anna.name == "Анна"  # promoted, not renamed
    assert await office_name_of(EMPLOYEE) == "Офис 1"  # and not moved

    before = await snapshot()
    async with db.session_scope() as s:
        await access.ensure_managers(s, [MANAGER, EMPLOYEE])
    assert await snapshot() == before  # idempotent: every start-up after the first changes nothing


async def test_ensure_managers_from_two_processes_at_once(db_ready: object) -> None:
    async def start_up() -> None:
        async with db.session_scope() as s:
            await access.ensure_managers(s, [MANAGER, MANAGER_2])

    await asyncio.gather(start_up(), start_up(), start_up())
    assert await active_manager_ids() == [MANAGER, MANAGER_2]


async def test_create_manager_for_the_cli(db_ready: object) -> None:
    await seed_user(EMPLOYEE, "Анна", active=False)
    await office("HQ")
    user = await _call(access.create_manager, tgid=MANAGER, name="Мария", office="hq")  # any case
    assert (user.role, user.is_active, user.name) == (Role.manager, True, "Мария")
    assert await office_name_of(MANAGER) == "HQ"
    await _call(access.create_manager, tgid=EMPLOYEE, name="Анна К.")
    assert await active_manager_ids() == [MANAGER, EMPLOYEE]
    assert await office_name_of(EMPLOYEE) == "Офис 1"  # no --office: an existing person stays where they are
    for bad in ({"tgid": "12", "name": "X"}, {"tgid": 12, "name": ""}, {"tgid": -1, "name": "X"}):
        with pytest.raises(InvalidInput):
            await _call(access.create_manager, **bad)
    before = await snapshot()
    with pytest.raises(NotFound) as caught:
        await _call(access.create_manager, tgid=12, name="X", office="Нет такого")
    assert caught.value.key == "error.office.unknown" and await snapshot() == before


async def test_a_manager_bootstrapped_into_an_empty_database_gets_the_default_office(db_ready: object) -> None:
    async with db.session_scope() as s:
        await access.ensure_managers(s, [MANAGER])
    assert await office_name_of(MANAGER) == "Основной офис"
    async with db.session_scope() as s:
        await access.ensure_managers(s, [MANAGER_2])
    assert await office_name_of(MANAGER_2) == "Основной офис"  # the same office, not a second one


# --- last-manager protection ---------------------------------------------------------------------------


async def test_last_manager_cannot_be_demoted_deactivated_or_deleted(db_ready: object) -> None:
    await seed_manager()
    before = await snapshot()
    attempts: list[tuple[Any, dict[str, Any]]] = [
        (access.update_user, {"data": {"role": "employee"}}),
        (access.set_user_active, {"active": False}),
        (access.delete_user, {}),
    ]
    for fn, extra in attempts:
        with pytest.raises(Conflict) as caught:
            await _call(fn, actor_tgid=MANAGER, tgid=MANAGER, **extra)
        assert caught.value.key == "error.access.last_manager"
    assert await snapshot() == before

    # With a second manager, one of them may go, but then the other is the last one again.
    await seed_manager(MANAGER_2)
    await _call(access.update_user, actor_tgid=MANAGER, tgid=MANAGER_2, data={"role": "employee"})
    with pytest.raises(Conflict):
        await _call(access.set_user_active, actor_tgid=MANAGER, tgid=MANAGER, active=False)
    assert await active_manager_ids() == [MANAGER]


async def test_inactive_managers_do_not_count(db_ready: object) -> None:
    await seed_manager()
    await seed_user(MANAGER_2, role=Role.manager, active=False)
    with pytest.raises(Conflict):
        await _call(access.delete_user, actor_tgid=MANAGER, tgid=MANAGER)
    await _call(access.delete_user, actor_tgid=MANAGER, tgid=MANAGER_2)  # an inactive manager may go


async def test_two_managers_demoting_each_other_while_the_other_waits(db_ready: object) -> None:
    """Deterministic interleaving: B acts while A's demotion of B is uncommitted (and holds the locks)."""
    await seed_manager(MANAGER)
    await seed_manager(MANAGER_2)
    maker = db.session_factory()
    async with maker() as first, maker() as second:
        await first.begin()
        await second.begin()
        await access.update_user(first, actor_tgid=MANAGER, tgid=MANAGER_2, data={"role": "employee"})
        waiting = asyncio.create_task(
            access.update_user(second, actor_tgid=MANAGER_2, tgid=MANAGER, data={"role": "employee"})
        )
        await asyncio.sleep(0.2)  # give it the chance to run into the lock; correctness doesn't depend on it
        await first.commit()
        with pytest.raises(DomainError):
            await waiting
        await second.rollback()
    assert await active_manager_ids() == [MANAGER]


@pytest.mark.parametrize(
    "change",
    [
        (access.update_user, {"data": {"role": "employee"}}),
        (access.set_user_active, {"active": False}),
        (access.delete_user, {}),
    ],
    ids=["demote", "deactivate", "delete"],
)
async def test_concurrent_mutual_removal_never_leaves_zero_managers(db_ready: object, change: Any) -> None:
    fn, extra = change
    for _round in range(5):
        async with db.session_scope() as s:
            await access.ensure_managers(s, [MANAGER, MANAGER_2])
        results = await asyncio.gather(
            _call(fn, actor_tgid=MANAGER, tgid=MANAGER_2, **extra),
            _call(fn, actor_tgid=MANAGER_2, tgid=MANAGER, **extra),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert len(failures) == 1, results
        assert isinstance(failures[0], Conflict | Forbidden)
        assert len(await active_manager_ids()) == 1


# --- authorisation -------------------------------------------------------------------------------------


async def test_non_managers_cannot_use_manager_functions(db_ready: object) -> None:
    await seed_manager()
    await seed_user(EMPLOYEE)
    await seed_user(MANAGER_2, role=Role.manager, active=False)  # a deactivated manager is no manager
    request_id = await _request()
    calls: list[tuple[Any, dict[str, Any]]] = [
        (access.approve_request, {"request_id": request_id}),
        (access.reject_request, {"request_id": request_id}),
        (access.add_user, {"data": {"tgid": 42, "name": "Новый"}}),
        (access.update_user, {"tgid": EMPLOYEE, "data": {"role": "manager"}}),
        (access.update_user, {"tgid": MANAGER, "data": {"role": "employee"}}),
        (access.set_user_active, {"tgid": MANAGER, "active": False}),
        (access.delete_user, {"tgid": MANAGER}),
    ]
    before = await snapshot()
    for actor in (EMPLOYEE, MANAGER_2, STRANGER):
        for fn, kwargs in calls:
            with pytest.raises(Forbidden):
                await _call(fn, actor_tgid=actor, **kwargs)
    assert await snapshot() == before


# --- user management -----------------------------------------------------------------------------------


async def test_add_update_and_list_users(db_ready: object) -> None:
    await seed_manager(MANAGER, "Мария")
    added = await _call(
        access.add_user,
        actor_tgid=MANAGER,
        data={
            "tgid": EMPLOYEE,
            "name": "Анна_1%",
            "office_id": await office("Офис 1"),
            "weekly_limit": "1500.5",
            "username": "@anna",
        },
    )
    assert added.weekly_limit == Decimal("1500.50")
    assert added.username == "anna"
    with pytest.raises(Conflict):
        await _call(
            access.add_user, actor_tgid=MANAGER, data={"tgid": EMPLOYEE, "name": "Дубль", "office_id": await office()}
        )

    updated = await _call(
        access.update_user,
        actor_tgid=MANAGER,
        tgid=EMPLOYEE,
        data={"weekly_limit": None, "reminders_enabled": False, "role": "manager"},
    )
    assert (updated.weekly_limit, updated.reminders_enabled, updated.role) == (None, False, Role.manager)
    assert updated.name == "Анна_1%"  # fields not given stay as they were
    await _call(access.update_user, actor_tgid=MANAGER, tgid=EMPLOYEE, data={"weekly_limit": 100})
    user = await get_user(EMPLOYEE)
    assert user is not None and user.weekly_limit == Decimal("100.00")

    for i in range(5):
        await seed_user(9_000 + i, f"Борис {i}", office="Склад")

    async def page(**kwargs: Any) -> tuple[list[int], int]:
        result = await _call(access.list_users, **kwargs)
        return [u.tgid for u in result.items], result.total

    assert (await page())[1] == 7
    assert await page(search="склад", limit=2) == ([9_000, 9_001], 5)
    assert await page(search="склад", offset=4, limit=2) == ([9_004], 5)
    assert await page(search="@anna") == ([EMPLOYEE], 1)
    assert await page(search=str(EMPLOYEE)) == ([EMPLOYEE], 1)
    assert await page(search="_1%") == ([EMPLOYEE], 1)  # LIKE wildcards are literal
    assert await page(search="1%") == ([EMPLOYEE], 1)
    assert await page(search="нет такого") == ([], 0)
    assert await page(office_id=await office("Склад")) == ([9_000 + i for i in range(5)], 5)
    assert [u.office for u in (await _call(access.list_users, search="@anna")).items] == ["Офис 1"]


async def test_add_user_settles_their_pending_request(db_ready: object) -> None:
    await seed_manager()
    request_id = await _request()
    await _call(
        access.add_user,
        actor_tgid=MANAGER,
        data={"tgid": STRANGER, "name": "Иван", "office_id": await office("Офис 2")},
    )
    async with db.session_scope() as s:
        request = await s.get(AccessRequest, request_id)
    assert request is not None and request.status == RequestStatus.approved
    assert (await _sign_in(tg_user())).status is SignInStatus.active
    assert [n["user_tgid"] for n in await notices("access_approved")] == [STRANGER]


async def test_delete_user_keeps_their_orders(db_ready: object) -> None:
    await seed_manager()
    await seed_user(EMPLOYEE, "Анна")
    cafe_id = await seed_cafe()
    async with db.session_scope() as s:
        s.add(
            Order(
                user_tgid=EMPLOYEE,
                user_name="Анна",
                cafe_id=cafe_id,
                order_date=date(2026, 11, 30),
                lines=[],
                total=Decimal("10.00"),
            )
        )
    await _call(access.delete_user, actor_tgid=MANAGER, tgid=EMPLOYEE)
    assert await get_user(EMPLOYEE) is None
    async with db.session_scope() as s:
        orders = (await s.execute(select(Order))).scalars().all()
    assert [(o.user_tgid, o.user_name, o.total) for o in orders] == [(None, "Анна", Decimal("10.00"))]
    with pytest.raises(NotFound):
        await _call(access.delete_user, actor_tgid=MANAGER, tgid=EMPLOYEE)


async def test_deactivate_and_reactivate(db_ready: object) -> None:
    await seed_manager()
    await seed_user(EMPLOYEE)
    await _call(access.set_user_active, actor_tgid=MANAGER, tgid=EMPLOYEE, active=False)
    assert (await _sign_in(tg_user(EMPLOYEE))).status is SignInStatus.disabled
    async with db.session_scope() as s:
        with pytest.raises(Forbidden):
            await require_active_user(s, EMPLOYEE)
    await _call(access.set_user_active, actor_tgid=MANAGER, tgid=EMPLOYEE, active=True)
    assert (await _sign_in(tg_user(EMPLOYEE))).status is SignInStatus.active


async def test_employee_toggles_own_reminders(db_ready: object) -> None:
    await seed_user(EMPLOYEE)
    await seed_user(EMPLOYEE + 1, active=False)
    user = await _call(access.set_reminders, user_tgid=EMPLOYEE, enabled=False)
    assert user.reminders_enabled is False
    with pytest.raises(Forbidden):
        await _call(access.set_reminders, user_tgid=EMPLOYEE + 1, enabled=False)
    with pytest.raises(InvalidInput):
        await _call(access.set_reminders, user_tgid=EMPLOYEE, enabled="off")


async def test_list_requests_filters_by_status(db_ready: object) -> None:
    await seed_manager()
    ids = [await _request(tg_user(STRANGER + i)) for i in range(3)]
    await _approve(ids[0])
    await _reject(ids[1])

    async def listed(status: object = None) -> list[int]:
        return [r.id for r in await _call(access.list_requests, status=status)]

    assert sorted(await listed()) == sorted(ids)
    assert await listed("pending") == [ids[2]]
    assert await listed(RequestStatus.approved) == [ids[0]]
    assert await listed("rejected") == [ids[1]]
    with pytest.raises(InvalidInput):
        await listed("bogus")


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "office"),
    [
        ("", "Офис"),
        ("   ", "Офис"),
        ("И" * 101, "Офис"),
        ("Иван", ""),
        ("Иван", "О" * 101),
        ("Иван", 0),
        ("Иван", True),
        ("Иван", 2**31),
        ("Иван", 12.5),
        (42, "Офис"),
        ("Иван", None),
        (["Иван"], "Офис"),
        ("Иван\nИванов", "Офис"),
    ],
)
async def test_bad_access_request_input_stores_nothing(db_ready: object, name: object, office: object) -> None:
    await seed_manager()
    await _office_choice(office)  # an office the form could name exists already
    before = await snapshot()
    with pytest.raises(InvalidInput):
        await _request(name=name, office=office)
    assert await snapshot() == before


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"tgid": "7", "name": "Строка вместо числа"},
        {"tgid": 7.0, "name": "Дробное"},
        {"tgid": True, "name": "Булево"},
        {"tgid": 0, "name": "Ноль"},
        {"tgid": 2**63, "name": "Слишком большой"},
        {"tgid": 7},
        {"tgid": 7, "name": "Х" * 101},
        {"tgid": 7, "name": "Без офиса"},
        {"tgid": 7, "name": "Офис текстом", "office": "Москва"},
        {"tgid": 7, "name": "Офис", "office_id": "первый"},
        {"tgid": 7, "name": "Офис", "office_id": 0},
        {"tgid": 7, "name": "Роль", "office_id": OFFICE, "role": "admin"},
        {"tgid": 7, "name": "Лимит", "office_id": OFFICE, "weekly_limit": "-1"},
        {"tgid": 7, "name": "Лимит", "office_id": OFFICE, "weekly_limit": "1000000.01"},
        {"tgid": 7, "name": "Лимит", "office_id": OFFICE, "weekly_limit": "10.001"},
        {"tgid": 7, "name": "Лимит", "office_id": OFFICE, "weekly_limit": "NaN"},
        {"tgid": 7, "name": "Лимит", "office_id": OFFICE, "weekly_limit": True},
        {"tgid": 7, "name": "Лимит", "office_id": OFFICE, "weekly_limit": "много"},
        {"tgid": 7, "name": "Язык", "office_id": OFFICE, "language": "de"},
        {"tgid": 7, "name": "Лишнее", "office_id": OFFICE, "is_admin": True},
    ],
)
async def test_bad_new_user_input_stores_nothing(db_ready: object, data: Any) -> None:
    await seed_manager()
    if isinstance(data, dict):
        real = await office()
        data = {key: real if value == OFFICE else value for key, value in data.items()}
    before = await snapshot()
    with pytest.raises(InvalidInput):
        await _call(access.add_user, actor_tgid=MANAGER, data=data)
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("tgid", "data"),
    [
        (EMPLOYEE, {"name": None}),
        (EMPLOYEE, {"name": ""}),
        (EMPLOYEE, {"role": None}),
        (EMPLOYEE, {"reminders_enabled": "yes"}),
        (EMPLOYEE, {"weekly_limit": -5}),
        (EMPLOYEE, {"tgid": 1}),
        ("7000000101", {"name": "Строка"}),
        (None, {"name": "Пусто"}),
    ],
)
async def test_bad_user_update_changes_nothing(db_ready: object, tgid: object, data: Any) -> None:
    await seed_manager()
    await seed_user(EMPLOYEE)
    before = await snapshot()
    with pytest.raises(InvalidInput):
        await _call(access.update_user, actor_tgid=MANAGER, tgid=tgid, data=data)
    assert await snapshot() == before


async def test_people_join_only_active_offices(db_ready: object) -> None:
    await seed_manager()
    closed = await office("Старый офис")
    async with db.session_scope() as s:
        from lunch_app.models import Office

        row = await s.get(Office, closed)
        assert row is not None
        row.is_active = False
    before = await snapshot()
    with pytest.raises(Conflict) as caught:
        await _request(office=str(closed))
    assert caught.value.key == "error.office.inactive"
    with pytest.raises(NotFound):
        await _request(office="424242")
    with pytest.raises(Conflict):
        await _call(access.add_user, actor_tgid=MANAGER, data={"tgid": 7, "name": "Пётр", "office_id": closed})
    await seed_user(EMPLOYEE)
    before = await snapshot()
    with pytest.raises(Conflict):
        await _call(access.update_user, actor_tgid=MANAGER, tgid=EMPLOYEE, data={"office_id": closed})
    assert await snapshot() == before


async def test_other_bad_inputs(db_ready: object) -> None:
    await seed_manager()
    await seed_user(EMPLOYEE)
    before = await snapshot()
    bad_calls: list[tuple[Any, dict[str, Any]]] = [
        (access.set_user_active, {"actor_tgid": MANAGER, "tgid": EMPLOYEE, "active": "no"}),
        (access.set_user_active, {"actor_tgid": MANAGER, "tgid": EMPLOYEE, "active": 0}),
        (access.approve_request, {"actor_tgid": MANAGER, "request_id": "1"}),
        (access.reject_request, {"actor_tgid": MANAGER, "request_id": -1}),
        (access.list_users, {"limit": 0}),
        (access.list_users, {"offset": -1}),
        (access.list_users, {"search": "x" * 101}),
        (access.list_users, {"search": 5}),
        (access.ensure_managers, {"tgids": ["1"]}),
    ]
    for fn, kwargs in bad_calls:
        with pytest.raises(InvalidInput):
            await _call(fn, **kwargs)
    for fn in (access.approve_request, access.reject_request):
        with pytest.raises(NotFound):
            await _call(fn, actor_tgid=MANAGER, request_id=12345)
    with pytest.raises(NotFound):
        await _call(access.update_user, actor_tgid=MANAGER, tgid=424242, data={"name": "Никто"})
    with pytest.raises(InvalidInput):
        await _sign_in({"id": STRANGER})
    assert await snapshot() == before


async def test_error_keys_are_translated(db_ready: object) -> None:
    from lunch_app.i18n import CATALOG
    from lunch_app.i18n.catalog import access as part

    assert part.RU.keys() == part.EN.keys()
    for key in part.RU:
        assert key in CATALOG["ru"] and key in CATALOG["en"]
