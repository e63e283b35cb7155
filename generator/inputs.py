"""Stages 1 and 2 together (load, then normalize) for a whole content folder, file by file, reusing what the last
build made of every file that has not changed and sharing the rest of the work among processes.

A file counts as unchanged when its size and mtime are the ones recorded (and it was not modified so close to the
last scan that one mtime tick could hide a change); otherwise it is read, and where its bytes hash as before, the
old result still stands. Only new and changed files are parsed and normalized. The result is the same as that of
``load`` followed by ``normalize``: the articles in file order, the problems in the order those stages give them.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from generator.cache import RACY_NS, Input
from generator.config import Config
from generator.load import content_names, parse_file, printable, read_bytes, unknown_type
from generator.model import Article, Problem, RawArticle
from generator.normalize import normalize_one
from generator.regroup import content_key

PARALLEL_FROM = 200  # files to read before the work is shared among processes
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Content:
    """What the content folder holds: the articles, the problems, and per file what the cache keeps of it."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    inputs: dict[str, Input]
    keys: dict[int, str]  # id() of each article -> a key of what it is (hash of its file and its place there)
    files: int  # files looked at
    read: int  # files read (new or changed)

    group_keys: dict[int, tuple] = field(default_factory=dict)  # id() of each article -> its regroup.content_key

    def key_of(self, article: Article) -> str | None:
        return self.keys.get(id(article))

    def group_key_of(self, article: Article) -> tuple:
        """The article's key in the grouping, kept from the build that read its file (it hashes all its text)."""
        key = self.group_keys.get(id(article))
        return key if key is not None else content_key(article)


@dataclass(frozen=True, slots=True)
class _Result:
    """One file read: its Input for the cache (None: do not cache), or the word that the old one still holds."""

    loaded: tuple[Problem, ...]  # problems of reading and parsing the file
    entry: Input | None
    same: bool = False  # the bytes hash as before: the old entry stands (with the new size and mtime)


def _normalized(raws: list[RawArticle | Problem], config: Config) -> tuple[tuple[Problem, ...],
                                                                            tuple[Article | Problem, ...]]:
    loaded = tuple(r for r in raws if isinstance(r, Problem))
    return loaded, tuple(normalize_one(r, config) for r in raws if isinstance(r, RawArticle))


def _group_keys(items: tuple[Article | Problem, ...]) -> tuple[tuple | None, ...]:
    return tuple(content_key(item) if isinstance(item, Article) else None for item in items)


def read_one(path: Path, name: str, old_sha: str | None, config: Config) -> _Result:
    """Read, parse and normalize one file (unless its bytes are the ones ``old_sha`` was made of)."""
    unknown = unknown_type(path, name)
    if unknown is not None:
        return _Result((unknown,), None)
    try:
        info = os.stat(path)
    except OSError as exc:
        return _Result((Problem(name, f"cannot read ({exc.strerror or exc.__class__.__name__})"),), None)
    data = read_bytes(path, config.normalize.max_file_size)
    if isinstance(data, str):
        return _Result((Problem(name, data),), None)
    sha = hashlib.sha256(data).hexdigest()
    if sha == old_sha:
        return _Result((), Input(info.st_size, info.st_mtime_ns, sha, (), ()), same=True)
    loaded, items = _normalized(parse_file(data, path.suffix, name), config)
    return _Result(loaded, Input(info.st_size, info.st_mtime_ns, sha, loaded, items, _group_keys(items)))


def _read_chunk(task: tuple[list[tuple[str, str, str | None]], Config]) -> list[_Result]:
    jobs, config = task
    return [read_one(Path(path), name, sha, config) for path, name, sha in jobs]


def _unchanged(old: Input | None, path: str, since_ns: int) -> bool:
    if old is None:
        return False
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_size == old.size and info.st_mtime_ns == old.mtime_ns and info.st_mtime_ns < since_ns - RACY_NS


def read_content(content: Path, config: Config, previous: dict[str, Input] | None = None, since_ns: int = 0,
                 pool: Executor | None = None, parallel: int = 1, progress: Progress | None = None,
                 meanwhile: Callable[[list[Article]], None] | None = None) -> Content:
    """Every article below ``content``. ``previous`` is the cache's record of the files as the last build read
    them (``since_ns``: when it began to look at them); ``pool`` shares the reading among ``parallel`` processes;
    ``meanwhile(articles of the first files)`` is called while they read (where they do)."""
    previous = previous or {}
    if not content.is_dir():
        return Content((), (Problem(printable(str(content)), "content folder not found"),), {}, {}, 0, 0)
    found, walk_problems = content_names(content)
    names = [name for _, name in found]
    entries: dict[str, Input] = {}
    todo: list[tuple[str, str, str | None]] = []
    for path, name in found:
        old = previous.get(name)
        if _unchanged(old, path, since_ns):
            entries[name] = old
        else:
            todo.append((path, name, old.sha if old else None))
    loaded: dict[str, tuple[Problem, ...]] = {}
    for (_, name, _), result in zip(todo, _read_all(todo, config, pool, parallel, progress, meanwhile)):
        if result.same:
            old = previous[name]
            assert result.entry is not None
            entries[name] = Input(result.entry.size, result.entry.mtime_ns, old.sha, old.loaded, old.items, old.keys)
        elif result.entry is not None:
            entries[name] = result.entry
        else:
            loaded[name] = result.loaded
    return _assemble(names, entries, loaded, tuple(walk_problems), len(todo))


def _read_all(todo: list[tuple[str, str, str | None]], config: Config, pool: Executor | None, parallel: int,
              progress: Progress | None, meanwhile: Callable[[list[Article]], None] | None = None) -> list[_Result]:
    """``read_one`` of each job, in order; side by side where there is enough work and a pool (and then, while
    the workers read, ``meanwhile`` of the articles of the first chunk, which this process reads first)."""
    total = len(todo)
    if progress:
        progress("read", 0, total)
    results: list[_Result] = []
    if pool is None or parallel <= 1 or total < PARALLEL_FROM:
        for n, job in enumerate(todo, 1):
            results.append(read_one(Path(job[0]), job[1], job[2], config))
            if progress and (n % 50 == 0 or n == total):
                progress("read", n, total)
        return results
    size = max(1, min(100, total // (parallel * 8)))
    chunks = [todo[i:i + size] for i in range(0, total, size)]
    results += _read_chunk((chunks[0], config))  # in this process first: what the workers share is loaded once
    mapped = pool.map(_read_chunk, [(c, config) for c in chunks[1:]])  # (the workers start on the first tasks)
    if meanwhile is not None:
        meanwhile([item for r in results if r.entry is not None for item in r.entry.items
                   if isinstance(item, Article)])
    for chunk in mapped:
        results += chunk
        if progress:
            progress("read", len(results), total)
    return results


def _assemble(names: Sequence[str], entries: dict[str, Input], loaded: dict[str, tuple[Problem, ...]],
              walk_problems: tuple[Problem, ...], read: int) -> Content:
    articles: list[Article] = []
    load_problems = list(walk_problems)
    normalize_problems: list[Problem] = []
    keys: dict[int, str] = {}
    group_keys: dict[int, tuple] = {}
    for name in names:
        entry = entries.get(name)
        if entry is None:
            load_problems += loaded.get(name, ())
            continue
        load_problems += entry.loaded
        for n, item in enumerate(entry.items):
            if isinstance(item, Problem):
                normalize_problems.append(item)
            else:
                articles.append(item)
                keys[id(item)] = f"{entry.sha}:{n}"
                if n < len(entry.keys) and entry.keys[n] is not None:
                    group_keys[id(item)] = entry.keys[n]
    cached = {name: entries[name] for name in names if name in entries}
    return Content(tuple(articles), tuple(load_problems + normalize_problems), cached, keys, len(names), read,
                   group_keys)
