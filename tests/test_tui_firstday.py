"""A researcher's first day at the desk, driven with Pilot at 80x24 and at 160x50.

Several sources browsed one at a time, the inbox, orphans, reopening where the desk was left,
and the small screen telling the truth: counts, footer, note editor, toasts, help, keys and
messages. Real homes (sources and store files), as a user's.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.models import CatalogFile, TodoItem
from paperdesk.catalog.records import Paper
from paperdesk.tui.app import PaperdeskApp, make_app
from paperdesk.tui.screens.help import GENERIC_TITLE, HelpScreen
from paperdesk.tui.screens.todo import TodoScreen
from paperdesk.tui.selection import Selection
from paperdesk.tui.widgets.desk_header import DeskHeader
from paperdesk.tui.widgets.key_bar import KeyBar
from paperdesk.tui.widgets.nav_tree import NavTree, fit_line
from paperdesk.tui.widgets.note_editor import NoteEditor
from paperdesk.tui.widgets.paper_detail import PaperDetail
from paperdesk.tui.widgets.paper_list import NOTE_GLYPH, PaperList
from paperdesk.workspace import Workspace
from test_tui import desk_on, running, store_of, titles, until, written
from tui_catalog import SERVERLESS, main_list, write_catalog, write_home_sources

SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
SMALL = (80, 24)
SERVERLESS_ID = paper_id(SERVERLESS)


def colleague() -> CatalogFile:
    """A topic-first list: headings are topics, papers have no venue, one has no topic."""
    papers = [
        Paper(id=paper_id(title), title=title, topics=topics, source="colleague", line=line)
        for line, (title, topics) in enumerate(
            [
                ("Quant One: Four Bits", ["Quantization"]),
                ("Prune One: Fewer Weights", ["Pruning"]),
                ("Quant Two: Three Bits", ["Quantization"]),
                ("Loose One: A Paper Without a Heading", []),
            ],
            start=3,
        )
    ]
    return CatalogFile(source="colleague", title="Contents", papers=papers)


@pytest.fixture
def home(isolated_home: Path) -> Path:
    """The main list, a topic-first colleague list and a dated feed."""
    write_home_sources(isolated_home)
    write_catalog(isolated_home / "sources" / "colleague.json", colleague())
    return isolated_home


def desk_at(
    home: Path, size: tuple[int, int] = SMALL, **options: Any
) -> AbstractAsyncContextManager[tuple[PaperdeskApp, Pilot]]:
    """The desk on ``home``, opened with its note editor mounted (these tests look at it)."""
    return desk_on(home, size, editor=True, **options)


def tree_lines(app: PaperdeskApp) -> list[str]:
    tree = app.desk.query_one(NavTree)
    return [tree.render_line(y).text for y in range(tree.size.height)]


async def select(app: PaperdeskApp, pilot: Pilot, selection: Selection) -> None:
    tree = app.desk.query_one(NavTree)
    node = tree.find(selection)
    assert node is not None, selection
    tree.move_cursor(node)
    await until(pilot, lambda: app.desk.selection.key == selection.key)
    await pilot.pause()


def header(app: PaperdeskApp) -> str:
    return app.desk.query_one(DeskHeader).render().plain


def footer(app: PaperdeskApp) -> str:
    return app.screen.query_one(KeyBar).render().plain


# -- 1. sources as views ------------------------------------------------------------------------


@SIZES
async def test_every_source_is_a_view_in_its_own_structure(
    home: Path, size: tuple[int, int]
) -> None:
    async with desk_at(home, size) as (app, pilot):
        tree = app.desk.query_one(NavTree)
        sources = tree.find(Selection("group", "sources", "Sources"))
        assert sources is not None
        assert [(n.name, n.count) for n in sources.children] == [
            ("awesome-papers", str(len(main_list().papers))),
            ("colleague", "4"),
            ("daily", "3"),
        ]
        # the main list, venue-first: its venues, each with its topics
        await select(app, pilot, Selection("source", "awesome-papers", "awesome-papers"))
        assert "awesome-papers" in header(app)
        main = sources.children[0]
        main.expand()
        assert [n.name for n in main.children] == ["NSDI 2025", "OSDI 2024", "SOSP 2024"]
        osdi = main.children[1]
        assert osdi.count == "0/9"
        osdi.expand()
        assert [n.name for n in osdi.children] == ["LLM Serving", "Scheduling"]
        await select(app, pilot, osdi.children[1].data)
        assert all("Scheduling" in app.desk.current_paper.topics for _ in [0])
        assert len(titles(app)) == 5
        assert "awesome-papers · OSDI 2024 · Sched" in header(app)  # all of it at 160
        # the colleague's list, topic-first: its own headings, in its order
        them = sources.children[1]
        them.expand()
        assert [(n.name, n.count) for n in them.children] == [
            ("Quantization", "0/2"),
            ("Pruning", "0/1"),
            ("(no topic)", "0/1"),
        ]
        await select(app, pilot, them.children[0].data)
        assert titles(app) == ["Quant One: Four Bits", "Quant Two: Three Bits"]
        assert "colleague · Quantization" in header(app)
        # the feed, by date
        feed = sources.children[2]
        feed.expand()
        assert [n.name for n in feed.children] == ["2026-08-18", "2026-08-17"]


async def test_feeds_stay_out_of_all_unless_the_setting_says(home: Path) -> None:
    daily = {"AdaSprite: Resource-efficient Online Co-Adaptation", "Bounded-State Restoration"}
    async with desk_at(home) as (app, pilot):
        assert not daily & set(titles(app))
        assert "Quant One: Four Bits" in titles(app)
        assert "All in lists" in header(app)
        await select(app, pilot, Selection("source", "daily", "daily"))
        assert daily <= set(titles(app))
    (home / "config.toml").write_text("[desk]\nfeeds_in_all = true\n", encoding="utf-8")
    async with desk_at(home) as (app, pilot):
        assert daily <= set(titles(app))


# -- 2 and 3. the inbox and orphans -------------------------------------------------------------


async def test_dismiss_all_here_empties_the_inbox_of_this_view_only(home: Path) -> None:
    ws = Workspace.open(home=home)
    news = [paper_id("Bounded-State Restoration"), paper_id("Quant Two: Three Bits")]
    ws.store.add_to_inbox(news, "test")
    async with desk_at(home) as (app, pilot):
        inbox = app.desk.query_one(NavTree).smart_node("inbox")
        assert inbox is not None and inbox.count == "2"
        await select(app, pilot, Selection("source", "daily", "daily"))
        app.desk.paper_list.focus()
        await pilot.press("D")
        await until(pilot, lambda: inbox.count == "1")
        await written(app, pilot)
    assert set(store_of(home).inbox()) == {paper_id("Quant Two: Three Bits")}


@SIZES
async def test_orphans_are_in_the_library_and_can_be_marked(
    home: Path, size: tuple[int, int]
) -> None:
    ws = Workspace.open(home=home)
    gone = ws.catalog.find("SOSP Storage paper 2")
    ws.store.set_note(gone, "the list dropped this one")
    main = main_list()
    main.papers = [p for p in main.papers if p.id != gone.id]
    write_catalog(home / "sources" / "awesome-papers.json", main)
    async with desk_at(home, size) as (app, pilot):
        node = app.desk.query_one(NavTree).smart_node("orphans")
        assert node is not None and node.count == "1"
        await select(app, pilot, Selection("smart", "orphans", "Orphans"))
        assert titles(app) == ["SOSP Storage paper 2"]
        app.desk.paper_list.focus()
        await pilot.press("r")
        await written(app, pilot)
        app.desk.catch_up()
        assert "the list dropped this one" in app.desk.query_one(NoteEditor).text
        assert "SOSP 2024" in app.desk.query_one(PaperDetail).content.plain
    state = store_of(home).state(gone.id)
    assert state is not None and state.status == "read" and state.venue == "SOSP 2024"


# -- 4. reopen where you left -------------------------------------------------------------------


@SIZES
async def test_the_desk_reopens_where_it_was_left(home: Path, size: tuple[int, int]) -> None:
    topic = Selection("topic", "LLM Serving", "OSDI 2024 · LLM Serving", venue="OSDI 2024")
    async with desk_at(home, size) as (app, pilot):
        await select(app, pilot, topic)
        app.desk.paper_list.focus()
        await pilot.press("s", "f", "slash", *"paper", "enter", "j", "j")
        left_on = app.desk.current_paper
        assert left_on is not None and app.desk.sort == "title"
        app.desk.query_one(NavTree).focus()
        await pilot.press("q")
    again = make_app(home=home)
    async with again.run_test(size=size) as pilot:
        await until(pilot, lambda: again.desk.model is not None)
        desk = again.desk
        assert (desk.selection.kind, desk.selection.key, desk.selection.venue) == (
            "topic",
            "LLM Serving",
            "OSDI 2024",
        )
        assert (desk.sort, desk.status_filter, desk.query_text) == ("title", "unread", "paper")
        assert desk.current_paper is not None and desk.current_paper.id == left_on.id
        assert isinstance(again.focused, NavTree)
        assert desk.query_one(NavTree).cursor_node.data.key == "LLM Serving"
        assert "LLM Serving" in header(again)


async def test_a_view_that_no_longer_exists_opens_on_all(home: Path) -> None:
    async with desk_at(home) as (app, pilot):
        await select(app, pilot, Selection("source", "colleague", "colleague"))
        await pilot.press("q")
    (home / "sources" / "colleague.json").unlink()
    async with desk_at(home) as (again, pilot):
        assert again.desk.selection.key == "all"
        assert titles(again)


# -- 5. 80x24 tells the truth -------------------------------------------------------------------


def test_a_row_shortens_its_name_never_its_count() -> None:
    assert fit_line("EuroSys 2024", "0/11", 20) == ("EuroSys 2024", "  0/11")
    assert fit_line("EuroSys 2024", "0/11", 17) == ("EuroSys 2024", " 0/11")
    assert fit_line("EuroSys 2024", "0/11", 16) == ("EuroSys 20…", " 0/11")
    assert fit_line("A Long Workshop Name 2024", "120/1234", 14) == ("A Lo…", " 120/1234")
    assert fit_line("Name", "", 3) == ("Na…", "")


@SIZES
async def test_library_counts_are_whole_and_topics_counted(
    home: Path, size: tuple[int, int]
) -> None:
    async with desk_at(home, size) as (app, pilot):
        app.desk.paper_list.focus()
        await pilot.press("r")  # NSDI Networking paper 1
        await written(app, pilot)
        tree = app.desk.query_one(NavTree)
        osdi = tree.venue_node("OSDI 2024")
        assert osdi is not None
        osdi.expand()
        await pilot.pause()
        lines = "\n".join(tree_lines(app))
        assert "NSDI 2025  1/3" in lines
        assert "OSDI 2024  0/9" in lines
        assert "LLM Serving  0/4" in lines or "LLM Serving 0/4" in lines
        assert "Scheduling  0/5" in lines or "Scheduling 0/5" in lines


@SIZES
async def test_the_footer_always_shows_help_and_quit_first(
    home: Path, size: tuple[int, int]
) -> None:
    async with desk_at(home, size) as (app, pilot):
        for pane in ("papers", "nav", "detail"):
            app.desk.query_one(f"#{pane}").focus()
            await pilot.pause()
            assert footer(app).startswith(" ? Help  q Quit  "), footer(app)
        await pilot.press("w")  # writing: only the keys that work while typing
        await pilot.pause()
        shown = footer(app)
        assert "Done" in shown
        for typed in ("Help", "Quit", "Search", "Read", "Filter"):
            assert typed not in shown


async def test_the_note_editor_opens_large_and_the_preview_says_what_it_hides(
    home: Path,
) -> None:
    ws = Workspace.open(home=home)
    note = "\n".join(f"line {n}" for n in range(1, 11))
    ws.store.set_note(ws.catalog.find("NSDI Networking paper 1"), note)
    async with desk_at(home) as (app, pilot):
        app.desk.catch_up()
        await pilot.pause()
        editor = app.desk.query_one(NoteEditor)
        shown = editor.scrollable_content_region.height
        assert editor.border_subtitle == f"+{10 - shown} more lines"
        await pilot.press("w")
        await pilot.pause()
        assert editor.has_focus and editor.scrollable_content_region.height >= 5
        await pilot.press("escape")
        await pilot.pause()
        assert editor.scrollable_content_region.height == shown
        assert not editor.can_focus


async def test_the_todo_screen_moves_sorts_by_date_and_shows_the_row_in_full(
    home: Path,
) -> None:
    ws = Workspace.open(home=home)
    ws.store.add_todo(TodoItem(name="Early'25", date=dt.date(2025, 1, 5), note="camera ready"))
    async with desk_at(home) as (app, pilot):
        app.push_screen(TodoScreen(ws, today=dt.date(2025, 1, 1)))
        await until(pilot, lambda: len(getattr(app.screen, "items", [])) == 3)
        screen = app.screen
        assert isinstance(screen, TodoScreen)
        table = screen.query_one(DataTable)
        await pilot.press("G")
        assert table.cursor_row == 2
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 2 and table.scroll_x == 0
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("s")
        assert [item.name for item in screen.items] == ["Early'25", "OSDI'25", "NSDI'25"]
        await pilot.pause()
        detail = str(screen.query_one("#todo-detail", Static).render())
        assert "Early'25" in detail and "2025-01-05" in detail and "camera ready" in detail


async def test_the_header_counts_overdue_and_soon_todos(home: Path) -> None:
    ws = Workspace.open(home=home)
    today = dt.date.today()
    ws.store.add_todo(TodoItem(name="Soon'99", date=today + dt.timedelta(days=3)))
    async with desk_at(home) as (app, pilot):
        text = header(app)
        assert "1 overdue" in text and "1 due in 7 d" in text  # OSDI'25, and Soon'99
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TodoScreen) and app.screen.items)
        screen = app.screen
        assert isinstance(screen, TodoScreen)
        names = [item.name for item in screen.items]
        screen.query_one(DataTable).move_cursor(row=names.index("Soon'99"))
        await pilot.press("d")  # Soon'99 is done
        await written(app, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: "due in 7 d" not in header(app))
        assert "1 overdue" in header(app)


# -- 6. keys that do not surprise ---------------------------------------------------------------


@SIZES
async def test_one_toast_at_a_time_clear_of_the_sort_line(
    home: Path, size: tuple[int, int]
) -> None:
    async with desk_at(home, size, notifications=True) as (app, pilot):
        app.notify("first")
        app.notify("second")
        await pilot.press("s", "f")  # they say so on the list's border, not in a toast
        await pilot.pause(0.2)
        assert [n.message for n in app._notifications] == ["second"]
        middle = app.desk.query_one("#middle")
        sort_line = middle.region.bottom - 1
        assert "sort: title" in str(middle.border_subtitle)
        toasts = [w for w in app.screen.query("Toast") if w.region.height]
        assert len(toasts) == 1
        toast = toasts[0].region
        overlaps = toast.y <= sort_line < toast.bottom and toast.x < middle.region.right
        assert not overlaps, (toast, middle.region)


async def test_help_lists_paperdesk_keys_by_pane_and_folds_the_generic_ones(home: Path) -> None:
    async with desk_at(home) as (app, pilot):
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        order = ["Everywhere", "Desk", "Paper list", "Library", "Paper detail", "Note editor"]
        lines = text.splitlines()
        heads = [next(i for i, line in enumerate(lines) if line.startswith(t)) for t in order]
        at = [*heads, lines.index(GENERIC_TITLE)]
        assert at == sorted(at)
        own, generic = text.split(GENERIC_TITLE)
        assert "desk.note" in own and "Write note" in own
        assert "Select all" not in own and "Select all" in generic
        assert "desk.view_1…9" in own and "desk.view_2" not in own  # a family is one line
        assert len(text.splitlines()) < 110
        assert len(generic.splitlines()) < 15


@SIZES
async def test_a_row_marks_papers_with_a_note(home: Path, size: tuple[int, int]) -> None:
    async with desk_at(home, size) as (app, pilot):
        await pilot.press("j", "w", *"noted", "escape")
        await written(app, pilot)
        paper_list = app.desk.query_one(PaperList)
        lines = [paper_list.render_line(y).text for y in range(3)]
        assert NOTE_GLYPH not in lines[0] and NOTE_GLYPH in lines[1]


# -- 7. config that says what is wrong ----------------------------------------------------------


async def test_bad_remaps_are_named_in_one_message_and_keep_their_defaults(home: Path) -> None:
    (home / "config.toml").write_text(
        "[keymap]\n"
        '"desk.mark_read" = "R"\n'
        '"desk.todo" = "j"\n'
        '"desk.stats" = "ctrl+shift+banana"\n'
        '"no.such.binding" = "x"\n',
        encoding="utf-8",
    )
    async with desk_at(home) as (app, pilot):
        [message] = [n for n in app._notifications if n.severity == "warning"]
        assert "3 problems" in message.title
        text = message.message
        assert "'desk.todo' = 'j': j is already" in text
        assert "'banana' is not a key name" in text
        assert "no.such.binding" in text
        first = app.desk.current_paper
        await pilot.press("j")  # still moves down
        assert app.desk.current_paper != first
        await pilot.press("R")
        await written(app, pilot)
        await pilot.press("t")  # the default
        await until(pilot, lambda: isinstance(app.screen, TodoScreen))


# -- 8. honest messages -------------------------------------------------------------------------


@pytest.mark.skipif(not os.sys.platform.startswith("linux"), reason="the display rule is Linux's")
async def test_o_says_why_it_did_not_open(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY", "SSH_TTY", "SSH_CONNECTION", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("paperdesk.tui.clipboard.over_ssh", lambda: False)
    async with desk_at(home) as (app, pilot):
        monkeypatch.setattr("pyperclip.copy", lambda _text: None)
        await pilot.press("o")
        [message] = [n.message for n in app._notifications]
        assert "Not opened: there is no display" in message and "SSH" not in message
        monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 1 10.0.0.2 22")
        monkeypatch.setattr("paperdesk.tui.browser.over_ssh", lambda: True)
        await pilot.press("o")
        [message] = [n.message for n in app._notifications]
        assert "Not opened: this is an SSH session" in message


async def test_a_copy_in_tmux_with_set_clipboard_off_says_how_to_turn_it_on(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    tmux = fake / "tmux"
    tmux.write_text('#!/bin/sh\n[ "$*" = "show-options -gv set-clipboard" ] && echo off\n')
    tmux.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    monkeypatch.setenv("SSH_TTY", "/dev/pts/0")  # the copy goes through the terminal
    async with desk_at(home) as (app, pilot):
        await pilot.press("y")
        [message] = [n.message for n in app._notifications]
        assert "set-clipboard off" in message and "tmux set -g set-clipboard on" in message
        tmux.write_text("#!/bin/sh\necho external\n")
        await pilot.press("y")
        [message] = [n.message for n in app._notifications]
        assert "set-clipboard" not in message


async def test_views_named_by_user_text_show_it_literally(
    isolated_home: Path, tmp_path: Path
) -> None:
    hostile = "[red]Hot[/red] Topic"
    catalog = main_list()
    catalog.papers = [
        Paper(**{**paper.as_json(), "links": [], "topics": [hostile], "date": None})
        if paper.venue == "SOSP 2024"
        else paper
        for paper in catalog.papers
    ]
    app = make_app(home=isolated_home, catalog=write_catalog(tmp_path / "c.json", catalog))
    async with running(app, SMALL, editor=True) as pilot:
        topic = Selection("topic", hostile, f"SOSP 2024 · {hostile}", venue="SOSP 2024")
        await select(app, pilot, topic)
        assert app.desk.query_one("#middle")._border_title.plain.startswith(
            f"SOSP 2024 · {hostile}"
        )
        assert hostile in header(app)
        tree = app.desk.query_one(NavTree)
        assert tree.cursor_node is not None and tree.cursor_node.name == hostile
        shown = tree.render_line(tree.cursor - round(tree.scroll_offset.y)).text
        assert "[red]Ho" in shown  # cut at 80 columns, never styled
        app.desk.action_export()
        await pilot.pause()
        scope = app.screen.query_one("#export-scope")
        assert hostile in str(scope.query("RadioButton").first().label)


async def test_a_desk_on_another_list_leaves_the_home_view_alone(
    home: Path, tmp_path: Path
) -> None:
    from paperdesk.tui.opening import VIEW_SETTING

    async with desk_at(home) as (app, pilot):
        await select(app, pilot, Selection("source", "colleague", "colleague"))
        await pilot.press("q")
    kept = store_of(home).get_setting(VIEW_SETTING)
    assert kept and '"colleague"' in kept
    other = make_app(home=home, catalog=write_catalog(tmp_path / "other.json"))
    async with running(other, SMALL, editor=True) as pilot:
        assert other.desk.selection.key == "all"  # not the home's colleague view
        await pilot.press("j", "j", "q")
    assert store_of(home).get_setting(VIEW_SETTING) == kept
