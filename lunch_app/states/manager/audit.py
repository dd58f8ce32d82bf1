"""The Audit tab: who changed what and when, newest first, searchable, a page at a time."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import reflex as rx
from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import manager_views
from lunch_app.i18n import t
from lunch_app.states.manager.root import PAGE_SIZE, Dashboard, Paged, Tab


@dataclasses.dataclass
class AuditCard:
    at: str = ""
    actor: str = ""
    action: str = ""
    entity: str = ""
    details: str = ""


class AuditTab(Tab, Paged, Dashboard):
    TAB: ClassVar[str] = "audit"

    search: str = ""
    rows: list[AuditCard] = []

    async def _read(self, session: AsyncSession, actor: int) -> None:
        lang = self.lang
        page = await manager_views.list_audit(
            session, actor_tgid=actor, search=self.search or None, offset=self._offset(), limit=PAGE_SIZE
        )
        self.total = page.total
        self.rows = [
            AuditCard(
                at=self._time(entry.at),
                actor=(entry.actor_name or t("dash.audit.system", lang))
                + (f" · {entry.actor_tgid}" if entry.actor_tgid else ""),
                action=_action_text(entry.action, lang),
                entity=f"{entry.entity} {entry.entity_id or ''}".strip(),
                details=_details_text(entry.details),
            )
            for entry in page.items
        ]

    @rx.event
    async def set_search(self, value: str) -> None:
        self.search = str(value)[:100]
        await self._first_page()


def _action_text(action: str, lang: str) -> str:
    key = f"dash.audit.action.{action}"
    text = t(key, lang)
    return action if text == key else text


def _details_text(details: dict[str, Any], limit: int = 300) -> str:
    parts = []
    for key, value in details.items():
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            parts.append(f"{key}: {value['from']} → {value['to']}")
        elif isinstance(value, list | dict):
            parts.append(f"{key}: …")
        else:
            parts.append(f"{key}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
