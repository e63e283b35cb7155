"""Golden site: content/ built with a fixed clock must equal tests/golden/ byte for byte.

Regenerate on purpose with `pytest tests/test_golden.py --update-golden`, then read the diff before committing."""
from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
MARKER = ".newsdigest-site"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MARKER}


def test_sample_site_matches_golden(sample_site: Path, request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(sample_site, GOLDEN, ignore=shutil.ignore_patterns(MARKER))
    assert GOLDEN.is_dir(), "tests/golden/ is missing: run pytest tests/test_golden.py --update-golden"
    built, golden = _files(sample_site), _files(GOLDEN)
    assert sorted(built) == sorted(golden), "the set of files differs from tests/golden/"
    diffs = []
    for name in sorted(built):
        if built[name] != golden[name]:
            diff = difflib.unified_diff(golden[name].decode("utf-8", "replace").splitlines(),
                                        built[name].decode("utf-8", "replace").splitlines(),
                                        f"golden/{name}", f"built/{name}", lineterm="", n=2)
            diffs.append("\n".join(list(diff)[:60]))
    assert not diffs, "built site differs from tests/golden/ (--update-golden regenerates):\n" + "\n".join(diffs)
