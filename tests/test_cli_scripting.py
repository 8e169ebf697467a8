"""The CLI for scripts: venues named without a year, ``list --limit/--fields``, TODO names
by fragment. Real homes, the real command in-process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from paperdesk.cli import main

LIST = """# Two years

## OSDI 2023

* [ ] Older Systems Paper [paper](https://example.org/old)

## OSDI 2024

### Serving
* [ ] Newer Serving Paper [paper](https://example.org/new) [GPU]
* [ ] Another Serving Paper

## NSDI 2024

* [ ] A Network Paper

---
## TODO list

* [ ] [OSDI'25](https://osdi.org) deadline 2025-04-17
* [ ] [OSDI'26](https://osdi.org)
* [ ] [NSDI'25](https://nsdi.org)
"""


@pytest.fixture(autouse=True)
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command reads this list, as ``--catalog`` (state goes to the test's home)."""
    path = tmp_path / "two-years.md"
    path.write_text(LIST, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "CATALOG", ["--catalog", str(path)])


CATALOG: list[str] = []


def run(*args: str) -> int:
    return main([*args, *CATALOG])


def out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert run(*args) == 0
    return capsys.readouterr().out


def titles(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    return [p["title"] for p in json.loads(out(capsys, "list", "--json", *args))]


def test_a_venue_without_a_year_is_every_year_of_it(capsys: pytest.CaptureFixture[str]) -> None:
    newer = ["Newer Serving Paper", "Another Serving Paper"]
    assert titles(capsys, "--venue", "osdi") == [*newer, "Older Systems Paper"]
    assert titles(capsys, "--venue", "OSDI 2024") == newer
    assert titles(capsys, "--venue", "OSDI", "--topic", "serving") == newer
    assert run("list", "--venue", "OSD") == 1
    assert run("list", "--venue", "OSDI 2022") == 1, "a year that is not there is no venue"
    csv_rows = out(capsys, "export", "-f", "csv", "--venue", "osdi").splitlines()
    assert len(csv_rows) == 1 + 3
    assert run("mark", "--venue", "osdi", "queued", "--yes") == 0
    assert sorted(titles(capsys, "--status", "queued")) == sorted(titles(capsys, "--venue", "osdi"))


def test_list_limit_and_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("note", "another serving", "--set", "line one\n\tline two") == 0
    assert run("mark", "another serving", "read") == 0
    text = out(capsys, "list", "--venue", "OSDI 2024", "--fields", "id,title,status,note,tags")
    header, *rows = text.splitlines()
    assert header == "id\ttitle\tstatus\tnote\ttags"
    cells = [row.split("\t") for row in rows]
    assert [c[1:] for c in cells] == [
        ["Newer Serving Paper", "unread", "", "GPU"],
        ["Another Serving Paper", "read", "line one  line two", ""],
    ]
    assert all(len(c) == 5 for c in cells)
    assert len(out(capsys, "list", "--limit", "2").splitlines()) == 2
    assert out(capsys, "list", "--fields", "title", "--limit", "1").splitlines() == [
        "title",
        titles(capsys)[0],
    ]
    limited = json.loads(out(capsys, "list", "--json", "--fields", "title,authors", "--limit", "2"))
    assert limited == [{"title": t, "authors": []} for t in titles(capsys)[:2]]


def test_todo_names_by_an_unambiguous_fragment(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("todo", "done", "nsdi") == 0
    assert run("todo", "done", "osdi 25") == 0, "punctuation aside"
    done = {t["name"]: t["done"] for t in json.loads(out(capsys, "todo", "list", "--json"))}
    assert done == {"OSDI'25": True, "OSDI'26": False, "NSDI'25": True}
    capsys.readouterr()
    assert run("todo", "undone", "osdi") == 2
    err = capsys.readouterr().err
    assert err == (
        "paperdesk: error: 'osdi' matches 2 TODO conferences: OSDI'25, OSDI'26; "
        "give more of the name\n"
    )
    assert run("todo", "add", "OSDI") == 0
    assert run("todo", "edit", "osdi", "--note", "the exact name wins") == 0
    notes = {t["name"]: t["note"] for t in json.loads(out(capsys, "todo", "list", "--json"))}
    assert notes["OSDI"] == "the exact name wins"
    assert run("todo", "remove", "NSDI'25") == 0
    assert run("todo", "done", "nsdi") == 1, "a removed conference is not found"
