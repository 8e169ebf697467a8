"""Text out is inert: every text output drops control and bidi characters, CSV cells are never
formulas, and JSON keeps the exact text. Hostile data goes in through the real commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperdesk.catalog.models import TodoItem
from paperdesk.inert import csv_cell, inert, json_escaped
from paperdesk.locations import Locations
from paperdesk.state.store import Store

#: What no text output may carry: C0 but tab and newline, DEL, C1, bidi controls.
ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
OSC52 = "\x1b]52;c;cHduZWQ=\x07"
RLO = "\u202e"
PDF = "\u202c"
FORMULA = "=cmd|'/C calc'!A0 Formula Title"
NOTE = f"osc {OSC52} clear \x1b[2J bell \x07 bidi {RLO}txet{PDF} cr\rend\nsecond line"

LIST = f"""# Hostile list

## [EvilConf 2030](https://example.org)

### Inj{RLO}ection
* {FORMULA} [paper](https://arxiv.org/abs/2401.00003)
* Bidi {RLO} txet desrever Title [paper](https://arxiv.org/abs/2401.00004)
* @Handle and -minus Title [paper](https://arxiv.org/abs/2401.00005)
"""


# --- the rule ----------------------------------------------------------------------------------


def test_inert_drops_controls_and_bidi_and_keeps_the_rest() -> None:
    assert inert(NOTE) == "osc ]52;c;cHduZWQ= clear [2J bell  bidi txet crend\nsecond line"
    assert inert("tab\tand\nnewline, ünïcode ✓, RTL עברית") == (
        "tab\tand\nnewline, ünïcode ✓, RTL עברית"
    )
    assert inert("\x85next line\x9b31m\x7f") == "next line31m"


@given(st.text(), st.text())
def test_inert_is_total_idempotent_and_piecewise(a: str, b: str) -> None:
    out = inert(a + b)
    assert not ACTIVE.search(out)
    assert inert(out) == out
    assert out == inert(a) + inert(b)  # so a whole export is as safe as each of its fields


@given(st.text())
def test_json_escaped_keeps_the_exact_text(text: str) -> None:
    document = json_escaped(json.dumps({"t": text}, ensure_ascii=False))
    assert not ACTIVE.search(document)
    assert json.loads(document) == {"t": text}


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\r=x", "'=x"),  # the CR goes, and the formula that was behind it is caught
        (f"\x07{RLO}=x", "'=x"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_csv_cells_that_would_run_are_prefixed(cell: str, shown: str) -> None:
    assert csv_cell(cell) == shown


# --- every output, through the installed command -------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "paperdesk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=os.environ,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def hostile_home(tmp_path: Path, isolated_home: Path) -> Path:
    listing = tmp_path / "evil.md"
    listing.write_text(LIST, encoding="utf-8")
    run("import", str(listing), "--as", "evil")
    run("mark", "Formula Title", "queued")
    run("note", "Formula Title", "--set", NOTE)
    store = Store.open(Locations(isolated_home).store)
    soon = dt.date.today() + dt.timedelta(days=10)
    store.add_todo(TodoItem(name=f"Evil\x1b[2J {RLO}Conf\x07", url="https://e.org", date=soon))
    return isolated_home


OUTPUTS = {
    "list": ["list"],
    "show": ["show", "Formula Title"],
    "note": ["note", "Formula Title"],
    "todo": ["todo", "list"],
    "stats": ["stats"],
    "venues": ["venues"],
    "doctor": ["doctor"],
    "markdown": ["export", "--format", "markdown"],
    "csv": ["export", "--format", "csv"],
    "bibtex": ["export", "--format", "bibtex"],
}


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_no_text_output_carries_a_control_or_bidi_character(hostile_home: Path, name: str) -> None:
    out = run(*OUTPUTS[name]).stdout
    assert not ACTIVE.search(out), sorted({hex(ord(c)) for c in ACTIVE.findall(out)})
    if name in ("show", "note", "markdown", "csv"):
        assert "52;c;cHduZWQ=" in out  # the printable rest of the note is there


@pytest.mark.parametrize("fmt", ["markdown", "csv", "bibtex"])
def test_exports_to_a_file_are_inert_too(hostile_home: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    run("export", "--format", fmt, "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert not ACTIVE.search(text)
    assert text == run("export", "--format", fmt).stdout


def test_csv_cells_are_never_formulas(hostile_home: Path) -> None:
    rows = list(csv.reader(io.StringIO(run("export", "--format", "csv").stdout, newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + FORMULA in cells
    assert "'@Handle and -minus Title" in cells


def test_json_keeps_the_exact_text_escaped(hostile_home: Path) -> None:
    for args in (["export", "--format", "json"], ["list", "--json"], ["show", "Formula", "--json"]):
        out = run(*args).stdout
        assert not ACTIVE.search(out), args
        assert "\\u202e" in out and "\\u001b" in out, args
    exported = json.loads(run("export", "--format", "json").stdout)
    [paper] = [p for p in exported["papers"] if p.get("note")]
    assert paper["note"] == NOTE
    assert exported["todos"][0]["name"].startswith("Evil\x1b[2J \u202eConf")
