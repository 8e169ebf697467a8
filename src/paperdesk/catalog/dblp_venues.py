"""Which DBLP table of contents a venue the user names is: ``NSDI'25`` -> ``db/conf/nsdi/nsdi2025``.

``venue fetch`` takes a venue as users write it (``NSDI 2025``, ``NSDI'25``, ``nsdi25``,
``EuroSys'25 Spring``: read by the list importer's own rules, :mod:`.importers.venues`), a DBLP
key (``db/conf/nsdi/nsdi2025``, ``conf/nsdi/nsdi2025``) or a DBLP URL
(``https://dblp.org/db/conf/nsdi/nsdi2025.html``). Known venues map to DBLP by
:data:`DBLP_STREAMS`; anything else needs its key or URL.

The table is written from DBLP's usual naming (``db/conf/SERIES/SERIESYYYY``) and is **not
verified against live DBLP**. Known exceptions, also unverified: USENIX ATC lives under
``conf/usenix``; NeurIPS under ``conf/nips`` with ``neuripsYYYY`` tables; ASPLOS splits some
years into volumes (``asplos2024-1``, ``-2``); PVLDB is a journal whose volume is the year less
2007; SIGMOD papers appear in the PACMMOD journal since 2023. When a table of contents is
missing, :mod:`paperdesk.net.dblp` falls back to searching the venue's stream by year; give
the key or URL from dblp.org when neither finds the venue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperdesk.catalog.records import YEAR
from paperdesk.errors import UsageError

DBLP_SITE = "https://dblp.org"

#: Venue series (as :mod:`.importers.venues` spells it) -> (DBLP stream, table-of-contents key
#: with ``{year}``, or ``{volume}`` for a journal volume that is ``year - 2007``).
DBLP_STREAMS: dict[str, tuple[str, str]] = {
    "OSDI": ("conf/osdi", "db/conf/osdi/osdi{year}"),
    "NSDI": ("conf/nsdi", "db/conf/nsdi/nsdi{year}"),
    "SOSP": ("conf/sosp", "db/conf/sosp/sosp{year}"),
    "ATC": ("conf/usenix", "db/conf/usenix/usenix{year}"),
    "EuroSys": ("conf/eurosys", "db/conf/eurosys/eurosys{year}"),
    "ASPLOS": ("conf/asplos", "db/conf/asplos/asplos{year}"),
    "ISCA": ("conf/isca", "db/conf/isca/isca{year}"),
    "MICRO": ("conf/micro", "db/conf/micro/micro{year}"),
    "HPCA": ("conf/hpca", "db/conf/hpca/hpca{year}"),
    "PPoPP": ("conf/ppopp", "db/conf/ppopp/ppopp{year}"),
    "SIGCOMM": ("conf/sigcomm", "db/conf/sigcomm/sigcomm{year}"),
    "MLSys": ("conf/mlsys", "db/conf/mlsys/mlsys{year}"),
    "SC": ("conf/sc", "db/conf/sc/sc{year}"),
    "FAST": ("conf/fast", "db/conf/fast/fast{year}"),
    "VLDB": ("journals/pvldb", "db/journals/pvldb/pvldb{volume}"),
    "SIGMOD": ("conf/sigmod", "db/conf/sigmod/sigmod{year}"),
    "ICML": ("conf/icml", "db/conf/icml/icml{year}"),
    "NeurIPS": ("conf/nips", "db/conf/nips/neurips{year}"),
    "ICLR": ("conf/iclr", "db/conf/iclr/iclr{year}"),
}
_BY_STREAM = {stream: series for series, (stream, _) in DBLP_STREAMS.items()}
_BY_LOWER = {series.lower(): series for series in DBLP_STREAMS}
# ``db/conf/nsdi/nsdi2025``, with or without ``db/``, a ``.html``/``.xml``/``.bht`` ending or
# an anchor, anywhere in a URL.
_KEY = re.compile(
    r"(?:^|/)(?:db/)?((?:conf|journals)/[\w.-]+/[\w.-]+?)(?:\.(?:html|xml|bht))?(?:#.*)?$"
)


@dataclass(frozen=True)
class VenueRef:
    """A venue to fetch: its canonical name (``NSDI 2025``), the label the user wrote
    (``EuroSys 2025 Spring``), its year, and where DBLP keeps it when that is known."""

    name: str | None
    label: str | None
    year: int | None
    toc: str | None = None  # ``db/conf/nsdi/nsdi2025``
    stream: str | None = None  # ``conf/nsdi``

    @property
    def toc_url(self) -> str | None:
        """The table of contents on dblp.org, as a heading links to it."""
        return f"{DBLP_SITE}/{self.toc}.html" if self.toc else None


def resolve_venue(text: str) -> VenueRef:
    """The venue ``text`` names: a DBLP key or URL, or a venue name (with its year)."""
    text = " ".join(text.split())
    if not text:
        raise UsageError("venue fetch needs a venue ('NSDI 2025'), a DBLP key or a DBLP URL")
    if "/" in text:
        return _from_key(text)
    return venue_name(text)


def venue_name(text: str) -> VenueRef:
    """A venue written as a list writes it; its DBLP place when the table knows the series."""
    from paperdesk.catalog.importers.venues import VenueNames

    parsed = VenueNames().parse_short(text) or VenueNames().loose(text, free=True)
    if parsed is None:
        raise UsageError(f"cannot read {text!r} as a venue; write it as 'NSDI 2025' or 'NSDI'25'")
    series = YEAR.sub(" ", parsed.name).strip()
    known = _BY_LOWER.get(series.lower())
    if known is None or parsed.year is None:
        return VenueRef(parsed.name, parsed.label, parsed.year)
    stream, pattern = DBLP_STREAMS[known]
    toc = pattern.format(year=parsed.year, volume=parsed.year - 2007)
    return VenueRef(parsed.name, parsed.label, parsed.year, toc=toc, stream=stream)


def _from_key(text: str) -> VenueRef:
    match = _KEY.search(text.split("?", 1)[0])
    if match is None:
        raise UsageError(
            f"{text!r} is not a DBLP table of contents; give a key like db/conf/nsdi/nsdi2025 "
            "or a URL like https://dblp.org/db/conf/nsdi/nsdi2025.html"
        )
    key = match[1]
    stream = key.rsplit("/", 1)[0]
    year_match = YEAR.search(key.rsplit("/", 1)[1])
    year = int(year_match[1]) if year_match else None
    series = _BY_STREAM.get(stream)
    name = f"{series} {year}" if series and year else None
    return VenueRef(name, name, year, toc=f"db/{key}", stream=stream)
