"""Dates written by people in list notes: ``Tuesday April 29, 2025``, ``25 Mar 2025``, ISO.

TODO notes carry deadlines in whatever form the list author typed; the desk sorts and warns on
them, so every common spelling should give a date and anything else must quietly give ``None``.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}  # fmt: skip

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_PATTERNS = (
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
)
ISO_DATE = _PATTERNS[0]


def find_date(text: str) -> dt.date | None:
    """The first valid date written in ``text`` (weekday and commas optional), else ``None``."""
    found: list[tuple[int, dt.date]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            day = _to_date(match)
            if day is not None:
                found.append((match.start(), day))
                break
    return min(found)[1] if found else None


def _to_date(match: re.Match[str]) -> dt.date | None:
    month = match["month"]
    number = int(month) if month.isdigit() else MONTHS[month.lower()]
    try:
        return dt.date(int(match["year"]), number, int(match["day"]))
    except ValueError:
        return None
