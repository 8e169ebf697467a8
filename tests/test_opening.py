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
from tui_catalog import SERVERLESS, write_home_sources


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
    assert opened.theme is None and opened.keymap == {} and opened.keymap_problems == []
