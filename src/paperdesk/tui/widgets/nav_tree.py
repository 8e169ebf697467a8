"""The Library: smart lists, saved views, venues by year with progress, every source, websites.

A line-API widget over a small node model, like the paper list: only the lines on screen are
drawn, and a 50,000-paper catalog's 500 venues cost a list of nodes. (Textual's ``Tree`` took a
tenth of the desk's start-up to build, style and draw them.) Venue nodes are added once; their
topics only when a venue is first expanded, and a source's own structure (its venues and
topics, its headings, or its days) when it is. Labels are cleaned user text, never markup. A
line that does not fit shortens its name, never its count. Counts are updated in place after
a mark (:meth:`NavTree.update_counts`).

Messages up: :class:`NavTree.Highlighted` as the cursor moves, :class:`NavTree.Selected` on
enter or a click, :class:`NavTree.LinkRequested` for ``y``/``o``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from paperdesk.state.file_format import VIEW_KEYS
from paperdesk.tui.selection import Selection, same_place
from paperdesk.tui.text import clean
from paperdesk.tui.widgets.line_view import CursorList

if TYPE_CHECKING:
    from paperdesk.catalog.merged import SourceInfo
    from paperdesk.catalog.records import Website
    from paperdesk.tui.desk_model import DeskModel

_EXPANDED, _COLLAPSED, _LEAF = "▼ ", "▶ ", "  "
_BRANCH, _LAST, _PIPE, _SPACE = "├ ", "└ ", "│ ", "  "


class NavNode:
    """One line of the tree: a name, an optional count, what it selects, and its children."""

    def __init__(
        self,
        tree: NavTree,
        name: str,
        data: Selection,
        parent: NavNode | None,
        *,
        allow_expand: bool = False,
        expanded: bool = False,
    ) -> None:
        self.tree = tree
        self.name = clean(name)
        self.count = ""
        self.data = data
        self.parent = parent
        self.children: list[NavNode] = []
        self.allow_expand = allow_expand
        self.expanded = expanded
        #: Index among the visible lines, or -1 while an ancestor is collapsed.
        self.line = -1
        #: Rows whose progress (read/total) the count shows, for nodes counted that way.
        self.rows: Sequence[int] | None = None
        self._row_set: frozenset[int] | None = None

    def holds_any(self, rows: Iterable[int]) -> bool:
        if self.rows is None:
            return False
        if self._row_set is None:
            self._row_set = frozenset(self.rows)
        return any(row in self._row_set for row in rows)

    @property
    def label(self) -> str:
        return f"{self.name}  {self.count}" if self.count else self.name

    def add(self, name: str, data: Selection, **options: bool) -> NavNode:
        node = NavNode(self.tree, name, data, self, **options)
        self.children.append(node)
        return node

    @property
    def depth(self) -> int:
        return 0 if self.parent is None or self.parent.parent is None else self.parent.depth + 1

    @property
    def is_last(self) -> bool:
        return self.parent is None or self.parent.children[-1] is self

    def toggle(self) -> None:
        if self.expanded:
            self.collapse()
        else:
            self.expand()

    def expand(self) -> None:
        if self.allow_expand and not self.expanded:
            self.expanded = True
            self.tree.expanded(self)

    def collapse(self) -> None:
        if self.expanded:
            self.expanded = False
            self.tree.relayout()


class NavTree(CursorList, can_focus=True):
    """What to show in the paper list; enter opens a node, space expands it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"nav-tree--cursor", "nav-tree--dim"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="nav.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="nav.up"),
        Binding("g,home", "first", "First", show=False, id="nav.first"),
        Binding("G,end", "last", "Last", show=False, id="nav.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="nav.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="nav.page_up"),
        Binding("enter", "select_cursor", "Open", id="nav.open"),
        Binding("space", "toggle_node", "Expand", id="nav.toggle"),
        Binding("right,l", "expand", "Expand", show=False, id="nav.expand"),
        Binding("left,h", "collapse", "Collapse", show=False, id="nav.collapse"),
        Binding("y", "copy_link", "Copy link", id="nav.copy_link"),
        Binding("o", "open_link", "Open link", id="nav.open_link"),
    ]

    class Highlighted(Message):
        """The cursor moved to ``node``."""

        def __init__(self, node: NavNode) -> None:
            super().__init__()
            self.node = node

    class Selected(Message):
        """Enter (or a click) on ``node``."""

        def __init__(self, node: NavNode) -> None:
            super().__init__()
            self.node = node

    class LinkRequested(Message):
        """``y``/``o`` (or enter on a website): the app copies or opens ``url``."""

        def __init__(self, url: str, name: str, *, copy: bool) -> None:
            super().__init__()
            self.url = url
            self.name = name
            self.copy = copy

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model: DeskModel | None = None
        self.root = NavNode(self, "", Selection("group", "", ""), None, expanded=True)
        self.lines: list[NavNode] = []
        self.cursor = 0
        self._smart: dict[str, NavNode] = {}
        self._views: NavNode | None = None
        self._venues: dict[str, NavNode] = {}
        self._venue_totals: dict[str, int] = {}
        self._sources: dict[str, NavNode] = {}
        self._styles: tuple[Style, Style, Style] | None = None
        self._announced: NavNode | None = None
        self._quiet = False

    # -- building --------------------------------------------------------------------------

    def populate(self, model: DeskModel, selection: Selection | None = None) -> bool:
        """(Re)build every node for ``model``, the cursor on ``selection`` (opening what holds
        it) or on the first smart list; whether ``selection`` was found. Quietly: the screen
        knows what it selected, so no Highlighted message follows."""
        self._quiet = True
        self.model = model
        root = self.root
        root.children = []
        self.lines = []
        self._smart = {}
        self._venues = {}
        self._venue_totals = {}
        self._sources = {}
        for key, name in model.smart_lists():
            self._smart[key] = root.add(name, Selection("smart", key, name))
        self._views = None
        self._add_views(model.views)
        for year, groups in groupby(model.library_venues(), key=lambda group: group.year):
            title = str(year) if year else "Other venues"
            year_node = root.add(
                title, Selection("group", title, title), allow_expand=True, expanded=True
            )
            for group in groups:
                node = year_node.add(
                    group.name,
                    Selection("venue", group.name, group.name, url=group.url),
                    allow_expand=bool(group.topics),
                )
                self._venues[group.name] = node
                self._venue_totals[group.name] = len(model.library_rows(group.rows))
        self._add_sources(model.catalog.sources)
        self._add_websites(model.catalog.websites)
        self.cursor = 0
        self.relayout()
        node = self.find(selection) if selection is not None else None
        if node is not None:
            self.move_cursor(node)
        self.update_counts()
        self._announced = self.cursor_node
        self._quiet = False
        return node is not None

    # -- saved views -------------------------------------------------------------------------

    def _add_views(self, views: list[tuple[str, str]]) -> None:
        """The "Views" group right after the smart lists: each saved view with its key (1-9)."""
        if not views:
            return
        group = NavNode(
            self,
            "Views",
            Selection("group", "views", "Views"),
            self.root,
            allow_expand=True,
            expanded=True,
        )
        self.root.children.insert(len(self._smart), group)
        self._views = group
        for place, (name, _query) in enumerate(views, start=1):
            shown = f"{place} {name}" if place <= VIEW_KEYS else name
            group.add(shown, Selection("view", name, name))

    def show_views(self) -> None:
        """Rebuild the "Views" group after the saved views changed; the cursor stays put."""
        if self.model is None:
            return
        if self._views is not None:
            self.root.children.remove(self._views)
        self._views = None
        self._add_views(self.model.views)
        self.update_counts(())
        self.relayout()

    def view_node(self, name: str) -> NavNode | None:
        group = self._views
        return next((n for n in group.children if n.data.key == name), None) if group else None

    def _count_views(self) -> None:
        model = self.model
        if model is None or self._views is None:
            return
        for node in self._views.children:
            count = model.view_count(node.data.key)
            node.count = "?" if count is None else str(count)

    # -- sources and websites ----------------------------------------------------------------

    def _add_sources(self, infos: Iterable[SourceInfo]) -> None:
        """Every source, the main list included, each browsed in its own structure."""
        infos = list(infos)
        if not infos:
            return
        sources = self.root.add(
            "Sources", Selection("group", "sources", "Sources"), allow_expand=True, expanded=True
        )
        for info in infos:  # by name: what the user called it, and what list --source takes
            node = sources.add(
                info.name, Selection("source", info.name, info.name), allow_expand=info.papers > 0
            )
            node.count = str(info.papers)
            self._sources[info.name] = node

    def _add_websites(self, sites: list[Website]) -> None:
        if not sites:
            return
        node = self.root.add(
            "Websites", Selection("group", "websites", "Websites"), allow_expand=True
        )
        groups: dict[str, NavNode] = {}
        for site in sites:
            parent = node
            if site.group:
                parent = groups.get(site.group) or node.add(
                    site.group,
                    Selection("group", site.group, site.group),
                    allow_expand=True,
                    expanded=True,
                )
                groups[site.group] = parent
            leaf = parent.add(site.name, Selection("website", site.url, site.name, url=site.url))
            leaf.count = clean(site.description or "")

    def _progress_leaf(
        self, parent: NavNode, name: str, selection: Selection, rows: Sequence[int], **options: bool
    ) -> NavNode:
        node = parent.add(name, selection, **options)
        node.rows = rows
        self._count_progress(node)
        return node

    def _count_progress(self, node: NavNode) -> None:
        assert self.model is not None and node.rows is not None
        node.count = f"{self.model.read_count(node.rows)}/{len(node.rows)}"

    def expanded(self, node: NavNode) -> None:
        """``node`` was opened: add its children the first time (a venue's topics, a source's
        own structure, a source venue's topics)."""
        selection = node.data
        model = self.model
        if model is not None and not node.children:
            if selection.kind == "venue" and selection.source is None:
                catalog = model.catalog
                group = catalog.venue(selection.key)
                for topic in group.topics:
                    rows = model.library_rows(catalog.topic_rows(topic, group.name))
                    if rows:  # a topic only a feed's papers have is not the Library's
                        label = f"{group.name} · {topic}"
                        selection = Selection("topic", topic, label, venue=group.name)
                        self._progress_leaf(node, topic, selection, rows)
            elif selection.kind == "venue":
                self._add_topics(node, selection.source or "", selection.key)
            elif selection.kind == "source":
                self._add_structure(node, selection)
        self.relayout()

    def _add_structure(self, node: NavNode, selection: Selection) -> None:
        """A source's own structure under its node: days, venues (then topics) or topics."""
        assert self.model is not None
        model, name = self.model, selection.key
        structure = model.structure(name)
        if structure == "days":
            for day, count in model.venue_days(name):
                leaf = node.add(
                    day.isoformat(),
                    Selection("day", name, f"{selection.label} · {day}", day=day),
                )
                leaf.count = str(count)
        elif structure == "venues":
            for venue, rows in model.source_venues(name):
                has_topics = any(model.catalog.columns.topics[row] for row in rows)
                self._progress_leaf(
                    node,
                    venue,
                    Selection("venue", venue, f"{selection.label} · {venue}", source=name),
                    rows,
                    allow_expand=has_topics,
                )
        else:
            self._add_topics(node, name, None)

    def _add_topics(self, node: NavNode, source: str, venue: str | None) -> None:
        assert self.model is not None
        for topic, rows in self.model.source_topics(source, venue):
            shown = topic or "(no topic)"
            self._progress_leaf(
                node,
                shown,
                Selection(
                    "topic", topic, f"{node.data.label} · {shown}", venue=venue, source=source
                ),
                rows,
            )

    def relayout(self) -> None:
        """Recompute the visible lines after nodes were added, opened or closed."""
        current = self.cursor_node
        for node in self.lines:
            node.line = -1
        self.lines = list(self._visible(self.root))
        for index, node in enumerate(self.lines):
            node.line = index
        self.set_line_count(len(self.lines))
        if current is not None and current.line < 0:  # closed under the cursor: go up to it
            while current.parent is not None and current.line < 0:
                current = current.parent
        self.cursor = current.line if current is not None and current.line >= 0 else 0
        self._scroll_to_cursor()
        self.refresh()
        self.cursor_moved()

    def _visible(self, node: NavNode) -> Iterator[NavNode]:
        for child in node.children:
            yield child
            if child.expanded:
                yield from self._visible(child)

    # -- lookups -----------------------------------------------------------------------------

    @property
    def cursor_node(self) -> NavNode | None:
        return self.lines[self.cursor] if 0 <= self.cursor < len(self.lines) else None

    def venue_node(self, name: str) -> NavNode | None:
        return self._venues.get(name)

    def smart_node(self, key: str) -> NavNode | None:
        return self._smart.get(key)

    def reveal(self, selection: Selection) -> bool:
        """Put the cursor on ``selection``, opening what holds it; False when the tree does not
        have it (any more)."""
        node = self.find(selection)
        if node is not None:
            self.move_cursor(node)
        return node is not None

    def find(self, selection: Selection) -> NavNode | None:
        """The node of ``selection`` (same kind, key, venue, source and day), opening the
        nodes on the way so that lazily added children exist; None when the tree does not
        have it (any more)."""
        kind = selection.kind
        if kind == "smart":
            return self._smart.get(selection.key)
        if kind == "view":
            return self.view_node(selection.key)
        if kind == "group":
            return next((n for n in self.root.children if n.data == selection), None)
        if selection.source is None and kind in ("venue", "topic"):
            parent = self._venues.get(selection.venue or selection.key)
            path = [] if kind == "venue" else [selection]
        else:
            parent = self._sources.get(selection.source or selection.key)
            path = []
            if kind == "topic" and selection.venue is not None:
                path.append(Selection("venue", selection.venue, source=selection.source))
            if kind != "source":
                path.append(selection)
        for step in path:
            if parent is None:
                return None
            parent.expand()
            parent = next((c for c in parent.children if same_place(c.data, step)), None)
        return parent

    # -- counts ----------------------------------------------------------------------------

    def update_counts(self, rows: Iterable[int] | None = None) -> None:
        """Refresh the smart-list counts, and the progress of what holds ``rows`` (all when
        None): venues, and the topics and source parts opened so far."""
        model = self.model
        if model is None:
            return
        for key, node in self._smart.items():
            node.count = str(model.smart_count(key))
        self._count_views()
        changed = None if rows is None else list(rows)
        if changed is None:
            names: Iterable[str] = self._venues.keys()
        else:
            names = {venue for row in changed if (venue := model.venue_of(row))}
        for name in names:
            node = self._venues.get(name)
            if node is not None:
                node.count = f"{model.venue_read[name]}/{self._venue_totals[name]}"
        for node in self._counted(self.root):
            if changed is None or node.holds_any(changed):
                self._count_progress(node)
        self.refresh()

    def _counted(self, node: NavNode) -> Iterator[NavNode]:
        """Every node added so far that counts its own rows."""
        for child in node.children:
            if child.rows is not None:
                yield child
            yield from self._counted(child)

    # -- cursor ------------------------------------------------------------------------------

    @property
    def line_total(self) -> int:
        return len(self.lines)

    def move_cursor(self, node: NavNode) -> None:
        """Open ``node``'s ancestors and put the cursor on it."""
        ancestor = node.parent
        while ancestor is not None and ancestor is not self.root:
            if not ancestor.expanded:
                ancestor.expanded = True
                self.relayout()
            ancestor = ancestor.parent
        self.move_to(node.line)

    def cursor_moved(self) -> None:
        node = self.cursor_node
        if node is not None and node is not self._announced and not self._quiet:
            self._announced = node
            self.post_message(self.Highlighted(node))

    def action_select_cursor(self) -> None:
        node = self.cursor_node
        if node is not None:
            self.post_message(self.Selected(node))

    def action_toggle_node(self) -> None:
        node = self.cursor_node
        if node is not None:
            node.toggle()

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None:
            node.expand()

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_to(node.parent.line)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + round(self.scroll_offset.y)
        if not 0 <= index < len(self.lines):
            return
        node = self.lines[index]
        self.move_to(index)
        arrow = len(self._guides(node))
        if node.allow_expand and arrow <= offset.x < arrow + 2:
            node.toggle()
        else:
            self.post_message(self.Selected(node))

    # -- links -----------------------------------------------------------------------------

    def _link(self) -> tuple[str, str] | None:
        node = self.cursor_node
        if node is None or not node.data.url:
            return None
        return node.data.url, node.data.label

    def action_copy_link(self) -> None:
        link = self._link()
        if link:
            self.post_message(self.LinkRequested(*link, copy=True))

    def action_open_link(self) -> None:
        link = self._link()
        if link:
            self.post_message(self.LinkRequested(*link, copy=False))

    # -- drawing -----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._styles = None  # styles depend on focus and theme: once per paint
        return super().render_lines(crop)

    def _line_styles(self) -> tuple[Style, Style, Style]:
        if self._styles is None:
            base = self.base_style
            dim = base + self.get_component_rich_style("nav-tree--dim", partial=True)
            cursor = base + self.get_component_rich_style("nav-tree--cursor", partial=True)
            self._styles = (base, dim, cursor)
        return self._styles

    @staticmethod
    def _guides(node: NavNode) -> str:
        """The guide columns in front of a node's arrow: ``│ ├ `` and the like."""
        if node.depth == 0:
            return ""
        parts = [_BRANCH if not node.is_last else _LAST]
        ancestor = node.parent
        while ancestor is not None and ancestor.depth > 0:
            parts.append(_SPACE if ancestor.is_last else _PIPE)
            ancestor = ancestor.parent
        return "".join(reversed(parts))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base, dim, cursor = self._line_styles()
        index = y + round(self.scroll_offset.y)
        if index >= len(self.lines):
            return Strip.blank(width, base)
        node = self.lines[index]
        line = cursor if index == self.cursor else base
        guides = self._guides(node)
        if node.allow_expand:
            arrow = _EXPANDED if node.expanded else _COLLAPSED
        else:
            arrow = _LEAF if node.depth else ""
        room = width - cell_len(guides) - cell_len(arrow)
        if node.data.kind == "website":  # a description, not a count: it may be cut
            name, count = fit_line(f"{node.name}  {node.count}".strip(), "", room)
        else:
            name, count = fit_line(node.name, node.count, room)
        used = cell_len(guides) + cell_len(arrow) + cell_len(name) + cell_len(count)
        segments = [
            Segment(guides, dim),
            Segment(arrow, line),
            Segment(name, line),
            Segment(count, line + dim if index == self.cursor else dim),
            Segment(" " * max(width - used, 0), line),
        ]
        return Strip(segments, width)


def fit_line(name: str, count: str, room: int) -> tuple[str, str]:
    """A name and its count in ``room`` cells: the count is never cut, the name gives way (with
    an ellipsis) and so does the gap between them; returns the name and the count's cell
    text, gap included."""
    if not count:
        if cell_len(name) <= room:
            return name, ""
        return set_cell_size(name, max(room - 1, 0)) + "…", ""
    for gap in ("  ", " "):
        if cell_len(name) + len(gap) + cell_len(count) <= room:
            return name, gap + count
    space = room - 1 - cell_len(count)
    if space >= 2:
        return set_cell_size(name, space - 1) + "…", " " + count
    return "", count
