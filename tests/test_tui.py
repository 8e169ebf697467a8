"""The desk, driven by Textual's Pilot: every key, asserted on the store and on widget state."""

from __future__ import annotations

import asyncio
import json
import stat
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RadioButton
from werkzeug import Request, Response

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.merged import Catalog
from paperdesk.catalog.models import TodoItem
from paperdesk.locations import Locations
from paperdesk.state.store import Store
from paperdesk.tui.app import PaperdeskApp, make_app
from paperdesk.tui.clipboard import TERMINAL
from paperdesk.tui.screens.confirm import ConfirmScreen
from paperdesk.tui.screens.export import ExportForm
from paperdesk.tui.screens.help import HelpScreen
from paperdesk.tui.screens.todo import TodoForm, TodoScreen
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.note_editor import NoteEditor
from paperdesk.tui.widgets.paper_detail import PaperDetail
from paperdesk.tui.widgets.paper_list import PaperList
from paperdesk.tui.widgets.search_bar import SearchBar
from tui_catalog import (
    ESCAPE_TITLE,
    EVIL_TITLE,
    SERVERLESS,
    ServedList,
    main_list,
    write_home_sources,
)

SIZE = (120, 40)
SERVERLESS_ID = paper_id(SERVERLESS)


pytestmark = pytest.mark.usefixtures("over_ssh")


def store_of(home: Path) -> Store:
    """A second, independent view of the store file: what another process would see."""
    return Store.open(Locations.resolve(home).store)


async def opened(app: PaperdeskApp, pilot: Pilot, *, editor: bool = False) -> None:
    """Wait for the desk to be filled and its store to be open (validated states shown); with
    ``editor``, for the note editor too (mounted just after the first frame)."""

    def ready() -> bool:
        return app.desk.settled and (app.desk.note_editor is not None or not editor)

    await until(pilot, lambda: ready() or app.open_error is not None)
    await pilot.pause()
    assert app.desk.model is not None, app.open_error


@asynccontextmanager
async def running(
    app: PaperdeskApp, size: tuple[int, int] = SIZE, *, editor: bool = False, **options: Any
) -> AsyncIterator[Pilot]:
    """``app`` under Pilot at ``size``, once :func:`opened`."""
    async with app.run_test(size=size, **options) as pilot:
        await opened(app, pilot, editor=editor)
        yield pilot


@asynccontextmanager
async def desk_on(
    home: Path, size: tuple[int, int] = SIZE, *, editor: bool = False, **options: Any
) -> AsyncIterator[tuple[PaperdeskApp, Pilot]]:
    """A desk on ``home``'s own sources, :func:`running`."""
    app = make_app(home=home)
    async with running(app, size, editor=editor, **options) as pilot:
        yield app, pilot


async def written(app: PaperdeskApp, pilot: Pilot) -> None:
    """Let queued messages run, then wait until the writer thread has written everything."""
    await pilot.pause()
    assert app.writer is not None
    await app.writer.drain()
    await pilot.pause()


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait for a condition the app reaches on its own (a timer, a poll)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


async def failed_to_open(app: PaperdeskApp, timeout: float = 15.0) -> None:
    """Wait for the app to give up on a workspace it cannot open."""
    deadline = time.monotonic() + timeout
    while app.open_error is None:
        assert time.monotonic() < deadline, "the app did not report the error"
        await asyncio.sleep(0.02)


def papers(app: PaperdeskApp) -> PaperList:
    return app.desk.query_one(PaperList)


def titles(app: PaperdeskApp) -> list[str]:
    paper_list = papers(app)
    model = app.desk.model
    assert model is not None
    return [model.paper(row).title for row in paper_list.rows]


def highlighted_title(app: PaperdeskApp) -> str | None:
    paper = app.desk.current_paper
    return paper.title if paper else None


async def search_serverless(pilot: Pilot) -> None:
    await pilot.press("slash", *"serverlessllm", "enter")


# -- layout and first screen ---------------------------------------------------------------


async def test_first_screen_shows_all_papers_in_list_order(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        catalog = Catalog.from_files([main_list()])
        assert titles(app) == [paper.title for paper in catalog.papers]
        assert app.desk.selection.key == "all"
        assert app.focused is papers(app)
        tree_lines = [
            app.desk.query_one(NavTree).render_line(y).text
            for y in range(app.desk.query_one(NavTree).size.height)
        ]
        assert any("OSDI 2024" in line and "0/" in line for line in tree_lines)


async def test_workspace_errors_end_the_app_with_one_line(
    isolated_home: Path, tmp_path: Path
) -> None:
    app = make_app(home=isolated_home, catalog=tmp_path / "missing.md")
    async with app.run_test(size=SIZE):
        await failed_to_open(app)
    assert app.return_code == 1
    assert app.open_error is not None
    assert "missing.md" in str(app.open_error)
    assert "\n" not in str(app.open_error)


async def test_a_corrupt_store_ends_the_app_with_one_line(
    isolated_home: Path, catalog_path: Path
) -> None:
    (isolated_home / "store.json").write_text("{ this is not json", encoding="utf-8")
    app = make_app(home=isolated_home, catalog=catalog_path)
    async with app.run_test(size=SIZE):
        await failed_to_open(app)
    assert app.return_code == 1
    assert "store" in str(app.open_error)


async def test_marks_made_before_a_store_is_refused_never_reach_it(
    isolated_home: Path, catalog_path: Path
) -> None:
    """The first frame shows while the store is still being validated; if it then fails,
    what was pressed meanwhile is dropped, and the file is left exactly as it was."""
    catalog = Catalog.from_files([main_list()])
    store = store_of(isolated_home)
    store.set_status([catalog.paper(0)], "read")
    path = store.path
    path.write_bytes(path.read_bytes().replace(b'"status":"read"', b'"status":"finished"'))
    before = path.read_bytes()
    app = make_app(home=isolated_home, catalog=catalog_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "r", "a")
        await failed_to_open(app)
    if app.writer is not None:
        app.writer.close()
    assert "is invalid (status:" in str(app.open_error)
    assert path.read_bytes() == before


async def test_home_sources_show_other_sources_by_date(isolated_home: Path) -> None:
    write_home_sources(isolated_home)
    app = make_app(home=isolated_home)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        tree = app.desk.query_one(NavTree)
        sources = next(node for node in tree.root.children if str(node.label) == "Sources")
        assert [node.data.key for node in sources.children] == ["awesome-papers", "daily"]
        daily = sources.children[1]
        daily.expand()
        await until(pilot, lambda: len(daily.children) == 2 and daily.children[0].line >= 0)
        days = [node.data.day for node in daily.children if node.data]
        assert [day.isoformat() for day in days if day] == ["2026-08-18", "2026-08-17"]
        tree.focus()
        tree.move_cursor(daily.children[0])
        expected = ["Another Serving Trick", "Bounded-State Restoration"]
        await until(pilot, lambda: sorted(titles(app)) == expected)


# -- user text is shown literally ----------------------------------------------------------


async def test_titles_render_literally_without_escape_sequences(app: PaperdeskApp) -> None:
    async with app.run_test(size=(220, 40)) as pilot:
        await opened(app, pilot)
        paper_list = papers(app)
        lines = [paper_list.render_line(y).text for y in range(paper_list.size.height)]
        screen = "\n".join(lines)
        assert "[bold]Not bold[/bold] and [red]plain[/red] title" in screen
        assert "\x1b" not in screen and "\x07" not in screen
        assert "Bell ]0;pwned and [31mescape[0m title" in screen  # inert, as everywhere
        detail = app.desk.query_one(PaperDetail)
        paper_list.move_to(titles(app).index(EVIL_TITLE))
        await until(pilot, lambda: EVIL_TITLE in detail.content.plain)
        paper_list.move_to(titles(app).index(ESCAPE_TITLE))
        await until(pilot, lambda: "Bell ]0;pwned and [31m" in detail.content.plain)
        assert "\x1b" not in detail.content.plain and "\x07" not in detail.content.plain


# -- moving around -------------------------------------------------------------------------


async def test_j_k_arrows_g_and_G_move_the_cursor(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        paper_list = papers(app)
        await pilot.press("j", "j", "down")
        assert paper_list.cursor == 3
        await pilot.press("k", "up")
        assert paper_list.cursor == 1
        await pilot.press("G")
        assert paper_list.cursor == len(paper_list.rows) - 1
        await pilot.press("g")
        assert paper_list.cursor == 0
        assert highlighted_title(app) == titles(app)[0]


async def test_tab_and_shift_tab_cycle_the_panes_and_never_enter_the_note(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await until(pilot, lambda: app.desk.note_editor is not None)
        assert app.focused is papers(app)
        await pilot.press("tab")
        assert isinstance(app.focused, PaperDetail)
        await pilot.press("tab")
        assert isinstance(app.focused, NavTree)
        await pilot.press("tab")
        assert app.focused is papers(app)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, NavTree)
        await pilot.press("shift+tab", "shift+tab", "tab", "tab", "tab", "tab", "j", "k")
        assert not isinstance(app.focused, NoteEditor)
        await written(app, pilot)
        assert store_of(isolated_home).states() == {}  # no note, no mark: j and k only moved


async def test_enter_on_a_venue_opens_it_and_on_a_paper_focuses_the_detail(
    app: PaperdeskApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        tree = app.desk.query_one(NavTree)
        tree.focus()
        venue_line = next(
            y for y in range(len(tree.lines)) if "OSDI 2024" in tree.render_line(y).text
        )
        await pilot.press(*["j"] * venue_line)
        assert app.desk.selection.key == "OSDI 2024"
        await pilot.press("enter")
        assert app.focused is papers(app)
        assert {app.desk.model.paper(r).venue for r in papers(app).rows} == {"OSDI 2024"}
        await pilot.press("enter")
        assert isinstance(app.focused, PaperDetail)


async def test_space_expands_a_venue_into_topics(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        tree = app.desk.query_one(NavTree)
        tree.focus()
        node = tree.venue_node("OSDI 2024")
        await until(pilot, lambda: node.line >= 0)
        tree.move_cursor(node)
        await pilot.press("space")
        assert [str(child.data.key) for child in node.children if child.data] == [
            "LLM Serving",
            "Scheduling",
        ]
        await pilot.press("j", "enter")
        assert app.desk.selection.kind == "topic"
        assert SERVERLESS in titles(app)
        assert all("Scheduling" not in t for t in titles(app))


# -- marks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "status"),
    [
        (["r"], "read"),
        (["i"], "reading"),
        (["a"], "queued"),
        (["x"], "skipped"),
        (["r", "u"], "unread"),
    ],
)
async def test_status_keys_mark_the_highlighted_paper(
    app: PaperdeskApp, isolated_home: Path, keys: list[str], status: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("j", *keys)
        row = papers(app).highlighted_row
        assert row is not None
        assert app.desk.model.status_of(row) == status
        await written(app, pilot)
        paper = app.desk.model.paper(row)
        assert store_of(isolated_home).status_of(paper.id) == status


async def test_r_again_goes_back_to_unread_and_z_undoes(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        first = app.desk.current_paper
        await pilot.press("r")
        assert app.desk.model.counts["read"] == 1
        await pilot.press("r")
        assert app.desk.model.counts["read"] == 0
        await pilot.press("a", "z")
        await written(app, pilot)
        store = store_of(isolated_home)
        assert store.status_of(first.id) == "unread"
        history = [change.status for change in store.state(first.id).history]
        assert history == ["read", "unread"]  # an undone mark leaves no trace in the history
        assert app.desk.model.status_of(papers(app).highlighted_row) == "unread"


async def test_a_mark_updates_its_line_tree_progress_and_header(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await search_serverless(pilot)
        await pilot.press("r")
        line = papers(app).render_line(0).text
        assert line.startswith(" ✓  ServerlessLLM")
        tree = app.desk.query_one(NavTree)
        assert "1/" in str(tree.venue_node("OSDI 2024").label)
        header = str(app.desk.query_one("#header").render())
        assert "read 1/" in header


async def test_a_failed_write_reverts_the_mark(app: PaperdeskApp, isolated_home: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        store_file = Locations.resolve(isolated_home).store
        store_file.unlink()
        store_file.mkdir()  # the next write cannot replace a directory: a real I/O failure
        await pilot.press("r")
        await written(app, pilot)
        row = papers(app).highlighted_row
        assert app.desk.model.status_of(row) == "unread"
        assert any(n.severity == "error" for n in app._notifications)


# -- notes ---------------------------------------------------------------------------------


async def test_w_types_a_note_and_escape_saves_it(app: PaperdeskApp, isolated_home: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await search_serverless(pilot)
        await pilot.press("r", "w")
        assert isinstance(app.focused, NoteEditor)
        await pilot.press(*"first note from the desk", "escape")
        assert app.focused is papers(app)
        await written(app, pilot)
        store = store_of(isolated_home)
        assert store.status_of(SERVERLESS_ID) == "read"
        assert store.note_of(SERVERLESS_ID) == "first note from the desk"


async def test_q_flushes_a_note_still_being_typed(app: PaperdeskApp, isolated_home: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await search_serverless(pilot)
        await pilot.press("w", *"typed then quit")
        app.set_focus(None)  # q types into the editor; quit the way ctrl+q does
        await pilot.press("ctrl+q")
    assert store_of(isolated_home).note_of(SERVERLESS_ID) == "typed then quit"


async def test_q_quits_after_writing_pending_marks(app: PaperdeskApp, isolated_home: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await search_serverless(pilot)
        await pilot.press("a", "q")
        assert app._exit  # q asked the app to end, after the write
    assert store_of(isolated_home).status_of(SERVERLESS_ID) == "queued"


async def test_a_mark_and_q_the_moment_the_papers_show(
    app: PaperdeskApp, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the store has even opened: the mark is written and the desk ends at once. Only
    the quit may let the writer start: its timer and safety net are made longer than this test."""
    monkeypatch.setattr("paperdesk.tui.app.AFTER_FIRST_FRAME", 60.0)
    monkeypatch.setattr("paperdesk.tui.app.FIRST_FRAME_WAIT_MAX", 60.0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.desk.model is not None)
        first = app.desk.current_paper
        assert first is not None  # the cursor's paper, before the list's message arrives
        await pilot.press("a", "q")
        await until(pilot, lambda: bool(app._exit), timeout=15)
    assert store_of(isolated_home).status_of(first.id) == "queued"


async def test_typing_autosaves_after_a_pause_and_on_switching_papers(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        first = app.desk.current_paper
        await pilot.press("w", *"autosaved")
        await until(pilot, lambda: store_of(isolated_home).note_of(first.id) == "autosaved")
        editor = app.desk.query_one(NoteEditor)
        editor.insert(" and more")
        app.desk.query_one(PaperList).move_to(1)  # the editor follows, saving first
        await until(pilot, lambda: editor.paper is not None and editor.paper.id != first.id)
        await written(app, pilot)
        assert store_of(isolated_home).note_of(first.id) == "autosaved and more"


async def test_emptying_a_note_deletes_it(app: PaperdeskApp, isolated_home: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        first = app.desk.current_paper
        await pilot.press("w", *"x", "escape")
        await written(app, pilot)
        assert store_of(isolated_home).note_of(first.id) == "x"
        await pilot.press("w", "backspace", "escape")
        await written(app, pilot)
        assert store_of(isolated_home).note_of(first.id) is None


# -- search, filter, sort ------------------------------------------------------------------


async def test_slash_filters_per_keystroke_enter_keeps_escape_clears(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        everything = titles(app)
        await pilot.press("slash")
        assert isinstance(app.focused, SearchBar)
        await pilot.press(*"osdi sched")
        assert titles(app) and all(
            "Scheduling" in t or "bold" in t or "Bell" in t for t in titles(app)
        )
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        assert {app.desk.model.paper(r).venue for r in papers(app).rows} == {"OSDI 2024"}
        await pilot.press("enter")
        assert app.focused is papers(app)
        assert papers(app).cursor == 0
        assert app.desk.query_one(SearchBar).display
        await pilot.press("escape")
        assert titles(app) == everything
        assert not app.desk.query_one(SearchBar).display


async def test_search_matches_notes_tags_and_keywords(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("j", "w", *"zebrafish", "escape")
        noted = highlighted_title(app)
        await pilot.press("slash", *"zebrafish")
        assert titles(app) == [noted]
        await pilot.press("escape", "slash", *"cold start")
        assert titles(app) == [SERVERLESS]


async def test_f_cycles_the_status_filter(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("a")
        queued = highlighted_title(app)
        await pilot.press("f")
        assert app.desk.status_filter == "unread"
        assert queued not in titles(app)
        await pilot.press("f")
        assert app.desk.status_filter == "queued"
        assert titles(app) == [queued]
        await pilot.press("f", "f", "f", "f")
        assert app.desk.status_filter is None
        assert queued in titles(app)


async def test_s_cycles_the_sort(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        in_list_order = titles(app)
        await pilot.press("s")
        assert app.desk.sort == "title"
        assert titles(app) == sorted(in_list_order, key=str.casefold)
        await pilot.press("s")
        assert app.desk.sort == "venue"
        venues = [app.desk.model.paper(r).venue for r in papers(app).rows]
        assert venues[0] == "NSDI 2025"
        await pilot.press("G", "i", "s")
        assert app.desk.sort == "status"
        assert app.desk.model.status_of(papers(app).rows[0]) == "reading"
        await pilot.press("s")
        assert app.desk.sort == "changed"
        await pilot.press("s")
        assert app.desk.sort == "list"
        assert titles(app) == in_list_order


# -- links ---------------------------------------------------------------------------------


async def test_y_copies_the_url_and_Y_the_bibtex(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await search_serverless(pilot)
        await pilot.press("y")
        assert app.clipboard == app.desk.current_paper.url
        assert any(TERMINAL in n.message for n in app._notifications)
        await pilot.press("Y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard.startswith("@inproceedings{serverlessllm2024,")
        assert "{ServerlessLLM}" in app.clipboard
        keys = Store.open(app.desk.ws.locations.store).citation_key_records()
        assert {k.key for k in keys.values()} == {"serverlessllm2024"}, "the key is stored"


async def test_o_over_ssh_shows_and_copies_the_link(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("o")
        url = app.desk.current_paper.url
        assert app.clipboard == url
        assert any(url in n.message for n in app._notifications)


async def test_o_opens_the_browser_locally(
    app: PaperdeskApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened_file = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened_file}\n')
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("SSH_TTY")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.setenv("BROWSER", str(browser))
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("o")
        await until(pilot, opened_file.exists)
        await until(pilot, lambda: opened_file.read_text().strip() != "")
    assert opened_file.read_text().strip() == app.desk.current_paper.url


async def test_y_on_a_website_node_copies_its_url(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        tree = app.desk.query_one(NavTree)
        websites = next(n for n in tree.root.children if str(n.label) == "Websites")
        websites.expand()
        await until(pilot, lambda: websites.children[0].line >= 0)
        tree.focus()
        tree.move_cursor(websites.children[0])
        await pilot.press("y")
        assert app.clipboard == "https://huggingface.co/spaces/bishmoy/Arxiv-CS-RAG"


# -- help, palette, keymap, theme ----------------------------------------------------------


async def test_question_mark_shows_every_key_with_its_id(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for expected in ["desk.mark_read", "Undo", "note.leave", "search.clear", "app.quit"]:
            assert expected in text
        await pilot.press("escape")
        assert app.screen is app.desk


async def test_the_palette_runs_desk_actions(app: PaperdeskApp, isolated_home: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        first = app.desk.current_paper
        await pilot.press("ctrl+p")
        await pilot.press(*"Queue")
        await pilot.pause(0.3)  # the palette searches in a worker
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await written(app, pilot)
        assert store_of(isolated_home).status_of(first.id) == "queued"


async def test_keymap_in_config_toml_remaps_keys(app: PaperdeskApp, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text(
        '[keymap]\n"desk.mark_read" = "R"\n"no.such.binding" = "w"\n', encoding="utf-8"
    )
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        first = app.desk.current_paper
        await pilot.press("r")
        assert app.desk.model.counts["read"] == 0
        await pilot.press("R")
        await written(app, pilot)
        assert store_of(isolated_home).status_of(first.id) == "read"
        assert any("no.such.binding" in n.message for n in app._notifications)


async def test_theme_choice_persists(isolated_home: Path, catalog_path: Path) -> None:
    app = make_app(home=isolated_home, catalog=catalog_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        app.theme = "nord"
        await written(app, pilot)
    assert store_of(isolated_home).get_setting("theme") == "nord"
    again = make_app(home=isolated_home, catalog=catalog_path)
    async with again.run_test(size=SIZE) as pilot:
        await opened(again, pilot)
        assert again.theme == "nord"


# -- another process -----------------------------------------------------------------------


async def test_changes_from_another_process_show_up_without_losing_typing(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        rows = papers(app).rows
        other = app.desk.model.paper(rows[3])
        await pilot.press("w", *"half a thought")
        elsewhere = store_of(isolated_home)
        await asyncio.to_thread(elsewhere.set_status, [other], "read")
        await until(pilot, lambda: app.desk.model.status_of(rows[3]) == "read")
        assert app.desk.query_one(NoteEditor).text == "half a thought"
        assert isinstance(app.focused, NoteEditor)


# -- TODO screen ---------------------------------------------------------------------------


async def todo_screen(app: PaperdeskApp, pilot: Pilot) -> TodoScreen:
    """``t``, and the TODO screen once it lists the conferences."""
    await pilot.press("t")
    await written(app, pilot)
    await until(pilot, lambda: isinstance(app.screen, TodoScreen) and bool(app.screen.items))
    screen = app.screen
    assert isinstance(screen, TodoScreen)
    return screen


async def test_t_lists_the_todo_conferences(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        screen = await todo_screen(app, pilot)
        assert [item.name for item in screen.items] == ["NSDI'25", "OSDI'25"]
        assert screen.query_one(DataTable).row_count == 2
        await pilot.press("escape")
        assert app.screen is app.desk


async def test_the_todo_screen_shows_hostile_names_inert(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    store_of(isolated_home).add_todo(
        TodoItem(name="Evil\u202e Conf\x1b[2J", note="n\u2066ote\x07", url="https://e.org")
    )
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        screen = await todo_screen(app, pilot)
        table = screen.query_one(DataTable)
        cells = [
            str(table.get_cell_at((row, col))) for row in range(table.row_count) for col in range(6)
        ]
        shown = "\n".join(cells)
        assert "Evil Conf[2J" in shown and "note" in shown
        assert not any(ch in shown for ch in "\u202e\u2066\x1b\x07")


async def test_notifications_and_copies_are_inert(app: PaperdeskApp) -> None:
    """Notifications carry titles and errors, copies go to a clipboard pasted into a shell."""
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        app.notify("Could not enrich Evil\u202e title\x1b[2J\x07", title="T\u2066", markup=False)
        await pilot.pause()
        last = list(app._notifications)[-1]
        assert (last.message, last.title) == ("Could not enrich Evil title[2J", "T")
        app.copy_text("@article{x,\n  title = {A\u202eB\x1b]52;c;eA==\x07}\r\n}", "BibTeX")
        await pilot.pause()
        assert app.clipboard == "@article{x,\n  title = {AB]52;c;eA==}\n}"


async def test_todo_add_edit_done_and_remove_go_through_the_store(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await todo_screen(app, pilot)
        await pilot.press("a")
        assert isinstance(app.screen, TodoForm)
        await pilot.press(*"MLSys'26", "tab", *"2026-05-01", "enter")
        await written(app, pilot)
        names = [t.name for t in store_of(isolated_home).todos()]
        assert "MLSys'26" in names and "NSDI'25" in names  # listed TODOs were seeded first

        screen = app.screen
        assert isinstance(screen, TodoScreen)
        table = screen.query_one(DataTable)
        table.move_cursor(row=[i.name for i in screen.items].index("MLSys'26"))
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, TodoForm)
        form.query_one("#todo-note", Input).value = "camera ready"
        form.query_one("#todo-note", Input).focus()
        await pilot.press("enter")
        await written(app, pilot)
        (item,) = [t for t in store_of(isolated_home).todos() if t.name == "MLSys'26"]
        assert item.note == "camera ready" and item.date.isoformat() == "2026-05-01"

        await pilot.press("d")
        await written(app, pilot)
        (item,) = [t for t in store_of(isolated_home).todos() if t.name == "MLSys'26"]
        assert item.done

        await pilot.press("X")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.press("X", "y")
        await written(app, pilot)
        assert "MLSys'26" not in [t.name for t in store_of(isolated_home).todos()]


async def test_todo_form_refuses_a_bad_date(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await todo_screen(app, pilot)
        await pilot.press("a", *"X", "tab", *"someday", "enter")
        assert isinstance(app.screen, TodoForm)
        await pilot.press("escape")
        assert isinstance(app.screen, TodoScreen)


async def test_todo_o_and_y_hand_over_the_conference_url(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await todo_screen(app, pilot)
        await pilot.press("y")
        assert app.clipboard == "https://www.usenix.org/conference/nsdi25"
        await pilot.press("j", "o")
        assert app.clipboard == "https://osdi.example"


def test_days_left_are_coloured_by_urgency() -> None:
    import datetime as dt

    from paperdesk.tui.screens.todo import days_text

    today = dt.date(2025, 3, 1)
    colours = {"error": "red", "warning": "yellow", "success": "green"}

    def item(day: dt.date, done: bool = False) -> TodoItem:
        return TodoItem(name="X", date=day, done=done)

    overdue = days_text(item(dt.date(2025, 2, 26)), today, colours)
    assert overdue.plain == "3 d overdue" and "red" in str(overdue.style)
    assert days_text(item(today), today, colours).plain == "today"
    soon = days_text(item(dt.date(2025, 3, 8)), today, colours)
    assert soon.plain == "7 d left" and soon.style == "yellow"
    assert days_text(item(dt.date(2025, 6, 1)), today, colours).style == "green"
    assert days_text(item(dt.date(2025, 2, 26), done=True), today, colours).style == "dim"


async def test_S_shows_the_reading_statistics(app: PaperdeskApp) -> None:
    from paperdesk.tui.screens.stats import StatsScreen

    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("r", "S")
        await written(app, pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert screen.text.startswith(f"{len(main_list().papers)} papers")
        assert "NSDI 2025" in screen.text and "+ 2 other venues not started" in screen.text
        assert "reads per week, last 12 weeks" in screen.text
        await pilot.press("escape")
        assert app.screen is app.desk


async def test_the_inbox_is_a_smart_list_a_mark_or_d_empties(
    isolated_home: Path, catalog_path: Path
) -> None:
    first = main_list().papers[0]
    store_of(isolated_home).add_to_inbox([SERVERLESS_ID, first.id], "awesome-papers")
    # The app starts loading when it is made, so it is made only after the inbox was filled.
    app = make_app(home=isolated_home, catalog=catalog_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        tree = app.desk.query_one(NavTree)
        inbox = tree.smart_node("inbox")
        assert inbox is not None and inbox.count == "2"
        tree.focus()
        tree.move_cursor(inbox)
        await until(pilot, lambda: titles(app) == [first.title, SERVERLESS])
        papers(app).focus()
        await pilot.press("u")  # a mark of any status, even the one it has
        await until(pilot, lambda: inbox.count == "1")
        await pilot.press("j", "d")
        await until(pilot, lambda: inbox.count == "0")
        await written(app, pilot)
        assert store_of(isolated_home).inbox() == {}
        assert store_of(isolated_home).status_of(first.id) == "unread"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a Linux without display")
async def test_y_without_a_local_clipboard_falls_back_to_osc52(
    app: PaperdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SSH_TTY", "SSH_CONNECTION", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("y")
        assert app.clipboard == app.desk.current_paper.url
        assert any(TERMINAL in n.message for n in app._notifications)


# -- background tasks: enrich, sync, export ------------------------------------------------

ABSTRACT = "Locality-enhanced checkpoint loading for serverless inference."
ARXIV_ENTRY = """<entry>
  <id>http://arxiv.org/abs/2401.14351v2</id>
  <updated>2024-07-25T10:00:00Z</updated>
  <published>2024-01-25T17:46:32Z</published>
  <title>ServerlessLLM: Low-Latency Serverless Inference for Large Language
  Models</title>
  <summary>  Locality-enhanced checkpoint loading for serverless
  inference.
</summary>
  <author><name>Yao Fu</name></author>
  <author><name>Leyang Xue</name></author>
  <link href="http://arxiv.org/abs/2401.14351v2" rel="alternate" type="text/html"/>
  <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
</entry>"""


def arxiv_feed(request: Request) -> Response:
    """The arXiv query API's Atom answer: the one known paper, or an empty feed."""
    hit = "2401.14351" in request.args.get("id_list", "")
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query</title>
  <id>http://arxiv.org/api/query</id>
  <updated>2024-07-26T00:00:00-04:00</updated>
  {ARXIV_ENTRY if hit else ""}
</feed>
"""
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def detail_text(app: PaperdeskApp) -> str:
    return app.desk.query_one(PaperDetail).content.plain


async def test_e_enriches_the_paper_and_the_detail_shows_it(
    app: PaperdeskApp,
    isolated_home: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpserver.expect_request("/api/query").respond_with_handler(arxiv_feed)
    monkeypatch.setenv("PAPERDESK_ARXIV_API", httpserver.url_for("/api/query"))
    monkeypatch.setenv("PAPERDESK_ARXIV_INTERVAL", "0")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await search_serverless(pilot)
        app.desk.catch_up()
        assert highlighted_title(app) == SERVERLESS
        assert "Yao Fu" not in detail_text(app)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ABSTRACT in detail_text(app)
        assert "Yao Fu, Leyang Xue" in detail_text(app)
        assert any("Enriched" in n.message for n in app._notifications)
        await pilot.press("e")  # the cache answers now: no second request
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("Already enriched" in n.message for n in app._notifications)
    assert len(httpserver.log) == 1
    assert (Locations.resolve(isolated_home).cache_dir / "arxiv.json").is_file()


async def test_e_says_when_arxiv_cannot_be_reached(
    app: PaperdeskApp, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/query").respond_with_data("down", status=404)
    monkeypatch.setenv("PAPERDESK_ARXIV_API", httpserver.url_for("/api/query"))
    monkeypatch.setenv("PAPERDESK_ARXIV_INTERVAL", "0")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await search_serverless(pilot)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "Could not enrich" in errors[0].message
        assert app.is_running


async def test_sync_now_brings_new_papers_and_keeps_notes_and_marks(
    isolated_home: Path, served_list: Callable[..., ServedList]
) -> None:
    served = served_list("Llumnix: Dynamic Scheduling", "Parrot: Semantic Variables")
    app = make_app(home=isolated_home)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        assert titles(app) == ["Llumnix: Dynamic Scheduling", "Parrot: Semantic Variables"]
        await pilot.press("j", "a", "w", *"typed before the sync")
        await written(app, pilot)
        parrot = app.desk.current_paper
        served.titles = (*served.titles, "Brand New Paper")
        app.desk.action_sync()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await until(pilot, lambda: "Brand New Paper" in titles(app))
        assert app.desk.current_paper.id == parrot.id
        assert app.desk.model.status_of(app.desk.current_row) == "queued"
        assert app.desk.query_one(NoteEditor).text == "typed before the sync"
        assert any("1 new" in n.message for n in app._notifications)
        tree = app.desk.query_one(NavTree)
        tree.focus()
        tree.move_cursor(tree.smart_node("inbox"))
        # not Llumnix: the first import replaced the shipped list with another list
        await until(pilot, lambda: titles(app) == ["Brand New Paper"])
        await pilot.press("q")
    store = store_of(isolated_home)
    assert store.status_of(parrot.id) == "queued"
    assert store.note_of(parrot.id) == "typed before the sync"


def key_bar_text(app: PaperdeskApp) -> str:
    from paperdesk.tui.widgets.key_bar import KeyBar

    return app.desk.query_one(KeyBar).render().plain


@pytest.mark.parametrize("task", ["sync", "enrich"])
async def test_escape_cancels_a_fetch_and_nothing_changes(
    isolated_home: Path,
    served_list: Callable[..., ServedList],
    trickling_server: str,
    monkeypatch: pytest.MonkeyPatch,
    task: str,
) -> None:
    """A server that trickles its headers holds the fetch; escape cuts it at once, says so,
    and the home is byte-identical. The key bar offers escape only while the fetch runs, and
    escape goes back to clearing the search afterwards."""
    served = served_list("Llumnix: Dynamic Scheduling", "Parrot: Semantic Variables")
    source = isolated_home / "sources" / "awesome-papers.json"
    source.write_text(source.read_text().replace(served.url, trickling_server))
    monkeypatch.setenv("PAPERDESK_ARXIV_API", trickling_server)
    monkeypatch.setenv("PAPERDESK_ARXIV_INTERVAL", "0")
    app = make_app(home=isolated_home)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await written(app, pilot)
        before = {p: p.read_bytes() for p in sorted(isolated_home.rglob("*")) if p.is_file()}
        assert "Cancel fetch" not in key_bar_text(app)
        if task == "sync":
            app.desk.action_sync()
        else:
            await pilot.press("e")
        await pilot.pause(0.3)
        assert "Cancel fetch" in key_bar_text(app)
        started = time.monotonic()
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert time.monotonic() - started < 3
        assert any(f"{task.capitalize()} cancelled" in n.message for n in app._notifications)
        assert not [n for n in app._notifications if n.severity == "error"]
        assert "Cancel fetch" not in key_bar_text(app)
        await pilot.press("slash", "x", "enter", "escape")  # escape clears the search again
        assert app.desk.query_text == ""
        after = {p: p.read_bytes() for p in sorted(isolated_home.rglob("*")) if p.is_file()}
        assert after == before


async def test_sync_with_a_catalog_file_says_why_not(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        app.desk.action_sync()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors and "--catalog" in errors[0]
        assert app.is_running


async def test_export_form_writes_a_csv_row_per_paper(app: PaperdeskApp, tmp_path: Path) -> None:
    target = tmp_path / "out" / "papers.csv"
    target.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("r")
        app.desk.action_export()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ExportForm)
        path = form.query_one("#export-path", Input)
        assert path.value == "~/paperdesk-export.md"
        await pilot.press("down", "down")  # the cursor from markdown to csv picks it
        assert form.fmt == "csv"
        assert path.value == "~/paperdesk-export.csv"
        path.value = str(target)
        await pilot.press("enter")  # from the format choice: no tab needed
        assert app.screen is app.desk
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("papers as csv" in n.message for n in app._notifications)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(main_list().papers)
    assert sum(",read," in line for line in lines) == 1


async def test_export_exports_the_current_view_or_everything(
    app: PaperdeskApp, tmp_path: Path
) -> None:
    view, everything = tmp_path / "view.json", tmp_path / "all.json"
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        tree = app.desk.query_one(NavTree)
        tree.move_cursor(tree.venue_node("OSDI 2024"))
        await until(pilot, lambda: app.desk.selection.key == "OSDI 2024")
        await pilot.press("slash", *"serving", "enter")
        shown = titles(app)
        assert 0 < len(shown) < len(main_list().papers)
        for target, keys in [(view, ()), (everything, ("tab", "down"))]:
            app.desk.action_export()
            await pilot.pause()
            form = app.screen
            assert isinstance(form, ExportForm)
            assert "this view: OSDI 2024 · search 'serving'" in str(
                form.query_one("#export-scope").query(RadioButton).first().label
            )
            await pilot.press("right", "right", "right", *keys)  # json; then everything
            form.query_one("#export-path", Input).value = str(target)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert [p["title"] for p in json.loads(view.read_text())["papers"]] == shown
    assert len(json.loads(everything.read_text())["papers"]) == len(main_list().papers)


async def test_export_form_escape_cancels_and_errors_are_one_line(
    app: PaperdeskApp, tmp_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        app.desk.action_export()
        await pilot.pause()
        await pilot.press("escape")
        assert app.screen is app.desk
        app.desk.action_export()
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(tmp_path)  # a directory
        await pilot.click("#export-ok")
        await app.workers.wait_for_complete()
        await pilot.pause()
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors and "is a directory" in errors[0]
        assert "\n" not in errors[0]


async def test_every_desk_key_and_palette_action_is_in_the_palette(app: PaperdeskApp) -> None:
    from paperdesk.tui.commands import DeskCommands
    from paperdesk.tui.keymap import key_help

    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        provider = DeskCommands(app.desk)
        names = {name for name, _, _ in provider._commands()}
        for _, node in app.desk.key_nodes():
            for item in key_help(node):
                if item.binding_id is not None:  # paperdesk's own (the rest: ? only)
                    assert item.description in names
        assert {"Enrich", "Sync now", "Export…"} <= names
        await pilot.press("question_mark")
        text = str(app.screen.query_one("#help-text").render())
        assert "desk.enrich" in text and "Sync now" in text and "Export…" in text


# -- undo through the store, and state from other machines ----------------------------------


async def test_z_after_a_restart_undoes_a_bulk_mark_and_goes_to_its_paper(
    app: PaperdeskApp, isolated_home: Path, catalog_path: Path
) -> None:
    catalog = Catalog.from_files([main_list()])
    target = catalog.papers[3]
    store = store_of(isolated_home)
    store.set_status([target], "reading")
    store.set_status(catalog.papers[2:5], "read")  # a bulk mark from the command line, say
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("f", "f")  # a filter that hides the papers the undo brings back
        await pilot.press("z")
        await written(app, pilot)
        assert app.desk.current_paper.id == catalog.papers[2].id
        assert app.desk.model.status_of(catalog.by_id[target.id]) == "reading"
        assert any("undid read: 3 papers" in n.message for n in app._notifications)
    after = store_of(isolated_home)
    assert after.status_of(target.id) == "reading"
    assert after.status_of(catalog.papers[2].id) == "unread"
    async with make_app(home=isolated_home, catalog=catalog_path).run_test(size=SIZE) as pilot:
        again = pilot.app
        await opened(again, pilot)
        await pilot.press("z")
        await written(again, pilot)
        assert store_of(isolated_home).status_of(target.id) == "unread"
        await pilot.press("z")
        await written(again, pilot)
        assert any("Nothing to undo" in n.message for n in again._notifications)


async def test_z_takes_back_a_whole_note_editing_session(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        paper = app.desk.current_paper
        store_of(isolated_home).set_note(paper, "before")
        await pilot.pause(2.0)  # the poll shows it
        await pilot.press("w", *" first")
        await pilot.pause(1.2)  # autosaved once
        await pilot.press(*" second", "escape")
        await written(app, pilot)
        assert store_of(isolated_home).note_of(paper.id) == "before first second"
        await pilot.press("z")
        await written(app, pilot)
        assert store_of(isolated_home).note_of(paper.id) == "before"
        assert app.desk.note_editor.text == "before"


async def test_the_desk_says_when_state_came_from_another_machine(
    app: PaperdeskApp, isolated_home: Path, tmp_path: Path
) -> None:
    catalog = Catalog.from_files([main_list()])
    laptop = Store.open(tmp_path / "laptop" / "store.json")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        first = app.desk.current_paper
        laptop.set_status([first, catalog.papers[1]], "queued")
        store_of(isolated_home).merge(laptop.events())  # what 'state sync' does
        await until(pilot, lambda: any("changed on" in n.message for n in app._notifications))
        assert any(
            f"2 papers changed on {laptop.machine.label}" in n.message for n in app._notifications
        )
        assert app.desk.model.status_of(papers(app).highlighted_row) == "queued"
        detail = app.desk.query_one(PaperDetail)
        await until(pilot, lambda: f"from {laptop.machine.label}" in str(detail.content))
