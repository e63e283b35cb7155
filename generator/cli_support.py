"""Small pieces the command-line layer shares (the CLI and the preview server)."""
from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from typing import TextIO


def build_time() -> datetime:
    """The build's 'now': SOURCE_DATE_EPOCH where set (reproducible builds), else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


STAGES = {"read": "reading articles", "group": "grouping", "render": "rendering stories", "search": "indexing for search",
          "write": "writing"}


class Progress:
    """One line on a terminal that says what the build does, how far it got and how long it will take yet,
    rewritten in place (at most ten times a second) and cleared at the end. Only for a terminal: the CLI makes
    one only where stdout is a TTY."""

    def __init__(self, out: TextIO, clock=time.monotonic):
        self.out = out
        self.clock = clock
        self.stage = ""
        self.started = 0.0
        self.shown = 0.0
        self.width = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage != self.stage:
            self.stage, self.started, self.shown = stage, now, 0.0
        elif done < total and now - self.shown < 0.1:
            return
        self.shown = now
        line = f"{STAGES.get(stage, stage)}"
        if total > 1:
            line += f": {done:,}/{total:,}"
            elapsed = now - self.started
            if 0 < done < total and elapsed > 0.5:
                line += f", {_duration(elapsed * (total - done) / done)} left"
        self._show(line)

    def _show(self, line: str) -> None:
        self.out.write("\r" + line.ljust(self.width))
        self.width = len(line)
        self.out.flush()

    def close(self) -> None:
        """Clear the line (the summary line follows)."""
        if self.width:
            self.out.write("\r" + " " * self.width + "\r")
            self.out.flush()
            self.width = 0


def _duration(seconds: float) -> str:
    seconds = max(1, round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
