"""Typed domain errors. Each carries a translation key and parameters; callers translate, never parse."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user should see as a translated message. Nothing was changed."""

    default_key = "error.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or self.default_key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)

    def message(self, lang: str = "ru") -> str:
        from lunch_app.i18n import t

        return t(self.key, lang, **self.params)


class InvalidInput(DomainError):
    default_key = "error.invalid_input"


class NotFound(DomainError):
    default_key = "error.not_found"


class Forbidden(DomainError):
    default_key = "error.forbidden"


class Conflict(DomainError):
    default_key = "error.conflict"


class DayClosed(DomainError):
    default_key = "error.day_closed"


class LimitExceeded(DomainError):
    default_key = "error.order.limit_exceeded"
