"""The daily arXiv feed: the real feed, and its rules one at a time."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from textwrap import dedent

import pytest

from paperdesk.catalog.importers import detect_kind, parse_text
from paperdesk.catalog.models import CatalogFile

SHARED = Path(__file__).resolve().parents[2] / "shared"
DAILY = SHARED / "data" / "daily-arxiv-llm.md"


@pytest.fixture(scope="module")
def feed_text() -> str:
    if not DAILY.is_file():
        pytest.skip(f"{DAILY} not present")
    return DAILY.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def feed(feed_text: str) -> CatalogFile:
    return parse_text(feed_text, "daily-arxiv-llm")


def read(markdown: str) -> CatalogFile:
    return parse_text(dedent(markdown).lstrip("\n"), "daily", kind="daily")


def test_the_feed_is_detected_and_titled(feed_text: str, feed: CatalogFile) -> None:
    assert detect_kind(feed_text) == "daily"
    assert (feed.kind, feed.title) == ("daily", "Daily Arxiv Papers (LMSys)")
    assert not feed.warnings


def test_the_feed_papers(feed_text: str, feed: CatalogFile) -> None:
    entries = len(re.findall(r"^[*+-] ", feed_text, re.MULTILINE))
    assert entries > 1300
    assert len({p.id for p in feed.papers}) == len(feed.papers)
    assert entries - 40 < len(feed.papers) <= entries  # repeated entries merge
    assert sum(1 for p in feed.papers if p.date and p.tags) >= 700
    assert all(p.date is not None and p.venue == "arXiv" for p in feed.papers)
    assert all(p.year == p.date.year for p in feed.papers if p.date)
    assert all(p.topics == [] and p.title for p in feed.papers)


def test_every_arxiv_link_gives_an_id(feed: CatalogFile) -> None:
    linked = [p for p in feed.papers if any("arxiv.org" in link.url for link in p.links)]
    assert len(linked) == len(feed.papers)
    assert all(p.arxiv_id and re.fullmatch(r"\d{4}\.\d{4,5}", p.arxiv_id) for p in linked)


def test_the_newest_entry(feed: CatalogFile) -> None:
    first = feed.papers[0]
    assert first.title == (
        "Bounded-State Restoration: Decoupling Local Restore Capacity from External LLM State"
    )
    assert first.tags == ["serving", "offloading", "storage"]
    assert (first.url, first.arxiv_id) == ("http://arxiv.org/abs/2608.17826v1", "2608.17826")
    assert first.date == dt.date(2026, 8, 18)
    assert first.summary and first.summary.startswith("Proposes a method to decouple")
    assert "TL;DR" not in first.summary and "**" not in first.summary
    assert first.line == 24
    assert [link.label for link in first.links] == ["paper"]


def test_summaries_with_and_without_the_label(feed: CatalogFile) -> None:
    assert all(p.summary is None or "TL;DR" not in p.summary for p in feed.papers)
    spad = next(p for p in feed.papers if p.title.startswith("SPAD:"))
    assert spad.summary and spad.summary.startswith("Designs specialized hardware chips")


def test_range_headings_date_their_entries_by_the_first_day(feed: CatalogFile) -> None:
    orders = next(p for p in feed.papers if p.title.startswith("Orders in Chaos"))
    assert orders.date == dt.date(2025, 10, 1)


def test_older_entries_have_no_tags_but_a_date(feed: CatalogFile) -> None:
    last = feed.papers[-1]
    assert last.title.startswith("Dynamic Optimization of Storage Systems")
    assert (last.tags, last.summary, last.date) == ([], None, dt.date(2025, 1, 3))
    assert last.arxiv_id == "2501.00068"


def test_repeated_entries_merge(feed: CatalogFile) -> None:
    dbos = [p for p in feed.papers if p.title.startswith("DBOS Network Sensing")]
    assert len(dbos) == 1
    again = [
        p for p in feed.papers if p.title == "Toward Systems Foundations for Agentic Exploration"
    ]
    assert len(again) == 1 and again[0].date == dt.date(2025, 10, 1)


def test_tags_tldr_and_range_headings() -> None:
    catalog = read("""
        # Daily Arxiv Papers (LMSys)

        ![Static Badge](https://img.shields.io/badge/total_papers-2-blue)

        **🔖TAGS**:`serving` `training`

        ---
        ### 2025-10-01 ~ 2025-10-07
        * `serving` `offloading` [Title One: A System](http://arxiv.org/abs/2510.05556v2)
          > **TL;DR**: Does a thing. Gets **faster**.
        * [Title Two](https://arxiv.org/pdf/2510.00001.pdf)
          > Plain summary.

        ### 2025-09-15
        * [Title Three](https://arxiv.org/abs/2509.10371)
    """)
    one, two, three = catalog.papers
    assert (one.title, one.tags, one.date) == (
        "Title One: A System", ["serving", "offloading"], dt.date(2025, 10, 1),
    )  # fmt: skip
    assert (one.arxiv_id, one.summary, one.year) == (
        "2510.05556",
        "Does a thing. Gets faster.",
        2025,
    )
    assert (two.summary, two.arxiv_id, two.tags) == ("Plain summary.", "2510.00001", [])
    assert (three.date, three.line) == (dt.date(2025, 9, 15), 15)
    assert not catalog.warnings


def test_entries_before_any_date_and_odd_lines() -> None:
    catalog = read("""
        * [Undated](https://arxiv.org/abs/2401.00001)
        ### 2025-13-45
        * `tag`
        * plain words title
    """)
    assert [(p.title, p.date, p.year) for p in catalog.papers] == [
        ("Undated", None, 2024), ("plain words title", None, None),
    ]  # fmt: skip
    assert [w.line for w in catalog.warnings] == [2, 3]


def test_detection() -> None:
    assert detect_kind("### 2025-01-09\n* [A](https://arxiv.org/abs/2501.00001)\n") == "daily"
    assert detect_kind("# Daily Arxiv Papers\n") == "daily"
    assert detect_kind("# Papers\n## [OSDI 2024](u)\n* A\n") == "list"
    assert detect_kind("") == "list"
    assert detect_kind("## OSDI 2024\n### 2025-01-09\n### 2025-01-10\n") == "daily"
