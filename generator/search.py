"""The static full-text search index: Pagefind (https://pagefind.app) indexes the story pages and writes its files,
which the site serves as they are. The browser loads only the parts of the index a query needs; no server runs any
code.

Only the story pages are indexed (they mark their content with data-pagefind-body). Words are stemmed in the
language of the pages (<html lang>): German and English, among others. Without the pagefind package the site has no
index and the search page says so; everything else works as before.

Pagefind's command line indexes a folder of pages in one run, at about 8 ms of CPU per story page, nearly all of it
spent on the words it indexes (parsing the markup is about 3% of its instructions: handing it pages cut down to
what it reads would save less than the cutting costs). About a fifth of that CPU is its deflate compression of the
index and fragment files, a tenth copying memory, an eighth the kernel's (page faults, threads, files). A run takes
about 10 ms on its own; it parses the pages on two threads, then builds and writes the index on one, so two runs at
a time keep two cores busy (``bundles``). Its thread counts (TOKIO_WORKER_THREADS, RAYON_NUM_THREADS) and allocator
settings (_RJEM_MALLOC_CONF: decay, transparent huge pages) change its CPU time by no more than the noise, or make
it worse, so it runs with its defaults. How the pages are split into runs does not matter either (301 story pages
in one run, in two or in seven: 2.1 to 2.8 core-s). Placing the pages for it and reading its files back costs this
process under a tenth of what Pagefind spends; its files are then moved into the site, not written anew. A small
site has one index in ``pagefind/``. A large one has one index per month of its stories' first reports
(``pagefind/2025-03/``, newest first; ``undated`` last), which the search page merges: a new report changes the
index of its own period only, so a rebuild re-indexes that period and keeps the other indexes' files as they are. A
month of more than SHARD_PAGES story pages (a busy desk's current month) is split into quarters of the month
(``2025-03-q2``: days 8 to 14), and such a quarter into days (``2025-03-09``), so that re-indexing after one new
report stays short however the news is spread. Shards with the same pages give the same bytes.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from generator.model import MovableFile, OutputFile

log = logging.getLogger(__name__)
FOLDER = "pagefind/"
SHARD_FROM = 200  # story pages from which the index is split by month
SHARD_PAGES = 300  # story pages of a month (then of a quarter of it) beyond which it is split further
QUARTERS = ((1, 7), (8, 14), (15, 21), (22, 31))  # days of a month's quarters; the last one is longer
# The parts of Pagefind's bundle that our search.js uses: its API, the WebAssembly search, the index itself.
# Pagefind's ready-made interfaces (pagefind-ui.js, ...) and its playground are left out.
_KEEP = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.", "pagefind.", "index/", "fragment/",
         "filter/")
_DROP = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight", "playground/")


@functools.cache
def executable() -> Path | None:
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    return get_executable()


def available() -> bool:
    return executable() is not None


@functools.cache
def version() -> str:
    try:
        from generator.installed import version as installed_version
        return installed_version("pagefind") or "?"
    except Exception:
        return "?"


@dataclass(frozen=True, slots=True)
class Shard:
    """One index: its name ('' for the single index of a small site) and the story pages it covers."""

    name: str
    pages: tuple[str, ...]

    @property
    def folder(self) -> str:
        return FOLDER + (self.name + "/" if self.name else "")


def _day(when: datetime) -> tuple[int, int, int]:
    utc = when.astimezone(timezone.utc)
    return utc.year, utc.month, utc.day


def _periods(pages: Sequence[tuple[str, tuple[int, int, int]]]) -> list[tuple[tuple[int, ...], str, list[str]]]:
    """Dated pages as (start of the period, its name, its pages): a month, or a fuller month's quarters, or a
    fuller quarter's days."""
    months: dict[tuple[int, int], list[tuple[str, tuple[int, int, int]]]] = {}
    for path, day in pages:
        months.setdefault(day[:2], []).append((path, day))
    periods = []
    for (year, month), inside in months.items():
        name = f"{year:04d}-{month:02d}"
        if len(inside) <= SHARD_PAGES:
            periods.append(((year, month, 1), name, [p for p, _ in inside]))
            continue
        for number, (first, last) in enumerate(QUARTERS, 1):
            quarter = [(p, d) for p, d in inside if first <= d[2] <= last]
            if len(quarter) <= SHARD_PAGES:
                if quarter:
                    periods.append(((year, month, first), f"{name}-q{number}", [p for p, _ in quarter]))
                continue
            days: dict[int, list[str]] = {}
            for path, day in quarter:
                days.setdefault(day[2], []).append(path)
            periods += [((year, month, d), f"{name}-{d:02d}", paths) for d, paths in days.items()]
    return periods


def shards(pages: Sequence[tuple[str, datetime | None]]) -> tuple[Shard, ...]:
    """The indexes of the story pages given as (path, the story's first report): one, or one per period (month,
    quarter of a month or day, see above), newest first, the undated last."""
    if not pages:
        return ()
    if len(pages) < SHARD_FROM:
        return (Shard("", tuple(sorted(p for p, _ in pages))),)
    periods = _periods([(path, _day(when)) for path, when in pages if when is not None])
    ordered = [Shard(name, tuple(sorted(paths))) for _, name, paths in sorted(periods, reverse=True)]
    undated = sorted(path for path, when in pages if when is None)
    return tuple(ordered + ([Shard("undated", tuple(undated))] if undated else []))


def shard_key(shard: Shard, page_keys: dict[str, str]) -> str:
    """What a shard's files depend on: Pagefind's version, its folder, and its pages' paths and contents."""
    digest = hashlib.sha256(f"pagefind {version()}\n{shard.folder}\n".encode("utf-8"))
    for path in shard.pages:
        digest.update(f"{path}\0{page_keys[path]}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _wanted(path: str) -> bool:
    return path.startswith(_KEEP) and not path.startswith(_DROP)


def _place(source: bytes | Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, bytes):
        target.write_bytes(source)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _movable(jobs: Sequence[tuple[Shard, dict[str, bytes | Path]]], work: Path | None) -> str | None:
    """A glob of exactly the pages where Pagefind can be given their own folders, moved into its site for its run
    and back: every page a file of ``work`` at its own path, alone in a folder of its own, all of one name at one
    depth (a story's folder holds its page and its feeds). Else None: the pages are linked into its site, each in a
    new folder, which costs little CPU but, on some disks, seconds of waiting to remove the folders again."""
    if work is None:
        return None
    folders, names, depths = set(), set(), set()
    count = 0
    for _, pages in jobs:
        for path, source in pages.items():
            parts = path.split("/")
            if not isinstance(source, Path) or len(parts) < 2 or source != work.joinpath(*parts):
                return None
            folders.add(path.rpartition("/")[0])
            names.add(parts[-1])
            depths.add(len(parts))
            count += 1
    if len(folders) != count or len(names) != 1 or len(depths) != 1:
        return None
    name = names.pop()
    if not re.fullmatch(r"[\w.-]+", name, re.ASCII):  # no character that means something in a glob
        return None
    return "*/" * (depths.pop() - 1) + name


@contextlib.contextmanager
def _moved(folders: Sequence[str], work: Path, site: Path) -> Iterator[None]:
    """``folders`` of ``work`` moved into ``site`` while the context lasts, then back."""
    moved: list[tuple[Path, Path]] = []
    made: set[Path] = set()
    try:
        for folder in folders:
            source, target = work.joinpath(*folder.split("/")), site.joinpath(*folder.split("/"))
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.rename(source, target)
            moved.append((source, target))
        yield
    finally:  # every folder goes back that can, even where one cannot
        failed: OSError | None = None
        for source, target in reversed(moved):
            try:
                os.rename(target, source)
            except OSError as error:
                failed = failed or error
        if failed is not None:
            raise failed


def _remove(folder: str) -> None:
    shutil.rmtree(folder)


def bundle(shard: Shard, page: dict[str, bytes | Path], work: Path | None = None,
           glob: str | None = None) -> list[OutputFile]:
    """Pagefind's files for ``shard``, whose pages are given as bytes or as files; ``work`` is a folder for
    temporary files (on the same file system as the page files, so that they can be linked); ``glob``: the pages'
    folders are moved (see ``_movable``) and this glob finds the pages in them."""
    files, tmp = _run(shard, page, work, glob)
    if tmp is not None:
        _remove(tmp)
    return [OutputFile(f.path, f.content) for f in files]


def _run(shard: Shard, page: dict[str, bytes | Path], work: Path | None,
         glob: str | None) -> tuple[list[OutputFile], str | None]:
    """``bundle``, leaving its temporary folder (returned; None where Pagefind did not run) for the caller to
    remove. Where that is in ``work`` (the new site's file system), the files are MovableFiles: the caller can move
    them into the site while the folder is there."""
    binary = executable()
    if binary is None or not shard.pages:
        return [], None
    tmp = tempfile.mkdtemp(prefix=".pagefind-", dir=work)
    try:
        site, out = Path(tmp) / "site", Path(tmp) / "out"
        command = [str(binary), "--site", str(site), "--output-path", str(out), "--keep-index-url", "--silent"]
        placed: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        if glob is not None and work is not None:
            placed = _moved([p.rpartition("/")[0] for p in shard.pages], work, site)
            command += ["--glob", glob]
        else:
            for path in shard.pages:
                _place(page[path], site.joinpath(*path.split("/")))
        with placed:
            result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"pagefind failed ({result.returncode}): {(result.stderr or result.stdout)[-500:]}")
        files: list[OutputFile] = []
        for file in sorted(out.rglob("*")):
            rel = file.relative_to(out).as_posix()
            if file.is_file() and _wanted(rel):
                path, content = shard.folder + rel, file.read_bytes()
                files.append(MovableFile(path, content, str(file)) if work is not None else OutputFile(path, content))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return files, tmp


def bundles(jobs: Sequence[tuple[Shard, dict[str, bytes | Path]]], work: Path | None = None,
            parallel: int = 1) -> Iterator[list[OutputFile]]:
    """``bundle`` of each job, ``parallel`` Pagefind runs at a time; in the order of ``jobs``, each as soon as it
    and those before it are made (so that the caller can write them away: a large site's index is hundreds of MB).
    With ``work``, the files are MovableFiles: a run's temporary folder stays until the caller asks for the next
    bundle (or closes this), so that the caller can move the files into the site; it is removed on the side from
    then on, and every folder is gone when this ends. A folder that cannot be removed is an error (else it would
    go live with the staging folder), unless another error is being reported."""
    glob = _movable(jobs, work)
    pool = ThreadPoolExecutor(max_workers=parallel) if parallel > 1 and len(jobs) > 1 else None
    runs = [pool.submit(_run, shard, pages, work, glob) for shard, pages in jobs] if pool else []
    given = 0
    with _Cleaner() as remove:
        try:
            for shard, pages in jobs:
                files, tmp = runs[given].result() if runs else _run(shard, pages, work, glob)
                given += 1
                try:
                    yield files
                finally:
                    remove(tmp)
        finally:
            if pool is not None:  # on a failure or a caller that stops early: the runs not yet started are not
                pool.shutdown(wait=True, cancel_futures=True)
                _drop_unclaimed(runs[given:], remove)


def _drop_unclaimed(runs: Sequence[Future[tuple[list[OutputFile], str | None]]],
                    remove: Callable[[str | None], None]) -> None:
    """The temporary folders of runs made ahead whose files nobody asked for, removed (runs that were cancelled
    or failed have none: a failed run removes its own)."""
    for run in runs:
        if not run.cancelled() and run.exception() is None:
            remove(run.result()[1])


class _Cleaner:
    """Removes folders on a thread of its own (removing thousands of files can wait seconds on the disk, while
    Pagefind runs); on leaving, waits for every removal and raises the first that failed, unless the block ends
    with an error of its own (that one is reported). Closing the generator that uses it (GeneratorExit) is no
    error."""

    def __enter__(self) -> Callable[[str | None], None]:
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._removals: list[Future[None]] = []
        return self._remove

    def _remove(self, folder: str | None) -> None:
        if folder is not None:
            self._removals.append(self._pool.submit(_remove, folder))

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._pool.shutdown(wait=True)
        if kind is None or issubclass(kind, GeneratorExit):
            for removal in self._removals:
                removal.result()
