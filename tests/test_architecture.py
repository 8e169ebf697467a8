"""The layers declared in pyproject.toml hold, and no two modules import each other.

Runs import-linter's ``lint-imports`` on the source tree (not an installed copy), then asks its
import graph for circles: a circle means a piece belongs a layer lower (see the README's
Layout).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_module_imports_one_that_imports_it_back() -> None:
    sys.path.insert(0, str(SRC))
    try:
        graph = grimp.build_graph("paperdesk", exclude_type_checking_imports=True, cache_dir=None)
    finally:
        sys.path.remove(str(SRC))
    circles = {
        tuple(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported != module and graph.chain_exists(importer=imported, imported=module)
    }
    assert not circles, sorted(circles)


def test_the_top_of_the_package_holds_few_modules() -> None:
    flat = [
        p.name for p in (SRC / "paperdesk").glob("*.py") if p.stem not in ("__init__", "__main__")
    ]
    assert len(flat) <= 8, sorted(flat)
