"""The Cafes tab: partner cafes (add, edit, on/off, notifications), their Telegram chats and chat link requests."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import catalogue, links
from lunch_app.i18n import t
from lunch_app.models import RequestStatus
from lunch_app.states.manager.formats import contact, local_time
from lunch_app.states.manager.inputs import text_setter
from lunch_app.states.manager.root import Confirm, Dashboard, Tab


@dataclasses.dataclass
class CafeCard:
    id: int = 0
    name: str = ""
    description: str = ""
    active: bool = True
    notifications: bool = True
    linked: bool = False
    link_text: str = ""


@dataclasses.dataclass
class LinkCard:
    id: int = 0
    cafe: str = ""
    chat: str = ""
    requester: str = ""
    created: str = ""


class CafesTab(Tab, Confirm, Dashboard):
    TAB: ClassVar[str] = "cafes"
    ACTIONS: ClassVar[tuple[str, ...]] = ("unlink",)

    rows: list[CafeCard] = []
    link_requests: list[LinkCard] = []
    form_mode: str = ""  # "" | add | edit
    form_id: int = 0
    form_name: str = ""
    form_description: str = ""

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        cafes = await catalogue.list_cafes(session)
        self.rows = [
            CafeCard(
                id=cafe.id,
                name=cafe.name,
                description=cafe.description,
                active=cafe.is_active,
                notifications=cafe.notifications_enabled,
                linked=cafe.tg_chat_id is not None,
                link_text=t("dash.cafes.linked", lang, chat=cafe.tg_chat_title or str(cafe.tg_chat_id))
                if cafe.tg_chat_id is not None
                else t("dash.cafes.not_linked", lang),
            )
            for cafe in cafes
        ]
        pending = await links.list_link_requests(session, status=RequestStatus.pending.value)
        self.link_requests = [
            LinkCard(
                id=request.id,
                cafe=request.cafe_name,
                chat=request.chat_title,
                requester=contact(request.requested_by_username, request.requested_by),
                created=local_time(request.created_at),
            )
            for request in pending
        ]

    @rx.event
    def open_add(self) -> None:
        self.form_mode = "add"
        self.form_id = 0
        self.form_name = ""
        self.form_description = ""
        self.error = ""

    @rx.event
    def open_edit(self, cafe_id: int) -> None:
        cafe = next((row for row in self.rows if row.id == cafe_id), None)
        if cafe is None:
            return
        self.form_mode = "edit"
        self.form_id = cafe.id
        self.form_name = cafe.name
        self.form_description = cafe.description
        self.error = ""

    @rx.event
    def close_form(self) -> None:
        self._close_form("form_mode")

    set_form_name = text_setter("form_name", 200)
    set_form_description = text_setter("form_description", 2000)

    @rx.event
    async def save_form(self) -> None:
        cafe_id = self.form_id
        data = {"name": self.form_name, "description": self.form_description}
        await self._save_form(
            "form_mode",
            add=lambda session, actor: catalogue.create_cafe(session, actor_tgid=actor, data=data),
            edit=lambda session, actor: catalogue.update_cafe(session, actor_tgid=actor, cafe_id=cafe_id, data=data),
        )

    @rx.event
    async def set_active(self, cafe_id: int, active: bool) -> None:
        await self._act_and_reload(
            lambda session, actor: catalogue.set_cafe_active(session, actor_tgid=actor, cafe_id=cafe_id, active=active),
            done="dash.saved",
        )

    @rx.event
    async def set_notifications(self, cafe_id: int, enabled: bool) -> None:
        await self._act_and_reload(
            lambda session, actor: catalogue.set_notifications(
                session, actor_tgid=actor, cafe_id=cafe_id, enabled=enabled
            ),
            done="dash.saved",
        )

    async def _confirmed(self, action: str, target: int) -> None:
        await self._act_and_reload(
            lambda session, actor: catalogue.unlink_cafe(session, actor_tgid=actor, cafe_id=target),
            done="dash.cafes.unlinked",
        )

    @rx.event
    async def approve_link(self, request_id: int) -> None:
        await self._act_and_reload(
            lambda session, actor: links.approve_link(session, actor_tgid=actor, request_id=request_id),
            done="dash.cafes.link_approved",
        )

    @rx.event
    async def reject_link(self, request_id: int) -> None:
        await self._act_and_reload(
            lambda session, actor: links.reject_link(session, actor_tgid=actor, request_id=request_id),
            done="dash.cafes.link_rejected",
        )
