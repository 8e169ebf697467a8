"""What every command shares: the global options, opening the workspace, printing."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paperdesk.workspace import Workspace


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


def open_workspace(args: argparse.Namespace) -> Workspace:
    from paperdesk.workspace import Workspace

    return Workspace.open(home=args.home, catalog=args.catalog)


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def fail(message: str, code: int) -> int:
    """Print one error line on stderr and return the exit code."""
    sys.stderr.write(f"paperdesk: error: {' '.join(message.split())}\n")
    return code
