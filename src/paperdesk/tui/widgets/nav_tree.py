"""The navigation tree: smart lists, venues by year with progress, other sources, websites.

Venue nodes are added once (a few hundred at most); their topics only when a venue is
expanded, so a 50,000-paper catalog builds the tree in milliseconds. Labels are
:class:`~rich.text.Text` built from cleaned user text, never markup. Counts are updated in
place after a mark (:meth:`NavTree.update_counts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from paperdesk.tui.selection import NEW_SINCE_SYNC, SMART_LISTS, Selection
from paperdesk.tui.text import literal

if TYPE_CHECKING:
    from paperdesk.models import CatalogFile, Website
    from paperdesk.tui.desk_model import DeskModel


def label(name: str, count: str = "") -> Text:
    text = literal(name)
    if count:
        text.append(f"  {count}", style="dim")
    return text


class NavTree(Tree[Selection]):
    """What to show in the paper list; enter opens a node, space expands it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="nav.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="nav.up"),
        Binding("g,home", "scroll_home", "First", show=False, id="nav.first"),
        Binding("G,end", "scroll_end", "Last", show=False, id="nav.last"),
        Binding("enter", "select_cursor", "Open", id="nav.open"),
        Binding("space", "toggle_node", "Expand", id="nav.toggle"),
        Binding("y", "copy_link", "Copy link", id="nav.copy_link"),
        Binding("o", "open_link", "Open link", id="nav.open_link"),
    ]

    class LinkRequested(Message):
        """``y``/``o`` (or enter on a website): the app copies or opens ``url``."""

        def __init__(self, url: str, name: str, *, copy: bool) -> None:
            super().__init__()
            self.url = url
            self.name = name
            self.copy = copy

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("paperdesk", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.model: DeskModel | None = None
        self._smart: dict[str, TreeNode[Selection]] = {}
        self._venues: dict[str, TreeNode[Selection]] = {}
        self._venue_totals: dict[str, int] = {}
        self._without_topics: set[str] = set()

    def process_label(self, label: str | Text) -> Text:  # type: ignore[override]
        """Plain strings are user text here: never parsed as markup."""
        return literal(label) if isinstance(label, str) else label

    # -- building --------------------------------------------------------------------------

    def populate(self, model: DeskModel) -> None:
        """(Re)build every node for ``model``; the cursor returns to the first smart list."""
        self.model = model
        self.clear()
        root = self.root
        self._smart = {}
        self._venues = {}
        self._venue_totals = {}
        self._without_topics = set()
        smart = list(SMART_LISTS)
        if model.new_since_sync is not None:
            smart.append((NEW_SINCE_SYNC, "New since sync"))
        for key, name in smart:
            selection = Selection("smart", key, name)
            self._smart[key] = root.add_leaf(name, data=selection)
        catalog = model.catalog
        for year, groups in groupby(catalog.venues, key=lambda group: group.year):
            title = str(year) if year else "Other venues"
            year_node = root.add(title, data=Selection("group", title, title), expand=True)
            for group in groups:
                node = year_node.add(
                    group.name,
                    data=Selection("venue", group.name, group.name, url=group.url),
                    allow_expand=bool(group.topics),
                )
                if not group.topics:
                    self._without_topics.add(group.name)
                self._venues[group.name] = node
                self._venue_totals[group.name] = len(group.rows)
        self._add_sources(root, catalog.files[1:])
        self._add_websites(root, catalog.websites)
        self.update_counts()
        self.move_cursor_to_line(0)

    def _add_sources(self, root: TreeNode[Selection], files: Iterable[CatalogFile]) -> None:
        files = list(files)
        if not files:
            return
        sources = root.add("Sources", data=Selection("group", "sources", "Sources"), expand=True)
        for file in files:
            sources.add(
                label(file.title or file.source, str(len(file.papers))),
                data=Selection("source", file.source, file.title or file.source),
                allow_expand=file.kind == "daily",
            )

    def _add_websites(self, root: TreeNode[Selection], sites: list[Website]) -> None:
        if not sites:
            return
        node = root.add("Websites", data=Selection("group", "websites", "Websites"))
        groups: dict[str, TreeNode[Selection]] = {}
        for site in sites:
            parent = node
            if site.group:
                parent = groups.get(site.group) or node.add(
                    site.group, data=Selection("group", site.group, site.group), expand=True
                )
                groups[site.group] = parent
            parent.add_leaf(
                label(site.name, site.description or ""),
                data=Selection("website", site.url, site.name, url=site.url),
            )

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Selection]) -> None:
        self._fill(event.node)

    def _fill(self, node: TreeNode[Selection]) -> None:
        """Add a venue's topics (or a feed's days) the first time it is opened."""
        selection = node.data
        if self.model is None or selection is None or node.children:
            return
        if selection.kind == "venue":
            catalog = self.model.catalog
            group = catalog.venue(selection.key)
            for topic in group.topics:
                count = len(catalog.topic_rows(topic, group.name))
                node.add_leaf(
                    label(topic, str(count)),
                    data=Selection("topic", topic, f"{group.name} · {topic}", venue=group.name),
                )
        elif selection.kind == "source":
            for day, count in self.model.venue_days(selection.key):
                node.add_leaf(
                    label(day.isoformat(), str(count)),
                    data=Selection("day", selection.key, f"{selection.label} · {day}", day=day),
                )

    def reveal(self, selection: Selection) -> bool:
        """Put the cursor back on ``selection`` after a rebuild (its venue or feed opened for a
        topic or a day); False when the rebuilt tree no longer has it."""
        parent_key = selection.venue if selection.kind == "topic" else selection.key
        if selection.kind == "smart":
            node = self._smart.get(selection.key)
        elif selection.kind in ("venue", "topic"):
            node = self._venues.get(parent_key or "")
        else:
            node = next(
                (
                    child
                    for group in self.root.children
                    for child in group.children
                    if child.data is not None
                    and child.data.kind == "source"
                    and child.data.key == parent_key
                ),
                None,
            )
        if node is not None and selection.kind in ("topic", "day"):
            self._fill(node)
            node.expand()
            node = next((child for child in node.children if child.data == selection), None)
        if node is None:
            return False
        self.last_line  # noqa: B018 - lays out the rebuilt lines, so the node has its line
        self.move_cursor(node)
        return True

    def venue_node(self, name: str) -> TreeNode[Selection] | None:
        return self._venues.get(name)

    def smart_node(self, key: str) -> TreeNode[Selection] | None:
        return self._smart.get(key)

    # -- counts ----------------------------------------------------------------------------

    def update_counts(self, venues: Iterable[str] | None = None) -> None:
        """Refresh smart-list counts and the progress of ``venues`` (all when None)."""
        model = self.model
        if model is None:
            return
        for key, node in self._smart.items():
            assert node.data is not None
            node.set_label(label(node.data.label, str(model.smart_count(key))))
        names = self._venues.keys() if venues is None else venues
        for name in names:
            node = self._venues.get(name)
            if node is not None:
                read, total = model.venue_read[name], self._venue_totals[name]
                # a venue without topics has no ▶: indent it to line up with those that do
                indent = "  " if name in self._without_topics else ""
                node.set_label(label(indent + name, f"{read}/{total}"))

    # -- links -----------------------------------------------------------------------------

    def _link(self) -> tuple[str, str] | None:
        node = self.cursor_node
        if node is None or node.data is None or not node.data.url:
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
