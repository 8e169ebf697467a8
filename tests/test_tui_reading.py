"""The desk's reading flow, driven by Pilot: the query language in ``/``, saved views on 1-9,
the Queue and its order, and notes in ``$EDITOR`` (``E``); asserted on the store and widgets."""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from paperdesk.catalog.merged import Catalog
from paperdesk.query import evaluate, parse
from paperdesk.tui.app import PaperdeskApp, make_app
from paperdesk.tui.desk_model import DeskModel
from paperdesk.tui.screens.view_name import ViewNameForm
from paperdesk.tui.selection import Selection
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.search_bar import SearchBar
from test_tui import SIZE, opened, papers, store_of, titles, until, written
from tui_catalog import SERVERLESS, ServedList, main_list

pytestmark = pytest.mark.usefixtures("over_ssh")


def tree_lines(app: PaperdeskApp) -> list[str]:
    tree = app.desk.query_one(NavTree)
    return [tree.render_line(y).text for y in range(tree.size.height)]


def bar(app: PaperdeskApp) -> SearchBar:
    return app.desk.query_one(SearchBar)


def shown_rows(app: PaperdeskApp, query: str) -> list[int]:
    model = app.desk.model
    assert model is not None
    return evaluate(parse(query), model._facts)


# -- the query language in / -------------------------------------------------------------------


async def test_slash_takes_field_queries(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("slash", *"venue:osdi -topic:scheduling OR tag:serverless")
        rows = shown_rows(app, "venue:osdi -topic:scheduling OR tag:serverless")
        assert list(papers(app).rows) == rows and rows
        assert all(app.desk.model.paper(r).venue == "OSDI 2024" for r in rows)
        assert bar(app).error is None and bar(app).matches == len(rows)
        second = bar(app).render().plain.splitlines()[1]
        assert second.startswith(f"{len(rows)} matches") and "venue:" in second


async def test_a_mistake_shows_under_the_bar_and_the_desk_keeps_working(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("slash", *"venue:osdi")
        good = list(papers(app).rows)
        await pilot.press(*" (")
        assert bar(app).error is not None and "never closed" in bar(app).error[1]
        assert list(papers(app).rows) == good  # the last good answer stays meanwhile
        await pilot.press("backspace", *"year:>>2")
        assert bar(app).error == (17, bar(app).error[1])
        assert "year:" in bar(app).error[1]
        lines = bar(app).render().plain.splitlines()
        caret = lines[1].index("^")
        assert lines[0][caret:].startswith(">>2")  # the caret is under the mistake
        await pilot.press("enter")  # refused: the mistake is said in full
        assert isinstance(app.focused, SearchBar)
        assert any("column 17" in n.message for n in app._notifications)
        await pilot.press(*["backspace"] * 3, *"=2024")
        assert bar(app).error is None
        assert list(papers(app).rows) == shown_rows(app, "venue:osdi year:>=2024")
        await pilot.press(*"(", "enter")
        await pilot.press("escape")  # escape clears the search even with a mistake in it
        assert bar(app).error is None and not bar(app).display
        await pilot.press("r")
        await written(app, pilot)
        first = app.desk.current_paper
        assert first is not None and store_of(isolated_home).status_of(first.id) == "read"


async def test_a_mistake_left_behind_does_not_hide_another_list(app: PaperdeskApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("slash", *"(tag:x", "tab")  # away from the box, mistake and all
        assert bar(app).has_class("-error")
        app.desk.query_one(NavTree).reveal(Selection("smart", "queued", "Queue"))
        await pilot.pause()
        assert app.desk.selection.key == "queued"
        assert list(papers(app).rows) == []  # the Queue is empty: shown, not the old rows


# -- saved views -------------------------------------------------------------------------------


async def test_saved_views_are_in_the_library_with_live_counts_and_open_on_keys(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    store = store_of(isolated_home)
    store.save_view("Serving unread", "tag:serving status:unread")
    store.save_view("OSDI", "venue:osdi")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        serving = shown_rows(app, "tag:serving status:unread")
        lines = tree_lines(app)
        assert any("1 Serving unread" in line and f"  {len(serving)}" in line for line in lines)
        assert any("2 OSDI" in line for line in lines)
        await pilot.press("1")  # in the list a digit may start a count: the view after a pause
        await until(pilot, lambda: app.desk.selection.kind == "view")
        assert app.desk.selection == Selection("view", "Serving unread", "Serving unread")
        assert list(papers(app).rows) == serving
        pane = app.desk.query_one("#middle")
        assert pane.border_title == f"Serving unread · {len(serving)} papers"
        assert app.focused is papers(app)
        await pilot.press("r")  # the count follows the mark at once
        await pilot.pause()
        assert app.desk.model.view_count("Serving unread") == len(serving) - 1
        assert any(f"1 Serving unread  {len(serving) - 1}" in line for line in tree_lines(app))
        await pilot.press("3")
        await until(
            pilot, lambda: any("No saved view on 3" in n.message for n in app._notifications)
        )
        await pilot.press("2")
        await until(pilot, lambda: app.desk.selection.key == "OSDI")
        assert all(app.desk.model.paper(r).venue == "OSDI 2024" for r in papers(app).rows)


async def test_a_view_saved_elsewhere_arrives_with_the_next_poll(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        assert not any("Views" in line for line in tree_lines(app))
        store_of(isolated_home).save_view("Later", "has:arxiv")
        await until(pilot, lambda: app.desk.model.views == [("Later", "has:arxiv")])
        await pilot.pause()
        assert any("1 Later  1" in line for line in tree_lines(app))


async def test_the_search_is_saved_as_a_view_from_the_palette(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("slash", *"venue:nsdi", "enter")
        await app.desk.run_action("save_view")
        await pilot.pause()
        assert isinstance(app.screen, ViewNameForm)
        app.screen.query_one(Input).value = "Networking"
        await pilot.press("enter")
        await written(app, pilot)
        views = store_of(isolated_home).views()
        assert [(v.name, v.query) for v in views] == [("Networking", "venue:nsdi")]
        await until(pilot, lambda: bool(app.desk.model.views))
        assert any("1 Networking" in line for line in tree_lines(app))
        await pilot.press("escape", "1")
        await until(pilot, lambda: app.desk.selection.kind == "view")
        await app.desk.run_action("remove_view")
        await pilot.pause()
        await pilot.press("y")
        await written(app, pilot)
        await until(pilot, lambda: not app.desk.model.views)
        assert store_of(isolated_home).views() == []
        assert app.desk.selection.key == "all"


def test_view_counts_follow_marks_and_notes_as_a_recount_would() -> None:
    catalog = Catalog.from_files([main_list()])
    model = DeskModel(catalog)
    queries = {
        "unread serving": "status:unread tag:serving",
        "noted": "has:note",
        "words": "paper -osdi",
        "either": "status:read OR status:queued year:2024",
    }
    model.set_views(list(queries.items()))
    for name in queries:
        model.view_count(name)
    rng = random.Random(7)
    for step in range(200):
        rows = rng.sample(range(len(catalog)), rng.randint(1, 4))
        if step % 3:
            model.set_status(rows, rng.choice(["unread", "read", "queued", "skipped"]))
        else:
            model.set_note(catalog.columns.id[rows[0]], rng.choice([None, "osdi paper", "x"]))
        for name, query in queries.items():
            fresh = evaluate(parse(query), model._facts)
            assert model.view_count(name) == len(fresh), (step, name)


# -- the queue ---------------------------------------------------------------------------------


async def test_the_queue_shows_and_keeps_the_user_s_order(
    app: PaperdeskApp, isolated_home: Path
) -> None:
    catalog = Catalog.from_files([main_list()])
    queued = [catalog.paper(row) for row in (0, 4, 8)]
    store = store_of(isolated_home)
    for paper in queued:
        store.set_status([paper], "queued")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await until(pilot, lambda: app.desk.model.queue is not None)
        tree = app.desk.query_one(NavTree)
        tree.reveal(Selection("smart", "queued", "Queue"))
        await pilot.pause()
        assert titles(app) == [p.title for p in queued]
        app.desk.set_focus(papers(app))
        await pilot.press("G", "plus", "plus")  # the last one, up to the top
        assert titles(app) == [queued[2].title, queued[0].title, queued[1].title]
        assert app.desk.current_paper == queued[2]  # the cursor went along
        await pilot.press("plus")
        assert any("Already first" in n.message for n in app._notifications)
        await pilot.press("minus")
        await written(app, pilot)
        expected = [queued[0].id, queued[2].id, queued[1].id]
        assert store_of(isolated_home).queue() == expected
        assert [model_id for model_id in app.desk.model.queue or []] == expected
        assert app.desk.current_paper == queued[2]
        await pilot.press("r")  # read: it leaves the queue
        await written(app, pilot)
        assert store_of(isolated_home).queue() == [queued[0].id, queued[1].id]
        await pilot.press("a")  # queued again: last in the queue
        await written(app, pilot)
        assert app.desk.model.queue == [queued[0].id, queued[1].id, queued[2].id]
        assert store_of(isolated_home).queue() == app.desk.model.queue


async def test_plus_on_a_paper_not_queued_says_so(app: PaperdeskApp, isolated_home: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("plus")
        assert any("not queued" in n.message for n in app._notifications)
        await pilot.press("a", "j", "a", "minus")  # two queued from the All list
        await written(app, pilot)
        assert any("Already last" in n.message for n in app._notifications)
        await pilot.press("k", "minus")
        await written(app, pilot)
        assert any("Queue: now 2 of 2" in n.message for n in app._notifications)
        first, second = (app.desk.model.paper(r).id for r in (0, 1))
        assert store_of(isolated_home).queue() == [second, first]


# -- notes in $EDITOR ----------------------------------------------------------------------------


def editor_script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport sys, subprocess\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@contextlib.contextmanager
def no_terminal_to_hand_over() -> Iterator[None]:
    """What ``App.suspend`` does around the editor, minus the terminal a headless app lacks."""
    yield


async def test_e_edits_the_note_in_the_editor_and_saves_it(
    app: PaperdeskApp,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    editor = editor_script(tmp_path, "editor", "open(sys.argv[1], 'a').write('## from vim')")
    monkeypatch.setenv("VISUAL", str(editor))
    monkeypatch.setattr(app, "suspend", no_terminal_to_hand_over)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("slash", *"serverlessllm", "enter", "w", *"typed here", "escape")
        await pilot.press("E")
        await written(app, pilot)
        paper_id = app.desk.current_paper.id
        assert store_of(isolated_home).note_of(paper_id) == "typed here\n## from vim"
        await until(pilot, lambda: app.desk.model.notes.get(paper_id) == "typed here\n## from vim")
        await until(pilot, lambda: app.desk.note_editor.text == "typed here\n## from vim")
        assert any("Note saved" in n.message for n in app._notifications)


async def test_e_keeps_a_note_changed_meanwhile_and_the_edit_aside(
    app: PaperdeskApp,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = (
        f"subprocess.run([{sys.executable!r}, '-m', 'paperdesk', '--catalog', "
        f"{str(app.catalog_path)!r}, 'note', 'serverlessllm', '--append', 'elsewhere'], "
        "check=True)\nopen(sys.argv[1], 'w').write('my edit')"
    )
    monkeypatch.setenv("VISUAL", str(editor_script(tmp_path, "racer", other)))
    monkeypatch.setattr(app, "suspend", no_terminal_to_hand_over)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("slash", *"serverlessllm", "enter", "E")
        await written(app, pilot)
        await pilot.pause()
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors and "changed while you edited it" in errors[0]
        paper = app.desk.current_paper
        assert paper.title == SERVERLESS
        assert store_of(isolated_home).note_of(paper.id) == "elsewhere"
        aside = isolated_home / "cache" / f"note-conflict-{paper.id}.md"
        assert aside.read_text(encoding="utf-8") == "my edit\n"


async def test_e_with_a_failing_editor_changes_nothing(
    app: PaperdeskApp, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", str(editor_script(tmp_path, "fails", "sys.exit(3)")))
    monkeypatch.setattr(app, "suspend", no_terminal_to_hand_over)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("E")
        await written(app, pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors and "exited with status 3" in errors[0]
        assert store_of(isolated_home).states() == {}
        await pilot.press("j", "r")  # and the desk goes on
        await written(app, pilot)
        assert len(store_of(isolated_home).states()) == 1


async def test_the_new_keys_are_in_help_and_the_palette(app: PaperdeskApp) -> None:
    from paperdesk.tui.commands import DeskCommands

    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        names = {name for name, _, _ in DeskCommands(app.desk)._commands()}
        wanted = {"Note in $EDITOR", "Saved view 1", "Saved view 9", "Sooner in queue"}
        assert wanted | {"Later in queue", "Save search as view…"} <= names
        await pilot.press("question_mark")
        text = str(app.screen.query_one("#help-text").render())
        for words in ("desk.note_editor", "desk.view_1", "desk.queue_up", "Save search as view"):
            assert words in text


async def test_views_queue_and_new_survive_sync_now(
    isolated_home: Path, served_list: Callable[..., ServedList]
) -> None:
    from paperdesk.cli import main

    first = ("Llumnix: Dynamic Scheduling", "Parrot: Semantic Variables")
    served = served_list(*first)  # a first list: nothing new
    assert main(["mark", "llumnix", "queued"]) == 0
    assert main(["mark", "parrot", "queued"]) == 0
    assert main(["queue", "move", "parrot", "top"]) == 0
    served.titles = (*first, "Fresh Paper")
    assert main(["import", served.url, "--as", "awesome-papers"]) == 0  # the update brings one
    assert main(["view", "save", "Fresh", "new:"]) == 0
    app = make_app(home=isolated_home)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await until(pilot, lambda: app.desk.model.queue is not None)
        await pilot.press("1")
        await until(pilot, lambda: titles(app) == ["Fresh Paper"])
        served.titles = (*first, "Fresh Paper", "Brand New Paper")
        app.desk.action_sync()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await until(pilot, lambda: app.desk.model.view_count("Fresh") == 2)
        assert app.desk.selection.kind == "view"
        assert sorted(titles(app)) == ["Brand New Paper", "Fresh Paper"]
        queue = app.desk.model.queue_rows()
        assert [app.desk.model.paper(r).title for r in queue] == [
            "Parrot: Semantic Variables",
            "Llumnix: Dynamic Scheduling",
        ]


def test_the_first_frame_does_not_wait_for_the_query_package() -> None:
    """The desk's modules load without it: it comes with the first search or saved view."""
    code = (
        "import sys, paperdesk.tui.app, paperdesk.tui.opening\n"
        "print(sorted(m for m in sys.modules if m.startswith('paperdesk.query')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "[]\n", done.stderr
