"""The markdown export: the list written back in its own format, with read marks.

It re-imports to the same papers: read papers are ``* [x]`` task items, other statuses and the
note's first line follow in a ``<sub>…</sub>`` suffix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from paperdesk.catalog.models import TodoItem
from paperdesk.catalog.records import YEAR, Paper, Venue, Website
from paperdesk.export.bibtex import year_of
from paperdesk.export.markdown_text import (
    escape_heading,
    escape_line,
    escape_text,
    link_destination,
    markdown_link,
)
from paperdesk.state.models import PaperState

if TYPE_CHECKING:
    pass

UNSORTED_TOPIC = "Unsorted"
#: Section year of prefixed papers when nothing in the export has a year at all.
UNDATED_SECTION_YEAR = 2000
DAILY_TITLE = "Daily arXiv papers"
SUFFIX_SEPARATOR = " · "
NOTE_PREVIEW_CHARS = 80
_DAILY_WORDS = re.compile(r"daily.*arxiv|arxiv.*daily", re.IGNORECASE)


def _sub_text(text: str) -> str:
    """Text inside ``<sub>``: HTML-escaped, markdown-escaped, one line."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"[\\`*_\[\]|]", lambda m: "\\" + m.group(0), text)


def _title(title: str, keywords: Sequence[str]) -> str:
    """The escaped title with its keywords in ``**bold**``, as the list wrote them."""
    title = " ".join(title.split())
    spans: list[tuple[int, int]] = []
    for word in keywords:
        if not (word[:1].isalnum() and word[-1:].isalnum()):
            continue
        start = title.find(word)
        while start != -1 and any(a < start + len(word) and start < b for a, b in spans):
            start = title.find(word, start + 1)
        if start != -1:
            spans.append((start, start + len(word)))
    out, pos = [], 0
    for start, stop in sorted(spans):
        out += [escape_text(title[pos:start]), "**", escape_text(title[start:stop]), "**"]
        pos = stop
    out.append(escape_text(title[pos:]))
    return "".join(out)


def _suffix(paper: Paper, state: PaperState | None, *, with_date: bool) -> str:
    parts = []
    if state is not None and state.status not in ("read", "unread"):
        parts.append(state.status)
    if with_date and paper.date:
        parts.append(paper.date.isoformat())
    note = (state.note or "").strip() if state else ""
    if note:
        first = note.splitlines()[0].strip()
        if len(first) > NOTE_PREVIEW_CHARS:
            first = first[: NOTE_PREVIEW_CHARS - 1].rstrip() + "…"
        parts.append(f"note: {first}")
    return f" <sub>{_sub_text(SUFFIX_SEPARATOR.join(parts))}</sub>" if parts else ""


def _box(state: PaperState | None) -> str:
    return "[x]" if state is not None and state.status == "read" else "[ ]"


def _by_topic(papers: Sequence[Paper], default: str | None = None) -> dict[str, list[Paper]]:
    """Topic -> its papers, topics in first-seen order (``default`` for papers without one)."""
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        topics = paper.topics or ([default] if default else [])
        for topic in dict.fromkeys(topics):
            groups.setdefault(topic, []).append(paper)
    return groups


class _MarkdownWriter:
    """Lays papers out so that the importer's reading gives them back (:func:`write_markdown`)."""

    def __init__(self, papers: Sequence[Paper], states: Mapping[str, PaperState]) -> None:
        from paperdesk.catalog.importers.inline import PAPER_LABELS, primary_url
        from paperdesk.catalog.importers.venues import VenueNames

        self.primary_url = primary_url
        self.paper_labels = PAPER_LABELS
        self.papers = list({paper.id: paper for paper in papers}.values())
        self.states = states
        self.names = VenueNames()
        self.prefix_venues: dict[str, str | None] = {}

    def list_form(
        self,
        title: str,
        venues: Sequence[Venue],
        websites: Sequence[Website],
        todos: Sequence[TodoItem],
    ) -> str:
        if _DAILY_WORDS.search(title) and not YEAR.search(title):
            title = "Reading list"  # else the importer would take the file for a daily feed
        lines = [f"# {escape_heading(title)}", ""]
        self.names.heading(title)
        lines += self.websites(websites) + self.todos(todos)
        by_venue: dict[str | None, list[Paper]] = {}
        for venue in venues:
            by_venue.setdefault(venue.name, [])
        for paper in self.papers:
            by_venue.setdefault(paper.venue, []).append(paper)
        info = {venue.name: venue for venue in venues}
        unplaced = by_venue.pop(None, [])
        # Every heading is known before any line is written: the importer reads all headings
        # first, and their spellings decide how it reads prefixes.
        sections: list[tuple[str, list[Paper], bool]] = []
        prefixed: list[tuple[str, list[Paper]]] = []
        for name, group in by_venue.items():
            if not group:
                continue
            heading = self.venue_heading(info.get(name) or Venue(name=name, label=name))
            if heading is None:
                prefixed.append((name, group))
            else:
                sections.append((heading, group, False))
        known_years = [year for paper in self.papers if (year := year_of(paper))]
        for name, group in prefixed:
            # A paper without a year joins the group's newest year (else the export's newest):
            # its prefix names its venue either way, and the output never depends on the date.
            years = [year for paper in group if (year := year_of(paper))] or known_years
            undated = max(years, default=UNDATED_SECTION_YEAR)
            by_year: dict[int, list[Paper]] = {}
            for paper in group:
                by_year.setdefault(year_of(paper) or undated, []).append(paper)
            for year in sorted(by_year, reverse=True):
                label = f"{name} {year}"
                self.names.heading(label)
                sections.append((f"## {escape_heading(label)}", by_year[year], True))
        for topic, with_topic in _by_topic(unplaced, UNSORTED_TOPIC).items():
            lines += self.topic_block(f"## {escape_heading(topic)}", with_topic, prefixed=False)
        for heading, group, prefixed in sections:
            lines += ["---", heading, "", *self.venue_body(group, prefixed=prefixed)]
        return "\n".join(lines).rstrip("\n") + "\n"

    def venue_heading(self, venue: Venue) -> str | None:
        """``## [Label](url)`` when the importer reads that heading back as this venue."""
        for label in dict.fromkeys([venue.label, venue.name]):
            if not label or "\n" in label:
                continue
            found = self.names.heading(" ".join(label.split()))
            if found is not None and found.name == venue.name:
                text = escape_heading(label)
                return f"## [{text}]({link_destination(venue.url)})" if venue.url else f"## {text}"
        return None

    def venue_body(self, papers: list[Paper], *, prefixed: bool) -> list[str]:
        """Papers without a topic, then a ``### Topic`` block per topic."""
        lines = [self.paper_line(paper, prefixed=prefixed) for paper in papers if not paper.topics]
        if lines:
            lines.append("")
        for topic, with_topic in _by_topic(papers).items():
            lines += self.topic_block(f"### {escape_heading(topic)}", with_topic, prefixed=prefixed)
        return lines

    def topic_block(self, heading: str, papers: list[Paper], *, prefixed: bool) -> list[str]:
        return [heading, *(self.paper_line(paper, prefixed=prefixed) for paper in papers), ""]

    def links(self, paper: Paper) -> list[tuple[str, str]]:
        """The paper's links in an order from which the importer picks ``paper.url`` again."""
        seen: dict[str, str] = {}
        for link in paper.links:
            if link.url.strip() and link.url not in seen:
                seen[link.url] = "paper" if link.label == paper.title else link.label
        links = [(label, url) for url, label in seen.items()]
        if paper.url is None or self.primary_url(links) == paper.url:
            return links
        label = seen.get(paper.url, "paper")
        if label.lower() not in self.paper_labels:
            label = "paper"
        return [(label, paper.url), *((lab, url) for lab, url in links if url != paper.url)]

    def prefix_venue(self, candidate: str) -> str | None:
        """The venue the importer reads from a ``(candidate)`` prefix, if any."""
        if candidate not in self.prefix_venues:
            found = None
            if not re.search(r"[()\[\]\n]", candidate):
                found = self.names.prefix(f"({candidate}) title")
            self.prefix_venues[candidate] = found[1].name if found else None
        return self.prefix_venues[candidate]

    def prefix(self, paper: Paper, required: bool) -> str | None:
        """The ``(Venue)`` prefix to write: the paper's own when it still names its venue."""
        candidates = [paper.prefix, paper.venue, paper.venue_label] if paper.venue else []
        for candidate in candidates:
            if not candidate or not (required or candidate == paper.prefix):
                continue
            if self.prefix_venue(candidate) == paper.venue:
                return candidate
        return None

    def paper_line(self, paper: Paper, *, prefixed: bool) -> str:
        """``* [x] (MLSys'24) Title [paper](url) [code](url) [Tag | Tag] <sub>…</sub>``.

        ``prefixed``: the section does not name the paper's venue, so a prefix must.
        """
        title = " ".join(paper.title.split())
        state = self.states.get(paper.id)
        # A title that itself starts like a prefix needs the real one in front of it.
        required = prefixed or self.names.prefix(title) is not None
        prefix = self.prefix(paper, required)
        links = self.links(paper)
        parts = [f"* {_box(state)}"]
        if prefix:
            parts.append(f"({prefix})")
        parts.append(_title(title, paper.keywords))
        parts += [markdown_link(label, url) for label, url in links]
        if paper.tags:
            parts.append("[" + " | ".join(escape_line(tag) for tag in paper.tags) + "]")
        elif not links and title.endswith("]"):
            parts.append("[]")
        return " ".join(parts) + _suffix(paper, state, with_date=True)

    def websites(self, websites: Sequence[Website]) -> list[str]:
        if not websites:
            return []
        lines = ["## useful website", ""]
        groups: dict[str | None, list[Website]] = {}
        for site in websites:
            groups.setdefault(site.group, []).append(site)
        for group, sites in groups.items():
            indent = ""
            if group is not None:
                lines.append(f"* {escape_line(group)}:")
                indent = "  "
            for site in sites:
                name = "" if site.name == site.url else f"{escape_line(site.name)}: "
                about = f": {escape_line(site.description)}" if site.description else ""
                lines.append(f"{indent}* {name}{markdown_link(site.url, site.url)}{about}")
        return [*lines, ""]

    def todos(self, todos: Sequence[TodoItem]) -> list[str]:
        from paperdesk.catalog.importers.dates import find_date

        if not todos:
            return []
        lines = ["---", "## TODO list", ""]
        for item in todos:
            note = " ".join((item.note or "").split())
            if item.date and find_date(note) != item.date and find_date(item.name) != item.date:
                note = f"{note} ({item.date.isoformat()})".strip()
            box = "[x]" if item.done else "[ ]"
            link = f"[{escape_line(item.name)}]({link_destination(item.url or '')})"
            lines.append(f"* {box} {link}" + (f" {escape_line(note)}" if note else ""))
        return [*lines, ""]

    def daily_form(self, title: str) -> str:
        """``### 2026-08-18`` sections of `` `tag` [Title](url) `` bullets, newest first."""
        if not _DAILY_WORDS.search(title) or YEAR.search(title):
            title = DAILY_TITLE
        lines = [f"# {escape_heading(title)}", ""]
        undated = [paper for paper in self.papers if paper.date is None]
        by_day: dict[dt.date, list[Paper]] = {}
        for paper in self.papers:
            if paper.date is not None:
                by_day.setdefault(paper.date, []).append(paper)
        lines += [*map(self.daily_line, undated), ""] if undated else []
        for day in sorted(by_day, reverse=True):
            lines += [f"### {day.isoformat()}", *map(self.daily_line, by_day[day]), ""]
        return "\n".join(lines).rstrip("\n") + "\n"

    def daily_line(self, paper: Paper) -> str:
        state = self.states.get(paper.id)
        tags = [f"`{tag.replace('`', '')}`" for tag in paper.tags if tag.replace("`", "").strip()]
        others = [(label, url) for label, url in self.links(paper) if url != paper.url]
        parts = [f"* {_box(state)}", *tags, markdown_link(paper.title, paper.url or "")]
        parts += [markdown_link(label, url) for label, url in others]
        line = " ".join(parts) + _suffix(paper, state, with_date=False)
        if paper.summary:
            line += f"\n  > **TL;DR**: {escape_line(paper.summary)}"
        return line


def write_markdown(
    papers: Sequence[Paper],
    states: Mapping[str, PaperState],
    *,
    title: str | None = None,
    venues: Sequence[Venue] = (),
    websites: Sequence[Website] = (),
    todos: Sequence[TodoItem] = (),
) -> str:
    r"""A markdown list of ``papers`` with read marks, which the importer reads back to the same
    papers (same ids, venues, topic sets, URLs and titles). Conventions, each chosen for what
    the importer does:

    * ``* [x] `` marks a read paper, ``* [ ] `` any other; other statuses, a dated paper's date
      and the note's first line go in a trailing ``<sub>queued · note: …</sub>``, which the
      importer drops whole.
    * A venue whose name the importer gets back from a heading is a ``## [Label](url)`` section:
      papers without a topic first, then one ``### Topic`` section per topic (a paper with
      several topics is written under each; the importer merges repeats by id).
    * A venue no heading can name (``arXiv`` and other year-less venues) is a ``## arXiv 2024``
      section per year whose papers each carry the ``(arXiv)`` prefix; a prefix beats the
      section, so they keep their own venue. Papers whose own prefix names their venue
      (``(MLSys'24)``) keep it in every section.
    * Papers without a venue come first, under ``## Topic`` headings, before any venue heading
      (the importer gives them no venue there); one without a topic is put under
      :data:`UNSORTED_TOPIC`, as a list cannot hold a paper with neither.
    * Titles, labels and topics are backslash-escaped (``\[ \] \* \_ \| \<`` …), so the importer
      reads back the title written; a title that would read as a prefix (``(NSDI'24) …``) gets
      its venue as an explicit prefix first, and a link-less title ending in ``]`` gets ``[]``
      so its brackets are not taken for tags.
    * An all-arXiv selection without topics (a daily feed) is written in the daily form:
      ``### 2026-08-18`` sections of `` `tag` [Title](url) `` bullets with their TL;DR quote.
    """
    from paperdesk.catalog.importers.venues import ARXIV

    writer = _MarkdownWriter(papers, states)
    daily = (
        bool(writer.papers)
        and not websites
        and not todos
        and all(p.venue == ARXIV and not p.topics for p in writer.papers)
        and any(p.date for p in writer.papers)
    )
    if daily:
        return writer.daily_form(title or DAILY_TITLE)
    return writer.list_form(title or "Papers", venues, websites, todos)
