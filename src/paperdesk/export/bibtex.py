"""BibTeX entries for papers, so a reading list can be cited from LaTeX without retyping.

Entry types:

* a paper of a conference venue is ``@inproceedings`` with a ``booktitle`` from :data:`VENUES`;
* an arXiv paper (venue ``arXiv…`` or no venue, with an arXiv id) is ``@misc`` with ``eprint``
  and ``archivePrefix = {arXiv}``; a venue paper with an arXiv id gets those two fields as well;
* anything else is ``@misc`` with its title, year and URL.

Authors come only from arXiv metadata (``enrich``); lists do not carry them. A ``doi`` comes
from a ``doi.org`` or ACM DL link of the paper.

Citation keys are given once per paper and kept in the home's store (``citekeys``), so a key
never changes with what is exported, with another import, a sync or enrichment, and is never
given to another paper. The rule, applied when a paper is first exported or copied:

* the first author's last name when ``enrich`` has the authors (``fu``), else the first title
  word that is not a stop word (``serverlessllm``); ASCII letters and digits, lower case;
* then the year (``fu2024``);
* a key some other paper holds already gets a suffix of letters derived from the paper's id
  (``fu2024k``, else ``fu2024kq``…), never from its position in a list.

Titles are protected as DBLP does: braces only around words that must keep their capitals --
acronyms and inner capitals (``{LLM}``, ``{CacheGen}``, ``{vLLM}``), capitals with digits
(``{A100}``) and a short list of names (``{Bayesian}``) -- so a style may set the rest in
sentence case. ``$…$`` math (pandoc's rule: no space inside the dollars, no digit after the
closing one; balanced braces; no backslash before the closing dollar) is kept as math, braced,
with ``% # &`` escaped in it. Elsewhere ``& % $ # _`` are backslash-escaped and
``\\ { } ~ ^`` become ``\\textbackslash{}``-style commands (BibTeX counts every brace, escaped or
not, so a literal brace must not appear); control characters become spaces. Unicode stays
UTF-8, or with ``ascii`` becomes LaTeX escapes (``{\\"u}``, ``{\\ensuremath{\\mu}}``) for classic
BibTeX and pdflatex. URLs and DOIs are verbatim fields (url/hyperref); only characters that
would break the field (braces, backslash, whitespace; and non-ASCII with ``ascii``) are
percent-encoded, which keeps the link working.
"""

from __future__ import annotations

import hashlib
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
#: Capitalised words of systems and ML titles that are names, and keep their capital.
NAMES = frozenset(
    {"bayes", "bayesian", "bellman", "bernoulli", "boltzmann", "boolean", "byzantine"}
    | {"carlo", "dirichlet", "euclidean", "fourier", "gauss", "gaussian", "hamiltonian"}
    | {"hebbian", "hessian", "jacobian", "kalman", "lagrangian", "laplacian", "lipschitz"}
    | {"markov", "markovian", "monte", "nash", "nesterov", "newton", "pareto", "paxos"}
    | {"poisson", "riemannian", "shapley", "turing", "wasserstein"}
    | {"android", "ethernet", "infiniband", "java", "javascript", "kubernetes", "linux"}
    | {"python", "rust", "unix", "windows", "alibaba", "amazon", "azure", "google", "intel"}
    | {"microsoft", "chinese", "english", "european"}
)
#: Letters NFKD does not reduce to ASCII, for keys.
_TRANSLITERATION = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae"}
    | {"Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ı": "i"}
)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
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
_URL_UNSAFE_ASCII = re.compile(r"[{}\\\s]|[^\x00-\x7f]")
_MATH = re.compile(r"\$(?=[^\s$])[^$]*?(?<=[^\s$\\])\$(?!\d)")
_MATH_SPECIAL = re.compile(r"(?<!\\)[%#&]")
_TITLE_TOKEN = re.compile(r"([^\W_]+)|[\\{}~^&%$#_]")
_DOI = re.compile(
    r"(?:doi\.org/|dl\.acm\.org/doi/(?:abs/|pdf/|full/|fullHtml/|epdf/)?)(10\.\d{4,9}/[^\s?#]+)",
    re.IGNORECASE,
)
SUFFIX_LETTERS = 8
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


def _escape_specials(text: str) -> str:
    return _SPECIAL.sub(lambda match: _SPECIALS[match.group(0)], text)


def escape(text: str) -> str:
    """Text made safe inside a brace-delimited BibTeX field (see the module docstring)."""
    return _escape_specials(" ".join(_CONTROL.sub(" ", text).split()))


def keeps_capitals(word: str) -> bool:
    """Whether a title word must keep its capitals in any style: an inner capital (``LLM``,
    ``CacheGen``, ``vLLM``), a capital with a digit (``A100``), or a capitalised name."""
    if word.islower():  # most words: nothing to keep
        return False
    if word[1:] != word[1:].lower():
        return True
    if not word[:1].isupper():
        return False
    return any(ch.isdigit() for ch in word) or word.casefold() in NAMES


def _protected_token(match: re.Match[str]) -> str:
    word = match.group(1)
    if word is None:
        return _SPECIALS[match.group(0)]
    return f"{{{word}}}" if keeps_capitals(word) else word


def _protect_words(text: str) -> str:
    """Title text outside math: words braced where they keep capitals, specials escaped."""
    return _TITLE_TOKEN.sub(_protected_token, text)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def escape_title(title: str) -> str:
    """A title's field value: capitals protected as DBLP does, ``$…$`` math kept (braced, when
    its braces balance), everything else escaped (see the module docstring)."""
    text = " ".join(_CONTROL.sub(" ", title).split())
    parts, pos = [], 0
    for match in _MATH.finditer(text):
        if not _balanced(match.group(0)):
            continue
        math = _MATH_SPECIAL.sub(lambda m: "\\" + m.group(0), match.group(0))
        parts += [_protect_words(text[pos : match.start()]), f"{{{math}}}"]
        pos = match.end()
    return "".join(parts) + _protect_words(text[pos:])


def escape_url(url: str, *, ascii: bool = False) -> str:
    unsafe = _URL_UNSAFE_ASCII if ascii else _URL_UNSAFE
    return unsafe.sub(lambda match: "".join(f"%{b:02X}" for b in match.group(0).encode()), url)


def to_ascii(value: str) -> str:
    """A field value with every non-ASCII character as a LaTeX escape (pylatexenc's table;
    characters it has none for as ``U+XXXX``)."""
    if value.isascii():
        return value
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    encoder = UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="unihex",
        unknown_char_warning=False,
    )
    return encoder.unicode_to_latex(value)


def doi_of(paper: Paper) -> str | None:
    """The DOI in a ``doi.org`` or ACM DL link of the paper (not a proceedings' DOI)."""
    for url in (paper.url, *(link.url for link in paper.links)):
        match = _DOI.search(url or "")
        if match:
            return match.group(1).rstrip(".,;)]")
    return None


# -- citation keys -------------------------------------------------------------------------------


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return _KEY_WORD.findall(folded.encode("ascii", "ignore").decode().lower())


def last_name(author: str) -> str | None:
    """``Yao Fu`` or ``Fu, Yao`` -> ``fu``; ``Wei Wang 0001`` -> ``wang``; ASCII, lower case;
    None when nothing of it is ASCII-writable."""
    name = author.split(",", 1)[0] if "," in author else author
    words = name.split()
    while words and (words[-1].isdigit() or words[-1].rstrip(".").casefold() in _NAME_SUFFIXES):
        words.pop()
    folded = "".join(_ascii_words(words[-1])) if words else ""
    return folded[:30] or None


def title_word(title: str) -> str:
    """The first title word that is not a stop word, ASCII, lower case, a hyphenated word
    whole (``Q-Hitter`` -> ``qhitter``); ``paper`` if none."""
    words = [w for w in ("".join(_ascii_words(token)) for token in title.split()) if w]
    word = next((w for w in words if w not in _STOP_WORDS), words[0] if words else "paper")
    return word[:30]


def key_stem(paper: Paper, metadata: ArxivMetadata | None = None) -> str:
    """The key before any suffix: ``<last name, else title word><year>`` (``fu2024``)."""
    author = last_name(metadata.authors[0]) if metadata and metadata.authors else None
    year = year_of(paper) or (metadata.published.year if metadata and metadata.published else None)
    return f"{author or title_word(paper.title)}{year or ''}"


def key_candidates(paper: Paper, metadata: ArxivMetadata | None = None) -> Iterator[str]:
    """The keys ``paper`` may get, in order: the stem, then the stem with 1, 2… letters derived
    from its id, then the stem with its id's whole hash (which no other paper has)."""
    stem = key_stem(paper, metadata)
    yield stem
    digest = hashlib.sha1(paper.id.encode("utf-8")).hexdigest()
    number, letters = int(digest, 16), []
    for _ in range(SUFFIX_LETTERS):
        number, digit = divmod(number, 26)
        letters.append("abcdefghijklmnopqrstuvwxyz"[digit])
        yield stem + "".join(letters)
    yield f"{stem}-{digest}"


def choose_keys(
    papers: Sequence[Paper],
    metadata: Mapping[str, ArxivMetadata],
    stored: Mapping[str, str],
) -> dict[str, str]:
    """Keys for the papers that have none in ``stored`` (paper id -> key): each the first of
    its :func:`key_candidates` that no other paper holds (BibTeX ignores case there too).
    Papers are taken in id order, so the keys a batch gets do not depend on the list's order."""
    used = {key.casefold() for key in stored.values()}
    chosen: dict[str, str] = {}
    for paper in sorted(papers, key=lambda paper: paper.id):
        if paper.id in stored or paper.id in chosen:
            continue
        candidates = key_candidates(paper, metadata.get(paper.id))
        key = next(key for key in candidates if key.casefold() not in used)
        chosen[paper.id] = key
        used.add(key.casefold())
    return chosen


# -- entries -------------------------------------------------------------------------------------


def entry_for(
    paper: Paper,
    metadata: ArxivMetadata | None = None,
    key: str | None = None,
    *,
    ascii: bool = False,
) -> str:
    """One BibTeX entry for ``paper``; ``metadata`` adds authors and arXiv details; ``key`` is
    its stored key (default: the rule's stem); ``ascii`` writes non-ASCII as LaTeX escapes."""
    arxiv = arxiv_id_of_paper(paper) or normalise_arxiv_id(metadata.arxiv_id if metadata else None)
    year = year_of(paper) or (metadata.published.year if metadata and metadata.published else None)
    venue = paper.venue if paper.venue and not is_arxiv_venue(paper.venue) else None
    text = to_ascii if ascii else str
    fields: list[tuple[str, str]] = [("title", f"{{{text(escape_title(paper.title))}}}")]
    if metadata and metadata.authors:
        authors = " and ".join(
            f"{{{escape(name)}}}" if " and " in f" {name.casefold()} " else escape(name)
            for name in metadata.authors
        )
        fields.append(("author", f"{{{text(authors)}}}"))
    if venue:
        fields.append(("booktitle", f"{{{text(escape(booktitle(venue, year)))}}}"))
    if year:
        fields.append(("year", str(year)))
    if doi := doi_of(paper):
        fields.append(("doi", f"{{{escape_url(doi, ascii=ascii)}}}"))
    if paper.url:
        fields.append(("url", f"{{{escape_url(paper.url, ascii=ascii)}}}"))
    if arxiv:
        fields.append(("eprint", f"{{{escape(arxiv)}}}"))
        fields.append(("archivePrefix", "{arXiv}"))
        if metadata and metadata.categories:
            fields.append(("primaryClass", f"{{{escape(metadata.categories[0])}}}"))
    kind = "inproceedings" if venue else "misc"
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{key or key_stem(paper, metadata)},\n{body}\n}}\n"


def write_bibtex(
    papers: Sequence[Paper],
    metadata: Mapping[str, ArxivMetadata] = {},
    keys: Mapping[str, str] | None = None,
    *,
    ascii: bool = False,
) -> str:
    """A ``.bib`` file: one entry per distinct paper, in list order. ``keys`` are the stored
    keys (paper id -> key); without them each paper gets a key by the rule, unique in the file."""
    unique = list({paper.id: paper for paper in papers}.values())
    if keys is None:
        keys = choose_keys(unique, metadata, {})
    return "\n".join(
        entry_for(paper, metadata.get(paper.id), keys[paper.id], ascii=ascii) for paper in unique
    )
