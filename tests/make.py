"""Small Article and Story values for unit tests of summary and rendering: only what a test names is set."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from generator.model import Article, Block, Outlet, Story
from generator.story import make_story

T0 = datetime(2015, 9, 18, 16, 35, tzinfo=timezone.utc)


def article(aid: str, title: str, body: str, outlet: str | None = "Outlet", hours: float | None = 0,
            language: str | None = "de", url: str | None = None, agencies: tuple[str, ...] = ()) -> Article:
    """One article; ``body`` paragraphs are separated by blank lines; ``hours`` after T0 (None: undated)."""
    blocks = tuple(Block(p.strip()) for p in body.split("\n\n") if p.strip())
    published = None if hours is None else T0 + timedelta(hours=hours)
    return Article(id=aid, input=f"{aid}.txt", record=None, title=title, kicker=None,
                   outlet=Outlet(outlet) if outlet else None, url=url, published=published,
                   published_has_time=published is not None, published_inferred=False, language=language,
                   author=None, agencies=agencies, blocks=blocks)


def story(*articles: Article, copies: tuple[tuple[str, ...], ...] = ()) -> Story:
    return make_story(list(articles), copies=copies)
