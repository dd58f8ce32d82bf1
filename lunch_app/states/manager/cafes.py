"""The Cafes tab: partner cafes (add, edit, on/off, notifications, the offices each serves and the time zone of its
schedule), their Telegram chats and chat link requests."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import catalogue, links, offices
from lunch_app.i18n import t
from lunch_app.models import RequestStatus
from lunch_app.states.manager.formats import contact
from lunch_app.states.manager.inputs import as_int, is_index, text_setter
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
    offices: str = ""  # the offices it serves, and its zone
    office_ids: list[str] = dataclasses.field(default_factory=list)
    timezone: str = ""


@dataclasses.dataclass
class OfficePick:
    """An office in the cafe form, served or not."""

    id: str = ""
    name: str = ""
    on: bool = False


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
    form_timezone: str = ""
    form_offices: list[OfficePick] = []
    zones: list[str] = []  # the time zones the form suggests (every IANA zone)
    _office_names: dict[str, str] = {}

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        cafes = await catalogue.list_cafes(session)
        known = await offices.list_offices(session)
        self._office_names = {str(office.id): office.name for office in known}
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
                offices=t(
                    "dash.cafes.serves",
                    lang,
                    offices=", ".join(
                        sorted((self._office_names.get(str(o), "?") for o in cafe.office_ids), key=str.casefold)
                    ),
                    zone=cafe.timezone,
                ),
                office_ids=[str(o) for o in cafe.office_ids],
                timezone=cafe.timezone,
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
                created=self._time(request.created_at),
            )
            for request in pending
        ]

    def _pick_offices(self, served: list[str]) -> None:
        self.form_offices = [
            OfficePick(id=office_id, name=name, on=office_id in served)
            for office_id, name in self._office_names.items()
        ]
        if not self.zones:
            self.zones = sorted(offices.known_timezones())

    @rx.event
    def open_add(self) -> None:
        self.form_mode = "add"
        self.form_id = 0
        self.form_name = ""
        self.form_description = ""
        self.form_timezone = ""  # empty: the first office's zone
        self._pick_offices(list(self._office_names))  # a new cafe serves every office unless told otherwise
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
        self.form_timezone = cafe.timezone
        self._pick_offices(cafe.office_ids)
        self.error = ""

    @rx.event
    def toggle_office(self, index: int) -> None:
        if is_index(index, self.form_offices):
            self._change_item("form_offices", index, on=not self.form_offices[index].on)

    @rx.event
    def close_form(self) -> None:
        self._close_form("form_mode")

    set_form_name = text_setter("form_name", 200)
    set_form_description = text_setter("form_description", 2000)
    set_form_timezone = text_setter("form_timezone", 80)

    @rx.event
    async def save_form(self) -> None:
        cafe_id = self.form_id
        data: dict[str, object] = {
            "name": self.form_name,
            "description": self.form_description,
            "office_ids": [as_int(pick.id) for pick in self.form_offices if pick.on],
        }
        if self.form_timezone.strip():
            data["timezone"] = self.form_timezone.strip()
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
