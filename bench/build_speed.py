#!/usr/bin/env python3
"""Full and one-article-added build times of newsdigest beside Hugo and Pelican on the same articles.

    python bench/build_speed.py [--sizes 1000,10000] [--runs 3] [--no-peers]

For each size it makes a corpus of 400-600-word Markdown articles with bench/corpus.py, then times (median of
--runs) a full build, and a rebuild after one article is added, for newsdigest and, on the very same articles,
Hugo (Debian package, installed by this script with apt-get when missing) and Pelican (pip, installed into
bench/out/pelican-venv). It prints seconds, peak memory (max RSS of the build process), articles per second,
files written, per-stage seconds for newsdigest, and our time as a ratio to each peer's.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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
    peak_mb: float


def timed(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run ``cmd``; wall seconds and the peak RSS of its process tree's largest process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"failed: {' '.join(cmd)}\n{errors.read().decode(errors='replace')[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024)


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs))


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


def bench_ours(content: Path, runs: int) -> tuple[Run, Run, int, dict[str, float]]:
    site = OUT / "site-ours"
    cmd = [PYTHON, "-m", "generator", "build", "-q", "--force", "--content", str(content), "--output", str(site)]
    full = median([timed(cmd) for _ in range(runs)])
    files = count_files(site)
    stages = json.loads(subprocess.run([PYTHON, str(HERE / "stages.py"), str(content)], check=True,
                                       capture_output=True, text=True).stdout)
    added = add_one(content, "ours")
    try:
        incremental = median([timed(cmd) for _ in range(runs)])
    finally:
        added.unlink()
    return full, incremental, files, stages


def bench_hugo(hugo: str, content: Path, runs: int) -> tuple[Run, Run, int]:
    root = OUT / "hugo-site"
    shutil.rmtree(root, ignore_errors=True)
    for name, text in HUGO_LAYOUT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    peer_content(content, root / "content" / "posts", "hugo")
    cmd = [hugo, "--quiet", "--source", str(root), "--destination", str(root / "public"), "--cleanDestinationDir"]
    full = median([timed(cmd) for _ in range(runs)])
    files = count_files(root / "public")
    add_one(root / "content" / "posts", "hugo")
    return full, median([timed(cmd) for _ in range(runs)]), files


def bench_pelican(pelican: Path, content: Path, runs: int) -> tuple[Run, Run, int]:
    root = OUT / "pelican-site"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    peer_content(content, root / "content", "pelican")
    cmd = [str(pelican), str(root / "content"), "-o", str(root / "output"), "-s", str(root / "pelicanconf.py"),
           "-q", "--cache-path", str(root / "cache")]
    fresh = [[*cmd, "--ignore-cache"] for _ in range(runs)]
    full = median([timed(c) for c in fresh])
    files = count_files(root / "output")
    timed(cmd)  # fill the content cache
    add_one(root / "content", "pelican")
    return full, median([timed(cmd) for _ in range(runs)]), files


def row(name: str, size: int, full: Run, incremental: Run, files: int) -> str:
    return (f"{name:10} {size:>7}  full {full.seconds:7.2f} s  {full.peak_mb:7.0f} MB  "
            f"{size / full.seconds:8.0f} art/s  {files:>7} files   one added {incremental.seconds:7.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    hugo = None if args.no_peers else ensure_hugo()
    pelican = None if args.no_peers else ensure_pelican()
    for size in (int(s) for s in args.sizes.split(",")):
        content = corpus(size)
        full, inc, files, stages = bench_ours(content, args.runs)
        print(row("newsdigest", size, full, inc, files))
        print("           stages: " + "  ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
        for name, runner in (("hugo", hugo), ("pelican", pelican)):
            if runner is None:
                print(f"{name:10} {size:>7}  not run" + ("" if args.no_peers else " (not installable here)"))
                continue
            peer = (bench_hugo if name == "hugo" else bench_pelican)(runner, content, args.runs)
            print(row(name, size, *peer))
            print(f"           ratio newsdigest/{name}: full {full.seconds / peer[0].seconds:.2f}  "
                  f"one added {inc.seconds / peer[1].seconds:.2f}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
