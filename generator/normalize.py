"""Stage 2: RawArticle -> Article. INTERIM: a plain reading (first line is the title, the rest paragraphs);
issue 3 replaces this with an editor's read (furniture removal, metadata from the text)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from generator.config import Config
from generator.model import Article, Block, Outlet, Problem, RawArticle
from generator.story import article_id


def _published(value: str | None, zone: str) -> tuple[datetime | None, bool]:
    if not value:
        return None, False
    when = dateparser.isoparse(value) if "T" in value or len(value) == 10 else dateparser.parse(value)
    has_time = len(value) > 10
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(zone))
    return when, has_time


def normalize_one(raw: RawArticle, config: Config) -> Article | Problem:
    lines = [line.strip() for line in raw.body.split("\n")]
    paragraphs = [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]
    title = raw.title
    if not title:
        title = next((line for line in lines if line), "")
        if paragraphs and paragraphs[0].startswith(title):
            paragraphs[0] = paragraphs[0][len(title):].strip()
            paragraphs = [p for p in paragraphs if p]
    try:
        published, has_time = _published(raw.published, config.normalize.timezone)
    except (ValueError, OverflowError):
        return Problem(raw.input, f"cannot parse {raw.published!r}", field="date", record=raw.record)
    return Article(
        id=article_id(raw.input, raw.record, raw.id), input=raw.input, record=raw.record, title=title, kicker=None,
        outlet=Outlet(raw.outlet) if raw.outlet else None, url=raw.url, published=published,
        published_has_time=has_time, published_inferred=False, language=raw.language, author=raw.author,
        agencies=(), blocks=tuple(Block(p) for p in paragraphs))


def normalize(raws: tuple[RawArticle, ...] | list[RawArticle], config: Config) -> tuple[list[Article], list[Problem]]:
    articles: list[Article] = []
    problems: list[Problem] = []
    for raw in raws:
        item = normalize_one(raw, config)
        (problems if isinstance(item, Problem) else articles).append(item)
    return articles, problems
