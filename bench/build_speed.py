#!/usr/bin/env python3
"""Full and one-article-added build times of newsdigest beside Hugo and Pelican on the same articles.

    python bench/build_speed.py [--sizes 1000,10000] [--runs 3] [--with-100k] [--no-peers]

For each size it makes a corpus of 400-600-word Markdown articles with bench/corpus.py, then times (median of
--runs) a full build (no cache), and a rebuild after one article is added (a new story, as the issue measures it;
for newsdigest also one more report of an existing story), for newsdigest and, on the very same articles, Hugo
(Debian package, installed by this script with apt-get when missing) and Pelican (pip, installed into
bench/out/pelican-venv). It prints the issue's table (seconds and peak memory), then per size: per-stage seconds
of newsdigest (medians), articles per second, files written (and, after one added, files changed), and our time
as a ratio to each peer's. Peak memory is that of the whole process tree (our worker processes and Pagefind
included): the sum of the processes' proportional set sizes (each address space once), sampled every half
second, and at least the peak RSS of the largest process. --with-100k adds a run at 100,000 articles (newsdigest
only unless --peers-at-100k).

Timings are wall-clock medians on this machine as it is: other processes on its cores make them slower.

Every full build, ours and the peers', starts from nothing: no cache and an empty output folder that has never
held anything. The output of the run before is not deleted but moved aside (``Trash``: one rename) and deleted
after the last timed run. On a file system like this machine's (ext4 without a journal), creating a file skips
every inode deleted in the last five to ten minutes, one by one (the kernel's ``recently_deleted``): after the
previous site's ~17,000 files were deleted, the same build spent up to 8 s more of system time on creating its
files (``perf``: ``find_get_block_common`` under ``recently_deleted``). Deleting each tool's output just before its
own run charged that to whichever tool runs after a deletion, which was newsdigest (Pelican rebuilt in place).
For the same reason, two runs of this script should be ten minutes apart: the first deletes its trash at its end.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PYTHON = sys.executable
HUGO_LAYOUT = {
    "layouts/_default/baseof.html": "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>"
                                    "{{ block \"main\" . }}{{ end }}</body></html>",
    "layouts/_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><time>{{ .Date }}</time>"
                                    "{{ .Content }}{{ end }}",
    "layouts/_default/list.html": "{{ define \"main\" }}{{ range .Paginator.Pages }}<h2><a href=\"{{ .RelPermalink }}\">"
                                  "{{ .Title }}</a></h2>{{ end }}{{ end }}",
    "layouts/index.html": "{{ define \"main\" }}{{ range (.Paginate .Site.RegularPages).Pages }}"
                          "<h2><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h2>{{ end }}{{ end }}",
}
HUGO_CONFIG = ('baseURL = "https://example.org/"\ntitle = "bench"\npaginate = 10\n'
               'disableKinds = ["taxonomy", "term"]\n[outputs]\nhome = ["HTML", "RSS"]\n')
PELICAN_CONFIG = ('SITENAME = "bench"\nSITEURL = ""\nTIMEZONE = "UTC"\nDEFAULT_PAGINATION = 10\n'
                  'FEED_ALL_RSS = "feed.xml"\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n'
                  'AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\nFEED_ALL_ATOM = None\n'
                  'SLUGIFY_SOURCE = "basename"\n'
                  'LOAD_CONTENT_CACHE = True\nCACHE_CONTENT = True\nCONTENT_CACHING_LAYER = "reader"\n')


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_mb: float  # the whole process tree's peak memory (see Tree)
    stages: dict[str, float] = field(default_factory=dict)  # newsdigest only: seconds per stage
    largest_mb: float = 0.0  # the peak RSS of its largest single process (ru_maxrss)


INTERVAL = 0.5  # seconds between two samples of the memory of a process tree


class Tree(threading.Thread):
    """Samples the memory of a process and all its descendants every half second: the sum of their proportional
    set sizes (PSS: a page shared by forked workers counts once in all, not once per process). Keeps the peak.
    (Reading PSS makes the kernel walk the processes' page tables: sampled every 50 ms, that took a quarter of a
    core and slowed the build it measured.)

    An address space counts once. A child started with vfork (as CPython's subprocess starts Pagefind) runs in its
    parent's address space until it execs, so its PSS is its parent's: sampled in that moment, it would count the
    parent's memory twice. The kernel says whether two processes share one (kcmp, KCMP_VM); where it cannot
    (another platform, no permission), every process counts."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.done = pid, 0, threading.Event()

    def _children(self, pid: int) -> list[int]:
        found = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    found += [int(c) for c in handle.read().split()]
        except OSError:
            pass
        return found

    def _pss_kb(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self) -> None:
        while not self.done.wait(INTERVAL):
            pending, total = [(self.pid, 0)], 0
            while pending:
                pid, parent = pending.pop()
                if not (parent and same_address_space(parent, pid)):
                    total += self._pss_kb(pid)
                pending += [(child, pid) for child in self._children(pid)]
            self.peak_kb = max(self.peak_kb, total)


_KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine())  # the kcmp system call's number
_KCMP_VM = 1


def same_address_space(pid: int, other: int) -> bool:
    """Whether the two processes share one address space (kcmp(2)); False where the kernel cannot tell."""
    if _KCMP is None or not sys.platform.startswith("linux"):
        return False
    return _libc().syscall(_KCMP, pid, other, _KCMP_VM, 0, 0) == 0


@functools.cache
def _libc():
    import ctypes
    return ctypes.CDLL(None, use_errno=True)


def timed(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run ``cmd``; wall seconds, the peak memory of its whole process tree (Tree; where /proc cannot tell, the
    peak RSS of its largest process) and the stages where it prints them as bench/stages.py does. What earlier runs
    left unwritten is written to disk first (untimed), so that no run pays for the one before it."""
    os.sync()
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=errors)
        tree = Tree(proc.pid)
        tree.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        tree.done.set()
        tree.join()
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"failed: {' '.join(cmd)}\n{errors.read().decode(errors='replace')[-2000:]}")
        out.seek(0)
        text = out.read().decode("utf-8", "replace").strip()
    stages = {}
    if text.startswith("{"):
        stages = json.loads(text.splitlines()[-1])["seconds"]
    largest = usage.ru_maxrss / 1024
    return Run(seconds, max(tree.peak_kb / 1024, largest), stages, largest)


def median(runs: list[Run]) -> Run:
    names = dict.fromkeys(k for r in runs for k in r.stages)
    stages = {k: statistics.median(r.stages.get(k, 0.0) for r in runs) for k in names}
    return Run(statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs), stages,
               max(r.largest_mb for r in runs))


class Trash:
    """Folders moved aside (a rename, no file deleted) instead of deleted during the timed runs; ``empty`` deletes
    them all after the last one (see the module's docstring: deletions slow the file creations of the minutes
    after them on some file systems)."""

    def __init__(self, root: Path):
        self.root = root

    def away(self, folder: Path) -> None:
        """``folder`` (where it exists) moved into the trash: the path is free, no inode is freed."""
        if folder.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            folder.rename(Path(tempfile.mkdtemp(prefix=folder.name + "-", dir=self.root)) / folder.name)

    def empty(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


TRASH = Trash(OUT / "trash")


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def corpus(size: int) -> Path:
    folder = OUT / f"corpus-md-{size}"
    if not folder.is_dir():
        subprocess.run([PYTHON, str(HERE / "corpus.py"), "--articles", str(size), "--out", str(folder)], check=True)
    return folder


def _front(text: str) -> tuple[dict[str, str], str]:
    head, body = text.split("\n---\n", 1)
    meta = {}
    for line in head.splitlines()[1:]:
        key, value = line.split(": ", 1)
        meta[key] = json.loads(value)
    return meta, body


def peer_content(source: Path, target: Path, style: str) -> None:
    """The corpus in a peer's own front-matter dialect (Hugo: YAML 'date'; Pelican: 'Title:'/'Date:' lines)."""
    if target.exists():
        shutil.rmtree(target)
    for path in sorted(source.rglob("*.md")):
        meta, body = _front(path.read_text(encoding="utf-8"))
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if style == "hugo":
            head = f"---\ntitle: {json.dumps(meta['title'], ensure_ascii=False)}\ndate: {meta['published']}\n---\n"
        else:
            date = meta["published"][:16].replace("T", " ")
            head = f"Title: {meta['title']}\nDate: {date}\nCategory: news\n\n"
        dest.write_text(head + body, encoding="utf-8")


def add_one(folder: Path, style: str) -> Path:
    """Write one new article into ``folder`` (in the given dialect); returns its path."""
    body = " ".join(["Ein neuer Bericht über ein neues Ereignis mit eigenen Worten und Namen."] * 40)
    head = {"ours": '---\ntitle: "Neuer Bericht"\npublished: "2030-01-01T10:00:00+00:00"\nlanguage: "de"\n---\n',
            "hugo": '---\ntitle: "Neuer Bericht"\ndate: 2030-01-01T10:00:00+00:00\n---\n',
            "pelican": "Title: Neuer Bericht\nDate: 2030-01-01 10:00\nCategory: news\n\n"}[style]
    path = folder / "zzz-added.md"
    path.write_text(head + body + "\n", encoding="utf-8")
    return path


def ensure_hugo() -> str | None:
    if not shutil.which("hugo"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    return shutil.which("hugo")


def ensure_pelican() -> Path | None:
    venv = OUT / "pelican-venv"
    pelican = venv / "bin" / "pelican"
    if not pelican.exists():
        subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pelican", "markdown"], check=False)
    return pelican if pelican.exists() else None


@dataclass(frozen=True, slots=True)
class Result:
    """One generator at one size: a full build, one article added (a new story), files written."""

    full: Run
    added: Run
    files: int
    changed: int = -1  # files whose inode or mtime changed after one added (newsdigest only)
    joined: Run | None = None  # newsdigest: one more report of an existing story


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            info = os.stat(os.path.join(dirpath, name))
            out[os.path.join(dirpath, name)] = (info.st_ino, info.st_mtime_ns)
    return out


def join_one(folder: Path) -> Path:
    """One more report of an existing story: an article of the corpus with another title, an hour later."""
    source = sorted(folder.rglob("*.md"))[len(list(folder.rglob("*.md"))) // 2]
    meta, body = _front(source.read_text(encoding="utf-8"))
    meta["title"] = "Neu: " + meta["title"]
    published = meta["published"]
    meta["published"] = published[:11] + f"{(int(published[11:13]) + 1) % 24:02d}" + published[13:]
    meta["url"] = meta.get("url", "https://example.org/x") + "-joined"
    path = folder / "zzz-joined.md"
    path.write_text("---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items())
                    + "---\n" + body, encoding="utf-8")
    return path


def compiled() -> None:
    """newsdigest's modules compiled to bytecode, as Python caches them at their first import (and pip when it
    installs): where the environment says not to write bytecode (PYTHONDONTWRITEBYTECODE, as on the machine the
    issue was measured on), every timed run would compile them again (~0.1 s), which no user's second build does."""
    subprocess.run([PYTHON, "-c", "import compileall, pathlib, generator; "
                    "compileall.compile_dir(pathlib.Path(generator.__file__).parent, quiet=1)"], check=True)


def bench_ours(content: Path, runs: int) -> Result:
    """Full builds without the cache; then, from a cached build of the corpus each time, one article added."""
    site = OUT / "site-ours" / "site"
    cmd = [PYTHON, str(HERE / "stages.py"), str(content), str(site)]
    compiled()

    def clean() -> Run:  # no site, no cache: everything from scratch
        TRASH.away(site.parent)
        return timed(cmd + ["--no-cache"])
    full = median([clean() for _ in range(runs)])
    files = count_files(site)

    def after_adding(add) -> tuple[Run, int]:  # type: ignore[no-untyped-def]
        found, changed = [], 0
        for _ in range(runs):
            timed(cmd)  # the cache and the site as they are for the corpus itself
            before = snapshot(site)
            added = add(content)
            try:
                found.append(timed(cmd))
                after = snapshot(site)
                changed = sum(1 for p, v in after.items() if before.get(p) != v)
            finally:
                added.unlink()
        timed(cmd)
        return median(found), changed

    added, changed = after_adding(lambda folder: add_one(folder, "ours"))
    joined, _ = after_adding(join_one)
    return Result(full, added, files, changed, joined)


def bench_hugo(hugo: str, content: Path, runs: int) -> Result:
    root = OUT / "hugo-site"
    TRASH.away(root)
    for name, text in HUGO_LAYOUT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    peer_content(content, root / "content" / "posts", "hugo")
    cmd = [hugo, "--quiet", "--source", str(root), "--destination", str(root / "public"), "--cleanDestinationDir"]

    def clean() -> Run:  # an empty output folder, as newsdigest's full builds have (Hugo's caches are unused here)
        TRASH.away(root / "public")
        return timed(cmd)
    full = median([clean() for _ in range(runs)])
    files = count_files(root / "public")
    add_one(root / "content" / "posts", "hugo")
    return Result(full, median([timed(cmd) for _ in range(runs)]), files)


def bench_pelican(pelican: Path, content: Path, runs: int) -> Result:
    root = OUT / "pelican-site"
    TRASH.away(root)
    root.mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    peer_content(content, root / "content", "pelican")
    cmd = [str(pelican), str(root / "content"), "-o", str(root / "output"), "-s", str(root / "pelicanconf.py"),
           "-q", "--cache-path", str(root / "cache")]

    def clean() -> Run:  # an empty output folder and no cache, as newsdigest's full builds have
        TRASH.away(root / "output")
        TRASH.away(root / "cache")
        return timed([*cmd, "--ignore-cache"])
    full = median([clean() for _ in range(runs)])
    files = count_files(root / "output")
    timed(cmd)  # fill the content cache
    add_one(root / "content", "pelican")
    return Result(full, median([timed(cmd) for _ in range(runs)]), files)


def cell(run: Run | None) -> str:
    return "not run" if run is None else f"{run.seconds:.1f} s, {_mb(run.peak_mb)}"


def _mb(mb: float) -> str:
    return f"{mb / 1024:.2f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def table(results: dict[str, dict[int, Result]], sizes: list[int]) -> str:
    """The issue's table: full builds at each size, and one article added to the largest (not 100,000)."""
    base = max(s for s in sizes if s < 100_000) if any(s < 100_000 for s in sizes) else max(sizes)
    head = [f"{s:,} articles" for s in sizes] + [f"one article added to {base:,}"]
    lines = ["| | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for name, by_size in results.items():
        cells = [cell(by_size[s].full if s in by_size else None) for s in sizes]
        cells.append(cell(by_size[base].added) if base in by_size else "not run")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(name: str, size: int, result: Result, ours: Result | None) -> list[str]:
    full = result.full
    lines = [f"{name:10} {size:>7,}: full {full.seconds:7.2f} s {_mb(full.peak_mb):>8} (largest process "
             f"{_mb(full.largest_mb)})  {size / full.seconds:7.0f} "
             f"articles/s  {result.files:>7,} files;  one added {result.added.seconds:6.2f} s"
             + (f" ({result.changed:,} files changed)" if result.changed >= 0 else "")
             + (f";  one report joining a story {result.joined.seconds:.2f} s" if result.joined else "")]
    for label, run in (("full", full), ("one added", result.added), ("joined", result.joined)):
        if run is not None and run.stages:
            lines.append(f"{'':12}stages ({label}): " + "  ".join(f"{k} {v:.2f}" for k, v in run.stages.items()))
    if ours is not None:
        lines.append(f"{'':12}ratio newsdigest/{name}: full {ours.full.seconds / full.seconds:.2f}  "
                     f"one added {ours.added.seconds / result.added.seconds:.2f}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--with-100k", action="store_true", help="also 100,000 articles (takes long)")
    ap.add_argument("--peers-at-100k", action="store_true", help="run Hugo and Pelican at 100,000 too")
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")] + ([100_000] if args.with_100k else [])
    hugo = None if args.no_peers else ensure_hugo()
    pelican = None if args.no_peers else ensure_pelican()
    results: dict[str, dict[int, Result]] = {"Hugo": {}, "Pelican": {}, "newsdigest": {}}
    try:  # (what an interrupted run left in the trash goes with this run's, after it: deleted now, it would slow it)
        measure(sizes, args, hugo, pelican, results)
    finally:
        TRASH.empty()
    print()
    print(f"median of {args.runs} runs; peak memory is the whole process tree's (sum of PSS, each address space "
          "once, sampled every 0.5 s), at least the largest process's peak RSS")
    print(table({k: v for k, v in results.items() if v}, sizes))
    return 0


def measure(sizes: list[int], args: argparse.Namespace, hugo: str | None, pelican: Path | None,
            results: dict[str, dict[int, Result]]) -> None:
    for size in sizes:
        content = corpus(size)
        ours = results["newsdigest"][size] = bench_ours(content, args.runs)
        for line in details("newsdigest", size, ours, None):
            print(line, flush=True)
        for name, runner, bench in (("Hugo", hugo, bench_hugo), ("Pelican", pelican, bench_pelican)):
            if runner is None or (size >= 100_000 and not args.peers_at_100k):
                continue
            peer = results[name][size] = bench(runner, content, args.runs)  # type: ignore[operator]
            for line in details(name, size, peer, ours):
                print(line, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
