"""What access requests and cafe link requests share: a manager finds one, locked, and decides it.

The rules of each kind (who is told, what is audited, which states may be decided) stay in access.py
and links.py.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, StrictInt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain.errors import NotFound
from lunch_app.domain.users import active_managers, require_manager
from lunch_app.domain.validation import parse
from lunch_app.events.outbox import notify
from lunch_app.models import AccessRequest, CafeLinkRequest, RequestStatus

R = TypeVar("R", AccessRequest, CafeLinkRequest)


class _RequestRef(BaseModel):
    request_id: Annotated[StrictInt, Field(gt=0, lt=2**31)]


class _StatusFilter(BaseModel):
    status: RequestStatus | None = None


def status_filter(status: object) -> RequestStatus | None:
    """The status a list of requests is narrowed to (untrusted input); None for all."""
    return parse(_StatusFilter, {"status": status}).status


async def tell_managers(session: AsyncSession, *, template: str, params: dict[str, Any]) -> None:
    """Every active manager gets the notice of a request waiting for a decision."""
    for manager in await active_managers(session):
        notify(session, template=template, params=params, user_tgid=manager.tgid)


async def request_for_decision(
    session: AsyncSession, model: type[R], *, actor_tgid: int, request_id: object, not_found_key: str
) -> R:
    """The request, locked until commit and read afresh, once the actor is known to be a manager."""
    await require_manager(session, actor_tgid)
    ref = parse(_RequestRef, {"request_id": request_id})
    stmt = (
        select(model).where(col(model.id) == ref.request_id).with_for_update().execution_options(populate_existing=True)
    )
    request = (await session.execute(stmt)).scalar_one_or_none()
    if request is None:
        raise NotFound(not_found_key)
    return request


def decide(request: AccessRequest | CafeLinkRequest, status: RequestStatus, actor_tgid: int | None) -> None:
    """Mark the request decided: its new status, when, and by which manager (None: the operator at the CLI)."""
    request.status = status
    request.processed_at = get_clock().utcnow()
    request.processed_by = actor_tgid
