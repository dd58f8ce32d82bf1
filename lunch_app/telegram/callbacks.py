"""Inline-button callback data shared by the bot (which handles taps) and the workers (which send buttons).

Telegram limits callback data to 64 bytes; these stay far below that.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class AccessDecision(CallbackData, prefix="acc"):
    """A manager's Approve/Reject on an access request."""

    request_id: int
    approve: bool


class LinkDecision(CallbackData, prefix="lnk"):
    """A manager's Approve/Reject on a cafe link request."""

    request_id: int
    approve: bool


class DigestAccepted(CallbackData, prefix="dig"):
    """The cafe's "Accepted" button under a digest (cafe, ISO date)."""

    cafe_id: int
    day: str
