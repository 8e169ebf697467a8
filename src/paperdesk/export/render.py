"""One export in one format: to text, or atomically to a file.

:func:`render` selects papers with the same filters as ``paperdesk list``; :func:`export_to`
writes the result atomically and never leaves the file half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk.atomic import write_user_file
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.errors import UsageError
from paperdesk.export.bibtex import write_bibtex
from paperdesk.export.markdown import write_markdown
from paperdesk.export.selection import Selection, arxiv_metadata, select
from paperdesk.export.tabular import write_csv, write_json

if TYPE_CHECKING:
    from paperdesk.workspace import Workspace

FORMATS = ("markdown", "bibtex", "csv", "json")


def format_selection(
    selection: Selection, fmt: str, metadata: Mapping[str, ArxivMetadata] | None = None
) -> str:
    """The text of one format for selected papers; ``metadata`` adds authors to BibTeX."""
    if fmt == "markdown":
        return write_markdown(
            selection.papers,
            selection.states,
            title=selection.title,
            venues=selection.venues,
            websites=selection.websites,
            todos=selection.todos,
        )
    if fmt == "bibtex":
        return write_bibtex(selection.papers, metadata or {})
    if fmt == "csv":
        return write_csv(selection.papers, selection.states)
    if fmt == "json":
        return write_json(selection)
    raise UsageError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")


def _rendered(
    workspace: Workspace,
    fmt: str,
    filters: dict[str, str | None],
    new_ids: Callable[[], Collection[str]],
) -> tuple[str, int]:
    """The export text and the number of papers in it."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    selection = select(workspace, **filters, new_ids=new_ids)
    metadata = arxiv_metadata(workspace, selection.papers) if fmt == "bibtex" else None
    count = len({paper.id for paper in selection.papers})
    return format_selection(selection, fmt, metadata), count


def render(
    workspace: Workspace,
    fmt: str,
    *,
    venue: str | None = None,
    topic: str | None = None,
    status: str | None = None,
    query: str | None = None,
    new_ids: Callable[[], Collection[str]] = frozenset,
) -> str:
    """The export of the papers ``list`` would show for these filters, as text."""
    filters = {"venue": venue, "topic": topic, "status": status, "query": query}
    return _rendered(workspace, fmt, filters, new_ids)[0]


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
) -> str:
    """The export text when ``path`` is None; else write it atomically and say what was written.

    Nothing is written when selecting or formatting fails, so a bad filter leaves ``path`` as
    it was. ``query`` narrows like ``list --query``; ``new_ids`` are the papers its ``new:``
    means.
    """
    filters = {"venue": venue, "topic": topic, "status": status, "query": query}
    if path is not None:
        path = Path(path).expanduser()
        if path.is_dir():
            raise UsageError(f"{path} is a directory; give a file name to export to")
    text, count = _rendered(workspace, fmt, filters, new_ids)
    if path is None:
        return text
    write_user_file(path, text.encode("utf-8"))
    return f"wrote {path}: {count} {'paper' if count == 1 else 'papers'} as {fmt}"
