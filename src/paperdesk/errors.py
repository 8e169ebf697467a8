"""Errors the CLI turns into one line on stderr, and the exit code each one means.

Every failure a user can cause (a bad file, an unknown paper, a corrupt store, a failed fetch)
is a :class:`PaperdeskError`; anything else is a bug and may show a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


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


class UnknownStatusError(InputError, ValueError):
    """A status that is not one of :data:`~paperdesk.catalog.models.STATUSES`."""


def validation_summary(exc: ValidationError) -> str:
    """One line out of pydantic's multi-line report: where, what, and how many more."""
    errors = exc.errors(include_url=False)
    where = ".".join(str(part) for part in errors[0]["loc"])
    text = " ".join(str(errors[0]["msg"]).split())
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {text}{more}" if where else f"{text}{more}"
