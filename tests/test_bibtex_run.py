"""A real ``bibtex`` run on what ``export --format bibtex --ascii`` writes: the classic BibTeX
that pdflatex documents use reads every entry without an error, keeps the braced capitals and
the math, and sees only ASCII. Skipped where BibTeX is not installed (.ci/run installs it)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from paperdesk.catalog.metadata import MetadataCache
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.cli import main
from paperdesk.locations import Locations
from paperdesk.workspace import Workspace

LIST = """# For LaTeX

## OSDI 2024

* [ ] CacheGen: KV Cache Compression for Fast LLM Serving [paper](https://dl.acm.org/doi/10.1145/3651890.3672274)
* [ ] An $O(1)$ Scheduler for μ-Serve & λ-Functions at 50% Load [paper](https://example.org/x_y)
* [ ] Ünïcödé Über Alles: Łukasz’s Bayesian Study [paper](https://arxiv.org/abs/2401.00001)
"""


def _plain_bst() -> bool:
    found = subprocess.run(["kpsewhich", "plain.bst"], capture_output=True, text=True)
    return found.returncode == 0 and bool(found.stdout.strip())


pytestmark = pytest.mark.skipif(
    shutil.which("bibtex") is None or shutil.which("kpsewhich") is None or not _plain_bst(),
    reason="bibtex with plain.bst is not installed (Debian: texlive-binaries texlive-base)",
)


def test_bibtex_reads_the_ascii_export_without_an_error(
    isolated_home: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "latex.md"
    listing.write_text(LIST, encoding="utf-8")
    assert main(["import", str(listing), "--as", "latex"]) == 0
    ws = Workspace.open(home=isolated_home)
    paper = ws.catalog.find("Ünïcödé")
    MetadataCache(Locations(isolated_home)).update(
        {
            paper.id: ArxivMetadata(
                arxiv_id="2401.00001",
                title=paper.title,
                abstract="",
                authors=["Jörg Müller", "Łukasz Kaiser", "Ann and Bob Lab"],
                fetched_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            )
        }
    )
    bib = tmp_path / "refs.bib"
    assert main(["export", "-f", "bibtex", "--ascii", "--venue", "OSDI", "-o", str(bib)]) == 0
    assert bib.read_bytes().isascii()
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n")
    run = subprocess.run(
        ["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    log = (tmp_path / "doc.blg").read_text(errors="replace")
    assert run.returncode == 0, log  # bibtex exits 1 on warnings only with -terse; 2 on errors
    assert "error message" not in log, log
    bbl = (tmp_path / "doc.bbl").read_text()
    items = bbl.count("\\bibitem{")
    assert items == 10 + 3, bbl  # the shipped list's OSDI 2024 and this list's three
    assert "{CacheGen}: {KV} cache compression for fast {LLM} serving" in bbl
    assert "{$O(1)$}" in bbl and "\\ensuremath{\\mu}" in bbl and "\\&" in bbl
    assert 'J{\\"o}rg M{\\"u}ller, {\\L}ukasz Kaiser, and {Ann and Bob Lab}' in bbl
    text = bbl.replace("\n  ", " ")  # bibtex wraps long lines
    assert '{\\"U}n{\\"\\i}c{\\"o}d{\\\'e} {\\"u}ber alles' in text, "a style's case, escaped"
    assert "{\\L}ukasz{\\textquoteright}s {Bayesian} study" in text
