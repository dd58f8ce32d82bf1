"""The one injectable clock.

The clock gives instants. Dates are local to someone: an employee's "today" is their office's (`local_today`
with the office's zone), a cafe's cut-off is in the cafe's zone (lunch_app/domain/availability.py).
`Clock.now()`/`today()` use APP_TIMEZONE, which is only the default zone of new offices and cafes and the zone
of operator output (demo data, logs).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from lunch_app.settings import get_settings


class Clock:
    """Real time, expressed in the application's time zone."""

    def __init__(self, tz: ZoneInfo | None = None) -> None:
        self._tz = tz

    @property
    def tz(self) -> ZoneInfo:
        return self._tz or get_settings().tz

    def utcnow(self) -> datetime:
        return datetime.now(UTC)

    def now(self) -> datetime:
        return self.utcnow().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()


class MovableClock(Clock):
    """A clock for tests: starts at a given instant and moves only when told."""

    def __init__(self, start: datetime, tz: ZoneInfo | None = None) -> None:
        super().__init__(tz)
        if start.tzinfo is None:
            raise ValueError("MovableClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def utcnow(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("MovableClock needs an aware datetime")
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


_clock: Clock = Clock()


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock) -> Clock:
    """Install a clock (tests); returns the previous one so it can be restored."""
    global _clock
    previous, _clock = _clock, clock
    return previous


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo of a stored IANA name (validated when it was stored)."""
    return ZoneInfo(name)


def local_now(tz: ZoneInfo) -> datetime:
    """Now, on the wall clock of `tz`."""
    return get_clock().utcnow().astimezone(tz)


def local_today(tz: ZoneInfo) -> date:
    """Today's date in `tz` (an office's "today" starts at its own midnight)."""
    return local_now(tz).date()


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week that contains `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
