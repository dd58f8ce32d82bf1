"""Who may use the product (SPEC §4 "Access"): sign-in, access requests, managers, user management.

Decisions worth knowing:
- Signing in refreshes only what Telegram owns (username, language); name and office belong to the
  managers and are never overwritten — except the placeholder name given to a bootstrapped manager.
- Everybody belongs to an office (lunch_app/domain/offices.py). The access form offers the active offices as a
  choice; a manager adding someone picks an active office; a manager bootstrapped from MANAGER_TGIDS (or created
  at the CLI without --office) joins the default office.
- A rejected requester cannot re-apply (they see the "rejected" screen); a manager can still approve them.
- Deleting a user keeps their orders (FK SET NULL + name snapshot) and their access request; if they come
  back, filing the form again re-opens that request as pending.
- The last active manager cannot be demoted, deactivated or deleted. Every such change first locks the
  rows of all active managers (FOR UPDATE, in tgid order) and then counts, so two managers demoting each
  other at the same time can never leave the company without one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
)
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock
from lunch_app.domain import approvals, audit
from lunch_app.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from lunch_app.domain.offices import ensure_default_office, find_office, require_active_office
from lunch_app.domain.users import UserView, require_active_user, require_manager, user_view
from lunch_app.domain.validation import like_pattern, parse, search_number
from lunch_app.events.outbox import notify
from lunch_app.i18n import normalize_language
from lunch_app.models import AccessRequest, Office, RequestStatus, Role, User
from lunch_app.telegram_auth import TelegramUser

# Printable text only: names end up in Telegram messages and CSV files.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
MAX_NAME = 100
MAX_OFFICE = 100
Name = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME, pattern=_PRINTABLE)
]
OfficeName = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=MAX_OFFICE, pattern=_PRINTABLE)]
OfficeId = Annotated[StrictInt, Field(gt=0, lt=2**31)]


def _office_id_input(value: Any) -> Any:
    """A form's select sends the id as text."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        return int(value.strip())
    return value


FormOfficeId = Annotated[OfficeId, BeforeValidator(_office_id_input)]
Username = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=64, pattern=r"^@?[A-Za-z0-9_]*$")]
MAX_TGID = 2**63 - 1  # ids are stored as BIGINT
TgId = Annotated[StrictInt, Field(gt=0, le=MAX_TGID)]
MAX_WEEKLY_LIMIT = Decimal("1000000")


def _limit_input(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, str) and not value.strip():
        return None  # an emptied form field means "no limit"
    return value


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


WeeklyLimit = Annotated[
    Annotated[Decimal, Field(ge=0, le=MAX_WEEKLY_LIMIT, decimal_places=2), AfterValidator(_cents)] | None,
    BeforeValidator(_limit_input),
]


def placeholder_name(tgid: int) -> str:
    """The name of a manager created from MANAGER_TGIDS before they ever signed in."""
    return f"Manager {tgid}"


class SignInStatus(enum.StrEnum):
    active = "active"
    disabled = "disabled"
    pending = "pending"
    rejected = "rejected"
    unknown = "unknown"


@dataclass(frozen=True)
class SignInResult:
    status: SignInStatus
    user: User | None = None
    request: AccessRequest | None = None
    prefill_name: str = ""  # for the request form: the name Telegram knows
    language: str = "ru"


@dataclass(frozen=True)
class UserPage:
    items: list[UserView]
    total: int


@dataclass(frozen=True, slots=True)
class RequestView:
    """An access request as the dashboard lists it: the request plus its office's name."""

    id: int
    tgid: int
    name: str
    username: str | None
    office_id: int
    office: str
    language: str
    status: RequestStatus
    created_at: datetime
    processed_at: datetime | None
    processed_by: int | None


class _AccessForm(BaseModel):
    name: Name
    office_id: FormOfficeId


class _NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tgid: TgId
    name: Name
    office_id: FormOfficeId
    username: Username | None = None
    language: Literal["ru", "en"] = "ru"
    role: Role = Role.employee
    is_active: StrictBool = True
    weekly_limit: WeeklyLimit = None
    reminders_enabled: StrictBool = True


class _NewManager(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tgid: TgId
    name: Name
    office: OfficeName = ""


class _UserChanges(BaseModel):
    """A partial update: only the fields present are changed (weekly_limit=None removes the limit)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    office_id: FormOfficeId | None = None
    role: Role | None = None
    language: Literal["ru", "en"] | None = None
    weekly_limit: WeeklyLimit = None
    reminders_enabled: StrictBool | None = None


class _UserSearch(BaseModel):
    search: Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    office_id: FormOfficeId | None = None
    offset: Annotated[StrictInt, Field(ge=0, le=10_000_000)] = 0
    limit: Annotated[StrictInt, Field(ge=1, le=500)] = 50


class _Target(BaseModel):
    tgid: TgId


class _Flag(BaseModel):
    value: StrictBool


class _TgIdList(BaseModel):
    tgids: list[TgId]


def parse_tgid(value: object) -> int:
    """A Telegram user id from untrusted input (a positive BIGINT, an int and nothing else), or InvalidInput."""
    return parse(_Target, {"tgid": value}).tgid


def _clean_username(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lstrip("@")
    return value[:64] or None


# --- sign-in -------------------------------------------------------------------------------------------


async def sign_in(session: AsyncSession, tg_user: TelegramUser) -> SignInResult:
    """Decide which screen a Telegram user sees, from signed data only (see telegram_auth)."""
    if not isinstance(tg_user, TelegramUser):
        raise InvalidInput("error.invalid_input", details="user", field="user")
    telegram_language = normalize_language(tg_user.language_code) if tg_user.language_code else None
    user = await session.get(User, tg_user.id)
    if user is not None:
        if not user.is_active:
            return SignInResult(SignInStatus.disabled, user=user, language=user.language)
        _refresh_from_telegram(user, tg_user, telegram_language)
        return SignInResult(SignInStatus.active, user=user, language=user.language)

    request = await _request_of(session, tg_user.id)
    language = telegram_language or (request.language if request is not None else "ru")
    prefill = tg_user.full_name
    if request is not None and request.status == RequestStatus.pending:
        return SignInResult(SignInStatus.pending, request=request, prefill_name=prefill, language=language)
    if request is not None and request.status == RequestStatus.rejected:
        return SignInResult(SignInStatus.rejected, request=request, prefill_name=prefill, language=language)
    return SignInResult(SignInStatus.unknown, request=request, prefill_name=prefill, language=language)


def _refresh_from_telegram(user: User, tg_user: TelegramUser, language: str | None) -> None:
    username = _clean_username(tg_user.username)
    if user.username != username:
        user.username = username
    if language is not None and user.language != language:
        user.language = language
    # The only name sign-in may set: the placeholder of a manager bootstrapped from MANAGER_TGIDS.
    if user.name == placeholder_name(user.tgid) and tg_user.full_name:
        user.name = tg_user.full_name


async def _request_of(session: AsyncSession, tgid: int, *, for_update: bool = False) -> AccessRequest | None:
    stmt = select(AccessRequest).where(col(AccessRequest.tgid) == tgid).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


# --- access requests -----------------------------------------------------------------------------------


async def request_access(
    session: AsyncSession, *, tg_user: TelegramUser, name: object, office_id: object
) -> AccessRequest:
    """File (or refresh while pending) the access request of an unknown Telegram user, for one active office.

    Every active manager gets a notice with Approve/Reject buttons when a request becomes pending.
    """
    if not isinstance(tg_user, TelegramUser):
        raise InvalidInput("error.invalid_input", details="user", field="user")
    form = parse(_AccessForm, {"name": name, "office_id": office_id})
    await require_active_office(session, form.office_id)
    language = normalize_language(tg_user.language_code)
    username = _clean_username(tg_user.username)

    user = await session.get(User, tg_user.id)
    if user is not None:
        raise Forbidden("error.access.disabled") if not user.is_active else Conflict("error.access.already_member")

    now = get_clock().utcnow()
    request = await _request_of(session, tg_user.id, for_update=True)
    if request is None:
        request = AccessRequest(
            tgid=tg_user.id,
            name=form.name,
            office_id=form.office_id,
            username=username,
            language=language,
            status=RequestStatus.pending,
            created_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(request)
        except IntegrityError:
            # The same person submitted twice at once: the other submission created the request.
            request = await _request_of(session, tg_user.id, for_update=True)
            if request is None:
                raise
            _refresh_request(request, form, username, language)
            return request
        await _notify_managers_of_request(session, request)
        return request

    if request.status == RequestStatus.pending:
        _refresh_request(request, form, username, language)
        await session.flush()
        return request
    if request.status == RequestStatus.rejected:
        raise Conflict("error.access.request_rejected")
    # Approved earlier, but the user was deleted since: the request opens again.
    _refresh_request(request, form, username, language)
    request.status = RequestStatus.pending
    request.created_at = now
    request.processed_at = None
    request.processed_by = None
    await session.flush()
    await _notify_managers_of_request(session, request)
    return request


def _refresh_request(request: AccessRequest, form: _AccessForm, username: str | None, language: str) -> None:
    request.name = form.name
    request.office_id = form.office_id
    request.username = username
    request.language = language


async def _office_name(session: AsyncSession, office_id: int) -> str:
    office = await session.get(Office, office_id)
    return office.name if office is not None else ""


async def _notify_managers_of_request(session: AsyncSession, request: AccessRequest) -> None:
    await session.flush()
    params = {
        "request_id": request.id,
        "tgid": request.tgid,
        "name": request.name,
        "office": await _office_name(session, request.office_id),
        "username": request.username,
    }
    await approvals.tell_managers(session, template="access_request_new", params=params)


async def _request_for_decision(session: AsyncSession, actor_tgid: int, request_id: object) -> AccessRequest:
    return await approvals.request_for_decision(
        session,
        AccessRequest,
        actor_tgid=actor_tgid,
        request_id=request_id,
        not_found_key="error.access.request_not_found",
    )


async def _close_request(
    session: AsyncSession,
    request: AccessRequest,
    status: RequestStatus,
    actor_tgid: int,
    *,
    template: str,
    action: str,
    **details: Any,
) -> AccessRequest:
    """Record the manager's decision, tell the requester, and audit it (with `details` added)."""
    approvals.decide(request, status, actor_tgid)
    notify(session, template=template, params={"name": request.name}, user_tgid=request.tgid)
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action=action,
        entity="access_request",
        entity_id=request.id,
        details={
            "tgid": request.tgid,
            "name": request.name,
            "office": await _office_name(session, request.office_id),
            **details,
        },
    )
    await session.flush()
    return request


async def approve_request(session: AsyncSession, *, actor_tgid: int, request_id: object) -> AccessRequest:
    """Approve a pending (or earlier rejected) request: the person becomes an active employee."""
    request = await _request_for_decision(session, actor_tgid, request_id)
    if request.status == RequestStatus.approved:
        raise Conflict("error.access.already_processed")
    previous = request.status
    user = await _fresh_user(session, request.tgid, for_update=True)
    if user is None:
        user = User(
            tgid=request.tgid,
            name=request.name,
            office_id=request.office_id,
            username=request.username,
            language=request.language,
            role=Role.employee,
            is_active=True,
        )
        session.add(user)
    else:
        user.is_active = True
    return await _close_request(
        session,
        request,
        RequestStatus.approved,
        actor_tgid,
        template="access_approved",
        action="access.approve",
        was=previous.value,
    )


async def reject_request(session: AsyncSession, *, actor_tgid: int, request_id: object) -> AccessRequest:
    """Reject a pending request. An approved one cannot be rejected (deactivate the user instead)."""
    request = await _request_for_decision(session, actor_tgid, request_id)
    if request.status != RequestStatus.pending:
        raise Conflict("error.access.already_processed")
    return await _close_request(
        session, request, RequestStatus.rejected, actor_tgid, template="access_rejected", action="access.reject"
    )


async def list_requests(session: AsyncSession, *, status: object = None) -> list[RequestView]:
    """Access requests, newest first, optionally of one status, with their office's name."""
    wanted = approvals.status_filter(status)
    stmt = (
        select(AccessRequest, col(Office.name))
        .join(Office, col(Office.id) == col(AccessRequest.office_id))
        .order_by(col(AccessRequest.created_at).desc(), col(AccessRequest.id).desc())
    )
    if wanted is not None:
        stmt = stmt.where(col(AccessRequest.status) == wanted)
    return [
        RequestView(
            id=request.id or 0,
            tgid=request.tgid,
            name=request.name,
            username=request.username,
            office_id=request.office_id,
            office=office,
            language=request.language,
            status=RequestStatus(request.status),
            created_at=request.created_at,
            processed_at=request.processed_at,
            processed_by=request.processed_by,
        )
        for request, office in (await session.execute(stmt)).all()
    ]


# --- managers ------------------------------------------------------------------------------------------


async def ensure_managers(session: AsyncSession, tgids: list[int]) -> list[User]:
    """Start-up bootstrap from MANAGER_TGIDS: each id becomes an active manager (created if missing).

    Safe when several processes start at once: a concurrent insert of the same id is caught and the
    existing row is promoted instead.
    """
    wanted = parse(_TgIdList, {"tgids": tgids}).tgids
    result = []
    for tgid in dict.fromkeys(wanted):
        result.append(await _make_manager(session, tgid=tgid, name=None, office_id=None, action="manager.ensure"))
    return result


async def create_manager(session: AsyncSession, *, tgid: object, name: object, office: object = "") -> User:
    """The CLI's "add a manager": creates the user, or promotes and activates an existing one. `office` names an
    existing office (any case); left empty, a new manager joins the default office and an existing one stays."""
    data = parse(_NewManager, {"tgid": tgid, "name": name, "office": office})
    office_id = None
    if data.office:
        found = await find_office(session, data.office)
        if found is None:
            raise NotFound("error.office.unknown", office=data.office)
        office_id = found.id
    return await _make_manager(session, tgid=data.tgid, name=data.name, office_id=office_id, action="manager.create")


async def _make_manager(
    session: AsyncSession, *, tgid: int, name: str | None, office_id: int | None, action: str
) -> User:
    user = await _fresh_user(session, tgid, for_update=True)
    created = False
    if user is None:
        home = office_id if office_id is not None else (await ensure_default_office(session)).id
        assert home is not None
        candidate = User(
            tgid=tgid, name=name or placeholder_name(tgid), office_id=home, role=Role.manager, is_active=True
        )
        try:
            async with session.begin_nested():
                session.add(candidate)
            user, created = candidate, True
        except IntegrityError:
            user = await _fresh_user(session, tgid, for_update=True)
            if user is None:
                raise
    changed = created or user.role != Role.manager or not user.is_active
    user.role = Role.manager
    user.is_active = True
    if name is not None and user.name != name:
        user.name, changed = name, True
    if office_id is not None and user.office_id != office_id:
        user.office_id, changed = office_id, True
    if changed:
        audit.record(
            session,
            actor_tgid=None,
            action=action,
            entity="user",
            entity_id=tgid,
            details={"created": created, "name": user.name},
        )
    await session.flush()
    return user


# --- users (dashboard) ---------------------------------------------------------------------------------


async def _fresh_user(session: AsyncSession, tgid: int, *, for_update: bool = False) -> User | None:
    stmt = select(User).where(col(User.tgid) == tgid).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def _target(session: AsyncSession, tgid: int) -> User:
    user = await _fresh_user(session, tgid, for_update=True)
    if user is None:
        raise NotFound("error.user.not_found")
    return user


async def _lock_active_managers(session: AsyncSession, actor_tgid: int) -> set[int]:
    """Lock every active manager row and return their ids; the actor must still be one of them.

    Rows are locked in tgid order, so concurrent callers queue up instead of deadlocking; after the wait
    PostgreSQL re-checks the WHERE clause, so a manager demoted meanwhile is no longer counted.
    """
    stmt = (
        select(col(User.tgid))
        .where(col(User.role) == Role.manager, col(User.is_active).is_(True))
        .order_by(col(User.tgid))
        .with_for_update()
    )
    managers = set((await session.execute(stmt)).scalars())
    if actor_tgid not in managers:
        raise Forbidden("error.access.manager_only")
    return managers


def _guard_last_manager(user: User, managers: set[int]) -> None:
    if user.tgid in managers and len(managers) <= 1:
        raise Conflict("error.access.last_manager")


async def list_users(
    session: AsyncSession, *, search: object = None, offset: object = 0, limit: object = 50, office_id: object = None
) -> UserPage:
    """Users for the dashboard, by name; `search` matches name, office, username or the Telegram id; `office_id`
    keeps one office's people."""
    query = parse(_UserSearch, {"search": search, "offset": offset, "limit": limit, "office_id": office_id})
    stmt = select(User, col(Office.name)).join(Office, col(Office.id) == col(User.office_id))
    if query.office_id is not None:
        stmt = stmt.where(col(User.office_id) == query.office_id)
    if query.search:
        text = query.search.lstrip("@")
        pattern = like_pattern(text)
        conditions: list[ColumnElement[bool]] = [
            col(User.name).ilike(pattern, escape="\\"),
            col(Office.name).ilike(pattern, escape="\\"),
            col(User.username).ilike(pattern, escape="\\"),
        ]
        number = search_number(text)
        if number is not None:
            conditions.append(col(User.tgid) == number)
        stmt = stmt.where(or_(*conditions))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(func.lower(col(User.name)), col(User.tgid)).offset(query.offset).limit(query.limit)
    rows = (await session.execute(page)).all()
    return UserPage(items=[user_view(user, office) for user, office in rows], total=int(total))


async def add_user(session: AsyncSession, *, actor_tgid: int, data: Any) -> User:
    """A manager adds a person directly. A pending or rejected request of that person is marked approved."""
    await require_manager(session, actor_tgid)
    fields = parse(_NewUser, data, {"office_id": "error.office.bad_id"})
    await require_active_office(session, fields.office_id)
    if await _fresh_user(session, fields.tgid) is not None:
        raise Conflict("error.user.exists")
    user = User(
        tgid=fields.tgid,
        name=fields.name,
        office_id=fields.office_id,
        username=_clean_username(fields.username),
        language=fields.language,
        role=fields.role,
        is_active=fields.is_active,
        weekly_limit=fields.weekly_limit,
        reminders_enabled=fields.reminders_enabled,
    )
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise Conflict("error.user.exists") from None
    request = await _request_of(session, fields.tgid, for_update=True)
    if request is not None and request.status != RequestStatus.approved:
        approvals.decide(request, RequestStatus.approved, actor_tgid)
        if user.is_active:
            notify(session, template="access_approved", params={"name": user.name}, user_tgid=user.tgid)
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="user.add",
        entity="user",
        entity_id=user.tgid,
        details=fields.model_dump(),
    )
    await session.flush()
    return user


async def update_user(session: AsyncSession, *, actor_tgid: int, tgid: object, data: Any) -> User:
    """Change name, office, role, language, weekly limit or reminders; only the given fields change. A person
    is moved only into an active office."""
    await require_manager(session, actor_tgid)
    target_tgid = parse_tgid(tgid)
    changes = parse(_UserChanges, data, {"office_id": "error.office.bad_id"})
    given = changes.model_fields_set
    for required in ("name", "office_id", "role", "language", "reminders_enabled"):
        if required in given and getattr(changes, required) is None:
            raise InvalidInput("error.invalid_input", details=required, field=required)

    demoting = "role" in given and changes.role == Role.employee
    managers = await _lock_active_managers(session, actor_tgid) if demoting else set()
    user = await _target(session, target_tgid)
    if demoting and user.role == Role.manager:
        _guard_last_manager(user, managers)

    if "office_id" in given and changes.office_id != user.office_id:
        await require_active_office(session, changes.office_id)
    diff: dict[str, Any] = {}
    for name in ("name", "office_id", "role", "language", "weekly_limit", "reminders_enabled"):
        if name not in given:
            continue
        new = getattr(changes, name)
        old = getattr(user, name)
        if new != old:
            setattr(user, name, new)
            diff[name] = {"from": old, "to": new}
    if diff:
        audit.record(
            session, actor_tgid=actor_tgid, action="user.update", entity="user", entity_id=user.tgid, details=diff
        )
    await session.flush()
    return user


async def set_user_active(session: AsyncSession, *, actor_tgid: int, tgid: object, active: object) -> User:
    """Activate or deactivate a user. A deactivated user sees the "access disabled" screen."""
    await require_manager(session, actor_tgid)
    target_tgid = parse_tgid(tgid)
    value = parse(_Flag, {"value": active}).value
    managers = await _lock_active_managers(session, actor_tgid) if not value else set()
    user = await _target(session, target_tgid)
    if not value:
        _guard_last_manager(user, managers)
    if user.is_active != value:
        user.is_active = value
        audit.record(
            session,
            actor_tgid=actor_tgid,
            action="user.activate" if value else "user.deactivate",
            entity="user",
            entity_id=user.tgid,
            details={"name": user.name},
        )
    await session.flush()
    return user


async def delete_user(session: AsyncSession, *, actor_tgid: int, tgid: object) -> None:
    """Delete a user; their orders stay (user_tgid becomes NULL, the name snapshot remains)."""
    await require_manager(session, actor_tgid)
    target_tgid = parse_tgid(tgid)
    managers = await _lock_active_managers(session, actor_tgid)
    user = await _target(session, target_tgid)
    _guard_last_manager(user, managers)
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="user.delete",
        entity="user",
        entity_id=user.tgid,
        details={"name": user.name, "office": await _office_name(session, user.office_id), "role": user.role},
    )
    await session.delete(user)
    await session.flush()


async def set_reminders(session: AsyncSession, *, user_tgid: int, enabled: object) -> User:
    """The employee's own reminder switch (profile)."""
    value = parse(_Flag, {"value": enabled}).value
    user = await require_active_user(session, user_tgid, for_update=True)
    user.reminders_enabled = value
    await session.flush()
    return user
