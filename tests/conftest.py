"""Shared fixtures: the sample content built once with a fixed clock, and the --update-golden switch."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from generator.build import Paths, build
from generator.config import Config

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXED_NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current build")


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """content/ built into a fresh folder with a fixed 'now'."""
    out = tmp_path_factory.mktemp("sample") / "site"
    build(Config(), Paths(CONTENT, out), FIXED_NOW)
    return out


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Make ``files`` (name -> text or bytes) below ``folder``; returns the folder."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder
