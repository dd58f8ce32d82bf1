"""One-time dashboard sign-in links (SPEC §4: single use, valid 10 minutes), on PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from lunch_app import db
from lunch_app.clock import MovableClock
from lunch_app.domain import access
from lunch_app.domain.dashboard_links import issue_dashboard_token, redeem_dashboard_token
from lunch_app.domain.errors import Forbidden
from lunch_app.models import DashboardToken, Role, User
from lunch_app.settings import get_settings
from tests.access_fixtures import EMPLOYEE, MANAGER, MANAGER_2, seed_manager, seed_user, snapshot


async def _issue(tgid: int = MANAGER) -> str:
    async with db.session_scope() as s:
        return await issue_dashboard_token(s, manager_tgid=tgid)


async def _redeem(token: object) -> User:
    async with db.session_scope() as s:
        return await redeem_dashboard_token(s, token)


async def _refused(token: object) -> str:
    with pytest.raises(Forbidden) as caught:
        await _redeem(token)
    return caught.value.key


async def test_token_is_single_use_and_only_its_hash_is_stored(db_ready: object) -> None:
    await seed_manager()
    token = await _issue()
    assert len(token) >= 40
    async with db.session_scope() as s:
        [row] = (await s.execute(select(DashboardToken))).scalars().all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    assert row.manager_tgid == MANAGER and row.used_at is None

    user = await _redeem(token)
    assert (user.tgid, user.role) == (MANAGER, Role.manager)
    assert await _refused(token) == "error.dashboard.link_invalid"


async def test_every_issue_gives_a_different_token(db_ready: object) -> None:
    await seed_manager()
    tokens = {await _issue() for _ in range(5)}
    assert len(tokens) == 5
    for token in tokens:
        assert (await _redeem(token)).tgid == MANAGER


async def test_expired_token_is_refused(db_ready: MovableClock) -> None:
    ttl = get_settings().dashboard_link_ttl
    assert ttl == 600  # SPEC: valid 10 minutes
    await seed_manager()
    late = await _issue()
    in_time = await _issue()
    db_ready.advance(timedelta(seconds=ttl - 1))
    assert (await _redeem(in_time)).tgid == MANAGER
    db_ready.advance(timedelta(seconds=1))
    assert await _refused(late) == "error.dashboard.link_invalid"


async def test_old_expired_tokens_are_cleaned_up_on_issue(db_ready: MovableClock) -> None:
    await seed_manager()
    await _issue()
    db_ready.advance(timedelta(days=2))
    fresh = await _issue()
    async with db.session_scope() as s:
        hashes = (await s.execute(select(DashboardToken.token_hash))).scalars().all()  # type: ignore[call-overload]
    assert hashes == [hashlib.sha256(fresh.encode()).hexdigest()]


async def test_concurrent_redemptions_only_one_wins(db_ready: object) -> None:
    await seed_manager()
    token = await _issue()
    results = await asyncio.gather(*(_redeem(token) for _ in range(8)), return_exceptions=True)
    assert sum(isinstance(r, User) for r in results) == 1
    assert all(isinstance(r, Forbidden) for r in results if not isinstance(r, User))


async def test_only_managers_get_links(db_ready: object) -> None:
    await seed_manager()
    await seed_user(EMPLOYEE)
    await seed_user(MANAGER_2, role=Role.manager, active=False)
    before = await snapshot()
    for tgid in (EMPLOYEE, MANAGER_2, 31337):
        with pytest.raises(Forbidden):
            await _issue(tgid)
    assert await snapshot() == before


async def test_link_of_a_demoted_manager_no_longer_works(db_ready: object) -> None:
    await seed_manager(MANAGER)
    await seed_manager(MANAGER_2)
    token = await _issue(MANAGER_2)
    async with db.session_scope() as s:
        await access.update_user(s, actor_tgid=MANAGER, tgid=MANAGER_2, data={"role": "employee"})
    assert await _refused(token) == "error.access.manager_only"


@pytest.mark.parametrize(
    "token", [None, 42, b"abc", "", "short", "x" * 1000, "not a token with spaces!!", "ё" * 43, "A" * 43]
)
async def test_garbage_tokens_are_refused(db_ready: object, token: object) -> None:
    await seed_manager()
    await _issue()
    before = await snapshot()
    assert await _refused(token) == "error.dashboard.link_invalid"
    assert await snapshot() == before
