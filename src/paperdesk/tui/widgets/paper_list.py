"""The paper list: one line per paper, drawn only for the rows on screen.

A line-API :class:`ScrollView` over a list of catalog row indices: 50,000 papers cost a list of
ints, not 50,000 widgets (``DataTable`` takes seconds to fill, ``ListView`` never finishes). A
status change redraws one line. The screen hands rows down with :meth:`PaperList.show_rows`;
the list posts :class:`PaperList.Highlighted`, :class:`PaperList.Opened` and
:class:`PaperList.PicksChanged` up.

Papers can be picked for a bulk mark: ``space`` picks one, ``v`` starts a range that the cursor
extends until ``v`` again, ``escape`` lets go; picked papers carry a marker in the first column.
A pick belongs to the list it was made in: other rows shown let go of it. A repeat count
(``5j``) is handed down by the screen in :attr:`PaperList.count` and taken by the next move.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from paperdesk.tui.text import clean
from paperdesk.tui.widgets.line_view import CursorList

if TYPE_CHECKING:
    from paperdesk.tui.desk_model import DeskModel

GLYPHS = {"unread": " ", "queued": "+", "reading": "▸", "read": "✓", "skipped": "-"}
#: In front of the status glyph: the paper is picked for a bulk mark.
PICK_GLYPH = "•"
#: After the status glyph: the paper has a note.
NOTE_GLYPH = "✎"
_GLYPH_WIDTH = 4
_VENUE_MAX = 18
_TAGS_WIDTH = 22
_TAGS_MIN_WIDTH = 100
_VENUE_MIN_WIDTH = 48
_CELL_CACHE = 4096


def fit(text: str, width: int) -> str:
    """``text`` padded or cut (with an ellipsis) to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class PaperList(CursorList, can_focus=True, inherit_bindings=False):
    """Papers of the current selection with status glyph, note mark, title, venue and tags."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--venue",
        "paper-list--tags",
        "paper-list--empty",
        "paper-list--done",
        "paper-list--picked",
        *(f"paper-list--{status}" for status in GLYPHS),
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "First paper", show=False, id="list.first"),
        Binding("G,end", "last", "Last paper", show=False, id="list.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter", "open", "Details", id="list.open"),
        Binding("space", "pick", "Pick", show=False, id="list.pick"),
        Binding("v", "pick_range", "Pick a range", show=False, id="list.pick_range"),
        Binding("escape", "drop_picks", "Drop picks", show=False, id="list.drop_picks"),
    ]

    class Highlighted(Message):
        """The highlighted paper changed (``row`` is a catalog row, or None for an empty list)."""

        def __init__(self, paper_list: PaperList, row: int | None) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.row = row

        @property
        def control(self) -> PaperList:
            return self.paper_list

    class Opened(Message):
        """Enter on a paper: the screen shows it in full."""

        def __init__(self, paper_list: PaperList, row: int) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.row = row

        @property
        def control(self) -> PaperList:
            return self.paper_list

    class PicksChanged(Message):
        """Papers were picked or let go: ``count`` are picked now."""

        def __init__(self, paper_list: PaperList, count: int) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.count = count

        @property
        def control(self) -> PaperList:
            return self.paper_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.model: DeskModel | None = None
        self.rows: Sequence[int] = ()
        self.cursor = 0
        self.empty_text = "Loading…"
        self._venue_width = 0
        self._highlighted: int | None = None
        self._styles: dict[str, Style] | None = None
        self._cells: dict[tuple[int, tuple[int, int, int]], tuple[str, str, str]] = {}
        #: Catalog rows picked with space (and ranges closed with v), in the order picked.
        self.picked: dict[int, None] = {}
        #: Where a range started (a list index) while one is open; the cursor is its other end.
        self.anchor: int | None = None
        #: The digits of a repeat count typed before a move ("" when none is pending).
        self.count = ""

    # -- attributes down -----------------------------------------------------------------

    def set_model(self, model: DeskModel) -> None:
        self.model = model
        self._cells.clear()
        names = [group.name for group in model.catalog.venues]
        self._venue_width = min(_VENUE_MAX, max((cell_len(n) for n in names), default=0))

    def show_rows(self, rows: Sequence[int], *, keep: int | None = None) -> None:
        """Show ``rows``; the cursor stays on catalog row ``keep`` when it is still listed."""
        self.rows = rows
        if self.picked or self.anchor is not None:
            self.picked.clear()
            self.anchor = None
            self.post_message(self.PicksChanged(self, 0))
        index = 0
        if keep is not None:
            try:
                index = rows.index(keep)
            except ValueError:
                index = 0
        self.set_line_count(len(rows))
        self.cursor = index
        self._scroll_to_cursor(center=keep is not None)
        self.refresh()
        self.cursor_moved()

    @property
    def highlighted_row(self) -> int | None:
        """The catalog row under the cursor."""
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def refresh_row(self, row: int) -> None:
        """Redraw one paper after its status changed, if it is on screen."""
        if self.highlighted_row == row:
            self.refresh_line(self.cursor)
            return
        top = round(self.scroll_offset.y)
        for index in range(top, min(top + self.size.height, len(self.rows))):
            if self.rows[index] == row:
                self.refresh_line(index)

    # -- picks ---------------------------------------------------------------------------

    def _range(self) -> range:
        if self.anchor is None:
            return range(0)
        low, high = sorted((self.anchor, self.cursor))
        return range(low, min(high, len(self.rows) - 1) + 1)

    def picked_rows(self) -> list[int]:
        """The picked papers (catalog rows), an open range included, in list order."""
        if not self.picked and self.anchor is None:
            return []
        in_range = {self.rows[index] for index in self._range()}
        return [row for row in self.rows if row in self.picked or row in in_range]

    def _is_picked(self, index: int, row: int) -> bool:
        if row in self.picked:
            return True
        anchor = self.anchor
        return anchor is not None and min(anchor, self.cursor) <= index <= max(anchor, self.cursor)

    def _picks_changed(self) -> None:
        self.refresh()
        self.post_message(self.PicksChanged(self, len(self.picked_rows())))

    def action_pick(self) -> None:
        """Pick the paper under the cursor, or let it go; the cursor moves on to the next."""
        row = self.highlighted_row
        if row is None:
            return
        if row in self.picked:
            del self.picked[row]
        else:
            self.picked[row] = None
        self._picks_changed()
        self.move_to(self.cursor + 1)

    def action_pick_range(self) -> None:
        """Start a range at the cursor; the second ``v`` keeps what it covers picked."""
        if self.highlighted_row is None:
            return
        if self.anchor is None:
            self.anchor = self.cursor
        else:
            self.picked.update(dict.fromkeys(self.rows[index] for index in self._range()))
            self.anchor = None
        self._picks_changed()

    def drop_picks(self) -> None:
        """Let go of every pick and close an open range (after a bulk mark, or ``escape``)."""
        if self.picked or self.anchor is not None:
            self.picked.clear()
            self.anchor = None
            self._picks_changed()

    def action_drop_picks(self) -> None:
        self.drop_picks()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "drop_picks":  # else escape is the screen's (clear the search)
            return bool(self.picked) or self.anchor is not None
        return True

    # -- cursor --------------------------------------------------------------------------

    def take_count(self) -> int:
        """The pending repeat count (1 when none), which the move taking it uses up."""
        count = int(self.count) if self.count else 1
        self.count = ""
        return max(count, 1)

    def move_to(self, index: int) -> None:
        if self.anchor is not None and index != self.cursor:
            self.refresh()  # the range follows the cursor: its marker lines change
            super().move_to(index)
            self.post_message(self.PicksChanged(self, len(self.picked_rows())))
            return
        super().move_to(index)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + self.take_count())

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - self.take_count())

    def action_last(self) -> None:
        """The last paper, or with a count the paper at that place (``5G``)."""
        place = int(self.count) if self.count else self.line_total
        self.count = ""
        self.move_to(place - 1)

    @property
    def line_total(self) -> int:
        return len(self.rows)

    def cursor_moved(self) -> None:
        row = self.highlighted_row
        if row != self._highlighted:
            self._highlighted = row
            self.post_message(self.Highlighted(self, row))

    def action_open(self) -> None:
        row = self.highlighted_row
        if row is not None:
            self.post_message(self.Opened(self, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.move_to(offset.y + round(self.scroll_offset.y))

    # -- drawing -------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cells.clear()
        self._styles = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._styles = None  # styles depend on focus and theme: once per paint
        return super().render_lines(crop)

    def _line_styles(self) -> dict[str, Style]:
        """Every style a line uses, computed once per paint."""
        if self._styles is None:
            base = self.base_style

            def component(name: str) -> Style:
                return self.get_component_rich_style(f"paper-list--{name}", partial=True)

            cursor = base + component("cursor")
            styles = {"line": base, "cursor": cursor}
            for name in ("venue", "tags", "done", "empty", "picked", *GLYPHS):
                styles[name] = base + component(name)
                # the cursor line keeps its own colours, except for the status glyph and pick
                keeps = name in GLYPHS or name == "picked"
                styles[f"cursor-{name}"] = cursor + component(name) if keeps else cursor
            self._styles = styles
        return self._styles

    def _columns(self, width: int) -> tuple[int, int, int]:
        venue = self._venue_width if width >= _VENUE_MIN_WIDTH else 0
        tags = _TAGS_WIDTH if width >= _TAGS_MIN_WIDTH else 0
        title = width - _GLYPH_WIDTH - (venue + 1 if venue else 0) - (tags + 1 if tags else 0)
        return title, venue, tags

    def _texts(self, row: int, columns: tuple[int, int, int]) -> tuple[str, str, str]:
        """A paper's cleaned, fitted column texts (cached: titles are cleaned once)."""
        key = (row, columns)
        texts = self._cells.get(key)
        if texts is None:
            assert self.model is not None
            paper = self.model.paper(row)
            title, venue, tags = columns
            texts = (
                fit(clean(paper.title), title),
                fit(clean(paper.venue or ""), venue) if venue else "",
                fit(clean(" ".join(paper.tags)), tags) if tags else "",
            )
            if len(self._cells) > _CELL_CACHE:
                self._cells.clear()
            self._cells[key] = texts
        return texts

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        styles = self._line_styles()
        index = y + round(self.scroll_offset.y)
        if self.model is None or index >= len(self.rows):
            if index == 0 and self.empty_text:
                return Strip([Segment(fit(f" {self.empty_text}", width), styles["empty"])], width)
            return Strip.blank(width, styles["line"])
        row = self.rows[index]
        model = self.model
        status = model.row_status[row]
        prefix = "cursor-" if index == self.cursor else ""
        line = styles[prefix.rstrip("-") or "line"]
        columns = self._columns(width)
        title, venue, tags = self._texts(row, columns)
        noted = NOTE_GLYPH if model.paper_id(row) in model.notes else " "
        picked = (self.picked or self.anchor is not None) and self._is_picked(index, row)
        glyph = styles[prefix + status]
        segments = [
            Segment(PICK_GLYPH, styles[prefix + "picked"]) if picked else Segment(" ", glyph),
            Segment(GLYPHS[status], glyph),
            Segment(f"{noted} ", styles[prefix + "tags"]),
            Segment(title, styles[prefix + "done"] if status == "skipped" else line),
        ]
        if columns[1]:
            segments += [Segment(" ", line), Segment(venue, styles[prefix + "venue"])]
        if columns[2]:
            segments += [Segment(" ", line), Segment(tags, styles[prefix + "tags"])]
        return Strip(segments, width)
