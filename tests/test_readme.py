"""The README's session, run again in a temporary folder: every command as written (the sample feeds served by the
test instead of `python3 -m http.server`, `serve` on a free port), and each line it prints held to the line the
README shows, but for numbers (sizes and times differ from run to run)."""
from __future__ import annotations

import functools
import http.server
import os
import queue
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from conftest import ROOT

SESSION = "## Your own digest, step by step"
WAIT = 120  # seconds for a line from `serve`: a bound against hanging, not a timing check


@dataclass
class Step:
    command: str | None  # None: more output of the command running in the background (serve)
    output: list[str] = field(default_factory=list)


def session_steps(readme: str) -> list[Step]:
    """The commands and shown output of every console block of the session section."""
    section = readme.split(SESSION, 1)[1].split("\n## ", 1)[0]
    steps: list[Step] = []
    for block in re.findall(r"```console\n(.*?)```", section, re.S):
        lines = block.splitlines()
        if not lines[0].startswith("$ "):
            steps.append(Step(None, lines))
            continue
        while lines:
            line = lines.pop(0)
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\") or ("<<'EOF'" in command and not command.endswith("\nEOF")):
                    command += "\n" + lines.pop(0)
                steps.append(Step(command))
            else:
                steps[-1].output.append(line)
    return steps


def shape(line: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "N", line.rstrip())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def test_readme_session_runs_as_shown(tmp_path: Path) -> None:
    steps = session_steps((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(steps) >= 8 and any(s.command and s.command.startswith("newsdigest fetch") for s in steps)
    checkout = tmp_path / "newsdigest"  # the session starts in the checkout and makes its digest beside it
    checkout.mkdir()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONUNBUFFERED": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    cwd, port, feeds, serving = checkout, "8001", None, None
    lines: queue.Queue[str] = queue.Queue()
    try:
        for step in steps:
            if step.command is None:  # output of `serve`, after what the previous step changed
                got = [lines.get(timeout=WAIT) for _ in step.output]
            elif step.command.startswith(". .venv/bin/activate"):
                continue  # the test's PATH already leads to this newsdigest
            elif step.command.startswith("python3 -m http.server"):
                folder = re.search(r"-d (\S+)", step.command).group(1)
                feeds = http.server.ThreadingHTTPServer(
                    ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(ROOT / folder)))
                threading.Thread(target=feeds.serve_forever, daemon=True).start()
                port = str(feeds.server_address[1])
                continue
            elif step.command == "newsdigest serve":
                serving = subprocess.Popen(["newsdigest", "serve", "--port", "0"], cwd=cwd, env=env, text=True,
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                threading.Thread(target=lambda: [lines.put(line) for line in serving.stdout], daemon=True).start()
                got = [lines.get(timeout=WAIT) for _ in step.output]
            else:
                where = tmp_path / "cwd"
                result = subprocess.run(["bash", "-c", step.command.replace("8001", port) + f'\npwd > "{where}"'],
                                        cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, timeout=300)
                assert result.returncode == 0, (step.command, result.stdout)
                cwd = Path(where.read_text().strip())
                got = result.stdout.splitlines()
            assert [shape(line) for line in got] == [shape(line) for line in step.output], (step.command, got)
    finally:
        if serving:
            serving.terminate()
            serving.wait(timeout=30)
        if feeds:
            feeds.shutdown()
            feeds.server_close()
    digest = tmp_path / "my-digest"
    front = (digest / "site" / "index.html").read_text(encoding="utf-8")
    assert "Compiled by the monitoring desk" in front and "--accent: #8b1a1a" in front  # the restyle
    assert "__newsdigest" not in front  # serve's reload script stays out of site/
    assert "Sitemap: https://example.org/digest/sitemap.xml" in (digest / "site" / "robots.txt").read_text()


def test_session_steps_are_read_with_continuations_and_here_documents() -> None:
    readme = (f"{SESSION}\n\n```console\n$ printf a \\\n    b > f\n$ cat > t <<'EOF'\nx\nEOF\n$ echo hi\nhi\n```\n"
              "\n```console\nlater\n```\n## Next\n```console\n$ not this\n```\n")
    steps = session_steps(readme)
    assert [s.command for s in steps] == ["printf a \\\n    b > f", "cat > t <<'EOF'\nx\nEOF", "echo hi", None]
    assert steps[2].output == ["hi"] and steps[3].output == ["later"]
