"""Preview a change by making it and undoing it: one mechanism for every "what would this do?" confirmation.

`run_or_preview(session, work, dry_run=True)` runs `work()` inside a savepoint and rolls the savepoint back, so a
preview is computed by exactly the code that applying runs (imports, calendar changes and their cancelled orders),
never by a second copy of the rules. Outbox events and audit entries written by `work()` are rolled back with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class _Undo(Exception):
    """Leaves the preview's savepoint without keeping anything."""


async def run_or_preview(session: AsyncSession, work: Callable[[], Awaitable[T]], *, dry_run: bool) -> T:
    if not dry_run:
        return await work()
    results: list[T] = []
    try:
        async with session.begin_nested():
            results.append(await work())
            await session.flush()
            raise _Undo
    except _Undo:
        pass
    return results[0]
