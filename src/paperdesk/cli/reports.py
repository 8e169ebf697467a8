"""What an import or a sync changed, printed the same way by ``import`` and ``sync``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperdesk.cli.common import echo

if TYPE_CHECKING:
    from paperdesk.workspace import ImportReport


def print_import_report(report: ImportReport) -> None:
    for title in report.new_papers:
        echo(f"  new: {title}")
    for title in report.returned:
        echo(f"  back (state restored): {title}")
    for old, new in report.relinked:
        echo(f"  relinked: {old!r} -> {new!r}")
    for title in report.removed:
        echo(f"  removed (state kept as orphan): {title}")
    for venue in report.new_venues:
        echo(f"  new venue: {venue}")
    if report.todos_added:
        echo(f"  new TODO conferences: {', '.join(report.todos_added)}")
