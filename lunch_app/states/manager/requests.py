"""The Access requests tab: who asked to use the bot; approve, or reject after a question."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import access
from lunch_app.i18n import t
from lunch_app.states.manager.formats import contact
from lunch_app.states.manager.root import Confirm, Dashboard, Tab


@dataclasses.dataclass
class RequestCard:
    id: int = 0
    name: str = ""
    office: str = ""
    contact: str = ""
    status: str = ""
    status_text: str = ""
    created: str = ""
    processed: str = ""


class RequestsTab(Tab, Confirm, Dashboard):
    TAB: ClassVar[str] = "requests"
    ACTIONS: ClassVar[tuple[str, ...]] = ("reject",)

    status: str = "pending"
    rows: list[RequestCard] = []

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        requests = await access.list_requests(session, status=self.status or None)
        self.rows = [
            RequestCard(
                id=request.id or 0,
                name=request.name,
                office=request.office,
                contact=contact(request.username, request.tgid),
                status=request.status.value,
                status_text=t(f"request_status.{request.status.value}", lang),
                created=self._time(request.created_at),
                processed=self._time(request.processed_at),
            )
            for request in requests[:500]
        ]

    @rx.event
    async def set_status(self, value: str) -> None:
        self.status = "" if value == "all" else str(value)[:16]
        await self._load()

    @rx.event
    async def approve(self, request_id: int) -> None:
        await self._act_and_reload(
            lambda session, actor: access.approve_request(session, actor_tgid=actor, request_id=request_id),
            done="dash.requests.approved",
        )

    async def _confirmed(self, action: str, target: int) -> None:
        await self._act_and_reload(
            lambda session, actor: access.reject_request(session, actor_tgid=actor, request_id=target),
            done="dash.requests.rejected",
        )
