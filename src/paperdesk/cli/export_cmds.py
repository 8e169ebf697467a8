"""Export and statistics commands: export, stats."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paperdesk.catalog.records import STATUSES
from paperdesk.cli.common import (
    add_command,
    add_query_option,
    echo,
    new_papers,
    open_workspace,
    parse_query,
    print_json,
)

# paperdesk.export.render.FORMATS (a test keeps them equal): importing it here would cost every
# command ~50 ms of pydantic model building.
FORMATS = ("markdown", "bibtex", "csv", "json")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = add_command(commands, "export", "export papers with their reading state")
    export.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        default="markdown",
        help="output format (default: markdown, a list the importer reads back)",
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE atomically (default: standard output)"
    )
    export.add_argument("--venue", metavar="V", help="only papers of this venue")
    export.add_argument("--topic", metavar="T", help="only papers with this topic")
    export.add_argument(
        "--status", metavar="S", help=f"only papers with this status: {', '.join(STATUSES)}"
    )
    export.add_argument(
        "--ascii",
        action="store_true",
        help="BibTeX: write non-ASCII characters as LaTeX escapes (classic BibTeX, pdflatex)",
    )
    add_query_option(export)
    export.set_defaults(handler=run_export)

    stats = add_command(commands, "stats", "reading statistics and the next TODO deadline")
    stats.add_argument("--json", action="store_true", help="print a JSON object")
    stats.set_defaults(handler=run_stats)


def run_export(args: argparse.Namespace) -> int:
    from paperdesk.export.render import export_to

    parse_query(args.query)  # a mistake exits 2 before anything is read
    ws = open_workspace(args)
    path = Path(args.output).expanduser() if args.output else None
    result = export_to(
        ws,
        args.format,
        path,
        venue=args.venue,
        topic=args.topic,
        status=args.status,
        ascii=args.ascii,
        query=args.query,
        new_ids=lambda: new_papers(ws),
    )
    if path is None:
        sys.stdout.write(result)
    else:
        echo(result)
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from paperdesk.export.stats import compute_stats, format_stats

    stats = compute_stats(open_workspace(args))
    if args.json:
        print_json(stats.model_dump(mode="json"))
    else:
        echo(format_stats(stats))
    return 0
