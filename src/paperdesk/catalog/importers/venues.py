"""Venue names: ``## [EuroSys 2025 Spring](url)`` headings and ``(Sigcomm'24)`` paper prefixes.

Lists spell one conference many ways (``Sigcomm'24``, ``SIGCOMM 2024``, ``NIPS``, ``arxiv,
2022``); the desk groups papers by venue, so every spelling must land on one canonical name
(``SIGCOMM 2024``). A workshop keeps its host: ``ES-FoMo @ ICML'24`` is ``ES-FoMo @ ICML 2024``.

Year groupings are not venues: a ``### 2024`` heading, a ``<summary>Before 2024</summary>``
fold or a ``2023-2024`` range only say when papers appeared (:func:`year_grouping`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paperdesk.catalog.records import YEAR

ARXIV = "arXiv"
KNOWN_VENUES = (
    "OSDI", "SOSP", "NSDI", "ATC", "EuroSys", "ASPLOS", "MLSys", "SIGCOMM", "HPCA", "ISCA",
    "MICRO", "PPoPP", "FAST", "VLDB", "SIGMOD", "ICDE", "SC", "NeurIPS", "ICML", "ICLR", "COLM",
    "SoCC", "ACL", "EMNLP", "NAACL", "AAAI", "IJCAI", "CVPR", "ICCV", "ECCV", "KDD", "WWW",
    "MobiCom", "MobiSys", "SenSys", "INFOCOM", "CoNEXT", "HotNets", "HotOS", "HotCloud",
    "HotStorage", "DAC", "ICCAD", "IPDPS", "ICS", "HPDC", "PACT", "CGO", "PLDI", "POPL",
    "OOPSLA", "Middleware", "SIGMETRICS", "IMC", "ICDCS", "ICPP", "CCGrid", "IWQoS", "TPDS",
    "TOCS", "JSAC", "ToN", "SysML", "APSys", "DATE", "SIGKDD", "SIGIR", "TACL", "TMLR", "ICASSP",
    "TKDE", "CIDR", "ICSE", "RecSys", "EuroMLSys", "HotMobile", "CSUR", "TACO", "JMLR", "TPAMI",
    "AISTATS", "COLING", "WSDM", "CIKM",
)  # fmt: skip
ALIASES = {
    "nips": "NeurIPS", "arxiv": ARXIV, "usenix atc": "ATC", "pvldb": "VLDB", "iclr workshop":
    "ICLR Workshop",
}  # fmt: skip

_CANONICAL = {name.lower(): name for name in KNOWN_VENUES} | ALIASES
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s+")
# ``NSDI'24``, ``NeurIPS 2023``, ``ICML2024``, ``NSDI24``, ``arxiv``, ``EuroSys'25 Spring``.
_PREFIX_VENUE = re.compile(
    r"(?P<name>[A-Za-z][\w&.+\-]*?(?: [A-Za-z][\w&.+\-]*?)?)\s*"
    r"(?:['’‘`´]\s*(?P<yy>\d{2})|(?P<yyyy>(?:19|20)\d{2})|(?P<bare>\d{2}))?"
    r"(?:\s+(?P<rest>[A-Za-z][\w ]*))?",
)
# A paper line's own venue: ``(NSDI'24) Title`` or ``[COLM'24] Title``.
_PREFIX = re.compile(r"\s*(?:\((?P<paren>[^()\[\]]{1,40})\)|\[(?P<bracket>[^()\[\]]{1,40})\])\s*")
# Emoji shortcodes (``:mag:``) and pictographs (``🔍``) decorate groups and titles.
_SHORTCODE = re.compile(r"(?<![\w:]):[a-z0-9_+\-]{1,30}:(?![\w:])")
_PICTOGRAPH = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]"
)
_YEAR_ANYWHERE = re.compile(r"(?<!\d)(?:((?:19|20)\d{2})|['’‘`´]\s*(\d{2}))(?!\d)")
_QUOTED_FULL_YEAR = re.compile(r"\s*['’‘`´]\s*((?:19|20)\d{2})\b")
_ONE_YEAR = re.compile(r"[^\w~<>≤≥]*((?:19|20)\d{2})(?:\s*\([^()]*\))?[\W_]*")
_WORKSHOP = re.compile(r"\s*@\s*")
_VENUE_WORD = re.compile(r"[A-Za-z][\w&.+\-]*")
_YEAR_GROUPING = re.compile(
    r"[\W_]*(?:(?:before|after|since|until|till|up to|pre|older than|earlier than|~|<|>|≤|≥)\s*)?"
    r"(?P<year>(?:19|20)\d{2})s?"
    r"(?:\s*(?:[-–—~/]|to|and|&)\s*(?:(?:19|20)\d{2}|now|present|today|later|earlier|before|after))?"
    r"(?:\s*(?:and|&|or)?\s*(?:before|earlier|older|after|later|newer|onwards?|prior))?"
    r"(?:\s+(?:papers?|works?|publications?))?(?:\s*\([^()]{0,40}\))?[\W_]*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class VenueName:
    """A canonical venue (``EuroSys 2025``), the label it was written with, and its year."""

    name: str
    label: str
    year: int | None


class VenueNames:
    """Canonical spellings: the known venues first, then the ones the list's headings use."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}
        self._short: dict[str, VenueName | None] = {}  # a list repeats its few prefixes

    def remember(self, name: str) -> None:
        """Record a heading's spelling so prefixes in other case (``Foo'24``) follow it."""
        if name.lower() not in self._seen:
            self._seen[name.lower()] = name
            self._short.clear()

    def known(self, text: str) -> bool:
        """True when ``text`` starts with a venue name this list or the known venues use."""
        match = _VENUE_WORD.match(text.strip())
        return match is not None and (
            match[0].lower() in _CANONICAL or match[0].lower() in self._seen
        )

    def canonical(self, name: str) -> str:
        key = name.lower()
        return _CANONICAL.get(key) or self._seen.get(key) or name

    def heading(self, label: str) -> VenueName | None:
        """The venue a section heading names, when its label holds a year (else a topic).

        A year grouping (``2024``, ``Before 2024``, ``2023-2024``) is never a venue.
        """
        if is_year_grouping(label):
            return None
        match = YEAR.search(label)
        if match is None:
            return self._short_year_heading(label)
        year = int(match[1])
        name = _clean(label[: match.start()]) or _clean(label[match.end() :].split(" (")[0])
        if not name:
            return VenueName(name=str(year), label=label, year=year)
        self.remember(name)
        return VenueName(name=f"{self.canonical(name)} {year}", label=label, year=year)

    def prefix(self, text: str) -> tuple[str, VenueName, int] | None:
        """``(raw prefix, venue, end offset)`` when ``text`` starts with a venue prefix.

        Bracket groups before it are the entry's tags (``[Survey :mag:] [arxiv'24] Title``);
        the venue is the first group that names one, and ``end`` is just after it.
        """
        groups = self.groups(text)
        if groups.venue is None:
            return None
        return groups.raw or "", groups.venue, groups.venue_end

    def groups(self, text: str) -> PrefixGroups:
        """The ``(…)``/``[…]`` groups ``text`` starts with, read as tags and one venue."""
        found = PrefixGroups()
        pos = 0
        tags: list[str] = []
        while (match := _PREFIX.match(text, pos)) is not None:
            raw = (match["paren"] or match["bracket"] or "").strip()
            venue = self.parse_short(raw) if found.venue is None else None
            pos = match.end()
            found.ends.append(pos)
            if venue is not None:
                found.raw, found.venue, found.venue_end = raw, venue, pos
                found.tags = list(tags)
                continue
            tags.append(decoration_free(raw))
        found.all_tags = tags
        return found

    def parse_short(self, raw: str) -> VenueName | None:
        """A short venue spelling (``NSDI'24``, ``arxiv``, ``ICML 2024``), else ``None``."""
        if raw not in self._short:
            self._short[raw] = self._parse_short(raw)
        return self._short[raw]

    def loose(self, text: str, *, free: bool = False) -> VenueName | None:
        """A venue written in running text: after a ``<br>``, a ``|`` or a bold title, or in a
        table's venue column (``ICML 2024 Tutorial``, ``2024 nips spotlight``).

        A short spelling, else a known venue and a year anywhere in it (``NeurIPS 2024``), else
        a workshop as written with its year; with ``free`` (the text is in a venue's place) any
        short text names a venue (``Journal of Systems Architecture``, ``TACL``).
        """
        text = " ".join(decoration_free(text).split()).strip(" .,;:-–—")
        if not text or len(text) > 120 or is_year_grouping(text):
            return None
        venue = self.parse_short(text)
        if venue is not None:
            return venue
        year_match = _YEAR_ANYWHERE.search(text)
        year = None
        if year_match:
            year = int(year_match[1]) if year_match[1] else 2000 + int(year_match[2])
        known = next(
            (self.canonical(w) for w in _VENUE_WORD.findall(text) if w.lower() in _CANONICAL), None
        )
        if "workshop" in text.lower() or "@" in text:
            name = " ".join(_WORKSHOP.sub(" @ ", text).split())
            if year_match and year_match[2] is not None:
                name = name.replace(year_match[0], str(year))
            return VenueName(name=name, label=text, year=year)
        if known and year:
            name = known if known == ARXIV else f"{known} {year}"
            return VenueName(name=name, label=text, year=year)
        if free and len(text.split()) <= 8:
            if known:
                return VenueName(name=known, label=text, year=year)
            return VenueName(name=text, label=text, year=year)
        return None

    def _parse_short(self, raw: str) -> VenueName | None:
        raw = " ".join(decoration_free(raw).replace(",", " ").split())
        raw = _QUOTED_FULL_YEAR.sub(r" \1", raw)  # "ICML' 2022" is "ICML 2022"
        host, at, workshop = raw.rpartition("@") if "@" in raw else ("", "", raw)
        if at:
            venue = self.parse_short(workshop.strip())
            host = host.strip()
            if venue is None or venue.year is None or not host or not _VENUE_WORD.match(host):
                return None
            name = f"{host} @ {venue.name}"
            return VenueName(name=name, label=name, year=venue.year)
        match = _PREFIX_VENUE.fullmatch(raw.strip())
        if match is None:
            return None
        name = match["name"]
        known = name.lower() in _CANONICAL or name.lower() in self._seen
        year: int | None = None
        if match["yy"]:
            year = 2000 + int(match["yy"])
        elif match["yyyy"]:
            year = int(match["yyyy"])
        elif match["bare"] and known:
            year = 2000 + int(match["bare"])
        elif match["bare"] or not known:
            return None
        canonical = self.canonical(name)
        # A preprint server is one venue whatever the year; conferences are one per edition.
        full = f"{canonical} {year}" if year and canonical != ARXIV else canonical
        label = f"{full} {match['rest'].strip()}" if match["rest"] else full
        return VenueName(name=full, label=label, year=year)

    def _short_year_heading(self, label: str) -> VenueName | None:
        """``## OSDI'24`` headings: only with an apostrophe year, so topics never qualify."""
        if not re.search(r"['’]\s*\d{2}\b", label):
            return None
        venue = self.parse_short(label)
        if venue is None or venue.year is None:
            return None
        return VenueName(name=venue.name, label=label, year=venue.year)


@dataclass(slots=True)
class PrefixGroups:
    """The groups an entry starts with: ``ends`` after each, the venue's and the tags."""

    ends: list[int] = field(default_factory=list)
    raw: str | None = None
    venue: VenueName | None = None
    venue_end: int = 0
    tags: list[str] = field(default_factory=list)
    all_tags: list[str] = field(default_factory=list)


def is_year_grouping(text: str) -> bool:
    """True for a heading or fold label that only says when: ``2024``, ``Before 2024``,
    ``2023-2024``, ``~2019``, ``2018 (Session only)``."""
    return _YEAR_GROUPING.fullmatch(text.strip()) is not None


def grouping_year(text: str) -> int | None:
    """The one year a year grouping names (``2024``), ``None`` for a range or a bound."""
    match = _ONE_YEAR.fullmatch(text.strip())
    return int(match[1]) if match else None


def decoration_free(text: str) -> str:
    """``text`` without emoji shortcodes and pictographs (``Survey :mag:`` -> ``Survey``)."""
    if ":" in text:
        text = _SHORTCODE.sub("", text)
    if not text.isascii():
        text = _PICTOGRAPH.sub("", text)
    return " ".join(text.split())


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _EDGES.sub("", text)).strip()
