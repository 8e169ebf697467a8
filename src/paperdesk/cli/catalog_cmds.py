"""Catalog commands: import, list, show, venues, sources."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.catalog.fetched import FETCHED_FIELDS
from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.cli.common import (
    STATUS_GLYPHS,
    add_command,
    add_query_option,
    echo,
    fail,
    open_workspace,
    parse_query,
    print_json,
    query_rows,
)
from paperdesk.cli.reports import (
    TerminalProgress,
    plural,
    print_import_report,
    print_read_report,
)
from paperdesk.errors import EXIT_FAILURE, PaperdeskError, UsageError
from paperdesk.locations import DEFAULT_SOURCE
from paperdesk.state.inbox import is_new

if TYPE_CHECKING:
    from paperdesk.catalog.models import CatalogFile
    from paperdesk.net.sync import FetchedList
    from paperdesk.workspace import ImportReport, Workspace


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = add_command(commands, "import", "import a markdown paper list (a file or a URL)")
    imp.add_argument("path", metavar="PATH", help="list file, catalog JSON, or http(s) URL")
    imp.add_argument("-o", "--output", metavar="OUT", help="write the catalog JSON here only")
    imp.add_argument("--as", dest="name", metavar="NAME", help="source name (default: stem)")
    imp.add_argument("--strict", action="store_true", help="fail on any import warning")
    imp.add_argument(
        "--report",
        action="store_true",
        help="also say how many papers were read and list the lines not imported",
    )
    imp.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    imp.add_argument(
        "--with-daily",
        action="store_true",
        help="also import the daily feed the list links to (URL imports)",
    )
    imp.set_defaults(handler=run_import)

    lst = add_command(commands, "list", "list papers with their reading status")
    lst.add_argument("--venue", metavar="V")
    lst.add_argument("--topic", metavar="T")
    lst.add_argument("--source", metavar="NAME", help="only the papers of this source")
    lst.add_argument("--status", metavar="S", help=f"one of: {', '.join(STATUSES)}")
    lst.add_argument("--search", metavar="TEXT", help="words in title, venue, tags or note")
    add_query_option(lst)
    lst.add_argument("--view", metavar="NAME", help="papers of this saved view ('view list')")
    which = lst.add_mutually_exclusive_group()
    which.add_argument(
        "--inbox", action="store_true", help="only new papers not yet marked or dismissed"
    )
    which.add_argument(
        "--orphans",
        action="store_true",
        help="reading state of papers no source holds now (title, venue, status, note)",
    )
    lst.add_argument("--json", action="store_true", help="print a JSON array")
    lst.add_argument("--limit", metavar="N", type=positive_int, help="at most N papers")
    lst.add_argument(
        "--fields",
        metavar="F,F…",
        type=field_list,
        help="print these fields tab-separated under a header (with --json: only these keys); "
        f"fields: {', '.join(LIST_FIELDS)}",
    )
    lst.set_defaults(handler=run_list)

    show = add_command(commands, "show", "show one paper with its note and history")
    show.add_argument("paper", metavar="PAPER", help="paper id or title fragment")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    venues = add_command(commands, "venues", "list venues with reading progress")
    venues.add_argument("--json", action="store_true")
    venues.set_defaults(handler=run_venues)

    sources = add_command(commands, "sources", "list the imported sources, or remove one")
    sources.add_argument("--json", action="store_true")
    sources.set_defaults(handler=run_sources, sources_command=None)
    actions = sources.add_subparsers(dest="sources_command", metavar="ACTION")
    remove = actions.add_parser(
        "remove", help="remove a source; its papers' reading state is kept as orphans"
    )
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=run_remove_source)


#: What ``list --fields`` can print: a paper's fields, its reading state, what was fetched.
LIST_FIELDS: tuple[str, ...] = (
    *(f.name for f in dataclasses.fields(Paper)),
    "status",
    "note",
    "last_changed",
    *FETCHED_FIELDS,
)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of papers (1 or more)")
    return value


def field_list(text: str) -> list[str]:
    """``id,title,status`` -> the names, each one of :data:`LIST_FIELDS`."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in LIST_FIELDS]
    if unknown or not names:
        what = f"unknown field {unknown[0]!r}" if unknown else "no field named"
        raise argparse.ArgumentTypeError(f"{what}; use some of: {', '.join(LIST_FIELDS)}")
    return names


def tsv_cell(value: Any) -> str:
    """A value in one tab-separated cell: lists joined with ``"; "`` (links as their URLs),
    tabs and line breaks as spaces, nothing for None."""
    if isinstance(value, list):
        return "; ".join(tsv_cell(v["url"] if isinstance(v, dict) else v) for v in value)
    text = "" if value is None else str(value)
    return " ".join(text.replace("\t", " ").splitlines()) if text else text


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

    from paperdesk.locations import Locations
    from paperdesk.net.fetch import FetchLimits
    from paperdesk.net.sync import fetch_list

    url = args.path.strip()
    try:
        path = urlsplit(url).path
    except ValueError as exc:
        raise UsageError(f"{url} is not a valid URL ({exc}); check it") from None
    limits = FetchLimits().configured(Locations.resolve(args.home))
    fetched = fetch_list(url, args.name or source_name(path), limits=limits)
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
        f"{len(catalog.papers)} papers, {len(catalog.venue_names)} venues, "
        f"{len(catalog.todos)} TODO conferences, {len(catalog.warnings)} warnings"
    )
    if args.output is not None:
        from paperdesk.atomic import write_user_file

        if not args.output.strip():
            raise UsageError("-o needs a file name")
        out = Path(args.output).expanduser()
        write_user_file(out, (catalog.model_dump_json(indent=1, exclude_none=True) + "\n").encode())
        return _imported(args, catalog, f"wrote {out}: {summary}", written=str(out))
    if args.catalog:
        raise UsageError("import writes to the home; drop --catalog (or use -o OUT)")
    if catalog.origin is None:  # a file: remember where it came from (``sources``)
        from paperdesk.catalog.models import Origin

        where = Path(args.path).expanduser().resolve()
        catalog = catalog.model_copy(update={"origin": Origin(location=str(where))})
    ws = open_workspace(args, skip_damaged=True)
    report = ws.install(catalog, progress=TerminalProgress("relinking reading state:"))
    _imported(args, catalog, f"imported {args.path} as {catalog.source}: {summary}", report)
    if not args.json:
        print_import_report(report)
    if getattr(args, "fetched", None) is None:
        return 0
    return finish_url_import(ws, args.fetched, with_daily=args.with_daily, quiet=args.json)


def _imported(
    args: argparse.Namespace,
    catalog: CatalogFile,
    line: str,
    installed: ImportReport | None = None,
    written: str | None = None,
) -> int:
    """The outcome line, or with ``--json`` one object; ``--report`` adds what was read."""
    from paperdesk.catalog.importers import read_report

    report = read_report(catalog)
    if args.json:
        changes = None
        if installed is not None:
            changes = {
                "new": installed.new_papers,
                "removed": installed.removed,
                "relinked": [list(pair) for pair in installed.relinked],
                "returned": installed.returned,
                "new_venues": installed.new_venues,
                "todos_added": installed.todos_added,
            }
        print_json(
            {
                "source": catalog.source,
                "written": written,
                "papers": len(catalog.papers),
                "venues": len(catalog.venues),
                "todos": len(catalog.todos),
                "warnings": [w.model_dump(exclude_none=True) for w in catalog.warnings],
                "report": report,
                "changes": changes,
            }
        )
        return 0
    echo(line)
    if args.report:
        print_read_report(report, args.path)
    return 0


def finish_url_import(
    ws: Workspace, fetched: FetchedList, *, with_daily: bool, quiet: bool = False
) -> int:
    """After ``import URL`` installed the list: cache its text, and bring its daily feed if
    asked; ``quiet`` (``--json``) prints nothing more."""
    from paperdesk.net.fetch import FetchLimits
    from paperdesk.net.sync import fetch_daily, keep_raw_text

    keep_raw_text(ws.locations, fetched)
    status = 0
    if with_daily:
        try:
            daily = fetch_daily(fetched, limits=FetchLimits().configured(ws.locations))
            daily_report = ws.install(daily.catalog)
        except PaperdeskError as exc:
            status = fail(str(exc), exc.exit_code)
        else:
            keep_raw_text(ws.locations, daily)
            assert daily.catalog.origin is not None
            if not quiet:
                echo(
                    f"imported {daily.catalog.origin.location} as {daily.catalog.source}: "
                    f"{daily_report.papers} papers, {len(daily_report.warnings)} warnings"
                )
                print_import_report(daily_report)
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
    if args.orphans:
        return list_orphans(ws, args)
    catalog = ws.catalog
    rows = catalog.rows_of(venue=args.venue, topic=args.topic, source=args.source)
    ids = catalog.columns.id
    if args.inbox:
        inbox = ws.inbox
        rows = [r for r in rows if is_new(ids[r], inbox)]
    if status:
        rows = [r for r in rows if ws.status_of(ids[r]) == status]
    if args.search:
        notes = {pid: s.note for pid, s in ws.reading.items() if s.note}
        rows = catalog.search(args.search, rows, notes)
    if query is not None:
        rows = query_rows(ws, query, rows)
    if args.limit is not None:
        rows = rows[: args.limit]
    if args.fields is not None:
        print_fields(ws, [catalog.paper(r) for r in rows], args.fields, as_json=args.json)
        return 0
    if args.json:
        print_json([ws.paper_record(catalog.paper(r)) for r in rows])
        return 0
    venues, titles = catalog.columns.venue, catalog.columns.title
    for r in rows:
        glyph = STATUS_GLYPHS[ws.status_of(ids[r])]
        echo(f"[{glyph}] {ids[r]:<37} {venues[r] or '-':<14} {titles[r]}")
    return 0


def print_fields(ws: Workspace, papers: list[Paper], names: list[str], *, as_json: bool) -> None:
    """``list --fields``: a header and one tab-separated line a paper, or JSON objects with
    only those keys."""
    fetched = any(name in FETCHED_FIELDS for name in names)
    records = []
    for paper in papers:
        record = ws.paper_record(paper)
        if fetched:
            record.update(ws.fetched(paper))
        records.append({name: record[name] for name in names})
    if as_json:
        print_json(records)
        return
    echo("\t".join(names))
    for record in records:
        echo("\t".join(tsv_cell(record[name]) for name in names))


def list_orphans(ws: Workspace, args: argparse.Namespace) -> int:
    """``list --orphans``: state whose paper no source holds now, narrowed like any list."""
    orphans = ws.orphans()
    if args.venue:
        orphans = [o for o in orphans if (o.venue or "").casefold() == args.venue.casefold()]
    if args.source:
        orphans = [o for o in orphans if o.source == args.source]
    if args.status:
        orphans = [o for o in orphans if o.status == args.status]
    if args.search:
        words = args.search.casefold().split()
        orphans = [
            o
            for o in orphans
            if all(w in f"{o.title}\n{o.venue or ''}\n{o.note or ''}".casefold() for w in words)
        ]
    if args.topic:
        raise UsageError("--orphans takes no --topic: an orphan keeps its title and venue only")
    if args.json:
        print_json([orphan.model_dump(mode="json") for orphan in orphans])
        return 0
    for o in orphans:
        note = f"  [note: {o.note.splitlines()[0][:40]}]" if o.note else ""
        echo(f"[{STATUS_GLYPHS[o.status]}] {o.id:<37} {o.venue or '-':<14} {o.title}{note}")
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
    from paperdesk.locations import embedded_catalog

    ws = open_workspace(args)
    shipped = ws.locations.source_paths().get(DEFAULT_SOURCE) == embedded_catalog()
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
        if row["origin"]:
            origin = row["origin"]
        elif row["name"] == DEFAULT_SOURCE and shipped and not args.catalog:
            origin = "shipped with paperdesk"
        else:
            origin = "imported before paperdesk kept origins"
        echo(f"{row['name']:<24} {row['kind']:<6} {row['papers']:>6} papers  {origin}")
    return 0


def run_remove_source(args: argparse.Namespace) -> int:
    from paperdesk.locations import check_source_name

    ws = open_workspace(args)
    removed = ws.remove_source(check_source_name(args.name))
    kept = (
        f"; reading state of {plural(removed.orphaned, 'paper')} kept as orphans (list --orphans)"
        if removed.orphaned
        else "; no reading state was left behind"
    )
    back = "; the shipped list is the main list again" if removed.shipped_back else ""
    echo(f"removed source {removed.source} ({plural(removed.papers, 'paper')}){kept}{back}")
    return 0
