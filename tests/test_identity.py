"""Paper ids survive the edits lists make, and relinking only pairs unambiguous titles."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from paperdesk.catalog.identity import find_relinks, normalise_title, paper_id, title_similarity


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
