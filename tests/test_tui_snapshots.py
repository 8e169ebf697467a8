"""SVG snapshots of the desk's main screens at 120x40 and 80x24 (review them like code).

Regenerate after a deliberate change with ``pytest tests/test_tui_snapshots.py
--snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.pilot import Pilot

from paperdesk.tui.app import PaperdeskApp, make_app
from paperdesk.tui.screens.todo import TodoScreen
from tui_catalog import write_catalog

WIDE = (120, 40)
SMALL = (80, 24)
TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def app(isolated_home: Path, tmp_path: Path) -> PaperdeskApp:
    return make_app(home=isolated_home, catalog=write_catalog(tmp_path / "desk.json"))


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


async def searching(pilot: Pilot) -> None:
    await loaded(pilot)
    await pilot.press("slash", *"serving")
    await settled(pilot)


async def todo(pilot: Pilot) -> None:
    await loaded(pilot)
    app = pilot.app
    assert isinstance(app, PaperdeskApp)
    app.push_screen(TodoScreen(app.desk.ws, today=TODAY))
    await settled(pilot)


async def help_screen(pilot: Pilot) -> None:
    await loaded(pilot)
    await pilot.press("question_mark")
    await settled(pilot)


@pytest.mark.parametrize("size", [WIDE, SMALL], ids=["120x40", "80x24"])
def test_desk(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=loaded)


@pytest.mark.parametrize("size", [WIDE, SMALL], ids=["120x40", "80x24"])
def test_desk_searching(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=searching)


@pytest.mark.parametrize("size", [WIDE, SMALL], ids=["120x40", "80x24"])
def test_todo_screen(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=todo)


@pytest.mark.parametrize("size", [WIDE, SMALL], ids=["120x40", "80x24"])
def test_help_screen(snap_compare, app: PaperdeskApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=help_screen)
