"""Translated bot texts for HTML parse mode: every parameter is escaped, the template's own markup is kept."""

from __future__ import annotations

import html
from typing import Any

from aiogram.types import User as TelegramUser

from lunch_app.domain.errors import DomainError
from lunch_app.i18n import t

ALERT_LIMIT = 200


def tr(key: str, lang: str, /, **params: Any) -> str:
    """`t()` with every string parameter HTML-escaped (names, chat titles and cafe names come from people)."""
    safe = {name: html.escape(value) if isinstance(value, str) else value for name, value in params.items()}
    return t(key, lang, **safe)


def error_text(err: DomainError, lang: str) -> str:
    """A domain refusal as safe HTML (its templates are plain text, its parameters may be user-supplied)."""
    return html.escape(err.message(lang))


def alert_text(text: str) -> str:
    """Callback answers are plain text (no parse mode) of at most 200 characters."""
    return text if len(text) <= ALERT_LIMIT else text[: ALERT_LIMIT - 1] + "…"


def person_name(user: TelegramUser | None) -> str:
    """The display name of a Telegram user (not escaped: pass it through `tr`)."""
    if user is None:
        return "?"
    return user.full_name.strip() or (f"@{user.username}" if user.username else str(user.id))
