"""The Users tab: people by name, office or id, a page at a time; add, edit, (de)activate and delete."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import access
from lunch_app.domain.users import get_user
from lunch_app.i18n import format_money, t
from lunch_app.states.manager.formats import contact
from lunch_app.states.manager.inputs import as_int, text_setter
from lunch_app.states.manager.root import PAGE_SIZE, Confirm, Dashboard, Paged, Tab


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


class UsersTab(Tab, Confirm, Paged, Dashboard):
    TAB: ClassVar[str] = "users"
    ACTIONS: ClassVar[tuple[str, ...]] = ("delete",)

    search: str = ""
    rows: list[UserCard] = []
    form_mode: str = ""  # "" | add | edit
    form_tgid: str = ""
    form_name: str = ""
    form_office: str = ""
    form_role: str = "employee"
    form_limit: str = ""

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        page = await access.list_users(session, search=self.search or None, offset=self._offset(), limit=PAGE_SIZE)
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
    def open_add(self) -> None:
        self.form_mode = "add"
        self.form_tgid = ""
        self.form_name = ""
        self.form_office = ""
        self.form_role = "employee"
        self.form_limit = ""
        self.error = ""

    @rx.event
    async def open_edit(self, tgid: int) -> None:
        async def work(session: AsyncSession, actor: int) -> None:
            user = await get_user(session, tgid)
            self.form_mode = "edit"
            self.form_tgid = str(user.tgid)
            self.form_name = user.name
            self.form_office = user.office
            self.form_role = user.role.value
            self.form_limit = "" if user.weekly_limit is None else str(user.weekly_limit)

        await self._act(work)

    @rx.event
    def close_form(self) -> None:
        self._close_form("form_mode")

    set_form_tgid = text_setter("form_tgid", 20)
    set_form_name = text_setter("form_name", 200)
    set_form_office = text_setter("form_office", 200)
    set_form_role = text_setter("form_role", 16)
    set_form_limit = text_setter("form_limit", 20)

    @rx.event
    async def save_form(self) -> None:
        data = {
            "name": self.form_name,
            "office": self.form_office,
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
