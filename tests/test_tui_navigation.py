"""Moving through a backlog in the desk, driven by Pilot: next/previous unread across the
Library's sections, marks of a whole list or everything above the cursor, picks and ranges,
repeat counts next to the saved views on the same digits; asserted on the store and widgets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.merged import Catalog
from paperdesk.tui.app import PaperdeskApp
from paperdesk.tui.desk_model import DeskModel, next_unread
from paperdesk.tui.screens.confirm import ConfirmScreen
from paperdesk.tui.screens.desk.navigation import count_hint
from paperdesk.tui.screens.status_choice import StatusChoice
from paperdesk.tui.selection import Selection
from paperdesk.tui.widgets.key_bar import KeyBar
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.paper_list import PICK_GLYPH
from test_tui import SIZE, desk_on, papers, running, store_of, titles, until, written
from tui_catalog import ServedList, main_list

OSDI = Selection("venue", "OSDI 2024", "OSDI 2024")
NSDI = Selection("venue", "NSDI 2025", "NSDI 2025")


@pytest.fixture
def osdi_view(isolated_home: Path) -> None:
    """A saved view of the OSDI papers, on the digit 1."""
    store_of(isolated_home).save_view("OSDI", "venue:osdi")


def catalog() -> Catalog:
    return Catalog.from_files([main_list()])


async def open_venue(app: PaperdeskApp, pilot: object, selection: Selection) -> None:
    tree = app.desk.query_one(NavTree)
    tree.reveal(selection)
    await pilot.pause()  # type: ignore[attr-defined]
    app.desk.set_focus(papers(app))
    await pilot.pause()  # type: ignore[attr-defined]


def key_bar(app: PaperdeskApp) -> str:
    return app.desk.query_one(KeyBar).render().plain


# -- the pure parts ---------------------------------------------------------------------------


def test_next_unread_walks_only_to_the_next_unread_row() -> None:
    statuses = ["read", "unread", "read", "unread", "skipped"]
    rows = [0, 1, 2, 3, 4]
    assert next_unread(rows, statuses, 0, 1) == 1
    assert next_unread(rows, statuses, 1, 1) == 3
    assert next_unread(rows, statuses, 3, 1) is None
    assert next_unread(rows, statuses, 3, -1) == 1
    assert next_unread(rows, statuses, -1, 1) == 1
    assert next_unread(rows, statuses, len(rows), -1) == 3
    assert next_unread([], statuses, 0, 1) is None


def test_sections_follow_the_library_order_and_skip_those_without_unread() -> None:
    model = DeskModel(catalog())
    venues = [s.key for s in model.sections(OSDI)]
    assert venues == [g.name for g in model.library_venues()]
    assert model.sections(Selection("smart", "all", "All")) == []
    topic = Selection("topic", "LLM Serving", "OSDI 2024 · LLM Serving", venue="OSDI 2024")
    topics = [(s.venue, s.key) for s in model.sections(topic)]
    assert topics[0] == ("NSDI 2025", "Networking")
    assert ("OSDI 2024", "Scheduling") in topics and ("SOSP 2024", "Storage") in topics
    first = model.sections(NSDI)[0]
    assert first.key == "NSDI 2025"
    found = model.unread_section(first, 1)
    assert found is not None and found[0].key == venues[1]
    section, rows, index = found
    assert model.row_status[rows[index]] == "unread" and index == 0
    model.set_status(model.rows_for(section), "read")  # all of OSDI read: on to SOSP
    found = model.unread_section(first, 1)
    assert found is not None and found[0].key == venues[2]
    back = model.unread_section(model.sections(NSDI)[2], -1)
    assert back is not None and back[0].key == venues[0]
    assert back[2] == len(back[1]) - 1  # going back: the section's last unread paper
    assert model.unread_section(model.sections(NSDI)[2], 1) is None


def test_the_key_bar_hint_says_what_a_count_waits_for() -> None:
    assert count_hint("5") == "5… j/k/]/[/G repeat 5x · or a saved view"
    assert count_hint("12") == "12… j/k/]/[/G repeat 12x"


# -- n / N --------------------------------------------------------------------------------------


async def test_n_walks_the_unread_papers_and_on_into_the_next_venue(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    cat = catalog()
    nsdi = cat.venue("NSDI 2025").rows
    store_of(isolated_home).set_status([cat.paper(nsdi[1])], "read")
    async with running(app) as pilot:
        await open_venue(app, pilot, NSDI)
        assert app.desk.current_row == nsdi[0]
        await pilot.press("right_square_bracket")  # the read one is passed over
        assert app.desk.current_row == nsdi[2]
        await pilot.press("right_square_bracket")
        assert app.desk.selection.key == "OSDI 2024"  # past the end: the next venue
        assert app.desk.query_one(NavTree).cursor_node.data.key == "OSDI 2024"
        assert app.desk.current_row == cat.venue("OSDI 2024").rows[0]
        assert app.desk.query_one("#middle").border_title.startswith("OSDI 2024 · ")
        await pilot.press("left_square_bracket")  # back: the last unread of NSDI
        assert app.desk.selection.key == "NSDI 2025"
        assert app.desk.current_row == nsdi[2]
        await pilot.press("left_square_bracket")
        assert app.desk.current_row == nsdi[0]
        await pilot.press("left_square_bracket")
        assert any("No unread paper above" in n.message for n in app._notifications)
        assert app.desk.current_row == nsdi[0]


async def test_n_follows_the_search_and_stops_at_the_end_of_a_smart_list(
    app: PaperdeskApp,
) -> None:
    async with running(app) as pilot:
        await pilot.press("slash", *"tag:serving", "enter")
        shown = list(papers(app).rows)
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.desk.current_row == shown[2]
        await pilot.press("G", "right_square_bracket")
        assert app.desk.current_row == shown[-1]
        assert any("No unread paper below here." in n.message for n in app._notifications)


async def test_n_into_the_next_topic_of_a_venue(app: PaperdeskApp) -> None:
    serving = Selection("topic", "LLM Serving", "OSDI 2024 · LLM Serving", venue="OSDI 2024")
    async with running(app) as pilot:
        await open_venue(app, pilot, serving)
        count = len(papers(app).rows)
        await pilot.press(*["right_square_bracket"] * count)
        assert (app.desk.selection.venue, app.desk.selection.key) == ("OSDI 2024", "Scheduling")
        assert app.desk.selection.label == "OSDI 2024 · Scheduling"


# -- A and K: a whole list, everything above ----------------------------------------------------


async def test_A_marks_the_topic_after_asking_and_z_undoes_it_in_one_step(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    topic = Selection("topic", "Scheduling", "OSDI 2024 · Scheduling", venue="OSDI 2024")
    async with running(app) as pilot:
        await open_venue(app, pilot, topic)
        rows = list(papers(app).rows)
        ids = [app.desk.model.paper_id(r) for r in rows]
        await pilot.press("A")
        assert isinstance(app.screen, StatusChoice)
        assert f"all {len(rows)} papers shown in OSDI 2024 · Scheduling" in app.screen.question
        await pilot.press("escape")  # no status: nothing happens
        assert app.screen is app.desk
        await pilot.press("A", "x")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"{len(rows)} papers" in app.screen.question and "skipped" in app.screen.question
        await pilot.press("right_square_bracket")
        await written(app, pilot)
        assert store_of(isolated_home).states() == {}
        await pilot.press("A", "x", "y")
        await written(app, pilot)
        store = store_of(isolated_home)
        assert all(store.status_of(pid) == "skipped" for pid in ids)
        assert any(f"Marked {len(rows)} papers skipped" in n.message for n in app._notifications)
        await pilot.press("z")  # one step
        await written(app, pilot)
        store = store_of(isolated_home)
        assert all(store.status_of(pid) == "unread" for pid in ids)
        assert all(app.desk.model.status_of(r) == "unread" for r in rows)


async def test_K_marks_everything_above_the_cursor(app: PaperdeskApp, isolated_home: Path) -> None:
    async with running(app) as pilot:
        await pilot.press("K")
        assert any("No papers above" in n.message for n in app._notifications)
        await pilot.press("j", "j", "j", "K", "r", "y")
        await written(app, pilot)
        rows = list(papers(app).rows)
        store = store_of(isolated_home)
        assert [store.status_of(app.desk.model.paper_id(r)) for r in rows[:4]] == [
            "read",
            "read",
            "read",
            "unread",
        ]
        await pilot.press("z")
        await written(app, pilot)
        assert app.desk.model.counts["read"] == 0


# -- picks --------------------------------------------------------------------------------------


async def test_space_and_v_pick_papers_and_a_status_key_marks_them_in_one_step(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with running(app) as pilot:
        rows = list(papers(app).rows)
        await pilot.press("space", "j", "space")  # the first and the third
        assert papers(app).picked_rows() == [rows[0], rows[2]]
        line = papers(app).render_line(0).text
        assert line.startswith(PICK_GLYPH)
        assert "2 picked" in str(app.desk.query_one("#middle").border_subtitle)
        await pilot.press("v", "j", "j")  # a range from the fourth to the sixth
        assert papers(app).picked_rows() == [rows[0], rows[2], rows[3], rows[4], rows[5]]
        await pilot.press("v", "j")  # closed: moving no longer extends it
        assert len(papers(app).picked_rows()) == 5
        await pilot.press("a")
        await written(app, pilot)
        store = store_of(isolated_home)
        picked = [rows[i] for i in (0, 2, 3, 4, 5)]
        assert [store.status_of(app.desk.model.paper_id(r)) for r in picked] == ["queued"] * 5
        assert store.status_of(app.desk.model.paper_id(rows[1])) == "unread"
        assert papers(app).picked_rows() == []  # marked: let go
        await pilot.press("z")
        await written(app, pilot)
        assert store_of(isolated_home).queue() == []


async def test_escape_lets_go_of_picks_and_many_picks_ask_first(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with running(app) as pilot:
        await pilot.press("space", "escape")
        assert papers(app).picked_rows() == []
        await pilot.press("g", "v", *["j"] * 11)
        assert len(papers(app).picked_rows()) == 12
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        assert "12 papers picked" in app.screen.question
        await pilot.press("y")
        await written(app, pilot)
        assert app.desk.model.counts["read"] == 12
        assert len(store_of(isolated_home).states()) == 12


async def test_space_in_the_library_still_opens_a_venue(app: PaperdeskApp) -> None:
    async with running(app) as pilot:
        tree = app.desk.query_one(NavTree)
        tree.reveal(OSDI)
        app.desk.set_focus(tree)
        await pilot.pause()
        await pilot.press("space")
        assert tree.venue_node("OSDI 2024").expanded
        assert papers(app).picked_rows() == []


# -- counts -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("osdi_view")
async def test_counts_repeat_moves_and_a_lone_digit_still_opens_its_view(
    app: PaperdeskApp,
) -> None:
    async with running(app) as pilot:
        rows = list(papers(app).rows)
        await pilot.press("5")
        assert key_bar(app).lstrip().startswith("5… j/k/]/[/G repeat 5x")
        await pilot.press("j")
        assert app.desk.current_row == rows[5]
        assert "repeat" not in key_bar(app)
        await pilot.press("2", "k")
        assert app.desk.current_row == rows[3]
        await pilot.press("1", "0", "j")
        assert app.desk.current_row == rows[13]
        await pilot.press("3", "G")
        assert app.desk.current_row == rows[2]
        await pilot.press("g", "3", "right_square_bracket")
        assert app.desk.current_row == rows[3]
        assert app.desk.selection.key == "all"  # no view was opened by those digits
        await pilot.press("1")  # alone: after a pause, the view on 1
        await until(pilot, lambda: app.desk.selection.kind == "view")
        assert all(app.desk.model.paper(r).venue == "OSDI 2024" for r in papers(app).rows)
        assert "repeat" not in key_bar(app)


@pytest.mark.usefixtures("osdi_view")
async def test_a_digit_then_another_key_opens_the_view_and_the_key_acts_in_it(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with running(app) as pilot:
        await pilot.press("1", "r")
        assert app.desk.selection.kind == "view"
        await written(app, pilot)
        first = app.desk.model.paper(papers(app).rows[0])
        assert first.venue == "OSDI 2024"
        assert store_of(isolated_home).status_of(first.id) == "read"
        await pilot.press("escape", "2", "escape")  # escape only lets go of the count
        await pilot.pause(1.0)
        assert not any("No saved view on 2" in n.message for n in app._notifications)


@pytest.mark.usefixtures("osdi_view")
async def test_a_digit_in_the_library_opens_its_view_at_once(app: PaperdeskApp) -> None:
    async with running(app) as pilot:
        app.desk.set_focus(app.desk.query_one(NavTree))
        await pilot.pause()
        await pilot.press("1")
        assert app.desk.selection.kind == "view"


# -- help, palette and keymap -------------------------------------------------------------------


async def test_the_navigation_keys_are_in_help_and_the_palette(app: PaperdeskApp) -> None:
    from paperdesk.tui.commands import DeskCommands

    async with running(app) as pilot:
        names = {name for name, _, _ in DeskCommands(app.desk)._commands()}
        wanted = {"Next unread", "Previous unread", "Mark all shown", "Mark all above", "Pick"}
        assert wanted | {"Pick a range", "Drop picks", "Count digit 0"} <= names
        await pilot.press("question_mark")
        text = str(app.screen.query_one("#help-text").render())
        for words in (
            "desk.next_unread",
            "desk.previous_unread",
            "desk.mark_all",
            "desk.mark_above",
            "list.pick",
            "list.pick_range",
            "list.drop_picks",
            "desk.count_zero",
            "1…9",
        ):
            assert words in text
        assert "desk.note_old_key" not in text


async def test_n_writes_the_note_and_brackets_walk(app: PaperdeskApp) -> None:
    """``n`` has written the note since the first release; the walk is on the brackets."""
    async with running(app) as pilot:
        await pilot.press("right_square_bracket")
        assert app.focused is papers(app)
        await pilot.press("n")
        assert app.focused is app.desk.note_editor


async def test_keymap_remaps_next_unread(app: PaperdeskApp, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text(
        '[keymap]\n"desk.next_unread" = "J"\n"list.pick" = "p"\n', encoding="utf-8"
    )
    async with running(app) as pilot:
        rows = list(papers(app).rows)
        await pilot.press("right_square_bracket")
        assert app.desk.current_row == rows[0]
        await pilot.press("J")
        assert app.desk.current_row == rows[1]
        await pilot.press("p")
        assert papers(app).picked_rows() == [rows[1]]
        assert not [n for n in app._notifications if "keymap" in n.message]
        assert titles(app)


async def test_the_readme_newsboat_keymap_puts_the_walk_on_n_and_the_note_on_w(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    """The README's commented keymap, taken as it is: n/N walk the unread papers across
    venues, w still writes the note, and nothing is reported as a clash."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    lines = [line[2:] for line in readme.splitlines() if line.startswith('# "desk.')]
    assert len(lines) == 3, lines
    config = "[keymap]\n" + "\n".join(lines) + "\n"
    (isolated_home / "config.toml").write_text(config, encoding="utf-8")
    cat = catalog()
    nsdi = cat.venue("NSDI 2025").rows
    async with running(app) as pilot:
        await open_venue(app, pilot, NSDI)
        await pilot.press("n", "n")
        assert app.desk.current_row == nsdi[2]
        await pilot.press("n")
        assert app.desk.selection.key == "OSDI 2024"
        await pilot.press("N")
        assert app.desk.current_row == nsdi[2]
        await pilot.press("w", *"walked here", "escape")
        await written(app, pilot)
        assert not [n for n in app._notifications if "keymap" in n.message]
    assert store_of(isolated_home).note_of(cat.paper(nsdi[2]).id) == "walked here"


async def test_A_asked_across_a_sync_marks_the_papers_it_named(
    isolated_home: Path, served_list: Callable[..., ServedList]
) -> None:
    """The question of ``A`` is drawn in the middle, and an answer given after a sync has
    rebuilt the catalog (rows numbered anew) marks the papers the question was about."""
    first = ("Llumnix: Dynamic Scheduling", "Parrot: Semantic Variables")
    served = served_list(*first)
    async with desk_on(isolated_home) as (app, pilot):
        await open_venue(app, pilot, OSDI)
        old_model = app.desk.model
        assert sorted(titles(app)) == sorted(first)
        await pilot.press("A")
        assert isinstance(app.screen, StatusChoice)
        box = app.screen.query_one("#status-box").region
        assert box.x > 0 and abs(box.x - (SIZE[0] - box.right)) <= 1
        served.titles = ("Brand New Paper", *first)
        app.desk.action_sync()
        await until(pilot, lambda: app.desk.model is not old_model, timeout=30)
        await pilot.press("x", "y")
        await written(app, pilot)
    store = store_of(isolated_home)
    assert store.status_of(paper_id("Brand New Paper")) == "unread"
    assert [store.status_of(paper_id(title)) for title in first] == ["skipped", "skipped"]
