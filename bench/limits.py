"""Limits at full size: a content folder of 100,000 tiny files (one in a hundred an article, the rest empty or
without title and text), a 10 MB single line, a file over the size limit, a named pipe and a device. Prints the
time of loading and of the whole build, the peak memory and the build's summary.

    .venv/bin/python bench/limits.py              # 100,000 files
    .venv/bin/python bench/limits.py --files 5000 # a quick look
    .venv/bin/python bench/limits.py --search     # with the Pagefind index (slow: about 0.1 s a story page)

The test suite runs the same checks at a smaller size (tests/test_robustness.py).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import search  # noqa: E402
from generator.build import Paths, build  # noqa: E402
from generator.config import Config, NormalizeConfig  # noqa: E402
from generator.load import load  # noqa: E402

NOW = datetime(2026, 1, 2, tzinfo=timezone.utc)
MAX_SIZE = 20_000_000


def make_content(folder: Path, count: int) -> None:
    for n in range(count):
        kind = 4 if n % 100 == 0 else n % 4
        path = folder / f"{n // 1000:03d}" / f"{n:06d}.{('txt', 'json', 'md', 'jsonl', 'json')[kind]}"
        path.parent.mkdir(exist_ok=True)
        path.write_text(["", "{}", "---\n---\n", "\n", json.dumps(
            {"title": f"Kurze Meldung Nummer {n}", "language": "de", "date": f"2024-{1 + n % 12:02d}-01"})][kind])
    (folder / "line.txt").write_text("Titel\n\n" + "Wort " * 2_000_000, encoding="utf-8")
    (folder / "big.txt").write_bytes(b"x" * (MAX_SIZE + 1))
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000, help="tiny files to make (default: 100,000)")
    parser.add_argument("--search", action="store_true", help="build the Pagefind search index too")
    args = parser.parse_args()
    if not args.search:
        search.available = lambda: False  # the index costs about 0.1 s a page and is no limit of ours
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        started = time.perf_counter()
        make_content(content, args.files)
        print(f"made {args.files:,} tiny files and 4 hostile ones in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        loaded = load(content, MAX_SIZE)
        print(f"load: {time.perf_counter() - started:.1f} s, {len(loaded.articles):,} articles, "
              f"{len(loaded.problems):,} problems")
        started = time.perf_counter()
        config = Config(normalize=NormalizeConfig(max_file_size=MAX_SIZE))
        report = build(config, Paths(content, Path(tmp) / "site"), NOW)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    hostile = [str(p) for p in report.problems if p.path in ("line.txt", "big.txt", "pipe.txt", "zero.txt")]
    print(report.summary())
    print(f"build: {seconds:.1f} s, peak memory {peak:,.0f} MB, {len(report.problems):,} problem lines")
    print("\n".join(hostile))
    return 0 if len(hostile) == 4 else 1


if __name__ == "__main__":
    sys.exit(main())
