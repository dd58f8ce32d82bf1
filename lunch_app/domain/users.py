"""Looking up users and checking who may act. Access rules that change users live in access.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.domain.errors import Forbidden, NotFound
from lunch_app.models import Office, Role, User


@dataclass(frozen=True, slots=True)
class UserView:
    """A person as lists show them: the user's fields plus the name of their office."""

    tgid: int
    name: str
    office_id: int
    office: str  # the office's name
    username: str | None
    language: str
    role: Role
    is_active: bool
    weekly_limit: Decimal | None
    reminders_enabled: bool
    created_at: datetime


def user_view(user: User, office_name: str) -> UserView:
    return UserView(
        tgid=user.tgid,
        name=user.name,
        office_id=user.office_id,
        office=office_name,
        username=user.username,
        language=user.language,
        role=Role(user.role),
        is_active=user.is_active,
        weekly_limit=user.weekly_limit,
        reminders_enabled=user.reminders_enabled,
        created_at=user.created_at,
    )


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


async def get_user_view(session: AsyncSession, tgid: int) -> UserView:
    user = await get_user(session, tgid)
    office = await session.get(Office, user.office_id)
    return user_view(user, office.name if office is not None else "")


async def demo_accounts(session: AsyncSession, *, managers_only: bool, limit: int = 30) -> list[UserView]:
    """Whom a demo sign-in (DEMO_MODE) offers: active users, or only active managers, ordered by name.

    Only a list to pick from: signing in as the picked one still re-checks the user (or the manager role)."""
    query = (
        select(User, col(Office.name))
        .join(Office, col(Office.id) == col(User.office_id))
        .where(col(User.is_active).is_(True))
    )
    if managers_only:
        query = query.where(col(User.role) == Role.manager)
    rows = await session.execute(query.order_by(col(User.name), col(User.tgid)).limit(limit))
    return [user_view(user, office) for user, office in rows.all()]
