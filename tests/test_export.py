"""Exports through a real workspace and store: CSV, JSON, BibTeX, filters, files and the CLI."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest

from paperdesk.catalog.fetched import FETCHED_FIELDS
from paperdesk.catalog.metadata import MetadataCache
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.catalog.sources import parse_catalog_json
from paperdesk.cli import export_cmds
from paperdesk.errors import NotFoundError, UnknownStatusError, UsageError
from paperdesk.export.render import FORMATS, export_to, render
from paperdesk.export.tabular import CSV_COLUMNS, ExportedPaper, ExportFile
from paperdesk.workspace import Workspace

NOTE = 'Loads "checkpoints" fast, see §4;\nsecond line with a comma, and\r\na CRLF'


@pytest.fixture
def ws(seed_path: Path, isolated_home: Path) -> Workspace:
    workspace = Workspace.open(home=isolated_home, catalog=seed_path)
    catalog = workspace.catalog
    workspace.store.set_status([catalog.find("serverlessllm")], "read")
    workspace.store.set_status([catalog.find("prompt cache")], "queued")
    workspace.store.set_note(catalog.find("serverlessllm"), NOTE)
    return workspace


def test_csv_has_a_row_a_paper_and_survives_newlines_and_quotes(ws: Workspace) -> None:
    rows = list(csv.DictReader(io.StringIO(render(ws, "csv"), newline="")))
    assert len(rows) == len(ws.catalog.papers) == 94
    assert tuple(rows[0]) == CSV_COLUMNS
    by_id = {row["id"]: row for row in rows}
    assert len(by_id) == 94
    serverless = by_id[ws.catalog.find("serverlessllm").id]
    assert serverless["note"] == NOTE.replace("\r\n", "\n")  # a CR is a control character
    assert serverless["status"] == "read"
    assert serverless["arxiv_id"] == "2401.14351"
    assert serverless["year"] == "2024"
    assert serverless["venue"] == "OSDI 2024"
    assert dt.datetime.fromisoformat(serverless["last_changed"]).tzinfo is not None
    prompt = by_id[ws.catalog.find("prompt cache").id]
    assert prompt["topics"] == "LLM - serving; Retrieval-Augmented Generation"
    assert prompt["tags"] == "Inference; KV Cache; Yale"
    assert prompt["status"] == "queued" and prompt["note"] == ""
    assert {row["status"] for row in rows} == {"read", "queued", "unread"}


def test_json_is_the_models_dump_with_state_and_a_valid_catalog(ws: Workspace) -> None:
    text = render(ws, "json")
    export = ExportFile.model_validate_json(text)
    assert export.schema_version == 1
    assert len(export.papers) == 94
    serverless = next(p for p in export.papers if p.title.startswith("ServerlessLLM"))
    assert (serverless.status, serverless.note) == ("read", NOTE)
    assert [change.status for change in serverless.history] == ["read"]
    assert serverless.last_changed is not None
    assert len(export.todos) == 6 and len(export.websites) == 5
    raw = json.loads(text)
    assert raw["papers"][0]["status"] in ("unread", "read", "queued")
    # the same file is a catalog ``list --catalog`` and ``import`` read back
    again = parse_catalog_json(text, "export.json")
    assert [p.id for p in again.papers] == [p.id for p in ws.catalog.papers]


def test_bibtex_parses_with_one_entry_a_paper_and_unique_keys(ws: Workspace) -> None:
    library = bibtexparser.parse_string(render(ws, "bibtex"))
    assert not library.failed_blocks
    assert len(library.entries) == 94
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == 94
    serverless = next(e for e in library.entries if "ServerlessLLM" in e["title"])
    assert serverless["eprint"] == "2401.14351"
    assert serverless["year"] == "2024"
    rag = next(e for e in library.entries if "RAGCache" in e["title"])
    assert rag.entry_type == "misc" and rag["archivePrefix"] == "arXiv"


def test_bibtex_uses_the_enrich_cache_for_authors(ws: Workspace) -> None:
    serverless = ws.catalog.find("serverlessllm")
    MetadataCache(ws.locations).update(
        {
            serverless.id: ArxivMetadata(
                arxiv_id="2401.14351",
                title=serverless.title,
                abstract="",
                authors=["Yao Fu", "Leyang Xue"],
                categories=["cs.LG"],
                fetched_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            )
        }
    )
    library = bibtexparser.parse_string(render(ws, "bibtex", venue="OSDI 2024"))
    entry = next(e for e in library.entries if "ServerlessLLM" in e["title"])
    assert entry["author"] == "Yao Fu and Leyang Xue"
    assert all("author" not in e.fields_dict for e in library.entries if e is not entry)


def test_json_and_csv_carry_what_enrich_fetched_as_show_json_has_it(ws: Workspace) -> None:
    paper = ws.catalog.find("cachegen")
    MetadataCache(ws.locations).update(
        {
            paper.id: ArxivMetadata(
                arxiv_id="2310.07240",
                title=paper.title,
                abstract="KV caches, streamed; compressed.",
                authors=["Yuhan Liu", "Junchen Jiang"],
                published=dt.date(2023, 10, 11),
                categories=["cs.NI", "cs.LG"],
                fetched_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            )
        }
    )
    shown = ws.paper_record(paper, history=True)
    exported = next(p for p in json.loads(render(ws, "json"))["papers"] if p["id"] == paper.id)
    assert set(FETCHED_FIELDS) <= set(shown)
    for name in ("arxiv_id", *FETCHED_FIELDS):
        assert exported[name] == shown[name], name
    assert exported["authors"] == ["Yuhan Liu", "Junchen Jiang"]
    assert exported["published"] == "2023-10-11"
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(render(ws, "csv")))}
    row = rows[paper.id]
    assert row["authors"] == "Yuhan Liu; Junchen Jiang"
    assert row["abstract"] == "KV caches, streamed; compressed."
    assert (row["published"], row["categories"]) == ("2023-10-11", "cs.NI; cs.LG")
    assert row["arxiv_id"] == "2310.07240"
    others = [r for pid, r in rows.items() if pid != paper.id]
    assert all(r["authors"] == r["abstract"] == "" for r in others)


def test_every_fetched_field_is_a_field_of_the_json_export() -> None:
    declared = {f.name for f in dataclasses.fields(ExportedPaper)}
    assert set(FETCHED_FIELDS) <= declared
    assert set(FETCHED_FIELDS) <= set(CSV_COLUMNS)


def test_filters_select_like_list(ws: Workspace) -> None:
    osdi = list(csv.DictReader(io.StringIO(render(ws, "csv", venue="osdi 2024"))))
    assert len(osdi) == 10 and {row["venue"] for row in osdi} == {"OSDI 2024"}
    scheduling = list(csv.DictReader(io.StringIO(render(ws, "csv", topic="ML Scheduling"))))
    assert scheduling and all("ML Scheduling" in row["topics"] for row in scheduling)
    queued = list(csv.DictReader(io.StringIO(render(ws, "csv", status="queued"))))
    assert [row["title"][:12] for row in queued] == ["Prompt Cache"]
    both = render(ws, "csv", venue="OSDI 2024", topic="LLM Serving")
    assert len(list(csv.DictReader(io.StringIO(both)))) == 6
    filtered = render(ws, "markdown", status="read")
    assert "## TODO list" not in filtered and "useful website" not in filtered
    assert "ServerlessLLM" in filtered and "Prompt Cache" not in filtered
    assert ExportFile.model_validate_json(render(ws, "json", status="read")).filters == {
        "status": "read"
    }


def test_bad_requests_are_one_line_errors(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="unknown export format 'xml'"):
        render(ws, "xml")
    with pytest.raises(UnknownStatusError, match="unknown status"):
        render(ws, "csv", status="done")
    with pytest.raises(NotFoundError, match="no venue"):
        render(ws, "csv", venue="Nowhere 1999")


def test_export_to_writes_atomically_and_leaves_the_file_on_failure(
    ws: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "exports").mkdir()
    out = tmp_path / "exports" / "out.bib"
    summary = export_to(ws, "bibtex", out)
    assert summary == f"wrote {out}: 94 papers as bibtex"
    assert out.read_text(encoding="utf-8") == render(ws, "bibtex")
    assert export_to(ws, "csv", None) == render(ws, "csv")
    before = out.read_bytes()
    with pytest.raises(NotFoundError):
        export_to(ws, "bibtex", out, venue="Nowhere 1999")
    assert out.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["out.bib"], "no temp file left"
    with pytest.raises(UsageError, match="is a directory"):
        export_to(ws, "csv", tmp_path)


def test_cli_formats_match_the_export_module() -> None:
    assert export_cmds.FORMATS == FORMATS


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERDESK_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "paperdesk", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_export_round_trips_through_list(
    seed_path: Path, isolated_home: Path, tmp_path: Path
) -> None:
    seed = ["--catalog", str(seed_path)]
    assert cli("mark", "serverlessllm", "read", *seed, home=isolated_home).returncode == 0
    assert cli("mark", "prompt cache", "queued", *seed, home=isolated_home).returncode == 0
    out = tmp_path / "out.md"
    result = cli("export", "--format", "markdown", "-o", str(out), *seed, home=isolated_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out}: 94 papers as markdown\n"
    listed = cli("list", "--json", *seed, home=isolated_home)
    again = cli("list", "--catalog", str(out), "--json", home=isolated_home)
    assert again.returncode == 0, again.stderr

    def key(text: str) -> dict[str, tuple]:
        return {
            p["id"]: (p["venue"], tuple(sorted(p["topics"])), p["url"]) for p in json.loads(text)
        }

    assert key(again.stdout) == key(listed.stdout)
    assert {p["status"] for p in json.loads(again.stdout) if p["title"].startswith("Server")} == {
        "read"
    }, "state is keyed by id, so the exported list shows the same marks"
    stdout = cli("export", "-f", "csv", "--status", "read", *seed, home=isolated_home)
    assert stdout.returncode == 0
    assert len(list(csv.DictReader(io.StringIO(stdout.stdout)))) == 1


def test_cli_errors_are_one_line(seed_path: Path, isolated_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = cli(
        "export", "-f", "csv", "--venue", "Nowhere", "-o", str(out), "--catalog", str(seed_path),
        home=isolated_home,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "no venue 'Nowhere'" in result.stderr
    assert not out.exists()
    bad = cli("export", "--format", "xml", home=isolated_home)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
