"""venue fetch against a loopback DBLP stand-in answering in DBLP's documented shapes, local
venue files, and ids shared with the user's list."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cli_run import Ran
from dblp_fixtures import SESSIONS, all_hits, search_page, toc_xml
from paperdesk.catalog.dblp_venues import DBLP_STREAMS, resolve_venue
from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.importers.dblp import read_venue_file, venue_catalog
from paperdesk.catalog.metadata import DblpCache
from paperdesk.cli import main
from paperdesk.errors import FetchError
from paperdesk.inert import INCOMING_CONTROLS
from paperdesk.locations import Locations
from paperdesk.net.dblp import DblpClient
from paperdesk.net.fetch import Cancel, FetchCancelled

TOC = "/db/conf/nsdi/nsdi2025.xml"
API = "/search/publ/api"


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERDESK_DBLP_INTERVAL", "0")


def use(monkeypatch: pytest.MonkeyPatch, server: HTTPServer) -> None:
    monkeypatch.setenv("PAPERDESK_DBLP_API", server.url_for(API))


def home_digest(home: Path) -> str:
    files = sorted(p for p in home.rglob("*") if p.is_file())
    return hashlib.sha1(b"".join(p.read_bytes() + str(p).encode() for p in files)).hexdigest()


def out_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_table_of_contents_gives_every_paper_with_its_session_as_topic(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request(TOC).respond_with_data(toc_xml(), content_type="application/xml")
    use(monkeypatch, httpserver)
    assert main(["venue", "fetch", "NSDI'25"]) == 0
    papers = out_json(capsys, "list", "--venue", "NSDI 2025", "--json")
    assert isinstance(papers, list)
    titles = [t for titles in SESSIONS.values() for t in titles]
    assert [p["title"] for p in papers] == titles  # DBLP's order, without the closing "."
    topics = {p["title"]: p["topics"] for p in papers}
    assert topics["Traffic Engineering for LLM Training Clusters"] == ["Networking"]
    shown = out_json(capsys, "show", paper_id(titles[0]), "--json")
    assert isinstance(shown, dict)
    assert shown["authors"] == ["Author 0 One", "Author 0 Two"]  # DBLP's "0001" dropped
    assert (shown["doi"], shown["pages"]) == ("10.5555/nsdi25.0", "100-115")
    assert shown["url"] == "https://doi.org/10.5555/nsdi25.0"
    fields = out_json(capsys, "list", "--venue", "NSDI 2025", "--fields", "doi,pages", "--json")
    assert isinstance(fields, list) and fields[1] == {"doi": "10.5555/nsdi25.1", "pages": "116-131"}


def test_search_api_is_paged_up_to_its_total(httpserver: HTTPServer) -> None:
    hits = all_hits()
    httpserver.expect_request(TOC).respond_with_data("not here", status=404)
    asked: list[str] = []

    def answer(request: Request) -> Response:
        asked.append(request.args["f"])
        assert request.args["format"] == "json" and "nsdi2025" in request.args["q"]
        return Response(search_page(request.query_string, hits), content_type="application/json")

    httpserver.expect_request(API).respond_with_handler(answer)
    client = DblpClient(httpserver.url_for(API), interval=0, page_size=2)
    with client:
        title, records, where = client.venue(resolve_venue("NSDI 2025"))
    assert asked == ["0", "2", "4"]
    assert [r.title for r in records] == [t for ts in SESSIONS.values() for t in ts]
    assert records[0].authors == ["Author 0 One", "Author 0 Two"] and records[0].pages == "100-115"
    assert where == httpserver.url_for(API) and title is None


@pytest.mark.parametrize("failure", ["refused", "500", "refused, no time for another turn"])
def test_an_unreachable_dblp_fails_in_one_line_and_changes_nothing(
    failure: str,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_home: Path,
) -> None:
    assert main(["note", "serverlessllm", "--set", "kept"]) == 0
    if failure.startswith("refused"):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        monkeypatch.setenv("PAPERDESK_DBLP_API", f"http://127.0.0.1:{port}{API}")
        if failure != "refused":  # the turn after the refusal would come past the deadline
            monkeypatch.setenv("PAPERDESK_DBLP_INTERVAL", "5")
            monkeypatch.setenv("PAPERDESK_NET_TIMEOUT", "2")
    else:
        httpserver.expect_request(TOC).respond_with_data("down", status=500)
        use(monkeypatch, httpserver)
    before = home_digest(isolated_home)
    capsys.readouterr()
    assert main(["venue", "fetch", "NSDI 2025"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "could not fetch" in err, err
    assert ("refused" if failure.startswith("refused") else "HTTP 500") in err
    assert home_digest(isolated_home) == before


def test_a_title_file_makes_a_venue_with_sessions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    titles = tmp_path / "hpca25.txt"
    titles.write_text(
        "# Accelerators\nA Systolic Array for Sparse Attention\n\n"
        "# Memory\n* Near-Memory KV Caches.\n",
        encoding="utf-8",
    )
    assert main(["venue", "fetch", "HPCA'25", "--file", str(titles)]) == 0
    papers = out_json(capsys, "triage", "HPCA 2025", "--json")
    assert isinstance(papers, list)
    assert [(p["title"], p["topics"], p["venue"]) for p in papers] == [
        ("A Systolic Array for Sparse Attention", ["Accelerators"], "HPCA 2025"),
        ("Near-Memory KV Caches", ["Memory"], "HPCA 2025"),
    ]


def test_local_dblp_xml_and_json_files_read_alike(tmp_path: Path) -> None:
    xml = tmp_path / "toc.xml"
    xml.write_text(toc_xml(), encoding="utf-8")
    answer = tmp_path / "answer.json"
    answer.write_text(search_page("h=1000&f=0&q=x", all_hits()), encoding="utf-8")
    title, from_xml = read_venue_file(xml.read_bytes(), str(xml))
    _, from_json = read_venue_file(answer.read_bytes(), str(answer))
    assert title == "NSDI 2025"
    assert [r.title for r in from_xml] == [r.title for r in from_json]
    assert [r.doi for r in from_xml] == [r.doi for r in from_json]


def test_a_paper_read_as_a_preprint_is_triaged_in_its_venue(
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    seed_path: Path,
) -> None:
    assert main(["import", str(seed_path), "--as", "awesome-papers"]) == 0
    ragcache = paper_id("RAGCache: Efficient Knowledge Caching for Retrieval-Augmented Generation")
    assert main(["mark", ragcache, "read"]) == 0
    httpserver.expect_request(TOC).respond_with_data(toc_xml(), content_type="application/xml")
    use(monkeypatch, httpserver)
    assert main(["venue", "fetch", "https://dblp.org/db/conf/nsdi/nsdi2025.html"]) == 0
    untriaged = out_json(capsys, "triage", "NSDI 2025", "--json")
    assert isinstance(untriaged, list) and len(untriaged) == 4
    assert ragcache not in {p["id"] for p in untriaged}
    capsys.readouterr()
    assert main(["triage", "NSDI'25"]) == 0  # the TODO's spelling; the venue's own name shown
    assert capsys.readouterr().out.splitlines()[0] == "NSDI 2025: 1/5 triaged · 0 picked"
    listed = out_json(capsys, "list", "--venue", "NSDI 2025", "--json")
    assert isinstance(listed, list)
    assert {p["id"]: p["status"] for p in listed}[ragcache] == "read"
    venues = out_json(capsys, "venue", "list", "--json")
    assert isinstance(venues, list)
    assert [(v["venue"], v["papers"], v["triaged"], v["picked"]) for v in venues] == [
        ("NSDI 2025", 5, 1, 0)
    ]
    # fetching again keeps every state
    tiered = paper_id(SESSIONS["LLM Serving"][0])
    assert main(["mark", tiered, "queued"]) == 0
    assert main(["venue", "fetch", "NSDI 2025"]) == 0
    statuses = {p["id"]: p["status"] for p in out_json(capsys, "list", "--json")}  # type: ignore[union-attr]
    assert (statuses[tiered], statuses[ragcache]) == ("queued", "read")


def test_same_title_with_two_dois_stays_two_papers() -> None:
    from paperdesk.catalog.importers.dblp import DblpRecord

    twins = [
        DblpRecord("Introduction", doi="10.1145/1"),
        DblpRecord("Introduction.", doi="10.1145/2"),
    ]
    catalog, metadata = venue_catalog("NSDI 2025", twins)
    assert len({p.id for p in catalog.papers}) == 2 and len(metadata) == 2
    assert catalog.papers[0].id == paper_id("Introduction")


def test_every_known_venue_resolves_to_a_table_of_contents() -> None:
    for series in DBLP_STREAMS:
        ref = resolve_venue(f"{series}'25")
        assert ref.toc is not None and ref.name == f"{series} 2025", series
    assert resolve_venue("EuroSys'25 Spring").label == "EuroSys 2025 Spring"
    assert resolve_venue("db/conf/osdi/osdi2024").name == "OSDI 2024"


def test_an_unknown_venue_without_a_key_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["venue", "fetch", "FooConf 2025"]) == 2
    assert "DBLP key" in capsys.readouterr().err


def test_fields_of_the_wrong_type_are_left_out_not_a_traceback() -> None:
    from paperdesk.catalog.importers.dblp import search_answer

    hostile = {"title": "Odd Types Paper.", "type": ["x"], "doi": 5, "pages": 12, "key": 12}
    fine = {
        "title": "Plain Paper.",
        "authors": {"author": [{"text": {"x": 1}}, {"text": None}, "Ann Author"]},
        "doi": 5,
        "pages": 12,
        "key": 12,
        "ee": [7, "https://example.org/p"],
    }
    answer = {"result": {"hits": {"@total": "2", "hit": [{"info": hostile}, {"info": fine}]}}}
    total, records = search_answer(json.dumps(answer), "the answer")
    assert total == 2
    (record,) = records  # a type that is not text is not a paper type
    assert record.title == "Plain Paper"
    assert record.authors == ["Ann Author"]
    assert (record.pages, record.key, record.ee) == (None, None, ["https://example.org/p"])


CACHE_WRITER = """
import datetime as dt, sys
from pathlib import Path
from paperdesk.catalog.metadata import DblpCache
from paperdesk.catalog.models import DblpMetadata
from paperdesk.locations import Locations

cache = DblpCache(Locations(Path(sys.argv[1])))
writer = sys.argv[2]
now = dt.datetime.now(dt.UTC)
for batch in range(15):
    cache.update(
        {f"{writer}-{batch}-{i}": DblpMetadata(pages=str(i), fetched_at=now) for i in range(40)}
    )
"""


def test_processes_writing_the_dblp_cache_at_once_lose_no_entry(isolated_home: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", CACHE_WRITER, str(isolated_home), f"w{n}"])
        for n in range(6)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0] * 6
    kept = DblpCache(Locations(isolated_home)).all()
    assert len(kept) == 6 * 15 * 40


def billion_laughs(encoding: str) -> bytes:
    """The classic entity bomb (ten levels of ten), as a DBLP table of contents."""
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE bht [{"".join(levels)}]>\n'
        '<bht title="NSDI 2025"><h2>&lol9;</h2><dblpcites><r><inproceedings key="k">'
        "<title>&lol9;</title><year>2025</year></inproceedings></r></dblpcites></bht>"
    )
    return text.encode(encoding)


@pytest.mark.parametrize("where", ["dblp", "file"])
def test_a_utf16_entity_bomb_is_refused_by_the_parser_and_changes_nothing(
    where: str, httpserver: HTTPServer, cli: Callable[..., Ran], tmp_path: Path
) -> None:
    bomb = billion_laughs("utf-16")
    assert b"<!DOCTYPE" not in bomb  # what a look at the bytes would search for
    args = ["venue", "fetch", "NSDI 2025"]
    if where == "dblp":
        httpserver.expect_request(TOC).respond_with_data(bomb, content_type="application/xml")
    else:
        (tmp_path / "nsdi.xml").write_bytes(bomb)
        args += ["--file", str(tmp_path / "nsdi.xml")]
    home = tmp_path / "home"
    assert cli("note", "serverlessllm", "--set", "kept").returncode == 0
    before = home_digest(home)
    ran = cli(*args, PAPERDESK_DBLP_API=httpserver.url_for(API))
    assert ran.returncode == 1
    assert len(ran.stderr.splitlines()) == 1 and "declares a DOCTYPE or entities" in ran.stderr
    assert home_digest(home) == before


def strings(value: object) -> list[str]:
    """Every string in a parsed JSON document, keys too."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *strings(item)]]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


@pytest.mark.parametrize("shape", ["search", "toc"])
def test_control_characters_from_dblp_are_not_stored(
    shape: str, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    hits = all_hits()
    info = hits[0]["info"]
    assert isinstance(info, dict)
    info["title"] = "Tiered \x1b[2JKV Cache\x9b Offloading."
    info["authors"] = {"author": [{"text": "Ann\x1b]52;c;cHduZWQ=\x07 One"}]}
    info["pages"], info["doi"], info["key"] = "1\x00-2", "10.1/x\x85", "conf/x/\x1bA25"
    info["ee"] = "https://example.org/\x7fp"
    if shape == "search":
        httpserver.expect_request(TOC).respond_with_data("no", status=404)
        httpserver.expect_request(API).respond_with_handler(
            lambda request: Response(search_page(request.query_string, hits))
        )
        venue = "NSDI 2025"
    else:
        toc = toc_xml().replace('title="NSDI 2025"', 'title="HotOS\x85 2025"')
        toc = toc.replace("<h2>Networking</h2>", "<h2>Net\x9bworking\x85</h2>")
        toc = toc.replace("Author 1 One", "Author\x9b 1 One")
        path = "/db/conf/hotos/hotos2025.xml"
        httpserver.expect_request(path).respond_with_data(toc.encode(), content_type="text/xml")
        venue = "db/conf/hotos/hotos2025"
    use(monkeypatch, httpserver)
    assert main(["venue", "fetch", venue]) == 0
    stored = [isolated_home / "cache" / "dblp.json", *isolated_home.glob("sources/*.json")]
    assert len(stored) == 2
    texts = [s for path in stored for s in strings(json.loads(path.read_text()))]
    assert [s for s in texts if INCOMING_CONTROLS.search(s)] == []
    assert any("Cache Offloading" in s for s in texts) and "Author 1 One" in texts


@pytest.mark.parametrize(
    ("config", "env", "named"),
    [
        ("[dblp]\ninterval = inf\n", None, "dblp.interval"),
        ("[dblp]\ninterval = 30\n", None, "dblp.interval"),
        ("", "inf", "PAPERDESK_DBLP_INTERVAL"),
        ("", "nan", "PAPERDESK_DBLP_INTERVAL"),
        ("", "30", "PAPERDESK_DBLP_INTERVAL"),
    ],
)
def test_an_interval_out_of_bounds_is_one_line_before_any_request(
    config: str,
    env: str | None,
    named: str,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_home: Path,
) -> None:
    (isolated_home / "config.toml").write_text(config)
    if env is None:
        monkeypatch.delenv("PAPERDESK_DBLP_INTERVAL")
    else:
        monkeypatch.setenv("PAPERDESK_DBLP_INTERVAL", env)
    use(monkeypatch, httpserver)
    capsys.readouterr()
    assert main(["venue", "fetch", "NSDI 2025"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and named in err, err
    assert ("config.toml" in err) == (env is None)
    assert httpserver.log == []


def paced_client(httpserver: HTTPServer, **kwargs: object) -> DblpClient:
    """A client whose second request waits a minute: the table of contents is missing (404),
    so the search comes next."""
    httpserver.expect_request(TOC).respond_with_data("not here", status=404)
    httpserver.expect_request(API).respond_with_handler(
        lambda request: Response(search_page(request.query_string, all_hits()))
    )
    return DblpClient(httpserver.url_for(API), interval=60, **kwargs)  # type: ignore[arg-type]


def venue_in_a_thread(client: DblpClient) -> tuple[threading.Thread, list[FetchError]]:
    """``client.venue`` of NSDI 2025 running in a thread, and the error it ends with."""
    outcome: list[FetchError] = []

    def run() -> None:
        try:
            with client:
                client.venue(resolve_venue("NSDI 2025"))
        except FetchError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    return worker, outcome


def test_a_cancel_ends_the_wait_for_the_next_turn(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_NET_TIMEOUT", "120")  # the turn comes within the deadline
    cancel = Cancel()
    worker, outcome = venue_in_a_thread(paced_client(httpserver, cancel=cancel))
    while not httpserver.log and worker.is_alive():
        worker.join(0.01)
    cancel.cancel()
    worker.join(30)  # a wait that ignored the cancel would last the whole minute
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], FetchCancelled)
    assert [request.path for request, _ in httpserver.log] == [TOC]


def test_the_wait_for_the_next_turn_counts_against_the_deadline(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_NET_TIMEOUT", "2")
    worker, outcome = venue_in_a_thread(paced_client(httpserver))
    worker.join(30)  # a wait that slept past the deadline would last the whole minute
    assert not worker.is_alive()
    assert len(outcome) == 1 and "deadline" in str(outcome[0])
    assert [request.path for request, _ in httpserver.log] == [TOC]


def test_a_venue_whose_pages_pass_the_byte_budget_is_one_line(httpserver: HTTPServer) -> None:
    httpserver.expect_request(TOC).respond_with_data("not here", status=404)
    hits = all_hits()
    httpserver.expect_request(API).respond_with_handler(
        lambda request: Response(search_page(request.query_string, hits))
    )
    with DblpClient(httpserver.url_for(API), interval=0, page_size=2) as client:
        assert len(client.venue(resolve_venue("NSDI 2025"))[1]) == 5
    budget = client.received - 1  # one byte short of the venue's answers
    client = DblpClient(httpserver.url_for(API), interval=0, page_size=2, max_bytes=budget)
    with client, pytest.raises(FetchError) as caught:
        client.venue(resolve_venue("NSDI 2025"))
    message = str(caught.value)
    assert "the limit for one venue" in message and "--file" in message and "\n" not in message


def hotos_hits(venue: str | None) -> list[dict[str, object]]:
    """The fixture's papers as DBLP's search gives a venue the table does not know."""
    hits = all_hits()
    for hit in hits:
        info = hit["info"]
        assert isinstance(info, dict)
        if venue is None:
            del info["venue"]
        else:
            info["venue"] = venue
    return hits


def test_a_dblp_key_outside_the_table_is_named_from_dblp_or_with_name(
    httpserver: HTTPServer, cli: Callable[..., Ran]
) -> None:
    key = "db/conf/hotos/hotos2025"
    httpserver.expect_request(f"/{key}.xml").respond_with_data("not here", status=404)
    answers = [hotos_hits("HotOS"), hotos_hits(None)]
    httpserver.expect_request(API).respond_with_handler(
        lambda request: Response(search_page(request.query_string, answers[0]))
    )
    env = {"PAPERDESK_DBLP_API": httpserver.url_for(API)}
    ran = cli("venue", "fetch", key, **env)
    assert ran.returncode == 0 and "fetched HotOS 2025 " in ran.stdout, ran.stderr
    answers.pop(0)  # DBLP's hits no longer say the venue
    ran = cli("venue", "fetch", f"https://dblp.org/{key}.html", **env)
    assert ran.returncode == 2 and len(ran.stderr.splitlines()) == 1
    assert key in ran.stderr and "--name 'NAME 2025'" in ran.stderr
    ran = cli("venue", "fetch", key, "--name", "HotOS'25", **env)
    assert ran.returncode == 0 and "fetched HotOS 2025 " in ran.stdout, ran.stderr


def test_a_venue_without_its_year_says_a_year_is_needed(
    httpserver: HTTPServer, cli: Callable[..., Ran]
) -> None:
    ran = cli("venue", "fetch", "NSDI", PAPERDESK_DBLP_API=httpserver.url_for(API))
    assert ran.returncode == 2 and len(ran.stderr.splitlines()) == 1
    assert "needs a year" in ran.stderr and 'venue fetch "NSDI ' in ran.stderr
    assert httpserver.log == []
