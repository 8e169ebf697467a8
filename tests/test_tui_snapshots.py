"""SVG snapshots of the desk's screens at 160x50 and 80x24 (review them like code).

The home holds the main list, a dated feed, a new paper in the inbox, a noted orphan and an
overdue TODO conference, so the Library, the header and the list show what a researcher's desk
shows. Regenerate after a deliberate change with ``pytest tests/test_tui_snapshots.py
--snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.pilot import Pilot

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.metadata import MetadataCache
from paperdesk.catalog.models import ArxivMetadata, CatalogFile
from paperdesk.catalog.records import Paper
from paperdesk.state.store import Store
from paperdesk.tui.app import PaperdeskApp, make_app
from paperdesk.tui.screens.todo import TodoScreen
from paperdesk.tui.screens.triage import TriageScreen
from paperdesk.tui.selection import Selection
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.workspace import Workspace
from tui_catalog import SERVERLESS, main_list, write_home_sources

WIDE = (160, 50)
SMALL = (80, 24)
SIZES = pytest.mark.parametrize("size", [WIDE, SMALL], ids=["160x50", "80x24"])
TODAY = dt.date(2025, 3, 1)
WRITTEN = dt.datetime(2025, 2, 27, 9, 30, tzinfo=dt.UTC)
LONG_NOTE = "Read with the cold-start numbers in mind.\nCompare with Llumnix.\n" + "\n".join(
    f"point {n}" for n in range(1, 9)
)


@pytest.fixture
def app(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> PaperdeskApp:
    """A desk on a home with a feed, an inbox, an orphan and a note (made before the app, which
    starts reading the home as it is made), written at a fixed time: the detail shows it."""
    monkeypatch.setattr("paperdesk.state.store._now", lambda: WRITTEN)
    monkeypatch.setattr("paperdesk.state.clock.now_ms", lambda: int(WRITTEN.timestamp() * 1000))
    write_home_sources(isolated_home)
    ws = Workspace.open(home=isolated_home)
    store: Store = ws.store
    store.set_note(ws.catalog.find(SERVERLESS), LONG_NOTE)
    store.add_to_inbox([paper_id("Another Serving Trick")], "daily")
    orphan = ws.catalog.find("NSDI Networking paper 3")
    store.set_status([orphan], "reading")
    store.set_note(orphan, "worth keeping")
    main = main_list()
    main.papers = [p for p in main.papers if p.id != orphan.id]
    (isolated_home / "sources" / "awesome-papers.json").write_text(main.model_dump_json())
    Workspace.open(home=isolated_home).catalog  # noqa: B018 - cached, as after an import
    return make_app(home=isolated_home)


#: A fetched venue's sessions, and the accepted papers under them.
SESSIONS = {
    "LLM Serving": [
        "DistServe: Disaggregating Prefill and Decoding for Goodput-optimized LLM Serving",
        "Llumnix: Dynamic Scheduling for Large Language Model Serving",
        "CacheGen: KV Cache Compression and Streaming for Fast Language Model Serving",
    ],
    "Networking": [
        "Understanding the Performance of a [Congestion] Controller at Scale",
        "Packet Scheduling with Programmable Switches",
    ],
    "Storage": ["A Log-Structured Store for Persistent Memory", "Erasure Coding at the Edge"],
}
ABSTRACT = (
    "Large language model serving keeps a key-value cache per request whose size grows with the "
    "context. We show how to compress it into a compact bitstream and stream it between "
    "machines, cutting the delay of fetching and processing long contexts by 3x while keeping "
    "the quality of the responses."
)


@pytest.fixture
def triage_app(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> PaperdeskApp:
    """A desk whose home holds a fetched NSDI 2025 (two papers triaged, the third enriched)."""
    monkeypatch.setattr("paperdesk.state.store._now", lambda: WRITTEN)
    monkeypatch.setattr("paperdesk.state.clock.now_ms", lambda: int(WRITTEN.timestamp() * 1000))
    write_home_sources(isolated_home)
    papers = [
        Paper(
            id=paper_id(title),
            title=title,
            venue="NSDI 2025",
            year=2025,
            topics=[session],
            url=f"https://www.usenix.org/nsdi25/{index}",
            source="NSDI-2025",
            line=index,
        )
        for index, (session, title) in enumerate(
            ((s, t) for s, titles in SESSIONS.items() for t in titles), start=1
        )
    ]
    ws = Workspace.open(home=isolated_home)
    ws.install(CatalogFile(source="NSDI-2025", kind="venue", papers=papers))
    ws.store.set_status([papers[0]], "queued")
    ws.store.set_status([papers[1]], "skipped")
    MetadataCache(ws.locations).update(
        {
            papers[2].id: ArxivMetadata(
                arxiv_id="2310.07240",
                title=papers[2].title,
                abstract=ABSTRACT,
                authors=["Yuhan Liu", "Hanchen Li", "Yihua Cheng", "Junchen Jiang"],
                fetched_at=WRITTEN,
            )
        }
    )
    return make_app(home=isolated_home)


async def settled(pilot: Pilot) -> None:
    """Every message handled, the detail pane and note caught up, every write done."""
    app = pilot.app
    assert isinstance(app, PaperdeskApp)
    await pilot.pause()
    app.desk.catch_up()
    await pilot.pause()
    if app.writer is not None:
        await app.writer.drain()
    await pilot.pause()


async def loaded(pilot: Pilot) -> None:
    """The desk filled, its store open and the note editor mounted."""
    app = pilot.app
    assert isinstance(app, PaperdeskApp)
    while not (app.desk.settled and app.desk.note_editor is not None):
        await pilot.pause(0.02)
    await settled(pilot)


async def on_serverless(pilot: Pilot) -> None:
    """The cursor on ServerlessLLM, the paper with a long note."""
    await loaded(pilot)
    app = pilot.app
    assert isinstance(app, PaperdeskApp)
    desk = app.desk
    assert desk.model is not None
    row = desk.model.row_of(paper_id(SERVERLESS))
    desk.paper_list.move_to(list(desk.paper_list.rows).index(row))
    await settled(pilot)


async def searching(pilot: Pilot) -> None:
    await loaded(pilot)
    await pilot.press("slash", *"serving")
    await settled(pilot)


async def writing(pilot: Pilot) -> None:
    await on_serverless(pilot)
    await pilot.press("w")
    await settled(pilot)


async def a_source(pilot: Pilot) -> None:
    await loaded(pilot)
    app = pilot.app
    assert isinstance(app, PaperdeskApp)
    tree = app.desk.query_one(NavTree)
    tree.focus()
    node = tree.find(Selection("source", "daily", "daily"))
    assert node is not None
    node.expand()
    tree.move_cursor(node)
    await settled(pilot)


async def todo(pilot: Pilot) -> None:
    await loaded(pilot)
    app = pilot.app
    assert isinstance(app, PaperdeskApp)
    app.push_screen(TodoScreen(app.desk.ws, today=TODAY))
    await settled(pilot)
    await pilot.press("j")
    await settled(pilot)


async def help_screen(pilot: Pilot) -> None:
    await loaded(pilot)
    await pilot.press("question_mark")
    await settled(pilot)


async def export_form(pilot: Pilot) -> None:
    await loaded(pilot)
    app = pilot.app
    assert isinstance(app, PaperdeskApp)
    app.desk.action_export()
    await settled(pilot)


async def triaging(pilot: Pilot) -> None:
    await loaded(pilot)
    app = pilot.app
    assert isinstance(app, PaperdeskApp)
    app.desk.open_triage("NSDI 2025")
    while not isinstance(app.screen, TriageScreen) or app.screen.fetched == {}:
        await pilot.pause(0.02)
    await settled(pilot)


@SIZES
def test_desk(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=on_serverless)


@SIZES
def test_desk_searching(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=searching)


@SIZES
def test_writing_a_note(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=writing)


@SIZES
def test_a_source_by_date(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=a_source)


@SIZES
def test_todo_screen(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=todo)


@SIZES
def test_help_screen(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=help_screen)


@SIZES
def test_export_form(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=export_form)


async def picking(pilot: Pilot) -> None:
    """One paper picked and a range open over the next three."""
    await loaded(pilot)
    await pilot.press("space", "v", "j", "j")
    await settled(pilot)


async def marking_all(pilot: Pilot) -> None:
    await loaded(pilot)
    await pilot.press("A")
    await settled(pilot)


@SIZES
def test_picking(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=picking)


@SIZES
def test_marking_all_asks_the_status(
    snap_compare, app: PaperdeskApp, size: tuple[int, int]
) -> None:
    assert snap_compare(app, terminal_size=size, run_before=marking_all)


@SIZES
def test_triage(snap_compare, triage_app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(triage_app, terminal_size=size, run_before=triaging)
