"""Mutation fuzzing of the input side: decode, every reader, load's vetting, normalize and group.

Seeds are the files in content/, the inline samples of the reader tests and a small sample of every format with
the XSS payloads of tests/test_xss.py. Each input is a seed mutated a few times (byte and bit flips, truncation,
deleted, repeated and spliced ranges, inserted payloads, control bytes and broken UTF-8, structure tokens, a
different encoding) with a fixed random seed, so a run is reproducible. Every input goes through decode and a
reader (its own format's most of the time, any other one otherwise), vet and normalize; every few hundred articles
are grouped and every article must land in exactly one story. An exception that escapes is a crash; its input is
saved under bench/out/fuzz-crashes/ to replay.

    .venv/bin/python bench/fuzz_readers.py                  # 100,000 inputs
    .venv/bin/python bench/fuzz_readers.py --count 5000     # the short run of .ci/run
    .venv/bin/python bench/fuzz_readers.py --replay bench/out/fuzz-crashes/<file>

No input may reach the network or make feedparser open a local file: both count as crashes. Crashes already
reported as open findings in SECURITY.md are listed as known and do not fail the run. Prints the count, the
crashes (and inputs over the time limit) and the time; exit 1 on a new crash or a hang.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import random
import signal
import socket
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import feedparser.api

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config import Config  # noqa: E402
from generator.decode import DecodeError, decode  # noqa: E402
from generator.group import group  # noqa: E402
from generator.load import vet  # noqa: E402
from generator.model import Article, Problem, RawArticle  # noqa: E402
from generator.normalize import normalize  # noqa: E402
from generator.readers import READERS  # noqa: E402

CRASHES = ROOT / "bench" / "out" / "fuzz-crashes"
MAX_INPUT = 64_000  # bytes: mutations that grow a seed stop here
TIME_LIMIT = 20  # seconds for one input before it counts as a hang
GROUP_EVERY = 300  # articles per grouping check
GROUP_TIME_LIMIT = 300  # seconds for grouping one batch (the first use of a language loads its dictionaries)

SAMPLES = {
    ".txt": "Schlagzeile der Meldung\n\nVon Anna Beispiel\n18.09.2015, 18:35 Uhr\n\nDer erste Absatz.\n\nQuelle: dpa\n",
    ".md": "---\ntitle: Ein Titel\ndate: 2015-09-18 18:35\nsource: tagesschau\nurl: https://example.org/a\n"
           "author: [Anna, Ben]\nlanguage: de\nid: a-1\n---\n# Zwischenzeile\n\nDer Text.\n",
    ".json": json.dumps([{"title": "T", "maintext": "Body.", "date_publish": "2021-03-04 05:06:07",
                         "source_domain": "example.org", "url": "https://example.org/x", "authors": ["A", "B"]},
                        {"headline": "H", "text": "x", "sitename": "S"}]),
    ".jsonl": '{"title": "fine", "text": "a"}\n{"url": "https://x"}\n{"title": 1, "id": 2}\n',
    ".html": '<!DOCTYPE html><html lang="de"><head><title>T</title><meta property="og:site_name" content="S">'
             '</head><body><article><h1>Überschrift</h1><p>Ein Absatz mit Text.</p><p>Noch einer.</p></article>'
             '</body></html>',
    ".rss": '<?xml version="1.0"?><rss version="2.0"><channel><title>S</title><item><title>T</title>'
            '<link>https://example.org/a</link><description>&lt;p&gt;Text&lt;/p&gt;</description>'
            '<pubDate>Mon, 04 Mar 2024 10:00:00 +0100</pubDate><guid>g1</guid></item></channel></rss>',
    ".atom": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>S</title><entry><title>T</title>'
             '<link href="https://example.org/a"/><id>urn:x</id><updated>2024-03-04T10:00:00Z</updated>'
             '<content type="html">&lt;p&gt;Text&lt;/p&gt;</content></entry></feed>',
}
TOKENS = ["---\n", "...\n", "\n", "\r\n", "\r", "\t", " ", "{", "}", "[", "]", '"', "'", ":", ",", "\\", "\\u",
          "\\ud800", "<", ">", "</", "/>", "<!--", "-->", "<![CDATA[", "]]>", "&", "&#", "&#x", "&amp;", ";", "#",
          "*", "&a", "!!binary", "!!python/object", "? ", "- ", "<<: ", "%YAML 1.1\n", "1e999", "NaN", "9" * 30]
BYTES = [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xc3\xa4", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
         b"\x1b[2J", b"\x85", b"\xe2\x80\xa8", b"\xe2\x80\xae", b"%PDF", b"PK\x03\x04", b"\x80\x81\x82"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "mac_roman", "cp437"]


def suffix_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix in READERS else ".txt"


def test_samples() -> list[tuple[str, bytes]]:
    """String literals of the reader and robustness tests that look like file contents."""
    found = []
    for name in ("test_readers.py", "test_robustness.py", "test_security.py"):
        path = ROOT / "tests" / name
        if not path.is_file():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and 12 <= len(node.value) <= 5000:
                text = node.value
                suffix = ".md" if text.startswith("---") else ".json" if text[:1] in "[{" else ".txt"
                found.append((suffix, text.encode("utf-8")))
    return found


def payloads() -> list[str]:
    """The XSS payloads of tests/test_xss.py, read without importing the test."""
    path = ROOT / "tests" / "test_xss.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("PAYLOADS", "URL_PAYLOADS")
                                                for t in node.targets):
            found += ast.literal_eval(node.value)
    return found or ["<script>alert(1)</script>", "javascript:alert(1)"]


def seeds() -> list[tuple[str, bytes]]:
    found = [(suffix, text.encode("utf-8")) for suffix, text in SAMPLES.items()]
    found += [(suffix_of(p.name), p.read_bytes()) for p in sorted((ROOT / "content").rglob("*")) if p.is_file()]
    return found + test_samples()


class Mutator:
    """Seeded mutations of bytes."""

    def __init__(self, rng: random.Random, corpus: list[tuple[str, bytes]], extra: list[str]):
        self.rng, self.corpus = rng, corpus
        self.inserts = [t.encode("utf-8") for t in TOKENS + extra] + BYTES
        self.operations: list[Callable[[bytes], bytes]] = [
            self.flip_byte, self.flip_bit, self.truncate, self.delete, self.repeat, self.insert, self.insert,
            self.splice, self.reencode, self.swap_lines]

    def mutate(self, data: bytes) -> bytes:
        for _ in range(self.rng.choice((1, 1, 2, 3, 5, 8))):
            data = self.rng.choice(self.operations)(data)[:MAX_INPUT]
        return data

    def _at(self, data: bytes) -> int:
        return self.rng.randrange(len(data) + 1)

    def flip_byte(self, data: bytes) -> bytes:
        if not data:
            return bytes([self.rng.randrange(256)])
        i = self.rng.randrange(len(data))
        return data[:i] + bytes([self.rng.randrange(256)]) + data[i + 1:]

    def flip_bit(self, data: bytes) -> bytes:
        if not data:
            return data
        i = self.rng.randrange(len(data))
        return data[:i] + bytes([data[i] ^ (1 << self.rng.randrange(8))]) + data[i + 1:]

    def truncate(self, data: bytes) -> bytes:
        return data[:self._at(data)]

    def delete(self, data: bytes) -> bytes:
        i = self._at(data)
        return data[:i] + data[i + self.rng.randrange(1, 64):]

    def repeat(self, data: bytes) -> bytes:
        i = self._at(data)
        chunk = data[i:i + self.rng.randrange(1, 32)]
        return data[:i] + chunk * self.rng.choice((2, 10, 100, 1000)) + data[i:]

    def insert(self, data: bytes) -> bytes:
        i = self._at(data)
        return data[:i] + self.rng.choice(self.inserts) + data[i:]

    def splice(self, data: bytes) -> bytes:
        _, other = self.rng.choice(self.corpus)
        return data[:self._at(data)] + other[self.rng.randrange(len(other) + 1):]

    def reencode(self, data: bytes) -> bytes:
        text = data.decode("utf-8", "replace")
        encoding = self.rng.choice(ENCODINGS)
        return text.encode(encoding, "replace")

    def swap_lines(self, data: bytes) -> bytes:
        lines = data.split(b"\n")
        self.rng.shuffle(lines)
        return b"\n".join(lines)


class Timeout(BaseException):
    pass


class Forbidden(BaseException):
    """Reading an article tried to reach the network or to open a file: never caught by the code under test."""


def _alarm(signum: int, frame: object) -> None:
    raise Timeout


def forbid_network_and_files() -> None:
    """No input may make the build connect anywhere (DNS included), nor make feedparser open a local path."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise Forbidden(f"network access {args[:2]!r}")

    def refuse_open(file: object, *args: object, **kwargs: object) -> object:
        try:
            exists = os.path.exists(file)  # type: ignore[arg-type]
        except (ValueError, TypeError, OSError):
            exists = False
        if exists:  # feedparser tries every text as a path; only one that names a file is a leak
            raise Forbidden(f"local file opened by feedparser ({file!r})")
        return open(file, *args, **kwargs)  # type: ignore[call-overload]

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    socket.create_connection = refuse  # type: ignore[assignment]
    feedparser.api.open = refuse_open  # type: ignore[attr-defined]


# Crashes found before and reported as open findings in SECURITY.md: listed, but they do not fail the run.
# (start of the crash key, the module of ours it came through, the finding)
KNOWN: list[tuple[str, str, str]] = []  # none open: the impossible UTC offset (dates.py) is fixed


def known(key: str) -> str | None:
    return next((why for start, via, why in KNOWN if key.startswith(start) and f"via {via}" in key + " via "), None)


def crash_key(exc: BaseException) -> str:
    """'ValueError at parse.py:497 via feed.py:48': where it was raised, and the last place in our code."""
    if isinstance(exc, Forbidden):
        return f"Forbidden: {str(exc).split(' (')[0]}"
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/generator/" in f.filename]
    where = f"{exc.__class__.__name__} at {Path(frames[-1].filename).name}:{frames[-1].lineno}"
    return where + (f" via {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours and ours[-1] != frames[-1] else "")


def run_one(data: bytes, suffix: str, config: Config, outcomes: Counter | None = None) -> list[Article]:
    """decode -> reader -> vet -> normalize, as load and build do it; the articles made."""
    outcomes = Counter() if outcomes is None else outcomes
    try:
        text = decode(data)
    except DecodeError:
        outcomes["not text"] += 1
        return []
    raws = [item for raw in READERS[suffix](text, f"fuzz{suffix}") if isinstance(raw, RawArticle)
            for item in vet(raw)]
    for item in raws:
        assert isinstance(item, (RawArticle, Problem)), type(item)
    articles, _ = normalize([r for r in raws if isinstance(r, RawArticle)], config)
    outcomes["articles" if articles else "problems only"] += 1
    return articles


def check_group(articles: list[Article], config: Config) -> None:
    unique = {a.id: a for a in articles}
    stories = group(list(unique.values()), config.grouping)
    placed = sorted(a.id for s in stories for a in s.articles)
    assert placed == sorted(unique), "an article is in no story or in two"


def save(data: bytes, suffix: str) -> Path:
    CRASHES.mkdir(parents=True, exist_ok=True)
    path = CRASHES / f"{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    path.write_bytes(data)
    return path


def fuzz(count: int, seed: int, quiet: bool) -> int:
    rng = random.Random(seed)
    corpus = seeds()
    mutator = Mutator(rng, corpus, payloads())
    suffixes = sorted(READERS)
    config = Config()
    crashes: Counter = Counter()
    outcomes: Counter = Counter()
    slow: list[str] = []
    pending: list[Article] = []
    signal.signal(signal.SIGALRM, _alarm)
    forbid_network_and_files()
    started = time.perf_counter()
    for n in range(1, count + 1):
        own, data = rng.choice(corpus)
        data = mutator.mutate(data)
        suffix = own if rng.random() < 0.75 else rng.choice(suffixes)
        signal.alarm(TIME_LIMIT)
        try:
            pending += run_one(data, suffix, config, outcomes)
            if len(pending) >= GROUP_EVERY:
                batch, pending = pending, []
                signal.alarm(GROUP_TIME_LIMIT)
                data, suffix = json.dumps([a.title for a in batch]).encode("utf-8"), ".group.json"
                check_group(batch, config)
        except Timeout:
            slow.append(str(save(data, suffix)))
        except (Exception, Forbidden) as exc:  # noqa: BLE001 - every escape is what we count
            key = crash_key(exc)
            if not crashes[key]:
                detail = str(exc)[:120] if isinstance(exc, Forbidden) else f"{key}: {str(exc)[:120]}"
                print(f"crash: {detail} -> {save(data, suffix)}", file=sys.stderr)
            crashes[key] += 1
        finally:
            signal.alarm(0)
        if not quiet and n % 10_000 == 0:
            print(f"{n:,} inputs, {sum(crashes.values())} crashes, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
    seconds = time.perf_counter() - started
    new = sum(times for key, times in crashes.items() if not known(key))
    print(f"{count:,} inputs (seed {seed}, {len(corpus)} seeds, {len(suffixes)} file types) in {seconds:.1f} s "
          f"({count / seconds:,.0f}/s): {new} crashes, {sum(crashes.values()) - new} known (open findings), "
          f"{len(slow)} over {TIME_LIMIT} s")
    print("  inputs that made articles: {articles:,}; only problems: {problems:,}; not text: {binary:,}".format(
        articles=outcomes["articles"], problems=outcomes["problems only"], binary=outcomes["not text"]))
    for key, times in crashes.most_common():
        print(f"  {times} x {key}" + (f" (known: {known(key)})" if known(key) else ""))
    for path in slow:
        print(f"  over the time limit: {path}")
    return 1 if new or slow else 0


def replay(path: Path) -> int:
    """Run one saved input with the traceback shown."""
    forbid_network_and_files()
    articles = run_one(path.read_bytes(), suffix_of(path.name), Config())
    check_group(articles, Config())
    print(f"{path}: no crash ({len(articles)} articles)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="inputs to run (default: 100,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--replay", type=Path, help="run one saved input and show its traceback")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args()
    if args.replay:
        return replay(args.replay)
    return fuzz(args.count, args.seed, args.quiet)


if __name__ == "__main__":
    sys.exit(main())
