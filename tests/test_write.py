"""Writing the site: atomic swap, never outside the output folder, never over someone else's files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.model import MovableFile, OutputFile
from generator.write import MARKER, MARKER_TEXT, OutputError, Staging, check_output_dir, safe_relative, write

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


def _inodes(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _write(output: Path, reuse: Path, files: dict[str, bytes], keep: tuple[str, ...] = ()) -> None:
    with Staging(output, reuse=reuse) as stage:
        for path, content in files.items():
            stage.put(OutputFile(path, content))
        for path in keep:
            stage.keep(path)
        stage.commit()


def test_unchanged_files_keep_their_inode_and_the_staging_folder_is_reused(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "cache" / "site"
    _write(out, reuse, {"a.html": b"a", "b/c.html": b"c", "old.html": b"old", "d/e/f.html": b"f"})
    first = _inodes(out)
    _write(out, reuse, {"a.html": b"a", "b/c.html": b"C", "new/x.html": b"x"}, keep=("d/e/f.html",))
    second = _inodes(out)
    assert sorted(second) == [MARKER, "a.html", "b/c.html", "d/e/f.html", "new/x.html"]
    assert second["a.html"] == first["a.html"] and second["d/e/f.html"] == first["d/e/f.html"]
    assert second["b/c.html"][1] == b"C" and second["b/c.html"][0] != first["b/c.html"][0]
    assert _inodes(reuse) == first, "the replaced site is kept for the next build, as it was"
    _write(out, reuse, {"a.html": b"A", "b/c.html": b"C"}, keep=("d/e/f.html",))
    third = _inodes(out)
    assert sorted(third) == [MARKER, "a.html", "b/c.html", "d/e/f.html"]
    assert third["b/c.html"] == second["b/c.html"] and third["a.html"][1] == b"A"
    assert _inodes(reuse) == second, "changing the staging folder never changed the live site"
    assert not (out / "new").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]


def test_a_reused_staging_folder_with_junk_in_it_still_gives_exactly_the_new_site(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "cache" / "site"
    _write(out, reuse, {"a.html": b"a"})
    _write(out, reuse, {"a.html": b"a"})
    (reuse / "junk").mkdir()
    (reuse / "junk" / "x.tmp").write_bytes(b"half")
    (reuse / "b").write_bytes(b"a file where a folder must be")
    (reuse / "a.html").unlink()
    (reuse / "a.html").symlink_to("/etc/hostname")
    _write(out, reuse, {"a.html": b"a", "b/c.html": b"c"})
    assert {p: c for p, (_, c) in _inodes(out).items()} == {MARKER: MARKER_TEXT.encode(), "a.html": b"a",
                                                             "b/c.html": b"c"}
    assert not (out / "a.html").is_symlink()


def test_a_reused_staging_folder_is_listed_once_and_still_checked_file_by_file(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "cache" / "site"
    files = {"a.html": b"a", "b/c.html": b"c", "d/e/f.html": b"f"}
    written = {}
    for _ in range(2):
        with Staging(out, reuse=reuse) as stage:
            for path, content in files.items():
                stage.put(OutputFile(path, content))
            stage.commit()
            written = stage.written
    (reuse / "b" / "c.html").unlink()
    (reuse / "b" / "c.html").write_bytes(b"c")  # the same bytes, another file: not the one the site has
    (reuse / "d" / "e" / "f.html").unlink()
    (reuse / "empty" / "deeper").mkdir(parents=True)
    (reuse / "x" / "y").mkdir(parents=True)
    (reuse / "x" / "y" / "z.tmp").write_bytes(b"junk")
    with Staging(out, reuse=reuse) as stage:
        unchanged = stage.unchanged(written)
        for path in files:
            assert unchanged(path)
            stage.keep(path)
        stage.commit()
    site = _inodes(out)
    assert {p: c for p, (_, c) in site.items()} == {MARKER: MARKER_TEXT.encode(), **files}
    assert all(site[p][0] == (reuse / p).stat().st_ino for p in files), "each kept file is the very one"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()) == ["b", "d", "d/e"]


def test_pruning_a_reused_staging_folder_removes_only_the_files_it_listed(tmp_path: Path) -> None:
    """Files gone from the new site are removed, a file that became a folder is pruned as a folder, and a file
    that is no longer the one listed (on a case-insensitive file system, a new file of this build shown under an
    old name) is left alone."""
    from generator.write import _Listing
    root = tmp_path / "stage"
    for path in ("gone.html", "Story.html", "turned", "kept/a.html"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(b"old")
    listing = _Listing.of(root, root.stat().st_dev)
    fresh = tmp_path / "fresh"
    fresh.write_bytes(b"new")
    os.replace(fresh, root / "Story.html")  # what the build wrote, as a file system that folds case shows it
    (root / "turned").unlink()
    (root / "turned").mkdir()
    (root / "turned" / "index.html").write_bytes(b"new")
    (root / "turned" / "stale.html").write_bytes(b"junk")
    listing.prune(root, {"kept/a.html", "turned/index.html"})
    left = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert left == ["Story.html", "kept/a.html", "turned/index.html"]
    assert (root / "Story.html").read_bytes() == b"new"


def test_a_movable_file_is_moved_into_the_site_and_never_changes_the_live_one(tmp_path: Path) -> None:
    """A tool's file (MovableFile) is moved into place, not written into a new file; where the live site has its
    bytes already it is linked from there as any file; in a reused folder the move replaces a link to the live
    site's file, which stays as it was; a source that is gone means the bytes are written."""
    out, reuse, tool = tmp_path / "site", tmp_path / "cache" / "site", tmp_path / "cache" / "tool"
    tool.mkdir(parents=True)

    def made(name: str, content: bytes) -> str:
        (tool / name).write_bytes(content)
        return str(tool / name)

    for _ in range(2):  # the second build reuses the first one's folder: its files are links to the live site's
        _write(out, reuse, {"a.html": b"a", "b/c.html": b"c", "d.html": b"d"})
    live = _inodes(out)
    source = made("c", b"C")
    inode = os.stat(source).st_ino
    same = made("a", b"a")
    gone = str(tool / "gone")
    with Staging(out, reuse=reuse) as stage:
        stage.put(MovableFile("b/c.html", b"C", source))
        stage.put(MovableFile("a.html", b"a", same))
        stage.put(MovableFile("d.html", b"D", gone))
        stage.commit()
    site = _inodes(out)
    assert site["b/c.html"] == (inode, b"C") and not os.path.exists(source), "moved, not written"
    assert site["a.html"] == live["a.html"] and os.path.exists(same), "the same bytes: the live file, linked"
    assert site["d.html"][1] == b"D"
    assert _inodes(reuse) == live, "moving into the staging folder never changed the live site"


def test_a_movable_file_into_a_new_staging_folder(tmp_path: Path) -> None:
    out, tool = tmp_path / "site", tmp_path / "tool"
    tool.mkdir()
    (tool / "x").write_bytes(b"x")
    inode = (tool / "x").stat().st_ino
    write([MovableFile("p/x.bin", b"x", str(tool / "x"))], out)
    assert _inodes(out)["p/x.bin"] == (inode, b"x") and not (tool / "x").exists()
