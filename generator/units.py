"""Units of output for incremental rendering: what one render leaves for the next (RenderMemo), where files go
(Sink), the keys that say when a unit must be made again, and the digests that are summarized only when needed.

A unit is one page, or a story's page and feeds, or a search index: files made together from one set of inputs.
Its key is a hash of all of those inputs. A unit whose key the last build had, and whose files are still unchanged
in the output folder, is kept; any other is made.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from generator import cache
from generator.model import Article, OutputFile, Story
from generator.summarize import Digest, summarize


@dataclass(frozen=True, slots=True)
class RenderMemo:
    """What one render leaves for the next (in the build cache)."""

    units: dict[str, tuple[str, ...]] = field(default_factory=dict)  # unit key -> the paths of its files
    digests: dict[str, bytes] = field(default_factory=dict)  # story key -> Digest (cache.dumps, refs: articles)
    entries: dict[str, bytes] = field(default_factory=dict)  # key of a story's entry -> its bytes in stories.json


class Sink(Protocol):
    """Where rendered files go: ``put`` a new file, ``keep`` the output folder's file as it is, ``source`` a
    file already given (bytes or a file on disk), ``work`` a folder for temporary files (or None)."""

    work: Path | None

    def put(self, item: OutputFile) -> None: ...

    def keep(self, path: str) -> None: ...

    def source(self, path: str) -> bytes | Path: ...


class Collect:
    """A sink that keeps the files in memory."""

    work: Path | None = None

    def __init__(self) -> None:
        self.files: list[OutputFile] = []
        self._by_path: dict[str, bytes] = {}

    def put(self, item: OutputFile) -> None:
        self.files.append(item)
        self._by_path[item.path] = item.content

    def keep(self, path: str) -> None:
        raise ValueError(f"nothing to keep {path!r} from")

    def source(self, path: str) -> bytes | Path:
        return self._by_path[path]


Progress = Callable[[str, int, int], None]


def unit_key(*parts: object) -> str:
    """A hash of ``parts`` (values with a repr that says all they are)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def article_key(article: Article) -> str:
    """A hash of everything an article is (the build gives a cheaper one for articles it has read)."""
    return hashlib.sha256(repr(article).encode("utf-8", "surrogatepass")).hexdigest()


def story_key(story: Story, key_of: Callable[[Article], str] = article_key) -> str:
    """A hash of everything a story is: two stories with one key render the same."""
    parts = [repr(replace(story, articles=()))]
    parts += [f"{key_of(a)}|{a.published!r}|{a.published_has_time}|{a.published_inferred}" for a in story.articles]
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class Digests(Mapping[str, Digest]):
    """Story id -> Digest, summarized or unpacked from the memo only when asked for."""

    def __init__(self, stories: Sequence[Story], keys: dict[str, str], packed: dict[str, bytes]):
        self._stories = {s.id: s for s in stories}
        self._keys = keys
        self.packed = packed  # story key -> packed digest, for the next memo
        self._made: dict[str, Digest] = {}

    def __getitem__(self, story_id: str) -> Digest:
        digest = self._made.get(story_id)
        if digest is None:
            story = self._stories[story_id]
            key = self._keys[story_id]
            data = self.packed.get(key)
            if data is not None:
                digest = cache.loads(data, story.articles)
            else:
                digest = summarize(story)
                self.packed[key] = cache.dumps(digest, story.articles)
            self._made[story_id] = digest
        return digest

    def add(self, story: Story, packed: bytes) -> None:
        self.packed[self._keys[story.id]] = packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._stories)

    def __len__(self) -> int:
        return len(self._stories)


@dataclass(slots=True)
class Run:
    """One render: where files go, what the last one left, and what this one leaves."""

    sink: Sink
    memo: RenderMemo
    unchanged: Callable[[str], bool]
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def kept(self, key: str) -> bool:
        """Keep the files of unit ``key`` where the last build made them and they are still there, unchanged."""
        paths = self.memo.units.get(key)
        if paths is None or not all(self.unchanged(p) for p in paths):
            return False
        for path in paths:
            self.sink.keep(path)
        self.units[key] = paths
        return True

    def put(self, key: str, files: list[OutputFile]) -> None:
        for item in files:
            self.sink.put(item)
        self.units[key] = tuple(f.path for f in files)

    def unit(self, key: str, make: Callable[[], list[OutputFile]]) -> None:
        if not self.kept(key):
            self.put(key, make())
