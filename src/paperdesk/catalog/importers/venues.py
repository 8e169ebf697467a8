"""Venue names: ``## [EuroSys 2025 Spring](url)`` headings and ``(Sigcomm'24)`` paper prefixes.

Lists spell one conference many ways (``Sigcomm'24``, ``SIGCOMM 2024``, ``NIPS``); the desk
groups papers by venue, so every spelling must land on one canonical name (``SIGCOMM 2024``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperdesk.catalog.records import YEAR

ARXIV = "arXiv"
KNOWN_VENUES = (
    "OSDI", "SOSP", "NSDI", "ATC", "EuroSys", "ASPLOS", "MLSys", "SIGCOMM", "HPCA", "ISCA",
    "MICRO", "PPoPP", "FAST", "VLDB", "SIGMOD", "ICDE", "SC", "NeurIPS", "ICML", "ICLR", "COLM",
    "SoCC", "ACL", "EMNLP", "NAACL", "AAAI", "IJCAI", "CVPR", "ICCV", "ECCV", "KDD", "WWW",
    "MobiCom", "MobiSys", "SenSys", "INFOCOM", "CoNEXT", "HotNets", "HotOS", "HotCloud",
    "HotStorage", "DAC", "ICCAD", "IPDPS", "ICS", "HPDC", "PACT", "CGO", "PLDI", "POPL",
    "OOPSLA", "Middleware", "SIGMETRICS", "IMC", "ICDCS", "ICPP", "CCGrid", "IWQoS", "TPDS",
    "TOCS", "JSAC", "ToN", "SysML", "APSys", "DATE",
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

    def canonical(self, name: str) -> str:
        key = name.lower()
        return _CANONICAL.get(key) or self._seen.get(key) or name

    def heading(self, label: str) -> VenueName | None:
        """The venue a section heading names, when its label holds a year (else a topic)."""
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
        """``(raw prefix, venue, end offset)`` when ``text`` starts with a venue prefix."""
        match = _PREFIX.match(text)
        if match is None:
            return None
        raw = (match["paren"] or match["bracket"] or "").strip()
        venue = self.parse_short(raw)
        if venue is None:
            return None
        return raw, venue, match.end()

    def parse_short(self, raw: str) -> VenueName | None:
        """A short venue spelling (``NSDI'24``, ``arxiv``, ``ICML 2024``), else ``None``."""
        if raw not in self._short:
            self._short[raw] = self._parse_short(raw)
        return self._short[raw]

    def _parse_short(self, raw: str) -> VenueName | None:
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


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _EDGES.sub("", text)).strip()
