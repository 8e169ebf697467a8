"""What the screens ask of the app: the writer thread, the clipboard, the browser, failing.

Screens reach these through ``self.app`` typed as :class:`DeskApp`, so they depend on this
small protocol rather than on :mod:`paperdesk.tui.app`, which imports every screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from paperdesk.tui.writer import Job, StoreWriter


class DeskApp(Protocol):
    """The services :class:`paperdesk.tui.app.PaperdeskApp` gives its screens."""

    writer: StoreWriter | None

    def submit(self, job: Job) -> None:
        """Run ``job`` on the writer thread, in order; its outcome comes back as a message."""

    @property
    def writer_busy(self) -> bool:
        """Whether the writer has jobs queued (polls wait rather than pile up)."""

    def triage(self, venue: str) -> None:
        """Open triage of ``venue`` over the current screen."""

    def fetch_venue(self, venue: str) -> None:
        """Fetch ``venue``'s accepted papers from DBLP in a worker, then open its triage."""

    def copy_text(self, text: str, what: str) -> None:
        """Copy ``text`` to the clipboard and say which way worked."""

    def open_link(self, url: str) -> None:
        """Open ``url`` in a browser, or show and copy it where none can open."""

    def desk_mounted(self) -> None:
        """The desk's panes exist: fill them from the opening."""

    def fail(self, error: BaseException) -> None:
        """End the app with ``error`` as its one line."""
