"""The typed values that flow between the pipeline's stages.

load -> RawArticle (+ Problem) -> normalize -> Article -> group -> Story -> render -> OutputFile -> write

Every value is complete when it is made; no stage fills in another stage's fields. Later stages make new
values (``dataclasses.replace``) instead of changing old ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Literal

# What kind of body a reader handed over, so that normalize knows how much cleaning it needs:
# "scrape": a plain-text page dump full of furniture; "markdown": Markdown written or saved by a person;
# "record": the text field of a JSON/JSONL scraper export; "html": main text already extracted from a saved
# page; "feed": an entry of an RSS/Atom file.
BodyKind = Literal["scrape", "markdown", "record", "html", "feed"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input file (or one record in it). The build reports it and goes on."""

    path: str  # the input as the user knows it: relative to the content folder, or as given on the command line
    reason: str  # short, lower-case, no trailing period: "not text (binary data)"
    field: str | None = None  # the field at fault, where there is one ("date", "front matter")
    record: str | None = None  # the record inside a multi-record file, where there is one
    skipped: bool = True  # the file or record was left out of the site

    def __str__(self) -> str:
        where = self.path + (f" [record {self.record}]" if self.record else "")
        what = f"'{self.field}': {self.reason}" if self.field else self.reason
        return f"{where}: {what}" + ("; skipped" if self.skipped else "")


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as a reader found it in a file: the body and whatever metadata the file states outright.

    Metadata values are the strings as given (a date is not parsed yet); None where the file says nothing.
    """

    input: str  # path relative to the content folder, POSIX separators
    record: str | None  # the record's own id, else its 1-based position, for files with several articles
    kind: BodyKind
    body: str  # decoded text: plain text, or Markdown source for kind "markdown"
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Outlet:
    """A publication: its display name and, where known, its web domain."""

    name: str
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class Removed:
    """A line that normalize dropped from the body as page furniture, and why."""

    line: str
    reason: str


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of clean body text, or a subheading inside the article."""

    text: str
    heading: bool = False


@dataclass(frozen=True, slots=True)
class Article:
    """One article as an editor reads it: true metadata and the clean body."""

    id: str  # stable: the record's own id, else a hash of input path and record
    input: str
    record: str | None
    title: str
    kicker: str | None  # the line above the headline (Dachzeile), where the layout shows one
    outlet: Outlet | None
    url: str | None
    published: datetime | None  # timezone-aware
    published_has_time: bool  # False where only the day is known
    published_inferred: bool  # True where the date was worked out indirectly
    language: str | None  # ISO 639-1
    author: str | None
    agencies: tuple[str, ...]  # wire agencies credited: ("dpa", "AFP")
    blocks: tuple[Block, ...]  # the clean body (loaded from the cache: a cache.Blocks, read when first used)
    removed: tuple[Removed, ...] = ()

    @property
    def text(self) -> str:
        """The clean body: paragraphs separated by blank lines."""
        return "\n\n".join(b.text for b in self.blocks)

    @property
    def published_iso(self) -> str | None:
        if self.published is None:
            return None
        if not self.published_has_time:
            return self.published.date().isoformat()
        return self.published.isoformat()


@dataclass(frozen=True, slots=True)
class Link:
    """Why one article joined its story: the article it matched best, the score and the shared evidence."""

    article_id: str
    matched_id: str | None  # None for the article that founded the story
    score: float
    shared: tuple[str, ...] = ()  # shared terms, names, numbers, dates that carried the match


@dataclass(frozen=True, slots=True)
class Story:
    """Articles that report the same event, oldest first."""

    id: str  # from the story's earliest article: stable as the story grows
    slug: str  # URL segment, from the earliest article's title and the id
    lead: str
    articles: tuple[Article, ...]
    first_published: datetime | None
    last_published: datetime | None
    links: tuple[Link, ...] = ()  # one per article, in article order
    shared_terms: tuple[str, ...] = ()  # what the articles of the story share, for "why these are together"
    copies: tuple[tuple[str, ...], ...] = ()  # groups of article ids that carry the same text

    @property
    def outlets(self) -> tuple[str, ...]:
        """Distinct outlet names, in order of first appearance."""
        seen: dict[str, None] = {}
        for a in self.articles:
            if a.outlet is not None:
                seen.setdefault(a.outlet.name, None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the built site: its path below the output folder and its bytes."""

    path: str  # POSIX, relative, never absolute and never with '..'
    content: bytes


@dataclass(frozen=True, slots=True)
class MovableFile(OutputFile):
    """An OutputFile whose bytes are also a file of their own (``source``, which nothing else uses, on the output's
    file system), made by a tool: the writer may move that file into place rather than write the bytes into a new
    one (no file made and one deleted for each: on some file systems, every deletion slows the file creations of
    the minutes after it)."""

    source: str


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did, for the CLI's summary line."""

    articles: int
    skipped: int
    stories: int
    files: int
    seconds: float
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    removed: tuple[tuple[str, Removed], ...] = field(default_factory=tuple)  # (input, line) dropped as furniture

    def summary(self) -> str:
        return (f"{counted(self.articles, 'article')} read, {self.skipped} skipped, "
                f"{counted(self.stories, 'story', 'stories')}, {counted(self.files, 'file')} written in "
                f"{self.seconds:.2f} s")


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 story', '2 stories': a count with its noun (the CLI's summaries are English)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _pickled_by_fields(cls: type) -> None:
    """Pickle instances of ``cls`` as a call of the class with its field values: what the read workers send back
    (10,000 articles of a dozen blocks each) loads in half the time the per-field __setstate__ of a slotted
    dataclass takes."""
    values = attrgetter(*(f.name for f in fields(cls)))
    cls.__reduce__ = lambda self: (cls, values(self))  # type: ignore[method-assign]


for _cls in (Problem, RawArticle, Outlet, Removed, Block, Article, Link, Story, OutputFile):
    _pickled_by_fields(_cls)
