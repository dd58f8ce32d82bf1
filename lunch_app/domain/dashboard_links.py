"""One-time dashboard sign-in links for managers on a desktop (the bot's `/dashboard`, SPEC §4).

The token is random (256 bits, URL-safe) and shown once; only its SHA-256 is stored, so a leaked
database does not leak usable links. Redeeming is a single conditional UPDATE … RETURNING: of two
concurrent redemptions exactly one wins, and an expired or used token never signs anyone in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain import audit
from lunch_app.domain.errors import Forbidden
from lunch_app.domain.users import require_manager
from lunch_app.models import DashboardToken, User
from lunch_app.settings import get_settings

TOKEN_BYTES = 32
_TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# Expired tokens are kept a day (for a look in the database), then removed when new ones are issued.
_KEEP_EXPIRED = timedelta(days=1)


def sign_in_url(public_url: str, token: str) -> str:
    """The link a manager opens on a desktop: /manager/login?token=… on the public site."""
    return f"{public_url.rstrip('/')}/manager/login?token={quote(token, safe='')}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_dashboard_token(session: AsyncSession, *, manager_tgid: int) -> str:
    """A fresh single-use token for `manager_tgid`, valid DASHBOARD_LINK_TTL seconds (default 10 minutes)."""
    await require_manager(session, manager_tgid)
    now = get_clock().utcnow()
    await session.execute(delete(DashboardToken).where(col(DashboardToken.expires_at) < now - _KEEP_EXPIRED))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        DashboardToken(
            token_hash=_hash(token),
            manager_tgid=manager_tgid,
            expires_at=now + timedelta(seconds=get_settings().dashboard_link_ttl),
            created_at=now,
        )
    )
    audit.record(
        session, actor_tgid=manager_tgid, action="dashboard.link_issued", entity="user", entity_id=manager_tgid
    )
    await session.flush()
    return token


async def redeem_dashboard_token(session: AsyncSession, token: object) -> User:
    """Use the token (once) and return its manager; unknown, used or expired tokens are refused.

    The manager must still be active and a manager at this moment, not only when the link was issued.
    """
    if not isinstance(token, str) or not 16 <= len(token) <= 128 or not set(token) <= _TOKEN_ALPHABET:
        raise Forbidden("error.dashboard.link_invalid")
    now = get_clock().utcnow()
    stmt = (
        update(DashboardToken)
        .where(
            col(DashboardToken.token_hash) == _hash(token),
            col(DashboardToken.used_at).is_(None),
            col(DashboardToken.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(DashboardToken.manager_tgid))
        .execution_options(synchronize_session=False)
    )
    manager_tgid = (await session.execute(stmt)).scalar_one_or_none()
    if manager_tgid is None:
        raise Forbidden("error.dashboard.link_invalid")
    return await require_manager(session, manager_tgid)
