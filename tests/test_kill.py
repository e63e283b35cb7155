"""Crash safety: a build killed at any moment (SIGKILL: no cleanup code runs) leaves the previous site byte for
byte, never a half-written one; what it leaves beside the site (``.site.new-*``) the next build removes.

Real builds (``python -m generator build``) of a generated content folder are killed at points in time through
the whole run: while Python starts, while it reads and groups, as soon as the staging folder appears, and while
the staging folder fills. They run side by side, each into its own copy of the previous site, to keep the test
short. Many more kills, at random moments of the write stage alone, come from a small process that only writes.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from generator import write as write_module
from generator.build import Paths, build, site_files
from generator.config import Config
from generator.model import OutputFile
from generator.write import MARKER, MARKER_TEXT, write

from conftest import ROOT

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

EPOCH = 1_735_689_600  # SOURCE_DATE_EPOCH of every build here, so that all of them agree byte for byte
NOW = datetime.fromtimestamp(EPOCH, tz=timezone.utc)
WORDS = ("Regierung Minister Gespräche Berlin Genf Waffenruhe Abkommen Wahl Parlament Opposition Haushalt Steuer "
         "Hochwasser Feuerwehr Polizei Gericht Urteil Klage Streik Bahn Flughafen Energie Preise Inflation Zinsen "
         "Bank Börse Export Industrie Werk Gewerkschaft Schule Universität Studie Klima Hitze Dürre Ernte Wald "
         "Brand Sturm Küste Hafen Grenze Gemeinde Stadtrat Brücke Museum Konzert Verein Trainer Finale").split()
OUTLETS = ("tagesschau", "Spiegel Online", "n-tv", "Zeit Online", "FAZ", "taz", "Der Standard", "NZZ")


def make_corpus(folder: Path, count: int, seed: int) -> None:
    """``count`` Markdown articles of random words: different enough that most become stories of their own."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        paragraphs = [f"Die {' und '.join(rng.sample(WORDS, 5))} stehen im Mittelpunkt der Meldung {seed}-{n}."
                      for _ in range(3)]
        (folder / f"{seed}-{n:04d}.md").write_text(
            f"---\ntitle: {' '.join(rng.sample(WORDS, 6))}\noutlet: {rng.choice(OUTLETS)}\n"
            f"date: 2024-{1 + n % 12:02d}-{1 + n % 28:02d} {n % 24:02d}:00\nlanguage: de\n---\n"
            + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def snapshot(site: Path) -> dict[str, str]:
    """Every file of ``site``: its path and a hash of its bytes."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def snapshot_of(files: list[OutputFile]) -> dict[str, str]:
    """What ``snapshot`` of a site written from ``files`` is."""
    out = {f.path: hashlib.sha256(f.content).hexdigest() for f in files}
    out[MARKER] = hashlib.sha256(MARKER_TEXT.encode("utf-8")).hexdigest()
    return dict(sorted(out.items()))


def staging(site: Path) -> list[Path]:
    """The folders a build writes the next site into: beside the site, or (a build with its cache) in the cache."""
    return sorted(site.parent.glob(f".{site.name}.new-*")) + sorted(site.parent.glob(".newsdigest-cache/*/site"))


def left_staging(site: Path) -> list[Path]:
    """Staging folders beside the site (the one in the cache stays: the next build writes into it again)."""
    return sorted(site.parent.glob(f".{site.name}.new-*"))


def leftovers(site: Path) -> list[str]:
    """Whatever lies beside the site that is neither the site, nor its build cache, nor a staging folder of a
    killed build."""
    return sorted(p.name for p in site.parent.iterdir() if p != site and p.name != ".newsdigest-cache"
                  and not p.name.startswith(f".{site.name}.new-"))


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the whole group: nothing of the build survives
    except ProcessLookupError:
        pass
    process.wait()


def _start(args: list[str], cwd: Path, stderr: int = subprocess.DEVNULL) -> subprocess.Popen:
    """``args`` in a session of its own, in ``cwd`` (so that no newsdigest.toml of the checkout applies)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH), PYTHONPATH=str(ROOT))
    return subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                            start_new_session=True)


def _files_in(folder: Path) -> int:
    try:
        return sum(len(files) for _, _, files in os.walk(folder))
    except OSError:
        return 0


def test_builds_killed_at_any_stage_leave_the_previous_site(tmp_path: Path) -> None:
    content = tmp_path / "content"
    make_corpus(content, 30, seed=1)
    previous_site = tmp_path / "v1" / "site"
    build(Config(), Paths(content, previous_site), NOW)
    previous = snapshot(previous_site)
    make_corpus(content, 30, seed=2)  # 30 more articles: the next site differs
    new_files = site_files(Config(), Paths(content, tmp_path / "v2"), NOW)[0]
    expected = snapshot_of(new_files)
    assert previous != expected

    started = time.monotonic()
    half = len(expected) // 2
    points: dict[str, Callable[[Path], bool]] = {
        "after 0.3 s": lambda site: time.monotonic() - started > 0.3,
        "after 1.5 s": lambda site: time.monotonic() - started > 1.5,
        "after 4 s": lambda site: time.monotonic() - started > 4.0,
        "staging appears": lambda site: bool(staging(site)),
        "staging half full": lambda site: any(_files_in(s) >= half for s in staging(site)),
    }
    runs = {}
    for name in points:
        site = tmp_path / re.sub(r"\W+", "-", name) / "site"
        shutil.copytree(previous_site, site, symlinks=True)
        runs[name] = (site, _start([sys.executable, "-m", "generator", "build", "-q", "--content", str(content),
                                    "--output", str(site)], tmp_path, subprocess.PIPE))
    killed_in_write = set()
    while any(p.returncode is None for _, p in runs.values()):
        assert time.monotonic() - started < 240, "builds did not finish"
        for name, (site, process) in runs.items():
            if process.poll() is None and points[name](site):
                if staging(site):
                    killed_in_write.add(name)
                _kill(process)
        time.sleep(0.001)

    for name, (site, process) in runs.items():
        assert snapshot(site) in (previous, expected), f"killed {name}: the site is neither the old nor the new one"
        assert process.returncode != 0 or snapshot(site) == expected, name
        assert not leftovers(site), (name, leftovers(site))
    finished = {name for name, (_, process) in runs.items() if process.returncode == 0}
    errors = {name: process.communicate()[1][-500:] for name, (_, process) in runs.items()}
    failed = {name: errors[name] for name, (_, process) in runs.items()
              if process.returncode not in (0, -signal.SIGKILL)}
    assert not failed, f"builds failed rather than being killed: {failed}"
    assert {"staging appears", "staging half full"} <= killed_in_write | finished, "no kill in the write stage"

    # The next build (its write stage) removes what the killed ones left and writes the new site.
    for site, _ in runs.values():
        write(new_files, site)
        assert snapshot(site) == expected and not left_staging(site) and not leftovers(site)


WRITER = ("import pickle, sys; from pathlib import Path; from generator.write import write; "
          "write(pickle.loads(Path(sys.argv[1]).read_bytes()), Path(sys.argv[2]))")


def _site_files(version: str, count: int) -> list[OutputFile]:
    files = [OutputFile(f"stories/s{n:04d}/index.html", f"{version} story {n}\n".encode() * 40) for n in range(count)]
    return files + [OutputFile("index.html", f"{version} front page".encode())]


def test_writes_killed_at_random_moments_leave_old_or_new_site_never_a_mix(tmp_path: Path) -> None:
    site = tmp_path / "out" / "site"
    write(_site_files("v1", 800), site)
    previous = snapshot(site)
    new_files = _site_files("v2", 800)
    (tmp_path / "files.pickle").write_bytes(pickle.dumps(new_files))
    rng = random.Random(7)
    outcomes = set()
    for wait in [0.0] + [rng.uniform(0, 0.25) for _ in range(5)]:
        process = _start([sys.executable, "-c", WRITER, str(tmp_path / "files.pickle"), str(site)], tmp_path)
        while process.poll() is None and not staging(site):
            time.sleep(0.0005)
        delay = time.monotonic() + wait
        while process.poll() is None and time.monotonic() < delay:
            time.sleep(0.0005)
        _kill(process)
        now = snapshot(site)
        assert now in (previous, snapshot_of(new_files)), "a mix of old and new files"
        outcomes.add("new" if now != previous else "old")
        if now != previous:
            write(_site_files("v1", 800), site)  # start the next round from the old site again
        assert not leftovers(site), leftovers(site)
    assert "old" in outcomes, "no kill landed before the swap"
    write(new_files, site)
    assert snapshot(site) == snapshot_of(new_files) and not left_staging(site) and not leftovers(site)


def test_without_an_atomic_exchange_a_kill_between_the_moves_is_repaired(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the system cannot swap two folders in one step, the old site is moved aside first; a build killed
    right then leaves no site, only '.site.old-*' with our marker, and the next build puts it back."""
    monkeypatch.setattr(write_module, "_renameat2", None)
    site = tmp_path / "site"
    write([OutputFile("index.html", b"v1")], site)
    write([OutputFile("index.html", b"v2")], site)
    assert (site / "index.html").read_bytes() == b"v2" and sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    os.replace(site, tmp_path / ".site.old-dead")  # the state a kill between the two moves leaves
    (tmp_path / ".site.new-dead").mkdir()
    (tmp_path / ".site.new-dead" / "index.html").write_bytes(b"half")
    write_module._tidy(site)
    assert (site / "index.html").read_bytes() == b"v2" and sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_atomic_exchange_is_used_where_linux_has_it(tmp_path: Path) -> None:
    if write_module._renameat2 is None:
        pytest.skip("no renameat2 on this system: the two-move fallback is used (tested above)")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    assert write_module._exchange(a, b)
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"
