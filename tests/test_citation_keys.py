"""Citation keys given once and stored: the same key whatever is exported, whatever else is
imported, after enrichment and after an import that edits the paper's title. Real homes, the
real CLI in-process, bibtexparser to read what was written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import bibtexparser
import pytest

from paperdesk.catalog.metadata import MetadataCache
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.cli import main
from paperdesk.locations import Locations
from paperdesk.state.store import Store

LIST = """# Mine

## MLSys 2024

* [ ] Zorblax: Low-bit Quantization for Efficient and Accurate LLM Serving [paper](https://x.org/a)
* [ ] Zorblax Smasher: Another Paper With The Same First Word [paper](https://x.org/b)
* [ ] Quuxly: Multi-Tenant LoRA Serving Of Many Adapters [paper](https://x.org/c)
"""
QUUXLY = "Quuxly: Multi-Tenant {LoRA} Serving Of Many Adapters"


def keys_of(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str]:
    """Title -> key of a BibTeX export to standard output."""
    capsys.readouterr()
    assert main(["export", "-f", "bibtex", *args]) == 0
    library = bibtexparser.parse_string(capsys.readouterr().out)
    assert not library.failed_blocks
    return {entry["title"]: entry.key for entry in library.entries}


def store(home: Path) -> Store:
    return Store.open(Locations(home).store)


def test_the_same_paper_has_the_same_key_whatever_is_exported_and_imported(
    isolated_home: Path, upstream_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for ref in ("serverlessllm", "prompt cache", "netllm", "activation rematerialization"):
        assert main(["mark", ref, "queued"]) == 0
    queued = keys_of(capsys, "--status", "queued")  # the narrow export first
    assert len(queued) == 4
    full = keys_of(capsys)
    assert {title: full[title] for title in queued} == queued
    assert len(set(full.values())) == len(full)
    before = (isolated_home / "store.json").read_bytes()
    assert keys_of(capsys) == full
    assert (isolated_home / "store.json").read_bytes() == before, "known keys write nothing"
    assert main(["import", str(upstream_path), "--as", "colleague"]) == 0
    again = keys_of(capsys)
    assert {title: again[title] for title in full} == full
    assert keys_of(capsys, "--venue", "OSDI 2024").items() <= full.items()


def test_enrichment_names_new_keys_but_never_renames_given_ones(
    isolated_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "mine.md"
    listing.write_text(LIST)
    assert main(["import", str(listing), "--as", "mine"]) == 0
    given = keys_of(capsys, "--venue", "MLSys 2024")
    assert given[QUUXLY] == "quuxly2024"
    zorblax = sorted(key for title, key in given.items() if title.startswith("Zorblax"))
    assert zorblax[0] == "zorblax2024" and zorblax[1].startswith("zorblax2024")
    ids = {record.title: pid for pid, record in store(isolated_home).citation_key_records().items()}
    authors = {ids[QUUXLY.replace("{LoRA}", "LoRA")]: ["Lequn Chen"]}
    listing.write_text(LIST + "* [ ] Blorptastic Serving of Adapters [paper](https://x.org/d)\n")
    assert main(["import", str(listing), "--as", "mine"]) == 0
    capsys.readouterr()
    assert main(["list", "--search", "blorptastic", "--fields", "id"]) == 0
    authors[capsys.readouterr().out.split()[-1]] = ["Ying Sheng", "Lequn Chen"]
    MetadataCache(Locations(isolated_home)).update(
        {
            pid: ArxivMetadata(
                arxiv_id="2310.18547",
                title="t",
                abstract="",
                authors=names,
                fetched_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            )
            for pid, names in authors.items()
        }
    )
    newer = keys_of(capsys, "--venue", "MLSys 2024")
    assert {title: newer[title] for title in given} == given, "enrichment renames nothing"
    assert newer["Blorptastic Serving of Adapters"] == "sheng2024", "new after enrich: its author"


def test_a_key_follows_its_paper_through_an_edited_title_and_is_never_reused(
    isolated_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "mine.md"
    listing.write_text(LIST)
    assert main(["import", str(listing), "--as", "mine"]) == 0
    quuxly = keys_of(capsys, "--venue", "MLSys 2024")[QUUXLY]
    listing.write_text(LIST.replace("Many Adapters", "Many Adapter"))
    assert main(["import", str(listing), "--as", "mine"]) == 0
    after = keys_of(capsys, "--venue", "MLSys 2024")
    assert after[QUUXLY.replace("Many Adapters", "Many Adapter")] == quuxly, "it moved"
    assert QUUXLY not in after
    listing.write_text(
        LIST.replace("Quuxly: Multi-Tenant LoRA Serving Of Many Adapters", "Quuxly Two: Other")
    )
    assert main(["import", str(listing), "--as", "mine"]) == 0
    other = keys_of(capsys, "--venue", "MLSys 2024")["Quuxly Two: Other"]
    assert other != quuxly and other.startswith("quuxly2024"), "a given key is never reused"
