"""The triage model without Textual: moves, next/previous untriaged, resume, the filter, and
finding a venue (by name, by a fetched source, by a TODO conference's spelling)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.merged import Catalog
from paperdesk.catalog.models import CatalogFile
from paperdesk.catalog.records import Paper
from paperdesk.errors import QueryError
from paperdesk.tui.triage_model import (
    TriageModel,
    TriagePositions,
    TriageTarget,
    todo_of_venue,
    todo_target,
    todo_venue_names,
    venue_target,
)


def model(statuses: list[str], words: dict[int, str] | None = None) -> TriageModel:
    """Rows 10, 11, … with ``statuses``; the filter keeps rows whose words hold the text."""
    rows = tuple(range(10, 10 + len(statuses)))
    words = words or {}

    def search(text: str, among: Sequence[int]) -> list[int]:
        if text.startswith("("):
            raise QueryError("never closed", 1)
        return [row for row in among if text in words.get(row, "")]

    return TriageModel(
        TriageTarget("NSDI 2025", rows),
        lambda row: statuses[row - 10],
        lambda row: f"p{row}",
        search,
    )


def test_next_and_previous_untriaged_wrap_around_the_venue() -> None:
    triage = model(["read", "unread", "queued", "unread", "skipped"])
    assert triage.current == 10
    assert triage.next_untriaged() and triage.current == 11
    assert triage.next_untriaged() and triage.current == 13
    assert triage.next_untriaged() and triage.current == 11  # wrapped
    assert triage.next_untriaged(forward=False) and triage.current == 13
    done = model(["read", "queued"])
    assert not done.next_untriaged() and done.current == 10


def test_move_stops_at_either_end() -> None:
    triage = model(["unread"] * 3)
    assert not triage.move(-1) and triage.current == 10
    assert triage.move(5) and triage.current == 12
    assert not triage.move(1)


def test_resume_takes_the_first_untriaged_at_or_after_the_position() -> None:
    statuses = ["queued", "unread", "unread", "skipped", "queued", "unread"]
    triage = model(statuses)
    triage.resume("p13")  # left on a triaged paper: the next untriaged is after it
    assert triage.current == 15
    triage.resume("p12")
    assert triage.current == 12
    triage.resume(None)
    assert triage.current == 11
    triage.resume("gone")  # a paper no longer in the venue: from the start
    assert triage.current == 11
    statuses[5] = "read"
    triage.resume("p14")  # nothing after: wraps to the first untriaged
    assert triage.current == 11
    every = model(["read"] * 3)
    every.resume("p11")
    assert every.current == 11


def test_the_filter_keeps_a_subset_and_the_progress_counts_both() -> None:
    statuses = ["unread", "queued", "unread", "unread"]
    triage = model(statuses, {10: "kv cache", 11: "kv cache", 13: "kv cache paging"})
    triage.set_filter(" kv cache ")
    assert list(triage.rows) == [10, 11, 13] and triage.current == 10
    assert triage.shown_progress() == (3, 1, 1)
    assert triage.progress() == (4, 1, 1)
    triage.move(2)
    triage.set_filter("paging")  # the current paper is kept: stay on it
    assert triage.current == 13
    triage.set_filter("nothing")
    assert triage.current is None and not triage.next_untriaged()
    triage.set_filter("")
    assert list(triage.rows) == [10, 11, 12, 13] and triage.current == 10
    with pytest.raises(QueryError):
        triage.set_filter("(kv")
    assert triage.filter == "" and len(triage.rows) == 4  # a mistake changes nothing


def test_positions_round_trip_and_damage_reads_as_none() -> None:
    positions = TriagePositions()
    positions.put("NSDI 2025", "p1")
    assert positions.dirty
    text = positions.dumps()
    assert not positions.dirty
    again = TriagePositions.loads(text)
    assert again.get("nsdi 2025") == "p1"
    positions.put("NSDI 2025", "p1")
    assert not positions.dirty  # unchanged: nothing to write
    assert TriagePositions.loads("{bad").papers == {}
    assert TriagePositions.loads('["x"]').papers == {}
    assert TriagePositions.loads('{"a": 1, "b": "p"}').papers == {"b": "p"}


def _paper(title: str, venue: str, source: str) -> Paper:
    return Paper(id=paper_id(title), title=title, venue=venue, source=source)


def catalog() -> Catalog:
    daily = CatalogFile(
        source="daily", kind="daily", papers=[_paper("Shared Preprint", "arXiv", "daily")]
    )
    listed = CatalogFile(source="mine", papers=[_paper("Listed", "OSDI 2024", "mine")])
    fetched = CatalogFile(
        source="NSDI-2025",
        kind="venue",
        papers=[
            _paper("First", "NSDI 2025", "NSDI-2025"),
            _paper("Shared Preprint", "NSDI 2025", "NSDI-2025"),
            _paper("Third", "NSDI 2025", "NSDI-2025"),
        ],
    )
    return Catalog.from_files([daily, listed, fetched])


def test_a_fetched_venue_holds_its_source_rows_even_a_preprint_filed_under_arxiv() -> None:
    found = catalog()
    target = venue_target(found, "nsdi 2025")
    assert target is not None and target.name == "NSDI 2025"
    assert [found.paper(row).title for row in target.rows] == [
        "First",
        "Shared Preprint",
        "Third",
    ]
    assert venue_target(found, "NSDI-2025") == target  # the source's own name
    listed = venue_target(found, "OSDI 2024")
    assert listed is not None and [found.paper(r).title for r in listed.rows] == ["Listed"]
    assert venue_target(found, "SOSP 2024") is None


def test_todo_names_match_venues_by_the_importers_spelling() -> None:
    assert todo_venue_names("NSDI'25") == ["NSDI 2025"]
    assert todo_venue_names("EuroSys'25 Spring") == ["EuroSys 2025 Spring", "EuroSys 2025"]
    assert todo_venue_names("sigcomm 2025") == ["SIGCOMM 2025"]
    found = catalog()
    target = todo_target(found, "NSDI'25")
    assert target is not None and target.name == "NSDI 2025"
    assert todo_target(found, "OSDI'25") is None
    assert todo_of_venue(["OSDI'25", "NSDI'25"], "NSDI 2025") == "NSDI'25"
    assert todo_of_venue(["OSDI'25"], "NSDI 2025") is None
