"""Opening the desk: the first look needs neither pydantic nor Textual, and settling agrees with it.

Real homes: the shipped list or hand-made sources, a store written by the Store.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from paperdesk.state.store import Store
from paperdesk.tui.opening import open_desk, settle_desk
from paperdesk.workspace import Workspace
from tui_catalog import SERVERLESS, main_list, write_catalog, write_home_sources


def marked_home(home: Path) -> Workspace:
    write_home_sources(home)
    ws = Workspace.open(home=home)
    paper = ws.catalog.find(SERVERLESS)
    ws.store.set_status([paper], "read")
    ws.store.set_note(paper, "cold starts")
    ws.store.set_setting("theme", "nord")
    return ws


def test_the_first_look_loads_neither_models_nor_textual(isolated_home: Path) -> None:
    marked_home(isolated_home)
    code = (
        "import sys; from paperdesk.tui.opening import open_desk\n"
        f"o = open_desk({str(isolated_home)!r}, None)\n"
        "print(o.model.counts['read'], o.model.notes_count, o.theme,"
        " sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'textual', 'tinydb'}))"
    )
    env = {**os.environ, "PAPERDESK_HOME": str(isolated_home)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split() == ["1", "1", "nord", "[]"]


def test_settling_replaces_the_look_with_the_same_validated_states(isolated_home: Path) -> None:
    ws = marked_home(isolated_home)
    opened = open_desk(isolated_home, None)
    model = opened.model
    looked = (list(model.row_status), dict(model.notes))
    settled = settle_desk(opened.workspace, model.catalog)
    assert settled.states == Store.open(ws.locations.store).states()
    model.replace_states(settled.states)
    assert (list(model.row_status), dict(model.notes)) == looked
    assert model.states == settled.states
    assert len(model.catalog.search_keys) == len(model.catalog)


def test_the_first_look_of_a_fresh_home_is_the_shipped_list_unread(isolated_home: Path) -> None:
    opened = open_desk(isolated_home, None)
    assert len(opened.model.catalog) == 94
    assert opened.model.counts["unread"] == 94
    assert opened.theme is None and opened.keymap == {} and opened.config_problems == []
    assert opened.view is None
    settled = settle_desk(opened.workspace, opened.model.catalog)
    assert opened.todo_due == settled.todo_due  # the first look agrees with the store


def test_the_first_look_brings_inbox_orphans_deadlines_view_and_settings_without_models(
    isolated_home: Path,
) -> None:
    import datetime as dt

    from paperdesk.catalog.models import TodoItem
    from paperdesk.tui.opening import VIEW_SETTING, DeskView
    from paperdesk.tui.selection import Selection

    ws = marked_home(isolated_home)
    daily = ws.catalog.find("Bounded-State Restoration")
    ws.store.add_to_inbox([daily.id], "daily")
    gone = ws.catalog.find("OSDI LLM Serving paper 1")
    ws.store.set_note(gone, "kept after the list dropped it")
    today = dt.date.today()
    ws.store.add_todo(TodoItem(name="Late'25", date=today - dt.timedelta(days=2)))
    ws.store.add_todo(TodoItem(name="Soon'25", date=today + dt.timedelta(days=3)))
    ws.store.add_todo(TodoItem(name="Done'25", date=today - dt.timedelta(days=9), done=True))
    view = DeskView(Selection("source", "daily", "daily"), "title", "unread", "trick", daily.id)
    ws.store.set_setting(VIEW_SETTING, view.dumps())
    main = main_list()
    main.papers = [p for p in main.papers if p.id != gone.id]  # the list dropped it
    write_catalog(isolated_home / "sources" / "awesome-papers.json", main)
    Workspace.open(home=isolated_home).catalog  # noqa: B018 - the cache, as an import leaves it
    (isolated_home / "config.toml").write_text(
        '[desk]\nfeeds_in_all = true\n[keymap]\n"desk.mark_read" = "R"\n', encoding="utf-8"
    )
    code = (
        "import sys; from paperdesk.tui.opening import open_desk\n"
        f"o = open_desk({str(isolated_home)!r}, None)\n"
        "m = o.model\n"
        "print(m.smart_count('inbox'), [p.title for p in m.orphans], o.todo_due,"
        " o.view == __import__('pickle').loads(bytes.fromhex(sys.argv[1])),"
        " m.feeds_in_all, o.keymap, o.config_problems,"
        " sorted({n.split('.')[0] for n in sys.modules} & {'pydantic', 'textual', 'tinydb'}))"
    )
    import pickle

    env = {**os.environ, "PAPERDESK_HOME": str(isolated_home)}
    result = subprocess.run(
        [sys.executable, "-c", code, pickle.dumps(view).hex()],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert result.stdout.strip() == (
        # overdue: Late'25 and the list's OSDI'25 (2025-03-25); Done'25 is done
        "1 ['OSDI LLM Serving paper 1'] (2, 1) True True {'desk.mark_read': 'R'} [] []"
    )


def test_config_problems_are_reported_and_defaults_kept(isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text(
        '[desk]\nfeeds_in_all = "yes"\nfeeds = true\n', encoding="utf-8"
    )
    opened = open_desk(isolated_home, None)
    assert opened.model.feeds_in_all is False
    assert len(opened.config_problems) == 2
    assert "feeds_in_all must be true or false" in opened.config_problems[0]
    assert "no setting 'feeds'" in opened.config_problems[1]
    (isolated_home / "config.toml").write_text("[desk\n", encoding="utf-8")
    [problem] = open_desk(isolated_home, None).config_problems
    assert "not valid TOML" in problem and "default keys and settings" in problem
