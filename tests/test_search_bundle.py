"""Pagefind is given the story pages' own folders (moved into its site for its run, then back) where it can be:
the same index as from pages linked into new folders, and the site as it was."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from generator import search
from generator.model import MovableFile

PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main data-pagefind-body><h1>{title}</h1><p>{text}</p></main></body></html>"""


def _site(root: Path) -> dict[str, Path]:
    """Story folders as a build leaves them (a page and its feeds), plus a page that is no story's."""
    pages = {}
    for n, (title, text) in enumerate([("Seehund im Watt", "Ein Seehund liegt auf der Sandbank."),
                                       ("Krabbenkutter", "Der Kutter bringt Krabben in den Hafen."),
                                       ("Gezeiten", "Ebbe und Flut wechseln zweimal am Tag.")]):
        folder = root / "stories" / f"story-{n}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(PAGE.format(title=title, text=text), encoding="utf-8")
        (folder / "atom.xml").write_text("<feed/>", encoding="utf-8")
        pages[f"stories/story-{n}/index.html"] = folder / "index.html"
    (root / "index.html").write_text(PAGE.format(title="Front", text="Nicht im Index."), encoding="utf-8")
    return pages


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) below ``root``."""
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None for p in root.rglob("*")}


def _digest(files: list) -> str:
    return hashlib.sha256(b"".join(f.path.encode() + b"\0" + f.content for f in files)).hexdigest()


@pytest.mark.parametrize("parallel", [1, 2])
def test_moved_folders_give_the_index_of_linked_pages_and_come_back(tmp_path: Path, parallel: int) -> None:
    if not search.available():
        pytest.skip("pagefind is not installed")
    work = tmp_path / "site"
    pages = _site(work)
    before = _tree(work)
    shards = (search.Shard("a", tuple(sorted(pages)[:2])), search.Shard("b", tuple(sorted(pages)[2:])))
    jobs = [(shard, {p: pages[p] for p in shard.pages}) for shard in shards]
    assert search._movable(jobs, work) == "*/*/index.html"
    moved = list(search.bundles(jobs, work, parallel))
    assert _tree(work) == before  # every folder back, nothing left behind
    linked = [search.bundle(shard, {p: pages[p].read_bytes() for p in shard.pages}, tmp_path) for shard in shards]
    assert [_digest(files) for files in moved] == [_digest(files) for files in linked]
    assert sum(f.path.startswith("pagefind/a/fragment/") for f in moved[0]) == 2  # its two pages, not the front page


def test_pages_that_do_not_have_folders_of_their_own_are_linked(tmp_path: Path) -> None:
    work = tmp_path / "site"
    pages = _site(work)
    paths = sorted(pages)
    shard = search.Shard("", tuple(paths))
    assert search._movable([(shard, {p: pages[p].read_bytes() for p in paths})], work) is None  # given as bytes
    assert search._movable([(shard, pages)], tmp_path) is None  # not files of the work folder
    (work / "stories" / "story-0" / "print.html").write_text("<html></html>", encoding="utf-8")
    two = search.Shard("", (paths[0], "stories/story-0/print.html"))
    assert search._movable([(two, {p: work / p for p in two.pages})], work) is None  # one folder, two pages
    flat = search.Shard("", ("index.html",))
    assert search._movable([(flat, {"index.html": work / "index.html"})], work) is None  # the site's own folder


def _three_shards(tmp_path: Path) -> tuple[Path, dict[str, bytes | None], list]:
    """The site's folder, its tree as it is, and three jobs of one story page each (shards "a", "b", "c");
    skips where Pagefind is not installed."""
    if not search.available():
        pytest.skip("pagefind is not installed")
    work = tmp_path / "site"
    pages = _site(work)
    shards = [search.Shard(name, (path,)) for name, path in zip("abc", sorted(pages))]
    return work, _tree(work), [(shard, {p: pages[p] for p in shard.pages}) for shard in shards]


@pytest.mark.parametrize("parallel", [1, 2])
def test_bundles_files_can_be_moved_while_the_caller_has_them_and_no_folder_is_left(tmp_path: Path,
                                                                                   parallel: int) -> None:
    """Each bundle's files are files of a temporary folder (MovableFile.source) while the caller has that bundle:
    it can move them into the site. When the caller stops early, every folder is gone, also those of runs made
    ahead (in parallel)."""
    work, before, jobs = _three_shards(tmp_path)
    made = search.bundles(jobs, work, parallel)
    first = next(made)
    assert first and all(isinstance(f, MovableFile) and Path(f.source).read_bytes() == f.content for f in first)
    moved = tmp_path / "moved"
    moved.mkdir()
    os.replace(first[0].source, moved / "one")
    second = next(made)
    assert all(Path(f.source).exists() for f in second)
    made.close()  # stops early
    assert _tree(work) == before
    assert (moved / "one").read_bytes() == first[0].content


@pytest.mark.parametrize("parallel", [1, 2])
def test_a_failed_run_is_reported_and_leaves_no_folder(tmp_path: Path, parallel: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind failing for one shard of three: its error reaches the caller as it was, after the bundle before
    it; the pages are back and no temporary folder is left, whichever runs were made ahead."""
    work, before, jobs = _three_shards(tmp_path)
    real = search._run

    def failing(shard, *args):  # type: ignore[no-untyped-def]
        if shard.name == "b":
            raise RuntimeError("pagefind failed (1): b")
        return real(shard, *args)

    monkeypatch.setattr(search, "_run", failing)
    made = search.bundles(jobs, work, parallel)
    assert next(made)
    with pytest.raises(RuntimeError, match="pagefind failed"):
        next(made)
    assert _tree(work) == before


def test_a_folder_that_cannot_be_removed_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary folder left in the staging folder would go live with it: a removal that fails is reported, also
    where the caller closes the bundles early (as the build does after the last one it needs)."""
    if not search.available():
        pytest.skip("pagefind is not installed")
    work = tmp_path / "site"
    pages = _site(work)
    jobs = [(search.Shard("a", tuple(sorted(pages))), dict(pages))]

    def refuse(folder: str) -> None:
        raise PermissionError(f"cannot remove {folder}")

    monkeypatch.setattr(search, "_remove", refuse)
    made = search.bundles(jobs, work, 1)
    assert next(made)
    with pytest.raises(PermissionError):
        made.close()
