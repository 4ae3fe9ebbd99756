"""The one clock. Everything that depends on "now" (weeks, digest windows, retention, trends, veille-log
periods, the scheduler's next runs, stored timestamps) asks here, so tests can fix the instant.

- `now()` is an aware UTC datetime, seconds precision; `today(zone)` is the calendar date in a zone.
- Tests fix it in-process with `fixed(instant)` (or `set_now`), and across processes with the environment
  variable `VEILLE_NOW` (an ISO 8601 instant with an offset), which a child process reads at every call.
- Durations (timeouts, elapsed seconds) use `time.monotonic()` directly: they are not "now".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

ENV = "VEILLE_NOW"
_fixed: datetime | None = None


def _aware(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant (`Z` or an offset; naive means UTC) as aware UTC."""
    return _aware(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def now() -> datetime:
    """The current instant, aware UTC, seconds precision."""
    if _fixed is not None:
        return _fixed
    pinned = os.environ.get(ENV)
    if pinned:
        return parse_instant(pinned).replace(microsecond=0)
    return datetime.now(UTC).replace(microsecond=0)


def zone(name: str | tzinfo | None) -> tzinfo:
    """A time zone from its IANA name (None or "" means UTC)."""
    if name is None or name == "":
        return UTC
    return name if isinstance(name, tzinfo) else ZoneInfo(name)


def now_in(name: str | tzinfo | None) -> datetime:
    """The current instant in a time zone."""
    return now().astimezone(zone(name))


def today(name: str | tzinfo | None = None) -> date:
    """Today's calendar date in a time zone (UTC by default)."""
    return now_in(name).date()


def day_start(day: date, name: str | tzinfo | None = None) -> datetime:
    """The instant (aware UTC) at which calendar day `day` begins in a time zone: a period "from day A to
    day B" in that zone is the instants `day_start(A) <= t < day_start(B + 1 day)`."""
    return datetime.combine(day, time(0), zone(name)).astimezone(UTC)


def day_start_iso(day: date, name: str | tzinfo | None = None) -> str:
    """day_start() in the form timestamps are stored in (2026-11-29T23:00:00+00:00), to compare as text."""
    return day_start(day, name).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def set_now(instant: datetime | None) -> None:
    """Fix the clock at `instant` (None: back to the real clock)."""
    global _fixed
    _fixed = None if instant is None else _aware(instant).replace(microsecond=0)


@contextmanager
def fixed(instant: datetime | str) -> Iterator[datetime]:
    """Within the block, `now()` is `instant`; the previous state comes back after it."""
    global _fixed
    previous = _fixed
    value = parse_instant(instant) if isinstance(instant, str) else instant
    set_now(value)
    try:
        yield now()
    finally:
        _fixed = previous
