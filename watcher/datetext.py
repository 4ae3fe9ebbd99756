"""Last-chance date parsing for date strings both feed parsers gave up on.

Many French sites write dates by hand ("mardi 5 mars 2024 10:15", "1er février 2024") and a few English
ones spell months out without the RFC 822 layout. A date with no zone is taken as UTC, as feedparser does.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

_MONTHS = {
    # French (accents removed before matching), full and common abbreviations
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
    "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "dec": 12,
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12,
}
_DAY_MONTH_YEAR = re.compile(
    r"(?P<day>\d{1,2})(?:er|st|nd|rd|th)?\.?\s+(?P<month>[a-z]+)\.?,?\s+(?P<year>\d{4})"
    r"(?:[\s,]+(?:a\s+|at\s+)?(?P<hour>\d{1,2})\s*[:h]\s*(?P<minute>\d{2})(?:\s*:\s*(?P<second>\d{2}))?)?"
    r"\s*(?P<zone>z|utc|gmt|[+-]\d{2}:?\d{2})?"
)
_MONTH_DAY_YEAR = re.compile(
    r"(?P<month>[a-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
    r"(?:[\s,]+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    r"\s*(?P<zone>z|utc|gmt|[+-]\d{2}:?\d{2})?"
)


def _fold(text: str) -> str:
    """Lower case without accents: 'Février' -> 'fevrier'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _offset(zone: str | None) -> timedelta:
    if not zone or zone in ("z", "utc", "gmt"):
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))


def parse_date_text(value: str | None) -> datetime | None:
    """A UTC datetime from a hand-written date, or None when the text is not one."""
    if not value or len(value) > 200:
        return None
    text = _fold(value.strip())
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.search(text)
        if not match:
            continue
        month = _MONTHS.get(match.group("month"))
        if month is None:
            continue
        try:
            local = datetime(int(match.group("year")), month, int(match.group("day")),
                             int(match.group("hour") or 0), int(match.group("minute") or 0),
                             int(match.group("second") or 0), tzinfo=UTC)
            return local - _offset(match.group("zone"))
        except (ValueError, OverflowError):
            return None
    return None
