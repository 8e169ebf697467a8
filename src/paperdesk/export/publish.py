"""Writing a venue's picks back into the user's markdown list, touching no other line.

``venue publish`` adds the picked papers under the venue's heading in the list's own style: a
heading at the level the list gives venues (``## [NSDI 2025](url)``), ``### topic`` headings
when asked, and bullets with the list's own marker (``* Title [link](url)``). A new heading goes
after the last section of a venue of the same year, else after the last venue section (so
before a TODO or topic section that follows them), else at the end; it is set off from what is
above it as the list sets off its venues (blank lines and a ``---`` rule), and its headings
have blank lines after them, or before a topic, where the list's headings have them. Under an
existing heading only the picks the importer does not already read there (same normalised
title, so the same id) are added: publishing twice adds nothing the second time.

Titles are escaped for the list's own importer (:mod:`paperdesk.export.markdown_text`), so
``Foo [bar](baz)``, ``<!-- x`` or ``# Title`` read back as written, with the same id.

Nothing else changes: the file is cut into lines with their own endings (CRLF stays CRLF, a
missing final newline stays missing), new lines are only inserted, and the text is written only
if the file is still as it was read (:func:`apply_plan`, checked again just before the atomic
rename), so an edit saved meanwhile is never overwritten.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from paperdesk.catalog.identity import normalise_title
from paperdesk.catalog.importers.awesome import heading_text
from paperdesk.catalog.importers.inline import atoms
from paperdesk.catalog.importers.venues import VenueNames
from paperdesk.catalog.sources import read_list_bytes
from paperdesk.errors import InputError, OutputError
from paperdesk.export.markdown_text import (
    block_safe,
    escape_heading,
    escape_line,
    markdown_link,
)

# CommonMark's ATX heading: a closing run of ``#`` counts only after a space (``### C#`` is
# the topic ``C#``).
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"[ \t]*([*+-])[ \t]+\S")
_RULE = re.compile(r"[ \t]*(?:-[ \t]*){3,}$|[ \t]*(?:\*[ \t]*){3,}$|[ \t]*(?:_[ \t]*){3,}$")
_FENCE = re.compile(r"[ \t]*(```|~~~)")
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclass(frozen=True)
class Pick:
    """A paper to publish: its title, link and topic (the session it came from)."""

    title: str
    url: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Stamp:
    """What a file was when read: a later stamp that differs means someone changed it."""

    mtime_ns: int
    size: int
    sha256: str


@dataclass(frozen=True)
class ListFile:
    """A list's bytes as read, with the stamp they were read under."""

    path: Path
    data: bytes
    stamp: Stamp


@dataclass(frozen=True)
class Plan:
    """What publishing would do to a list: the file as it was read and the text to write."""

    source: ListFile
    text: str
    added: list[Pick]
    heading_added: bool

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def changed(self) -> bool:
        return bool(self.added)

    def diff(self) -> str:
        """A unified diff of the change (empty when nothing is added)."""
        before = self.source.data.decode("utf-8").splitlines(keepends=True)
        after = self.text.splitlines(keepends=True)
        lines = difflib.unified_diff(before, after, str(self.path), str(self.path))
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass
class _Line:
    text: str  # without its ending
    ending: str  # "\n", "\r\n" or "" (the last line of a file without a final newline)


@dataclass
class _Section:
    """A heading and the lines under it, up to the next heading of its level or above."""

    start: int
    end: int  # exclusive
    level: int
    label: str
    venue: str | None
    year: int | None


@dataclass(frozen=True)
class _Style:
    """How the list writes what publishing adds: its bullet marker, whether its headings have a
    blank line after them and its topic headings one before them, and the venue's prefix for
    a title that would otherwise read as a prefix of its own."""

    marker: str
    blank_after: bool
    blank_before: bool
    names: VenueNames
    venue: str


def read_list(path: Path) -> ListFile:
    """The list as read now, or one error line naming it."""
    before = _stat(path)
    data = read_list_bytes(path)
    return ListFile(path, data, _stamp(before, data))


def plan_publish(
    source: ListFile,
    venue: str,
    picks: Sequence[Pick],
    *,
    url: str | None = None,
    topics: bool = False,
) -> Plan:
    """The list ``source`` with ``picks`` under ``venue``'s heading."""
    try:
        text = source.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source.path} is not UTF-8 text (bad byte at {exc.start})") from None
    lines = [_split(raw) for raw in _LINE.findall(text)]
    newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    names = VenueNames()
    heads = _headings(lines)
    sections = _sections(lines, heads, names)
    venues = [s for s in sections if s.venue is not None]
    wanted = venue.casefold()
    own = next((s for s in venues if (s.venue or "").casefold() == wanted), None)
    level = venues[0].level if venues else 2
    style = _style(lines, heads, level, names, venue)
    picks = _distinct(picks)
    inserts: list[tuple[int, list[str]]] = []
    if own is not None:
        section = lines[own.start : own.end]
        have = _titles_in(section)
        # a title the importer reads otherwise than written (``[x] Title`` as a task) is
        # found by its line, so publishing twice still adds it once
        written = {line.text.strip() for line in section}
        added = [
            pick
            for pick in picks
            if normalise_title(pick.title) not in have and _bullet(pick, style) not in written
        ]
        inserts = _under_existing(lines, sections, own, added, style, topics)
    else:
        added = list(picks)
        if added:
            label = markdown_link(venue, url) if url else escape_heading(venue)
            heading = "#" * level + " " + label
            body = [heading, *_blank(style.blank_after)]
            body += _bullets(added, style, level + 1, topics)
            inserts = [_new_section(lines, venues, _year(venue), body)]
    result = _insert(lines, inserts, newline)
    return Plan(source, result, added, heading_added=own is None and bool(added))


def apply_plan(plan: Plan) -> None:
    """Write the planned text, unless the file changed since it was read (then nothing).

    The check runs twice: before writing, and again on the written temporary file's way in,
    right before the rename, so an editor's save in between is never overwritten.
    """
    from paperdesk.atomic import write_user_file

    def unchanged() -> None:
        if _current_stamp(plan.path) != plan.source.stamp:
            raise OutputError(
                f"{plan.path} changed since it was read; nothing was written — "
                "run the command again"
            )

    unchanged()
    write_user_file(plan.path, plan.text.encode("utf-8"), before_replace=unchanged)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _stamp(info: os.stat_result | None, data: bytes) -> Stamp:
    digest = hashlib.sha256(data).hexdigest()
    if info is None:
        return Stamp(-1, -1, digest)
    return Stamp(info.st_mtime_ns, info.st_size, digest)


def _current_stamp(path: Path) -> Stamp | None:
    """The file's stamp now (``None`` when it cannot be read: it changed, as far as we know)."""
    info = _stat(path)
    if info is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _stamp(info, data)


def _split(raw: str) -> _Line:
    if raw.endswith("\r\n"):
        return _Line(raw[:-2], "\r\n")
    if raw.endswith("\n"):
        return _Line(raw[:-1], "\n")
    return _Line(raw, "")


def _headings(lines: Sequence[_Line]) -> list[tuple[int, int, str]]:
    r"""``(index, level, label)`` of every heading, skipping fenced code and HTML comments; the
    label as the importer reads it (``### C\#`` is ``C#``, ``[NSDI 2025](url)`` is ``NSDI
    2025``)."""
    heads: list[tuple[int, int, str]] = []
    fence: str | None = None
    comment = False
    for index, line in enumerate(lines):
        text = line.text
        if fence is not None:
            if text.strip().startswith(fence):
                fence = None
            continue
        if comment:
            comment = "-->" not in text
            continue
        if (match := _FENCE.match(text)) is not None:
            fence = match[1]
            continue
        if text.lstrip().startswith("<!--") and "-->" not in text:
            comment = True
            continue
        if (match := _HEADING.match(text)) is not None:
            heads.append((index, len(match[1]), heading_text(atoms(match[2] or ""))[0]))
    return heads


def _sections(
    lines: Sequence[_Line], heads: Sequence[tuple[int, int, str]], names: VenueNames
) -> list[_Section]:
    """Every heading's section."""
    sections = []
    for n, (start, level, label) in enumerate(heads):
        end = next((i for i, lv, _ in heads[n + 1 :] if lv <= level), len(lines))
        found = names.heading(label)
        sections.append(
            _Section(
                start,
                end,
                level,
                label,
                found.name if found else None,
                found.year if found else None,
            )
        )
    return sections


def _style(
    lines: Sequence[_Line],
    heads: Sequence[tuple[int, int, str]],
    level: int,
    names: VenueNames,
    venue: str,
) -> _Style:
    """The list's own habits, by majority: a blank line after its venue and topic headings
    (``level`` and below), and one before a topic heading that follows content (as after
    headings when no topic heading follows content)."""
    ours = [(index, lv) for index, lv, _ in heads if lv >= level] or [(i, lv) for i, lv, _ in heads]
    after = [not lines[index + 1].text.strip() for index, _ in ours if index + 1 < len(lines)]
    heading_at = {index for index, _, _ in heads}
    before = []
    for index, lv in ours:
        if lv <= level:
            continue
        above = index
        while above > 0 and (
            not lines[above - 1].text.strip() or _RULE.match(lines[above - 1].text)
        ):
            above -= 1
        if above > 0 and above - 1 not in heading_at:  # content above, not its own heading
            before.append(above < index)
    return _Style(
        marker=_marker(lines),
        blank_after=_most(after),
        blank_before=_most(before) if before else _most(after),
        names=names,
        venue=venue,
    )


def _most(votes: Sequence[bool]) -> bool:
    return sum(votes) * 2 > len(votes)


def _blank(wanted: bool) -> list[str]:
    return [""] if wanted else []


def _content_end(lines: Sequence[_Line], start: int, end: int) -> int:
    """The index after a section's last line of content (blank lines and rules after it
    separate it from the next section)."""
    last = end
    while last > start + 1 and (
        not lines[last - 1].text.strip() or _RULE.match(lines[last - 1].text)
    ):
        last -= 1
    return last


def _gap_above(lines: Sequence[_Line], heading: int) -> list[str]:
    """The blank lines and rules right above a heading: how the list sets off its venues."""
    start = heading
    while start > 0 and (not lines[start - 1].text.strip() or _RULE.match(lines[start - 1].text)):
        start -= 1
    gap = [line.text for line in lines[start:heading]]
    return gap if start > 0 and gap else [""]


def _marker(lines: Sequence[_Line]) -> str:
    counts: dict[str, int] = {}
    for line in lines:
        if (match := _BULLET.match(line.text)) is not None:
            counts[match[1]] = counts.get(match[1], 0) + 1
    return max(counts, key=lambda m: counts[m]) if counts else "*"


def _titles_in(lines: Sequence[_Line]) -> set[str]:
    """Normalised titles (what ids are made of) of the papers these lines list, by the
    importer's own reading."""
    from paperdesk.catalog.importers import parse_text

    text = "".join(line.text + "\n" for line in lines)
    return {normalise_title(paper.title) for paper in parse_text(text, "-").papers}


def _distinct(picks: Sequence[Pick]) -> list[Pick]:
    """The picks without repeats of one paper (same normalised title)."""
    seen: dict[str, Pick] = {}
    for pick in picks:
        seen.setdefault(normalise_title(pick.title), pick)
    return list(seen.values())


def _bullet(pick: Pick, style: _Style) -> str:
    """``* Title [link](url)``, the title escaped so the importer reads it back as written: a
    title that starts like a venue prefix (``(NSDI'24) …``) gets the venue's own in front, and
    one without a link that ends in ``]`` gets ``[]`` so its brackets are not read as tags."""
    title = " ".join(pick.title.split())
    text = escape_line(title)
    if style.names.prefix(title) is not None:
        text = f"({escape_line(style.venue)}) {text}"
    else:
        text = block_safe(text)
    if pick.url:
        return f"{style.marker} {text} {markdown_link('link', pick.url)}"
    return f"{style.marker} {text} []" if title.endswith("]") else f"{style.marker} {text}"


def _grouped(picks: Sequence[Pick]) -> dict[str | None, list[Pick]]:
    groups: dict[str | None, list[Pick]] = {}
    for pick in picks:
        groups.setdefault(pick.topic, []).append(pick)
    if None in groups:  # papers without a session first, as lists put them above topics
        groups = {None: groups.pop(None), **groups}
    return groups


def _topic_block(topic: str, picks: Sequence[Pick], style: _Style, level: int) -> list[str]:
    """A ``### topic`` heading and its bullets, with the list's blank line after a heading."""
    heading = "#" * level + " " + escape_heading(topic)
    return [heading, *_blank(style.blank_after), *(_bullet(pick, style) for pick in picks)]


def _bullets(picks: Sequence[Pick], style: _Style, level: int, topics: bool) -> list[str]:
    if not topics:
        return [_bullet(pick, style) for pick in picks]
    out: list[str] = []
    for topic, group in _grouped(picks).items():
        if topic is None:
            out.extend(_bullet(pick, style) for pick in group)
            continue
        out += [
            *_blank(style.blank_before and bool(out)),
            *_topic_block(topic, group, style, level),
        ]
    return out


def _under_existing(
    lines: Sequence[_Line],
    sections: Sequence[_Section],
    own: _Section,
    picks: Sequence[Pick],
    style: _Style,
    topics: bool,
) -> list[tuple[int, list[str]]]:
    if not picks:
        return []
    heading_at = {s.start for s in sections}

    def at_end(start: int, end: int, new: list[str]) -> tuple[int, list[str]]:
        """``new`` after the content of the section from ``start``; right under its heading,
        after the blank line the list puts there."""
        at = _content_end(lines, start, end)
        return at, [*_blank(style.blank_after and at - 1 in heading_at), *new]

    subs = [s for s in sections if own.start < s.start < own.end and s.level == own.level + 1]
    if not topics:
        return [at_end(own.start, own.end, [_bullet(p, style) for p in picks])]
    inserts = []
    intro_end = subs[0].start if subs else own.end
    new_topics: list[str] = []
    for topic, group in _grouped(picks).items():
        bullets = [_bullet(pick, style) for pick in group]
        wanted = " ".join((topic or "").split()).casefold()
        sub = next((s for s in subs if topic and s.label.casefold() == wanted), None)
        if topic is None:
            inserts.append(at_end(own.start, intro_end, bullets))
        elif sub is not None:
            inserts.append(at_end(sub.start, sub.end, bullets))
        else:
            new_topics += _topic_block(topic, group, style, own.level + 1)
    if new_topics:
        at, new = at_end(own.start, own.end, new_topics)
        content_above = at - 1 not in heading_at
        inserts.append((at, [*_blank(style.blank_before and content_above), *new]))
    return inserts


def _new_section(
    lines: Sequence[_Line], venues: Sequence[_Section], year: int | None, body: list[str]
) -> tuple[int, list[str]]:
    same_year = [s for s in venues if year is not None and s.year == year]
    anchor = (same_year or list(venues))[-1:]
    if not anchor:
        return len(lines), ["", *body] if lines else body
    section = anchor[0]
    return _content_end(lines, section.start, section.end), [
        *_gap_above(lines, section.start),
        *body,
    ]


def _year(venue: str) -> int | None:
    match = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", venue)
    return int(match[1]) if match else None


def _insert(lines: list[_Line], inserts: list[tuple[int, list[str]]], newline: str) -> str:
    """The lines with each insert's new lines before index ``at``, every old line as it was:
    a last line without a newline gets one only when lines follow it, and the file's last
    line then ends as the old last line did. Inserts at one index keep their order (a topic's
    bullets, then the new topics after it)."""
    out = list(lines)
    order = sorted(range(len(inserts)), key=lambda n: (inserts[n][0], n), reverse=True)
    for at, new in (inserts[n] for n in order):
        if not new:
            continue
        added = [_Line(text, newline) for text in new]
        if at > 0 and at == len(out) and out[-1].ending == "":
            out[-1] = _Line(out[-1].text, newline)
            added[-1] = _Line(added[-1].text, "")
        out[at:at] = added
    return "".join(line.text + line.ending for line in out)
