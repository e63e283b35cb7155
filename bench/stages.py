#!/usr/bin/env python3
"""One newsdigest build of CONTENT into OUTPUT, the way the CLI runs it, printing per-stage seconds as JSON.

    python bench/stages.py CONTENT OUTPUT [--no-cache] [--profile FILE]

The stages are timed from the build's own progress reports: read (load and normalize, in parallel), group (and
infer dates, identity), render (summaries, pages and feeds; the stories in parallel), search (Pagefind), write (the
swap and the cache); "setup" is the time before reading (imports not counted: see "python"), "python" the time
from interpreter start to the build. --profile FILE writes a cProfile of the build (of this process only: the
workers' share of read and render is not in it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

STARTED = time.time()

from generator.build import Paths, build  # noqa: E402 - after the clock starts
from generator.config import Config  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("content", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args()
    marks: list[tuple[str, float]] = []

    def progress(stage: str, done: int, total: int) -> None:
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter()))

    python = time.time() - STARTED
    start = time.perf_counter()
    profile = None
    if args.profile:
        import cProfile
        profile = cProfile.Profile()
        profile.enable()
    report = build(Config(), Paths(args.content, args.output), datetime(2026, 1, 1, tzinfo=timezone.utc),
                   force=True, use_cache=not args.no_cache, progress=progress, keep=True)  # as the command does
    end = time.perf_counter()
    if profile:
        profile.disable()
        profile.dump_stats(str(args.profile))
    seconds = {"python": python, "setup": (marks[0][1] if marks else end) - start}
    for (stage, at), (_, until) in zip(marks, marks[1:] + [("", end)]):
        seconds[stage] = seconds.get(stage, 0.0) + until - at
    seconds["build"] = end - start
    print(json.dumps({"seconds": {k: round(v, 3) for k, v in seconds.items()}, "articles": report.articles,
                      "stories": report.stories, "files": report.files}))
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # as the newsdigest command ends (generator.cli.run): no teardown of the build's objects
