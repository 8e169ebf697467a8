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
is unambiguous (no other candidate of either side comes within :data:`RELINK_MARGIN`).

Comparing every vanished title with every new one grew with the product of the two (5,000 x
50,000 did not finish in ten minutes), so candidates come from an index instead: the new titles
that share one of a vanished title's rarest words (or, when all its words are common, every new
title of a possible length), scored in C++ by rapidfuzz. rapidfuzz's ratio counts the longest
common subsequence, never fewer matches than difflib's blocks, so its cut-off at the threshold
drops no pair difflib would keep, and difflib then scores the few survivors exactly as before.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from difflib import SequenceMatcher
from itertools import chain, pairwise
from operator import itemgetter

RELINK_THRESHOLD = 0.9
RELINK_MARGIN = 0.02
#: How many of a title's rarest words (or word pairs) find its candidates, and how many
#: candidates they may find before the next, finer key is tried.
RARE_KEYS = 3
CANDIDATES = 2000

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called as relinking goes, for a terminal to show."""

# No bracket inside the label: with one, a line of nested brackets took quadratic time, and the
# innermost match leaves the same normalised text (brackets become spaces either way).
_MARKDOWN_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^)]*\)")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__|`)")
# ``\W`` is everything but Unicode letters, digits and "_", i.e. the complement of L*/N* plus "_".
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """The canonical form of a title that ids and matching are computed from."""
    text = _MARKDOWN_LINK.sub(r"\1", title) if "](" in title else title
    if "*" in text or "_" in text or "`" in text:
        text = _MARKDOWN_EMPHASIS.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
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


def find_relinks(
    vanished: Mapping[str, str],
    appeared: Mapping[str, str],
    progress: Progress | None = None,
) -> dict[str, str]:
    """Pair ids that vanished from a source with ids that appeared in it, by title similarity.

    ``vanished`` and ``appeared`` map id -> title. Only unambiguous pairs above the threshold are
    returned (old id -> new id); anything doubtful stays unlinked and becomes an orphan.
    """
    if not vanished or not appeared:
        return {}
    index = _TitleIndex(appeared)
    scores: dict[tuple[str, str], float] = {}
    total = len(vanished)
    for done, (old_id, old_title) in enumerate(vanished.items(), 1):
        for new_id, score in index.matches(normalise_title(old_title)):
            scores[(old_id, new_id)] = score
        if progress is not None and (done % 256 == 0 or done == total):
            progress(done, total)
    best_of_old: dict[str, list[float]] = {}
    best_of_new: dict[str, list[float]] = {}
    for (old_id, new_id), score in scores.items():
        best_of_old.setdefault(old_id, []).append(score)
        best_of_new.setdefault(new_id, []).append(score)
    relinks: dict[str, str] = {}
    for (old_id, new_id), score in scores.items():
        rivals = [*_without(best_of_old[old_id], score), *_without(best_of_new[new_id], score)]
        if all(score - rival >= RELINK_MARGIN for rival in rivals):
            relinks[old_id] = new_id
    return relinks


class _TitleIndex:
    """The appeared titles, normalised, by word and by length, to find a title's candidates."""

    def __init__(self, appeared: Mapping[str, str]) -> None:
        # rapidfuzz loads when a re-import relinks: the desk and reading commands never need it
        from rapidfuzz import fuzz, process

        self.extract, self.ratio = process.extract, fuzz.ratio
        self.ids = list(appeared)
        self.norms = [normalise_title(title) for title in appeared.values()]
        self.words = self._index(lambda norm: set(norm.split()))
        self.pairs: dict[str, list[int]] | None = None  # built the first time words fail
        order = sorted(range(len(self.norms)), key=lambda row: len(self.norms[row]))
        self.by_length = order
        self.sorted_norms = [self.norms[row] for row in order]
        self.lengths = [len(norm) for norm in self.sorted_norms]

    def candidates(self, norm: str) -> tuple[list[int], list[str]]:
        """Rows (and their titles) that may match ``norm``: those sharing one of its three
        rarest words, else (those are common) one of its three rarest word pairs; for a short
        title, or one of common words and pairs only, every title of a possible length.

        A title one word away from ``norm`` (a word changed, dropped or added) is always found:
        of three words of ``norm`` at most one is not in it, of three pairs at most two, and a
        title with no known word or pair left is looked for by length.
        """
        words = norm.split()
        rows = None
        if len(words) > 2:
            rows = self._sharing(self.words, set(words))
            if rows is None:
                if self.pairs is None:
                    self.pairs = self._index(lambda norm: set(_pairs(norm.split())))
                rows = self._sharing(self.pairs, set(_pairs(words)))
        if rows is not None:
            return rows, [self.norms[row] for row in rows] if len(rows) < 2 else list(
                itemgetter(*rows)(self.norms)
            )
        # ratio >= t needs 2 min(a, b) / (a + b) >= t: lengths within t / (2 - t)
        low = len(norm) * RELINK_THRESHOLD / (2 - RELINK_THRESHOLD)
        high = len(norm) * (2 - RELINK_THRESHOLD) / RELINK_THRESHOLD
        start = bisect.bisect_left(self.lengths, low)
        stop = bisect.bisect_right(self.lengths, high)
        return self.by_length[start:stop], self.sorted_norms[start:stop]

    def _index(self, keys: Callable[[str], set[str]]) -> dict[str, list[int]]:
        index: defaultdict[str, list[int]] = defaultdict(list)
        for row, norm in enumerate(self.norms):
            for key in keys(norm):
                index[key].append(row)
        return dict(index)

    @staticmethod
    def _sharing(index: dict[str, list[int]], keys: set[str]) -> list[int] | None:
        """Rows holding one of the :data:`RARE_KEYS` rarest ``keys``; ``None`` when none is
        known or they hold more than :data:`CANDIDATES` rows between them."""
        known = sorted((len(rows), key) for key in keys if (rows := index.get(key)))
        rarest = known[:RARE_KEYS]
        if not rarest or sum(count for count, _ in rarest) > CANDIDATES:
            return None
        if len(rarest) == 1:
            return index[rarest[0][1]]
        return list(dict.fromkeys(chain.from_iterable(index[key] for _, key in rarest)))

    def matches(self, norm: str) -> list[tuple[str, float]]:
        """``(id, difflib ratio)`` of the appeared titles at least :data:`RELINK_THRESHOLD`."""
        rows, titles = self.candidates(norm)
        if not rows:
            return []
        # A hair under the threshold, so that rounding never drops a pair difflib would keep.
        cutoff = RELINK_THRESHOLD * 100 - 1e-6
        found = self.extract(norm, titles, scorer=self.ratio, score_cutoff=cutoff, limit=None)
        out = []
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(norm)
        for _, _, at in found:
            row = rows[at]
            matcher.set_seq1(self.norms[row])
            score = matcher.ratio()
            if score >= RELINK_THRESHOLD:
                out.append((self.ids[row], score))
        return out


def _pairs(words: list[str]) -> list[str]:
    return [f"{first} {second}" for first, second in pairwise(words)]


def _without(scores: list[float], score: float) -> list[float]:
    """``scores`` with one occurrence of ``score`` (the pair itself) taken out."""
    rest = list(scores)
    rest.remove(score)
    return rest
