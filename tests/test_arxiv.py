"""arXiv enrichment against a loopback stand-in of the query API, answering in its Atom form."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from paperdesk.catalog.arxiv_ids import normalise_arxiv_id as arxiv_id_of
from paperdesk.catalog.identity import paper_id, title_similarity
from paperdesk.catalog.metadata import MetadataCache
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.catalog.records import Paper
from paperdesk.errors import FetchError
from paperdesk.locations import Locations
from paperdesk.net.arxiv import BATCH_SIZE, TITLE_MATCH_THRESHOLD, enrich, parse_feed

if TYPE_CHECKING:
    from paperdesk.workspace import Workspace

SERVERLESS_TITLE = "ServerlessLLM: Locality-Enhanced Serverless Inference for Large Language Models"
SERVERLESS_ARXIV = "ServerlessLLM: Low-Latency Serverless Inference for Large Language\n  Models"


def entry(
    arxiv_id: str,
    title: str,
    *,
    abstract: str = "An abstract.",
    authors: tuple[str, ...] = ("Ada Lovelace",),
    categories: tuple[str, ...] = ("cs.DC",),
) -> str:
    """One ``<entry>`` in the shape the arXiv API documents (version suffix, namespaces)."""
    names = "".join(f"<author><name>{name}</name></author>" for name in authors)
    cats = "".join(
        f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in categories
    )
    return f"""<entry>
  <id>http://arxiv.org/abs/{arxiv_id}v2</id>
  <updated>2024-07-25T10:00:00Z</updated>
  <published>2024-01-25T17:46:32Z</published>
  <title>{title}</title>
  <summary>  {abstract}
</summary>
  {names}
  <link href="http://arxiv.org/abs/{arxiv_id}v2" rel="alternate" type="text/html"/>
  <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{categories[0]}"
    scheme="http://arxiv.org/schemas/atom"/>
  {cats}
</entry>"""


def feed(*entries: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query</title>
  <id>http://arxiv.org/api/query</id>
  <updated>2024-07-26T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
    >{len(entries)}</opensearch:totalResults>
  {"".join(entries)}
</feed>
"""


SERVERLESS_ENTRY = entry(
    "2401.14351",
    SERVERLESS_ARXIV,
    abstract="Locality-enhanced checkpoint\n  loading for serverless inference.",
    authors=("Yao Fu", "Leyang Xue", "Luo Mai"),
    categories=("cs.LG", "cs.DC"),
)


def paper(title: str, arxiv_id: str | None = None) -> Paper:
    return Paper(id=paper_id(title), title=title, arxiv_id=arxiv_id, source="t")


class FakeArxiv:
    """Answers id_list and title queries from a dict of entries; records every query."""

    def __init__(self, entries: dict[str, tuple[str, str]]) -> None:
        self.entries = entries  # arxiv id -> (title, entry xml)
        self.queries: list[dict[str, list[str]]] = []

    def __call__(self, request: Request) -> Response:
        query = parse_qs(urlsplit(request.url).query)
        self.queries.append(query)
        if "id_list" in query:
            ids = query["id_list"][0].split(",")
            found = [self.entries[i][1] for i in ids if i in self.entries]
        else:
            words = query["search_query"][0].removeprefix('ti:"').removesuffix('"').split()
            found = [
                xml for title, xml in self.entries.values() if words and words[0] in title.lower()
            ]
        return Response(feed(*found), content_type="application/atom+xml; charset=utf-8")


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PAPERDESK_ARXIV_API", httpserver.url_for("/api/query"))
    monkeypatch.setenv("PAPERDESK_ARXIV_INTERVAL", "0")
    return httpserver


@pytest.fixture
def ws(isolated_home: Path, tmp_path: Path) -> Workspace:
    """A workspace of the temp home; enrich needs only its locations, not a particular list."""
    from paperdesk.catalog.models import CatalogFile
    from paperdesk.workspace import Workspace

    listing = tmp_path / "catalog.json"
    listing.write_text(CatalogFile(source="t", papers=[paper("X")]).model_dump_json())
    return Workspace.open(home=isolated_home, catalog=listing)


def cache_bytes(home: Path) -> bytes | None:
    path = home / "cache" / "arxiv.json"
    return path.read_bytes() if path.exists() else None


# --- parsing ---------------------------------------------------------------------------------


def test_parse_feed_reads_the_documented_shape() -> None:
    [meta] = parse_feed(feed(SERVERLESS_ENTRY).encode())
    assert meta.arxiv_id == "2401.14351"
    assert meta.title == "ServerlessLLM: Low-Latency Serverless Inference for Large Language Models"
    assert meta.abstract == "Locality-enhanced checkpoint loading for serverless inference."
    assert meta.authors == ["Yao Fu", "Leyang Xue", "Luo Mai"]
    assert meta.published == dt.date(2024, 1, 25)
    assert meta.categories == ["cs.LG", "cs.DC"]


def test_parse_feed_old_style_ids() -> None:
    [meta] = parse_feed(feed(entry("cs/0112017", "An Old Paper")).encode())
    assert meta.arxiv_id == "cs/0112017"


def test_an_empty_feed_has_no_entries() -> None:
    assert parse_feed(feed().encode()) == []


@pytest.mark.parametrize(
    "body",
    [
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>",
        b"not xml at all",
        b"",
        b"\xff\xfe<\x00",
    ],
)
def test_malformed_xml_is_a_fetch_error(body: bytes) -> None:
    with pytest.raises(FetchError, match="malformed XML"):
        parse_feed(body)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_entity_declarations_are_refused(encoding: str) -> None:
    bomb = (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>'
    ).encode(encoding)
    with pytest.raises(FetchError, match="DOCTYPE or entities"):
        parse_feed(bomb)


def test_a_non_atom_document_is_refused() -> None:
    with pytest.raises(FetchError, match="not an Atom feed"):
        parse_feed(b"<html><body>maintenance</body></html>")


def test_an_api_error_entry_is_an_error() -> None:
    error = """<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>
    <title>Error</title><summary>incorrect id format for 1234</summary></entry>"""
    with pytest.raises(FetchError, match="incorrect id format for 1234"):
        parse_feed(feed(error).encode())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2401.14351", "2401.14351"),
        ("2401.14351v3", "2401.14351"),
        ("arXiv:2401.00588", "2401.00588"),
        ("cs/0112017v1", "cs/0112017"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("24.1", None),
        ("", None),
        (None, None),
    ],
)
def test_arxiv_id_of(given: str | None, expected: str | None) -> None:
    assert arxiv_id_of(given) == expected


# --- the metadata cache --------------------------------------------------------------------


def meta(arxiv_id: str = "2401.14351", title: str = "T") -> ArxivMetadata:
    return ArxivMetadata(
        arxiv_id=arxiv_id, title=title, abstract="A.", fetched_at=dt.datetime.now(dt.UTC)
    )


def test_cache_round_trip_and_merge(isolated_home: Path) -> None:
    locations = Locations.resolve(isolated_home)
    first, second = MetadataCache(locations), MetadataCache(locations)
    first.update({"a": meta("1111.11111")})
    second.update({"b": meta("2222.22222")})  # a second writer keeps the first one's entry
    assert set(MetadataCache(locations).all()) == {"a", "b"}
    assert first.get("b") is not None  # re-read after the file changed
    assert first.get("missing") is None


def test_a_damaged_cache_reads_as_empty(isolated_home: Path) -> None:
    locations = Locations.resolve(isolated_home)
    (isolated_home / "cache").mkdir()
    (isolated_home / "cache" / "arxiv.json").write_text("{not json", encoding="utf-8")
    assert MetadataCache(locations).all() == {}
    MetadataCache(locations).update({"a": meta()})
    assert set(MetadataCache(locations).all()) == {"a"}


# --- enrich against the stand-in -----------------------------------------------------------


def test_title_threshold_is_what_accepts_the_edited_title() -> None:
    assert title_similarity(SERVERLESS_TITLE, SERVERLESS_ARXIV) >= TITLE_MATCH_THRESHOLD


def test_enrich_by_arxiv_id_in_batches(api: HTTPServer, ws: Workspace) -> None:
    fake = FakeArxiv(
        {
            f"2401.{n:05d}": (f"Paper {n}", entry(f"2401.{n:05d}", f"Paper {n}"))
            for n in range(BATCH_SIZE + 5)
        }
    )
    api.expect_request("/api/query").respond_with_handler(fake)
    papers = [paper(f"Paper {n}", f"arXiv:2401.{n:05d}v1") for n in range(BATCH_SIZE + 5)]
    seen: list[tuple[int, int]] = []
    report = enrich(ws, papers, progress=lambda done, total, _title: seen.append((done, total)))
    assert sorted(report.matched) == sorted(p.id for p in papers)
    assert report.unmatched == report.skipped == report.errors == []
    assert len(fake.queries) == 2  # two id_list batches, no title searches
    assert len(fake.queries[0]["id_list"][0].split(",")) == BATCH_SIZE
    assert seen[-1] == (BATCH_SIZE + 5, BATCH_SIZE + 5)
    cache = MetadataCache(ws.locations)
    assert cache.get(papers[3].id).arxiv_id == "2401.00003"


def test_enrich_by_title_accepts_a_close_title(api: HTTPServer, ws: Workspace) -> None:
    fake = FakeArxiv({"2401.14351": (SERVERLESS_ARXIV.lower(), SERVERLESS_ENTRY)})
    api.expect_request("/api/query").respond_with_handler(fake)
    target = paper(SERVERLESS_TITLE, "2401.00588")  # the list's id is wrong: arXiv lacks it
    report = enrich(ws, [target])
    assert report.matched == [target.id]
    assert [next(iter(q)) for q in fake.queries] == ["id_list", "search_query"]
    assert fake.queries[1]["search_query"][0].startswith('ti:"serverlessllm locality enhanced')
    stored = MetadataCache(ws.locations).get(target.id)
    assert stored.authors == ["Yao Fu", "Leyang Xue", "Luo Mai"]


def test_a_wrong_title_match_is_rejected(api: HTTPServer, ws: Workspace) -> None:
    wrong = "Serverless Computing: One Step Forward, Two Steps Back"
    fake = FakeArxiv({"1812.03651": (wrong.lower(), entry("1812.03651", wrong))})
    api.expect_request("/api/query").respond_with_handler(fake)
    target = paper("Serverless Computing: A Survey of Opportunities")
    report = enrich(ws, [target])
    assert len(fake.queries) == 1  # the search found the wrong paper ...
    assert report.unmatched == [target.id]  # ... and it was not accepted
    assert report.matched == []
    assert cache_bytes(ws.locations.home) is None


def test_an_empty_feed_leaves_the_paper_unmatched(api: HTTPServer, ws: Workspace) -> None:
    api.expect_request("/api/query").respond_with_data(feed(), content_type="application/atom+xml")
    report = enrich(ws, [paper("Nothing Like This Exists")])
    assert report.unmatched and not report.matched and not report.errors


def test_enriched_papers_are_skipped_unless_forced(api: HTTPServer, ws: Workspace) -> None:
    fake = FakeArxiv({"2401.14351": (SERVERLESS_ARXIV.lower(), SERVERLESS_ENTRY)})
    api.expect_request("/api/query").respond_with_handler(fake)
    target = paper(SERVERLESS_TITLE, "2401.14351")
    assert enrich(ws, [target]).matched == [target.id]
    again = enrich(ws, [target])
    assert (again.skipped, again.matched, len(fake.queries)) == ([target.id], [], 1)
    forced = enrich(ws, [target], force=True)
    assert (forced.matched, len(fake.queries)) == ([target.id], 2)


def test_500_then_200_is_retried(api: HTTPServer, ws: Workspace) -> None:
    api.expect_ordered_request("/api/query").respond_with_data("busy", status=503)
    api.expect_ordered_request("/api/query").respond_with_data(
        feed(SERVERLESS_ENTRY), content_type="application/atom+xml"
    )
    report = enrich(ws, [paper(SERVERLESS_TITLE, "2401.14351")])
    assert report.matched and not report.errors
    assert len(api.log) == 2


def test_requests_are_spaced_by_the_interval(
    api: HTTPServer,
    ws: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAPERDESK_ARXIV_INTERVAL", "0.4")
    api.expect_request("/api/query").respond_with_data(feed(), content_type="application/atom+xml")
    started = time.monotonic()
    enrich(ws, [paper("First Unknown Paper"), paper("Second Unknown Paper"), paper("Third One")])
    assert len(api.log) == 3
    assert time.monotonic() - started >= 0.8


def test_malformed_answer_stops_with_one_line_and_keeps_the_cache(
    api: HTTPServer,
    ws: Workspace,
) -> None:
    MetadataCache(ws.locations).update({"kept": meta()})
    before = cache_bytes(ws.locations.home)
    api.expect_request("/api/query").respond_with_data("<feed><entry>", status=200)
    report = enrich(ws, [paper(SERVERLESS_TITLE), paper("Another Paper")])
    [error] = report.errors
    assert error.startswith(f"could not fetch {api.url_for('/api/query')}: ")
    assert "malformed XML" in error
    assert report.matched == []
    assert cache_bytes(ws.locations.home) == before


def test_an_interrupted_run_keeps_earlier_batches(api: HTTPServer, ws: Workspace) -> None:
    api.expect_ordered_request("/api/query").respond_with_data(
        feed(SERVERLESS_ENTRY), content_type="application/atom+xml"
    )
    api.expect_ordered_request("/api/query").respond_with_data("gone", status=404)
    first = paper(SERVERLESS_TITLE, "2401.14351")
    report = enrich(ws, [first, paper("A Paper Only Found By Title")])
    assert report.matched == [first.id]
    assert "HTTP 404" in report.errors[0]
    assert MetadataCache(ws.locations).get(first.id) is not None


# --- the CLI -------------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; (exit code, stdout, stderr)."""
    from paperdesk.cli import main

    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_enrich_then_show_json(
    isolated_home: Path, api: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeArxiv({"2401.14351": (SERVERLESS_ARXIV.lower(), SERVERLESS_ENTRY)})
    api.expect_request("/api/query").respond_with_handler(fake)
    listing = tmp_path / "list.md"
    listing.write_text(
        f"# papers\n\n## OSDI 2024\n\n* {SERVERLESS_TITLE} [paper](https://example.org/p)\n"
        "* Some Other Paper Nobody Indexed [paper](https://example.org/q)\n",
        encoding="utf-8",
    )
    assert cli(capsys, "import", str(listing))[0] == 0
    code, out, err = cli(capsys, "enrich", "--source", "list")
    assert code == 0, err
    assert "enriched 1, unmatched 1" in out
    assert "no arXiv match: Some Other Paper Nobody Indexed" in out
    code, out, _ = cli(capsys, "show", "serverlessllm", "--json")
    record = json.loads(out)
    assert record["abstract"] == "Locality-enhanced checkpoint loading for serverless inference."
    assert record["authors"] == ["Yao Fu", "Leyang Xue", "Luo Mai"]
    assert record["published"] == "2024-01-25"
    assert record["categories"] == ["cs.LG", "cs.DC"]
    _, out, _ = cli(capsys, "show", "nobody indexed", "--json")
    assert json.loads(out)["abstract"] is None
    _, out, _ = cli(capsys, "list", "--json")
    assert "abstract" not in json.loads(out)[0]  # list stays lean


def test_enrich_progress_is_one_line_per_paper_off_a_terminal(
    isolated_home: Path, api: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api.expect_request("/api/query").respond_with_data(feed(), content_type="application/atom+xml")
    code, out, err = cli(capsys, "enrich", "--venue", "OSDI 2024")
    assert "unmatched" in out
    assert code == 0
    lines = err.splitlines()
    assert len(lines) >= 4 and all(line.startswith("enrich ") for line in lines)
    assert "\r" not in err
    assert lines[-1].startswith(f"enrich {len(lines)}/{len(lines)} (ETA 0s): ")


def test_cli_enrich_failure_is_one_line(isolated_home: Path, api: HTTPServer) -> None:
    api.expect_request("/api/query").respond_with_data("<feed", status=200)
    result = subprocess.run(
        [sys.executable, "-m", "paperdesk", "enrich", "serverlessllm"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("paperdesk: error: could not fetch ") and "malformed XML" in line


def test_cli_enrich_needs_a_selection() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paperdesk", "enrich"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "name at least one paper, or use --venue" in result.stderr


def test_cli_enrich_prints_only_the_parts_that_apply(
    isolated_home: Path, api: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api.expect_request("/api/query").respond_with_data(
        feed(SERVERLESS_ENTRY), content_type="application/atom+xml"
    )
    code, out, err = cli(capsys, "enrich", "serverlessllm")
    assert (code, out, err) == (0, "enriched 1\n", "")
    code, out, _ = cli(capsys, "enrich", "serverlessllm")
    assert (code, out) == (0, "skipped 1 (already enriched; --force fetches them again)\n")


def test_cli_enrich_says_nothing_before_a_fatal_error_but_what_it_kept(
    isolated_home: Path, api: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api.expect_ordered_request("/api/query").respond_with_data(
        feed(SERVERLESS_ENTRY), content_type="application/atom+xml"
    )
    api.expect_ordered_request("/api/query").respond_with_data("gone", status=404)
    code, out, err = cli(capsys, "enrich", "serverlessllm", "prompt cache")
    assert (code, out) == (1, "")
    [line] = err.splitlines()
    assert line.startswith("paperdesk: error: could not fetch ") and "HTTP 404" in line
    assert line.endswith("; the 1 enriched before it were kept")
    assert cli(capsys, "show", "serverlessllm", "--json")[1].count("Luo Mai") == 1


def test_the_endpoint_and_interval_come_from_config_toml_under_the_environment(
    isolated_home: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("PAPERDESK_ARXIV_API", raising=False)
    monkeypatch.delenv("PAPERDESK_ARXIV_INTERVAL", raising=False)
    httpserver.expect_request("/from-config").respond_with_data(
        feed(SERVERLESS_ENTRY), content_type="application/atom+xml"
    )
    (isolated_home / "config.toml").write_text(
        f'[arxiv]\napi = "{httpserver.url_for("/from-config")}"\ninterval = 0\n'
    )
    assert cli(capsys, "enrich", "serverlessllm")[:2] == (0, "enriched 1\n")
    assert [request.path for request, _ in httpserver.log] == ["/from-config"]
    monkeypatch.setenv("PAPERDESK_ARXIV_API", httpserver.url_for("/from-env"))
    httpserver.expect_request("/from-env").respond_with_data(
        feed(SERVERLESS_ENTRY), content_type="application/atom+xml"
    )
    assert cli(capsys, "enrich", "serverlessllm", "--force")[0] == 0
    assert httpserver.log[-1][0].path == "/from-env", "the environment wins"
    (isolated_home / "config.toml").write_text("[arxiv]\ninterval = -1\n")
    code, _, err = cli(capsys, "enrich", "serverlessllm", "--force")
    assert code == 1 and "arxiv.interval" in err and "config.toml" in err
    monkeypatch.setenv("PAPERDESK_ARXIV_INTERVAL", "soon")
    code, _, err = cli(capsys, "enrich", "serverlessllm", "--force")
    assert code == 1 and "PAPERDESK_ARXIV_INTERVAL must be a number of seconds" in err


def test_enrich_ends_at_the_deadline_set_in_config_toml(
    ws: Workspace, trickling_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_ARXIV_API", trickling_server)
    monkeypatch.setenv("PAPERDESK_ARXIV_INTERVAL", "0")
    ws.locations.config.write_text("[net]\ntimeout = 1\n", encoding="utf-8")
    started = time.monotonic()
    report = enrich(ws, [paper(SERVERLESS_TITLE, "2401.14351")])
    assert time.monotonic() - started < 2.5
    [error] = report.errors
    assert error.endswith(
        "no complete answer within the 1 s deadline "
        "(set it with PAPERDESK_NET_TIMEOUT or [net] timeout in config.toml)"
    )
    assert report.matched == [] and cache_bytes(ws.locations.home) is None
