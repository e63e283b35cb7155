"""Readers turn the text of one input file into RawArticles; the file's extension chooses the reader.

A reader is ``read(text, input_path) -> list[RawArticle | Problem]``: a Problem for a record (or the whole
file) it cannot use, so that one bad record never hides the good ones beside it.
"""
from __future__ import annotations

from collections.abc import Callable

from generator.model import Problem, RawArticle
from generator.readers import jsonrecords, markdown, text

Reader = Callable[[str, str], list[RawArticle | Problem]]


def _html(source: str, path: str) -> list[RawArticle | Problem]:
    from generator.readers import html  # trafilatura takes a while to import: only for saved web pages

    return html.read(source, path)


def _feed(source: str, path: str) -> list[RawArticle | Problem]:
    from generator.readers import feed  # feedparser likewise, only for feed files

    return feed.read(source, path)

READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".json": jsonrecords.read_json,
    ".jsonl": jsonrecords.read_jsonl,
    ".html": _html,
    ".htm": _html,
    ".xml": _feed,
    ".rss": _feed,
    ".atom": _feed,
}


def reader_for(suffix: str) -> Reader | None:
    return READERS.get(suffix.lower())
