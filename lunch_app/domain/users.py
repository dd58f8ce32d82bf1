"""Looking up users and checking who may act. Access rules that change users live in access.py."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.domain.errors import Forbidden, NotFound
from lunch_app.models import Role, User


async def get_user(session: AsyncSession, tgid: int, *, for_update: bool = False) -> User:
    user = await session.get(User, tgid, with_for_update=for_update)
    if user is None:
        raise NotFound("error.user.not_found")
    return user


async def require_active_user(session: AsyncSession, tgid: int, *, for_update: bool = False) -> User:
    """The acting person must be a known, active user (employee or manager)."""
    user = await session.get(User, tgid, with_for_update=for_update)
    if user is None or not user.is_active:
        raise Forbidden("error.access.not_active")
    return user


async def require_manager(session: AsyncSession, tgid: int) -> User:
    """The acting person must be an active manager; checked on the server for every manager action."""
    user = await session.get(User, tgid)
    if user is None or not user.is_active or user.role != Role.manager:
        raise Forbidden("error.access.manager_only")
    return user


async def active_managers(session: AsyncSession) -> list[User]:
    """Every active manager (the recipients of access and link requests), in a stable order."""
    rows = await session.execute(
        select(User).where(col(User.role) == Role.manager, col(User.is_active).is_(True)).order_by(col(User.tgid))
    )
    return list(rows.scalars())


async def demo_accounts(session: AsyncSession, *, managers_only: bool, limit: int = 30) -> list[User]:
    """Whom a demo sign-in (DEMO_MODE) offers: active users, or only active managers, ordered by name.

    Only a list to pick from: signing in as the picked one still re-checks the user (or the manager role)."""
    query = select(User).where(col(User.is_active).is_(True))
    if managers_only:
        query = query.where(col(User.role) == Role.manager)
    rows = await session.execute(query.order_by(col(User.name), col(User.tgid)).limit(limit))
    return list(rows.scalars())
