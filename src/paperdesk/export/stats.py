"""Reading statistics: how far through the lists the user is, and what is due next.

One pure computation over the catalog and the store, shared by ``paperdesk stats`` and the
desk's stats screen, so both always show the same numbers. Only papers of the catalog count;
state of papers that left every list (orphans) is left to ``list --orphans``. The text form
leads with the venues and topics in progress and sums up the rest in one line, and charts the
reads of the last twelve weeks. A read that was undone (the next change put the status back
within :data:`UNDO_WINDOW`) is not a read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from paperdesk.catalog.models import Model
from paperdesk.catalog.records import STATUSES
from paperdesk.state.models import StatusChange

if TYPE_CHECKING:
    from paperdesk.workspace import Workspace

BAR_WIDTH = 20
CHART_WEEKS = 12
#: A read whose next change brings back the status it had before, this soon, was undone.
UNDO_WINDOW = dt.timedelta(hours=1)


class Progress(Model):
    """Papers read out of a group's papers; ``started``: those with any status but unread."""

    read: int = 0
    total: int = 0
    started: int = 0


class Deadline(Model):
    """The nearest TODO conference that is not done and not past."""

    name: str
    date: dt.date
    days_left: int
    url: str | None = None


class Stats(Model):
    """Everything ``stats --json`` prints; dicts keep display order (venues newest first)."""

    total: int
    by_status: dict[str, int]
    by_venue: dict[str, Progress]
    by_topic: dict[str, Progress]
    weekly: dict[str, int] = Field(description="ISO week (2026-W47) -> papers marked read")
    recent_weeks: dict[str, int] = Field(
        default_factory=dict, description="the last 12 ISO weeks -> papers marked read"
    )
    notes: int
    next_deadline: Deadline | None = None


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(first: dt.date, last: dt.date) -> list[str]:
    """Every ISO week from ``first``'s to ``last``'s, so a chart shows quiet weeks as zeros."""
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        weeks.append(iso_week(monday))
        monday += dt.timedelta(weeks=1)
    return weeks


def real_reads(history: Sequence[StatusChange]) -> list[StatusChange]:
    """The changes to read in a paper's history that were not undone: a read is undone when
    the next change puts back the status before it within :data:`UNDO_WINDOW` (``z``, or ``r``
    pressed again)."""
    reads = []
    for index, change in enumerate(history):
        if change.status != "read":
            continue
        before = history[index - 1].status if index else "unread"
        after = history[index + 1] if index + 1 < len(history) else None
        if after is not None and after.status == before and after.at - change.at <= UNDO_WINDOW:
            continue
        reads.append(change)
    return reads


def weekly_reads(
    histories: Mapping[str, Sequence[StatusChange]], *, today: dt.date
) -> dict[str, int]:
    """ISO week -> papers marked read that week (local time), every week from the first read
    to ``today``'s. A paper marked read twice in one week counts once; an undone read never."""
    read_in: dict[tuple[str, str], dt.date] = {}
    for pid, history in histories.items():
        for change in real_reads(history):
            day = change.at.astimezone().date()
            read_in[(pid, iso_week(day))] = day
    if not read_in:
        return {}
    days = read_in.values()
    weekly = dict.fromkeys(_weeks(min(days), max(*days, today)), 0)
    for _, week in read_in:
        weekly[week] += 1
    return weekly


def recent_weeks(
    weekly: Mapping[str, int], today: dt.date, count: int = CHART_WEEKS
) -> dict[str, int]:
    """The last ``count`` ISO weeks up to ``today``'s, oldest first, quiet weeks as zeros."""
    first = today - dt.timedelta(weeks=count - 1)
    return {week: weekly.get(week, 0) for week in _weeks(first, today)}


def compute_stats(workspace: Workspace, *, today: dt.date | None = None) -> Stats:
    """The statistics of a workspace; ``today`` fixes "now" for deadlines and the last week."""
    today = today or dt.date.today()
    catalog = workspace.catalog
    states = workspace.store.states()
    ids = catalog.columns.id
    status = {pid: (states[pid].status if pid in states else "unread") for pid in ids}

    by_status = dict.fromkeys(STATUSES, 0)
    for value in status.values():
        by_status[value] += 1

    by_venue = {}
    for group in catalog.venues:
        by_venue[group.name] = Progress(
            read=sum(status[ids[row]] == "read" for row in group.rows),
            total=len(group.rows),
            started=sum(status[ids[row]] != "unread" for row in group.rows),
        )

    by_topic: dict[str, Progress] = {}
    for pid, topics in zip(ids, catalog.columns.topics, strict=True):
        for topic in dict.fromkeys(topics):
            progress = by_topic.setdefault(topic, Progress())
            progress.total += 1
            progress.read += status[pid] == "read"
            progress.started += status[pid] != "unread"

    weekly = weekly_reads(
        {pid: states[pid].history for pid in status if pid in states}, today=today
    )

    notes = sum(1 for pid in status if pid in states and (states[pid].note or "").strip())

    upcoming = [
        (item.date, item)
        for item in workspace.todos()
        if not item.done and item.date is not None and item.date >= today
    ]
    deadline = None
    if upcoming:
        date, item = min(upcoming, key=lambda pair: pair[0])
        deadline = Deadline(name=item.name, date=date, days_left=(date - today).days, url=item.url)

    return Stats(
        total=len(catalog),
        by_status=by_status,
        by_venue=by_venue,
        by_topic=by_topic,
        weekly=weekly,
        recent_weeks=recent_weeks(weekly, today),
        notes=notes,
        next_deadline=deadline,
    )


def progress_bar(read: int, total: int, width: int = BAR_WIDTH) -> str:
    """``[#####---------------]`` in plain characters, for terminals and logs alike."""
    filled = round(width * read / total) if total else 0
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def week_chart(weeks: Mapping[str, int], width: int = BAR_WIDTH) -> list[str]:
    """One line per week: ``2026-W47  ########             4``, bars scaled to the best week."""
    most = max(weeks.values(), default=0)
    lines = []
    for week, count in weeks.items():
        filled = round(width * count / most) if most else 0
        lines.append(f"{week}  {'#' * filled:<{width}} {count:>3}")
    return lines


def format_stats(stats: Stats) -> str:
    """The text form of ``paperdesk stats``: a summary, the venues and topics in progress with
    their bars (the others summed up in one line each), and the reads of the last weeks."""
    lines = [f"{stats.total} papers, {stats.notes} with notes"]
    lines.append("")
    lines.append(f"{'status':<10} {'papers':>6}")
    lines.extend(f"{name:<10} {count:>6}" for name, count in stats.by_status.items())
    for title, groups in (("venue", stats.by_venue), ("topic", stats.by_topic)):
        if not groups:
            continue
        started = {name: p for name, p in groups.items() if p.started}
        rest = [p for p in groups.values() if not p.started]
        lines.append("")
        if started:
            width = max(len(title), *(len(name) for name in started))
            lines.append(f"{title:<{width}} {'read':>9}  progress")
            for name, progress in started.items():
                share = f"{progress.read}/{progress.total}"
                percent = 100 * progress.read // progress.total if progress.total else 0
                lines.append(
                    f"{name:<{width}} {share:>9}  {progress_bar(progress.read, progress.total)}"
                    f" {percent:>3}%"
                )
        else:
            lines.append(f"no {title} in progress yet")
        if rest:
            papers = sum(p.total for p in rest)
            other = "other " if started else ""
            noun = f"{title}s" if len(rest) != 1 else title
            many = "paper" if papers == 1 else "papers"
            lines.append(f"+ {len(rest)} {other}{noun} not started ({papers} {many})")
    if stats.recent_weeks:
        lines.append("")
        lines.append(f"reads per week, last {len(stats.recent_weeks)} weeks")
        lines.extend(week_chart(stats.recent_weeks))
    lines.append("")
    deadline = stats.next_deadline
    if deadline:
        lines.append(
            f"next deadline: {deadline.name} on {deadline.date} ({deadline.days_left} days left)"
        )
    else:
        lines.append("next deadline: none (no open TODO conference with a future date)")
    return "\n".join(lines)
