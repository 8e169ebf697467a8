"""The read-only CLI as a user runs it: real processes, real files, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

CLI = [sys.executable, "-m", "paperdesk"]


def run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["PAPERDESK_HOME"] = str(home)
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=60)


def list_json(*args: str) -> list[dict]:
    result = run("list", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_fresh_home_lists_the_shipped_catalog() -> None:
    papers = list_json()
    assert len(papers) == len({p["id"] for p in papers}) == 94
    assert {p["status"] for p in papers} == {"unread"}
    assert all(p["note"] is None for p in papers)
    required = {
        "id",
        "title",
        "venue",
        "year",
        "topics",
        "status",
        "note",
        "url",
        "links",
        "tags",
        "keywords",
        "date",
        "arxiv_id",
    }
    assert required <= set(papers[0])


def test_shipped_papers_json_matches_the_seed(seed_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "papers.json"
    result = run("import", str(seed_path), "--as", "awesome-papers", "-o", str(out))
    assert result.returncode == 0, result.stderr
    shipped = json.loads((REPO / "papers.json").read_text(encoding="utf-8"))
    assert json.loads(out.read_text(encoding="utf-8")) == shipped, (
        "papers.json drifted from the seed; regenerate it (README, Development)"
    )


def test_import_with_output_touches_nothing_else(
    seed_path: Path, isolated_home: Path, tmp_path: Path
) -> None:
    result = run("import", str(seed_path), "-o", str(tmp_path / "out.json"))
    assert result.returncode == 0
    assert "94 papers" in result.stdout
    assert list(isolated_home.iterdir()) == []


def test_list_filters() -> None:
    osdi = list_json("--venue", "osdi 2024")
    assert len(osdi) == 10 and {p["venue"] for p in osdi} == {"OSDI 2024"}
    scheduling = list_json("--topic", "ML Scheduling")
    assert any(p["title"].startswith("Fairness in Serving") for p in scheduling)
    assert all("ML Scheduling" in p["topics"] for p in scheduling)
    found = list_json("--search", "kv cache yale")
    assert [p["title"].split(":")[0] for p in found] == ["Prompt Cache"]


def test_show_by_fragment_and_id() -> None:
    result = run("show", "serverlessllm", "--json")
    assert result.returncode == 0, result.stderr
    paper = json.loads(result.stdout)
    assert paper["arxiv_id"] == "2401.14351"
    again = run("show", paper["id"], "--json")
    assert json.loads(again.stdout)["title"] == paper["title"]
    assert "history" in paper


def test_ambiguous_and_unknown_paper() -> None:
    ambiguous = run("show", "large language")
    assert ambiguous.returncode == 2
    assert ambiguous.stderr.count("\n") == 1 and "Traceback" not in ambiguous.stderr
    missing = run("show", "no such paper anywhere")
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1


def test_todo_list_from_the_shipped_list() -> None:
    result = run("todo", "list", "--json")
    todos = {t["name"]: t for t in json.loads(result.stdout)}
    assert len(todos) == 6
    assert todos["SIGCOMM'25"]["date"] == "2025-04-29"
    assert todos["OSDI'25"]["date"] == "2025-03-25"
    assert set(todos["OSDI'25"]) == {"name", "url", "note", "date", "done"}


def test_venues_and_sources_commands() -> None:
    venues = run("venues", "--json")
    names = [v["venue"] for v in json.loads(venues.stdout)]
    assert names.index("EuroSys 2025") < names.index("OSDI 2024")
    sources = json.loads(run("sources", "--json").stdout)
    assert [s["name"] for s in sources] == ["awesome-papers"]


def test_catalog_option_reads_other_lists(upstream_path: Path, daily_path: Path) -> None:
    seed_ids = {p["id"] for p in list_json("--venue", "MLSys 2024")}
    upstream = list_json("--catalog", str(upstream_path))
    assert len(upstream) >= 150
    assert {p["id"] for p in upstream if p["venue"] == "MLSys 2024"} == seed_ids
    daily = list_json("--catalog", str(daily_path))
    dated = [p for p in daily if p["date"] and p["tags"]]
    assert len(dated) >= 700
    assert all(p["arxiv_id"] for p in daily if "arxiv.org/abs" in (p["url"] or ""))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("DIR", "directory"),
        (b"\x00\x01\xff\xfe binary", "binary"),
        (b"caf\xe9 list\n* a paper\n", "not UTF-8"),
        (b"", "empty"),
        (b"# a list\n\nJust prose, no papers at all.\n", "no papers"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, isolated_home: Path, content: bytes | str | None, expected: str
) -> None:
    target = tmp_path / "input.md"
    if content == "DIR":
        target.mkdir()
    elif content is not None:
        target.write_bytes(content)
    for args in (["-o", str(tmp_path / "out.json")], []):
        result = run("import", str(target), *args)
        assert result.returncode == 1
        assert expected in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out.json").exists()
    assert not (isolated_home / "sources").exists()


def test_strict_turns_warnings_into_failure(tmp_path: Path) -> None:
    listing = tmp_path / "list.md"
    listing.write_text(
        "* a bullet before any venue\n## OSDI 2024\n* A Real Paper Title\n", encoding="utf-8"
    )
    lenient = run("import", str(listing), "-o", str(tmp_path / "a.json"))
    assert lenient.returncode == 0
    assert "list.md:1:" in lenient.stderr
    strict = run("import", str(listing), "--strict", "-o", str(tmp_path / "b.json"))
    assert strict.returncode == 1
    assert not (tmp_path / "b.json").exists()


def test_a_command_loads_only_its_own_module() -> None:
    code = (
        "import io, sys, contextlib; from paperdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): code = main(['show', 'cachegen'])\n"
        "print(code, sorted(m for m in sys.modules if m.startswith('paperdesk.cli.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split(" ", 1) == [
        "0",
        "['paperdesk.cli.catalog_cmds', 'paperdesk.cli.common', 'paperdesk.cli.reports']\n",
    ], result.stderr
