"""venue publish: the picks go into the user's list and nothing else changes; the list
re-imports to the same ids, with every note."""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dblp_fixtures import SESSIONS, toc_xml
from paperdesk import atomic
from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.importers import parse_text
from paperdesk.cli import main
from paperdesk.errors import OutputError
from paperdesk.export.publish import Pick, apply_plan, plan_publish, read_list

TIERED, RAGCACHE = SESSIONS["LLM Serving"]
PROGRAMMABLE, TRAFFIC = SESSIONS["Networking"]
ERASURE = SESSIONS["Storage"][0]


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed, added) lines of a diff of two texts."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


@pytest.fixture
def venue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """NSDI 2025 fetched from a local DBLP table of contents, with two picks and a skip."""
    toc = tmp_path / "nsdi2025.xml"
    toc.write_text(toc_xml(), encoding="utf-8")
    assert main(["venue", "fetch", "NSDI 2025", "--file", str(toc)]) == 0
    assert main(["mark", paper_id(TIERED), paper_id(TRAFFIC), "queued"]) == 0
    assert main(["mark", paper_id(PROGRAMMABLE), "skipped"]) == 0
    capsys.readouterr()
    return toc


@pytest.fixture
def mylist(seed_path: Path, tmp_path: Path) -> Path:
    """The user's list: a copy of the seed."""
    path = tmp_path / "mylist.md"
    path.write_bytes(seed_path.read_bytes())
    return path


def test_publish_into_the_seed_only_adds_the_picks(
    venue: Path, mylist: Path, seed_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["venue", "publish", "NSDI'25", "--into", str(mylist), "--topics"]) == 0
    printed = capsys.readouterr().out
    removed, added = changed_lines(seed_path.read_text("utf-8"), mylist.read_text("utf-8"))
    assert removed == []
    assert "## [NSDI 2025](https://www.usenix.org/conference/nsdi25/technical-sessions)\n" in added
    assert "### LLM Serving\n" in added and "### Networking\n" in added
    assert f"* {TIERED} [link](https://doi.org/10.5555/nsdi25.0)\n" in added
    assert not any(PROGRAMMABLE in line or ERASURE in line for line in added)
    assert f"+* {TRAFFIC}" in printed  # the diff is printed
    text = mylist.read_text("utf-8")
    # after the last venue section (MLSys 2024), before the topic section that follows it
    assert text.index("## [MLSys 2024]") < text.index("NSDI 2025") < text.index("## Retrieval")


def test_dry_run_prints_the_diff_and_writes_nothing(
    venue: Path, mylist: Path, seed_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["venue", "publish", "NSDI 2025", "--into", str(mylist), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---") and f"+* {TIERED}" in out and "added" not in out
    assert mylist.read_bytes() == seed_path.read_bytes()


def test_an_existing_heading_gets_only_the_missing_picks(
    venue: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mylist = tmp_path / "mylist.md"
    original = (
        "# list\n\n---\n## [NSDI 2025](https://x)\n### LLM Serving\n"
        f"* {TIERED} [paper](https://arxiv.org/abs/2501.00001)\n\n"
        "---\n## [OSDI 2024](https://y)\n* Other [link](https://arxiv.org/abs/2401.00002)\n"
    )
    mylist.write_text(original, encoding="utf-8")
    assert main(["mark", paper_id(ERASURE), "queued"]) == 0
    assert main(["venue", "publish", "NSDI 2025", "--into", str(mylist), "--topics"]) == 0
    text = mylist.read_text("utf-8")
    removed, added = changed_lines(original, text)
    assert removed == [] and text.count(TIERED) == 1
    assert added == [
        "### Networking\n",
        f"* {TRAFFIC} [link](https://doi.org/10.5555/nsdi25.3)\n",
        "### Storage\n",
        f"* {ERASURE} [link](https://doi.org/10.5555/nsdi25.4)\n",
    ]
    assert text.index(ERASURE) < text.index("## [OSDI 2024]")
    capsys.readouterr()
    assert main(["venue", "publish", "NSDI 2025", "--into", str(mylist)]) == 0
    assert "nothing to add" in capsys.readouterr().out
    assert mylist.read_text("utf-8") == text


def test_crlf_and_a_missing_final_newline_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "crlf.md"
    original = (
        b"# list\r\n\r\n## [NSDI 2025](u)\r\n* Old paper [link](https://arxiv.org/abs/2501.1)"
    )
    path.write_bytes(original)
    plan = plan_publish(read_list(path), "NSDI 2025", [Pick("New paper", "https://n")])
    apply_plan(plan)
    written = path.read_bytes()
    assert written == original + b"\r\n* New paper [link](https://n)"
    fresh = tmp_path / "fresh.md"
    fresh.write_bytes(b"# list\r\n\r\n## [OSDI 2024](u)\r\n* A [link](https://a)\r\n")
    plan = plan_publish(read_list(fresh), "NSDI 2025", [Pick("B", "https://b")])
    apply_plan(plan)
    assert fresh.read_bytes().endswith(b"\r\n\r\n## NSDI 2025\r\n* B [link](https://b)\r\n")
    assert b"\n" not in fresh.read_bytes().replace(b"\r\n", b"")


def test_a_list_changed_since_it_was_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text("## [NSDI 2025](u)\n* Old [link](https://o)\n", encoding="utf-8")
    plan = plan_publish(read_list(path), "NSDI 2025", [Pick("New", "https://n")])
    path.write_text("## [NSDI 2025](u)\n* Old [link](https://o)\n* Edited meanwhile\n", "utf-8")
    with pytest.raises(OutputError, match="changed since it was read"):
        apply_plan(plan)
    assert path.read_text("utf-8").endswith("* Edited meanwhile\n")


def test_round_trip_keeps_ids_and_notes(
    venue: Path, mylist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["note", paper_id(TIERED), "--set", "read the eval first"]) == 0
    assert main(["note", "serverlessllm", "--set", "kept through publish"]) == 0
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    before = {p["id"]: p for p in json.loads(capsys.readouterr().out)}
    assert main(["venue", "publish", "NSDI 2025", "--into", str(mylist), "--topics"]) == 0
    assert main(["import", str(mylist), "--as", "awesome-papers"]) == 0
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    after = {p["id"]: p for p in json.loads(capsys.readouterr().out)}
    picks = {paper_id(TIERED), paper_id(TRAFFIC)}
    assert picks <= set(after)
    for pid in picks:
        assert after[pid]["status"] == "queued" and after[pid]["source"] == "awesome-papers"
        assert after[pid]["venue"] == "NSDI 2025"
    notes = {pid: p["note"] for pid, p in before.items() if p["note"]}
    assert len(notes) == 2 and all(after[pid]["note"] == note for pid, note in notes.items())


def test_the_todo_is_marked_done_only_when_asked(
    venue: Path, mylist: Path, seed_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(seed_path), "--as", "awesome-papers"]) == 0
    rest = [paper_id(RAGCACHE), paper_id(ERASURE)]
    assert main(["mark", *rest, "skipped"]) == 0
    capsys.readouterr()
    assert main(["venue", "publish", "NSDI 2025", "--into", str(mylist)]) == 0
    out = capsys.readouterr().out
    assert 'paperdesk todo done "NSDI\'25"' in out  # not a terminal: told how, not done
    assert main(["todo", "list", "--json"]) == 0
    todos = {t["name"]: t["done"] for t in json.loads(capsys.readouterr().out)}
    assert todos["NSDI'25"] is False
    assert main(["venue", "publish", "NSDI 2025", "--into", str(mylist), "--yes"]) == 0
    assert "todo done: NSDI'25" in capsys.readouterr().out
    assert main(["todo", "list", "--json"]) == 0
    todos = {t["name"]: t["done"] for t in json.loads(capsys.readouterr().out)}
    assert todos["NSDI'25"] is True


# Titles that mean something to markdown: each must come back from the importer as written.
MARKDOWN_TITLES = [
    "Foo [bar](baz): A Link Inside a Title",
    "<!-- x: A Comment Opener",
    "Literal *emph* and _x_ Markers",
    r"Back\slash \* and \[ Escapes",
    "# Leading Hash Is Not a Heading",
    "Pipes | Inside | a Title",
    "+ Leading Plus Is Not a Nested List",
    "1. Leading Number Is Not an Ordered List",
    "> Leading Angle Is Not a Quote",
    "AT&amp;T and <sub>Subscripts</sub>",
    "(NSDI'24) A Title That Starts Like a Prefix",
    "Ends in [Brackets]",
]


@pytest.mark.parametrize("url", ["https://example.org/p", None], ids=["link", "bare"])
@pytest.mark.parametrize("title", MARKDOWN_TITLES)
def test_a_markdown_title_reads_back_as_written_and_is_added_once(
    tmp_path: Path, title: str, url: str | None
) -> None:
    path = tmp_path / "list.md"
    path.write_text("# list\n\n## [OSDI 2024](u)\n* Old [link](https://o)\n", encoding="utf-8")
    apply_plan(plan_publish(read_list(path), "NSDI 2025", [Pick(title, url, "C#")], topics=True))
    papers = [p for p in parse_text(path.read_text("utf-8"), "s").papers if p.venue == "NSDI 2025"]
    assert [(p.title, p.id, p.topics) for p in papers] == [(title, paper_id(title), ["C#"])]
    written = path.read_bytes()
    again = plan_publish(read_list(path), "NSDI 2025", [Pick(title, url, "C#")], topics=True)
    assert again.added == [] and again.text.encode("utf-8") == written


def test_publishing_markdown_titles_twice_adds_nothing_the_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    titles = tmp_path / "nsdi25.txt"
    lines = ["# C#", *MARKDOWN_TITLES[:4], MARKDOWN_TITLES[5], "# Systems", "Plain Systems Paper"]
    titles.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["venue", "fetch", "NSDI 2025", "--file", str(titles)]) == 0
    ids = [paper_id(title) for title in [*MARKDOWN_TITLES[:4], MARKDOWN_TITLES[5]]]
    assert main(["mark", *ids, paper_id("Plain Systems Paper"), "queued"]) == 0
    mylist = tmp_path / "mylist.md"
    mylist.write_text("# list\n\n## [OSDI 2024](u)\n* Old [link](https://o)\n", "utf-8")
    command = ["venue", "publish", "NSDI 2025", "--into", str(mylist), "--topics"]
    assert main(command) == 0
    capsys.readouterr()
    first = mylist.read_bytes()
    assert "### C\\#\n" in first.decode("utf-8")
    assert main(command) == 0
    said = capsys.readouterr().out.splitlines()[0]
    assert said == f"nothing to add: all 6 picks of NSDI 2025 are already in {mylist}"
    assert mylist.read_bytes() == first
    read_back = {p.id: p.title for p in parse_text(first.decode("utf-8"), "mylist").papers}
    assert {read_back[pid] for pid in ids} == {*MARKDOWN_TITLES[:4], MARKDOWN_TITLES[5]}
    assert main(["import", str(mylist), "--as", "mylist"]) == 0
    capsys.readouterr()
    assert main(["list", "--json", "--status", "queued"]) == 0
    assert set(ids) <= {p["id"] for p in json.loads(capsys.readouterr().out)}


def test_dry_run_with_nothing_to_add_says_so(
    venue: Path, mylist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["venue", "publish", "NSDI 2025", "--into", str(mylist)]) == 0
    capsys.readouterr()
    published = mylist.read_bytes()
    for extra in (["--dry-run"], []):
        assert main(["venue", "publish", "NSDI 2025", "--into", str(mylist), *extra]) == 0
        out = capsys.readouterr().out
        assert out == f"nothing to add: all 2 picks of NSDI 2025 are already in {mylist}\n"
    assert mylist.read_bytes() == published


@pytest.mark.parametrize("heading", ["### C#", "### C# ##", "  ### **C#**"])
def test_a_topic_heading_keeps_its_hash(tmp_path: Path, heading: str) -> None:
    path = tmp_path / "list.md"
    original = f"## [NSDI 2025](u)\n{heading}\n* Old [link](https://o)\n## [OSDI 2024](v)\n"
    path.write_text(original, encoding="utf-8")
    plan = plan_publish(read_list(path), "NSDI 2025", [Pick("New", "https://n", "C#")], topics=True)
    removed, added = changed_lines(original, plan.text)
    assert removed == [] and added == ["* New [link](https://n)\n"]
    assert plan.text.index("* New") < plan.text.index("## [OSDI 2024]")


def edit_appending(path: Path) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("* Saved by an editor meanwhile\n")


def edit_in_place(path: Path) -> None:
    """Same size and mtime: only the bytes tell."""
    info = path.stat()
    path.write_bytes(path.read_bytes().replace(b"Old", b"Odd"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


@pytest.mark.parametrize("edit", [edit_appending, edit_in_place])
def test_an_edit_while_the_new_text_is_written_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[Path], None]
) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    path = folder / "list.md"
    path.write_text("## [NSDI 2025](u)\n* Old [link](https://o)\n", encoding="utf-8")
    plan = plan_publish(read_list(path), "NSDI 2025", [Pick("New", "https://n")])
    real_mkstemp = tempfile.mkstemp

    def editor_saves_meanwhile(*args: Any, **kwargs: Any) -> tuple[int, str]:
        edit(path)  # after the first check, before the rename
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(atomic.tempfile, "mkstemp", editor_saves_meanwhile)
    with pytest.raises(OutputError, match="changed since it was read; nothing was written"):
        apply_plan(plan)
    edited = path.read_text("utf-8")
    assert "New" not in edited and ("meanwhile" in edited or "Odd" in edited)
    assert [p.name for p in folder.iterdir()] == ["list.md"]  # no temporary file left


TIGHT = """\
# list
---
## [OSDI 2024](https://o)
### Serving
* A [link](https://arxiv.org/abs/1)

---
## Other
"""
TIGHT_ADDED = """\
# list
---
## [OSDI 2024](https://o)
### Serving
* A [link](https://arxiv.org/abs/1)
---
## NSDI 2025
* Untopical [link](https://u)
### X
* Ex [link](https://x)
### Y
* Why [link](https://y)

---
## Other
"""
SPACED = """\
# list

## [OSDI 2024](https://o)

### Serving

* A [link](https://arxiv.org/abs/1)

### Training

* B [link](https://arxiv.org/abs/2)

## Other
"""
SPACED_ADDED = """\
# list

## [OSDI 2024](https://o)

### Serving

* A [link](https://arxiv.org/abs/1)

### Training

* B [link](https://arxiv.org/abs/2)

## NSDI 2025

* Untopical [link](https://u)

### X

* Ex [link](https://x)

### Y

* Why [link](https://y)

## Other
"""
PICKS = [
    Pick("Untopical", "https://u"),
    Pick("Ex", "https://x", "X"),
    Pick("Why", "https://y", "Y"),
]


@pytest.mark.parametrize(
    ("original", "expected"),
    [(TIGHT, TIGHT_ADDED), (SPACED, SPACED_ADDED)],
    ids=["tight", "spaced"],
)
def test_new_headings_follow_the_lists_blank_lines(
    tmp_path: Path, original: str, expected: str
) -> None:
    path = tmp_path / "list.md"
    path.write_text(original, encoding="utf-8")
    assert plan_publish(read_list(path), "NSDI 2025", PICKS, topics=True).text == expected


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("## [NSDI 2025](u)\n### X\n* Old [link](https://o)\n", "* Ex [link](https://x)\n"
         "### Y\n* Why [link](https://y)\n"),
        ("## [NSDI 2025](u)\n\n### X\n\n* Old [link](https://o)\n\n## Other\n",
         "* Ex [link](https://x)\n\n### Y\n\n* Why [link](https://y)\n"),
        ("## [NSDI 2025](u)\n\n---\n## Other\n\n* Seen\n", "\n* Ex [link](https://x)\n"),
    ],
    ids=["tight", "spaced", "empty-section"],
)  # fmt: skip
def test_an_existing_heading_gets_topics_in_the_lists_blank_lines(
    tmp_path: Path, original: str, expected: str
) -> None:
    path = tmp_path / "list.md"
    path.write_text(original, encoding="utf-8")
    topics = "### X" in original
    plan = plan_publish(read_list(path), "NSDI 2025", PICKS[1:] if topics else PICKS[1:2],
                        topics=topics)  # fmt: skip
    removed, added = changed_lines(original, plan.text)
    assert removed == [] and "".join(added) == expected


def test_a_title_the_importer_reads_otherwise_is_still_added_once(tmp_path: Path) -> None:
    """``[x] …`` reads back as a task box and the rest: found again by its line."""
    path = tmp_path / "list.md"
    path.write_text("## [NSDI 2025](u)\n* Old [link](https://o)\n", encoding="utf-8")
    picks = [Pick("[x] Marks a Task", "https://t")]
    apply_plan(plan_publish(read_list(path), "NSDI 2025", picks))
    written = path.read_bytes()
    assert written.endswith(b"\n* \\[x\\] Marks a Task [link](https://t)\n")
    assert plan_publish(read_list(path), "NSDI 2025", picks).added == []
