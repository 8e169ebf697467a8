"""venue publish: the picks go into the user's list and nothing else changes; the list
re-imports to the same ids, with every note."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from dblp_fixtures import SESSIONS, toc_xml
from paperdesk.catalog.identity import paper_id
from paperdesk.cli import main
from paperdesk.errors import OutputError
from paperdesk.export.publish import Pick, apply_plan, plan_publish

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


def test_publish_into_the_seed_only_adds_the_picks(
    venue: Path, seed_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mylist = tmp_path / "mylist.md"
    mylist.write_bytes(seed_path.read_bytes())
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
    venue: Path, seed_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mylist = tmp_path / "mylist.md"
    mylist.write_bytes(seed_path.read_bytes())
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
    plan = plan_publish(path, original, "NSDI 2025", [Pick("New paper", "https://n")])
    apply_plan(plan)
    written = path.read_bytes()
    assert written == original + b"\r\n* New paper [link](https://n)"
    fresh = tmp_path / "fresh.md"
    fresh.write_bytes(b"# list\r\n\r\n## [OSDI 2024](u)\r\n* A [link](https://a)\r\n")
    plan = plan_publish(fresh, fresh.read_bytes(), "NSDI 2025", [Pick("B", "https://b")])
    apply_plan(plan)
    assert fresh.read_bytes().endswith(b"\r\n\r\n## NSDI 2025\r\n* B [link](https://b)\r\n")
    assert b"\n" not in fresh.read_bytes().replace(b"\r\n", b"")


def test_a_list_changed_since_it_was_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text("## [NSDI 2025](u)\n* Old [link](https://o)\n", encoding="utf-8")
    plan = plan_publish(path, path.read_bytes(), "NSDI 2025", [Pick("New", "https://n")])
    path.write_text("## [NSDI 2025](u)\n* Old [link](https://o)\n* Edited meanwhile\n", "utf-8")
    with pytest.raises(OutputError, match="changed since it was read"):
        apply_plan(plan)
    assert path.read_text("utf-8").endswith("* Edited meanwhile\n")


def test_round_trip_keeps_ids_and_notes(
    venue: Path, seed_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["note", paper_id(TIERED), "--set", "read the eval first"]) == 0
    assert main(["note", "serverlessllm", "--set", "kept through publish"]) == 0
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    before = {p["id"]: p for p in json.loads(capsys.readouterr().out)}
    mylist = tmp_path / "mylist.md"
    mylist.write_bytes(seed_path.read_bytes())
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
    venue: Path, seed_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(seed_path), "--as", "awesome-papers"]) == 0
    rest = [paper_id(RAGCACHE), paper_id(ERASURE)]
    assert main(["mark", *rest, "skipped"]) == 0
    mylist = tmp_path / "mylist.md"
    mylist.write_bytes(seed_path.read_bytes())
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
