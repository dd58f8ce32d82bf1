"""Turning untrusted input (dicts from a websocket, bot arguments) into typed values or a DomainError."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

from lunch_app.domain.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any, keys: Mapping[str, str] | None = None) -> M:
    """Validate `data` (a model instance, a mapping or keyword data) as `model`.

    Wrong types, missing fields, values out of range and over-long text all become one `InvalidInput`
    naming the first offending field, so the caller can show a translated message: the field's key in
    `keys` (dotted field path → translation key) when it has one, else `error.invalid_input`.
    """
    if isinstance(data, model):
        data = data.model_dump()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"] if not isinstance(part, int)) or "input"
        key = keys.get(field) if keys is not None else None
        raise InvalidInput(key or "error.invalid_input", details=field, field=field) from None


def parse_id(value: object, field: str) -> int:
    """A row id (an INTEGER primary key) from untrusted input; anything else names `field`."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise InvalidInput("error.invalid_input", details=field, field=field)
    return value


def like_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere; its `%`, `_` and backslashes are escaped with a backslash."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_number(text: str) -> int | None:
    """A search text that is a plain number (a Telegram id, an order id, an entity id)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


_KEEP_IN_MULTILINE = {"\n", "\t"}


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Drop control characters (NUL breaks PostgreSQL text; others garble messages) and trim."""
    allowed = _KEEP_IN_MULTILINE if multiline else set()
    return "".join(ch for ch in value if ch in allowed or unicodedata.category(ch) not in ("Cc", "Cs")).strip()


def _clean_single(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _clean_multi(value: Any) -> Any:
    return clean_text(value, multiline=True) if isinstance(value, str) else value


# Put first in an `Annotated[str, ...]` of any input model: text is cleaned before length checks.
NoControlChars = BeforeValidator(_clean_single)
MultilineText = BeforeValidator(_clean_multi)
