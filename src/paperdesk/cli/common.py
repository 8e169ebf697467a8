"""What every command shares: the global options, opening the workspace, printing."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from paperdesk.errors import EXIT_USAGE, NotFoundError, UsageError
from paperdesk.inert import inert, json_escaped

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paperdesk.catalog.records import Paper
    from paperdesk.query import Node
    from paperdesk.workspace import Workspace

#: How a paper's reading status shows in a one-line listing (``[x] id  venue  title``).
STATUS_GLYPHS = {"unread": " ", "queued": "+", "reading": ">", "read": "x", "skipped": "-"}


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error, naming the
    command and where its help is (argparse would print the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("paperdesk").strip()
        where = f"{command}: " if command else ""
        raise SystemExit(fail(f"{where}{message}; see '{self.prog} --help'", EXIT_USAGE))


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    """``--home`` and ``--catalog``, accepted before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--home",
        metavar="PATH",
        default=default,
        help="paperdesk home (default: $PAPERDESK_HOME or the user data dir)",
    )
    parser.add_argument(
        "--catalog",
        metavar="PATH",
        default=default,
        help="read papers from this list or catalog file instead of the home's sources",
    )


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_text, description=help_text)
    add_global_options(parser)
    return parser


def add_scope(parser: argparse.ArgumentParser) -> None:
    """``--venue``/``--topic``/``--source`` (together they narrow) or ``--all``: what a
    command acting on many papers acts on, instead of naming them."""
    scope = parser.add_argument_group("instead of naming papers")
    scope.add_argument("--venue", metavar="V", help="every paper of this venue")
    scope.add_argument("--topic", metavar="T", help="every paper with this topic")
    scope.add_argument("--source", metavar="NAME", help="every paper of this source")
    add_query_option(scope)
    scope.add_argument("--all", action="store_true", help="every paper of the catalog")


def add_query_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--query",
        metavar="Q",
        help="papers matching this query, e.g. 'status:unread year:>=2024 -venue:arxiv' "
        "(the README lists the syntax)",
    )


def scoped_papers(ws: Workspace, args: argparse.Namespace, refs: list[str]) -> list[Paper]:
    """The papers named by ``refs`` or by the options of :func:`add_scope`, never both."""
    query = parse_query(args.query)
    catalog = ws.catalog
    filters = {"venue": args.venue, "topic": args.topic, "source": args.source}
    narrowed = any(filters.values()) or query is not None
    if args.all and narrowed:
        raise UsageError("--all takes no --venue, --topic, --source or --query")
    if refs and (args.all or narrowed):
        raise UsageError("give either papers or --venue/--topic/--source/--query/--all, not both")
    if refs:
        return [catalog.find(ref) for ref in refs]
    if not args.all and not narrowed:
        raise UsageError(
            "name at least one paper, or use --venue, --topic, --source, --query or --all"
        )
    rows = catalog.rows_of(**filters)
    if query is not None:
        rows = query_rows(ws, query, rows)
    papers = [catalog.paper(row) for row in rows]
    if not papers:
        raise NotFoundError("no papers in that selection")
    return papers


def parse_query(text: str | None) -> Node | None:
    """The parsed ``--query`` (None without one): a mistake exits 2 before anything is read."""
    if text is None:
        return None
    from paperdesk.query import parse

    return parse(text)


def query_rows(ws: Workspace, query: Node, rows: Sequence[int] | None = None) -> list[int]:
    """The rows of ``rows`` (default: all) that ``query`` keeps, with the home's state."""
    from paperdesk.query import evaluate

    return evaluate(query, ws.query_facts(lambda: new_papers(ws)), rows)


def new_papers(ws: Workspace) -> set[str]:
    """The papers ``new:`` means, for every command: those in the inbox."""
    from paperdesk.state.inbox import new_papers as in_inbox

    return in_inbox(ws.locations.store)


def open_workspace(args: argparse.Namespace, *, skip_damaged: bool = False) -> Workspace:
    """The workspace of ``--home``/``--catalog``; ``skip_damaged`` warns about damaged sources
    on stderr and leaves them out instead of failing (``import`` repairs them)."""
    from paperdesk.workspace import Workspace

    warn = (lambda message: echo(f"warning: {message}", file=sys.stderr)) if skip_damaged else None
    return Workspace.open(home=args.home, catalog=args.catalog, skip_damaged=warn)


def echo(text: str = "", *, file: Any = None) -> None:
    """``print`` for every human-readable line: lines carry titles, notes, tags and URLs."""
    print(inert(text), file=file or sys.stdout)


def print_json(value: Any) -> None:
    """Indented JSON, non-ASCII as is, but what a terminal acts on escaped (exact text)."""
    sys.stdout.write(json_escaped(json.dumps(value, ensure_ascii=False, indent=2)) + "\n")


def fail(message: str, code: int) -> int:
    """Print one error line on stderr and return the exit code."""
    sys.stderr.write(f"paperdesk: error: {' '.join(inert(message).split())}\n")
    return code
