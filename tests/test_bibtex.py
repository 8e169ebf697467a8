"""BibTeX output parses with a real parser, decodes back to the titles, and cites stably."""

from __future__ import annotations

import datetime as dt
import re
from itertools import islice

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from paperdesk.catalog.arxiv_ids import arxiv_id_of_paper as arxiv_id_of
from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.catalog.records import Link, Paper
from paperdesk.export.bibtex import (
    booktitle,
    choose_keys,
    doi_of,
    entry_for,
    escape_title,
    escape_url,
    key_candidates,
    key_stem,
    last_name,
    write_bibtex,
    year_of,
)


def paper(title: str, **fields: object) -> Paper:
    return Paper(id=paper_id(title), title=title, **fields)


SERVERLESS = paper(
    "ServerlessLLM: Locality-Enhanced Serverless Inference for Large Language Models",
    venue="OSDI 2024",
    year=2024,
    topics=["LLM Serving"],
    url="https://arxiv.org/abs/2401.14351",
    links=[Link(label="link", url="https://arxiv.org/abs/2401.14351")],
)
RAGCACHE = paper(
    "RAGCache: Efficient Knowledge Caching for Retrieval-Augmented Generation",
    venue="arXiv",
    url="https://arxiv.org/abs/2404.12457",
)
DAILY = paper(
    "vToken: Token-Level Virtualization for Reclaimable KV Caches",
    url="http://arxiv.org/abs/2608.13263v1",
    arxiv_id="2608.13263v1",
    date=dt.date(2026, 8, 13),
    tags=["serving", "kernel"],
)
PLAIN = paper("GPU Scale-Model Simulation", venue="HPCA 2024", year=2024)
TRICKY = [
    paper(r"50% of {Braces} & $dollars$ # hash _under_ ~tilde ^caret \backslash", venue="ATC 2024"),
    paper("[Bracketed] *Stars* | Pipes <angle> μ-Serve 日本語 Ünïcödé", venue="Weird Venue"),
    paper("}{ unbalanced {{ braces }", venue="SOSP 2024"),
]


def parse(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library


def fields(entry: bibtexparser.model.Entry) -> dict[str, str]:
    return {name.lower(): field.value for name, field in entry.fields_dict.items()}


def braces_balanced(text: str) -> bool:
    """BibTeX counts every brace, escaped or not: the depth must never go negative."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


_CONTEXT = get_default_latex_context_db()
_CONTEXT.add_context_category(
    "paperdesk-test",
    prepend=True,
    macros=[
        MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"),
    ],
)
_LATEX = LatexNodes2Text(latex_context=_CONTEXT, math_mode="verbatim")


def decoded(value: str) -> str:
    return _LATEX.latex_to_text(value)


def test_every_paper_gets_one_parsable_entry_with_a_unique_key() -> None:
    papers = [SERVERLESS, RAGCACHE, DAILY, PLAIN, *TRICKY]
    text = write_bibtex(papers)
    library = parse(text)
    assert len(library.entries) == len(papers)
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == len(keys)
    for block in text.split("\n@"):
        assert braces_balanced(block), block


def test_venue_paper_with_arxiv_link_is_inproceedings_with_eprint() -> None:
    (entry,) = parse(entry_for(SERVERLESS)).entries
    got = fields(entry)
    assert entry.entry_type == "inproceedings"
    assert entry.key == "serverlessllm2024"
    assert got["year"] == "2024"
    assert got["eprint"] == "2401.14351"
    assert got["archiveprefix"] == "arXiv"
    assert got["booktitle"] == (
        "USENIX Symposium on Operating Systems Design and Implementation (OSDI 2024)"
    )
    assert got["url"] == "https://arxiv.org/abs/2401.14351"
    assert "ServerlessLLM" in got["title"]


def test_arxiv_papers_are_misc_with_eprint_and_a_year_from_the_id() -> None:
    for item, eprint, year in [(RAGCACHE, "2404.12457", "2024"), (DAILY, "2608.13263", "2026")]:
        (entry,) = parse(entry_for(item)).entries
        got = fields(entry)
        assert entry.entry_type == "misc"
        assert got["eprint"] == eprint
        assert got["archiveprefix"] == "arXiv"
        assert got["year"] == year
        assert "booktitle" not in got


def test_a_paper_without_arxiv_id_has_no_eprint() -> None:
    (entry,) = parse(entry_for(PLAIN)).entries
    got = fields(entry)
    assert entry.entry_type == "inproceedings"
    assert "eprint" not in got and "archiveprefix" not in got
    assert got["booktitle"].endswith("(HPCA 2024)")


def test_unknown_venue_keeps_its_own_name_as_booktitle() -> None:
    assert booktitle("Weird Venue", None) == "Weird Venue"
    assert booktitle("EuroSys 2025", 2025) == (
        "European Conference on Computer Systems (EuroSys 2025)"
    )
    assert booktitle("USENIX ATC 2024", 2024).endswith("(ATC 2024)")


def test_a_year_glued_to_the_venue_still_counts() -> None:
    assert booktitle("NeurIPS2023", 2023).endswith("(NeurIPS 2023)")
    assert year_of(paper("Glued", venue="NeurIPS2023")) == 2023
    assert year_of(paper("Not a year", venue="ICML 120245")) is None


@pytest.mark.parametrize("item", [*TRICKY, SERVERLESS])
def test_titles_decode_back_to_the_list_title(item: Paper) -> None:
    (entry,) = parse(entry_for(item)).entries
    assert decoded(fields(entry)["title"]) == item.title


def test_capitals_are_protected_and_unicode_stays_utf8() -> None:
    text = entry_for(TRICKY[1])
    assert "[Bracketed] *Stars* | Pipes <angle> μ-Serve 日本語 Ünïcödé" in text
    assert "\\u" not in text


@pytest.mark.parametrize(
    ("title", "field"),
    [
        (
            "CacheGen: KV Cache Compression and Streaming for Fast Language Model Serving",
            "{CacheGen}: {KV} Cache Compression and Streaming for Fast Language Model Serving",
        ),
        (
            "Power-aware Deep Learning Model Serving with μ-Serve",
            "Power-aware Deep Learning Model Serving with μ-Serve",
        ),
        ("Bayesian Tuning of vLLM on A100 GPUs", "{Bayesian} Tuning of {vLLM} on {A100} {GPUs}"),
        ("Multi-GPU KV-Cache (LLMs) for eBPF", "Multi-{GPU} {KV}-Cache ({LLMs}) for {eBPF}"),
        ("An $O(1)$ Lookup of $\\mathcal{K}$-Sets", "An {$O(1)$} Lookup of {$\\mathcal{K}$}-Sets"),
        ("Serving for $5 and $10 a Day", "Serving for \\$5 and \\$10 a Day"),
        ("Unbalanced $x}$ Math", "Unbalanced \\$x\\textbraceright{}\\$ Math"),
        ("Cut $50%$ of #1 $a&b$", "Cut {$50\\%$} of \\#1 {$a\\&b$}"),
        ("Escaped $x\\$ and $y$", "Escaped \\$x\\textbackslash{}\\$ and {$y$}"),
    ],
)
def test_titles_brace_only_what_must_keep_its_capitals_and_keep_math(
    title: str, field: str
) -> None:
    assert escape_title(title) == field
    in_math = decoded(field).replace("\\%", "%").replace("\\&", "&")  # math stays LaTeX
    assert in_math == title


def test_special_characters_are_escaped_not_raw() -> None:
    title_line = next(line for line in entry_for(TRICKY[0]).splitlines() if "title" in line)
    body = title_line.split("=", 1)[1].replace("{$dollars$}", "")
    for raw in ["&", "%", "$", "#", "_"]:
        assert re.search(rf"(?<!\\){re.escape(raw)}", body) is None, raw
    assert r"\textbackslash{}" in body and r"\textasciitilde{}" in body


def test_urls_stay_usable() -> None:
    url = "https://arxiv.org/abs/2312.04429#:~:text=In%20this_paper"
    assert escape_url(url) == url
    assert escape_url("https://x.org/a b{c}") == "https://x.org/a%20b%7Bc%7D"


def test_a_repeated_key_gets_a_suffix_from_the_paper_id_not_its_position() -> None:
    twins = [paper(f"Atom: Variant {n}", venue="MLSys 2024") for n in range(4)]
    keys = choose_keys(twins, {}, {})
    assert len(set(keys.values())) == 4 and all(k.startswith("atom2024") for k in keys.values())
    assert choose_keys(list(reversed(twins)), {}, {}) == keys, "the list's order does not matter"
    for twin in twins:
        assert keys[twin.id] in list(key_candidates(twin)), "each key is one of its own id's"
    stored = {twins[3].id: "atom2024"}  # given earlier: the others never take it
    again = choose_keys(twins, {}, stored)
    assert twins[3].id not in again and "atom2024" not in again.values()
    assert again[twins[0].id] == next(islice(key_candidates(twins[0]), 1, None))
    assert choose_keys(twins, {}, {twins[3].id: "ATOM2024"})[twins[0].id] != "atom2024", (
        "BibTeX compares keys without case"
    )


def test_the_key_rule_last_name_else_title_word_then_year() -> None:
    assert key_stem(paper("The Ünïcödé Way", year=2023)) == "unicode2023"
    assert key_stem(paper("日本語", venue="X")) == "paper"
    meta = ArxivMetadata(
        arxiv_id="2401.14351",
        title="ServerlessLLM",
        abstract="",
        authors=["Łukasz Müller-Ölçer", "Leyang Xue"],
        fetched_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    assert key_stem(SERVERLESS, meta) == "mullerolcer2024"
    assert key_stem(SERVERLESS) == "serverlessllm2024"
    assert [last_name(n) for n in ["Yao Fu", "Fu, Yao", "Wei Wang 0001", "Sam Lee Jr."]] == [
        "fu",
        "fu",
        "wang",
        "lee",
    ]
    assert last_name("李飞飞") is None
    cjk = ArxivMetadata(**{**meta.model_dump(), "authors": ["李飞飞"]})
    assert key_stem(SERVERLESS, cjk) == "serverlessllm2024", "no ASCII name: the title word"


def test_metadata_adds_authors_and_category_and_the_stored_key_stays() -> None:
    meta = ArxivMetadata(
        arxiv_id="2401.14351v2",
        title="ServerlessLLM",
        abstract="…",
        authors=["Yao Fu", "Leyang Xue", "Tom & Jerry Lab", "Ann and Bob"],
        categories=["cs.LG", "cs.DC"],
        published=dt.date(2024, 1, 25),
        fetched_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    stored = {SERVERLESS.id: "serverlessllm2024"}
    (entry,) = parse(write_bibtex([SERVERLESS], {SERVERLESS.id: meta}, stored)).entries
    got = fields(entry)
    assert got["author"] == r"Yao Fu and Leyang Xue and Tom \& Jerry Lab and {Ann and Bob}"
    assert got["primaryclass"] == "cs.LG"
    assert entry.key == "serverlessllm2024"
    assert parse(write_bibtex([SERVERLESS], {SERVERLESS.id: meta})).entries[0].key == "fu2024"


def test_doi_from_doi_org_and_acm_links_but_not_proceedings() -> None:
    acm = paper(
        "Some ACM Paper",
        venue="ASPLOS 2024",
        url="https://dl.acm.org/doi/10.1145/3620666.3651379",
        links=[Link(label="proc", url="https://dl.acm.org/doi/proceedings/10.1145/3620666")],
    )
    assert doi_of(acm) == "10.1145/3620666.3651379"
    pdf = paper("P", links=[Link(label="pdf", url="https://dl.acm.org/doi/pdf/10.1145/1.2")])
    assert doi_of(pdf) == "10.1145/1.2"
    assert doi_of(paper("D", url="https://doi.org/10.5555/x_y(z)")) == "10.5555/x_y(z"
    assert doi_of(paper("Proc", url="https://dl.acm.org/doi/proceedings/10.1145/3627703")) is None
    assert fields(parse(entry_for(acm)).entries[0])["doi"] == "10.1145/3620666.3651379"
    assert "doi" not in fields(parse(entry_for(SERVERLESS)).entries[0])


def test_ascii_writes_non_ascii_as_latex_escapes_that_decode_back() -> None:
    item = paper("Ünïcödé μ-Serve: Łukasz’s Paper on 日本", venue="Weird Venue")
    meta = ArxivMetadata(
        arxiv_id="2401.00001",
        title=item.title,
        abstract="",
        authors=["Jörg Müller", "Łukasz Kaiser"],
        fetched_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    text = write_bibtex([item], {item.id: meta}, ascii=True)
    assert text.isascii()
    got = fields(parse(text).entries[0])
    assert r"{\"U}n{\"\i}c{\"o}d{\'e}" in got["title"] and r"\ensuremath{\mu}" in got["title"]
    assert "U+65E5" in got["title"], "a character without a LaTeX name keeps its code point"
    assert decoded(got["author"]) == "Jörg Müller and Łukasz Kaiser"
    assert braces_balanced(text)
    assert write_bibtex([SERVERLESS], ascii=True) == write_bibtex([SERVERLESS])


def test_enrichment_supplies_the_arxiv_id_and_year_a_list_lacks() -> None:
    bare = paper("Some Preprint Without Links")
    meta = ArxivMetadata(
        arxiv_id="2501.00001v3",
        title="Some Preprint Without Links",
        abstract="",
        published=dt.date(2025, 1, 2),
        fetched_at=dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
    )
    got = fields(parse(entry_for(bare, meta)).entries[0])
    assert got["eprint"] == "2501.00001" and got["year"] == "2025"


def test_arxiv_id_found_in_links_or_nested_link_targets() -> None:
    assert (
        arxiv_id_of(
            paper("x", links=[Link(label="pdf", url="https://arxiv.org/pdf/2401.09670.pdf")])
        )
        == "2401.09670"
    )
    nested = "[https://arxiv.org/abs/2401.00588](https://arxiv.org/abs/2401.14351)"
    assert arxiv_id_of(paper("y", url=nested)) == "2401.14351"
    assert arxiv_id_of(paper("z", url="https://example.org/2401.14351")) is None


def test_duplicate_papers_give_one_entry() -> None:
    assert len(parse(write_bibtex([SERVERLESS, PLAIN, SERVERLESS])).entries) == 2


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=6))
def test_any_titles_give_parsable_balanced_entries(titles: list[str]) -> None:
    papers = [paper(title, venue="NSDI 2024") for title in dict.fromkeys(titles)]
    papers = list({p.id: p for p in papers}.values())
    text = write_bibtex(papers)
    library = parse(text)
    assert len(library.entries) == len(papers)
    assert len({entry.key for entry in library.entries}) == len(papers)
    assert braces_balanced(text)
