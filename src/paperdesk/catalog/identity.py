"""Paper identity: the id of a paper is a function of its normalised title, nothing else.

The rule (the store keys all reading state on it, so changing it orphans every note):

1. strip markdown residue: ``**bold**``/``__bold__``/backticks, ``[text](url)`` -> ``text``;
2. Unicode NFKC, then ``casefold()``;
3. every character that is not a letter or a digit (Unicode categories L*, N*) becomes a space;
4. whitespace is collapsed and trimmed.

The id is ``<first word, at most 24 chars>-<first 12 hex digits of sha1(normalised title)>``,
e.g. ``serverlessllm-6f0c5e9a1b2c``: readable in a terminal, and with 48 bits of hash a
collision between two different titles is negligible even at millions of papers. Tags, links,
bold words, the ``(NSDI'24)`` prefix and the section a paper sits in never enter the id.

Relinking: when a list edits a title slightly (``Model`` -> ``Models``, a typo fixed) the id
changes. :func:`find_relinks` pairs a vanished id with a new one when their normalised titles
have a :class:`difflib.SequenceMatcher` ratio of at least :data:`RELINK_THRESHOLD` and the pair
is unambiguous (each side's best match is the other, and no other candidate comes within
:data:`RELINK_MARGIN`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from difflib import SequenceMatcher

RELINK_THRESHOLD = 0.9
RELINK_MARGIN = 0.02

# No bracket inside the label: with one, a line of nested brackets took quadratic time, and the
# innermost match leaves the same normalised text (brackets become spaces either way).
_MARKDOWN_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^)]*\)")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__|`)")
# ``\W`` is everything but Unicode letters, digits and "_", i.e. the complement of L*/N* plus "_".
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """The canonical form of a title that ids and matching are computed from."""
    text = _MARKDOWN_EMPHASIS.sub("", _MARKDOWN_LINK.sub(r"\1", title))
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_LETTER_OR_DIGIT.sub(" ", text).split())


def paper_id(title: str) -> str:
    """The stable id of the paper with this title (see the module docstring for the rule)."""
    norm = normalise_title(title)
    digest = hashlib.sha1(norm.encode("utf-8")).hexdigest()[:12]
    head = norm.split(" ", 1)[0][:24] if norm else "untitled"
    return f"{head}-{digest}"


def distinct_id(title: str, key: str) -> str:
    """The id of a paper whose title another paper of the list shares, told apart by ``key``
    (its arXiv id or DOI, ``arxiv:2402.22222``): the title's head and a hash of both."""
    norm = normalise_title(title)
    digest = hashlib.sha1(f"{norm}\n{key}".encode()).hexdigest()[:12]
    head = norm.split(" ", 1)[0][:24] if norm else "untitled"
    return f"{head}-{digest}"


def title_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two titles, compared in normalised form."""
    return SequenceMatcher(None, normalise_title(a), normalise_title(b), autojunk=False).ratio()


def find_relinks(vanished: Mapping[str, str], appeared: Mapping[str, str]) -> dict[str, str]:
    """Pair ids that vanished from a source with ids that appeared in it, by title similarity.

    ``vanished`` and ``appeared`` map id -> title. Only unambiguous pairs above the threshold are
    returned (old id -> new id); anything doubtful stays unlinked and becomes an orphan.
    """
    if not vanished or not appeared:
        return {}
    norm_new = {pid: normalise_title(t) for pid, t in appeared.items()}
    scores: dict[tuple[str, str], float] = {}
    for old_id, old_title in vanished.items():
        old_norm = normalise_title(old_title)
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(old_norm)
        for new_id, new_norm in norm_new.items():
            matcher.set_seq1(new_norm)
            if matcher.real_quick_ratio() < RELINK_THRESHOLD:
                continue
            if matcher.quick_ratio() < RELINK_THRESHOLD:
                continue
            score = matcher.ratio()
            if score >= RELINK_THRESHOLD:
                scores[(old_id, new_id)] = score
    relinks: dict[str, str] = {}
    for (old_id, new_id), score in scores.items():
        rivals_of_old = [s for (o, n), s in scores.items() if o == old_id and n != new_id]
        rivals_of_new = [s for (o, n), s in scores.items() if n == new_id and o != old_id]
        if all(score - s >= RELINK_MARGIN for s in rivals_of_old + rivals_of_new):
            relinks[old_id] = new_id
    return relinks
