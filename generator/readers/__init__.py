"""Readers turn the text of one input file into RawArticles; the file's extension chooses the reader.

A reader is ``read(text, input_path) -> list[RawArticle | Problem]``: a Problem for a record (or the whole
file) it cannot use, so that one bad record never hides the good ones beside it.
"""
from __future__ import annotations

from collections.abc import Callable

from generator.model import Problem, RawArticle
from generator.readers import feed, html, jsonrecords, markdown, text

Reader = Callable[[str, str], list[RawArticle | Problem]]

READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".json": jsonrecords.read_json,
    ".jsonl": jsonrecords.read_jsonl,
    ".html": html.read,
    ".htm": html.read,
    ".xml": feed.read,
    ".rss": feed.read,
    ".atom": feed.read,
}


def reader_for(suffix: str) -> Reader | None:
    return READERS.get(suffix.lower())
