"""A hybrid logical clock: the time stamp of every event in the reading-state log.

Wall clocks of a laptop and a server disagree by seconds, and a clock may step back; ordering
marks by them alone could let an older mark win after a sync. A hybrid logical clock (Kulkarni
et al., 2014) is the wall time in milliseconds plus a counter: a new stamp is later than every
stamp this home has issued or seen, and stays within a tick of the wall clock while the wall
clocks agree. So a mark made after a sync always wins over what the sync brought in, and two
marks made apart are ordered by when they were made.

Stamps are written as fixed-width text (``2025-06-01T12:00:00.123Z#000004``) that sorts like
the clock and that a person reading a log file understands.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

#: Counter digits; at 10**6 steps in one millisecond the clock moves to the next one.
_COUNT_DIGITS = 6
_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})Z#(\d{6})")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, order=True, slots=True)
class Clock:
    """One stamp: milliseconds since the epoch (UTC) and a counter within that millisecond."""

    wall_ms: int
    count: int = 0

    def __str__(self) -> str:
        at = _EPOCH + dt.timedelta(milliseconds=self.wall_ms)
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z#{self.count:06d}"

    @property
    def at(self) -> dt.datetime:
        """The stamp's wall time (UTC), with the counter as microseconds (up to 999), so that
        changes made within one millisecond, or while the wall clock is behind, are still dated
        in order in history and "last changed"."""
        return _EPOCH + dt.timedelta(milliseconds=self.wall_ms, microseconds=min(self.count, 999))

    @classmethod
    def parse(cls, text: str) -> Clock:
        """The clock written as ``text``; ValueError if it is not one."""
        match = _TEXT.fullmatch(text)
        if match is None:
            raise ValueError(f"not a clock stamp: {text!r}")
        at = dt.datetime.fromisoformat(match.group(1)).replace(tzinfo=dt.UTC)
        return cls(_millis(at), int(match.group(2)))

    @classmethod
    def of(cls, at: dt.datetime) -> Clock:
        """The first stamp of the millisecond of ``at`` (naive times are taken as UTC)."""
        return cls(_millis(at if at.tzinfo else at.replace(tzinfo=dt.UTC)))


def _millis(at: dt.datetime) -> int:
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def is_clock(text: str) -> bool:
    return _TEXT.fullmatch(text) is not None


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def tick(last: Clock | None, wall_ms: int | None = None) -> Clock:
    """The next stamp after ``last`` (the latest this home issued or saw) at wall time now."""
    wall = now_ms() if wall_ms is None else wall_ms
    if last is None or wall > last.wall_ms:
        return Clock(wall)
    if last.count + 1 >= 10**_COUNT_DIGITS:
        return Clock(last.wall_ms + 1)
    return Clock(last.wall_ms, last.count + 1)


def latest(*clocks: Clock | None) -> Clock | None:
    """The latest of the given stamps (None when there are none)."""
    present = [clock for clock in clocks if clock is not None]
    return max(present) if present else None
