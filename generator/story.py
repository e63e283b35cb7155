"""Making a Story value out of the articles that the grouping stage put together."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from generator.model import Article, Block, Link, Story

_MAX_SLUG_WORDS = 8
_MAX_SLUG_CHARS = 60  # well under every file system's limit for one name, with room for the id suffix
_LEAD_CHARS = 320


def article_id(input_path: str, record: str | None, given: str | None = None) -> str:
    """An article's stable id: its own id where the record has one, else a hash of where it came from."""
    if given:
        return given
    key = input_path + ("#" + record if record else "")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def slugify(text: str, max_words: int = _MAX_SLUG_WORDS) -> str:
    """ASCII, lower case, words joined by '-': safe as a folder name on every file system and in every URL."""
    text = text.replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", text)
    return "-".join(words[:max_words])[:_MAX_SLUG_CHARS].strip("-") or "story"


def chronological(article: Article) -> tuple:
    """Sort key: dated articles oldest first, then undated ones; ties broken by id so order never depends on input."""
    when = article.published
    return (when is None, when.timestamp() if when else 0.0, article.id)


def lead_of(article: Article, limit: int = _LEAD_CHARS) -> str:
    """The first paragraph of the body (not a heading), shortened at a word boundary. A body loaded from the
    build cache (cache.Blocks) carries the lead it gave when it was saved, so that a rebuild need not unpickle
    the body of every story's founder."""
    if limit == _LEAD_CHARS:
        known = getattr(article.blocks, "lead", None)
        if known is not None:
            return known
    return body_lead(article.blocks, limit)


def body_lead(blocks: Sequence[Block], limit: int = _LEAD_CHARS) -> str:
    """``lead_of`` an article with the body ``blocks``."""
    for block in blocks:
        if not block.heading and len(block.text) > 40:
            text = block.text
            break
    else:
        text = blocks[0].text if blocks else ""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-–")
    return cut + " …"


def make_story(articles: list[Article] | tuple[Article, ...], links: tuple[Link, ...] = (),
               shared_terms: tuple[str, ...] = (), copies: tuple[tuple[str, ...], ...] = ()) -> Story:
    """A Story of ``articles`` (any order). Its id and slug come from the earliest article, so they stay put
    when later articles join."""
    ordered = tuple(sorted(articles, key=chronological))
    founder = ordered[0]
    story_id = hashlib.sha256(("story:" + founder.id).encode("utf-8")).hexdigest()[:12]
    dates: list[datetime] = [a.published for a in ordered if a.published is not None]
    by_id = {link.article_id: link for link in links}
    ordered_links = tuple(by_id[a.id] for a in ordered if a.id in by_id)
    return Story(
        id=story_id,
        slug=f"{slugify(founder.title)}-{story_id[:6]}",
        lead=lead_of(founder),
        articles=ordered,
        first_published=min(dates) if dates else None,
        last_published=max(dates) if dates else None,
        links=ordered_links,
        shared_terms=shared_terms,
        copies=copies,
    )
