"""Catalog commands: import, list, show, venues, sources."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk.catalog.records import STATUSES
from paperdesk.cli.common import (
    add_command,
    add_query_option,
    echo,
    fail,
    open_workspace,
    parse_query,
    print_json,
    query_rows,
)
from paperdesk.cli.reports import print_import_report
from paperdesk.errors import EXIT_FAILURE, PaperdeskError, UsageError

if TYPE_CHECKING:
    from paperdesk.catalog.models import CatalogFile
    from paperdesk.net.sync import FetchedList
    from paperdesk.workspace import ImportReport, Workspace

STATUS_GLYPHS = {"unread": " ", "queued": "+", "reading": ">", "read": "x", "skipped": "-"}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = add_command(commands, "import", "import a markdown paper list (a file or a URL)")
    imp.add_argument("path", metavar="PATH", help="list file, catalog JSON, or http(s) URL")
    imp.add_argument("-o", "--output", metavar="OUT", help="write the catalog JSON here only")
    imp.add_argument("--as", dest="name", metavar="NAME", help="source name (default: stem)")
    imp.add_argument("--strict", action="store_true", help="fail on any import warning")
    imp.add_argument(
        "--with-daily",
        action="store_true",
        help="also import the daily feed the list links to (URL imports)",
    )
    imp.set_defaults(handler=run_import)

    lst = add_command(commands, "list", "list papers with their reading status")
    lst.add_argument("--venue", metavar="V")
    lst.add_argument("--topic", metavar="T")
    lst.add_argument("--status", metavar="S", help=f"one of: {', '.join(STATUSES)}")
    lst.add_argument("--search", metavar="TEXT", help="words in title, venue, tags or note")
    add_query_option(lst)
    lst.add_argument("--view", metavar="NAME", help="papers of this saved view ('view list')")
    lst.add_argument("--json", action="store_true", help="print a JSON array")
    lst.set_defaults(handler=run_list)

    show = add_command(commands, "show", "show one paper with its note and history")
    show.add_argument("paper", metavar="PAPER", help="paper id or title fragment")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    venues = add_command(commands, "venues", "list venues with reading progress")
    venues.add_argument("--json", action="store_true")
    venues.set_defaults(handler=run_venues)

    sources = add_command(commands, "sources", "list the imported sources")
    sources.add_argument("--json", action="store_true")
    sources.set_defaults(handler=run_sources)


def source_name(path: str) -> str:
    """The default source name of a path or URL: its file stem, made safe as a file name."""
    from paperdesk.locations import default_source_name

    return default_source_name(Path(path.rstrip("/").rsplit("/", 1)[-1]).stem)


def load_import(args: argparse.Namespace) -> CatalogFile:
    """Read and parse what ``import`` was given; nothing is written before this succeeds.

    A URL is fetched whole and parsed here; the fetched list is kept on ``args.fetched`` for
    the post-install step (raw-text cache, ``--with-daily``).
    """
    from paperdesk.locations import check_source_name
    from paperdesk.net.fetch import is_url

    if args.name is not None:
        check_source_name(args.name)
    scheme = args.path.strip().partition("://")[0].lower()
    if not is_url(args.path):
        if "://" in args.path and scheme.isalpha():
            raise UsageError(f"cannot import {args.path}: only http(s) URLs are supported")
        if args.with_daily:
            raise UsageError("--with-daily needs a URL: the daily feed is linked relative to it")
        from paperdesk.catalog.sources import read_catalog_path

        return read_catalog_path(Path(args.path).expanduser(), args.name or source_name(args.path))
    from urllib.parse import urlsplit

    from paperdesk.net.sync import fetch_list

    url = args.path.strip()
    try:
        path = urlsplit(url).path
    except ValueError as exc:
        raise UsageError(f"{url} is not a valid URL ({exc}); check it") from None
    fetched = fetch_list(url, args.name or source_name(path))
    assert fetched is not None, "an unconditional fetch never answers 304"
    args.fetched = fetched
    return fetched.catalog


def run_import(args: argparse.Namespace) -> int:
    catalog = load_import(args)
    for warning in catalog.warnings:
        echo(f"warning: {args.path}:{warning.line}: {warning.message}", file=sys.stderr)
    if args.strict and catalog.warnings:
        echo(
            f"paperdesk: error: {len(catalog.warnings)} warnings in {args.path} (--strict)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    summary = (
        f"{len(catalog.papers)} papers, {len(catalog.venues)} venues, "
        f"{len(catalog.todos)} TODO conferences, {len(catalog.warnings)} warnings"
    )
    if args.output is not None:
        from paperdesk.atomic import write_user_file

        if not args.output.strip():
            raise UsageError("-o needs a file name")
        out = Path(args.output).expanduser()
        write_user_file(out, (catalog.model_dump_json(indent=1, exclude_none=True) + "\n").encode())
        echo(f"wrote {out}: {summary}")
        return 0
    if args.catalog:
        raise UsageError("import writes to the home; drop --catalog (or use -o OUT)")
    ws = open_workspace(args, skip_damaged=True)
    report = ws.install(catalog)
    echo(f"imported {args.path} as {catalog.source}: {summary}")
    print_import_report(report)
    if getattr(args, "fetched", None) is None:
        return 0
    return finish_url_import(ws, args.fetched, report, with_daily=args.with_daily)


def finish_url_import(
    ws: Workspace, fetched: FetchedList, report: ImportReport, *, with_daily: bool
) -> int:
    """After ``import URL`` installed the list: cache its text, bring its daily feed if asked,
    and remember the new papers for the desk's "New since last sync"."""
    from paperdesk.net.sync import after_install, fetch_daily, record_new_papers

    names = [fetched.catalog.source]
    new_ids = after_install(ws.locations, fetched, report)
    status = 0
    if with_daily:
        try:
            daily = fetch_daily(fetched)
            daily_report = ws.install(daily.catalog)
        except PaperdeskError as exc:
            status = fail(str(exc), exc.exit_code)
        else:
            new_ids |= after_install(ws.locations, daily, daily_report)
            names.append(daily.catalog.source)
            assert daily.catalog.origin is not None
            echo(
                f"imported {daily.catalog.origin.location} as {daily.catalog.source}: "
                f"{daily_report.papers} papers, {len(daily_report.warnings)} warnings"
            )
            print_import_report(daily_report)
    record_new_papers(ws.locations, names, new_ids)
    return status


def run_list(args: argparse.Namespace) -> int:
    from paperdesk.catalog.records import parse_status

    status = parse_status(args.status) if args.status else None
    query = parse_query(args.query)
    if query is not None and args.view is not None:
        raise UsageError("give --query or --view, not both")
    ws = open_workspace(args)
    if args.view is not None:
        from paperdesk.cli.reading_cmds import find_view

        query = parse_query(find_view(ws, args.view).query)
    catalog = ws.catalog
    rows = catalog.rows_of(venue=args.venue, topic=args.topic)
    ids = catalog.columns.id
    if status:
        rows = [r for r in rows if ws.status_of(ids[r]) == status]
    if args.search:
        notes = {pid: s.note for pid, s in ws.reading.items() if s.note}
        rows = catalog.search(args.search, rows, notes)
    if query is not None:
        rows = query_rows(ws, query, rows)
    if args.json:
        print_json([ws.paper_record(catalog.paper(r)) for r in rows])
        return 0
    venues, titles = catalog.columns.venue, catalog.columns.title
    for r in rows:
        glyph = STATUS_GLYPHS[ws.status_of(ids[r])]
        echo(f"[{glyph}] {ids[r]:<37} {venues[r] or '-':<14} {titles[r]}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    paper = ws.catalog.find(args.paper)
    record = ws.paper_record(paper, history=True)
    if args.json:
        print_json(record)
        return 0
    echo(paper.title)
    for label, key in [("id", "id"), ("venue", "venue_label"), ("status", "status")]:
        echo(f"  {label:<9} {record.get(key) or record.get('venue') or '-'}")
    for label, key in [("topics", "topics"), ("tags", "tags"), ("keywords", "keywords")]:
        if record[key]:
            echo(f"  {label:<9} {', '.join(record[key])}")
    for link in paper.links:
        echo(f"  {link.label:<9} {link.url}")
    if paper.arxiv_id:
        echo(f"  {'arXiv':<9} {paper.arxiv_id}")
    if paper.summary:
        echo(f"  {'summary':<9} {paper.summary}")
    if record.get("authors"):
        echo(f"  {'authors':<9} {', '.join(record['authors'])}")
    if record.get("published"):
        echo(f"  {'published':<9} {record['published']}")
    if record.get("categories"):
        echo(f"  {'arXiv cat':<9} {', '.join(record['categories'])}")
    if record.get("abstract"):
        echo("  abstract:")
        echo(textwrap.indent(textwrap.fill(record["abstract"], 92), "    "))
    for change in record["history"]:
        echo(f"  {'history':<9} {change['at']}  {change['status']}")
    if record["note"]:
        echo("  note:")
        for line in record["note"].splitlines():
            echo(f"    {line}")
    return 0


def run_venues(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    rows = []
    ids = ws.catalog.columns.id
    for venue in ws.catalog.venues:
        read = sum(1 for r in venue.rows if ws.status_of(ids[r]) == "read")
        rows.append(
            {
                "venue": venue.name,
                "label": venue.label,
                "url": venue.url,
                "year": venue.year,
                "read": read,
                "total": len(venue.rows),
                "topics": list(venue.topics),
            }
        )
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        echo(f"{row['venue']:<22} {row['read']:>4}/{row['total']:<4} {row['label']}")
    return 0


def run_sources(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    rows = []
    for source in ws.catalog.sources:
        rows.append(
            {
                "name": source.name,
                "kind": source.kind,
                "papers": source.papers,
                "origin": source.location,
                "fetched_at": source.fetched_at,
            }
        )
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        echo(
            f"{row['name']:<24} {row['kind']:<6} {row['papers']:>6} papers  "
            f"{row['origin'] or 'shipped'}"
        )
    return 0
