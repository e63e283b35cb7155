"""The progress line: counts and time left on a terminal, nothing extra when stdout is a file or a pipe."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli_support import Progress

from conftest import ROOT
from test_cache import make_corpus


def test_progress_line_counts_and_says_how_long_is_left() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = Progress(out, clock=lambda: now[0])
    progress("read", 0, 100)
    now[0] = 2.0
    progress("read", 50, 100)
    now[0] = 2.05
    progress("read", 51, 100)  # less than 0.1 s later: not shown
    now[0] = 4.0
    progress("read", 100, 100)
    progress("group", 0, 1)
    progress.close()
    shown = out.getvalue().split("\r")
    assert "reading articles: 0/100" in shown[1]
    assert "reading articles: 50/100, 2 s left" in shown[2]
    assert not any("51/100" in line for line in shown)
    assert "reading articles: 100/100" in shown[3] and "left" not in shown[3]
    assert shown[4].strip() == "grouping"
    assert shown[-1] == "" and shown[-2].strip() == "", "the line is cleared at the end"


def _build(tmp_path: Path, tty: bool) -> str:
    content = tmp_path / "content"
    if not content.exists():
        make_corpus(content, 8)
    env = dict(os.environ, PYTHONPATH=str(ROOT), SOURCE_DATE_EPOCH="1700000000")
    cmd = [sys.executable, "-m", "generator", "build", "--no-cache", "--content", str(content),
           "--output", str(tmp_path / "site")]
    if not tty:
        return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    import pty
    master, slave = pty.openpty()
    process = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the other side is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert process.wait() == 0
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")), reason="needs a pty")
def test_build_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    on_terminal = _build(tmp_path, tty=True)
    assert "reading articles: 8/8" in on_terminal and "rendering stories" in on_terminal
    piped = _build(tmp_path, tty=False)
    assert "\r" not in piped and "reading" not in piped
    assert piped.splitlines()[-1].startswith("8 articles read, 0 skipped")
    summary = re.sub(r"in [0-9.]+ s", "", piped.splitlines()[-1])
    assert re.sub(r"in [0-9.]+ s", "", on_terminal.replace("\r\n", "\n").rstrip()).endswith(summary)
