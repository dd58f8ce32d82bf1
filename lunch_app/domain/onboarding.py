"""Bulk onboarding: people from an HR file (issue 11 "Bulk onboarding"). One parser and one set of rules serve the
CLI (`python -m lunch_app.cli import-users FILE [--dry-run] [--skip-invalid]`) and the dashboard's
upload → preview → apply.

The file: CSV (UTF-8, with or without a byte-order mark, `;` or `,` separated) or XLSX, columns tgid, name, office
and optionally role and weekly_limit, with Russian or English headers (domain/tables.py reads it).

Rules:
- Every row is checked and every problem reported with its line: a bad Telegram id, an empty or over-long name,
  an unknown or deactivated office (offices are matched by name, any case), a role that is neither employee nor
  manager, a bad limit, a Telegram id that appears twice (all its rows are refused), a row that would leave the
  company without an active manager. Problems of the whole file (not UTF-8, empty, unknown/missing/duplicated
  columns) refuse the file. With any problem nothing is changed, unless invalid rows are skipped on purpose.
- A new tgid becomes an active person at once (no access request needed; a pending or rejected request of theirs
  is marked approved and they are told, as when a manager adds them by hand).
- An existing tgid gets the file's name and office; the role when the role cell is filled (empty: unchanged), the
  limit when the file has a limit column (an empty cell: no limit); a deactivated person is activated again. A row
  that changes nothing is left alone, so importing the same file twice changes nothing the second time.
- The last active manager is never demoted: the rows that would do it are refused (locks as in access.py).
- Each created or changed person gets an audit entry (`user.import`).
"""

from __future__ import annotations

import enum
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.domain import approvals, audit
from lunch_app.domain.access import MAX_NAME, MAX_TGID, MAX_WEEKLY_LIMIT
from lunch_app.domain.errors import DomainError
from lunch_app.domain.offices import offices_by_key
from lunch_app.domain.tables import RowProblem, TableError, TableRow, cell_text, read_table
from lunch_app.domain.users import require_manager
from lunch_app.events.outbox import notify
from lunch_app.models import AccessRequest, Office, RequestStatus, Role, User

MAX_ROWS = 5000
CENT = Decimal("0.01")

COLUMNS: dict[str, tuple[str, ...]] = {
    "tgid": ("telegram id", "telegram", "tg id", "tg", "id", "user id", "телеграм id", "телеграм", "ид"),
    "name": ("full name", "employee", "имя", "фио", "сотрудник", "имя и фамилия"),
    "office": ("офис",),
    "role": ("роль",),
    "weekly_limit": ("limit", "weekly limit", "лимит", "недельный лимит", "лимит в неделю", "лимит на неделю"),
}
REQUIRED = ("tgid", "name", "office")
_ROLES = {
    "employee": Role.employee,
    "сотрудник": Role.employee,
    "работник": Role.employee,
    "manager": Role.manager,
    "менеджер": Role.manager,
}


class RowAction(enum.StrEnum):
    create = "create"
    update = "update"
    unchanged = "unchanged"


@dataclass(frozen=True)
class ImportRow:
    """One row of the file as checked against the database: what applying it does, or why it cannot."""

    line: int
    tgid: int | None
    name: str
    office: str  # the office's name as stored (or as written in the file when unknown)
    office_id: int | None
    role: Role | None  # None: the role cell is empty (a new person becomes an employee)
    weekly_limit: Decimal | None
    action: RowAction | None  # None: the row is invalid
    changes: tuple[str, ...] = ()  # for an update: name, office, role, weekly_limit, is_active
    problems: tuple[RowProblem, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportPlan:
    rows: list[ImportRow]
    has_limit_column: bool
    has_role_column: bool

    @property
    def problems(self) -> list[RowProblem]:
        return [problem for row in self.rows for problem in row.problems]

    @property
    def valid(self) -> bool:
        return not self.problems

    def count(self, action: RowAction) -> int:
        return sum(1 for row in self.rows if row.action is action and row.valid)

    @property
    def invalid(self) -> int:
        return sum(1 for row in self.rows if not row.valid)


@dataclass(frozen=True)
class ImportOutcome:
    plan: ImportPlan
    created: int
    updated: int
    unchanged: int
    skipped: int  # invalid rows left out (only with skip_invalid)
    dry_run: bool
    tgids: list[int] = field(default_factory=list)  # the people created or changed


class UserImportRefused(DomainError):
    """The file has invalid rows and they were not to be skipped: nothing changed. `plan` holds every problem."""

    default_key = "error.import.invalid_rows"

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("error.import.invalid_rows", count=len(plan.problems))
        self.plan = plan


# --- cells ---------------------------------------------------------------------------------------------------


def _tgid(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    if isinstance(value, int):
        return value if 0 < value <= MAX_TGID else None
    text = cell_text(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_TGID else None


def _name(value: Any) -> str | None:
    text = cell_text(value)
    if not text or len(text) > MAX_NAME or any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        return None
    return text


def _role(value: Any) -> tuple[bool, Role | None]:
    text = cell_text(value).casefold()
    if not text:
        return True, None
    role = _ROLES.get(text)
    return role is not None, role


def _limit(value: Any) -> tuple[bool, Decimal | None]:
    if isinstance(value, bool):
        return False, None
    if value is None or (isinstance(value, str) and not value.strip()):
        return True, None
    text = str(value) if isinstance(value, int | float | Decimal) else cell_text(value).replace(" ", "")
    text = text.replace("\u00a0", "").replace("\u202f", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return False, None
    if not amount.is_finite() or amount < 0 or amount > MAX_WEEKLY_LIMIT or amount != amount.quantize(CENT):
        return False, None
    return True, amount.quantize(CENT)


# --- planning ----------------------------------------------------------------------------------------------


async def plan_user_import(session: AsyncSession, *, content: bytes, filename: str) -> ImportPlan:
    """Read and check the file against the database (reads only). File-level problems raise TableError."""
    table = read_table(content, filename, columns=COLUMNS, required=REQUIRED)
    if len(table.rows) > MAX_ROWS:
        raise TableError("error.import.too_many_rows", max=MAX_ROWS)
    offices = await offices_by_key(session)
    tgids = [tgid for row in table.rows if (tgid := _tgid(row.cells.get("tgid"))) is not None]
    existing = {
        user.tgid: user
        for user in (
            await session.execute(
                sa.select(User).where(col(User.tgid).in_(tgids)).execution_options(populate_existing=True)
            )
        ).scalars()
    }
    managers = set(
        (
            await session.execute(
                sa.select(col(User.tgid)).where(col(User.role) == Role.manager, col(User.is_active).is_(True))
            )
        ).scalars()
    )
    lines_by_tgid: dict[int, list[int]] = defaultdict(list)
    for row in table.rows:
        tgid = _tgid(row.cells.get("tgid"))
        if tgid is not None:
            lines_by_tgid[tgid].append(row.line)
    has_limit = "weekly_limit" in table.fields
    rows = [
        _check_row(row, offices=offices, existing=existing, lines_by_tgid=lines_by_tgid, has_limit=has_limit)
        for row in table.rows
    ]
    rows = _protect_last_manager(rows, existing=existing, managers=managers)
    return ImportPlan(rows=rows, has_limit_column=has_limit, has_role_column="role" in table.fields)


def _check_row(
    row: TableRow,
    *,
    offices: dict[str, Office],
    existing: dict[int, User],
    lines_by_tgid: dict[int, list[int]],
    has_limit: bool,
) -> ImportRow:
    cells, line = row.cells, row.line
    problems: list[RowProblem] = []
    if row.extra_cells:
        problems.append(RowProblem(line, "error.import.extra_cells"))
    tgid = _tgid(cells.get("tgid"))
    if tgid is None:
        problems.append(RowProblem(line, "error.import.bad_tgid", {"value": cell_text(cells.get("tgid"))[:30]}))
    elif len(lines_by_tgid[tgid]) > 1:
        lines = ", ".join(str(n) for n in lines_by_tgid[tgid])
        problems.append(RowProblem(line, "error.import.duplicate_tgid", {"tgid": tgid, "lines": lines}))
    name = _name(cells.get("name"))
    if name is None:
        problems.append(RowProblem(line, "error.import.bad_name"))
    office_text = cell_text(cells.get("office"))
    office = offices.get(office_text.casefold()) if office_text else None
    current = existing.get(tgid) if tgid is not None else None
    if not office_text:
        problems.append(RowProblem(line, "error.import.no_office"))
    elif office is None:
        problems.append(RowProblem(line, "error.import.unknown_office", {"office": office_text[:100]}))
    elif not office.is_active and (current is None or current.office_id != office.id):
        problems.append(RowProblem(line, "error.import.inactive_office", {"office": office.name}))
    role_ok, role = _role(cells.get("role"))
    if not role_ok:
        problems.append(RowProblem(line, "error.import.bad_role", {"value": cell_text(cells.get("role"))[:30]}))
    limit_ok, limit = _limit(cells.get("weekly_limit")) if has_limit else (True, None)
    if not limit_ok:
        problems.append(
            RowProblem(line, "error.import.bad_limit", {"value": cell_text(cells.get("weekly_limit"))[:30]})
        )

    action: RowAction | None = None
    changes: list[str] = []
    if not problems:
        assert tgid is not None and name is not None and office is not None
        if current is None:
            action = RowAction.create
        else:
            if current.name != name:
                changes.append("name")
            if current.office_id != office.id:
                changes.append("office")
            if role is not None and Role(current.role) != role:
                changes.append("role")
            if has_limit and current.weekly_limit != limit:
                changes.append("weekly_limit")
            if not current.is_active:
                changes.append("is_active")
            action = RowAction.update if changes else RowAction.unchanged
    return ImportRow(
        line=line,
        tgid=tgid,
        name=name or cell_text(cells.get("name"))[:MAX_NAME],
        office=office.name if office is not None else office_text[:100],
        office_id=office.id if office is not None else None,
        role=role,
        weekly_limit=limit,
        action=action,
        changes=tuple(changes),
        problems=tuple(problems),
    )


def _protect_last_manager(rows: list[ImportRow], *, existing: dict[int, User], managers: set[int]) -> list[ImportRow]:
    """Refuse the rows that demote managers when, after the valid rows, no active manager would be left."""
    demoting = [
        row
        for row in rows
        if row.valid and row.tgid in managers and row.role is Role.employee and "role" in row.changes
    ]
    if not demoting:
        return rows
    promoted = {row.tgid for row in rows if row.valid and row.role is Role.manager}
    after = (managers - {row.tgid for row in demoting}) | promoted
    if after:
        return rows
    refused = {row.line for row in demoting}
    return [
        ImportRow(
            line=row.line,
            tgid=row.tgid,
            name=row.name,
            office=row.office,
            office_id=row.office_id,
            role=row.role,
            weekly_limit=row.weekly_limit,
            action=None,
            changes=(),
            problems=(RowProblem(row.line, "error.import.last_manager"),),
        )
        if row.line in refused
        else row
        for row in rows
    ]


# --- applying ----------------------------------------------------------------------------------------------


async def apply_user_import(
    session: AsyncSession,
    *,
    actor_tgid: int | None,
    content: bytes,
    filename: str,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportOutcome:
    """Check the file again under locks and apply it: every valid row, only if all rows are valid unless
    `skip_invalid`. `actor_tgid` is the manager at the dashboard (None: the operator at the CLI). With `dry_run`
    nothing is written: the outcome says what applying would do."""
    if actor_tgid is not None:
        await require_manager(session, actor_tgid)
    # The same lock order as access.py: every active manager row first, so a concurrent demotion waits.
    await session.execute(
        sa.select(col(User.tgid))
        .where(col(User.role) == Role.manager, col(User.is_active).is_(True))
        .order_by(col(User.tgid))
        .with_for_update()
    )
    plan = await plan_user_import(session, content=content, filename=filename)
    if not plan.valid and not skip_invalid:
        raise UserImportRefused(plan)
    valid = [row for row in plan.rows if row.valid]
    outcome = ImportOutcome(
        plan=plan,
        created=sum(1 for row in valid if row.action is RowAction.create),
        updated=sum(1 for row in valid if row.action is RowAction.update),
        unchanged=sum(1 for row in valid if row.action is RowAction.unchanged),
        skipped=plan.invalid,
        dry_run=dry_run,
        tgids=[row.tgid for row in valid if row.action is not RowAction.unchanged and row.tgid is not None],
    )
    if dry_run:
        return outcome
    ids = [row.tgid for row in valid if row.tgid is not None]
    users = {
        user.tgid: user
        for user in (
            await session.execute(
                sa.select(User)
                .where(col(User.tgid).in_(ids))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalars()
    }
    for row in valid:
        if row.action is RowAction.create:
            await _create(session, row, actor_tgid)
        elif row.action is RowAction.update:
            _update(session, users[row.tgid or 0], row, plan.has_limit_column, actor_tgid)
    await session.flush()
    return outcome


async def _create(session: AsyncSession, row: ImportRow, actor_tgid: int | None) -> None:
    assert row.tgid is not None and row.office_id is not None
    user = User(
        tgid=row.tgid,
        name=row.name,
        office_id=row.office_id,
        role=row.role or Role.employee,
        is_active=True,
        weekly_limit=row.weekly_limit,
    )
    session.add(user)
    request = (
        await session.execute(sa.select(AccessRequest).where(col(AccessRequest.tgid) == row.tgid).with_for_update())
    ).scalar_one_or_none()
    if request is not None and request.status != RequestStatus.approved:
        approvals.decide(request, RequestStatus.approved, actor_tgid)
        notify(session, template="access_approved", params={"name": row.name}, user_tgid=row.tgid)
    audit.record(
        session,
        actor_tgid=actor_tgid,
        action="user.import",
        entity="user",
        entity_id=row.tgid,
        details={
            "created": True,
            "name": row.name,
            "office": row.office,
            "role": (row.role or Role.employee).value,
            "weekly_limit": None if row.weekly_limit is None else str(row.weekly_limit),
        },
    )


def _plain(value: Any) -> Any:
    """A value as the audit's JSON keeps it."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _update(session: AsyncSession, user: User, row: ImportRow, has_limit: bool, actor_tgid: int | None) -> None:
    diff: dict[str, Any] = {}

    def change(field_name: str, new: Any) -> None:
        old = getattr(user, field_name)
        if old != new:
            diff[field_name] = {"from": _plain(old), "to": _plain(new)}
            setattr(user, field_name, new)

    change("name", row.name)
    change("office_id", row.office_id)
    if row.role is not None:
        change("role", row.role)
    if has_limit:
        change("weekly_limit", row.weekly_limit)
    change("is_active", True)
    session.add(user)
    audit.record(session, actor_tgid=actor_tgid, action="user.import", entity="user", entity_id=user.tgid, details=diff)


def problem_lines(problems: Sequence[RowProblem], lang: str) -> list[str]:
    """Every problem as "Line N: …" in `lang`, in file order (the CLI prints them, the dashboard lists them)."""
    return [problem.message(lang) for problem in sorted(problems, key=lambda p: p.line)]
