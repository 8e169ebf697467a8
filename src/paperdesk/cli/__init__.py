"""The command line: argument parsing and printing only; every command calls the core.

Nothing here imports Textual: the desk is imported only when ``paperdesk`` runs without a
command, which keeps ``list`` and ``show`` fast and scriptable. A bare ``paperdesk`` does not
even load the argument parser: it goes straight to the desk.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator, Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from paperdesk import __version__
from paperdesk.errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PaperdeskError,
    Terminated,
)

if TYPE_CHECKING:
    import argparse

#: Which module registers each command, so a run loads only the modules its words name.
COMMAND_MODULES = {
    **dict.fromkeys(("import", "list", "show", "venues", "sources"), "catalog_cmds"),
    **dict.fromkeys(("mark", "note", "todo", "doctor"), "store_cmds"),
    **dict.fromkeys(("sync", "enrich"), "sync_cmds"),
    **dict.fromkeys(("export", "stats"), "export_cmds"),
    **dict.fromkeys(("view", "queue"), "reading_cmds"),
    **dict.fromkeys(("state", "undo", "history"), "state_cmds"),
    **dict.fromkeys(("venue", "triage"), "venue_cmds"),
}


def _base_parser() -> argparse.ArgumentParser:
    from paperdesk.cli.common import OneLineParser, add_global_options

    parser = OneLineParser(
        prog="paperdesk",
        description="A keyboard-first reading desk for research-paper lists. "
        "Without a command, opens the desk.",
    )
    parser.add_argument("--version", action="version", version=f"paperdesk {__version__}")
    add_global_options(parser, suppress=False)
    return parser


def desk_args(words: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of a plain ``paperdesk [--home H] [--catalog C]``, or None for anything
    else. Parsed before any command module is loaded: the desk's start does not wait for them."""
    if "-h" in words or "--help" in words:
        return None
    args, extra = _base_parser().parse_known_args(words)
    if extra:
        return None
    args.command = None
    return args


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: every command for help and errors, or only those ``argv`` names.

    Registering only the modules of the words in ``argv`` keeps ``paperdesk show`` from
    importing and building the parsers of every other command (it is on every call's path).
    """
    parser = _base_parser()
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = {COMMAND_MODULES[word] for word in argv or () if word in COMMAND_MODULES}
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        if not named or module in named:
            import_module(f"paperdesk.cli.{module}").register(commands)
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Arguments, with words after an option still read as a command's positionals.

    ``paperdesk mark PAPER --venue V read`` would otherwise end in "unrecognized arguments:
    read": argparse takes the positionals only up to the first option.
    """
    args, extra = parser.parse_known_args(argv)
    items = getattr(args, "items", None)
    if extra and isinstance(items, list) and not any(word.startswith("-") for word in extra):
        items.extend(extra)
    elif extra:
        command = " ".join(filter(None, [args.command, getattr(args, "todo_command", None)]))
        where = f"{command}: " if command else ""
        help_of = " ".join(filter(None, ["paperdesk", command]))
        from paperdesk.cli.common import fail

        message = f"{where}unrecognized arguments: {' '.join(extra)}; see '{help_of} --help'"
        raise SystemExit(fail(message, EXIT_USAGE))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``paperdesk`` script; returns the exit code."""
    words = sys.argv[1:] if argv is None else argv
    args = (desk_args(words) or parse_args(build_parser(words), words)) if words else None
    command = args.command if args is not None else None
    try:
        if args is None or command is None:
            from paperdesk.tui import run_desk

            if args is None:
                return run_desk()
            return run_desk(home=args.home, catalog=args.catalog)
        with _signals_as_exceptions():
            return args.handler(args) or EXIT_OK
    except PaperdeskError as exc:
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except Terminated as exc:
        return _fail("terminated", exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:  # a case no command foresaw: still one line, never a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"{command or 'desk'}: {exc.strerror or exc}{where}", EXIT_FAILURE)


@contextlib.contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """SIGTERM and SIGHUP (a closed SSH session) raise :class:`Terminated` while a command runs,
    as Ctrl-C raises KeyboardInterrupt, so its writes clean up instead of leaving temp files."""
    import signal

    def terminated(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, terminated) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _fail(message: str, code: int) -> int:
    from paperdesk.cli.common import fail

    return fail(message, code)
