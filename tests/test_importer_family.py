"""The whole family of public paper lists: recognition by links, titles whole, venues right.

One test per rule of :mod:`paperdesk.catalog.importers.entries`, the examples of issue 12, and
the five public lists of ../shared/data/peers (skipped when absent).
"""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pytest

from conftest import SHARED
from paperdesk.catalog.identity import distinct_id, paper_id
from paperdesk.catalog.importers import inline, parse_text
from paperdesk.catalog.models import CatalogFile
from paperdesk.catalog.records import Paper

PEERS = sorted((SHARED / "data" / "peers").glob("*.md"))
RESIDUE = re.compile(r"\*\*|\[|\]|\||:mag:|https?://")
BAD_VENUE = re.compile(r"(?i)^(before|after|since)\b|^\d{4}\s*[-~]\s*\d{4}$")
ARXIV_IN_TEXT = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})")


def read(markdown: str) -> CatalogFile:
    return parse_text(dedent(markdown).lstrip("\n"), "family")


def read_list(text: str) -> CatalogFile:
    return parse_text(text, "family")


def titled(catalog: CatalogFile, start: str) -> Paper:
    found = [p for p in catalog.papers if p.title.startswith(start)]
    assert len(found) == 1, (start, [p.title for p in catalog.papers])
    return found[0]


# --- the examples of the issue -----------------------------------------------------------


def test_a_bullet_that_is_only_a_link_to_arxiv_is_a_paper() -> None:
    catalog = read("""
        ## LLM Systems
        ### Pre-Training
        - [Reducing Activation Recomputation in Large Transformer Models](https://arxiv.org/pdf/2205.05198.pdf)
    """)
    (paper,) = catalog.papers
    assert paper.title == "Reducing Activation Recomputation in Large Transformer Models"
    assert paper.arxiv_id == "2205.05198"
    assert paper.topics == ["Pre-Training"]


def test_link_text_and_subtitle_make_one_title_and_the_affiliation_a_tag() -> None:
    catalog = read("""
        ### Pre-Training
        - [Megatron-LM](https://arxiv.org/pdf/1909.08053.pdf): Training Multi-Billion Parameter Language Models Using Model Parallelism | NVIDIA
        - [Oobleck:](https://arxiv.org/abs/2309.08125) Resilient Distributed Training of Large Models Using Pipeline Templates | SOSP 23
        - [Ring Attention](https://arxiv.org/pdf/2310.01889.pdf) with Blockwise Transformers for Near-Infinite Context | UCB
        - [DeepSpeed-MoE](https://arxiv.org/abs/2201.05596): Advancing Mixture-of-Experts Inference ICML' 2022.
    """)  # noqa: E501 (list lines as lists write them)
    megatron = titled(catalog, "Megatron-LM")
    assert megatron.title == (
        "Megatron-LM: Training Multi-Billion Parameter Language Models Using Model Parallelism"
    )
    assert (megatron.tags, megatron.arxiv_id, megatron.url) == (
        ["NVIDIA"], "1909.08053", "https://arxiv.org/pdf/1909.08053.pdf",
    )  # fmt: skip
    oobleck = titled(catalog, "Oobleck")
    assert oobleck.title.startswith("Oobleck: Resilient Distributed")
    assert (oobleck.venue, oobleck.year, oobleck.tags) == ("SOSP 2023", 2023, [])
    ring = titled(catalog, "Ring Attention")
    assert ring.title == "Ring Attention with Blockwise Transformers for Near-Infinite Context"
    assert ring.tags == ["UCB"]
    moe = titled(catalog, "DeepSpeed-MoE")
    assert moe.title == "DeepSpeed-MoE: Advancing Mixture-of-Experts Inference"
    assert moe.venue == "ICML 2022"


def test_prefix_groups_of_any_count_give_the_venue_and_tags() -> None:
    catalog = read("""
        ### 2.2 DL scheduling
        - [Survey :mag:] [arxiv'24] [Unlocking Efficiency in LLM Inference: A Survey of Speculative Decoding](https://arxiv.org/abs/2401.07851)
        - [EuroMLSys@EuroSys'24] [ML Training with Cloud GPU Shortages: Is Cross-Region the Answer?](https://dl.acm.org/doi/pdf/10.1145/3642970.3655843)
        - **[NeurIPS'24]** [A Bold Prefix](https://openreview.net/forum?id=abc)
        - [ES-FoMO @ ICML'24] [A Workshop Paper](https://openreview.net/forum?id=def)
        - (OSDI'24) A Paren Prefixed Paper
        - [Survey :mag:] [TPDS'23] A Survey on Auto-Parallelism of Large-Scale Deep Learning Training
        - [Survey 🔍] [arxiv, 2022] [Deep Learning Workload Scheduling in GPU Datacenters](https://arxiv.org/abs/2205.11913)
    """)  # noqa: E501 (list lines as lists write them)
    survey = titled(catalog, "Unlocking Efficiency")
    assert survey.title == (
        "Unlocking Efficiency in LLM Inference: A Survey of Speculative Decoding"
    )
    assert (survey.venue, survey.year, survey.tags) == ("arXiv", 2024, ["Survey"])
    assert survey.prefix == "arxiv'24"
    shortages = titled(catalog, "ML Training with Cloud")
    assert (shortages.venue, shortages.year) == ("EuroMLSys @ EuroSys 2024", 2024)
    assert titled(catalog, "A Bold Prefix").venue == "NeurIPS 2024"
    assert titled(catalog, "A Workshop Paper").venue == "ES-FoMO @ ICML 2024"
    assert titled(catalog, "A Paren Prefixed").venue == "OSDI 2024"
    auto = titled(catalog, "A Survey on Auto-Parallelism")
    assert (auto.venue, auto.tags) == ("TPDS 2023", ["Survey"])
    workload = titled(catalog, "Deep Learning Workload")
    assert (workload.venue, workload.year, workload.tags) == ("arXiv", 2022, ["Survey"])


def test_groups_after_a_title_go_to_venue_tags_or_nowhere() -> None:
    catalog = read("""
        ### Papers
        - [A Paper | SOSP' 24](https://dl.acm.org/doi/10.1145/1.2)
        - [A Report [Technical Report]](https://example.org/tr.pdf)
        - [EuroSys'23] SiloD: A Co-design of Caching [also in [2.1](#21-dl-scheduling)]
        - [H2O](https://arxiv.org/abs/2306.14048): Heavy-Hitter Oracle | ICML ES-FoMo Workshop 2023
        - [Telekine: Secure Computing with Cloud GPUs. In NSDI'20.](https://www.usenix.org/conference/nsdi20/presentation/hunt): they aim to solve **privacy**
    """)  # noqa: E501 (list lines as lists write them)
    assert (titled(catalog, "A Paper").venue, titled(catalog, "A Paper").title) == (
        "SOSP 2024", "A Paper",
    )  # fmt: skip
    report = titled(catalog, "A Report")
    assert (report.title, report.tags) == ("A Report", ["Technical Report"])
    silod = titled(catalog, "SiloD")
    assert (silod.title, silod.tags, silod.venue) == (
        "SiloD: A Co-design of Caching", [], "EuroSys 2023",
    )  # fmt: skip
    assert titled(catalog, "H2O").venue == "ICML ES-FoMo Workshop 2023"
    telekine = titled(catalog, "Telekine")
    assert (telekine.title, telekine.venue) == (
        "Telekine: Secure Computing with Cloud GPUs", "NSDI 2020",
    )  # fmt: skip
    assert telekine.summary == "they aim to solve privacy"
    for paper in catalog.papers:
        assert not RESIDUE.search(paper.title), paper.title


def test_details_labels_and_year_headings_are_groupings_never_venues() -> None:
    catalog = read("""
        ## Serving
        <details><summary><b>Before 2024</b></summary>

        - [Old Paper](https://arxiv.org/abs/2301.00001)

        </details>
        <details><summary>2024</summary>

        - [A New Paper](https://arxiv.org/abs/2402.00001)

        </details>

        ### 2023-2024
        - [Ranged Paper](https://arxiv.org/abs/2403.00001)
        ### 2025
        - [Dated Paper](https://arxiv.org/abs/2501.00001)
    """)
    assert [(p.title, p.venue, p.year, p.topics) for p in catalog.papers] == [
        ("Old Paper", None, None, ["Serving"]),
        ("A New Paper", None, 2024, ["Serving"]),
        ("Ranged Paper", None, None, ["Serving"]),
        ("Dated Paper", None, 2025, ["Serving"]),
    ]
    assert catalog.venues == []


def test_a_year_heading_under_a_venue_name_makes_the_venue() -> None:
    catalog = read("""
        ## Papers
        ### OSDI
        #### 2016
        1. **TensorFlow: A System for Large-Scale Machine Learning** OSDI 2016 ![](https://img.shields.io/badge/Training-red)

           *Martín Abadi, Paul Barham*

           Code: [https://github.com/tensorflow/tensorflow](https://github.com/tensorflow/tensorflow)
        #### 2018 (Session only)
        1. **Ray: A Distributed Framework for Emerging AI Applications**
        ### SOSP
        1. [A Paper Without A Year](https://arxiv.org/abs/2001.00001)
        1. **A Bold Note**
    """)
    tensorflow, ray, undated = catalog.papers
    assert (tensorflow.title, tensorflow.venue, tensorflow.year) == (
        "TensorFlow: A System for Large-Scale Machine Learning", "OSDI 2016", 2016,
    )  # fmt: skip
    assert [(link.label, link.url) for link in tensorflow.links] == [
        ("Code", "https://github.com/tensorflow/tensorflow")
    ]
    assert (ray.venue, ray.year, ray.topics) == ("OSDI 2018", 2018, ["OSDI"])
    assert (undated.venue, undated.topics) == (None, ["SOSP"])
    assert [v.name for v in catalog.venues] == ["OSDI 2016", "OSDI 2018"]


# --- what is a paper ---------------------------------------------------------------------


def test_recognition_decides_by_what_a_bullet_links_to() -> None:
    catalog = read("""
        ## [MLSys 2024](https://mlsys.org)
        * [Accepted Papers](https://mlsys.org/Conferences/2024/AcceptedPapers)
        * [Apache Mesos](https://github.com/apache/mesos)
        * [Mesos](#mesos)
        * [![badge](https://img.shields.io/badge/x-red)](https://star-history.com/x)
        * [A USENIX Paper](https://www.usenix.org/conference/osdi24/presentation/lee)
        * [A Program Page](https://www.usenix.org/conference/osdi24/technical-sessions)
        * [An ACM Paper](https://dl.acm.org/doi/10.1145/3600006.3613145)
        * [A PDF Somewhere](https://people.example.edu/~me/paper.pdf)
        * [An OpenReview Paper](https://openreview.net/forum?id=xyz)
        * [An IEEE Paper](https://ieeexplore.ieee.org/abstract/document/10605084)
        * [A Proceedings Paper](https://proceedings.mlsys.org/paper_files/paper/2024/hash/x.html)
    """)
    assert [p.title for p in catalog.papers] == [
        "A USENIX Paper", "An ACM Paper", "A PDF Somewhere", "An OpenReview Paper",
        "An IEEE Paper", "A Proceedings Paper",
    ]  # fmt: skip
    assert all(p.venue == "MLSys 2024" for p in catalog.papers)


def test_tools_and_notes_are_not_papers_but_boxed_and_venued_lines_are() -> None:
    catalog = read("""
        ## 🔧 Tools
        - ggml: Tensor library for machine learning [[Code]](https://github.com/ggerganov/ggml)
        - SigmaScale: LLM compression [[Code]](https://github.com/e/s) [[Paper]](https://arxiv.org/abs/2606.07098)
        ## Contributing
        - The link to [Paper] should be the arxiv page, not the pdf page.
        - [ ] A Paper I Keep With A Box
        - [MLSys'22] Plumber: Diagnosing and Removing Performance Bottlenecks
    """)
    assert [p.title for p in catalog.papers] == [
        "SigmaScale: LLM compression",
        "A Paper I Keep With A Box",
        "Plumber: Diagnosing and Removing Performance Bottlenecks",
    ]
    sigma = catalog.papers[0]
    assert [(link.label, link.url) for link in sigma.links][1] == (
        "Paper", "https://arxiv.org/abs/2606.07098",
    )  # fmt: skip
    assert sigma.arxiv_id == "2606.07098"
    assert not catalog.warnings


def test_a_list_that_links_no_paper_keeps_its_plain_titles_and_drops_its_legend() -> None:
    catalog = read("""
        ## Category Keywords
        - ![](https://img.shields.io/badge/Training-red) Model training
        ## Serving
        * A Plain Title
        * Another Plain Title [code](https://github.com/a/b)
    """)
    assert [p.title for p in catalog.papers] == ["A Plain Title", "Another Plain Title"]


def test_a_venue_under_the_title_and_in_a_second_paragraph() -> None:
    catalog = read("""
        ### Survey
        - A Survey on Model Compression for Large Language Models <br> TACL [[Paper]](https://arxiv.org/abs/2308.07633)

        - Faster and Lighter LLMs: A Survey <br> IJCAI 2024 (Survey Track) [[Paper]](https://arxiv.org/abs/2402.01799)

        - FineGates: LLMs Finetuning with Compression using Stochastic Gates

          Arxiv 2025  [[Paper]](https://arxiv.org/abs/2412.12951) [[Code]](https://github.com/x/y)
    """)
    compression, faster, finegates = catalog.papers
    assert (compression.title, compression.venue) == (
        "A Survey on Model Compression for Large Language Models", "TACL",
    )  # fmt: skip
    assert (faster.title, faster.venue, faster.year) == (
        "Faster and Lighter LLMs: A Survey", "IJCAI 2024", 2024,
    )  # fmt: skip
    assert (finegates.venue, finegates.year, finegates.arxiv_id) == ("arXiv", 2025, "2412.12951")
    assert [link.label for link in finegates.links] == ["Paper", "Code"]


def test_html_links_in_bullets_and_reference_paragraphs() -> None:
    catalog = read("""
        # AI-Systems
        As discussed in [1, 2], there are concerns.

        [1] [Stoica et al. A Berkeley View of Systems Challenges for AI.](https://arxiv.org/pdf/1712.05855.pdf)<br>
        [2] [Ratner et al. MLSys: The New Frontier of Machine Learning Systems.](https://arxiv.org/abs/1904.03257)

        See [this survey](https://arxiv.org/abs/2401.00001) for more.

        - <a href="https://arxiv.org/abs/2402.00002">An HTML Linked Paper</a> | OSDI'24
        - <a href="javascript:alert(1)">A Script</a> [paper](https://arxiv.org/abs/2402.00005)
    """)
    assert [(p.title, p.arxiv_id, p.line) for p in catalog.papers] == [
        ("A Berkeley View of Systems Challenges for AI", "1712.05855", 4),
        ("MLSys: The New Frontier of Machine Learning Systems", "1904.03257", 5),
        ("An HTML Linked Paper", "2402.00002", 9),
        ("A Script", "2402.00005", 10),
    ]
    assert catalog.papers[2].venue == "OSDI 2024"
    assert [link.url for link in catalog.papers[3].links] == ["https://arxiv.org/abs/2402.00005"]
    skipped = [(w.line, w.kind) for w in catalog.warnings if w.kind == "skipped"]
    assert skipped == [(7, "skipped")]


def test_tables_of_papers_map_their_columns_by_header() -> None:
    catalog = read("""
        ### Serving

        | Paper | Keywords | Institute (first) | Publication | Others |
        | :---: | :---: | :---: | :---: | :---: |
        | [Orca: A Distributed Serving System](https://www.usenix.org/system/files/osdi22-yu.pdf) | Continuous batching | SNU | OSDI2022 | |
        | [TensorRT-LLM](https://github.com/NVIDIA/TensorRT-LLM) | | NVIDIA | | |
        | [Medusa: Simple LLM Inference Acceleration](https://arxiv.org/abs/2401.10774) | Decoding; Heads | Princeton | Arxiv | [Github repo](https://github.com/FasterDecoding/Medusa) |
        | <a href="https://arxiv.org/abs/2402.00003">An HTML Cell Paper</a> | | | NeurIPS 2023 | |

        | Title | Venue | Paper | Code |
        |---|---|---|---|
        | Plain Titled Paper | ICML'24 | [pdf](https://example.org/p.pdf) | [code](https://github.com/a/b) |
        | [paper](https://arxiv.org/abs/2404.00004) | | | |

        | Conferences | 2016 | 2017 |
        |---|---|---|
        | [OSDI](#osdi) | 3 | - |
    """)  # noqa: E501 (list lines as lists write them)
    assert [(p.title, p.venue, p.line) for p in catalog.papers] == [
        ("Orca: A Distributed Serving System", "OSDI 2022", 5),
        ("Medusa: Simple LLM Inference Acceleration", "arXiv", 7),
        ("An HTML Cell Paper", "NeurIPS 2023", 8),
        ("Plain Titled Paper", "ICML 2024", 12),
    ]
    medusa = catalog.papers[1]
    assert medusa.tags == ["Decoding", "Heads", "Princeton"]
    assert [link.label for link in medusa.links] == ["paper", "Github repo"]
    plain = catalog.papers[3]
    assert plain.url == "https://example.org/p.pdf"
    assert [(w.line, w.kind) for w in catalog.warnings] == [(13, "skipped")]


# --- identity ----------------------------------------------------------------------------


def test_same_titles_with_different_arxiv_ids_stay_two_papers() -> None:
    catalog = read("""
        ## [OSDI 2024](https://example.org/osdi24)
        ### Keynotes
        * Introduction [paper](https://arxiv.org/abs/2401.11111)
        * Introduction [paper](https://arxiv.org/abs/2402.22222v2)
        * Introduction [code](https://github.com/x/y)
        * Introduction [paper](https://arxiv.org/abs/2402.22222)
        * Closing [paper](https://doi.org/10.1145/1.1)
        * Closing [paper](https://dl.acm.org/doi/abs/10.1145/2.2)
    """)
    first, second, closing, other = catalog.papers
    assert first.id == paper_id("Introduction")  # the first keeps the title's id
    assert (first.arxiv_id, second.arxiv_id) == ("2401.11111", "2402.22222")
    assert second.id != first.id and second.id.startswith("introduction-")
    assert [link.url for link in first.links] == [
        "https://arxiv.org/abs/2401.11111", "https://github.com/x/y",
    ]  # fmt: skip
    assert second.line == 4 and len(second.links) == 2
    assert closing.id == paper_id("Closing") and other.id != closing.id
    assert [(w.line, w.message) for w in catalog.warnings] == [
        (4, "'Introduction' is also at line 3 with another arXiv id "
            "(2401.11111 and 2402.22222): two papers"),
        (8, "'Closing' is also at line 7 with another DOI (10.1145/1.1 and 10.1145/2.2): "
            "two papers"),
    ]  # fmt: skip
    again = read("""
        ## [OSDI 2024](https://example.org/osdi24)
        * Introduction [paper](https://arxiv.org/abs/2402.22222)
        * Introduction [paper](https://arxiv.org/abs/2401.11111)
    """)
    assert [(p.id, p.arxiv_id) for p in again.papers] == [
        (first.id, "2402.22222"),  # the first in the list keeps the title's id
        (distinct_id("Introduction", "arxiv:2401.11111"), "2401.11111"),
    ]
    assert second.id == distinct_id("Introduction", "arxiv:2402.22222")


def test_annotation_bullets_add_their_links_to_their_paper() -> None:
    catalog = read("""
        ## [OSDI 2024](https://example.org/osdi24)
        * Galvatron: Efficient Transformer Training [paper](https://arxiv.org/abs/2211.13878)
          * slides [link](https://example.org/galvatron-slides.pdf)
          * arxiv version (2023) [paper](https://arxiv.org/abs/2307.02031)
          * extended version of Galvatron (VLDB'23)
          * [arxiv](https://arxiv.org/abs/2401.16265) [openreview](https://openreview.net/forum?id=Z)
          * [arxiv'23] [SuperScaler: A Paper Of Its Own](https://arxiv.org/abs/2301.08984)
          * Code Llama: Also A Paper Of Its Own [paper](https://arxiv.org/abs/2308.12950)
        * Mesos: A Platform [paper](https://example.org/mesos.pdf)
        * [Slides](https://example.org/mesos-slides.pdf)
    """)
    assert [p.title for p in catalog.papers] == [
        "Galvatron: Efficient Transformer Training",
        "SuperScaler: A Paper Of Its Own",
        "Code Llama: Also A Paper Of Its Own",
        "Mesos: A Platform",
    ]
    galvatron, _, _, mesos = catalog.papers
    assert [(link.label, link.url) for link in galvatron.links] == [
        ("paper", "https://arxiv.org/abs/2211.13878"),
        ("slides", "https://example.org/galvatron-slides.pdf"),
        ("arxiv version (2023)", "https://arxiv.org/abs/2307.02031"),
        ("arxiv", "https://arxiv.org/abs/2401.16265"),
        ("openreview", "https://openreview.net/forum?id=Z"),
    ]
    assert (galvatron.url, galvatron.arxiv_id) == ("https://arxiv.org/abs/2211.13878", "2211.13878")
    assert [link.label for link in mesos.links] == ["paper", "Slides"]


# --- the public lists --------------------------------------------------------------------


@pytest.fixture(scope="module", params=[p.name for p in PEERS] or ["absent"])
def peer(request: pytest.FixtureRequest) -> tuple[str, CatalogFile]:
    path = SHARED / "data" / "peers" / request.param
    if not path.is_file():
        pytest.skip(f"{path} not present")
    text = path.read_text(encoding="utf-8")
    return text, parse_text(text, Path(request.param).stem)


def test_public_lists_read_whole_titles_and_carry_their_arxiv_ids(
    peer: tuple[str, CatalogFile],
) -> None:
    text, catalog = peer
    assert not any(w.message.startswith("internal error") for w in catalog.warnings)
    assert catalog.papers
    residue = [p.title for p in catalog.papers if RESIDUE.search(p.title)]
    assert residue == []
    ids = set(ARXIV_IN_TEXT.findall(text))
    carried = {p.arxiv_id for p in catalog.papers if p.arxiv_id}
    assert len(ids - carried) <= 0.03 * len(ids), sorted(ids - carried)[:10]
    venues = {p.venue for p in catalog.papers if p.venue}
    assert not [v for v in venues if BAD_VENUE.match(v)]
    assert len({p.id for p in catalog.papers}) == len(catalog.papers)


# --- hostile lines -------------------------------------------------------------------------


def test_a_line_of_nested_brackets_is_read_within_its_bounds() -> None:
    """Work per line is bounded: the line is cut and deep brackets read as nothing, so the
    200,000-bracket line of the reliability campaign reads like any other (bench: < 1 s)."""
    line = "[" * 100_000 + "x" + "]" * 100_000
    read = inline.bounded(line)
    depth = deepest = 0
    for char in read:
        depth += {"[": 1, "]": -1}.get(char, 0)
        deepest = max(deepest, depth)
    assert len(read) <= inline.MAX_LINE and deepest == inline.MAX_NESTING
    catalog = read_list(f"## [OSDI 2024](https://x.org)\n* (OSDI'24) T {line}\n"
                        "* A Normal Paper [paper](https://arxiv.org/abs/2401.00001)\n")  # fmt: skip
    assert [p.title for p in catalog.papers][1:] == ["A Normal Paper"]
    assert catalog.papers[1].arxiv_id == "2401.00001"
    assert inline.bounded("[a](b) [c](d)") == "[a](b) [c](d)"  # ordinary lines untouched


def test_shortcodes_and_groups_by_the_thousand_leave_the_title() -> None:
    catalog = read_list(
        "## T\n* [" + ":fire:" * 2_000 + " First :mag:](https://arxiv.org/abs/2401.00001)\n"
        "* " + "[a] " * 3_000 + "[Second](https://arxiv.org/abs/2401.00002)\n"
    )
    assert [(p.title, p.tags) for p in catalog.papers] == [("First", []), ("Second", ["a"])]
