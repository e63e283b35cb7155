"""Plain-text scrapes (.txt): the whole file is the body; normalize finds title, metadata and furniture."""
from __future__ import annotations

from generator.model import Problem, RawArticle


def read(text: str, path: str) -> list[RawArticle | Problem]:
    if not text.strip():
        return [Problem(path, "empty file")]
    return [RawArticle(input=path, record=None, kind="scrape", body=text)]
