"""RSS and Atom files (.xml, .rss, .atom): every entry is one article."""
from __future__ import annotations

import html
import io
import re
from typing import Any

import feedparser

from generator.model import Problem, RawArticle

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(?:p|div|h[1-6]|li|blockquote)>|<br\s*/?>", re.I)


def html_to_text(markup: str) -> str:
    """The text of a feed's HTML snippet: block ends become paragraph breaks, tags go, entities are read."""
    text = _BLOCK_END.sub("\n\n", markup)
    text = html.unescape(_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _body(entry: Any) -> str:
    for item in entry.get("content") or ():
        if item.get("value"):
            return html_to_text(item["value"])
    return html_to_text(entry.get("summary") or entry.get("description") or "")


def _entry(entry: Any, path: str, position: int, outlet: str | None, language: str | None) -> RawArticle | Problem:
    own_id = (entry.get("id") or "").strip() or None
    record = own_id or str(position)
    title = html_to_text(entry.get("title") or "") or None
    body = _body(entry)
    if not title and not body:
        return Problem(path, "entry has neither title nor text", record=record)
    author = (entry.get("author") or "").strip() or None
    published = entry.get("published") or entry.get("updated") or None
    return RawArticle(input=path, record=record, kind="feed", body=body, title=title, published=published,
                      outlet=outlet, url=entry.get("link") or None, author=author,
                      language=entry.get("language") or language, id=own_id)


def read(text: str, path: str) -> list[RawArticle | Problem]:
    if not text.strip():
        return [Problem(path, "empty file")]
    # A stream, never the text itself: feedparser fetches a string that looks like a URL and opens one that
    # names a local file. The text is decoded already, so its bytes are UTF-8 whatever the XML declaration says.
    parsed = feedparser.parse(io.BytesIO(text.encode("utf-8")),
                              response_headers={"content-type": "application/xml; charset=utf-8"})
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception").__class__.__name__
            return [Problem(path, f"not a readable RSS or Atom feed ({reason})")]
        return [Problem(path, "feed has no entries")]
    outlet = (parsed.feed.get("title") or "").strip() or None
    language = (parsed.feed.get("language") or "").strip() or None
    return [_entry(entry, path, i, outlet, language) for i, entry in enumerate(parsed.entries, 1)]
