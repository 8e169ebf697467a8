"""The query language: what it parses to, where its mistakes are, and what it keeps.

Evaluation is checked against a reference written here from the README's rules, paper by
paper over plain records, with none of the index's shortcuts (postings, distinct values, sets).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.catalog.merged import Catalog
from paperdesk.catalog.models import CatalogFile
from paperdesk.catalog.records import STATUSES, Link, Paper
from paperdesk.query import QueryError, StateFacts, evaluate, parse
from paperdesk.query.evaluate import Steps, evaluate_typed
from paperdesk.query.index import index_of, is_code_link
from paperdesk.query.syntax import (
    And,
    FieldText,
    Has,
    New,
    Not,
    Or,
    Status,
    Text,
    Year,
)

# -- parsing ---------------------------------------------------------------------------------


def test_the_issue_s_query_parses_to_its_tree() -> None:
    query = 'status:unread year:>=2024 -venue:arxiv (tag:"kv cache" OR topic:serving)'
    assert parse(query) == And(
        (
            Status("unread"),
            Year(2024, None),
            Not(FieldText("venue", "arxiv")),
            Or((FieldText("tag", "kv cache"), FieldText("topic", "serving"))),
        )
    )


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("", And(())),
        ("   ", And(())),
        ("Serving", Text("serving")),
        ("Müller STRASSE", And((Text("muller"), Text("strasse")))),
        ('"kv cache"', Text("kv cache")),
        ("a b OR c d", And((Text("a"), Or((Text("b"), Text("c"))), Text("d")))),
        ("(a b) OR c", Or((And((Text("a"), Text("b"))), Text("c")))),
        ("-(a OR b)", Not(Or((Text("a"), Text("b"))))),
        ("--a", Not(Not(Text("a")))),
        ("or oracle ORx", And((Text("or"), Text("oracle"), Text("orx")))),
        ("year:2024", Year(2024, 2024)),
        ("year:>2024", Year(2025, None)),
        ("year:<2020", Year(None, 2019)),
        ("year:<=2020", Year(None, 2020)),
        ("year:2023..2025", Year(2023, 2025)),
        ("year:2023..", Year(2023, None)),
        ("year:..2020", Year(None, 2020)),
        ("Venue:OSDI", FieldText("venue", "osdi")),
        ("source:daily", FieldText("source", "daily")),
        ("status:Read", Status("read")),
        ("has:note has:arxiv has:code", And((Has("note"), Has("arxiv"), Has("code")))),
        ("new:", New()),
        ("llumnix: dynamic", And((Text("llumnix:"), Text("dynamic")))),
        ("https://x.org", Text("https://x.org")),
        ('tag:"kv cache"x', And((FieldText("tag", "kv cache"), Text("x")))),
    ],
)
def test_queries_parse_to_their_trees(query: str, tree: object) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(
    ("query", "column", "words"),
    [
        ("year:>>2", 6, "year:"),
        ("(tag:x", 1, "never closed"),
        ("a (b (c)", 3, "never closed"),
        ("tag:x)", 6, "closes nothing"),
        ("()", 1, "holds nothing"),
        ('a "kv', 3, "never closed"),
        ('""', 1, "holds nothing"),
        ("a OR", 3, "OR needs a term after"),
        ("OR a", 1, "OR needs a term before"),
        ("a OR OR b", 3, "after"),
        ("(a OR)", 4, "after"),
        ("- a", 1, "'-' needs a term"),
        ("a -", 3, "'-' needs a term"),
        ("venue:", 7, "needs a value"),
        ('tag:""', 5, "needs a value"),
        ("status:done", 8, "status: is one of"),
        ("has:pdf", 5, "has: is one of"),
        ("new:yes", 5, "takes no value"),
        ("year:2025..2023", 6, "empty range"),
        ("year:24", 6, "year:"),
        ("year:..", 6, "year:"),
        ("stauts:read", 1, "did you mean 'status:'"),
        ("x yaer:2024", 3, "did you mean 'year:'"),
    ],
)
def test_mistakes_name_their_column_in_one_line(query: str, column: int, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    message = str(caught.value)
    assert caught.value.column == column, message
    assert message.startswith(f"bad query at column {column}: ")
    assert words in message and "\n" not in message
    assert caught.value.exit_code == 2


@given(st.text(alphabet=st.sampled_from(list('ab:-()" OR.<>=2019yeartagvnus\té')), max_size=30))
@settings(max_examples=300, deadline=None)
def test_any_text_parses_or_fails_with_a_column_inside_it(text: str) -> None:
    try:
        parse(text)
    except QueryError as error:
        assert 1 <= error.column <= len(text) + 1


# -- evaluation against a reference ---------------------------------------------------------


def _paper(title: str, **fields: object) -> Paper:
    return Paper(id=title.split()[0].casefold(), title=title, **fields)  # type: ignore[arg-type]


FIRST = CatalogFile(
    source="awesome-papers",
    papers=[
        _paper(
            "Alpha serving for LLMs",
            venue="OSDI 2024",
            year=2024,
            topics=["LLM Serving"],
            tags=["KV Cache", "Serving"],
            links=[Link(label="[Code]", url="https://example.org/a")],
        ),
        _paper(
            "Beta training at scale",
            venue="NSDI 2025",
            year=2025,
            topics=["ML Training"],
            tags=["Training"],
            keywords=["pipelining"],
            url="https://github.com/beta/beta",
        ),
        _paper(
            "Gamma Résumé of caches",
            venue="arXiv",
            year=2023,
            topics=["Caching"],
            arxiv_id="2301.00001",
            date=dt.date(2023, 1, 2),
        ),
        _paper("Delta without venue or year", links=[Link(label="paper", url="https://d.org")]),
        _paper(
            "Epsilon scheduling",
            venue="EuroSys 2024",
            year=2024,
            topics=["LLM - serving", "Scheduling"],
            tags=["KV Cache Compression"],
        ),
        _paper("Zeta straße systems", venue="OSDI 2022", year=2022, topics=["Storage"]),
    ],
)
SECOND = CatalogFile(
    source="daily-feed",
    kind="daily",
    papers=[
        _paper("Gamma Résumé of caches", venue="arXiv", year=2023, topics=["Daily"]),
        _paper("Eta daily paper on serving", venue="arXiv", year=2025, tags=["Serving"]),
    ],
)


@dataclass
class State:
    status: str = "unread"
    note: str | None = None


@dataclass
class Meta:
    authors: list[str] = field(default_factory=list)


CATALOG = Catalog.from_files([FIRST, SECOND])
STATES = {
    "alpha": State("queued", "Read with Müller's notes"),
    "beta": State("read"),
    "epsilon": State("skipped", "serving idea"),
    "eta": State("reading"),
}
METADATA = {"delta": Meta(["Ada Lovelace", "Émile Zola"]), "eta": Meta(["Grace Hopper"])}
NEW = {"eta", "zeta"}


def facts() -> StateFacts:
    return StateFacts(
        CATALOG,
        STATES,  # type: ignore[arg-type]
        metadata=lambda: METADATA,  # type: ignore[arg-type,return-value]
        new_ids=lambda: NEW,
    )


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold()).casefold()
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def reference(node: object, paper: Paper) -> bool:
    """The README's rules, for one paper."""
    state = STATES.get(paper.id, State())
    meta = METADATA.get(paper.id)
    if isinstance(node, And):
        return all(reference(term, paper) for term in node.terms)
    if isinstance(node, Or):
        return any(reference(term, paper) for term in node.terms)
    if isinstance(node, Not):
        return not reference(node.term, paper)
    if isinstance(node, Text):
        fields = [paper.title, paper.venue or "", *paper.topics, *paper.tags, *paper.keywords]
        fields += [*(meta.authors if meta else []), state.note or ""]
        return any(node.text in fold(value) for value in fields)
    if isinstance(node, FieldText):
        values = {
            "venue": [paper.venue or ""],
            "tag": paper.tags,
            "topic": paper.topics,
            "source": [f.source for f in (FIRST, SECOND) if paper.id in {p.id for p in f.papers}],
        }[node.field]
        return any(node.text in fold(value) for value in values)
    if isinstance(node, Year):
        return (
            paper.year is not None
            and (node.low is None or paper.year >= node.low)
            and (node.high is None or paper.year <= node.high)
        )
    if isinstance(node, Status):
        return state.status == node.status
    if isinstance(node, New):
        return paper.id in NEW
    assert isinstance(node, Has)
    if node.what == "note":
        return bool(state.note)
    if node.what == "arxiv":
        return paper.arxiv_id is not None or meta is not None
    links = [(link.label, link.url) for link in paper.links]
    if paper.url:
        links.append(("", paper.url))
    return any(
        label.strip("[]() ").casefold().startswith("code")
        or url.startswith(("https://github.com/", "https://gitlab.com/"))
        for label, url in links
    )


def kept(query: str) -> list[str]:
    return [CATALOG.columns.id[row] for row in evaluate(parse(query), facts())]


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("serving", ["alpha", "epsilon", "eta"]),
        ("muller", ["alpha"]),  # the note, accent-folded
        ("résumé", ["gamma"]),
        ("STRASSE", ["zeta"]),
        ("zola", ["delta"]),  # an author from enrich
        ('"kv cache"', ["alpha", "epsilon"]),
        ('tag:"kv cache"', ["alpha", "epsilon"]),
        ("venue:osdi", ["alpha", "zeta"]),
        ("-venue:osdi", ["beta", "gamma", "delta", "epsilon", "eta"]),
        ("topic:serving", ["alpha", "epsilon"]),
        ("year:>=2024", ["alpha", "beta", "epsilon", "eta"]),
        ("-year:>=2024", ["gamma", "delta", "zeta"]),
        ("year:2023..2024", ["alpha", "gamma", "epsilon"]),
        ("status:unread", ["gamma", "delta", "zeta"]),
        ("source:daily", ["gamma", "eta"]),
        ("has:note", ["alpha", "epsilon"]),
        ("has:arxiv", ["gamma", "delta", "eta"]),  # eta: enrich found it
        ("has:code", ["alpha", "beta"]),
        ("new:", ["zeta", "eta"]),
        ("venue:osdi OR venue:nsdi year:2024", ["alpha"]),
        ("(venue:osdi OR venue:nsdi) year:>=2024", ["alpha", "beta"]),
        ("-(status:read OR status:skipped) year:>=2024", ["alpha", "eta"]),
    ],
)
def test_what_a_query_keeps(query: str, ids: list[str]) -> None:
    assert kept(query) == [pid for pid in CATALOG.columns.id if pid in ids]
    assert sorted(kept(query)) == sorted(
        paper.id for paper in CATALOG.papers if reference(parse(query), paper)
    )


TERMS = [
    "serving", "cache", "é", "muller", '"kv cache"', "systems", "zola", "x",
    "venue:osdi", "venue:arxiv", "venue:2024", "tag:kv", 'tag:"kv cache"', "tag:serving",
    "topic:serving", "topic:llm", "source:daily", "source:awesome", "year:2024", "year:>=2024",
    "year:<2024", "year:2023..2024", "year:..2023", "status:unread", "status:queued",
    "status:read", "has:note", "has:arxiv", "has:code", "new:",
]  # fmt: skip


@st.composite
def queries(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 2 and draw(st.booleans()) and draw(st.booleans()):
            part = f"({draw(queries(depth + 1))})"
        else:
            part = draw(st.sampled_from(TERMS))
        if draw(st.integers(0, 3)) == 0:
            part = f"-{part}"
        parts.append(part)
        if draw(st.integers(0, 3)) == 0:
            parts.append("OR")
    if parts[-1] == "OR":
        parts.pop()
    return " ".join(parts)


@given(queries(), st.randoms(use_true_random=False))
@settings(max_examples=400, deadline=None)
def test_any_query_keeps_what_the_reference_keeps_in_the_order_given(
    query: str, rng: random.Random
) -> None:
    node = parse(query)
    expected = [row for row, paper in enumerate(CATALOG.papers) if reference(node, paper)]
    assert evaluate(node, facts()) == expected, query
    rows = list(range(len(CATALOG)))
    rng.shuffle(rows)
    subset = rows[: rng.randint(0, len(rows))]
    assert evaluate(node, facts(), subset) == [row for row in subset if row in expected]


def test_code_links_by_label_or_host() -> None:
    assert is_code_link("[Code]", "https://x.org") and is_code_link("code (deepspeed)", "x")
    assert is_code_link("codes", "") and is_code_link("paper", "https://GitHub.com/a/b")
    assert is_code_link("link", "http://www.gitlab.com/x")
    assert not is_code_link("paper", "https://github.io/x") and not is_code_link("decode", "")


def test_the_index_lives_as_long_as_its_catalog() -> None:
    catalog = Catalog.from_files([FIRST])
    assert index_of(catalog) is index_of(catalog)
    assert index_of(catalog) is not index_of(CATALOG)


def test_statuses_come_only_from_the_states_given() -> None:
    assert set(facts().statuses()) <= set(STATUSES)
    assert facts().statuses()[CATALOG.by_id["alpha"]] == "queued"


@given(st.lists(queries(), min_size=1, max_size=4), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_a_query_typed_key_by_key_keeps_what_it_keeps_at_once(
    typed: list[str], rng: random.Random
) -> None:
    """Every prefix of the queries typed one after the other (with a backspace now and then),
    each evaluated from the steps the one before left."""
    rows = list(range(len(CATALOG)))
    rng.shuffle(rows)
    steps: Steps = []
    text = ""
    for query in typed:
        for char in " " + query:
            text = text[:-1] if rng.random() < 0.1 else text + char
            try:
                node = parse(text)
            except QueryError:
                continue
            hits, steps = evaluate_typed(node, facts(), rows, steps)
            assert hits == evaluate(node, facts(), rows), text


def test_typing_reuses_the_terms_it_shares_and_narrows_a_word_that_grew() -> None:
    _, steps = evaluate_typed(parse("year:>=2023 ca"), facts(), range(len(CATALOG)), [])
    year_rows = steps[0][1]
    hits, again = evaluate_typed(parse("year:>=2023 cache"), facts(), range(len(CATALOG)), steps)
    assert again[0][1] is year_rows  # not evaluated again
    assert hits == evaluate(parse("year:>=2023 cache"), facts())
