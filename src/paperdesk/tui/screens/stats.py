"""Reading statistics (``S``): the same numbers as ``paperdesk stats``, computed off the UI thread.

The computation reads the store, so it runs on the writer thread like every other store call;
the screen shows "computing…" until the answer comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from paperdesk.tui.text import clean
from paperdesk.tui.writer import Job, JobDone, JobFailed

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.dom import DOMNode

    from paperdesk.tui.services import DeskApp
    from paperdesk.workspace import Workspace


def stats_text(ws: Workspace) -> str:
    from paperdesk.export.stats import compute_stats, format_stats

    return format_stats(compute_stats(ws))


class StatsScreen(ModalScreen[None]):
    """Progress by status, venue, topic and week, and the next deadline."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "stats.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,S", "close", "Close", id="stats.close"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="stats.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="stats.up"),
    ]

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws
        self.text = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-box") as box:
            box.border_title = "Reading statistics"
            box.border_subtitle = "escape closes"
            yield Static(Content.styled("computing…", "$text-muted"), id="stats-text")

    def on_mount(self) -> None:
        app: DeskApp = self.app  # type: ignore[assignment]
        app.submit(Job("stats", lambda: stats_text(self.ws), self))

    def on_job_done(self, message: JobDone) -> None:
        self.text = message.job.result
        self.query_one("#stats-text", Static).update(Content(clean(self.text, multiline=True)))

    def on_job_failed(self, message: JobFailed) -> None:
        self.notify(f"Could not compute the statistics: {message.error}", severity="error")
        self.dismiss()

    def key_nodes(self) -> list[tuple[str, DOMNode]]:
        return [("Statistics", self)]

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#stats-box", VerticalScroll)
        if direction == "down":
            box.scroll_down()
        else:
            box.scroll_up()
