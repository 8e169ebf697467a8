"""The catalog cache: the same catalog as reading the sources, and never a stale one.

Real homes in a temp dir, sources written and imported as a user does; every check compares the
cached catalog with one built from the validated sources.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperdesk.catalog.cache import (
    CACHE_FILE,
    SHIPPED_COLUMNS,
    BadCache,
    current_stamps,
    load_sources,
    open_catalog,
    read_cache,
    shipped_catalog,
    write_shipped_columns,
)
from paperdesk.catalog.merged import Catalog
from paperdesk.catalog.sources import load_source_file
from paperdesk.locations import Locations, embedded_catalog
from paperdesk.workspace import Workspace
from tui_catalog import daily_feed, main_list, write_catalog, write_home_sources

REPO = Path(__file__).resolve().parents[1]


def cache_of(home: Path) -> Path:
    return Locations.resolve(home).cache_dir / CACHE_FILE


def from_sources(home: Path) -> Catalog:
    return Catalog.from_files(s.file for s in load_sources(Locations.resolve(home)))


def same(a: Catalog, b: Catalog) -> None:
    """Everything a reader of the catalog can see is equal."""
    assert list(a.papers) == list(b.papers)
    assert a.sources == b.sources
    assert a.source_rows == b.source_rows
    assert a.venues == b.venues
    assert a.websites == b.websites
    assert a.todos == b.todos
    assert a.search_keys == b.search_keys


def test_first_open_writes_the_cache_and_the_next_reads_it(isolated_home: Path) -> None:
    write_home_sources(isolated_home)
    first = open_catalog(Locations.resolve(isolated_home))
    assert cache_of(isolated_home).is_file()
    again = open_catalog(Locations.resolve(isolated_home))
    same(first, from_sources(isolated_home))
    same(again, first)
    assert [s.name for s in again.sources] == ["awesome-papers", "daily"]


def test_the_shipped_list_is_cached_too(isolated_home: Path) -> None:
    catalog = open_catalog(Locations.resolve(isolated_home))
    assert len(catalog) == 94
    same(open_catalog(Locations.resolve(isolated_home)), catalog)


def open_elsewhere(home: Path) -> tuple[int, str, bool]:
    """Open the home's catalog in a new process: papers, the first title, pydantic loaded."""
    code = (
        "import sys; from paperdesk.catalog.cache import open_catalog;"
        "from paperdesk.locations import Locations;"
        f"c = open_catalog(Locations.resolve({str(home)!r}));"
        "print(len(c), 'pydantic' in sys.modules, c.paper(0).title)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, loaded, title = out.stdout.strip().split(" ", 2)
    return int(count), title, loaded == "True"


def test_a_cache_hit_imports_no_pydantic(isolated_home: Path) -> None:
    write_home_sources(isolated_home)
    open_catalog(Locations.resolve(isolated_home))
    catalog = from_sources(isolated_home)
    assert open_elsewhere(isolated_home) == (len(catalog), catalog.paper(0).title, False)


def test_an_edited_source_is_read_again(isolated_home: Path) -> None:
    write_home_sources(isolated_home)
    locations = Locations.resolve(isolated_home)
    open_catalog(locations)
    feed = daily_feed()
    feed.papers.pop()
    path = locations.source_file("daily")
    write_catalog(path, feed)
    os.utime(path, ns=(1, 1))  # even with a faked mtime: size and inode changed
    catalog = open_catalog(locations)
    assert len(catalog.source_rows["daily"]) == len(feed.papers)
    same(catalog, from_sources(isolated_home))


def test_a_source_rewritten_with_the_same_size_and_mtime_is_read_again(
    isolated_home: Path,
) -> None:
    write_home_sources(isolated_home)
    locations = Locations.resolve(isolated_home)
    open_catalog(locations)
    path = locations.source_file("awesome-papers")
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    renamed = text.replace("NSDI Networking paper 1", "NSDI Networking paper 9")
    assert len(renamed) == len(text)
    replacement = path.with_name("new.tmp")
    replacement.write_text(renamed, encoding="utf-8")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    replacement.replace(path)  # a new inode, as every atomic write makes
    titles = {p.title for p in open_catalog(locations).papers}
    assert "NSDI Networking paper 9" in titles and "NSDI Networking paper 1" not in titles


def test_a_new_and_a_removed_source_are_seen(isolated_home: Path) -> None:
    write_home_sources(isolated_home)
    locations = Locations.resolve(isolated_home)
    open_catalog(locations)
    locations.source_file("daily").unlink()
    assert [s.name for s in open_catalog(locations).sources] == ["awesome-papers"]
    more = daily_feed().model_copy(update={"source": "zz-more"})
    write_catalog(locations.source_file("zz-more"), more)
    assert [s.name for s in open_catalog(locations).sources] == ["awesome-papers", "zz-more"]


def _column(data: dict, name: str, values: list) -> dict:
    return {**data, "papers": {**data["papers"], name: values}}


DAMAGES = {
    "not-json": lambda d: "not json",
    "not-an-object": lambda d: [1, 2],
    "other-version": lambda d: {**d, "paperdesk": "0.0.0"},
    "other-schema": lambda d: {**d, "schema_version": 99},
    "short-column": lambda d: _column(d, "title", d["papers"]["title"][1:]),
    "wrong-type": lambda d: _column(d, "title", [7] * len(d["papers"]["id"])),
    "odd-links": lambda d: _column(d, "links", [["x"]] * len(d["papers"]["id"])),
    "bad-date": lambda d: _column(d, "date", ["2026-13-40"] * len(d["papers"]["id"])),
    "row-out-of-range": lambda d: {**d, "source_rows": {"awesome-papers": [10**6]}},
    "venue-fields": lambda d: {**d, "venues": [{"name": "X"}]},
    "todo-type": lambda d: {
        **d,
        "todos": [{"name": 3, "url": None, "note": None, "date": None, "done": False}],
    },
    "missing-part": lambda d: {k: v for k, v in d.items() if k != "websites"},
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_cache_is_ignored_and_rebuilt(isolated_home: Path, damage: str) -> None:
    write_home_sources(isolated_home)
    locations = Locations.resolve(isolated_home)
    open_catalog(locations)
    path = cache_of(isolated_home)
    damaged = DAMAGES[damage](json.loads(path.read_text(encoding="utf-8")))
    path.write_text(damaged if isinstance(damaged, str) else json.dumps(damaged), "utf-8")
    with pytest.raises(BadCache):
        read_cache(path, current_stamps(locations))
    same(open_catalog(locations), from_sources(isolated_home))
    same(read_cache(path, current_stamps(locations)), from_sources(isolated_home))  # rebuilt


def test_a_read_only_home_works_without_a_cache(isolated_home: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only directories")
    write_home_sources(isolated_home)
    cache_dir = Locations.resolve(isolated_home).cache_dir
    cache_dir.mkdir()
    cache_dir.chmod(0o500)
    try:
        same(open_catalog(Locations.resolve(isolated_home)), from_sources(isolated_home))
        assert not cache_of(isolated_home).exists()
    finally:
        cache_dir.chmod(0o700)


def test_import_refreshes_the_cache_so_the_next_open_is_a_hit(
    isolated_home: Path, tmp_path: Path
) -> None:
    write_home_sources(isolated_home)
    ws = Workspace.open(home=isolated_home)
    ws.catalog  # noqa: B018 - cached now
    feed = daily_feed()
    feed = feed.model_copy(update={"source": "daily2"})
    report = ws.install(feed)
    assert report.papers == len(feed.papers)
    locations = Locations.resolve(isolated_home)
    hit = read_cache(cache_of(isolated_home), current_stamps(locations))  # no BadCache
    same(hit, from_sources(isolated_home))
    same(hit, ws.catalog)


def test_the_cli_lists_the_same_papers_from_the_cache(isolated_home: Path) -> None:
    write_home_sources(isolated_home)
    env = {**os.environ, "PAPERDESK_HOME": str(isolated_home)}

    def listing() -> list[dict]:
        out = subprocess.run(
            [sys.executable, "-m", "paperdesk", "list", "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return json.loads(out.stdout)

    cold = listing()
    assert cache_of(isolated_home).is_file()
    assert listing() == cold
    assert [p["id"] for p in cold] == [p.id for p in from_sources(isolated_home).papers]


def test_main_list_fixture_round_trips_through_the_cache(isolated_home: Path) -> None:
    """Every field of every paper of a list with hostile titles, links and dates survives."""
    sources = Locations.resolve(isolated_home).sources_dir
    sources.mkdir(parents=True)
    write_catalog(sources / "awesome-papers.json", main_list())
    write_catalog(sources / "feed.json", daily_feed())
    open_catalog(Locations.resolve(isolated_home))
    cached = open_catalog(Locations.resolve(isolated_home))
    assert list(cached.papers) == [*main_list().papers, *daily_feed().papers]


def test_the_shipped_column_form_is_the_shipped_list(tmp_path: Path) -> None:
    """papers.columns.json is regenerated from papers.json and equal to the committed one, and
    is what the shipped list reads as."""
    out = tmp_path / SHIPPED_COLUMNS
    write_shipped_columns(REPO / "papers.json", out)
    committed = (REPO / SHIPPED_COLUMNS).read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, (
        "papers.columns.json drifted from papers.json; regenerate it (README, Development)"
    )
    shipped = shipped_catalog()
    assert shipped is not None
    same(shipped, Catalog.from_files([load_source_file(embedded_catalog())]))


def test_a_new_homes_first_open_validates_nothing(isolated_home: Path) -> None:
    count, _, loaded = open_elsewhere(isolated_home)
    assert (count, loaded) == (94, False)
    assert cache_of(isolated_home).is_file()  # and the home has its cache for next time
    same(open_catalog(Locations.resolve(isolated_home)), from_sources(isolated_home))
