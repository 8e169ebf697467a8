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
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
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
