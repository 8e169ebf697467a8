"""The benchmark runs end to end at CI size and reports every key; its inputs are what it says.

No timing is ever asserted here: the numbers are the benchmark's answer, not a test verdict.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REPO, SHARED

BENCHMARKS = REPO / "benchmarks"
CI_SIZE = ("--papers", "5000", "--states", "500")
KEYS = {
    "baseline_first_frame_s",
    "desk_first_frame_seed_s",
    "desk_first_frame_big_s",
    "search_keystroke_p50_ms",
    "search_keystroke_p95_ms",
    "query_keystroke_p95_ms",
    "status_visible_p95_ms",
    "status_durable_p95_ms",
    "triage_keystroke_p95_ms",
    "cli_show_s",
    "baseline_import_textual_s",
    "import_daily_s",
    "import_big_s",
    "relink_5k_50k_s",
    "peak_rss_mb_big",
    "venue_fetch_4k_s",
    "venue_publish_4k_s",
    "seed_ratio",
    "big_ratio",
    "cli_ratio",
}


def load_generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", BENCHMARKS / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_list_is_read_as_exactly_n_papers_the_same_every_time() -> None:
    from paperdesk.catalog.importers import parse_text

    generate = load_generate()
    text = generate.list_text(700)
    assert text == generate.list_text(700)
    assert text != generate.list_text(700, seed=1)
    catalog = parse_text(text, "awesome-papers")
    assert len(catalog.papers) == len({p.id for p in catalog.papers}) == 700
    assert not catalog.warnings
    markers = sorted(int(p.title.split(":", 1)[0][1:]) for p in catalog.papers)
    assert markers == list(range(1, 701))
    first = catalog.papers[0]
    assert first.venue and first.year and first.topics and first.tags and first.arxiv_id


def test_states_and_notes_land_in_the_store(isolated_home: Path) -> None:
    from paperdesk.state.store import Store
    from paperdesk.workspace import Workspace

    generate = load_generate()
    big = isolated_home.parent / "big.md"
    generate.write_list(big, 300)
    done = subprocess.run(
        [sys.executable, "-m", "paperdesk", "import", str(big), "--as", "awesome-papers"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert generate.write_states(isolated_home, 120) == 120
    states = Store.open(Workspace.open(isolated_home).locations.store).states()
    assert len(states) == 120
    assert all(s.note and s.status != "unread" and len(s.history) == 1 for s in states.values())


def test_ci_sized_run_reports_every_key() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench.py"), *CI_SIZE, "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    values = json.loads(done.stdout)
    assert set(values) == KEYS
    nullable = set() if (SHARED / "data" / "daily-arxiv-llm.md").is_file() else {"import_daily_s"}
    for key, value in values.items():
        if value is None and key in nullable:
            continue
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value) and value > 0, (key, value)
    for ratio, top, bottom in [
        ("seed_ratio", "desk_first_frame_seed_s", "baseline_first_frame_s"),
        ("big_ratio", "desk_first_frame_big_s", "baseline_first_frame_s"),
        ("cli_ratio", "cli_show_s", "baseline_import_textual_s"),
    ]:
        assert values[ratio] == pytest.approx(values[top] / values[bottom])
    assert "holds" in done.stderr  # the table goes to stderr with --json
