"""Helpers for the access, link and dashboard-link tests: seeding people and cafes, reading the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from lunch_app import db
from lunch_app.models import Cafe, Office, OutboxEvent, Role, User
from lunch_app.telegram_auth import TelegramUser
from tests.office_fixtures import office_in, serve_in

MANAGER = 7_000_000_001  # above 2^31 on purpose: Telegram ids need BIGINT
MANAGER_2 = 7_000_000_002
EMPLOYEE = 7_000_000_101
STRANGER = 7_000_000_999

SNAPSHOT_TABLES = (
    "offices",
    "users",
    "access_requests",
    "cafes",
    "cafe_link_requests",
    "outbox",
    "audit_log",
    "dashboard_tokens",
    "orders",
    "holidays",
    "extra_workdays",
    "cafe_closures",
    "cafe_offices",
)


async def seed_user(
    tgid: int, name: str = "Сотрудник", *, role: Role = Role.employee, active: bool = True, office: str = "Офис 1"
) -> None:
    async with db.session_scope() as s:
        s.add(User(tgid=tgid, name=name, office_id=await office_in(s, office), role=role, is_active=active))


async def seed_manager(tgid: int = MANAGER, name: str = "Мария Менеджер") -> None:
    await seed_user(tgid, name, role=Role.manager)


async def seed_cafe(name: str = "Вкусно", *, active: bool = True, chat_id: int | None = None) -> int:
    async with db.session_scope() as s:
        cafe = Cafe(name=name, is_active=active, tg_chat_id=chat_id, tg_chat_title="Кухня" if chat_id else None)
        s.add(cafe)
        await s.flush()
        assert cafe.id is not None
        await serve_in(s, cafe.id)
        return cafe.id


def tg_user(tgid: int = STRANGER, first: str = "Иван", last: str | None = "Иванов", **kw: Any) -> TelegramUser:
    return TelegramUser(id=tgid, first_name=first, last_name=last, **kw)


async def notices(template: str | None = None) -> list[dict[str, Any]]:
    """Notification payloads in the outbox, oldest first."""
    async with db.session_scope() as s:
        rows = (await s.execute(select(OutboxEvent).order_by(OutboxEvent.id))).scalars().all()  # type: ignore[arg-type]
    payloads = [row.payload for row in rows if row.payload.get("type") == "notification"]
    return [p for p in payloads if template is None or p["template"] == template]


async def get_user(tgid: int) -> User | None:
    async with db.session_scope() as s:
        return await s.get(User, tgid)


async def office_name_of(tgid: int) -> str:
    """The name of the office the user belongs to."""
    async with db.session_scope() as s:
        user = await s.get(User, tgid)
        assert user is not None
        office = await s.get(Office, user.office_id)
        assert office is not None
        return office.name


async def get_cafe(cafe_id: int) -> Cafe:
    async with db.session_scope() as s:
        cafe = await s.get(Cafe, cafe_id)
        assert cafe is not None
        return cafe


async def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables these rules touch; equal snapshots mean nothing changed."""
    result = {}
    async with db.session_scope() as s:
        for table in SNAPSHOT_TABLES:
            rows = await s.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
            result[table] = [tuple(row) for row in rows]
    return result


async def active_manager_ids() -> list[int]:
    async with db.session_scope() as s:
        rows = await s.execute(
            text("SELECT tgid FROM users WHERE role = 'manager' AND is_active ORDER BY tgid"),
        )
        return [row[0] for row in rows]
