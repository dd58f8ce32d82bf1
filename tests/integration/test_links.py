"""Cafe linking (SPEC §4 "Cafe linking") and SPEC §11 scenario 10 at the domain level, on PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from lunch_app import db
from lunch_app.domain import catalogue, links
from lunch_app.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from lunch_app.domain.links import ChatState
from lunch_app.models import AuditLog, CafeLinkRequest, RequestStatus, Role
from tests.access_fixtures import (
    EMPLOYEE,
    MANAGER,
    MANAGER_2,
    get_cafe,
    notices,
    seed_cafe,
    seed_manager,
    seed_user,
    snapshot,
)

CHAT = -1001234567890  # supergroup ids are large negatives
OTHER_CHAT = -1009999999999


async def _request(cafe_id: object, chat_id: object = CHAT, title: object = "Кухня «Вкусно»", by: object = 555) -> int:
    async with db.session_scope() as s:
        request = await links.request_link(
            s,
            cafe_id=cafe_id,
            chat_id=chat_id,
            chat_title=title,
            requested_by=by,
            requested_by_username="@chef",
        )
        assert request.id is not None
        return request.id


async def _call(fn: Any, **kwargs: Any) -> Any:
    async with db.session_scope() as s:
        return await fn(s, **kwargs)


async def _status(chat_id: object = CHAT) -> links.ChatStatus:
    async with db.session_scope() as s:
        return await links.chat_status(s, chat_id)


async def test_scenario_10_link_approve_status(db_ready: object) -> None:
    await seed_manager(MANAGER)
    await seed_manager(MANAGER_2)
    cafe_id = await seed_cafe("Вкусно")
    assert (await _status()).state is ChatState.none

    request_id = await _request(cafe_id)
    filed = await notices("link_request_new")
    assert sorted(n["user_tgid"] for n in filed) == [MANAGER, MANAGER_2]
    assert filed[0]["params"] == {
        "request_id": request_id,
        "cafe_id": cafe_id,
        "cafe_name": "Вкусно",
        "chat_id": CHAT,
        "chat_title": "Кухня «Вкусно»",
        "requested_by": 555,
        "requested_by_username": "chef",
    }
    pending = await _status()
    assert (pending.state, pending.cafe_id, pending.cafe_name, pending.request_id) == (
        ChatState.pending,
        cafe_id,
        "Вкусно",
        request_id,
    )

    approved = await _call(links.approve_link, actor_tgid=MANAGER, request_id=request_id)
    assert (approved.status, approved.processed_by) == (RequestStatus.approved, MANAGER)
    cafe = await get_cafe(cafe_id)
    assert (cafe.tg_chat_id, cafe.tg_chat_title, cafe.notifications_enabled) == (CHAT, "Кухня «Вкусно»", True)
    assert cafe.linked_at is not None

    told = await notices("link_approved")
    assert [(n["chat_id"], n["params"]["cafe_name"]) for n in told] == [(CHAT, "Вкусно")]
    status = await _status()
    assert (status.state, status.cafe_id, status.cafe_name, status.notifications_enabled) == (
        ChatState.linked,
        cafe_id,
        "Вкусно",
        True,
    )
    async with db.session_scope() as s:
        actions = (await s.execute(select(AuditLog.action))).scalars().all()  # type: ignore[call-overload]
    assert actions == ["link.approve"]

    # Processing it again is "already handled".
    for fn in (links.approve_link, links.reject_link):
        with pytest.raises(Conflict) as caught:
            await _call(fn, actor_tgid=MANAGER_2, request_id=request_id)
        assert caught.value.key == "error.link.already_processed"


async def test_reject_tells_the_chat(db_ready: object) -> None:
    await seed_manager()
    cafe_id = await seed_cafe()
    request_id = await _request(cafe_id)
    rejected = await _call(links.reject_link, actor_tgid=MANAGER, request_id=request_id)
    assert rejected.status == RequestStatus.rejected
    assert [n["chat_id"] for n in await notices("link_rejected")] == [CHAT]
    assert (await get_cafe(cafe_id)).tg_chat_id is None
    assert (await _status()).state is ChatState.none
    with pytest.raises(Conflict):
        await _call(links.approve_link, actor_tgid=MANAGER, request_id=request_id)
    # After a rejection the chat may ask again.
    assert await _request(cafe_id) != request_id


async def test_refusals_when_filing(db_ready: object) -> None:
    await seed_manager()
    cafe_id = await seed_cafe("Вкусно")
    inactive_id = await seed_cafe("Закрыто", active=False)
    linked_id = await seed_cafe("Привязано", chat_id=OTHER_CHAT)

    async def refused(cafe: object, chat: int = CHAT) -> str:
        before = await snapshot()
        with pytest.raises((Conflict, NotFound)) as caught:
            await _request(cafe, chat)
        assert await snapshot() == before
        return caught.value.key

    assert await refused(424242) == "error.link.cafe_not_found"
    assert await refused(inactive_id) == "error.link.cafe_inactive"
    assert await refused(linked_id, OTHER_CHAT) == "error.link.already_linked_here"
    assert await refused(linked_id) == "error.link.already_linked"
    assert await refused(cafe_id, OTHER_CHAT) == "error.link.chat_linked_elsewhere"

    await _request(cafe_id)
    assert await refused(cafe_id) == "error.link.already_pending"
    assert await refused(cafe_id, -42) == "error.link.already_pending"  # another chat, same cafe


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cafe_id": "abc"},  # `/link abc`: the bot answers a non-numeric id; here it must not pass
        {"cafe_id": "5"},
        {"cafe_id": None},
        {"cafe_id": 1.5},
        {"cafe_id": -1},
        {"cafe_id": 2**40},
        {"chat_id": "-100"},
        {"chat_title": "Ч" * 256},
        {"chat_title": None},
        {"requested_by": "555"},
        {"requested_by": 0},
    ],
)
async def test_bad_link_input_stores_nothing(db_ready: object, kwargs: dict[str, Any]) -> None:
    await seed_manager()
    cafe_id = await seed_cafe()
    args: dict[str, Any] = {"cafe_id": cafe_id, "chat_id": CHAT, "chat_title": "Кухня", "requested_by": 555}
    args.update(kwargs)
    before = await snapshot()
    with pytest.raises(InvalidInput):
        await _call(links.request_link, **args)
    assert await snapshot() == before


async def test_private_chat_without_title_gets_its_id_as_title(db_ready: object) -> None:
    await seed_manager()
    cafe_id = await seed_cafe()
    await _request(cafe_id, chat_id=555, title="  ")
    [info] = await _call(links.list_link_requests)
    assert info.chat_title == "555"


async def test_concurrent_link_requests_for_one_cafe_one_wins(db_ready: object) -> None:
    await seed_manager()
    cafe_id = await seed_cafe()
    results = await asyncio.gather(*(_request(cafe_id, chat_id=-(100 + i)) for i in range(5)), return_exceptions=True)
    assert sum(isinstance(r, int) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, int))
    async with db.session_scope() as s:
        rows = (await s.execute(select(CafeLinkRequest))).scalars().all()
    assert len(rows) == 1
    assert len(await notices("link_request_new")) == 1


async def test_approval_refused_when_chat_got_linked_to_another_cafe(db_ready: object) -> None:
    await seed_manager()
    first = await seed_cafe("Первое")
    second = await seed_cafe("Второе")
    first_request = await _request(first)
    second_request = await _request(second)  # the same chat asks for two cafes
    await _call(links.approve_link, actor_tgid=MANAGER, request_id=first_request)
    before = await snapshot()
    with pytest.raises(Conflict) as caught:
        await _call(links.approve_link, actor_tgid=MANAGER, request_id=second_request)
    assert caught.value.key == "error.link.chat_linked_elsewhere"
    assert caught.value.params == {"cafe": "Первое"}
    assert await snapshot() == before
    await _call(links.reject_link, actor_tgid=MANAGER, request_id=second_request)
    assert (await _status()).cafe_name == "Первое"


async def test_non_managers_cannot_decide_or_change_links(db_ready: object) -> None:
    await seed_manager()
    await seed_user(EMPLOYEE)
    await seed_user(MANAGER_2, role=Role.manager, active=False)
    cafe_id = await seed_cafe()
    linked_id = await seed_cafe("Привязано", chat_id=OTHER_CHAT)
    request_id = await _request(cafe_id)
    before = await snapshot()
    for actor in (EMPLOYEE, MANAGER_2, 31337):
        for fn, kwargs in (
            (links.approve_link, {"request_id": request_id}),
            (links.reject_link, {"request_id": request_id}),
            (catalogue.unlink_cafe, {"cafe_id": linked_id}),
            (catalogue.set_notifications, {"cafe_id": linked_id, "enabled": False}),
        ):
            with pytest.raises(Forbidden):
                await _call(fn, actor_tgid=actor, **kwargs)
    assert await snapshot() == before


async def test_unlink_and_toggle_notifications(db_ready: object) -> None:
    await seed_manager()
    cafe_id = await seed_cafe()
    await _call(links.approve_link, actor_tgid=MANAGER, request_id=await _request(cafe_id))

    await _call(catalogue.set_notifications, actor_tgid=MANAGER, cafe_id=cafe_id, enabled=False)
    status = await _status()
    assert (status.state, status.notifications_enabled) == (ChatState.linked, False)
    with pytest.raises(InvalidInput):
        await _call(catalogue.set_notifications, actor_tgid=MANAGER, cafe_id=cafe_id, enabled="on")

    await _call(catalogue.unlink_cafe, actor_tgid=MANAGER, cafe_id=cafe_id)
    cafe = await get_cafe(cafe_id)
    assert (cafe.tg_chat_id, cafe.tg_chat_title, cafe.linked_at) == (None, None, None)
    assert (await _status()).state is ChatState.none
    with pytest.raises(NotFound):
        await _call(catalogue.unlink_cafe, actor_tgid=MANAGER, cafe_id=424242)

    # Linked again later: notifications come back on.
    await _call(links.approve_link, actor_tgid=MANAGER, request_id=await _request(cafe_id))
    assert (await _status()).notifications_enabled is True


async def test_list_link_requests(db_ready: object) -> None:
    await seed_manager()
    one = await seed_cafe("Один")
    two = await seed_cafe("Два")
    first = await _request(one, chat_id=-1)
    second = await _request(two, chat_id=-2, title="Чат два")
    await _call(links.reject_link, actor_tgid=MANAGER, request_id=first)

    everything = await _call(links.list_link_requests)
    assert {r.id for r in everything} == {first, second}
    [pending] = await _call(links.list_link_requests, status="pending")
    assert (pending.id, pending.cafe_name, pending.chat_title, pending.requested_by_username) == (
        second,
        "Два",
        "Чат два",
        "chef",
    )
    [rejected] = await _call(links.list_link_requests, status=RequestStatus.rejected)
    assert (rejected.id, rejected.processed_by) == (first, MANAGER)
    with pytest.raises(InvalidInput):
        await _call(links.list_link_requests, status="weird")


async def test_bad_ids_in_decisions_and_status(db_ready: object) -> None:
    await seed_manager()
    for bad in ("1", None, 0, 2**40):
        with pytest.raises(InvalidInput):
            await _call(links.approve_link, actor_tgid=MANAGER, request_id=bad)
    with pytest.raises(NotFound):
        await _call(links.reject_link, actor_tgid=MANAGER, request_id=999)
    with pytest.raises(InvalidInput):
        await _status("-100")
