"""Base of the desk's line-API widgets: a ScrollView whose line count changes without a layout.

Setting ``virtual_size`` asks the whole screen for a layout pass, which at 160x45 costs tens of
milliseconds — more than the desk's whole budget for a search keystroke. A list or a detail pane
that only changes how many lines it holds needs none: the widget keeps its place, only its
scrollbar changes. So the line count is set the way Textual itself does it for a resize without
layout (``set_reactive`` + ``_scroll_update``), and the vertical scrollbar is always shown
(``overflow-y: scroll`` in the CSS) so no scrollbar ever appears or disappears.
"""

from __future__ import annotations

from rich.style import Style
from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget


class LineView(ScrollView):
    """A ScrollView of ``line_count`` lines drawn by ``render_line``.

    ``base_style`` is the widget's own style, computed once per paint instead of per line
    (``rich_style`` walks every ancestor).
    """

    base_style = Style()

    def render_lines(self, crop: Region) -> list[Strip]:
        self.base_style = self.rich_style
        return super().render_lines(crop)

    def set_line_count(self, count: int) -> None:
        size = Size(0, count)
        if size == self.virtual_size:
            return
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        self.refresh()


class WrappedView(LineView):
    """A :class:`LineView` of one :class:`Content`, wrapped to the width: showing other content
    re-wraps it and repaints with no layout pass; a resize re-wraps only when the width changed.
    """

    def __init__(self, content: Content, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = content
        self._lines: list[Strip] = []
        self._width = 0

    def set_content(self, content: Content, *, top: bool) -> None:
        """Show ``content``, from its first line when ``top`` (else where it was scrolled)."""
        self.content = content
        self._wrap()
        if top:
            self.scroll_to(y=0, animate=False)

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        self._width = width
        self._lines = Visual.to_strips(self, self.content, width, None, self.visual_style, pad=True)
        self.set_line_count(len(self._lines))
        self.refresh()

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._width:
            self._wrap()

    def render_line(self, y: int) -> Strip:
        index = y + round(self.scroll_offset.y)
        if index < len(self._lines):
            return self._lines[index]
        return Strip.blank(self.scrollable_content_region.width, self.base_style)


class CursorList(LineView):
    """A :class:`LineView` of ``line_total`` lines with a cursor line the keys move and the
    view follows; :meth:`cursor_moved` says where it went (the subclass posts its message)."""

    cursor = 0

    @property
    def line_total(self) -> int:
        raise NotImplementedError

    def cursor_moved(self) -> None:
        """The cursor is on another line (or its line shows something else)."""

    def move_to(self, index: int) -> None:
        if not self.line_total:
            return
        index = max(0, min(index, self.line_total - 1))
        if index != self.cursor:
            self.refresh_line(self.cursor)
            self.cursor = index
            self.refresh_line(index)
            self._scroll_to_cursor()
        self.cursor_moved()

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_offset.y)
        if center and not (top <= self.cursor < top + height):
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def on_resize(self) -> None:
        self._scroll_to_cursor()

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.line_total - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.scrollable_content_region.height - 1))
