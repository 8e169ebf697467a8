"""The markdown export is a list the real importer reads back to the same papers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.importers import parse_text
from paperdesk.catalog.importers.inline import clean_title, primary_url
from paperdesk.catalog.importers.venues import VenueNames
from paperdesk.catalog.models import CatalogFile
from paperdesk.catalog.records import Link, Paper
from paperdesk.export.markdown import UNSORTED_TOPIC, write_markdown
from paperdesk.export.render import render
from paperdesk.locations import Locations
from paperdesk.state.models import PaperState, StatusChange
from paperdesk.workspace import Workspace

NOW = dt.datetime(2025, 1, 6, 12, tzinfo=dt.UTC)


def shape(papers: list[Paper]) -> dict[str, tuple]:
    """What a round trip must keep, as the acceptance check compares it."""
    return {p.id: (p.venue, tuple(sorted(p.topics)), p.url) for p in papers}


def details(papers: list[Paper]) -> dict[str, dict]:
    """Everything else an importer-made paper carries (venue_label/source/line may move)."""
    keep = {"title", "year", "links", "tags", "keywords", "prefix", "arxiv_id", "date", "summary"}
    return {p.id: {k: v for k, v in p.as_json().items() if k in keep} for p in papers}


def state(paper: Paper, status: str = "unread", note: str | None = None) -> PaperState:
    history = [StatusChange(status=status, at=NOW)] if status != "unread" else []
    return PaperState(
        id=paper.id, status=status, history=history, note=note, created_at=NOW, updated_at=NOW
    )


def reimport(text: str) -> CatalogFile:
    catalog = parse_text(text, "reimported")
    assert not catalog.warnings, catalog.warnings[:3]
    return catalog


def workspace_of(home: Path, *files: CatalogFile) -> Workspace:
    """A home whose sources are ``files``, installed as an import would leave them."""
    locations = Locations.resolve(home)
    for file in files:
        target = locations.source_file(file.source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.model_dump_json(exclude_none=True), encoding="utf-8")
    return Workspace.open(home=home)


@pytest.mark.parametrize("name", ["seed_path", "upstream_path"])
def test_a_real_list_round_trips_with_its_reading_state(
    name: str, request: pytest.FixtureRequest, isolated_home: Path
) -> None:
    path: Path = request.getfixturevalue(name)
    ws = Workspace.open(home=isolated_home, catalog=path)
    catalog = ws.catalog
    serverless = catalog.find("serverlessllm")
    prompt = catalog.find("prompt cache")
    ws.store.set_status([serverless], "read")
    ws.store.set_status([prompt], "queued")
    ws.store.set_note(serverless, "loads <fast> & cheap — see [§4](x) *really*\nsecond line")

    text = render(ws, "markdown")
    again = reimport(text)

    assert again.kind == "list"
    assert shape(again.papers) == shape(catalog.papers)
    assert details(again.papers) == details(catalog.papers)
    assert again.todos == ws.files[0].todos
    assert again.websites == ws.files[0].websites
    lines = text.splitlines()
    (line,) = [line for line in lines if "ServerlessLLM" in line]
    assert line.startswith("* [x] ServerlessLLM")
    assert line.endswith(
        r"<sub>note: loads &lt;fast&gt; &amp; cheap — see \[§4\](x) \*really\*</sub>"
    )
    prompt_lines = [line for line in lines if "Prompt Cache" in line]
    assert prompt_lines and all(
        line.startswith("* [ ] (MLSys'24) Prompt Cache") and line.endswith("<sub>queued</sub>")
        for line in prompt_lines
    )


def test_the_layout_follows_the_list(seed_path: Path, isolated_home: Path) -> None:
    text = render(Workspace.open(home=isolated_home, catalog=seed_path), "markdown")
    assert text.startswith("# awesome-papers\n\n## useful website\n")
    assert "## [OSDI 2024](https://www.usenix.org/conference/osdi24)\n" in text
    assert "### ML Scheduling\n" in text
    assert "* [ ] [SIGCOMM'25](https://conferences.sigcomm.org/sigcomm/2025/cfp/) " in text
    assert "* Papes.cool:\n  * [https://papers.cool/arxiv/cs.LG]" in text
    assert "Enabling Large Dynamic **Neural Network Training** with" in text
    # a year-less venue is a section per year whose papers carry the prefix
    assert "## arXiv 2024\n\n### Retrieval-Augmented Generation\n* [ ] (arxiv) RAGCache" in text
    # venues newest first, as the desk shows them
    assert text.index("## EuroSys 2025") < text.index("## [OSDI 2024]")


def test_the_daily_feed_round_trips_in_its_own_form(daily_path: Path, isolated_home: Path) -> None:
    ws = Workspace.open(home=isolated_home, catalog=daily_path)
    first = ws.catalog.papers[0]
    ws.store.set_status([first], "reading")
    text = render(ws, "markdown")
    again = reimport(text)
    assert again.kind == "daily"
    assert shape(again.papers) == shape(ws.catalog.papers)
    assert details(again.papers) == details(ws.catalog.papers)
    assert "\n### 2026-08-18\n* [ ] `serving` `offloading` `storage` [Bounded-State" in text
    assert "  > **TL;DR**: " in text


def test_lists_and_daily_feeds_together_round_trip_as_one_list(
    seed_path: Path, daily_path: Path, isolated_home: Path
) -> None:
    seed = parse_text(seed_path.read_text(encoding="utf-8"), "awesome-papers")
    daily = parse_text(daily_path.read_text(encoding="utf-8"), "daily")
    ws = workspace_of(isolated_home, seed, daily)
    text = render(ws, "markdown")
    again = reimport(text)
    assert again.kind == "list"
    assert shape(again.papers) == shape(ws.catalog.papers)
    # the daily papers' dates survive as readable text
    assert "(arXiv) Bounded-State Restoration" in text and "<sub>2026-08-18</sub>" in text


TRICKY_TITLES = [
    r"Brackets [in] the *middle* and a | pipe",
    r"Back\slash \[already escaped\] and a <sub>fake</sub> tag",
    "Ampersands &amp; entities &#42; and < angle > brackets",
    "Ünïcödé ✓ 日本語 μ-Serve: Ⅻ",
    "Ends with a bracket [v2]",
    "(NSDI'24) Looks like a prefix",
    "[COLM'24] Looks like a bracket prefix",
    "[x] Looks like a task box",
    "**Not** bold? _not_ emphasis!",
    "Star*Stars**and_under__scores",
    "Parens (like this) and ](broken link",
]


@pytest.mark.parametrize("title", TRICKY_TITLES)
@pytest.mark.parametrize("with_links", [True, False])
def test_titles_with_markdown_characters_come_back_as_the_importer_reads_them(
    title: str, with_links: bool
) -> None:
    links = [Link(label="paper", url="https://example.org/p")] if with_links else []
    paper = Paper(
        id=paper_id(title),
        title=title,
        venue="OSDI 2024",
        year=2024,
        topics=["LLM | Serving [KV]"],
        url=links[0].url if links else None,
        links=links,
    )
    (back,) = reimport(write_markdown([paper], {})).papers
    assert back.id == paper.id
    assert back.title == clean_title(title), "the title as the importer itself would clean it"
    assert (back.venue, back.topics, back.url) == ("OSDI 2024", ["LLM | Serving [KV]"], paper.url)


def test_titles_the_importer_makes_come_back_verbatim() -> None:
    kept = [title for title in TRICKY_TITLES if clean_title(title) == title]
    assert len(kept) >= 8
    papers = [Paper(id=paper_id(t), title=t, venue="SOSP 2024") for t in kept]
    back = reimport(write_markdown(papers, {})).papers
    assert [p.title for p in back] == kept


def test_venue_less_papers_and_several_topics() -> None:
    alone = Paper(id=paper_id("Loose paper"), title="Loose paper", topics=["Surveys"])
    nowhere = Paper(id=paper_id("Nowhere paper"), title="Nowhere paper")
    many = Paper(
        id=paper_id("Many topics"), title="Many topics", venue="MLSys 2024", topics=["A", "B", "C"]
    )
    yearless = Paper(id=paper_id("Yearless"), title="Yearless", venue="NeurIPS", topics=[])
    text = write_markdown([alone, nowhere, many, yearless], {})
    back = {p.id: p for p in reimport(text).papers}
    assert (back[alone.id].venue, back[alone.id].topics) == (None, ["Surveys"])
    assert (back[nowhere.id].venue, back[nowhere.id].topics) == (None, [UNSORTED_TOPIC])
    assert set(back[many.id].topics) == {"A", "B", "C"}
    assert (back[yearless.id].venue, back[yearless.id].topics) == ("NeurIPS", [])
    assert text.count("Many topics") == 3


def test_the_url_is_kept_even_when_another_link_looks_more_like_the_paper() -> None:
    paper = Paper(
        id=paper_id("Code first"),
        title="Code first",
        venue="OSDI 2024",
        url="https://github.com/x/y",
        links=[
            Link(label="code", url="https://github.com/x/y"),
            Link(label="pdf", url="https://example.org/y.pdf"),
        ],
    )
    (back,) = reimport(write_markdown([paper], {})).papers
    assert back.url == "https://github.com/x/y"
    assert {link.url for link in back.links} == {link.url for link in paper.links}


def test_a_daily_title_never_turns_a_list_into_a_feed() -> None:
    paper = Paper(id=paper_id("A paper"), title="A paper", venue="OSDI 2024")
    text = write_markdown([paper], {}, title="My daily arXiv digest")
    assert parse_text(text, "x").kind == "list"


# --- property: any catalog round-trips -------------------------------------------------------

VENUES = ["OSDI 2024", "EuroSys 2025", "Foo Conf 2023", "arXiv", "arXiv 2024", "NeurIPS", None]
TOPICS = [
    "LLM Serving",
    "ML *Scheduling*",
    "Caching [KV] | Memory",
    "Über <Systems> & Co",
    r"C# \ Rust",
    "Retrieval-Augmented Generation",
]
URLS = [
    "https://arxiv.org/abs/2401.14351",
    "https://example.org/a(b)c",
    "https://example.org/a b",
    "https://example.org/?q=1&amp;r=2",
    "https://example.org/<x>\\y",
]
# The list's own spelling of a venue, kept when written; "NSDI'24" names another venue.
OWN_PREFIX = {
    "OSDI 2024": "OSDI'24",
    "EuroSys 2025": "Eurosys'25",
    "arXiv": "arxiv",
    "NeurIPS": "NIPS",
}
PLACEHOLDERS = {"todo", "title", "none", "tbd", "tba", "na", "n/a"}
TITLE_CHARS = st.sampled_from(list("abcXYZ019 :-'()[]*_|<>&\\`#!~ü日μ✓\u00a0\t")) | st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc")
)


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    word = draw(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2)
    )
    rest = draw(st.text(alphabet=TITLE_CHARS, max_size=40))
    title = clean_title(f"{word}{rest}")
    # Titles no list can hold: bare URLs become links, placeholders are skipped.
    assume("http" not in title and title.casefold() not in PLACEHOLDERS)
    venue = draw(st.sampled_from(VENUES))
    topics = draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=3))
    if venue is None:
        assume(topics and VenueNames().prefix(title) is None)
    urls = draw(st.lists(st.sampled_from(URLS), unique=True, max_size=2))
    labels = draw(
        st.lists(
            st.sampled_from(["paper", "code", "slides [v2]", "pdf"]),
            min_size=len(urls),
            max_size=len(urls),
        )
    )
    links = [Link(label=label, url=url) for label, url in zip(labels, urls, strict=True)]
    return Paper(
        id=paper_id(title),
        title=title,
        venue=venue,
        topics=topics,
        links=links,
        url=primary_url([(link.label, link.url) for link in links]),
        tags=draw(st.lists(st.sampled_from(["KV Cache", "Google", "a*b"]), unique=True)),
        prefix=draw(st.sampled_from([None, "NSDI'24", OWN_PREFIX.get(venue or "")])),
    )


NOTES = st.text(alphabet=st.sampled_from(list("ab <>&/\\*_[]()`|\n\"'sub")), max_size=30)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(papers(), min_size=1, max_size=8), st.data())
def test_any_catalog_round_trips_through_markdown(
    generated: list[Paper], data: st.DataObject
) -> None:
    unique = list({paper.id: paper for paper in generated}.values())
    states = {
        paper.id: state(
            paper,
            data.draw(st.sampled_from(["unread", "queued", "reading", "read", "skipped"])),
            data.draw(st.none() | NOTES),
        )
        for paper in unique
    }
    text = write_markdown(unique, states, title="Generated")
    back = reimport(text).papers
    assert shape(back) == shape(unique), text
    assert {p.id: p.title for p in back} == {p.id: p.title for p in unique}, text
