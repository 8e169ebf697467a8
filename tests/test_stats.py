"""Reading statistics over a real store: counts, progress, weekly reads, the next deadline."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.models import CatalogFile, TodoItem
from paperdesk.catalog.records import Paper, Venue
from paperdesk.export.stats import (
    compute_stats,
    format_stats,
    iso_week,
    progress_bar,
    recent_weeks,
    weekly_reads,
)
from paperdesk.state.models import StatusChange
from paperdesk.workspace import Workspace

TODAY = dt.date(2025, 3, 10)


def make_paper(title: str, venue: str | None, topics: list[str]) -> Paper:
    return Paper(id=paper_id(title), title=title, venue=venue, topics=topics, source="test")


PAPERS = [
    make_paper("Alpha: Serving", "OSDI 2024", ["Serving"]),
    make_paper("Beta: Training", "OSDI 2024", ["Training", "Serving"]),
    make_paper("Gamma: Caching", "NSDI 2025", ["Serving"]),
    make_paper("Delta: Networks", "NSDI 2025", []),
    make_paper("Epsilon: Preprint", None, ["Training"]),
]


@pytest.fixture
def workspace(tmp_path: Path, isolated_home: Path) -> Workspace:
    catalog = CatalogFile(
        source="test",
        papers=PAPERS,
        venues=[Venue(name="OSDI 2024", label="OSDI 2024", year=2024)],
        todos=[
            TodoItem(name="Past'25", date=dt.date(2025, 3, 1)),
            TodoItem(name="Later'25", date=dt.date(2025, 6, 1)),
            TodoItem(name="Sooner'25", date=dt.date(2025, 4, 1)),
            TodoItem(name="Undated'25"),
        ],
    )
    path = tmp_path / "catalog.json"
    path.write_text(catalog.model_dump_json(), encoding="utf-8")
    return Workspace.open(home=isolated_home, catalog=path)


def test_counts_progress_and_notes(workspace: Workspace) -> None:
    store = workspace.store
    alpha, beta, gamma, delta, epsilon = PAPERS
    store.set_status([alpha, gamma], "read")
    store.set_status([beta], "queued")
    store.set_status([delta], "skipped")
    store.set_note(alpha, "good")
    store.set_note(epsilon, "  ")
    store.set_note(delta, "meh")

    stats = compute_stats(workspace, today=TODAY)

    assert stats.total == 5
    assert stats.by_status == {"unread": 1, "queued": 1, "reading": 0, "read": 2, "skipped": 1}
    assert {k: (v.read, v.total) for k, v in stats.by_venue.items()} == {
        "NSDI 2025": (1, 2),
        "OSDI 2024": (1, 2),
    }
    assert list(stats.by_venue) == ["NSDI 2025", "OSDI 2024"], "newest venue first"
    assert {k: (v.read, v.total) for k, v in stats.by_topic.items()} == {
        "Serving": (2, 3),
        "Training": (0, 2),
    }
    assert stats.notes == 2, "a whitespace-only note is not a note"


def test_next_deadline_is_the_nearest_open_future_one(workspace: Workspace) -> None:
    stats = compute_stats(workspace, today=TODAY)
    assert stats.next_deadline is not None
    assert (stats.next_deadline.name, stats.next_deadline.days_left) == ("Sooner'25", 22)

    workspace.seed_todos()
    workspace.store.update_todo("Sooner'25", done=True)
    later = compute_stats(workspace, today=TODAY).next_deadline
    assert later is not None and later.name == "Later'25"
    assert later.date == dt.date(2025, 6, 1)
    on_the_day = compute_stats(workspace, today=dt.date(2025, 6, 1)).next_deadline
    assert on_the_day is not None and on_the_day.days_left == 0
    assert compute_stats(workspace, today=dt.date(2025, 6, 2)).next_deadline is None


def test_reads_this_week_come_from_the_real_history(workspace: Workspace) -> None:
    alpha, beta, *_ = PAPERS
    workspace.store.set_status([alpha, beta], "read")
    workspace.store.set_status([alpha], "unread")
    workspace.store.set_status([alpha], "read")
    today = dt.date.today()
    stats = compute_stats(workspace, today=today)
    assert stats.weekly == {iso_week(today): 2}, "alpha read twice this week counts once"
    assert stats.by_status["read"] == 2


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T12:00:00").astimezone(dt.UTC)


def test_weekly_reads_fill_quiet_weeks_up_to_today() -> None:
    histories = {
        "a": [StatusChange(status="read", at=at("2024-12-30"))],
        "b": [
            StatusChange(status="reading", at=at("2025-01-02")),
            StatusChange(status="read", at=at("2025-01-14")),
        ],
        "c": [
            StatusChange(status="read", at=at("2025-01-13")),
            StatusChange(status="unread", at=at("2025-01-14")),
            StatusChange(status="read", at=at("2025-01-15")),
        ],
        "d": [StatusChange(status="queued", at=at("2025-01-01"))],
    }
    assert weekly_reads(histories, today=dt.date(2025, 1, 28)) == {
        "2025-W01": 1,
        "2025-W02": 0,
        "2025-W03": 2,
        "2025-W04": 0,
        "2025-W05": 0,
    }
    assert weekly_reads({"d": histories["d"]}, today=TODAY) == {}


def test_iso_week_crosses_the_year_like_iso_does() -> None:
    assert iso_week(dt.date(2024, 12, 30)) == "2025-W01"
    assert iso_week(dt.date(2026, 11, 20)) == "2026-W47"


def test_text_form_has_bars_and_the_deadline(workspace: Workspace) -> None:
    workspace.store.set_status([PAPERS[0]], "read")
    text = format_stats(compute_stats(workspace, today=TODAY))
    assert "OSDI 2024" in text and "1/2" in text
    assert f"1/2  {progress_bar(1, 2)}  50%" in text
    assert "Sooner'25 on 2025-04-01 (22 days left)" in text
    assert progress_bar(0, 0) == "[" + "-" * 20 + "]"
    assert progress_bar(3, 3, width=4) == "[####]"


def test_stats_command_prints_json(tmp_path: Path, isolated_home: Path) -> None:
    env = {**os.environ, "PAPERDESK_HOME": str(isolated_home)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "paperdesk", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    catalog = tmp_path / "c.json"
    catalog.write_text(CatalogFile(source="c", papers=PAPERS).model_dump_json(), "utf-8")
    assert cli("mark", "alpha", "read", "--catalog", str(catalog)).returncode == 0
    result = cli("stats", "--json", "--catalog", str(catalog))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"total", "by_status", "by_venue", "by_topic", "weekly", "notes"} <= set(data)
    assert data["total"] == 5 and data["by_status"]["read"] == 1
    assert data["by_venue"]["OSDI 2024"] == {"read": 1, "total": 2, "started": 1}
    assert len(data["recent_weeks"]) == 12
    text = cli("stats", "--catalog", str(catalog))
    assert text.returncode == 0 and "[" in text.stdout and "OSDI 2024" in text.stdout


def test_an_undone_read_is_not_a_read() -> None:
    read = at("2025-01-13")
    histories = {
        "undone": [  # r, then z a minute later: back to queued
            StatusChange(status="queued", at=at("2025-01-06")),
            StatusChange(status="read", at=read),
            StatusChange(status="queued", at=read + dt.timedelta(minutes=1)),
        ],
        "toggled": [  # r pressed twice
            StatusChange(status="read", at=read),
            StatusChange(status="unread", at=read + dt.timedelta(seconds=5)),
        ],
        "reread": [  # read, then days later taken up again: the first read stands
            StatusChange(status="read", at=read),
            StatusChange(status="reading", at=at("2025-01-20")),
        ],
        "changed": [  # read, then an hour and more later put back to unread: it was read
            StatusChange(status="read", at=read),
            StatusChange(status="unread", at=read + dt.timedelta(hours=2)),
        ],
    }
    weekly = weekly_reads(histories, today=dt.date(2025, 1, 14))
    assert weekly == {"2025-W03": 2}


def test_the_text_leads_with_what_is_in_progress_and_sums_the_rest(
    workspace: Workspace,
) -> None:
    alpha, beta, gamma, *_ = PAPERS
    workspace.store.set_status([alpha], "read")
    text = format_stats(compute_stats(workspace, today=dt.date.today()))
    venue_lines = text.split("venue", 1)[1].split("\n\n", 1)[0].splitlines()
    assert any(line.startswith("OSDI 2024") for line in venue_lines)
    assert not any(line.startswith("NSDI 2025") for line in venue_lines)
    assert "+ 1 other venue not started (2 papers)" in text
    assert "+ 1 other topic not started (2 papers)" in text  # Training; Serving is started
    workspace.store.set_status([alpha], "unread")
    workspace.store.set_status([gamma, beta], "queued")  # queued is in progress too
    text = format_stats(compute_stats(workspace, today=dt.date.today()))
    assert "not started" not in text.split("topic", 1)[0].split("venue", 1)[1]


def test_the_chart_shows_twelve_weeks_of_reads() -> None:
    weekly = {"2025-W01": 1, "2025-W03": 4}
    weeks = recent_weeks(weekly, dt.date(2025, 1, 28))
    assert len(weeks) == 12 and list(weeks)[-1] == "2025-W05"
    assert weeks["2025-W03"] == 4 and weeks["2024-W52"] == 0
    from paperdesk.export.stats import week_chart

    chart = week_chart(weeks)
    assert chart[-3] == "2025-W03  " + "#" * 20 + "   4"
    assert chart[-5] == "2025-W01  " + "#" * 5 + " " * 15 + "   1"
