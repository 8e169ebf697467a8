"""Writing a venue's picks back into the user's markdown list, touching no other line.

``venue publish`` adds the picked papers under the venue's heading in the list's own style: a
heading at the level the list gives venues (``## [NSDI 2025](url)``), ``### topic`` headings
when asked, and bullets with the list's own marker (``* Title [link](url)``). A new heading goes
after the last section of a venue of the same year, else after the last venue section (so
before a TODO or topic section that follows them), else at the end; it is set off from what is
above it as the list sets off its venues (blank lines and a ``---`` rule). Under an existing
heading only the picks not already there are added.

Nothing else changes: the file is cut into lines with their own endings (CRLF stays CRLF, a
missing final newline stays missing), new lines are only inserted, and the text is written only
if the file still holds the bytes it was planned from (:func:`apply_plan`), atomically.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.importers.venues import VenueNames
from paperdesk.errors import InputError, OutputError

_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_BULLET = re.compile(r"[ \t]*([*+-])[ \t]+\S")
_RULE = re.compile(r"[ \t]*(?:-[ \t]*){3,}$|[ \t]*(?:\*[ \t]*){3,}$|[ \t]*(?:_[ \t]*){3,}$")
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^)]*\)")
_FENCE = re.compile(r"[ \t]*(```|~~~)")
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclass(frozen=True)
class Pick:
    """A paper to publish: its title, link and topic (the session it came from)."""

    title: str
    url: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Plan:
    """What publishing would do to a list: the text it was read as and the text to write."""

    path: Path
    original: bytes
    text: str
    added: list[Pick]
    heading_added: bool

    @property
    def changed(self) -> bool:
        return bool(self.added)

    def diff(self) -> str:
        """A unified diff of the change (empty when nothing is added)."""
        before = self.original.decode("utf-8").splitlines(keepends=True)
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


def read_list(path: Path) -> bytes:
    """The list's bytes, or one error line naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; give the markdown list to publish into") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory; give the markdown list file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def plan_publish(
    path: Path,
    original: bytes,
    venue: str,
    picks: Sequence[Pick],
    *,
    url: str | None = None,
    topics: bool = False,
) -> Plan:
    """The list at ``path`` (read as ``original``) with ``picks`` under ``venue``'s heading."""
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (bad byte at {exc.start})") from None
    lines = [_split(raw) for raw in _LINE.findall(text)]
    newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    sections = _sections(lines)
    venues = [s for s in sections if s.venue is not None]
    wanted = venue.casefold()
    own = next((s for s in venues if (s.venue or "").casefold() == wanted), None)
    level = venues[0].level if venues else 2
    marker = _marker(lines)
    inserts: list[tuple[int, list[str]]] = []
    if own is not None:
        have = _ids_in(lines[own.start : own.end])
        added = [pick for pick in picks if paper_id(pick.title) not in have]
        inserts = _under_existing(lines, sections, own, added, marker, topics)
    else:
        added = list(picks)
        if added:
            heading = "#" * level + " " + (f"[{venue}]({url})" if url else venue)
            body = [heading, *_bullets(added, marker, level + 1, topics)]
            inserts = [_new_section(lines, venues, _year(venue), body)]
    result = _insert(lines, inserts, newline)
    return Plan(path, original, result, added, heading_added=own is None and bool(added))


def apply_plan(plan: Plan) -> None:
    """Write the planned text, unless the file changed since it was read (then nothing)."""
    from paperdesk.atomic import write_user_file

    if read_list(plan.path) != plan.original:
        raise OutputError(
            f"{plan.path} changed since it was read; nothing was written — run the command again"
        )
    write_user_file(plan.path, plan.text.encode("utf-8"))


def _split(raw: str) -> _Line:
    if raw.endswith("\r\n"):
        return _Line(raw[:-2], "\r\n")
    if raw.endswith("\n"):
        return _Line(raw[:-1], "\n")
    return _Line(raw, "")


def _label(heading: str) -> str:
    return " ".join(_LINK.sub(r"\1", heading).replace("**", "").split())


def _sections(lines: Sequence[_Line]) -> list[_Section]:
    """Every heading's section, skipping fenced code and HTML comments."""
    names = VenueNames()
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
            heads.append((index, len(match[1]), _label(match[2])))
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


def _ids_in(lines: Sequence[_Line]) -> set[str]:
    """Ids of the papers these lines list, by the importer's own reading."""
    from paperdesk.catalog.importers import parse_text

    return {
        paper.id for paper in parse_text("".join(line.text + "\n" for line in lines), "-").papers
    }


def _bullet(pick: Pick, marker: str) -> str:
    title = " ".join(pick.title.split())
    return f"{marker} {title} [link]({pick.url})" if pick.url else f"{marker} {title}"


def _grouped(picks: Sequence[Pick]) -> dict[str | None, list[Pick]]:
    groups: dict[str | None, list[Pick]] = {}
    for pick in picks:
        groups.setdefault(pick.topic, []).append(pick)
    if None in groups:  # papers without a session first, as lists put them above topics
        groups = {None: groups.pop(None), **groups}
    return groups


def _bullets(picks: Sequence[Pick], marker: str, level: int, topics: bool) -> list[str]:
    if not topics:
        return [_bullet(pick, marker) for pick in picks]
    out: list[str] = []
    for topic, group in _grouped(picks).items():
        if topic is not None:
            out.append("#" * level + " " + topic)
        out.extend(_bullet(pick, marker) for pick in group)
    return out


def _under_existing(
    lines: Sequence[_Line],
    sections: Sequence[_Section],
    own: _Section,
    picks: Sequence[Pick],
    marker: str,
    topics: bool,
) -> list[tuple[int, list[str]]]:
    if not picks:
        return []
    subs = [s for s in sections if own.start < s.start < own.end and s.level == own.level + 1]
    if not topics:
        return [(_content_end(lines, own.start, own.end), [_bullet(p, marker) for p in picks])]
    inserts = []
    intro_end = subs[0].start if subs else own.end
    new_topics: list[str] = []
    for topic, group in _grouped(picks).items():
        bullets = [_bullet(pick, marker) for pick in group]
        sub = next((s for s in subs if topic and s.label.casefold() == topic.casefold()), None)
        if topic is None:
            inserts.append((_content_end(lines, own.start, intro_end), bullets))
        elif sub is not None:
            inserts.append((_content_end(lines, sub.start, sub.end), bullets))
        else:
            new_topics += ["#" * (own.level + 1) + " " + topic, *bullets]
    if new_topics:
        inserts.append((_content_end(lines, own.start, own.end), new_topics))
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
    line then ends as the old last line did."""
    out = list(lines)
    for at, new in sorted(inserts, key=lambda pair: pair[0], reverse=True):
        if not new:
            continue
        added = [_Line(text, newline) for text in new]
        if at > 0 and at == len(out) and out[-1].ending == "":
            out[-1] = _Line(out[-1].text, newline)
            added[-1] = _Line(added[-1].text, "")
        out[at:at] = added
    return "".join(line.text + line.ending for line in out)
