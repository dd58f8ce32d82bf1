"""How the dashboard's tabs take the browser's form input (numbers, texts, list indexes) and fill their pickers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sized
from typing import Any, TypeGuard

from sqlalchemy.ext.asyncio import AsyncSession

from lunch_app.domain import catalogue, offices


@dataclasses.dataclass
class Choice:
    value: str = ""
    label: str = ""


def as_int(value: object) -> Any:
    """A form's numeric text as int; anything else is passed on unchanged for the domain to refuse."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def text_setter(var: str, limit: int) -> Callable[[Any, str], None]:
    """A form field's event handler `set_<var>`: keeps the first `limit` characters the browser sent.

    Assigned in a state's class body it becomes that state's event handler; Reflex names an event after its
    function's `__qualname__` (as it does for its own setters), hence the name set here."""

    def setter(self: Any, value: str) -> None:
        setattr(self, var, str(value)[:limit])

    setter.__name__ = setter.__qualname__ = f"set_{var}"
    return setter


def is_index(index: object, items: Sized) -> TypeGuard[int]:
    """Whether the browser's `index` points at one of `items`."""
    return isinstance(index, int) and 0 <= index < len(items)


async def cafe_choices(session: AsyncSession) -> list[Choice]:
    return [Choice(value=str(cafe.id), label=cafe.name) for cafe in await catalogue.list_cafes(session)]


async def office_choices(session: AsyncSession, *, active_only: bool = False) -> list[Choice]:
    """The offices to pick from, by name (a person's office, a filter)."""
    return [
        Choice(value=str(office.id), label=office.name)
        for office in await offices.list_offices(session, active_only=active_only)
    ]


def kept_or_first(value: str, choices: list[Choice]) -> str:
    """`value` while it is one of `choices`, else the first choice ("" when there is none)."""
    if value in {choice.value for choice in choices}:
        return value
    return choices[0].value if choices else ""
