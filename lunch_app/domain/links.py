"""Linking a cafe to its Telegram chat (SPEC §4 "Cafe linking").

`/link <cafe_id>` in the cafe's chat files a request; a manager approves or rejects it (dashboard or a
Telegram button). Decisions worth knowing:
- One chat serves one cafe and one cafe has one chat (cafes.tg_chat_id is unique). A request is refused
  when the cafe is already linked (to this or another chat) or when the chat already serves another cafe:
  a manager unlinks first. Silently moving a chat would stop another cafe's digests.
- If, between request and approval, the chat got linked to another cafe (two pending requests from one
  chat), the approval is refused with `error.link.chat_linked_elsewhere`; the manager rejects the request.
- At most one pending request per cafe: checked first for a friendly message, guarded by a partial unique
  index in the database so concurrent `/link`s cannot both pass.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt, StrictStr, StringConstraints
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain import approvals, audit
from lunch_app.domain.errors import Conflict, NotFound
from lunch_app.domain.validation import parse
from lunch_app.events.outbox import notify
from lunch_app.models import Cafe, CafeLinkRequest, RequestStatus

ChatId = Annotated[StrictInt, Field(gt=-(2**63), lt=2**63)]
CafeId = Annotated[StrictInt, Field(gt=0, lt=2**31)]


class _LinkInput(BaseModel):
    cafe_id: CafeId
    chat_id: ChatId
    chat_title: Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=255)]
    requested_by: Annotated[StrictInt, Field(gt=0, lt=2**63)]
    requested_by_username: Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=64)] | None = None


class _ChatRef(BaseModel):
    chat_id: ChatId


class ChatState(enum.StrEnum):
    linked = "linked"
    pending = "pending"
    none = "none"


@dataclass(frozen=True)
class ChatStatus:
    """What `/status` says in a chat."""

    state: ChatState
    cafe_id: int | None = None
    cafe_name: str | None = None
    notifications_enabled: bool = False
    request_id: int | None = None


@dataclass(frozen=True)
class LinkRequestInfo:
    """A link request as the dashboard shows it: with the cafe's name, the chat title and the requester."""

    id: int
    cafe_id: int
    cafe_name: str
    chat_id: int
    chat_title: str
    requested_by: int
    requested_by_username: str | None
    status: RequestStatus
    created_at: datetime
    processed_at: datetime | None
    processed_by: int | None


async def _cafe_for_update(session: AsyncSession, cafe_id: int) -> Cafe | None:
    stmt = select(Cafe).where(col(Cafe.id) == cafe_id).with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def _cafe_of_chat(session: AsyncSession, chat_id: int) -> Cafe | None:
    return (await session.execute(select(Cafe).where(col(Cafe.tg_chat_id) == chat_id))).scalar_one_or_none()


async def request_link(
    session: AsyncSession,
    *,
    cafe_id: object,
    chat_id: object,
    chat_title: object,
    requested_by: object,
    requested_by_username: object = None,
) -> CafeLinkRequest:
    """File a link request from a chat; every active manager gets a notice with Approve/Reject buttons.

    The bot parses `/link <id>` and answers a missing or non-numeric id itself; here `cafe_id` must be an int.
    """
    data = parse(
        _LinkInput,
        {
            "cafe_id": cafe_id,
            "chat_id": chat_id,
            "chat_title": chat_title,
            "requested_by": requested_by,
            "requested_by_username": requested_by_username,
        },
    )
    title = data.chat_title or str(data.chat_id)
    username = (data.requested_by_username or "").lstrip("@") or None

    cafe = await session.get(Cafe, data.cafe_id)
    if cafe is None:
        raise NotFound("error.link.cafe_not_found", cafe_id=data.cafe_id)
    if not cafe.is_active:
        raise Conflict("error.link.cafe_inactive", cafe=cafe.name)
    if cafe.tg_chat_id == data.chat_id:
        raise Conflict("error.link.already_linked_here", cafe=cafe.name)
    if cafe.tg_chat_id is not None:
        raise Conflict("error.link.already_linked", cafe=cafe.name)
    other = await _cafe_of_chat(session, data.chat_id)
    if other is not None:
        raise Conflict("error.link.chat_linked_elsewhere", cafe=other.name)
    pending = (
        await session.execute(
            select(col(CafeLinkRequest.id)).where(
                col(CafeLinkRequest.cafe_id) == data.cafe_id, col(CafeLinkRequest.status) == RequestStatus.pending
            )
        )
    ).first()
    if pending is not None:
        raise Conflict("error.link.already_pending", cafe=cafe.name)

    request = CafeLinkRequest(
        cafe_id=data.cafe_id,
        tg_chat_id=data.chat_id,
        tg_chat_title=title,
        requested_by=data.requested_by,
        requested_by_username=username,
        status=RequestStatus.pending,
        created_at=get_clock().utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(request)
    except IntegrityError:
        raise Conflict("error.link.already_pending", cafe=cafe.name) from None

    params = {
        "request_id": request.id,
        "cafe_id": cafe.id,
        "cafe_name": cafe.name,
        "chat_id": data.chat_id,
        "chat_title": title,
        "requested_by": data.requested_by,
        "requested_by_username": username,
    }
    await approvals.tell_managers(session, template="link_request_new", params=params)
    return request


async def _request_for_decision(session: AsyncSession, actor_tgid: int, request_id: object) -> CafeLinkRequest:
    request = await approvals.request_for_decision(
        session,
        CafeLinkRequest,
        actor_tgid=actor_tgid,
        request_id=request_id,
        not_found_key="error.link.request_not_found",
    )
    if request.status != RequestStatus.pending:
        raise Conflict("error.link.already_processed")
    return request


async def _close_request(
    session: AsyncSession,
    request: CafeLinkRequest,
    status: RequestStatus,
    actor_tgid: int,
    *,
    cafe_name: str,
    template: str,
    action: str,
) -> CafeLinkRequest:
    """Record the manager's decision, tell the chat that asked, and audit it on the cafe."""
    approvals.decide(request, status, actor_tgid)
    notify(
        session,
        template=template,
        params={"cafe_id": request.cafe_id, "cafe_name": cafe_name, "request_id": request.id},
        chat_id=request.tg_chat_id,
    )
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action=action,
        entity="cafe",
        entity_id=request.cafe_id,
        details={"request_id": request.id, "chat_id": request.tg_chat_id, "chat_title": request.tg_chat_title},
    )
    await session.flush()
    return request


async def approve_link(session: AsyncSession, *, actor_tgid: int, request_id: object) -> CafeLinkRequest:
    """Link the cafe to the request's chat (notifications on) and tell the chat."""
    request = await _request_for_decision(session, actor_tgid, request_id)
    cafe = await _cafe_for_update(session, request.cafe_id)
    if cafe is None:  # the FK cascades, so only a concurrent delete gets here
        raise NotFound("error.link.cafe_not_found", cafe_id=request.cafe_id)
    if cafe.tg_chat_id is not None and cafe.tg_chat_id != request.tg_chat_id:
        raise Conflict("error.link.already_linked", cafe=cafe.name)
    other = await _cafe_of_chat(session, request.tg_chat_id)
    if other is not None and other.id != cafe.id:
        raise Conflict("error.link.chat_linked_elsewhere", cafe=other.name)

    try:
        async with session.begin_nested():
            cafe.tg_chat_id = request.tg_chat_id
            cafe.tg_chat_title = request.tg_chat_title
            cafe.linked_at = get_clock().utcnow()
            cafe.notifications_enabled = True
    except IntegrityError:  # the chat was linked to another cafe at the same moment
        other = await _cafe_of_chat(session, request.tg_chat_id)
        raise Conflict("error.link.chat_linked_elsewhere", cafe=other.name if other else "") from None
    return await _close_request(
        session,
        request,
        RequestStatus.approved,
        actor_tgid,
        cafe_name=cafe.name,
        template="link_approved",
        action="link.approve",
    )


async def reject_link(session: AsyncSession, *, actor_tgid: int, request_id: object) -> CafeLinkRequest:
    """Reject a pending link request and tell the chat."""
    request = await _request_for_decision(session, actor_tgid, request_id)
    cafe = await session.get(Cafe, request.cafe_id)
    return await _close_request(
        session,
        request,
        RequestStatus.rejected,
        actor_tgid,
        cafe_name=cafe.name if cafe else "",
        template="link_rejected",
        action="link.reject",
    )


async def chat_status(session: AsyncSession, chat_id: object) -> ChatStatus:
    """`/status`: the cafe this chat is linked to, else its newest pending request, else nothing."""
    chat = parse(_ChatRef, {"chat_id": chat_id}).chat_id
    cafe = await _cafe_of_chat(session, chat)
    if cafe is not None:
        return ChatStatus(
            state=ChatState.linked,
            cafe_id=cafe.id,
            cafe_name=cafe.name,
            notifications_enabled=cafe.notifications_enabled,
        )
    row = (
        await session.execute(
            select(CafeLinkRequest, col(Cafe.name))
            .join(Cafe, col(Cafe.id) == col(CafeLinkRequest.cafe_id))
            .where(col(CafeLinkRequest.tg_chat_id) == chat, col(CafeLinkRequest.status) == RequestStatus.pending)
            .order_by(col(CafeLinkRequest.created_at).desc(), col(CafeLinkRequest.id).desc())
            .limit(1)
        )
    ).first()
    if row is not None:
        request, cafe_name = row
        return ChatStatus(state=ChatState.pending, cafe_id=request.cafe_id, cafe_name=cafe_name, request_id=request.id)
    return ChatStatus(state=ChatState.none)


async def list_link_requests(session: AsyncSession, *, status: object = None) -> list[LinkRequestInfo]:
    """Link requests, newest first, optionally of one status, with the cafe's name."""
    wanted = approvals.status_filter(status)
    stmt = (
        select(CafeLinkRequest, col(Cafe.name))
        .join(Cafe, col(Cafe.id) == col(CafeLinkRequest.cafe_id))
        .order_by(col(CafeLinkRequest.created_at).desc(), col(CafeLinkRequest.id).desc())
    )
    if wanted is not None:
        stmt = stmt.where(col(CafeLinkRequest.status) == wanted)
    result = []
    for request, cafe_name in (await session.execute(stmt)).all():
        assert request.id is not None
        result.append(
            LinkRequestInfo(
                id=request.id,
                cafe_id=request.cafe_id,
                cafe_name=cafe_name,
                chat_id=request.tg_chat_id,
                chat_title=request.tg_chat_title,
                requested_by=request.requested_by,
                requested_by_username=request.requested_by_username,
                status=request.status,
                created_at=request.created_at,
                processed_at=request.processed_at,
                processed_by=request.processed_by,
            )
        )
    return result
