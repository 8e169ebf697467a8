"""Paper ids survive the edits lists make, and relinking only pairs unambiguous titles."""

from __future__ import annotations

import hashlib
from difflib import SequenceMatcher

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.catalog import identity
from paperdesk.catalog.identity import (
    RELINK_MARGIN,
    RELINK_THRESHOLD,
    find_relinks,
    normalise_title,
    paper_id,
    title_similarity,
)


def test_id_ignores_markup_case_and_punctuation() -> None:
    plain = paper_id("Smart-Infinity: Fast Large Language Model Training")
    assert paper_id("Smart-Infinity: Fast **Large Language Model Training**") == plain
    assert paper_id("smart infinity  fast large language model training") == plain
    assert paper_id("Smart‐Infinity – Fast Large Language Model Training!") == plain


def test_id_differs_for_different_titles() -> None:
    assert paper_id("Llumnix: Dynamic Scheduling for Large Language Model Serving") != paper_id(
        "Llumnix: Dynamic Scheduling for Large Language Models Serving"
    )


def test_id_is_readable_and_stable() -> None:
    pid = paper_id("ServerlessLLM: Locality-Enhanced Serverless Inference")
    head, digest = pid.rsplit("-", 1)
    assert head == "serverlessllm"
    assert len(digest) == 12 and int(digest, 16) >= 0


def test_normalise_keeps_non_latin_letters() -> None:
    assert normalise_title("Power-aware Serving with μ-Serve") == "power aware serving with μ serve"
    assert normalise_title("ＦＵＬＬＷＩＤＴＨ Title") == "fullwidth title"


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_title(text)
    assert normalise_title(once) == once
    assert paper_id(text) == paper_id(once)


def test_relinks_a_slightly_edited_title() -> None:
    old = "Llumnix: Dynamic Scheduling for Large Language Model Serving"
    new = "Llumnix: Dynamic Scheduling for Large Language Models Serving"
    assert title_similarity(old, new) > 0.9
    assert find_relinks({"a": old}, {"b": new, "c": "Something else entirely"}) == {"a": "b"}


def test_relink_refuses_ambiguous_and_distant_matches() -> None:
    old = "Efficient Serving of Large Models"
    twins = {"b": "Efficient Serving of Large Models!", "c": "Efficient Serving of Large Model"}
    assert find_relinks({"a": old}, twins) == {}
    assert find_relinks({"a": old}, {"b": "Efficient Training of Small Models"}) == {}


# --- relinking from an index decides as comparing every pair did --------------------------


def every_pair_relinks(vanished: dict[str, str], appeared: dict[str, str]) -> dict[str, str]:
    """The relinking rule as first written: every vanished title against every new one."""
    scores = {}
    for old_id, old_title in vanished.items():
        for new_id, new_title in appeared.items():
            score = SequenceMatcher(
                None, normalise_title(new_title), normalise_title(old_title), autojunk=False
            ).ratio()
            if score >= RELINK_THRESHOLD:
                scores[(old_id, new_id)] = score
    relinks = {}
    for (old_id, new_id), score in scores.items():
        rivals = [s for (o, n), s in scores.items() if (o == old_id) != (n == new_id)]
        if all(score - s >= RELINK_MARGIN for s in rivals):
            relinks[old_id] = new_id
    return relinks


VOCABULARY = st.sampled_from(
    ["fast", "serving", "large", "language", "model", "models", "training", "cache", "gpu",
     "sparse", "llumnix", "kv", "attention", "memory", "efficient", "the", "of", "for"]
)  # fmt: skip


@st.composite
def edited(draw: st.DrawFn, titles: list[str]) -> str:
    """One of ``titles`` as a list edit leaves it: a word changed, dropped, added, or a typo."""
    words = draw(st.sampled_from(titles)).split()
    at = draw(st.integers(0, len(words) - 1))
    edit = draw(st.sampled_from(["same", "word", "drop", "add", "typo", "case"]))
    if edit == "word":
        words[at] = draw(VOCABULARY)
    elif edit == "drop" and len(words) > 1:
        del words[at]
    elif edit == "add":
        words.insert(at, draw(VOCABULARY))
    elif edit == "typo":
        words[at] = words[at][:-1] or "x"
    elif edit == "case":
        words[at] = words[at].upper()
    return " ".join(words)


@settings(max_examples=150, deadline=None)
@given(st.data(), st.sampled_from([identity.CANDIDATES, 3, 0]))
def test_indexed_relinking_decides_as_comparing_every_pair(
    data: st.DataObject, candidates: int
) -> None:
    """Any title one edit away is found, by rare words, by word pairs or (``0``) by length."""
    titles = data.draw(
        st.lists(st.lists(VOCABULARY, min_size=1, max_size=9).map(" ".join), min_size=1,
                 max_size=14, unique_by=normalise_title)
    )  # fmt: skip
    appeared = {f"new{index}": title for index, title in enumerate(titles)}
    olds = data.draw(st.lists(edited(titles) | VOCABULARY, max_size=8))
    vanished = {f"old{index}": title for index, title in enumerate(olds)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(identity, "CANDIDATES", candidates)
        assert find_relinks(vanished, appeared) == every_pair_relinks(vanished, appeared)


def test_relinking_reports_its_progress() -> None:
    calls: list[tuple[int, int]] = []
    names = [hashlib.sha1(str(n).encode()).hexdigest()[:12] for n in range(600)]
    vanished = {f"old{n}": f"{name} serving system" for n, name in enumerate(names)}
    appeared = {f"new{n}": f"{name} serving systems" for n, name in enumerate(names)}
    relinks = find_relinks(vanished, appeared, lambda done, total: calls.append((done, total)))
    assert relinks == {f"old{n}": f"new{n}" for n in range(600)}
    assert calls == [(256, 600), (512, 600), (600, 600)]


@pytest.mark.parametrize("candidates", [identity.CANDIDATES, 3, 0])
def test_a_title_whose_rarest_word_changed_is_still_found(candidates: int) -> None:
    target = "alpha beta gamma delta epsilon zeta eta theta"
    appeared = {"target": target, "omega": "omega is another paper entirely"}
    appeared |= {f"filler{n}": f"beta gamma delta filler paper {n}" for n in range(6)}
    vanished = {"old": target.replace("alpha", "omega")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(identity, "CANDIDATES", candidates)
        assert find_relinks(vanished, appeared) == {"old": "target"}
