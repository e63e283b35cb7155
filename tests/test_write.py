"""Writing the site: atomic swap, never outside the output folder, never over someone else's files."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import OutputFile
from generator.write import MARKER, OutputError, check_output_dir, safe_relative, write

from conftest import write_files


def test_write_replaces_previous_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write([OutputFile("old.html", b"old")], out)
    write([OutputFile("index.html", b"new"), OutputFile("stories/a/index.html", b"a")], out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        MARKER, "index.html", "stories/a/index.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no staging folders left behind"


def test_failed_write_leaves_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write([OutputFile("index.html", b"v1")], out)
    with pytest.raises(ValueError):
        write([OutputFile("index.html", b"v2"), OutputFile("../escape.html", b"x")], out)
    assert (out / "index.html").read_bytes() == b"v1"
    assert not (tmp_path / "escape.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../b", "", "a//b", "a/./b", "nul\x00"])
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError):
        safe_relative(path)


def test_output_must_not_overlap_content(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for out in (content, content / "site", tmp_path):
        with pytest.raises(OutputError):
            check_output_dir(out, content)


def test_foreign_folder_needs_force(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "out", {"mine.txt": "keep"})
    with pytest.raises(OutputError):
        check_output_dir(folder, tmp_path / "content")
    check_output_dir(folder, tmp_path / "content", force=True)
    check_output_dir(tmp_path / "new", tmp_path / "content")
