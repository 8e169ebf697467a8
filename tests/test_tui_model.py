"""The desk's in-memory model and text cleaning: no app, just the rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from paperdesk.catalog.merged import Catalog
from paperdesk.state.models import PaperState, StatusChange
from paperdesk.tui.desk_model import DeskModel
from paperdesk.tui.selection import ALL, Selection
from paperdesk.tui.text import clean, literal
from tui_catalog import EVIL_TITLE, SERVERLESS, daily_feed, main_list

NOW = dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)


def state(
    paper_id: str, status: str = "unread", note: str | None = None, minute: int = 0
) -> PaperState:
    at = NOW + dt.timedelta(minutes=minute)
    return PaperState(
        id=paper_id,
        status=status,
        note=note,
        history=[StatusChange(status=status, at=at)],
        created_at=at,
        updated_at=at,
    )


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_files([main_list(), daily_feed()])


def titles(model: DeskModel, rows: list[int]) -> list[str]:
    return [model.paper(row).title for row in rows]


# -- text ---------------------------------------------------------------------------------


def test_clean_leaves_escape_sequences_inert_and_readable() -> None:
    """The rule of every output (paperdesk.inert): the control characters go, what was
    printable stays, so a hidden hyperlink's target shows rather than vanishes."""
    assert clean("Bell \x1b]0;pwned\x07 and \x1b[31mred\x1b[0m") == "Bell ]0;pwned and [31mred[0m"
    assert clean("osc \x1b]8;;http://x\x1b\\link") == "osc ]8;;http://x\\link"
    assert clean("c1 \x9b31m csi and \x9d0;t\x9c osc") == "c1 31m csi and 0;t osc"
    assert clean("bidi \u202eevil\u202c and \u2067isolate\u2069") == "bidi evil and isolate"
    assert clean("tab\tnew\nline\r") == "tab new line "
    assert clean("keep\nlines\r\nand\ttabs", multiline=True) == "keep\nlines\nand\ttabs"


def test_literal_never_parses_markup() -> None:
    text = literal(EVIL_TITLE)
    assert isinstance(text, Text)
    assert text.plain == EVIL_TITLE
    assert not text.spans


@given(st.text())
def test_clean_leaves_no_control_characters(text: str) -> None:
    cleaned = clean(text, multiline=True)
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned)
    assert not any(0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in cleaned)


# -- rows, search, filters, sorts ----------------------------------------------------------


def test_smart_lists_venues_topics_sources_and_days(catalog: Catalog) -> None:
    serverless = catalog.find("serverlessllm").id
    model = DeskModel(catalog, {serverless: state(serverless, "read", note="cold starts")})
    lists = catalog.source_rows["awesome-papers"]
    assert list(model.rows_for(ALL)) == lists  # the daily feed is not in All
    assert model.smart_count("all") == len(lists) == model.library_total
    assert titles(model, model.rows_for(Selection("smart", "read"))) == [SERVERLESS]
    assert titles(model, model.rows_for(Selection("smart", "notes"))) == [SERVERLESS]
    assert len(model.rows_for(Selection("smart", "unread"))) == len(lists) - 1
    assert model.smart_count("unread") == len(lists) - 1
    everything = DeskModel(catalog, feeds_in_all=True)
    assert list(everything.rows_for(ALL)) == list(range(len(catalog)))
    assert everything.smart_count("unread") == len(catalog)
    osdi = model.rows_for(Selection("venue", "OSDI 2024"))
    assert {model.paper(r).venue for r in osdi} == {"OSDI 2024"}
    topic = model.rows_for(Selection("topic", "Scheduling", venue="OSDI 2024"))
    assert all("Scheduling" in model.paper(r).topics for r in topic)
    assert len(model.rows_for(Selection("source", "daily"))) == 3
    day = Selection("day", "daily", day=dt.date(2026, 8, 18))
    assert titles(model, model.rows_for(day)) == [
        "Bounded-State Restoration",
        "Another Serving Trick",
    ]
    assert model.venue_days("daily") == [(dt.date(2026, 8, 18), 2), (dt.date(2026, 8, 17), 1)]


def test_search_matches_like_the_catalog_and_narrows(catalog: Catalog) -> None:
    model = DeskModel(catalog, feeds_in_all=True)
    noted = catalog.papers[0]
    model.set_note(noted.id, "Zebrafish reading group")
    notes = dict(model.notes)
    for query in ["serving", "osdi sched", "zebrafish", "zebrafish networking", "nothing-like-it"]:
        assert model.search(query, range(len(catalog))) == catalog.search(query, notes=notes)
    first = model.view(ALL, "serv")
    narrowed = model.view(ALL, "serverl")
    assert set(narrowed) <= set(first)
    assert titles(model, narrowed) == [SERVERLESS]
    assert model.view(ALL, "serv") == first  # a shorter query searches again


def test_status_filter_and_sorts(catalog: Catalog) -> None:
    rows = {paper.title: row for row, paper in enumerate(catalog.papers)}
    reading = catalog.papers[rows[SERVERLESS]].id
    last = catalog.papers[-1].id
    model = DeskModel(
        catalog,
        {reading: state(reading, "reading", minute=1), last: state(last, "read", minute=2)},
        feeds_in_all=True,
    )
    assert titles(model, model.view(ALL, status="reading")) == [SERVERLESS]
    by_title = titles(model, model.view(ALL, sort="title"))
    assert by_title == sorted(by_title, key=str.casefold)
    by_status = model.view(ALL, sort="status")
    assert model.status_of(by_status[0]) == "reading"
    assert model.status_of(by_status[-1]) == "read"
    by_change = model.view(ALL, sort="changed")
    assert by_change[:2] == [len(catalog) - 1, rows[SERVERLESS]]
    venues = [model.paper(r).venue for r in model.view(ALL, sort="venue")]
    assert venues[0] == "NSDI 2025"


def test_set_status_counts_progress_and_returns_what_it_replaced(catalog: Catalog) -> None:
    model = DeskModel(catalog)
    osdi = list(model.rows_for(Selection("venue", "OSDI 2024")))
    previous = model.set_status(osdi[:2], "read")
    assert previous == {osdi[0]: "unread", osdi[1]: "unread"}
    assert model.counts["read"] == 2 and model.venue_read["OSDI 2024"] == 2
    assert model.set_status(osdi[:1], "read") == {}
    model.set_status(osdi[:1], "queued")
    assert model.counts["read"] == 1 and model.counts["queued"] == 1
    assert model.venue_read["OSDI 2024"] == 1
    assert sum(model.counts.values()) == len(catalog)


def test_a_reload_keeps_what_is_still_being_written(catalog: Catalog) -> None:
    model = DeskModel(catalog)
    first, second = catalog.papers[0].id, catalog.papers[1].id
    model.set_status([0], "reading")  # a write in flight
    model.set_note(second, "typed here")
    on_disk = {first: state(first, "skipped"), second: state(second, "read", note="older")}
    model.replace_states(on_disk, keep_status={first}, keep_notes={second})
    assert model.status_of(0) == "reading"
    assert model.notes[second] == "typed here"
    assert model.status_of(1) == "read"
    model.replace_states(on_disk)
    assert model.status_of(0) == "skipped" and model.notes[second] == "older"


# -- feeds, the inbox, orphans, a source's own structure -----------------------------------


def test_orphans_get_rows_after_the_catalog_and_behave_like_papers(catalog: Catalog) -> None:
    from paperdesk.state.glance import Look

    looks = {
        "gone-1": Look("read", "kept", "A Paper That Left", "OSDI 2023", "awesome-papers"),
        "gone-2": Look("unread", None, "Nothing Kept", None, "awesome-papers"),
    }
    model = DeskModel.at_first_look(catalog, looks)
    orphans = model.rows_for(Selection("smart", "orphans"))
    assert list(orphans) == [len(catalog)]  # a state that says nothing is no orphan
    row = orphans[0]
    assert model.paper(row).title == "A Paper That Left" and model.is_orphan(row)
    assert model.smart_count("orphans") == 1 and model.status_of(row) == "read"
    assert model.counts["read"] == 0  # the catalog's counts are the catalog's
    assert model.search("left kept", orphans) == [row]
    assert model.view(Selection("smart", "orphans"), sort="title") == [row]
    assert model.set_status([row], "queued") == {row: "read"}
    assert model.counts["queued"] == 0 and model.row_of("gone-1") == row
    assert model.venue_of(row) is None


def test_a_mark_or_a_dismissal_takes_a_paper_out_of_the_inbox(catalog: Catalog) -> None:
    first, second = catalog.papers[0].id, catalog.papers[1].id
    model = DeskModel(catalog, inbox={first, second, "not-in-any-list"})
    assert model.smart_count("inbox") == 2
    assert model.rows_for(Selection("smart", "inbox")) == [0, 1]
    assert model.leave_inbox([0, 5]) == [0]
    assert model.inbox == {second, "not-in-any-list"}


def test_feeds_are_sources_of_any_kind_but_list(catalog: Catalog) -> None:
    from paperdesk.tui.desk_model import is_feed

    assert not is_feed("list") and is_feed("daily") and is_feed("venue")
    model = DeskModel(catalog)
    assert model.smart_count("all") == len(catalog.source_rows["awesome-papers"])
    assert [group.name for group in model.library_venues()] == [
        "NSDI 2025",
        "OSDI 2024",
        "SOSP 2024",
    ]  # arXiv is the feed's venue only
    assert model.structure("daily") == "days" and model.structure("awesome-papers") == "venues"


def test_a_topic_first_source_is_browsed_by_its_own_topics() -> None:
    from paperdesk.catalog.identity import paper_id
    from paperdesk.catalog.models import CatalogFile
    from paperdesk.catalog.records import Paper

    papers = [
        Paper(id=paper_id(t), title=t, topics=topics, source="peer")
        for t, topics in [("B one", ["Beta"]), ("A one", ["Alpha"]), ("B two", ["Beta"]), ("C", [])]
    ]
    catalog = Catalog.from_files([main_list(), CatalogFile(source="peer", papers=papers)])
    model = DeskModel(catalog)
    assert model.structure("peer") == "topics"
    topics = model.source_topics("peer")
    assert [(name, titles(model, rows)) for name, rows in topics] == [
        ("Beta", ["B one", "B two"]),
        ("Alpha", ["A one"]),
        ("", ["C"]),
    ]
    loose = Selection("topic", "", source="peer")
    assert titles(model, model.rows_for(loose)) == ["C"]
    osdi = Selection("venue", "OSDI 2024", source="awesome-papers")
    assert len(model.rows_for(osdi)) == len(model.rows_for(Selection("venue", "OSDI 2024")))


def test_a_search_before_the_index_exists_finds_what_the_index_finds(catalog: Catalog) -> None:
    early = DeskModel(catalog, feeds_in_all=True)
    early.set_note(catalog.papers[3].id, "Zebrafish reading group")
    osdi = list(early.rows_for(Selection("venue", "OSDI 2024")))
    found = early.search("osdi serving", osdi)
    assert early._keys is None  # the few rows were searched without building the index
    built = DeskModel(catalog, feeds_in_all=True)
    built.set_note(catalog.papers[3].id, "Zebrafish reading group")
    assert found == built.search("osdi serving", range(len(catalog))) and found
    assert early.search("zebrafish", range(4)) == [3]


def test_due_counts_take_dates_as_dates_or_as_the_store_holds_them() -> None:
    from paperdesk.tui.desk_model import due_counts

    today = dt.date(2025, 3, 10)
    todos = [
        (dt.date(2025, 3, 9), False),  # overdue
        ("2025-03-10", False),  # today: due
        ("2025-03-17", False),  # in 7 days: due
        ("2025-03-18", False),  # later
        (dt.date(2025, 3, 1), True),  # done
        (None, False),
        ("not a date", False),
    ]
    assert due_counts(todos, today) == (1, 2)


def test_a_remembered_view_round_trips_and_a_damaged_one_is_ignored() -> None:
    from paperdesk.tui.opening import DeskView

    view = DeskView(
        Selection("day", "daily", "daily · 2026-08-18", day=dt.date(2026, 8, 18), source=None),
        "title",
        "unread",
        "serving",
        "some-id",
        "nav",
    )
    assert DeskView.loads(view.dumps()) == view
    assert DeskView.loads(None) is None and DeskView.loads("{not json") is None
    odd = DeskView.loads('{"selection": {"kind": "nonsense"}, "sort": 3, "search": null}')
    assert odd == DeskView()
    assert Selection.from_record({"kind": "day", "day": "2026-13-45"}) is None
