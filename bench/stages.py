#!/usr/bin/env python3
"""Per-stage seconds of one newsdigest build of CONTENT (printed as JSON), for bench/build_speed.py."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from generator.config import Config
from generator.group import group
from generator.infer import infer_dates
from generator.load import load
from generator.normalize import normalize
from generator.render import render
from generator.write import write


def main() -> int:
    content, config = Path(sys.argv[1]), Config()
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    seconds: dict[str, float] = {}

    def stage(name, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        seconds[name] = round(time.perf_counter() - start, 3)
        return result

    loaded = stage("load", load, content, config.normalize.max_file_size)
    articles, _ = stage("normalize", normalize, loaded.articles, config)
    stories = stage("group", group, articles, config.grouping)
    stories = stage("infer", infer_dates, stories, config)
    files = stage("render", render, stories, config, now)
    with tempfile.TemporaryDirectory() as tmp:
        stage("write", write, files, Path(tmp) / "site")
    print(json.dumps(seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
