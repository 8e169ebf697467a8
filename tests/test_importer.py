"""The awesome-papers list family: the real lists, and one focused test per reading rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from textwrap import dedent

import pytest

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.importers import detect_kind, parse_text
from paperdesk.catalog.models import CatalogFile
from paperdesk.catalog.records import Paper

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _real(relative: str) -> CatalogFile:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return parse_text(path.read_text(encoding="utf-8"), Path(relative).stem)


@pytest.fixture(scope="module")
def seed() -> CatalogFile:
    return _real("seed/awesome-papers.md")


@pytest.fixture(scope="module")
def upstream() -> CatalogFile:
    return _real("data/upstream-README.md")


def read(markdown: str) -> CatalogFile:
    return parse_text(dedent(markdown).lstrip("\n"), "test")


def only(catalog: CatalogFile) -> Paper:
    assert len(catalog.papers) == 1, [p.title for p in catalog.papers]
    return catalog.papers[0]


def by_title(catalog: CatalogFile, start: str) -> Paper:
    found = [p for p in catalog.papers if p.title.startswith(start)]
    assert len(found) == 1, (start, [p.title for p in catalog.papers])
    return found[0]


# --- the seed list -----------------------------------------------------------------------


def test_seed_has_94_papers_in_the_expected_venues(seed: CatalogFile) -> None:
    assert seed.kind == "list"
    assert seed.title == "awesome-papers"
    assert len(seed.papers) == len({p.id for p in seed.papers}) == 94
    counts = Counter(p.venue for p in seed.papers)
    assert counts["OSDI 2024"] == 10
    assert counts["NSDI 2024"] == 8
    assert counts["ATC 2024"] == 7
    assert counts["MLSys 2024"] == 21
    assert counts["SOSP 2024"] == 10
    assert counts["EuroSys 2025"] == 2
    assert not seed.warnings


def test_seed_titles_have_no_markdown_left(seed: CatalogFile) -> None:
    for paper in seed.papers:
        assert not any(mark in paper.title for mark in ("**", "[", "]", "`", "  ")), paper.title
        assert paper.id == paper_id(paper.title)
        assert paper.source == "awesome-papers"


def test_seed_venues_are_its_sections_in_order(seed: CatalogFile) -> None:
    assert [v.name for v in seed.venues] == [
        "SIGCOMM 2024", "HPCA 2024", "SOSP 2024", "ATC 2024", "EuroSys 2024", "ASPLOS 2024",
        "OSDI 2024", "NSDI 2024", "MLSys 2024",
    ]  # fmt: skip
    nsdi = next(v for v in seed.venues if v.name == "NSDI 2024")
    assert nsdi.url is None  # "## [NSDI 2024](https://)" is a placeholder
    assert nsdi.year == 2024
    osdi = next(v for v in seed.venues if v.name == "OSDI 2024")
    assert osdi.url == "https://www.usenix.org/conference/osdi24"


def test_seed_todo_list(seed: CatalogFile) -> None:
    todos = {t.name: t for t in seed.todos}
    assert list(todos) == [
        "EuroSys'25 Spring", "NSDI'25", "HPCA'25", "PPoPP'25", "SIGCOMM'25", "OSDI'25",
    ]  # fmt: skip
    assert todos["SIGCOMM'25"].date == dt.date(2025, 4, 29)
    assert todos["SIGCOMM'25"].note == "Review results’ notification Tuesday April 29, 2025"
    assert todos["SIGCOMM'25"].url == "https://conferences.sigcomm.org/sigcomm/2025/cfp/"
    assert todos["OSDI'25"].date == dt.date(2025, 3, 25)
    assert todos["EuroSys'25 Spring"].url == "https://2025.eurosys.org/accepted-papers.html"
    assert todos["EuroSys'25 Spring"].date is None
    assert not any(t.done for t in seed.todos)


def test_seed_websites_and_daily_link(seed: CatalogFile) -> None:
    assert seed.daily_link == "daily-arxiv-llm.md"
    sites = {s.url: s for s in seed.websites}
    assert len(sites) == 5
    lg = sites["https://papers.cool/arxiv/cs.LG"]
    assert (lg.description, lg.group) == ("Machine Learning", "Papes.cool")
    assert sites["https://www.connectedpapers.com"].name == "Connect Papers"
    assert sites["https://www.connectedpapers.com"].group == "Find Related Papers"
    assert sites["https://huggingface.co/spaces/bishmoy/Arxiv-CS-RAG"].group is None


def test_seed_nested_link_target_wins(seed: CatalogFile) -> None:
    paper = by_title(seed, "ServerlessLLM")
    assert paper.url == "https://arxiv.org/abs/2401.14351"
    assert paper.arxiv_id == "2401.14351"
    assert paper.tags == ["Serveless"]


def test_seed_duplicates_merge(seed: CatalogFile) -> None:
    cachegen = by_title(seed, "CacheGen")
    assert (cachegen.venue, cachegen.year, cachegen.prefix) == ("SIGCOMM 2024", 2024, "Sigcomm'24")
    assert cachegen.topics == ["Retrieval-Augmented Generation"]
    assert cachegen.line == 34  # the first occurrence keeps its place
    assert cachegen.arxiv_id == "2310.07240"
    fairness = by_title(seed, "Fairness in Serving")
    assert fairness.topics == ["LLM Serving", "ML Scheduling"]
    prompt = by_title(seed, "Prompt Cache")
    assert prompt.topics == ["LLM - serving", "Retrieval-Augmented Generation"]
    assert prompt.tags == ["Inference", "KV Cache", "Yale"]


def test_seed_things_that_are_not_papers(seed: CatalogFile) -> None:
    titles = " ".join(p.title for p in seed.papers)
    for absent in ("Attention Is All You Need", "Optimal Block-Level", "to be updated",
                   "Accepted Papers", "Paper title", "daily-arxiv-llm"):  # fmt: skip
        assert absent not in titles


def test_seed_links_tags_and_keywords(seed: CatalogFile) -> None:
    slora = by_title(seed, "SLoRA")
    assert [(link.label, link.url) for link in slora.links] == [
        ("paper", "https://arxiv.org/abs/2311.03285"),
        ("code", "https://github.com/S-LoRA/S-LoRA"),
    ]
    assert slora.url == "https://arxiv.org/abs/2311.03285"
    assert slora.tags == ["Serving", "LoRA", "Stanford", "Berkerley"]
    assert slora.venue_label == "MLSys 2024"
    vidur = by_title(seed, "VIDUR")
    assert (vidur.links, vidur.url) == ([], None)
    assert vidur.tags == ["Inference", "Simulation Framework", "Microsoft"]
    tessel = by_title(seed, "Tessel")
    assert tessel.title == (
        "Tessel: Boosting Distributed Execution of Large DNN Models via Flexible Schedule Search"
    )
    assert tessel.keywords == ["Distributed Execution", "Flexible Schedule Search"]
    assert tessel.tags == []
    sarathi = by_title(seed, "Taming Throughput")
    assert sarathi.tags == []  # "[]" is an empty tag group
    distserve = by_title(seed, "DistServe")
    assert distserve.arxiv_id == "2401.09670"  # from .../pdf/2401.09670.pdf
    megascale = by_title(seed, "MegaScale")
    assert megascale.tags == ["Training", "Bytedance"]
    assert (megascale.venue, megascale.prefix, megascale.line) == ("NSDI 2024", "NSDI'24", 134)


def test_seed_topics_and_section_venues(seed: CatalogFile) -> None:
    metis = by_title(seed, "Metis")
    assert (metis.venue, metis.topics) == ("ATC 2024", ["ML Training"])  # "## ML Training"
    ragcache = by_title(seed, "RAGCache")
    assert (ragcache.venue, ragcache.year, ragcache.prefix) == ("arXiv", None, "arxiv")
    cacheblend = by_title(seed, "CacheBlend")
    assert (cacheblend.venue, cacheblend.year) == ("EuroSys 2025", 2025)
    assert by_title(seed, "Crux").topics == ["Networking and Training"]


# --- the newer upstream list -------------------------------------------------------------


def test_upstream_reads_every_section(upstream: CatalogFile, seed: CatalogFile) -> None:
    assert len(upstream.papers) >= 150
    names = {v.name for v in upstream.venues}
    assert {"MLSys 2025", "EuroSys 2025", "NSDI 2025", "PPoPP 2025", "HPCA 2025"} <= names
    assert "OSDI 2024" in names
    for paper in upstream.papers:
        assert not any(mark in paper.title for mark in ("**", "|", "]", "[")), paper.title
    mlsys = {p.id for p in upstream.papers if p.venue == "MLSys 2024"}
    assert mlsys == {p.id for p in seed.papers if p.venue == "MLSys 2024"}
    assert upstream.daily_link == "daily-arxiv-llm.md"


def test_upstream_tags_whose_bracket_was_lost(upstream: CatalogFile) -> None:
    assert by_title(upstream, "HeteGen").tags == ["Inference", "Parallelism", "NUS"]
    assert by_title(upstream, "SiDA").tags == ["Serving", "MoE"]
    assert by_title(upstream, "Does Compressing").tags == ["Quantization"]
    assert by_title(upstream, "HeteGen").keywords == []


def test_upstream_eurosys_spring_label(upstream: CatalogFile) -> None:
    eurosys = next(v for v in upstream.venues if v.name == "EuroSys 2025")
    assert eurosys.label == "EuroSys 2025 Spring"
    flex = by_title(upstream, "Flex: Fast")
    assert (flex.venue, flex.venue_label, flex.year) == (
        "EuroSys 2025",
        "EuroSys 2025 Spring",
        2025,
    )
    hcache = by_title(upstream, "Fast State Restoration")
    assert (hcache.venue, hcache.venue_label) == ("EuroSys 2025", "EuroSys 2025 Spring")
    assert hcache.topics == ["Retrieval-Augmented Generation"]


def test_upstream_details_blocks(upstream: CatalogFile) -> None:
    sites = {s.url: s for s in upstream.websites}
    assert "https://www.connectedpapers.com" in sites
    assert sites["https://papers.cool/arxiv/cs.DC"].group == "Papes.cool"
    assert sites["https://paper.lingyunyang.com/reading-notes/conference"].name == (
        "Conference List with Link"
    )
    assert not any("Most Relevant" in p.title or "NSDI;" in p.title for p in upstream.papers)
    assert [w.line for w in upstream.warnings] == [20, 21, 22]  # the conference-list prose


def test_real_lists_are_detected_as_lists() -> None:
    for relative in ("seed/awesome-papers.md", "data/upstream-README.md"):
        path = SHARED / relative
        if not path.is_file():
            pytest.skip(f"{path} not present")
        assert detect_kind(path.read_text(encoding="utf-8")) == "list"


# --- one rule at a time ------------------------------------------------------------------


def test_broken_nested_link_uses_its_inner_target() -> None:
    paper = only(
        read("""
        ## OSDI 2024
        * Paper [link]([https://arxiv.org/abs/2401.00588](https://arxiv.org/abs/2401.14351))[X]
    """)
    )
    assert [link.url for link in paper.links] == ["https://arxiv.org/abs/2401.14351"]
    assert (paper.arxiv_id, paper.tags, paper.title) == ("2401.14351", ["X"], "Paper")


def test_reversed_and_bare_links() -> None:
    catalog = read("""
        ## OSDI 2024
        * Reversed paper (link)[https://arxiv.org/abs/2402.00002] [Tag]
        * Bare paper https://arxiv.org/abs/2403.00003v3 [Tag]
    """)
    reversed_, bare = catalog.papers
    assert (reversed_.title, reversed_.url, reversed_.tags) == (
        "Reversed paper", "https://arxiv.org/abs/2402.00002", ["Tag"],
    )  # fmt: skip
    assert (bare.title, bare.url, bare.arxiv_id) == (
        "Bare paper", "https://arxiv.org/abs/2403.00003v3", "2403.00003",
    )  # fmt: skip


def test_empty_link_is_a_position_not_a_link() -> None:
    paper = only(
        read("""
        ## MLSys 2024
        * (MLSys'24) Lancet: Fast [-]() [**Training** | HKU]
    """)
    )
    assert (paper.title, paper.links, paper.url, paper.tags) == (
        "Lancet: Fast", [], None, ["Training", "HKU"],
    )  # fmt: skip
    assert not read("## A 2024\n* X [-]()").warnings


@pytest.mark.parametrize(
    ("tail", "tags"),
    [
        ("[Inference | KV Cache | Yale]", ["Inference", "KV Cache", "Yale"]),
        ("[**Inference** | **KV Cache** | Yale]", ["Inference", "KV Cache", "Yale"]),
        ("[Training|Bytedance]", ["Training", "Bytedance"]),
        ("**Inference** | NUS]", ["Inference", "NUS"]),
        ("**Serving** | **MoE**", ["Serving", "MoE"]),
        ("**Quantization**", ["Quantization"]),
        ("[]", []),
        ("", []),
        ("[A] [B]", ["A", "B"]),
    ],
)
def test_tag_groups_after_the_links(tail: str, tags: list[str]) -> None:
    paper = only(read(f"## OSDI 2024\n* Title **Bold** here [paper](https://x.org/p) {tail}\n"))
    assert paper.tags == tags
    assert (paper.title, paper.keywords) == ("Title Bold here", ["Bold"])


def test_tag_group_without_links_ends_the_title() -> None:
    paper = only(read("## OSDI 2024\n* A title [Tag | Lab]\n"))
    assert (paper.title, paper.tags) == ("A title", ["Tag", "Lab"])


@pytest.mark.parametrize(
    ("prefix", "venue", "year"),
    [
        ("(NSDI'24)", "NSDI 2024", 2024),
        ("(Sigcomm'24)", "SIGCOMM 2024", 2024),
        ("(sigcomm 2024)", "SIGCOMM 2024", 2024),
        ("(NIPS'17)", "NeurIPS 2017", 2017),
        ("(arxiv)", "arXiv", None),
        ("(Arxiv'24)", "arXiv", 2024),
        ("[COLM'24]", "COLM 2024", 2024),
        ("(EuroSys’25)", "EuroSys 2025", 2025),
        ("(ICML2024)", "ICML 2024", 2024),
        ("(mlsys'24)", "MLSys 2024", 2024),
    ],
)
def test_prefix_venue_beats_the_section(prefix: str, venue: str, year: int | None) -> None:
    paper = only(
        read(f"## [OSDI 2023](https://osdi)\n* {prefix} Some Paper [paper](https://a.b)\n")
    )
    assert (paper.title, paper.venue, paper.year) == ("Some Paper", venue, year)
    assert paper.prefix == prefix[1:-1]


def test_prefix_follows_the_spelling_of_the_lists_headings() -> None:
    catalog = read("""
        ## Topic first
        * (fooconf'24) Early Paper
        ## [FooConf 2024](https://foo)
        * Late Paper
    """)
    assert [p.venue for p in catalog.papers] == ["FooConf 2024", "FooConf 2024"]
    assert catalog.papers[0].topics == ["Topic first"]


def test_unknown_parenthesis_stays_in_the_title() -> None:
    assert only(read("## OSDI 2024\n* (Survey) Things\n")).title == "(Survey) Things"
    assert only(read("## OSDI 2024\n* (R)evolution of X\n")).title == "(R)evolution of X"


def test_prefix_venue_keeps_the_section_label_when_it_is_the_same_venue() -> None:
    paper = only(read("## [EuroSys 2025 Spring](https://e)\n* (EuroSys'25) Paper\n"))
    assert (paper.venue, paper.venue_label, paper.prefix) == (
        "EuroSys 2025", "EuroSys 2025 Spring", "EuroSys'25",
    )  # fmt: skip


def test_wrapped_title_continues_on_the_next_line() -> None:
    paper = only(
        read("""
        ## OSDI 2024
        * A Title That Is Long
          And Wrapped [paper](https://arxiv.org/abs/2401.00001) [Tag]
    """)
    )
    assert (paper.title, paper.tags, paper.line) == ("A Title That Is Long And Wrapped", ["Tag"], 2)


def test_bullet_kinds_and_line_numbers() -> None:
    catalog = read("""
        # My list

        ## OSDI 2024
        * Star paper
        - Dash paper
        + Plus paper
        1. Numbered paper
    """)
    assert [(p.title, p.line) for p in catalog.papers] == [
        ("Star paper", 4), ("Dash paper", 5), ("Plus paper", 6), ("Numbered paper", 7),
    ]  # fmt: skip
    assert catalog.title == "My list"


def test_html_comment_template_is_not_read() -> None:
    catalog = read("""
        ## OSDI 2024
        <!-- Template
        [Examples] * (NIPS'17) Attention Is All You Need [link](https://arxiv.org/abs/1706.03762)

        * (Arxiv'24) Optimal Block-Level Draft Verification [link](https://arxiv.org/abs/2403.10444)
        -->
        * Real paper
    """)
    assert [p.title for p in catalog.papers] == ["Real paper"]
    assert not catalog.warnings


def test_details_block_websites_and_prose() -> None:
    catalog = read("""
        <details>
        <summary><span>useful website to find papers (click)</span></summary>

          * Connect Papers: [https://www.connectedpapers.com/](https://www.connectedpapers.com)
          * Papes.cool:
            * [https://papers.cool/arxiv/cs.LG](https://papers.cool/arxiv/cs.LG): Machine Learning
        </details>

        <details>
        <summary>conference list (click)</summary>

        * Most Relevant (system): **NSDI**; **OSDI**
        </details>

        ## [OSDI 2024](https://osdi)
        * Paper
    """)
    assert [(s.name, s.group, s.description) for s in catalog.websites] == [
        ("Connect Papers", None, None),
        ("https://papers.cool/arxiv/cs.LG", "Papes.cool", "Machine Learning"),
    ]
    assert [p.title for p in catalog.papers] == ["Paper"]
    assert [w.line for w in catalog.warnings] == [12]


def test_task_boxes_and_sub_annotations_are_stripped() -> None:
    catalog = read("""
        ## OSDI 2024
        * [ ] Open Paper [paper](https://a.b/1) [Tag] <sub>queued · note: first line</sub>
        * [x] Done Paper [paper](https://a.b/2)
        * [X] (NSDI'24) Prefixed Paper <sub>read</sub>
    """)
    assert [(p.title, p.tags, p.venue) for p in catalog.papers] == [
        ("Open Paper", ["Tag"], "OSDI 2024"),
        ("Done Paper", [], "OSDI 2024"),
        ("Prefixed Paper", [], "NSDI 2024"),
    ]
    assert all(len(p.links) <= 1 for p in catalog.papers)


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("* [SIGCOMM'25](https://s) Review results’ notification\tTuesday April 29, 2025",
         dt.date(2025, 4, 29)),
        ("* [OSDI'25](https://o) Notification to authors: Tuesday, March 25, 2025",
         dt.date(2025, 3, 25)),
        ("* [A'25](https://a) due Mar. 3, 2025", dt.date(2025, 3, 3)),
        ("* [A'25](https://a) due 12 Sept 2025", dt.date(2025, 9, 12)),
        ("* [A'25](https://a) due 2025-07-04", dt.date(2025, 7, 4)),
        ("* [A'25](https://a) due Feb 30, 2025", None),
        ("* [A'25](https://a) soon", None),
        ("* Plain name 2025-01-02", dt.date(2025, 1, 2)),
    ],
)  # fmt: skip
def test_todo_dates(line: str, date: dt.date | None) -> None:
    catalog = read(f"## TODO list\n{line}\n")
    (todo,) = catalog.todos
    assert todo.date == date
    assert "\t" not in (todo.note or "")
    assert not catalog.papers


def test_todo_names_urls_and_done_boxes() -> None:
    catalog = read("""
        ## TODO list
        * [EuroSys'25 Spring](https://e)
        * [x] [NSDI'25](https://n) done already
        - [ ] [ATC’25](https://a)
    """)
    assert [(t.name, t.url, t.note, t.done) for t in catalog.todos] == [
        ("EuroSys'25 Spring", "https://e", None, False),
        ("NSDI'25", "https://n", "done already", True),
        ("ATC’25", "https://a", None, False),
    ]


def test_topic_heading_without_year_keeps_the_venue() -> None:
    catalog = read("""
        ## [ATC 2024](https://atc)
        ### ML Inference
        * Inference paper
        ## ML Training
        * Training paper
        #### Deeper
        * Deep paper
    """)
    assert [(p.venue, p.topics) for p in catalog.papers] == [
        ("ATC 2024", ["ML Inference"]),
        ("ATC 2024", ["ML Training"]),
        ("ATC 2024", ["Deeper"]),
    ]
    assert [v.name for v in catalog.venues] == ["ATC 2024"]


def test_venue_heading_names() -> None:
    catalog = read("""
        ## [EuroSys 2025 Spring](https://e)
        ## eurosys 2026
        ## OSDI'25
        ## 🔥 NSDI 2024 🔥
    """)
    assert [(v.name, v.label, v.year) for v in catalog.venues] == [
        ("EuroSys 2025", "EuroSys 2025 Spring", 2025),
        ("EuroSys 2026", "eurosys 2026", 2026),
        ("OSDI 2025", "OSDI'25", 2025),
        ("NSDI 2024", "🔥 NSDI 2024 🔥", 2024),
    ]


def test_duplicates_merge_topics_links_tags_and_keep_the_first_place() -> None:
    catalog = read("""
        ## [OSDI 2024](https://o)
        ### Serving
        * Same **Paper** [paper](https://arxiv.org/abs/2401.00001) [A]
        ### Scheduling
        * Other
        * same paper [code](https://github.com/x) [B]
        ## [NSDI 2024](https://n)
        * (OSDI'24) Same Paper [paper](https://arxiv.org/abs/2401.00001) [A | C]
    """)
    assert [p.title for p in catalog.papers] == ["Same Paper", "Other"]
    paper = catalog.papers[0]
    assert paper.topics == ["Serving", "Scheduling"]
    assert [link.url for link in paper.links] == [
        "https://arxiv.org/abs/2401.00001", "https://github.com/x",
    ]  # fmt: skip
    assert (paper.tags, paper.keywords, paper.line) == (["A", "B", "C"], ["Paper"], 3)
    assert (paper.venue, paper.prefix) == ("OSDI 2024", "OSDI'24")


def test_explicit_prefix_beats_an_inherited_venue_when_merging() -> None:
    catalog = read("""
        ## [SIGCOMM 2024](https://s)
        * CacheGen: KV Cache
        ## [MLSys 2024](https://m)
        * [Accepted Papers](https://m/accepted)
        ## Retrieval-Augmented Generation
        * (NSDI'24) CacheGen: KV Cache [paper](https://arxiv.org/abs/2310.07240)
    """)
    paper = only(catalog)
    assert (paper.venue, paper.venue_label, paper.year) == ("NSDI 2024", "NSDI 2024", 2024)
    assert paper.topics == ["Retrieval-Augmented Generation"]
    assert paper.url == "https://arxiv.org/abs/2310.07240"


def test_nested_bullets() -> None:
    catalog = read("""
        ## OSDI 2024
        * Parent Paper [paper](https://p)
          * [code](https://github.com/p) [Extra]
          * Child Paper [paper](https://c)
        * Serving:
          * Grouped Paper
    """)
    assert [(p.title, p.topics, p.line) for p in catalog.papers] == [
        ("Parent Paper", [], 2), ("Child Paper", [], 4), ("Grouped Paper", ["Serving"], 6),
    ]  # fmt: skip
    parent = catalog.papers[0]
    assert [link.label for link in parent.links] == ["paper", "code"]
    assert parent.tags == ["Extra"]


def test_placeholders_and_link_only_bullets_are_not_papers() -> None:
    catalog = read("""
        ## OSDI 2024
        * to be updated
        * TBD
        * Title
        * ...
        * [Accepted Papers](https://a)
        * [A Real Title](https://arxiv.org/abs/2401.00009) [Tag]
    """)
    paper = only(catalog)
    assert (paper.title, paper.url, paper.links[0].label) == (
        "A Real Title", "https://arxiv.org/abs/2401.00009", "paper",
    )  # fmt: skip
    assert not catalog.warnings


def test_bullets_outside_any_section_are_warnings_not_papers() -> None:
    catalog = read("""
        # Title
        * Stray bullet
        Some prose.

        ## OSDI 2024
        Intro text under a venue.
        * Paper
        * [paper](https://x) [Tag]
    """)
    assert [p.title for p in catalog.papers] == ["Paper"]
    assert [w.line for w in catalog.warnings] == [2, 6, 8]
    assert all(w.message for w in catalog.warnings)


def test_website_groups_and_headings() -> None:
    catalog = read("""
        ## useful website
        * Find Related Papers
          * Connect Papers: [https://www.connectedpapers.com/](https://www.connectedpapers.com)
        * Bare: https://example.org/tool - a tool
        ### Readers
        * [Reader](https://r.example)
        * Nothing here
    """)
    assert [(s.name, s.url, s.group, s.description) for s in catalog.websites] == [
        ("Connect Papers", "https://www.connectedpapers.com", "Find Related Papers", None),
        ("Bare", "https://example.org/tool", None, "a tool"),
        ("Reader", "https://r.example", "Readers", None),
    ]
    assert [w.line for w in catalog.warnings] == [7]


def test_daily_section_link() -> None:
    catalog = read("""
        ## arxiv papers (update daily)
        * See [daily-arxiv-llm.md](daily-arxiv-llm.md)
        ## [🔥Daily Arxiv Papers🔥](other.md)
    """)
    assert (catalog.daily_link, catalog.papers, catalog.warnings) == ("daily-arxiv-llm.md", [], [])
    assert read("## [Daily Arxiv Papers](d.md)\n").daily_link == "d.md"


def test_titles_lose_markdown_residue() -> None:
    catalog = read("""
        ## OSDI 2024
        * Unbalanced **bold title [paper](https://x)
        * Code `span` and *emphasis* and __strong__ -
        * Spaced     out	title
    """)
    assert [p.title for p in catalog.papers] == [
        "Unbalanced bold title", "Code span and emphasis and strong", "Spaced out title",
    ]  # fmt: skip
    assert catalog.papers[1].keywords == ["strong"]


def test_arxiv_ids_from_every_url_form() -> None:
    catalog = read("""
        ## OSDI 2024
        * A [pdf](https://arxiv.org/pdf/2401.14351v2.pdf)
        * B [paper](http://export.arxiv.org/abs/cs/0601001v1)
        * C [code](https://github.com/c) [paper](https://arxiv.org/html/2312.12345)
        * D [paper](https://example.org/2401.14351)
    """)
    assert [(p.arxiv_id, p.url) for p in catalog.papers] == [
        ("2401.14351", "https://arxiv.org/pdf/2401.14351v2.pdf"),
        ("cs/0601001", "http://export.arxiv.org/abs/cs/0601001v1"),
        ("2312.12345", "https://arxiv.org/html/2312.12345"),
        (None, "https://example.org/2401.14351"),
    ]


def test_kind_can_be_forced() -> None:
    text = "# Daily Arxiv Papers\n### 2025-01-09\n* [T](https://arxiv.org/abs/2501.00001)\n"
    assert parse_text(text, "s").kind == "daily"
    forced = parse_text(text, "s", kind="list")
    assert forced.kind == "list"
    assert forced.source == "s"


@pytest.mark.parametrize(
    "text",
    [
        b"# Title\n## OSDI 2024\n* Paper\n",
        "\ufeff# Title\n## OSDI 2024\n* Paper\n",
        "# Title\r\n## OSDI 2024\r\n* Paper\r\n",
        "# Title\r## OSDI 2024\r* Paper\r",
        "# Title \ud800\n## OSDI 2024\n* Paper\x00\n",
    ],
)
def test_input_forms(text: str | bytes) -> None:
    catalog = parse_text(text, "forms")  # type: ignore[arg-type]
    assert catalog.title is not None and catalog.title.startswith("Title")
    paper = only(catalog)
    assert (paper.title.rstrip("\ufffd "), paper.line, paper.venue) == ("Paper", 3, "OSDI 2024")
    removed = [(3, "control characters removed")] if "\x00" in str(text) else []
    assert [(w.line, w.message) for w in catalog.warnings] == removed


def test_a_quote_under_a_paper_is_its_summary() -> None:
    catalog = read("""
        ## OSDI 2024
        * Paper One [paper](https://a.b)
          > **TL;DR**: Makes **things** fast.
        * Paper Two
          > Plain words.
        * Paper Three
          > **TL;DR**:
    """)
    assert [p.summary for p in catalog.papers] == ["Makes things fast.", "Plain words.", None]
