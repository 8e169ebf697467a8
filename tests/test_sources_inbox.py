"""Several sources, one at a time: list and remove a source, the inbox that keeps what arrived,
and the orphans a list left behind, run as a user runs the commands (in-process ``main``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cli_run import Ran
from paperdesk.catalog.identity import paper_id
from paperdesk.locations import Locations
from paperdesk.state.inbox import is_new, new_papers
from paperdesk.state.store import Store

MAIN = """# main list

## [OSDI 2024](https://www.usenix.org/conference/osdi24)

### LLM Serving
* Alpha Serving: Fast Paths for Large Models
* Beta Caching: Keys and Values Kept Warm

## [SOSP 2024](https://sosp.org)

### Storage
* Gamma Logs: Storage That Remembers
"""

COLLEAGUE = """# a colleague's list

## Quantization
* Delta Quant: Four Bits Are Plenty
* Alpha Serving: Fast Paths for Large Models

## Pruning
* Epsilon Prune: Fewer Weights, Same Answers
"""


def titles(result: Ran) -> list[str]:
    return [record["title"] for record in json.loads(result.stdout)]


@pytest.fixture
def lists(tmp_path: Path) -> tuple[Path, Path]:
    main_list = tmp_path / "main.md"
    main_list.write_text(MAIN, encoding="utf-8")
    colleague = tmp_path / "colleague.md"
    colleague.write_text(COLLEAGUE, encoding="utf-8")
    return main_list, colleague


# -- sources ----------------------------------------------------------------------------------


def test_list_source_shows_one_source_and_list_shows_them_all(
    ok: Callable[..., Ran], cli: Callable[..., Ran], lists: tuple[Path, Path]
) -> None:
    main_list, colleague = lists
    ok("import", str(main_list), "--as", "awesome-papers")
    ok("import", str(colleague), "--as", "colleague")
    alone = titles(ok("list", "--source", "colleague", "--json"))
    assert alone == titles(ok("list", "--catalog", str(colleague), "--json"))
    everything = titles(ok("list", "--json"))
    assert set(alone) < set(everything) and len(everything) == 5  # Alpha is in both
    missing = cli("list", "--source", "nobody")
    assert missing.returncode == 1 and "no source named 'nobody'" in missing.stderr


def test_sources_give_where_each_list_came_from(
    ok: Callable[..., Ran], lists: tuple[Path, Path]
) -> None:
    shipped = json.loads(ok("sources", "--json").stdout)
    assert [(s["name"], s["origin"]) for s in shipped] == [("awesome-papers", None)]
    assert "shipped with paperdesk" in ok("sources").stdout
    _, colleague = lists
    ok("import", str(colleague), "--as", "colleague")
    by_name = {s["name"]: s for s in json.loads(ok("sources", "--json").stdout)}
    assert by_name["colleague"]["origin"] == str(colleague.resolve())
    assert str(colleague.resolve()) in ok("sources").stdout


def test_sources_remove_keeps_state_as_orphans_in_one_line(
    isolated_home: Path, ok: Callable[..., Ran], cli: Callable[..., Ran], lists: tuple[Path, Path]
) -> None:
    main_list, colleague = lists
    ok("import", str(main_list), "--as", "awesome-papers")
    ok("import", str(colleague), "--as", "colleague")
    ok("mark", "Delta Quant", "read")
    ok("note", "Alpha Serving", "--set", "in both lists")
    result = ok("sources", "remove", "colleague")
    assert result.stdout.count("\n") == 1
    assert "removed source colleague (3 papers)" in result.stdout
    assert "1 paper kept as orphans" in result.stdout  # Alpha stays: the main list holds it
    assert not (isolated_home / "sources" / "colleague.json").exists()
    assert "colleague" not in {s["name"] for s in json.loads(ok("sources", "--json").stdout)}
    [orphan] = json.loads(ok("list", "--orphans", "--json").stdout)
    assert (orphan["title"], orphan["status"]) == ("Delta Quant: Four Bits Are Plenty", "read")
    assert json.loads(ok("show", "Alpha Serving", "--json").stdout)["note"] == "in both lists"
    again = cli("sources", "remove", "colleague")
    assert again.returncode == 1 and "no source named 'colleague'" in again.stderr


def test_removing_the_main_list_brings_the_shipped_one_back(
    ok: Callable[..., Ran], cli: Callable[..., Ran], lists: tuple[Path, Path]
) -> None:
    refused = cli("sources", "remove", "awesome-papers")
    assert refused.returncode == 2 and "shipped with paperdesk" in refused.stderr
    main_list, _ = lists
    ok("import", str(main_list), "--as", "awesome-papers")
    result = ok("sources", "remove", "awesome-papers")
    assert "the shipped list is the main list again" in result.stdout
    assert json.loads(ok("sources", "--json").stdout)[0]["papers"] > 3


def test_the_import_summary_counts_venues_and_restores_only_real_state(
    ok: Callable[..., Ran], tmp_path: Path, lists: tuple[Path, Path]
) -> None:
    main_list, colleague = lists
    twice = tmp_path / "twice.md"
    twice.write_text(MAIN + "\n## [OSDI 2024](https://x.org)\n\n* Zeta Again: OSDI Twice\n")
    assert "2 venues" in ok("import", str(twice), "-o", str(tmp_path / "out.json")).stdout
    ok("import", str(main_list), "--as", "awesome-papers")
    ok("mark", "Gamma Logs", "read")
    ok("mark", "Beta Caching", "queued")
    ok("mark", "Beta Caching", "unread")  # a state record that says nothing
    dropped = tmp_path / "dropped.md"
    dropped.write_text(
        MAIN.replace("* Gamma Logs: Storage That Remembers", "* Theta Unrelated: Disks").replace(
            "* Beta Caching: Keys and Values Kept Warm", "* Iota Unrelated: Other Words"
        )
    )
    out = ok("import", str(dropped), "--as", "awesome-papers").stdout
    assert "removed (state kept as orphan): Gamma Logs" in out
    assert "Beta Caching" not in out  # no status, no note: nothing was orphaned
    assert "1 paper became orphans" in out
    back = ok("import", str(main_list), "--as", "awesome-papers").stdout
    assert "back (state restored): Gamma Logs: Storage That Remembers" in back
    assert "back (state restored): Beta" not in back
    # a paper already held by the main list is not "back" when a second list has it too
    assert "state restored" not in ok("import", str(colleague), "--as", "colleague").stdout


# -- the inbox --------------------------------------------------------------------------------


def test_the_inbox_keeps_what_arrived_until_a_mark_or_a_dismissal(
    isolated_home: Path, ok: Callable[..., Ran], tmp_path: Path, lists: tuple[Path, Path]
) -> None:
    main_list, colleague = lists
    ok("import", str(main_list), "--as", "awesome-papers")  # another list than the shipped one
    assert titles(ok("list", "--inbox", "--json")) == []
    grown_main = tmp_path / "grown-main.md"
    grown_main.write_text(MAIN + "* Nu New: Added to the Main List\n")
    ok("import", str(grown_main), "--as", "awesome-papers")  # a new version of it
    first = set(titles(ok("list", "--inbox", "--json")))
    assert first == {"Nu New: Added to the Main List"}
    ok("import", str(colleague), "--as", "colleague")  # a new source: not news
    assert not {"Delta Quant: Four Bits Are Plenty"} & set(titles(ok("list", "--inbox", "--json")))

    grown = tmp_path / "grown.md"
    grown.write_text(COLLEAGUE + "* Kappa New: Arrived Later\n* Lambda New: Arrived Too\n")
    out = ok("import", str(grown), "--as", "colleague").stdout
    assert "2 new papers in the inbox" in out
    grown.write_text(COLLEAGUE + "* Lambda New: Arrived Too\n* Mu New: The Third\n")
    ok("import", str(grown), "--as", "colleague")  # Kappa left the list, Mu arrived
    inbox = set(titles(ok("list", "--inbox", "--json")))
    assert {"Lambda New: Arrived Too", "Mu New: The Third"} <= inbox
    assert "Kappa New: Arrived Later" not in inbox  # no list holds it: nothing to show

    ok("mark", "Lambda New", "unread")  # a mark of any status, even the one it has
    store = Store.open(Locations.resolve(isolated_home).store)
    assert store.dismiss([paper_id("Mu New: The Third")]) == 1
    inbox = set(titles(ok("list", "--inbox", "--json")))
    assert not {"Lambda New: Arrived Too", "Mu New: The Third"} & inbox
    new = new_papers(Locations.resolve(isolated_home).store)
    assert not is_new(paper_id("Mu New: The Third"), new)
    assert is_new(paper_id("Kappa New: Arrived Later"), new)  # back in a list, still new
    text = ok("list", "--inbox").stdout
    assert all(title.split(":")[0] in text for title in inbox)


def test_a_paper_known_from_another_list_is_not_new(
    ok: Callable[..., Ran], tmp_path: Path, lists: tuple[Path, Path]
) -> None:
    main_list, colleague = lists
    ok("import", str(main_list), "--as", "awesome-papers")
    ok("import", str(colleague), "--as", "colleague")
    for title in titles(ok("list", "--inbox", "--json")):
        ok("mark", title, "skipped")
    assert titles(ok("list", "--inbox", "--json")) == []
    grown = tmp_path / "grown.md"
    grown.write_text(MAIN + "\n* Delta Quant: Four Bits Are Plenty\n")
    ok("import", str(grown), "--as", "awesome-papers")
    assert titles(ok("list", "--inbox", "--json")) == []


def test_list_orphans_prints_title_venue_status_and_note(
    ok: Callable[..., Ran], tmp_path: Path, lists: tuple[Path, Path]
) -> None:
    main_list, _ = lists
    ok("import", str(main_list), "--as", "awesome-papers")
    ok("note", "Gamma Logs", "--set", "worth a second look\nsecond line")
    ok("mark", "Gamma Logs", "reading")
    smaller = tmp_path / "smaller.md"
    smaller.write_text(MAIN.replace("* Gamma Logs: Storage That Remembers\n", ""))
    ok("import", str(smaller), "--as", "awesome-papers")
    [orphan] = json.loads(ok("list", "--orphans", "--json").stdout)
    assert orphan == {
        "id": paper_id("Gamma Logs: Storage That Remembers"),
        "title": "Gamma Logs: Storage That Remembers",
        "venue": "SOSP 2024",
        "source": "awesome-papers",
        "status": "reading",
        "note": "worth a second look\nsecond line",
    }
    text = ok("list", "--orphans").stdout
    assert "Gamma Logs" in text and "SOSP 2024" in text and "worth a second look" in text
    assert json.loads(ok("list", "--orphans", "--status", "read", "--json").stdout) == []


def test_another_list_under_an_existing_name_does_not_flood_the_inbox(
    ok: Callable[..., Ran], tmp_path: Path, lists: tuple[Path, Path]
) -> None:
    main_list, _ = lists
    out = ok("import", str(main_list), "--as", "awesome-papers").stdout  # over the shipped 94
    assert "in the inbox" not in out  # it keeps none of them: the user's own list, not news
    grown = tmp_path / "grown.md"
    grown.write_text(MAIN + "* Xi New: One More\n")
    ok("import", str(grown), "--as", "awesome-papers")
    ok("mark", "Alpha Serving", "read")
    ok("mark", "Beta Caching", "queued")
    renamed = tmp_path / "renamed.md"  # edited titles (their state follows) and one more paper
    renamed.write_text(
        MAIN.replace("Fast Paths for Large Models", "Fast Paths for Large Language Models").replace(
            "Keys and Values Kept Warm", "Keys and Values Kept Warmer"
        )
        + "* Pi New: Another\n"
    )  # Xi left: only Gamma is kept as it was, but the edited two are the same papers
    out = ok("import", str(renamed), "--as", "awesome-papers").stdout
    assert out.count("relinked: ") == 2 and "1 new paper in the inbox" in out
    assert set(titles(ok("list", "--inbox", "--json"))) == {"Pi New: Another"}
