"""Importers: any paper-list markdown in, a :class:`~paperdesk.catalog.models.CatalogFile` out.

Two formats are read: the awesome-papers list family (:mod:`.awesome`) and the daily arXiv
feed (:mod:`.daily`); :func:`detect_kind` tells them apart. Importing never fails: whatever
cannot be placed becomes an :class:`~paperdesk.catalog.models.ImportWarning` with its line
number, so a list with one broken line still gives every other paper.

Under them: :mod:`.markdown` (the markdown-it parser), :mod:`.blocks` (headings, bullets and
their nesting), :mod:`.inline` (a line's text, bold words, links and tags), :mod:`.venues`,
:mod:`.dates`, and :mod:`.collect` (one paper per id, repeats merged).
"""

from __future__ import annotations

import gc
import re
from typing import Any, Literal

from paperdesk.catalog.models import CatalogFile, ImportWarning
from paperdesk.catalog.records import YEAR
from paperdesk.inert import INCOMING_CONTROLS, without_controls

from .awesome import parse_list
from .blocks import Block, Heading, read_blocks
from .daily import parse_daily

__all__ = ["detect_kind", "parse_text", "read_report"]

Kind = Literal["list", "daily"]

_DATE_HEADING = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}\b")
_DAILY_TITLE = re.compile(r"daily.*arxiv|arxiv.*daily", re.IGNORECASE)


def parse_text(
    text: str, source: str, *, kind: Literal["auto", "list", "daily"] = "auto"
) -> CatalogFile:
    """Read one list. Pure, and never raises: problems are warnings in the result."""
    source = str(source)
    collecting = gc.isenabled()
    gc.disable()  # a big list makes ~10 objects per paper, none cyclic: spare the collector
    try:
        text, stripped = _without_controls(_as_text(text))
        blocks = read_blocks(text)
        chosen = kind if kind in ("list", "daily") else _kind_of(blocks)
        catalog = parse_daily(blocks, source) if chosen == "daily" else parse_list(blocks, source)
        if stripped:
            found = [ImportWarning(line=n, message="control characters removed") for n in stripped]
            catalog.warnings = sorted([*catalog.warnings, *found], key=lambda w: w.line)
        return catalog
    except Exception as error:  # the promise: a result, never a traceback
        message = f"internal error, nothing imported: {type(error).__name__}: {error}"
        return CatalogFile(source=source, warnings=[ImportWarning(line=1, message=message)])
    finally:
        if collecting:
            gc.enable()


def read_report(catalog: CatalogFile) -> dict[str, Any]:
    """What an import read, for ``import --report``: papers, papers with an arXiv id, and the
    lines that looked like papers but were not imported (their line and why)."""
    return {
        "papers": len(catalog.papers),
        "with_arxiv_id": sum(1 for paper in catalog.papers if paper.arxiv_id),
        "not_imported": [
            {"line": warning.line, "reason": warning.message}
            for warning in catalog.warnings
            if warning.kind == "skipped"
        ],
    }


def detect_kind(text: str) -> Kind:
    """``"daily"`` when date headings (``### 2025-01-09``) dominate or the title says so."""
    try:
        return _kind_of(read_blocks(_as_text(text)))
    except Exception:  # detection falls back to the common format
        return "list"


def _kind_of(blocks: list[Block]) -> Kind:
    dates = years = 0
    daily_title = False
    for block in blocks:
        if not isinstance(block, Heading):
            continue
        if _DATE_HEADING.match(block.content):
            dates += 1
        elif YEAR.search(block.content):
            years += 1
        elif block.level == 1 and _DAILY_TITLE.search(block.content):
            daily_title = True
    return "daily" if dates > years or (daily_title and not years) else "list"


def _without_controls(text: str) -> tuple[str, list[int]]:
    """``text`` without control characters, and the numbers of the lines that had some."""
    if INCOMING_CONTROLS.search(text) is None:
        return text, []
    lines = [n for n, line in enumerate(text.split("\n"), 1) if INCOMING_CONTROLS.search(line)]
    return without_controls(text), lines


def _as_text(text: object) -> str:
    """Any input as a str that encodes: bytes decoded, lone surrogates and a BOM dropped."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8").removeprefix("\ufeff")
    return text
