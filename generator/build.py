"""The whole build, top to bottom: load -> normalize -> group -> render -> write.

With the cache (the default), a rebuild reads only new and changed files, hands the grouping its memo, renders
only what changed and leaves every unchanged file of the output folder as it is (generator/cache.py). The site
it writes is byte for byte the one a clean build writes; only a story that was absorbed into another one since
the last build leaves a redirect behind (generator/identity.py).
"""
from __future__ import annotations

import ctypes
import gc
import itertools
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator import cache, collector, identity, lookups
from generator.config import Config
from generator.features import prepare
from generator.group import group_with_memo
from generator.infer import infer_dates
from generator.inputs import Content, read_content
from generator.model import Article, BuildReport, OutputFile, Problem, Story
from generator.render import render_site
from generator.units import Collect, article_key
from generator.write import Staging, check_output_dir, hold

Progress = Callable[[str, int, int], None]
AHEAD = 4  # tasks per worker in the pool at a time
# The read's: enough that the workers go on reading while this process loads the grouping's word lists (a second
# or two, which it spends not taking results, and so not handing out further tasks) (s5-group).
READ_AHEAD = 32


@dataclass(frozen=True, slots=True)
class Paths:
    """Where this build reads and writes."""

    content: Path
    output: Path
    templates: Path | None = None


class StrictError(Exception):
    """--strict and the content has problems: nothing was written."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__(f"{len(problems)} problem(s) in the content; nothing written")
        self.problems = problems


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _Reporting(Executor):
    """A pool whose workers send back, with each result, the dictionary answers they learned
    (generator/lookups.py), so that the cache keeps them. The processes (and the modules that start them) come
    only with the first task: a rebuild after a few new articles mostly has none to give. ``map`` keeps only
    ``ahead`` tasks in the pool at a time and takes the next from its iterables as a result comes back: neither the
    tasks nor the results pile up in this process. A stage maps once: when the
    last result is in, the workers end, and their memory is free for the rest of the stage (the search after
    rendering needs much of its own). A worker sets aside from its garbage collector (``gc.freeze``) all it was
    forked with: a collection that looked through the parent's objects would write to every page that holds one,
    and so make the worker a copy of the parent."""

    def __init__(self, parallel: int, ahead: int):
        self._parallel = parallel
        self._ahead = ahead
        self._started: Executor | None = None
        self._mapped = False

    @property
    def _pool(self) -> Executor:
        if self._started is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            # What this process holds now is shared with the workers until one side writes to it. Set aside from
            # this process's collector too (until ``collector.release``): a collection here while they run (the
            # render makes pages here meanwhile) would write to every object, and so copy all of them.
            gc.freeze()
            self._started = ProcessPoolExecutor(self._parallel, mp_context=multiprocessing.get_context("fork"),
                                                initializer=gc.freeze)
        return self._started

    def map(self, fn, *iterables, timeout=None, chunksize=1):  # type: ignore[no-untyped-def, override]
        """Like ``Executor.map``, but ``timeout`` is per result and ``chunksize`` is not used (each task is sent as
        it is taken). Once per pool: the workers end with its last result."""
        if self._mapped:
            raise RuntimeError("a pool of workers() serves one map (its workers end with the map's last result)")
        self._mapped = True
        tasks = zip(*iterables)
        window: deque[Future] = deque(self._pool.submit(_reporting, fn, *args)
                                      for args in itertools.islice(tasks, self._ahead))

        def unpack() -> Iterator[object]:
            try:
                while window:
                    result, answers = window.popleft().result(timeout)
                    window.extend(self._pool.submit(_reporting, fn, *args) for args in itertools.islice(tasks, 1))
                    lookups.learn(answers)
                    yield result
                self.shutdown()
            finally:
                for future in window:
                    future.cancel()
        return unpack()

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._started is not None:
            self._started.shutdown(wait, cancel_futures=cancel_futures)


def _reporting(fn: Callable[..., object], *args: object) -> tuple[object, lookups.Saved]:
    return fn(*args), lookups.fresh()


def _can_fork() -> bool:
    return hasattr(os, "fork")  # where multiprocessing offers the "fork" start method (not Windows)


@contextmanager
def workers(parallel: int, ahead: int = AHEAD) -> Iterator[Executor | None]:
    """Processes to share work among (``ahead`` tasks per process in the pool at a time); None where there is one
    core, where the system cannot fork, or where other threads run (``serve``): forking a process with threads
    may copy a lock that another thread holds."""
    if parallel <= 1 or threading.active_count() > 1 or not _can_fork():
        yield None
        return
    pool = _Reporting(parallel, ahead * parallel)
    try:
        yield pool
    except BaseException:  # tasks still waiting in the pool are not run: the failure shows at once
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _give_back() -> None:
    """Hand the memory that the grouping freed back to the system, before the render's workers are forked (the C
    library keeps freed memory for reuse, and it counts as this process's until then). Only where the C library
    is glibc (malloc_trim); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # a C library without malloc_trim (musl)
        pass


def site_files(config: Config, paths: Paths, now: datetime) -> tuple[list[OutputFile], tuple[Story, ...], int,
                                                                      tuple[Problem, ...]]:
    """Everything but the writing, without the cache: the files of the site, the stories, articles read and the
    problems."""
    content = read_content(paths.content, config)
    stories, _ = group_with_memo(content.articles, config.grouping, None, key_of=content.group_key_of)
    stories = infer_dates(stories, config)
    sink = Collect()
    render_site(sink, stories, config, now, paths.templates, key_of=_key_of(content.key_of))
    return sink.files, stories, len(content.articles), content.problems


def _key_of(known: Callable[[Article], str | None]) -> Callable[[Article], str]:
    """An article's key: the one the content stage gave it, or (a changed copy) a hash of all it is."""
    return lambda article: known(article) or article_key(article)


# What a build loaded and made (the cache it loaded, the one it saved, its stories), kept after it returns when
# its caller asks (``keep``): freeing those millions of objects takes a tenth of a second of a 10,000-article
# rebuild, which the ``build`` command skips by ending the process without teardown (generator.cli.run). Freed
# when the next build starts.
_LOADED: list[object] = []


def build(config: Config, paths: Paths, now: datetime, strict: bool = False, force: bool = False,
          use_cache: bool = True, progress: Progress | None = None, keep: bool = False) -> BuildReport:
    """Build the site from ``paths.content`` into ``paths.output``; ``use_cache`` False makes it a clean build
    (which still leaves a cache for the next one); ``progress(stage, done, total)`` hears how far it got;
    ``keep``: what the build loaded and made stays in memory until the next build (for a caller that ends the
    process right after it; ``serve`` and other long-lived callers leave it False)."""
    try:
        return _kept_build(config, paths, now, strict, force, use_cache, progress)
    finally:
        if not keep:
            _LOADED.clear()


def _kept_build(config: Config, paths: Paths, now: datetime, strict: bool, force: bool, use_cache: bool,
                progress: Progress | None) -> BuildReport:
    started = time.perf_counter()
    protect = (paths.templates,) if paths.templates else ()
    check_output_dir(paths.output, paths.content, force, protect)
    _LOADED.clear()  # the last build's cache, freed before this one loads its own
    with hold(paths.output):
        where = cache.folder(paths.output)
        version = cache.version(config, paths.content, paths.output, paths.templates)
        state = (cache.load(where, version) if use_cache else None) or cache.State()
        _LOADED.append(state)
        try:
            content, stories, written = _build(config, paths, now, strict, progress, where, version, state)
        finally:
            collector.release()  # the loaded cache, set aside from the garbage collector while it was needed
    _LOADED.append(stories)
    skipped = sum(1 for p in content.problems if p.skipped)
    removed = tuple((a.input, r) for s in stories for a in s.articles for r in a.removed)
    return BuildReport(len(content.articles), skipped, len(stories), written, time.perf_counter() - started,
                       content.problems, removed)


def _prepare_grouping(first: list[Article]) -> None:
    """While the workers read: this process loads the word lists of the grouping's drafts (seconds), which the
    workers that make them fork with (s5-group)."""
    prepare(sorted({a.language.lower() for a in first if a.language}))


def _build(config: Config, paths: Paths, now: datetime, strict: bool, progress: Progress | None, where: Path,
           version: str, state: cache.State) -> tuple[Content, tuple[Story, ...], int]:
    """``build`` from the cache's ``state`` on: what was read, the stories, and the number of files written."""
    scanned = time.time_ns()
    with workers(cores(), READ_AHEAD) as pool:
        content = read_content(paths.content, config, state.inputs, state.scanned_ns, pool, cores(), progress,
                               _prepare_grouping)
    if progress:
        progress("group", 0, 1)
    with workers(cores()) as pool:
        stories, group_memo = group_with_memo(content.articles, config.grouping, state.group, pool,
                                              content.group_key_of)
    stories = infer_dates(stories, config)
    redirects, register = identity.follow(stories, state.register)
    _give_back()
    if strict and content.problems:
        raise StrictError(content.problems)
    with Staging(paths.output, reuse=where / "site") as stage, workers(cores()) as pool:
        memo = render_site(stage, stories, config, now, paths.templates, state.render,
                           stage.unchanged(state.written), redirects,
                           _key_of(content.key_of), pool, cores(), progress, where / "templates")
        if progress:
            progress("write", 0, 1)
        stage.commit()
    made = cache.State(content.inputs, scanned, group_memo, memo, register, stage.written, state.loaded_shards,
                       loaded_parts=state.loaded_parts)
    _LOADED.append(made)  # with the loaded one: freed at the next build (``_LOADED``)
    cache.save(where, version, made)
    return content, stories, len(stage.written)
