"""Triage of a venue in the desk (``T``), driven by Pilot on a real home and asserted on the
store: one key a paper, resuming after a restart, the filter, undo, n/N, the TODO question."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.pilot import Pilot
from textual.widgets import Input

from dblp_fixtures import toc_xml
from paperdesk.catalog.dblp_venues import resolve_venue
from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.models import CatalogFile
from paperdesk.catalog.records import Paper
from paperdesk.tui.app import PaperdeskApp
from paperdesk.tui.screens.confirm import ConfirmScreen
from paperdesk.tui.screens.todo import TodoScreen
from paperdesk.tui.screens.triage import TriageScreen
from paperdesk.tui.selection import Selection
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.paper_detail import PaperDetail
from paperdesk.tui.widgets.triage_card import TriageCard
from paperdesk.tui.widgets.triage_header import TriageHeader
from paperdesk.workspace import Workspace
from test_tui import desk_on, store_of, todo_screen, until, written
from tui_catalog import ServedList, main_list, write_home_sources

VENUE = "NSDI 2025"
#: Source names take no spaces: the fetched venue is installed under this one.
SOURCE = "NSDI-2025"
SESSIONS = ("Networking", "KV Cache Serving", "Storage", "Security")
#: The daily feed's preprint, also accepted at the venue (the same title: the same id).
PREPRINT = "Another Serving Trick"


def venue_title(index: int) -> str:
    return f"Venue paper {index:02d}: {SESSIONS[index % len(SESSIONS)].lower()} study"


def venue_file(count: int = 40, *, preprint: bool = False) -> CatalogFile:
    """A fetched venue as ``venue fetch`` installs it: kind venue, sessions as topics."""
    titles = [venue_title(index) for index in range(1, count + 1)]
    if preprint:
        titles[2] = PREPRINT
    papers = [
        Paper(
            id=paper_id(title),
            title=title,
            venue=VENUE,
            year=2025,
            topics=[SESSIONS[index % len(SESSIONS)]],
            url=f"https://dblp.example/{index}",
            source=SOURCE,
            line=index,
        )
        for index, title in enumerate(titles, start=1)
    ]
    return CatalogFile(source=SOURCE, kind="venue", title=VENUE, papers=papers)


def install_venue(home: Path, **options: object) -> list[Paper]:
    write_home_sources(home)
    venue = venue_file(**options)  # type: ignore[arg-type]
    Workspace.open(home=home).install(venue)
    return venue.papers


@pytest.fixture
def venue_papers(isolated_home: Path) -> list[Paper]:
    return install_venue(isolated_home)


def triage_screen(app: PaperdeskApp) -> TriageScreen:
    screen = app.screen
    assert isinstance(screen, TriageScreen), screen
    return screen


def card_text(app: PaperdeskApp) -> str:
    card = app.screen.query_one(TriageCard)
    return "\n".join(strip.text for strip in card._lines)


def header_text(app: PaperdeskApp) -> str:
    return app.screen.query_one(TriageHeader).render().plain


def shown_title(app: PaperdeskApp) -> str:
    screen = triage_screen(app)
    row = screen.triage.current
    assert row is not None
    return screen.desk_model.paper(row).title


async def triaging(app: PaperdeskApp, pilot: Pilot) -> TriageScreen:
    """Wait for the triage screen to be on top, and return it."""
    await until(pilot, lambda: isinstance(app.screen, TriageScreen))
    return triage_screen(app)


async def asked(app: PaperdeskApp, pilot: Pilot) -> str:
    """Wait for a yes/no question, and return what it asks."""
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    assert isinstance(app.screen, ConfirmScreen)
    return str(app.screen.question)


async def open_triage(app: PaperdeskApp, pilot: Pilot) -> None:
    """From the opened desk: the venue source in the Library, then T."""
    tree = app.desk.query_one(NavTree)
    assert tree.reveal(Selection("source", SOURCE, SOURCE))
    tree.focus()
    await pilot.pause()
    await pilot.press("T")
    await triaging(app, pilot)
    await pilot.pause()


async def turn_to(app: PaperdeskApp, pilot: Pilot, venue: str) -> None:
    """Open the triage of ``venue`` from the desk, as a TODO's fetch does."""
    app.desk.open_triage(venue)
    await pilot.pause()


def dblp_at(monkeypatch: pytest.MonkeyPatch, api: str) -> None:
    """Send DBLP's requests to ``api`` (a stand-in on loopback), with no pause between them."""
    monkeypatch.setenv("PAPERDESK_DBLP_API", api)
    monkeypatch.setenv("PAPERDESK_DBLP_INTERVAL", "0")


async def test_twenty_keys_then_quit_and_a_new_desk_resumes_at_paper_21(
    isolated_home: Path, venue_papers: list[Paper]
) -> None:
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        assert shown_title(app) == venue_papers[0].title
        assert "0/40 triaged · 0 picked" in header_text(app)
        keys = ["p", "x", "r", "x"] * 5  # pick, skip, read: each moves on to the next paper
        await pilot.press(*keys)
        assert shown_title(app) == venue_papers[20].title
        assert "20/40 triaged · 5 picked" in header_text(app)
        assert "21 of 40" in card_text(app)
        await pilot.press("q")
    store = store_of(isolated_home)
    expected = {"p": "queued", "x": "skipped", "r": "read"}
    for paper, key in zip(venue_papers, keys, strict=False):
        assert store.status_of(paper.id) == expected[key], paper.title
    assert all(store.status_of(p.id) == "unread" for p in venue_papers[20:])

    async with desk_on(isolated_home) as (again, pilot):
        await turn_to(again, pilot, VENUE)
        assert shown_title(again) == venue_papers[20].title
        assert "20/40 triaged · 5 picked" in header_text(again)


async def test_resume_lands_at_or_after_the_last_position_not_on_an_earlier_gap(
    isolated_home: Path, venue_papers: list[Paper]
) -> None:
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        await pilot.press("x", "x")  # papers 1 and 2
        await pilot.press(*["j"] * 7)  # to paper 10, leaving 3-9 untriaged
        await pilot.press("p", "p")  # papers 10 and 11: on paper 12
        assert shown_title(app) == venue_papers[11].title
        await pilot.press("escape")
        assert app.screen is app.desk
        await pilot.press("q")
    async with desk_on(isolated_home) as (again, pilot):
        await turn_to(again, pilot, VENUE)
        assert shown_title(again) == venue_papers[11].title  # not paper 3
        await pilot.press("n")
        assert shown_title(again) == venue_papers[12].title
        await pilot.press("N", "N")
        assert shown_title(again) == venue_papers[8].title  # back over 10 and 11, triaged


async def test_filter_triages_a_subset_first(
    isolated_home: Path, venue_papers: list[Paper]
) -> None:
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        await pilot.press("slash", *"kv cache", "enter")
        kv = [p for p in venue_papers if "KV Cache Serving" in p.topics]
        assert len(triage_screen(app).triage.rows) == len(kv) == 10
        assert shown_title(app) == kv[0].title
        assert "filter kv cache: 0/10" in header_text(app)
        await pilot.press(*["p"] * 10)
        assert "filter kv cache: 10/10" in header_text(app)
        assert "10/40 triaged · 10 picked" in header_text(app)
        await pilot.press("escape")  # a kept filter is cleared first, triage stays
        assert isinstance(app.screen, TriageScreen)
        assert not triage_screen(app).triage.filter
        assert not app.screen.query_one("#triage-filter", Input).display
        await pilot.press("slash", *"storage", "escape")  # escape in the box clears it too
        assert isinstance(app.screen, TriageScreen) and not triage_screen(app).triage.filter
        await pilot.press("n")
        assert (
            "KV Cache Serving"
            not in triage_screen(app)
            .desk_model.paper(triage_screen(app).triage.current or 0)
            .topics
        )
        await written(app, pilot)
    store = store_of(isolated_home)
    assert {p.id for p in venue_papers if store.status_of(p.id) == "queued"} == {p.id for p in kv}


async def test_undo_takes_back_a_triage_mark_here_and_in_the_desk(
    isolated_home: Path, venue_papers: list[Paper]
) -> None:
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        await pilot.press("p", "x")
        await written(app, pilot)
        await pilot.press("z")
        await written(app, pilot)
        assert shown_title(app) == venue_papers[1].title  # back on the paper undone
        assert "1/40 triaged · 1 picked" in header_text(app)
        assert "untriaged" in card_text(app)
        await pilot.press("escape")
        await pilot.press("z")  # the desk's z undoes the triage's pick too
        await written(app, pilot)
    store = store_of(isolated_home)
    assert store.status_of(venue_papers[0].id) == "unread"
    assert store.status_of(venue_papers[1].id) == "unread"


async def test_a_preprint_already_read_shows_as_triaged(isolated_home: Path) -> None:
    papers = install_venue(isolated_home, preprint=True)
    ws = Workspace.open(home=isolated_home)
    ws.store.set_status([ws.catalog.find(PREPRINT)], "read")
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        assert "1/40 triaged · 0 picked" in header_text(app)
        await pilot.press("x", "x")  # papers 1 and 2; the preprint (3) is passed over
        assert shown_title(app) == papers[3].title
        await pilot.press("k")
        assert shown_title(app) == PREPRINT
        assert "read" in card_text(app).splitlines()[0]


async def test_the_last_paper_asks_to_mark_the_todo_done(isolated_home: Path) -> None:
    papers = install_venue(isolated_home, count=3)
    async with desk_on(isolated_home) as (app, pilot):
        todo = await todo_screen(app, pilot)
        assert todo.items[0].name == "NSDI'25"
        await pilot.press("T")  # NSDI'25 is the fetched NSDI 2025
        await triaging(app, pilot)
        await pilot.press("p", "x", "x")
        assert "Mark NSDI'25 done?" in await asked(app, pilot)
        await pilot.press("y")
        await written(app, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is todo)
        await written(app, pilot)
        await until(pilot, lambda: todo.items[0].done)
    store = store_of(isolated_home)
    assert [t.done for t in store.todos() if t.name == "NSDI'25"] == [True]
    assert store.status_of(papers[0].id) == "queued"


async def test_no_answers_leaves_the_todo_open(isolated_home: Path) -> None:
    install_venue(isolated_home, count=2)
    async with desk_on(isolated_home) as (app, pilot):
        await turn_to(app, pilot, VENUE)
        await pilot.press("x", "x")
        await asked(app, pilot)
        await pilot.press("n")
        await written(app, pilot)
        assert isinstance(app.screen, TriageScreen)
        assert "done · 2/2 triaged" in header_text(app)
    store = store_of(isolated_home)
    assert not any(t.done for t in store.todos() if t.name == "NSDI'25")


async def test_a_conference_not_fetched_is_fetched_when_the_user_says_so(
    isolated_home: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OSDI'25 has no venue in the catalog: T asks, and a yes fetches it from DBLP (a stand-in
    on loopback answering with a table of contents) and opens its triage."""
    toc = resolve_venue("OSDI 2025").toc
    assert toc is not None
    httpserver.expect_request(f"/{toc}.xml").respond_with_data(
        toc_xml(), content_type="application/xml"
    )
    dblp_at(monkeypatch, httpserver.url_for("/search/publ/api"))
    write_home_sources(isolated_home)
    async with desk_on(isolated_home) as (app, pilot):
        await todo_screen(app, pilot)
        await pilot.press("j", "T")
        await asked(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TodoScreen)
        messages = [n.message for n in app._notifications]
        assert any('paperdesk venue fetch "OSDI 2025"' in m for m in messages), messages
        assert not httpserver.log  # no answer, no request

        await pilot.press("T")
        await asked(app, pilot)
        await pilot.press("y")
        await triaging(app, pilot)
        assert triage_screen(app).triage.name == "OSDI 2025"
        assert "0/5 triaged" in header_text(app)
        assert shown_title(app) == "Tiered KV Cache Offloading for Multi-Tenant LLM Serving"

        await pilot.press("escape", "escape")  # the triage, then the TODO screen
        await until(pilot, lambda: app.screen is app.desk)
        tree = app.desk.query_one(NavTree)
        assert tree.reveal(Selection("source", "OSDI-2025", "OSDI-2025"))
        tree.focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.desk.view_name.startswith("OSDI-2025"))
        app.desk.catch_up()
        detail = app.desk.query_one(PaperDetail).content.plain
        assert "Author 0 One, Author 0 Two" in detail  # DBLP's, no arXiv enrichment here
        assert "10.5555/nsdi25.0" in detail and "100-115" in detail
    assert "OSDI-2025" in {s.name for s in Workspace.open(home=isolated_home).catalog.sources}


async def test_a_sync_under_triage_keeps_the_card_on_its_paper(
    isolated_home: Path, venue_papers: list[Paper], served_list: Callable[..., ServedList]
) -> None:
    """A sync rebuilds the catalog while triage is open and numbers its rows anew: the card
    stays on its paper, the filter stays, and the next key marks that paper."""
    served = served_list("Llumnix: Dynamic Scheduling")
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        await pilot.press("x", "x", "slash", *"study", "enter")
        screen = triage_screen(app)
        third = venue_papers[2]
        assert shown_title(app) == third.title
        old_model = app.desk.model
        assert old_model is not None
        old_row = old_model.row_of(third.id)
        served.titles = tuple(f"Early paper {n}" for n in range(5))
        app.desk.action_sync()
        await until(pilot, lambda: app.desk.model is not old_model, timeout=30)
        await pilot.pause()
        new_model = app.desk.model
        assert new_model is not None and new_model.row_of(third.id) != old_row
        assert app.screen is screen and screen.triage.current == new_model.row_of(third.id)
        assert screen.triage.filter == "study"
        assert shown_title(app) == third.title
        assert "2/40 triaged · 0 picked" in header_text(app)
        await pilot.press("p")
        await written(app, pilot)
    store = store_of(isolated_home)
    marked = [p.title for p in venue_papers if store.status_of(p.id) != "unread"]
    assert marked == [p.title for p in venue_papers[:3]]
    assert store.status_of(third.id) == "queued"


async def test_T_on_another_venue_turns_the_open_triage_to_it(
    isolated_home: Path, venue_papers: list[Paper]
) -> None:
    """One triage at a time: opening another venue's (a fetch from the TODO screen ends in
    one) turns the open screen to it, resuming it where it was left."""
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        await pilot.press("x", "slash", *"study", "enter")
        screen = triage_screen(app)
        other = next(g.name for g in app.desk.model.catalog.venues if g.name != VENUE)
        await turn_to(app, pilot, other)
        assert app.screen is screen and screen.triage.name == other
        assert not screen.triage.filter
        await turn_to(app, pilot, VENUE)
        assert app.screen is screen and shown_title(app) == venue_papers[1].title


async def test_a_conference_the_lists_hold_a_few_papers_of_offers_the_fetch_first(
    isolated_home: Path,
) -> None:
    """NSDI'25 is not fetched, but the main list holds a few NSDI 2025 papers: T asks to
    fetch the accepted list, a no triages those, and escape does neither."""
    write_home_sources(isolated_home)
    held = sum(paper.venue == VENUE for paper in main_list().papers)
    assert held > 0
    async with desk_on(isolated_home) as (app, pilot):
        todo = await todo_screen(app, pilot)
        assert todo.items[0].name == "NSDI'25"
        await pilot.press("T")
        question = await asked(app, pilot)
        assert "NSDI 2025 is not fetched yet" in question and f"hold {held} papers" in question
        await pilot.press("escape")  # backs out: neither a fetch nor a triage
        await until(pilot, lambda: app.screen is todo)
        await pilot.press("T")
        await asked(app, pilot)
        await pilot.press("n")
        assert (await triaging(app, pilot)).triage.name == "NSDI 2025"
        assert f"0/{held} triaged" in header_text(app)


async def test_a_fetch_ending_under_another_triage_leaves_it_where_it_is(
    isolated_home: Path,
    venue_papers: list[Paper],
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fetch started from the TODO screen ends while the user triages another venue: the
    triage stays on its venue and paper (the next key is the user's), and a message says
    how to triage the fetched one."""
    toc = resolve_venue("OSDI 2025").toc
    assert toc is not None
    httpserver.expect_request(f"/{toc}.xml").respond_with_data(
        toc_xml(), content_type="application/xml"
    )
    dblp_at(monkeypatch, httpserver.url_for("/search/publ/api"))
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        await pilot.press("x")
        screen = triage_screen(app)
        old_model = app.desk.model
        app.desk.fetch_venue("OSDI 2025")
        await until(pilot, lambda: app.desk.model is not old_model, timeout=30)
        await pilot.pause()
        assert app.screen is screen and screen.triage.name == VENUE
        assert shown_title(app) == venue_papers[1].title
        messages = [n.message for n in app._notifications]
        assert any("OSDI 2025" in m and "T triages" in m for m in messages), messages
        await pilot.press("p")
        await written(app, pilot)
    assert store_of(isolated_home).status_of(venue_papers[1].id) == "queued"


async def test_triage_keys_remapped_to_brackets_show_literally_on_the_card(
    isolated_home: Path, venue_papers: list[Paper]
) -> None:
    """The card's border lists the keys as remapped; ``[/]`` is text, never markup."""
    (isolated_home / "config.toml").write_text(
        '[keymap]\n"triage.next" = "left_square_bracket"\n'
        '"triage.previous" = "right_square_bracket"\n',
        encoding="utf-8",
    )
    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        subtitle = app.screen.query_one(TriageCard).border_subtitle
        assert "[/] next/previous untriaged" in str(subtitle)
        await pilot.press("x", "left_square_bracket")  # skip paper 1, then next untriaged
        assert shown_title(app) == venue_papers[2].title


async def test_a_failed_fetch_is_one_message_and_changes_nothing(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dblp_at(monkeypatch, f"http://127.0.0.1:{port}/search/publ/api")
    write_home_sources(isolated_home)
    sources = sorted(p.name for p in (isolated_home / "sources").iterdir())
    async with desk_on(isolated_home) as (app, pilot):
        await todo_screen(app, pilot)
        await pilot.press("j", "T")
        await asked(app, pilot)
        await pilot.press("y")
        await until(
            pilot,
            lambda: any("Could not fetch venue" in n.message for n in app._notifications),
            timeout=30,
        )
        assert isinstance(app.screen, TodoScreen)
    assert sorted(p.name for p in (isolated_home / "sources").iterdir()) == sources


async def test_T_on_a_paper_of_the_list_triages_its_venue(
    isolated_home: Path, venue_papers: list[Paper]
) -> None:
    async with desk_on(isolated_home) as (app, pilot):
        app.desk.query_one(NavTree).reveal(Selection("venue", "OSDI 2024", "OSDI 2024"))
        app.desk.paper_list.focus()
        await pilot.pause()
        await pilot.press("T")
        assert (await triaging(app, pilot)).triage.name == "OSDI 2024"
        assert "Triage OSDI 2024" in header_text(app)


async def test_titles_on_the_card_are_literal(isolated_home: Path) -> None:
    write_home_sources(isolated_home)
    evil = "[bold]Not bold[/bold] \x1b]0;pwned\x07 title"
    paper = Paper(id=paper_id(evil), title=evil, venue=VENUE, topics=["[red]x"], source=SOURCE)
    venue = CatalogFile(source=SOURCE, kind="venue", papers=[paper])
    Workspace.open(home=isolated_home).install(venue)
    async with desk_on(isolated_home) as (app, pilot):
        await turn_to(app, pilot, VENUE)
        text = card_text(app)
        assert "[bold]Not bold[/bold]" in text and "\x1b" not in text
        assert "NSDI 2025 · [red]x" in text


async def test_help_and_the_palette_list_the_triage_keys(
    isolated_home: Path, venue_papers: list[Paper]
) -> None:
    from paperdesk.tui.commands import DeskCommands
    from paperdesk.tui.screens.help import HelpScreen, render_keys

    async with desk_on(isolated_home) as (app, pilot):
        await open_triage(app, pilot)
        screen = triage_screen(app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = render_keys(help_screen.sections, help_screen.generic).plain
        for line in ("Pick", "Skip", "Previous untriaged", "triage.pick", "triage.filter"):
            assert line in text, line
        await pilot.press("escape")
        names = [name for name, _, _ in DeskCommands(screen)._commands()]
        assert {"Pick", "Skip", "Read", "Undo", "Untriaged", "Filter", "Back"} <= set(names)
