"""``--query`` on list, mark and export, saved views and the reading queue, from the command
line: the answers are checked against hand-written filters over ``list --json``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import shared_file
from paperdesk.catalog.records import Paper
from paperdesk.cli import main
from paperdesk.errors import NotFoundError, UsageError
from paperdesk.locations import Locations
from paperdesk.state.glance import glance
from paperdesk.state.store import Store

Record = dict[str, Any]
ISSUE_QUERY = 'status:unread year:>=2024 -venue:arxiv (tag:"kv cache" OR topic:serving)'


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run a command in this process (the same code the script runs); its stdout."""
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "paperdesk", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("paperdesk: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def has(values: list[str], text: str) -> bool:
    return any(text in value.casefold() for value in values)


def words_in(paper: Record, *words: str) -> bool:
    text = [paper["title"], paper["venue"] or "", *paper["topics"], *paper["tags"]]
    text += [*paper["keywords"], paper["note"] or ""]
    return all(has(text, word) for word in words)


def code_link(paper: Record) -> bool:
    links = [(link["label"], link["url"]) for link in paper["links"]]
    links += [("", paper["url"])] if paper["url"] else []
    return any(
        label.casefold().strip("[]() ").startswith("code")
        or url.lower().startswith(("https://github.com/", "http://github.com/"))
        or url.lower().startswith(("https://gitlab.com/", "https://www.github.com/"))
        for label, url in links
    )


#: Queries with the filter a user would write by hand over ``list --json``.
HAND_FILTERS: dict[str, Callable[[Record], bool]] = {
    ISSUE_QUERY: lambda p: (
        p["status"] == "unread"
        and (p["year"] or 0) >= 2024
        and "arxiv" not in (p["venue"] or "").casefold()
        and (has(p["tags"], "kv cache") or has(p["topics"], "serving"))
    ),
    "has:note -status:read": lambda p: bool(p["note"]) and p["status"] != "read",
    "venue:osdi OR venue:nsdi year:2024": lambda p: (
        (has([p["venue"] or ""], "osdi") or has([p["venue"] or ""], "nsdi")) and p["year"] == 2024
    ),
    "serving -cache": lambda p: words_in(p, "serving") and not words_in(p, "cache"),
    "year:2023..2024 -(status:queued OR status:skipped)": lambda p: (
        p["year"] is not None
        and 2023 <= p["year"] <= 2024
        and p["status"] not in ("queued", "skipped")
    ),
    "has:code OR has:arxiv": lambda p: code_link(p) or p["arxiv_id"] is not None,
    "topic:llm tag:inference": lambda p: has(p["topics"], "llm") and has(p["tags"], "inference"),
    "llm memory": lambda p: words_in(p, "llm", "memory"),
}


def give_state(capsys: pytest.CaptureFixture[str], catalog: Path, papers: list[Record]) -> None:
    """Statuses and notes on a spread of papers, so status: and has:note have work to do."""
    for status, step in (("read", 3), ("queued", 5), ("skipped", 7), ("reading", 11)):
        ids = [p["id"] for p in papers[step - 1 :: step]]
        if ids:
            cli(capsys, "mark", "--catalog", str(catalog), *ids, status, "--yes")
    for paper in papers[::4][:30]:
        text = "memory serving idea" if len(paper["title"]) % 2 else "cache notes"
        cli(capsys, "note", "--catalog", str(catalog), paper["id"], "--set", text)


@pytest.mark.parametrize(
    "relative",
    ["seed/awesome-papers.md", "data/upstream-README.md", "data/daily-arxiv-llm.md"],
)
def test_list_query_gives_what_a_hand_filter_over_list_json_gives(
    relative: str, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = shared_file(relative)
    everything = json.loads(cli(capsys, "list", "--catalog", str(catalog), "--json"))
    give_state(capsys, catalog, everything)
    everything = json.loads(cli(capsys, "list", "--catalog", str(catalog), "--json"))
    nonempty = 0
    for query, wanted in HAND_FILTERS.items():
        got = json.loads(cli(capsys, "list", "--catalog", str(catalog), "--query", query, "--json"))
        expected = [p for p in everything if wanted(p)]
        assert [p["id"] for p in got] == [p["id"] for p in expected], query
        assert got == expected  # the same records, in the same (list) order
        nonempty += bool(expected)
    assert nonempty >= 4  # the filters have something to find in every list


def test_the_issue_s_query_finds_papers_on_the_upstream_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    upstream = shared_file("data/upstream-README.md")
    got = json.loads(
        cli(capsys, "list", "--catalog", str(upstream), "--query", ISSUE_QUERY, "--json")
    )
    assert got and all(p["year"] >= 2024 and p["venue"] != "arXiv" for p in got)


@pytest.mark.parametrize(
    ("query", "column"), [("year:>>2", 6), ("(tag:x", 1), ("venue:osdi stauts:read", 12)]
)
def test_a_malformed_query_is_one_line_with_its_column_and_exit_2(
    query: str, column: int, tmp_path: Path, isolated_home: Path
) -> None:
    one_line_error(run("list", "--query", query), 2, f"bad query at column {column}:")
    out = tmp_path / "out.md"
    one_line_error(run("export", "--query", query, "-o", str(out)), 2, f"column {column}")
    one_line_error(run("mark", "--query", query, "read"), 2, f"column {column}")
    one_line_error(run("view", "save", "broken", query), 2, f"column {column}")
    assert not out.exists()
    assert not Locations.resolve(isolated_home).store.exists()  # nothing was written


def test_mark_and_export_take_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    assert "queued: 3 papers" in cli(
        capsys, "mark", "--query", 'tag:"kv cache" year:2024', "queued", "--yes"
    )
    queued = json.loads(cli(capsys, "list", "--status", "queued", "--json"))
    assert len(queued) == 3 and all(has(p["tags"], "kv cache") for p in queued)
    text = cli(capsys, "export", "--format", "json", "--query", "status:queued")
    exported = json.loads(text)
    assert [p["id"] for p in exported["papers"]] == [p["id"] for p in queued]
    assert exported["filters"] == {"query": "status:queued"}
    result = run("mark", "--query", "status:queued", "--venue", "OSDI 2024", "--all", "read")
    one_line_error(result, 2, "--all takes no")
    one_line_error(run("mark", "--query", "venue:nowhere", "read"), 1, "no papers")
    one_line_error(run("list", "--query", "x", "--view", "y"), 2, "not both")


def test_new_means_the_papers_in_the_inbox(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    from paperdesk.state.store import Store

    papers = json.loads(cli(capsys, "list", "--json"))
    fresh = {papers[3]["id"], papers[10]["id"]}
    Store.open(Locations.resolve(isolated_home).store).add_to_inbox(fresh, "awesome-papers")
    got = json.loads(cli(capsys, "list", "--query", "new:", "--json"))
    assert {p["id"] for p in got} == fresh
    assert len(json.loads(cli(capsys, "list", "--query=-new:", "--json"))) == len(papers) - 2


# -- saved views ------------------------------------------------------------------------------


def test_views_are_saved_listed_used_and_removed(capsys: pytest.CaptureFixture[str]) -> None:
    said = cli(capsys, "view", "save", "KV", 'tag:"kv cache"')
    assert said.startswith("saved view KV, key 1 in the desk:")
    cli(capsys, "view", "save", "osdi serving", "venue:osdi topic:serving")
    assert cli(capsys, "view", "save", "kv", 'tag:"kv cache" year:2024').startswith(
        "replaced view kv, key 1"
    )  # the same name ignoring case: replaced, and it keeps its key
    views = json.loads(cli(capsys, "view", "list", "--json"))
    kv = json.loads(cli(capsys, "list", "--query", 'tag:"kv cache" year:2024', "--json"))
    osdi = json.loads(cli(capsys, "list", "--view", "OSDI SERVING", "--json"))
    assert views == [
        {"key": 1, "name": "kv", "query": 'tag:"kv cache" year:2024', "papers": len(kv)},
        {
            "key": 2,
            "name": "osdi serving",
            "query": "venue:osdi topic:serving",
            "papers": len(osdi),
        },
    ]
    assert osdi and all(p["venue"] == "OSDI 2024" for p in osdi)
    assert all(has(p["topics"], "serving") for p in osdi)
    assert "removed view kv" in cli(capsys, "view", "remove", "KV")
    assert [v["name"] for v in json.loads(cli(capsys, "view", "list", "--json"))] == [
        "osdi serving"
    ]
    one_line_error(run("view", "remove", "kv"), 1, "no saved view named 'kv'")
    one_line_error(run("list", "--view", "nope"), 1, "view list")
    one_line_error(run("view", "save", "  ", "x"), 2, "needs a name")
    one_line_error(run("view", "save", "x" * 41, "x"), 2, "longer than 40")


def test_the_first_look_at_the_store_sees_the_views(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    cli(capsys, "view", "save", "b", "status:read")
    cli(capsys, "view", "save", "a", "has:note")
    assert glance(Locations.resolve(isolated_home).store).views == [
        ("b", "status:read"),
        ("a", "has:note"),
    ]


# -- the reading queue --------------------------------------------------------------------------


def queue_ids(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [p["id"] for p in json.loads(cli(capsys, "queue", "--json"))]


def test_the_queue_keeps_the_order_the_user_gives(capsys: pytest.CaptureFixture[str]) -> None:
    for ref in ("cachegen", "llumnix", "serverlessllm", "distserve"):
        cli(capsys, "mark", ref, "queued")  # one by one: queued later, later in the queue
    first = queue_ids(capsys)
    assert [pid.split("-")[0] for pid in first] == [
        "cachegen",
        "llumnix",
        "serverlessllm",
        "distserve",
    ]
    cli(capsys, "queue", "move", "distserve", "top")
    cli(capsys, "queue", "move", "cachegen", "down")
    assert "is now 4 of 4" in cli(capsys, "queue", "move", "llumnix", "9")
    order = [pid.split("-")[0] for pid in queue_ids(capsys)]
    assert order == ["distserve", "cachegen", "serverlessllm", "llumnix"]
    cli(capsys, "queue", "move", "llumnix", "2")
    cli(capsys, "queue", "move", "distserve", "bottom")
    cli(capsys, "queue", "move", "cachegen", "up")
    order = [pid.split("-")[0] for pid in queue_ids(capsys)]
    assert order == ["cachegen", "llumnix", "serverlessllm", "distserve"]
    records = json.loads(cli(capsys, "queue", "--json"))
    assert [r["position"] for r in records] == [1, 2, 3, 4]
    assert all(r["status"] == "queued" for r in records)
    cli(capsys, "mark", "llumnix", "read")  # leaves the queue...
    cli(capsys, "mark", "llumnix", "queued")  # ...and comes back last
    order = [pid.split("-")[0] for pid in queue_ids(capsys)]
    assert order == ["cachegen", "serverlessllm", "distserve", "llumnix"]
    text = cli(capsys, "queue")
    assert text.splitlines()[0].split()[:2] == ["1", queue_ids(capsys)[0]]
    one_line_error(run("queue", "move", "netllm", "1"), 1, "is not queued")
    one_line_error(run("queue", "move", "llumnix", "sideways"), 2, "neither a number")
    one_line_error(run("queue", "move", "llumnix", "0"), 2, "1 is the first")


def paper(title: str) -> Paper:
    return Paper(id=title.casefold().replace(" ", "-"), title=title, source="s")


def test_the_store_s_queue_rule(isolated_home: Path) -> None:
    store = Store.open(Locations.resolve(isolated_home).store)
    a, b, c = paper("A"), paper("B"), paper("C")
    store.set_status([a], "queued")
    store.set_status([b], "queued")
    store.set_status([c], "queued")
    assert store.queue() == ["a", "b", "c"]
    assert store.place_in_queue("c", before="a") == ["c", "a", "b"]
    assert store.place_in_queue("c", before=None) == ["a", "b", "c"]
    with pytest.raises(NotFoundError, match="not queued"):
        store.place_in_queue("zzz", before=None)
    store.place_in_queue("b", before="a")
    renamed = paper("A renamed")
    store.relink({"a": renamed})  # an edited title keeps the paper's place in the queue
    assert store.queue() == ["b", "a-renamed", "c"]
    store.set_status([b], "read")
    assert store.queue() == ["a-renamed", "c"]
    store.set_status([b], "queued")
    assert Store.open(store.path).queue() == ["a-renamed", "c", "b"]  # on disk, another process
    doctor = store.doctor({"b", "c", "a-renamed"})
    assert not doctor.problems


def test_view_names_are_checked_by_the_store(isolated_home: Path) -> None:
    store = Store.open(Locations.resolve(isolated_home).store)
    for name in ("", "  ", "a\nb", "x" * 41):
        with pytest.raises(UsageError):
            store.save_view(name, "x")
    view, replaced = store.save_view("  Mine  ", " has:note ")
    assert (view.name, view.query, replaced) == ("Mine", "has:note", False)
    assert store.save_view("MINE", "x")[1] is True
    assert [v.name for v in Store.open(store.path).views()] == ["MINE"]
