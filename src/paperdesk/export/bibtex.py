"""BibTeX entries for papers, so a reading list can be cited from LaTeX without retyping.

Entry types:

* a paper of a conference venue is ``@inproceedings`` with a ``booktitle`` from :data:`VENUES`;
* an arXiv paper (venue ``arXiv…`` or no venue, with an arXiv id) is ``@misc`` with ``eprint``
  and ``archivePrefix = {arXiv}``; a venue paper with an arXiv id gets those two fields as well;
* anything else is ``@misc`` with its title, year and URL.

Authors come only from arXiv metadata (``enrich``); lists do not carry them.

Citation keys are ``<first word of the title><year>`` (``serverlessllm2024``), ASCII, with
stop words skipped. They never use metadata, so enriching a paper does not change a key a
document already cites. A key met again gets ``b``, ``c``… in list order; the first keeps the
bare key, so papers added later never rename earlier ones.

Escaping: text fields are brace-delimited, ``& % $ # _`` are backslash-escaped, ``\\ { } ~ ^``
become ``\\textbackslash{}``-style commands (BibTeX counts every brace, escaped or not, so a
literal brace must not appear), Unicode stays UTF-8, control characters become spaces, and in
titles every word with a capital letter is wrapped in braces so styles cannot lower-case it.
URLs are verbatim fields (url/hyperref); only characters that would break the field (braces,
backslash, whitespace) are percent-encoded, which keeps the link working.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence

from paperdesk.catalog.arxiv_ids import arxiv_id_of_paper, normalise_arxiv_id
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.catalog.records import YEAR, Paper

#: Short venue name (case-insensitive) -> full name; ``booktitle`` is ``Full Name (OSDI 2024)``.
#: A venue missing here keeps its own name as the booktitle.
VENUES: dict[str, str] = {
    "asplos": "ACM International Conference on Architectural Support for Programming "
    "Languages and Operating Systems",
    "atc": "USENIX Annual Technical Conference",
    "eurosys": "European Conference on Computer Systems",
    "fast": "USENIX Conference on File and Storage Technologies",
    "hpca": "IEEE International Symposium on High-Performance Computer Architecture",
    "iclr": "International Conference on Learning Representations",
    "icml": "International Conference on Machine Learning",
    "isca": "ACM/IEEE International Symposium on Computer Architecture",
    "micro": "IEEE/ACM International Symposium on Microarchitecture",
    "mlsys": "Conference on Machine Learning and Systems",
    "neurips": "Conference on Neural Information Processing Systems",
    "nips": "Conference on Neural Information Processing Systems",
    "nsdi": "USENIX Symposium on Networked Systems Design and Implementation",
    "osdi": "USENIX Symposium on Operating Systems Design and Implementation",
    "ppopp": "ACM SIGPLAN Symposium on Principles and Practice of Parallel Programming",
    "sc": "International Conference for High Performance Computing, Networking, Storage "
    "and Analysis",
    "sigcomm": "ACM Special Interest Group on Data Communication Conference",
    "socc": "ACM Symposium on Cloud Computing",
    "sosp": "ACM Symposium on Operating Systems Principles",
    "vldb": "International Conference on Very Large Data Bases",
}

_STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "do", "does", "for", "from", "in", "is", "it"}
    | {"of", "on", "or", "the", "to", "toward", "towards", "via", "with"}
)
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
_SPECIAL = re.compile(r"[\\{}~^&%$#_]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_URL_UNSAFE = re.compile(r"[{}\\\s]")
_NEW_ARXIV_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}")
_KEY_WORD = re.compile(r"[a-z0-9]+")


def is_arxiv_venue(venue: str | None) -> bool:
    """Whether a venue name stands for arXiv preprints (``arXiv``, ``arXiv 2024``)."""
    return venue is not None and venue.strip().casefold().startswith("arxiv")


def year_of(paper: Paper) -> int | None:
    """The year a citation shows, from the list alone (never metadata, so keys stay put)."""
    if paper.year:
        return paper.year
    if paper.venue and (match := YEAR.search(paper.venue)):
        return int(match.group(1))
    if paper.date:
        return paper.date.year
    arxiv = arxiv_id_of_paper(paper)
    if arxiv and (match := _NEW_ARXIV_ID.fullmatch(arxiv)):
        return 2000 + int(match.group(1))
    return None


def booktitle(venue: str, year: int | None) -> str:
    """``OSDI 2024`` -> ``USENIX Symposium on … Implementation (OSDI 2024)``."""
    short = YEAR.sub("", venue).replace("'", " ").split()
    short = [word for word in short if word.casefold() not in {"usenix", "acm", "ieee"}]
    name = " ".join(short)
    full = VENUES.get(name.casefold())
    if full is None:
        return venue
    return f"{full} ({name} {year})" if year else f"{full} ({name})"


def escape(text: str) -> str:
    """Text made safe inside a brace-delimited BibTeX field (see the module docstring)."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return _SPECIAL.sub(lambda match: _SPECIALS[match.group(0)], text)


def escape_title(title: str) -> str:
    """:func:`escape`, with every word holding a capital braced so its case survives styles."""
    return " ".join(
        f"{{{word}}}" if word != word.lower() else word for word in escape(title).split(" ")
    )


def escape_url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda match: "".join(f"%{b:02X}" for b in match.group(0).encode()), url)


def base_key(paper: Paper) -> str:
    """``<first non-stop word of the title, ASCII><year>``, e.g. ``serverlessllm2024``."""
    ascii_title = unicodedata.normalize("NFKD", paper.title).encode("ascii", "ignore").decode()
    words = _KEY_WORD.findall(ascii_title.lower())
    word = next((w for w in words if w not in _STOP_WORDS), words[0] if words else "paper")
    year = year_of(paper)
    return f"{word[:30]}{year or ''}"


def _suffixes() -> Iterator[str]:
    """``b``…``z``, then ``ba``, ``bb``…: the suffixes of a repeated key, in order."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    n = 1
    while True:
        digits, value = [], n
        while True:
            digits.append(letters[value % 26])
            value //= 26
            if value == 0:
                break
        yield "".join(reversed(digits))
        n += 1


def citation_keys(papers: Sequence[Paper]) -> dict[str, str]:
    """Paper id -> a citation key unique among ``papers``, stable for a given list order."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    for paper in papers:
        if paper.id in keys:
            continue
        base = base_key(paper)
        key = base
        if key in used:
            key = next(base + s for s in _suffixes() if base + s not in used)
        keys[paper.id] = key
        used.add(key)
    return keys


def entry_for(paper: Paper, metadata: ArxivMetadata | None = None, key: str | None = None) -> str:
    """One BibTeX entry for ``paper``; ``metadata`` adds authors and arXiv details."""
    arxiv = arxiv_id_of_paper(paper) or normalise_arxiv_id(metadata.arxiv_id if metadata else None)
    year = year_of(paper) or (metadata.published.year if metadata and metadata.published else None)
    venue = paper.venue if paper.venue and not is_arxiv_venue(paper.venue) else None
    fields: list[tuple[str, str]] = [("title", f"{{{escape_title(paper.title)}}}")]
    if metadata and metadata.authors:
        authors = " and ".join(
            f"{{{escape(name)}}}" if " and " in f" {name.casefold()} " else escape(name)
            for name in metadata.authors
        )
        fields.append(("author", f"{{{authors}}}"))
    if venue:
        fields.append(("booktitle", f"{{{escape(booktitle(venue, year))}}}"))
    if year:
        fields.append(("year", str(year)))
    if paper.url:
        fields.append(("url", f"{{{escape_url(paper.url)}}}"))
    if arxiv:
        fields.append(("eprint", f"{{{escape(arxiv)}}}"))
        fields.append(("archivePrefix", "{arXiv}"))
        if metadata and metadata.categories:
            fields.append(("primaryClass", f"{{{escape(metadata.categories[0])}}}"))
    kind = "inproceedings" if venue else "misc"
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{key or base_key(paper)},\n{body}\n}}\n"


def write_bibtex(papers: Sequence[Paper], metadata: Mapping[str, ArxivMetadata] = {}) -> str:
    """A ``.bib`` file: one entry per distinct paper, in list order, with unique keys."""
    keys = citation_keys(papers)
    seen: set[str] = set()
    entries = []
    for paper in papers:
        if paper.id in seen:
            continue
        seen.add(paper.id)
        entries.append(entry_for(paper, metadata.get(paper.id), keys[paper.id]))
    return "\n".join(entries)
