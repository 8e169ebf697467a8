"""Write cost at 5k and 50k states (slow; the numbers print with ``-s``).

The bounds are regression guards with room for a busy machine, not the targets: re-serialising
every record per write (what TinyDB's own storage does) costs over 400 ms at 50k here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from store_bench import measure

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("states", "p95_ms"), [(5_000, 100), (50_000, 300)])
def test_one_durable_write_stays_cheap(tmp_path: Path, states: int, p95_ms: float) -> None:
    timings = measure(states, tmp_path)
    print(timings)
    assert timings.write_p95_ms < p95_ms
    assert timings.states_cached_ms < 200
