"""Speed and memory of the grouping stage on large generated corpora.

    .venv/bin/python bench/grouping_speed.py [--sizes 1000,10000,100000]

Each size runs in a fresh process: it generates the corpus reproducibly (articles of pairs/articles.jsonl
recombined: a base article's headline and a shuffled part of its sentences, plus a sentence or two of another
article; dates spread over eight weeks, one in twenty undated), groups it the way the build does (drafts made in
a pool of --workers forked processes, default: the build's) and prints the seconds of grouping, the CPU seconds of
this process and of the workers, the seconds of loading the languages' dictionaries before (once per process) and
the peak memory (maxrss, which includes the generated corpus and the dictionaries) of this process and of the
largest worker.

For the sizes in ``--memo-sizes`` it also groups with ``group_with_memo`` and then regroups after one new article
(five times, each with another article, from the same memo) and prints the median seconds of that regrouping:
what the incremental build pays for one new article.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.build import cores, workers  # noqa: E402
from generator.config import GroupingConfig  # noqa: E402
from generator.features import prepare  # noqa: E402
from generator.group import group, group_with_memo  # noqa: E402
from generator.model import Article, Block  # noqa: E402

ARTICLES = Path("/work/shared/eval/pairs/articles.jsonl")
START = datetime(2020, 1, 1, tzinfo=timezone.utc)
WEEKS = 8
SEED = 4


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.replace("\n", " ")) if s.strip()]


def synthetic(n: int, records: list[dict], rng: random.Random) -> Article:
    """Article number n: one base record's headline and sentences, a little of another, a date."""
    base, other = rng.choice(records), rng.choice(records)
    own = sentences(base["text"] or base["title"])
    rng.shuffle(own)
    body = own[:max(1, len(own) * 2 // 3)] + sentences(other["text"] or other["title"])[:rng.randint(0, 2)]
    published = None if rng.random() < 0.05 else START + timedelta(minutes=rng.randrange(WEEKS * 7 * 24 * 60))
    return Article(id=f"synthetic-{n:06d}", input=f"synthetic/{n:06d}.txt", record=None,
                   title=base["title"].split("\n")[0][:200], kicker=None, outlet=None, url=None,
                   published=published, published_has_time=published is not None, published_inferred=False,
                   language=base.get("language"), author=None, agencies=(), blocks=(Block(" ".join(body)),))


def corpus(size: int) -> list[Article]:
    with ARTICLES.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    rng = random.Random(SEED)
    return [synthetic(n, records, rng) for n in range(size)]


def cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its finished workers."""
    me, them = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, them.ru_utime + them.ru_stime


def usage(since: tuple[float, float]) -> str:
    """CPU seconds since ``since`` (cpu()) and peak memory of this process and of its workers."""
    (mine, theirs), (mine_before, theirs_before) = cpu(), since
    me, them = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (f"CPU {mine - mine_before:6.1f} s + workers {theirs - theirs_before:6.1f} s, "
            f"peak memory {me.ru_maxrss / 1024:6.0f} MB (a worker {them.ru_maxrss / 1024:5.0f} MB)")


def run_one(size: int, parallel: int) -> None:
    articles = corpus(size)
    started = time.perf_counter()
    prepare(sorted({a.language for a in articles if a.language}))
    loading = time.perf_counter() - started
    started, before = time.perf_counter(), cpu()
    with workers(parallel) as pool:
        stories = group(articles, GroupingConfig(), pool)
    seconds = time.perf_counter() - started
    largest = max(len(s.articles) for s in stories)
    print(f"{size:>7} articles -> {len(stories):>6} stories (largest {largest:>4}) in {seconds:7.1f} s "
          f"(+ {loading:4.1f} s loading dictionaries), {usage(before)}", flush=True)


def run_memo(size: int, parallel: int) -> None:
    articles = corpus(size + 5)
    prepare(sorted({a.language for a in articles if a.language}))
    base = articles[:size]
    started, before = time.perf_counter(), cpu()
    with workers(parallel) as pool:
        _, memo = group_with_memo(base, GroupingConfig(), None, pool)
    first = time.perf_counter() - started
    times = []
    for extra in articles[size:]:
        started = time.perf_counter()
        group_with_memo(base + [extra], GroupingConfig(), memo)
        times.append(time.perf_counter() - started)
    times.sort()
    print(f"{size:>7} articles with a memo: first run {first:7.1f} s, one more article regrouped in "
          f"{times[len(times) // 2]:.3f} s (median of {len(times)}), {usage(before)}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--memo-sizes", default="10000", help="comma-separated sizes to regroup with a memo "
                        "('' for none)")
    parser.add_argument("--workers", type=int, default=cores(), help="processes to make drafts in (1: none)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process
    parser.add_argument("--memo", type=int, help=argparse.SUPPRESS)  # one memo size, in this process
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.workers)
        return 0
    if args.memo:
        run_memo(args.memo, args.workers)
        return 0
    runs = [["--one", s] for s in args.sizes.split(",") if s] + [["--memo", s] for s in args.memo_sizes.split(",") if s]
    runs = [[*run, "--workers", str(args.workers)] for run in runs]
    for run in runs:
        result = subprocess.run([sys.executable, __file__, *run])
        if result.returncode:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
