"""Errors the CLI turns into one line on stderr, and the exit code each one means.

Every failure a user can cause (a bad file, an unknown paper, a corrupt store, a failed fetch)
is a :class:`PaperdeskError`; anything else is a bug and may show a traceback. The exit codes,
here and nowhere else:

- 0: done;
- 1: a failure (a file, the store, the network, something that does not exist);
- 2: a usage error: the command line itself is wrong (an unknown option, status, format or
  field, a bad date, a missing argument) or names several things where it needs one;
- 130: interrupted (Ctrl-C); 128 + the signal's number when SIGTERM (143) or SIGHUP (129)
  ended it. Either way, files being written are removed and the store is left as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class PaperdeskError(Exception):
    """A failure with a one-line message that says what, where, and what to do."""

    exit_code = EXIT_FAILURE


class UsageError(PaperdeskError):
    """The command line itself is wrong."""

    exit_code = EXIT_USAGE


class QueryError(UsageError):
    """A query (:mod:`paperdesk.query`) that cannot be read; ``column`` (1-based) is where the
    mistake starts, so the desk can point at it under its search box."""

    def __init__(self, column: int, reason: str) -> None:
        super().__init__(f"bad query at column {column}: {reason}")
        self.column = column
        self.reason = reason


class NotFoundError(PaperdeskError):
    """A paper, venue, source or TODO item that does not exist."""


class AmbiguousError(PaperdeskError):
    """A reference that matches several things; the message lists a few."""

    exit_code = EXIT_USAGE


class InputError(PaperdeskError):
    """A list or catalog file that cannot be read or holds no papers."""


class StoreError(PaperdeskError):
    """The store is unreadable, corrupt, from a newer paperdesk, or cannot be written."""


class FetchError(PaperdeskError):
    """A network fetch failed; nothing was changed."""


class OutputError(PaperdeskError):
    """A file the user asked for (``-o OUT``) cannot be written; nothing was changed."""


class UnknownStatusError(UsageError, ValueError):
    """A status that is not one of :data:`~paperdesk.catalog.models.STATUSES`."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: raised like Ctrl-C's KeyboardInterrupt, so that writes in
    progress clean up their temporary files and roll back before the process ends."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum


def validation_summary(exc: ValidationError) -> str:
    """One line out of pydantic's multi-line report: where, what, and how many more."""
    errors = exc.errors(include_url=False)
    where = ".".join(str(part) for part in errors[0]["loc"])
    text = " ".join(str(errors[0]["msg"]).split())
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {text}{more}" if where else f"{text}{more}"
