"""One export in one format: to text, or atomically to a file.

:func:`render` selects papers with the same filters as ``paperdesk list``; :func:`export_to`
writes the result atomically and never leaves the file half-written. Every format comes out
inert (:mod:`paperdesk.inert`), to stdout and to a file alike: markdown and BibTeX without
control or bidi characters, CSV cells that are not formulas, JSON with those characters
escaped (the exact text, for the program that reads it).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.atomic import write_user_file
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.catalog.records import Paper
from paperdesk.errors import UsageError
from paperdesk.export.bibtex import choose_keys, entry_for, write_bibtex
from paperdesk.export.markdown import write_markdown
from paperdesk.export.selection import Selection, arxiv_metadata, select
from paperdesk.export.tabular import write_csv, write_json
from paperdesk.inert import inert, json_escaped

if TYPE_CHECKING:
    from paperdesk.workspace import Workspace

FORMATS = ("markdown", "bibtex", "csv", "json")


def format_selection(
    selection: Selection,
    fmt: str,
    metadata: Mapping[str, ArxivMetadata] | None = None,
    keys: Mapping[str, str] | None = None,
    *,
    ascii: bool = False,
) -> str:
    """The text of one format for selected papers; ``metadata`` (what enrich fetched) adds
    authors to BibTeX and its fields to CSV and JSON; ``keys`` and ``ascii`` are BibTeX's."""
    if fmt == "markdown":
        return inert(
            write_markdown(
                selection.papers,
                selection.states,
                title=selection.title,
                venues=selection.venues,
                websites=selection.websites,
                todos=selection.todos,
            )
        )
    if fmt == "bibtex":
        return inert(write_bibtex(selection.papers, metadata or {}, keys, ascii=ascii))
    if fmt == "csv":
        # inert cell by cell
        return write_csv(selection.papers, selection.states, metadata, selection.dblp)
    if fmt == "json":
        return json_escaped(write_json(selection, metadata))
    raise UsageError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")


def citation_keys(
    workspace: Workspace, papers: Sequence[Paper], metadata: Mapping[str, ArxivMetadata]
) -> dict[str, str]:
    """Each paper's citation key from the home's store; papers without one get one by the rule
    (:mod:`paperdesk.export.bibtex`), stored now, in one transaction."""
    unique = list({paper.id: paper for paper in papers}.values())
    return workspace.store.citation_keys(
        unique, lambda stored: choose_keys(unique, metadata, stored)
    )


def citation(workspace: Workspace, paper: Paper) -> str:
    """The BibTeX entry of one paper (the desk's copy), with the key every export gives it."""
    metadata = arxiv_metadata(workspace, [paper])
    key = citation_keys(workspace, [paper], metadata)[paper.id]
    return entry_for(paper, metadata.get(paper.id), key)


def _rendered(
    workspace: Workspace,
    fmt: str,
    filters: dict[str, Any],
    new_ids: Callable[[], Collection[str]],
    *,
    ascii: bool = False,
) -> tuple[str, int]:
    """The export text and the number of papers in it."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if ascii and fmt != "bibtex":
        raise UsageError("--ascii is for --format bibtex (the other formats are UTF-8)")
    selection = select(workspace, **filters, new_ids=new_ids)
    metadata = arxiv_metadata(workspace, selection.papers) if fmt != "markdown" else None
    keys = citation_keys(workspace, selection.papers, metadata or {}) if fmt == "bibtex" else None
    count = len({paper.id for paper in selection.papers})
    return format_selection(selection, fmt, metadata, keys, ascii=ascii), count


def render(
    workspace: Workspace,
    fmt: str,
    *,
    venue: str | None = None,
    topic: str | None = None,
    status: str | None = None,
    query: str | None = None,
    new_ids: Callable[[], Collection[str]] = frozenset,
    ascii: bool = False,
) -> str:
    """The export of the papers ``list`` would show for these filters, as text."""
    filters = {"venue": venue, "topic": topic, "status": status, "query": query}
    return _rendered(workspace, fmt, filters, new_ids, ascii=ascii)[0]


def export_to(
    workspace: Workspace,
    fmt: str,
    path: Path | None,
    *,
    venue: str | None = None,
    topic: str | None = None,
    status: str | None = None,
    query: str | None = None,
    new_ids: Callable[[], Collection[str]] = frozenset,
    ascii: bool = False,
    ids: Sequence[str] | None = None,
) -> str:
    """The export text when ``path`` is None; else write it atomically and say what was written.
    ``ids``: exactly these papers, in this order (the desk's current view), instead of filters.

    Nothing is written when selecting or formatting fails, so a bad filter leaves ``path`` as
    it was. ``query`` narrows like ``list --query``; ``new_ids`` are the papers its ``new:``
    means.
    """
    filters = {"venue": venue, "topic": topic, "status": status, "query": query, "ids": ids}
    if path is not None:
        path = Path(path).expanduser()
        if path.is_dir():
            raise UsageError(f"{path} is a directory; give a file name to export to")
    text, count = _rendered(workspace, fmt, filters, new_ids, ascii=ascii)
    if path is None:
        return text
    write_user_file(path, text.encode("utf-8"))
    return f"wrote {path}: {count} {'paper' if count == 1 else 'papers'} as {fmt}"
