"""Audit log entries for manager actions: who changed what, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.clock import get_clock
from lunch_app.models import AuditLog


def record(
    session: AsyncSession,
    *,
    actor_tgid: int | None,
    action: str,
    entity: str,
    entity_id: object = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        actor_tgid=actor_tgid,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details=_json_ready(details or {}),
        at=get_clock().utcnow(),
    )
    session.add(entry)
    return entry


def _json_ready(value: Any) -> Any:
    """Decimals, dates and enums become strings so the details column stays plain JSON."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_ready(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
