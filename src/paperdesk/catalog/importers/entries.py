"""What in a list is a paper, and which part of an entry is its title.

An entry is a bullet, a table row or a line of a paragraph. Whether it is a paper is decided
first by what it links to (:func:`.links.link_kind`), then by what else the list says of it:

1. A link to a paper (a paper host: arXiv, ACM DL, USENIX, IEEE Xplore, OpenReview, the
   proceedings sites; any PDF; a link labelled ``paper``, ``pdf`` or ``arXiv``) makes the entry
   a paper even when the link text is the whole bullet:
   ``- [Reducing Activation Recomputation in Large Transformer Models](https://arxiv.org/pdf/2205.05198.pdf)``.
2. A bullet that is only a link to anything else is not a paper: a table of contents
   (``* [Mesos](#mesos)``), a badge or an image, a plain site
   (``* [Accepted Papers](https://mlsys.org/Conferences/2024/AcceptedPapers)``,
   ``* [Apache Mesos](https://github.com/apache/mesos)``).
3. An entry that says more than its link (a title of its own, a ``: subtitle``, a ``| venue``,
   tags) is a paper, ``- [vLLM](https://vllm.ai/): Easy, Fast, and Cheap LLM Serving with
   PagedAttention | SOSP' 23``, unless all it links to is code and nothing gives it a venue: that
   is a tool (``- ggml: Tensor library for machine learning [[Code]](https://github.com/…)``).
4. An entry without a link is a paper where the list makes it one: in a venue section, with a
   venue of its own (``- [MLSys'22] Plumber: Diagnosing …``, ``1. **TensorFlow: …** OSDI 2016``),
   a task box or a tag group, or in a list that links none of its papers (a plain reading list
   of titles). In a list whose papers are links, it is a note (prose under a topic heading).

The title is put together the way these lists write it:

- link text and a ``: subtitle`` after it: ``- [Megatron-LM](https://arxiv.org/pdf/1909.08053.pdf):
  Training Multi-Billion Parameter Language Models Using Model Parallelism | NVIDIA`` is the paper
  ``Megatron-LM: Training Multi-Billion Parameter Language Models Using Model Parallelism``
  tagged ``NVIDIA``;
- any number of groups before it: ``- [Survey :mag:] [arxiv'24] [Unlocking Efficiency in LLM
  Inference: A Survey of Speculative Decoding](https://arxiv.org/abs/2401.07851)`` is that title
  with venue arXiv (2024) and tag ``Survey``; ``[EuroMLSys@EuroSys'24]`` and
  ``[ES-FoMO @ ICML'24]`` are workshops (``EuroMLSys @ EuroSys 2024``);
- groups after it: ``| SOSP' 24`` names the venue, ``| NVIDIA`` and ``[Technical Report]`` are
  tags, a cross-reference (``[also in [2.1](#21-dl-scheduling)]``) is dropped;
- a venue written under it: ``Title <br> ICLR 2024``, ``**Title** OSDI 2016``, a second paragraph
  ``Arxiv 2025 [[Paper]](…)``, or inside the link text (``[Title. In NSDI'20.](…)``).

Badges never reach a title, nor do emoji shortcodes (``:mag:``) in link text or a group, or at
either end of a title written as text. (Inside such a title they stay: our own export writes
any title as text, and a title must come back as it was written.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .inline import (
    BREAK,
    PAPER_LABELS,
    Bullet,
    clean,
    clean_title,
    label_as_paper,
    split_tags,
    trailing_tags,
    unique,
)
from .links import link_kind
from .venues import VenueName, VenueNames, decoration_free

_URL = re.compile(r"[a-z][\w+.-]*://\S*$", re.IGNORECASE)
_PIPES = re.compile(r"\s*[|｜]\s*")
_SUBTITLE_END = re.compile(r"\s*(?:[|｜\[]|$)")
_CONTINUATION = re.compile(r"(?:with|for|in|of|and|via|on|at|to|from|by|using|through)\s", re.I)
_ET_AL = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:and|&)\s+[A-Z][\w'’.-]*)?\s+et\s+al\.?,?\s+")
_IN_VENUE = re.compile(r"[.,;]?\s+(?:In|in|@)\s+(?P<venue>[^.;()\[\]]{2,40}?)\s*\.?$")
_TRAILING_VENUE = re.compile(r"\s+(?P<venue>[A-Za-z][\w-]*\s?['’]?\s?(?:\d{2}|(?:19|20)\d{2}))\.?$")
_TRAILING_GROUP = re.compile(r"\s*\[(?P<group>[^\[\]]*)\]\s*$")
_CROSS_REFERENCE = re.compile(r"(?:also\s+(?:in|at|see)|see(?:\s+also)?)\b", re.IGNORECASE)
_SHORTCODE_BODY = re.compile(r"[a-z0-9_+\-]{1,30}")
# A bullet that is a note on its paper, not a paper: "slides", "arxiv version (2023):",
# "extended version of Galvatron (VLDB'23)", "also in ..."; but "Demo: X" and "Poster: X" are
# the titles of papers.
_ANNOTATION_WORDS = (
    r"slides?|code|source\s+code|video|talk|recording|poster|blog(?:\s+post)?|demo|"
    r"project(?:\s+page)?|website|home\s*page|supplement(?:ary)?(?:\s+materials?)?|appendix|"
    r"artifacts?|errata|preprint|arxiv|openreview|pdf|tech(?:nical)?\s+report|"
    r"extended\s+abstract|(?:arxiv|journal|extended|conference|full|short|long|camera[- ]ready|"
    r"workshop|preprint|published|online|openreview|tech(?:nical)?\s+report|earlier|previous|"
    r"updated|final)\s+version"
)
_ANNOTATION = re.compile(
    r"(?:(?:the|an?|our|its)\s+)?"
    rf"(?:(?:{_ANNOTATION_WORDS})"
    r"(?:$|(?=\s*[(\[])|(?=\s*:\s*$)|(?=\s+(?:of|for|on|at|in|from|by|with|v?\d)\b)).*"
    r"|also\s+(?:in|at|appears?\s+in|published\s+in|see)\b.*)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(slots=True)
class Entry:
    """One entry read: its title, links and what else it says, and the evidence for a paper."""

    title: str
    links: list[tuple[str, str]] = field(default_factory=list)
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    venue: VenueName | None = None
    prefix: str | None = None
    summary: str | None = None
    whole_link: bool = False
    paper_link: bool = False
    code_only: bool = False
    boxed: bool = False
    tagged: bool = False

    def is_paper(self, *, in_venue: bool, plain_list: bool = False) -> bool:
        """Rules 1 to 4 of the module docstring; ``in_venue``: the entry is in a venue section,
        ``plain_list``: the list links none of its papers."""
        if self.whole_link:
            return self.paper_link
        if self.links and self.code_only:
            return self.venue is not None or in_venue or plain_list
        if self.links:
            return True
        return in_venue or plain_list or self.venue is not None or self.boxed or self.tagged

    @property
    def evident(self) -> bool:
        """Whatever its place, the entry says it is a paper: a paper link or its own venue."""
        return self.paper_link or self.venue is not None


def read_entry(
    bullet: Bullet, names: VenueNames, more: Sequence[Bullet] = ()
) -> Entry | str | None:
    """The entry a bullet (and its further paragraphs ``more``) writes; a warning for a line
    with links but nothing that can be its title, ``None`` for one with neither."""
    groups = names.groups(bullet.head)
    after_groups = groups.ends[-1] if groups.ends else 0
    from_label = bullet.has_links and not clean(bullet.head[after_groups:])
    if from_label:
        entry = _from_label(bullet, names, groups.all_tags, groups.ends != [])
        if entry is None or isinstance(entry, str):
            return entry
    else:
        start = groups.venue_end if groups.venue is not None else 0
        entry = _from_text(bullet, names, start)
        if entry is None:
            return None
        entry.tags = unique([*groups.tags, *entry.tags])
    if groups.venue is not None:  # an explicit prefix is the best evidence of a venue
        entry.venue, entry.prefix = groups.venue, groups.raw
    links = bullet.real_links()
    for paragraph in more:
        _add_paragraph(entry, paragraph, names)
    kinds = [link_kind(url, label) for label, url in [*links, *entry.links]]
    entry.paper_link = "paper" in kinds
    entry.code_only = bool(kinds) and all(kind == "code" for kind in kinds)
    entry.boxed = bullet.done is not None
    title_link = entry.url if from_label else None  # "[Title](url)": the paper's own link
    entry.links = label_as_paper(unique_links([*links, *entry.links]), title_link or "")
    return entry


def annotates(bullet: Bullet) -> bool:
    """True for a nested bullet that annotates its parent paper (``slides [link](…)``,
    ``arxiv version (2023): [link](…)``, ``extended version of X``) or only adds links to it."""
    head = clean(bullet.head)
    if not head:
        return bullet.has_links or bool(bullet.tail.strip())
    return len(head) <= 120 and _ANNOTATION.fullmatch(head.rstrip(":")) is not None


def is_annotation(entry: Entry) -> bool:
    """A bullet that is only a link named like an annotation (``* [Slides](….pdf)`` after a
    paper): it belongs to the paper before it."""
    return entry.whole_link and _ANNOTATION.fullmatch(entry.title) is not None


def annotation_links(bullet: Bullet) -> list[tuple[str, str]]:
    """An annotating bullet's links, generic labels replaced by what it says (``slides``)."""
    phrase = clean(bullet.head).rstrip(":").strip()
    links = bullet.real_links()
    if not phrase:
        return links
    return [
        (phrase if not label or label.lower() in PAPER_LABELS or _URL.match(label) else label, url)
        for label, url in links
    ]


def unique_links(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for label, url in links:
        seen.setdefault(url, label)
    return [(label, url) for url, label in seen.items()]


def after_title(text: str, names: VenueNames, entry: Entry) -> None:
    """``| SOSP' 24 | NVIDIA [Tag]`` after a title: the first venue-like group names the
    venue (when the entry has none), cross-references go, the rest are tags."""
    for part in _PIPES.split(text):
        for group in split_tags(part) if "[" in part or "]" in part else [part]:
            _place_group(decoration_free(group).strip(" \t*_`:;,."), names, entry)


def finish_title(title: str, names: VenueNames, entry: Entry) -> str:
    """A title taken from link text or a paragraph: no authors before it, no venue, groups or
    decoration after it (``Stoica et al. A Berkeley View …``, ``Title. In NSDI'20.``)."""
    title = decoration_free(title)
    if (authors := _ET_AL.match(title)) is not None and authors.end() < len(title):
        title = title[authors.end() :]
    while (group := _TRAILING_GROUP.search(title)) is not None and group.start() > 0:
        _place_group(group["group"], names, entry)
        title = title[: group.start()]
    if "|" in title or "｜" in title:
        title, rest = _PIPES.split(title, maxsplit=1)
        after_title(rest, names, entry)
    for pattern in (_IN_VENUE, _TRAILING_VENUE):
        if (suffix := pattern.search(title)) is None or suffix.start() == 0:
            continue
        venue = names.parse_short(suffix["venue"].strip())
        known = pattern is _IN_VENUE or names.known(suffix["venue"])
        if venue is not None and venue.year is not None and known:
            entry.venue = entry.venue or venue
            title = title[: suffix.start()]
            break
    title = clean_title(title)
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title


def _from_text(bullet: Bullet, names: VenueNames, start: int) -> Entry | None:
    """An entry whose title is written as text (``* Title [paper](url) [Tag | Lab]``)."""
    body = bullet.head[start:]
    tagged = False
    if bullet.has_links:
        tags = split_tags(bullet.tail)
    else:
        body, tags = trailing_tags(body)
        tagged = bool(tags)
        tags = [tag for tag in tags if not _CROSS_REFERENCE.match(tag)]
    entry = Entry(title="", tags=tags, tagged=tagged)
    span = len(body)
    if BREAK in body:
        body, _, below = body.partition(BREAK)
        span = len(body)
        entry.venue = names.loose(below.split(BREAK, 1)[0], free=True)
    elif bullet.bold and (bold := _bold_title(bullet, start, body, names)) is not None:
        body, entry.venue = bold
        span = len(body)
    entry.title = clean_title(_without_edge_shortcodes(body) if ":" in body else body)
    entry.keywords = bullet.keywords(start, start + span)
    return entry if entry.title else None


def _bold_title(
    bullet: Bullet, start: int, body: str, names: VenueNames
) -> tuple[str, VenueName] | None:
    """``**Title** OSDI 2016``: a bold run opening the entry, then nothing but its venue."""
    offset, text = bullet.bold[0]
    lead = len(body) - len(body.lstrip())
    if offset != start + lead:
        return None
    rest = body[lead + len(text) :]
    venue = names.loose(rest) if clean(rest) else None
    return (text, venue) if venue is not None else None


def _from_label(
    bullet: Bullet, names: VenueNames, group_tags: list[str], grouped: bool
) -> Entry | str | None:
    """An entry whose title is its first link's text, with what follows it."""
    label, target = bullet.links[0]
    label = clean(_without_edge_shortcodes(label) if ":" in label else label)
    if not clean_title(label) or label.lower() in PAPER_LABELS or _URL.match(label):
        return "bullet with links but no paper title"
    entry = Entry(title="", url=target or None, tags=unique(group_tags))
    rest = clean(bullet.tail)
    open_label = ":" not in label.rstrip(":：") and not label.endswith((".", "?", "!"))
    title = label
    if label.endswith((":", "：")) or (rest.startswith((":", "：")) and open_label):
        rest = rest.lstrip(":： ")
        subtitle, rest = _cut(rest)
        title = f"{label.rstrip(':： ')}: {subtitle}" if subtitle else label
    elif rest.startswith((":", "：")):
        entry.summary = rest.lstrip(":： ") or None  # "[Full title.](url): what it does"
        rest = ""
    elif open_label and _CONTINUATION.match(rest):
        subtitle, rest = _cut(rest)
        title = f"{label} {subtitle}"
    after_title(rest, names, entry)
    entry.title = finish_title(title, names, entry)
    if not entry.title:
        return "bullet with links but no paper title"
    entry.whole_link = not grouped and not clean(bullet.tail) and not entry.tags
    return entry


def _without_edge_shortcodes(text: str) -> str:
    """``text`` without the emoji shortcodes it starts or ends with (``:fire: Title :mag:``);
    each step passes one whole shortcode, so a line of them costs its length, not its square."""
    text = text.strip()
    begin, end = 0, len(text)
    while (
        begin < end and text[begin] == ":" and (close := text.find(":", begin + 1, begin + 32)) > 0
    ):
        if not _SHORTCODE_BODY.fullmatch(text, begin + 1, close):
            break
        begin = close + 1
        while begin < end and text[begin].isspace():
            begin += 1
    while end > begin and text[end - 1] == ":":
        open_at = text.rfind(":", max(end - 33, begin), end - 1)
        if open_at < 0 or not _SHORTCODE_BODY.fullmatch(text, open_at + 1, end - 1):
            break
        end = open_at
        while end > begin and text[end - 1].isspace():
            end -= 1
    return text[begin:end]


def _cut(text: str) -> tuple[str, str]:
    """``Subtitle | rest`` -> (``Subtitle``, ``| rest``): a subtitle ends at a group."""
    match = _SUBTITLE_END.search(text)
    assert match is not None  # the pattern matches at the end at the latest
    return text[: match.start()].strip(), text[match.start() :].strip()


def _place_group(group: str, names: VenueNames, entry: Entry) -> None:
    group = " ".join(group.split())
    if not group or _CROSS_REFERENCE.match(group):
        return
    if entry.venue is None and (venue := names.loose(group)) is not None and venue.year:
        entry.venue = venue
        return
    if group not in entry.tags:
        entry.tags.append(group)


def _add_paragraph(entry: Entry, paragraph: Bullet, names: VenueNames) -> None:
    """A further paragraph of a bullet: ``Arxiv 2025 [[Paper]](…)`` or ``Code: [url](url)``."""
    links = paragraph.real_links()
    if not links:
        return
    lead = clean(paragraph.head)
    if lead.endswith(":"):
        name = lead.rstrip(":").strip()
        links = [(name if not label or _URL.match(label) else label, url) for label, url in links]
    elif lead and entry.venue is None:
        entry.venue = names.loose(lead, free=True)
    entry.links.extend(links)
    if entry.url is None:
        entry.url = next((url for label, url in links if label.lower() in PAPER_LABELS), None)
