"""The Users tab: people by name, office or id, a page at a time, narrowed to one office or not; add, edit,
(de)activate and delete; and bulk onboarding from an HR file: upload → preview with every row's problem → apply
(the same parser and rules as `python -m lunch_app.cli import-users`, lunch_app/domain/onboarding.py)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import access, onboarding
from lunch_app.domain.tables import TableError
from lunch_app.domain.users import get_user_view
from lunch_app.i18n import format_money, t
from lunch_app.states.manager.formats import contact
from lunch_app.states.manager.inputs import Choice, as_int, office_choices, text_setter
from lunch_app.states.manager.root import PAGE_SIZE, Confirm, Dashboard, FileUpload, Paged, Tab

IMPORT_UPLOAD = "users-import-upload"  # the upload component's id
PREVIEW_ROWS = 500  # rows the preview lists (every problem is listed whatever the file's length)


@dataclasses.dataclass
class UserCard:
    tgid: int = 0
    name: str = ""
    office: str = ""
    username: str = ""
    details: str = ""  # office · @username · id
    role: str = ""
    role_text: str = ""
    active: bool = True
    limit: str = ""


@dataclasses.dataclass
class ImportLine:
    """One row of the file in the preview."""

    line: int = 0
    tgid: str = ""
    name: str = ""
    office: str = ""
    details: str = ""  # role · limit
    action: str = ""  # create | update | unchanged | invalid
    action_text: str = ""
    problems: str = ""


class UsersTab(Tab, Confirm, Paged, FileUpload, Dashboard):
    TAB: ClassVar[str] = "users"
    ACTIONS: ClassVar[tuple[str, ...]] = ("delete",)

    search: str = ""
    f_office: str = ""  # "" = every office
    offices: list[Choice] = []  # every office (the filter)
    form_offices: list[Choice] = []  # the offices a person can be put in: the active ones (and their current one)
    rows: list[UserCard] = []
    form_mode: str = ""  # "" | add | edit
    form_tgid: str = ""
    form_name: str = ""
    form_office: str = ""  # the office's id
    form_role: str = "employee"
    form_limit: str = ""

    import_open: bool = False
    import_rows: list[ImportLine] = []
    import_problems: list[str] = []  # every row's problem, "Line N: …"
    import_summary: str = ""
    import_valid: int = 0  # rows that can be applied
    import_invalid: int = 0

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        self.offices = await office_choices(session)
        if self.f_office not in {choice.value for choice in self.offices}:
            self.f_office = ""
        page = await access.list_users(
            session,
            search=self.search or None,
            offset=self._offset(),
            limit=PAGE_SIZE,
            office_id=as_int(self.f_office) if self.f_office else None,
        )
        self.total = page.total
        self.rows = [
            UserCard(
                tgid=user.tgid,
                name=user.name,
                office=user.office,
                username=f"@{user.username}" if user.username else "",
                details=" · ".join(part for part in (user.office, contact(user.username, user.tgid)) if part),
                role=user.role.value,
                role_text=t(f"role.{user.role.value}", lang),
                active=user.is_active,
                limit=format_money(user.weekly_limit, lang)
                if user.weekly_limit is not None
                else t("dash.users.no_limit", lang),
            )
            for user in page.items
        ]

    @rx.event
    async def set_search(self, value: str) -> None:
        self.search = str(value)[:100]
        await self._first_page()

    @rx.event
    async def set_f_office(self, value: str) -> None:
        self.f_office = "" if value == "all" else str(value)[:12]
        await self._first_page()

    async def _form_offices(self, session: AsyncSession, current: int | None = None) -> None:
        active = await office_choices(session, active_only=True)
        if current is not None and str(current) not in {choice.value for choice in active}:
            active += [choice for choice in await office_choices(session) if choice.value == str(current)]
        self.form_offices = active

    @rx.event
    async def open_add(self) -> None:
        async def work(session: AsyncSession, actor: int) -> None:
            await self._form_offices(session)
            self.form_mode = "add"
            self.form_tgid = ""
            self.form_name = ""
            # The filtered office, else the only one, else a choice to make.
            only = self.form_offices[0].value if len(self.form_offices) == 1 else ""
            self.form_office = self.f_office if self.f_office in {c.value for c in self.form_offices} else only
            self.form_role = "employee"
            self.form_limit = ""

        await self._act(work)

    @rx.event
    async def open_edit(self, tgid: int) -> None:
        async def work(session: AsyncSession, actor: int) -> None:
            user = await get_user_view(session, tgid)
            await self._form_offices(session, user.office_id)
            self.form_mode = "edit"
            self.form_tgid = str(user.tgid)
            self.form_name = user.name
            self.form_office = str(user.office_id)
            self.form_role = user.role.value
            self.form_limit = "" if user.weekly_limit is None else str(user.weekly_limit)

        await self._act(work)

    @rx.event
    def close_form(self) -> None:
        self._close_form("form_mode")

    set_form_tgid = text_setter("form_tgid", 20)
    set_form_name = text_setter("form_name", 200)
    set_form_office = text_setter("form_office", 12)
    set_form_role = text_setter("form_role", 16)
    set_form_limit = text_setter("form_limit", 20)

    @rx.event
    async def save_form(self) -> None:
        data = {
            "name": self.form_name,
            "office_id": self.form_office,
            "role": self.form_role,
            "weekly_limit": self.form_limit.strip().replace(",", "."),
        }
        tgid = as_int(self.form_tgid)
        await self._save_form(
            "form_mode",
            add=lambda session, actor: access.add_user(session, actor_tgid=actor, data={"tgid": tgid, **data}),
            edit=lambda session, actor: access.update_user(session, actor_tgid=actor, tgid=tgid, data=data),
        )

    @rx.event
    async def set_active(self, tgid: int, active: bool) -> None:
        await self._act_and_reload(
            lambda session, actor: access.set_user_active(session, actor_tgid=actor, tgid=tgid, active=active),
            done="dash.saved",
        )

    async def _confirmed(self, action: str, target: int) -> None:
        await self._act_and_reload(
            lambda session, actor: access.delete_user(session, actor_tgid=actor, tgid=target), done="dash.users.deleted"
        )

    # -------------------------------------------------------------------------------- bulk onboarding

    def _forget_import(self) -> None:
        self.import_name = ""
        self.import_error = ""
        self.import_rows = []
        self.import_problems = []
        self.import_summary = ""
        self.import_valid = 0
        self.import_invalid = 0
        self._import_content = b""

    @rx.event
    def open_import(self) -> None:
        self._forget_import()
        self.error = ""
        self.import_open = True

    @rx.event
    def close_import(self) -> None:
        self._forget_import()
        self.import_open = False

    @rx.event
    async def upload_import(self, files: list[rx.UploadFile]) -> None:
        """The chosen file: read, checked against the database (nothing changes yet) and shown row by row."""
        self._forget_import()
        content = await self._received(files)
        if content is None:
            return
        lang = self.lang
        name = self.import_name

        async def work(session: AsyncSession, actor: int) -> None:
            try:
                plan = await onboarding.plan_user_import(session, content=content, filename=name)
            except TableError as exc:
                self.import_error = exc.message(lang)
                return
            self._import_content = content
            self._show_plan(plan)

        await self._act(work)

    def _show_plan(self, plan: onboarding.ImportPlan) -> None:
        lang = self.lang
        self.import_rows = [
            ImportLine(
                line=row.line,
                tgid=str(row.tgid) if row.tgid is not None else "",
                name=row.name,
                office=row.office,
                details=" · ".join(
                    part
                    for part in (
                        t(f"role.{row.role.value}", lang) if row.role is not None else "",
                        format_money(row.weekly_limit, lang) if row.weekly_limit is not None else "",
                    )
                    if part
                ),
                action=row.action.value if row.action is not None else "invalid",
                action_text=t(f"dash.import.action.{row.action.value if row.action is not None else 'invalid'}", lang)
                + (
                    ": " + ", ".join(t(f"dash.import.change.{change}", lang) for change in row.changes)
                    if row.changes
                    else ""
                ),
                problems="; ".join(t(problem.key, lang, **problem.params) for problem in row.problems),
            )
            for row in plan.rows[:PREVIEW_ROWS]
        ]
        self.import_problems = onboarding.problem_lines(plan.problems, lang)
        self.import_valid = len(plan.rows) - plan.invalid
        self.import_invalid = plan.invalid
        self.import_summary = t(
            "dash.import.summary",
            lang,
            create=plan.count(onboarding.RowAction.create),
            update=plan.count(onboarding.RowAction.update),
            unchanged=plan.count(onboarding.RowAction.unchanged),
            invalid=plan.invalid,
        )

    @rx.event
    async def apply_import(self, skip_invalid: bool) -> None:
        """Applies the previewed file, checked again under locks (someone may have changed people meanwhile).
        With invalid rows nothing is applied unless the manager chose to skip them."""
        content, name = self._import_content, self.import_name
        if not content:
            return
        lang = self.lang
        outcomes: list[onboarding.ImportOutcome] = []

        async def work(session: AsyncSession, actor: int) -> None:
            try:
                outcomes.append(
                    await onboarding.apply_user_import(
                        session,
                        actor_tgid=actor,
                        content=content,
                        filename=name,
                        skip_invalid=skip_invalid is True,
                    )
                )
            except onboarding.UserImportRefused as exc:
                self._show_plan(exc.plan)  # what changed since the preview, shown again
                raise

        if await self._act(work) and outcomes:
            outcome = outcomes[0]
            self._forget_import()
            self.import_open = False
            await self._reload()
            self.notice = t(
                "dash.import.done", lang, create=outcome.created, update=outcome.updated, unchanged=outcome.unchanged
            )
