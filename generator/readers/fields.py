"""The metadata field names that our own files and common scrapers (news-please, trafilatura) use."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

# Our name -> the names accepted for it, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "body": ("text", "body", "maintext", "content"),
    "published": ("published", "date", "date_publish", "datePublished", "pubdate"),
    "outlet": ("outlet", "source", "sitename", "source_domain", "publisher"),
    "url": ("url", "link", "source_url"),
    "author": ("author", "authors"),
    "language": ("language", "lang"),
    "id": ("id", "guid"),
}


def as_text(value: Any) -> str | None:
    """A field's value as a string; lists (authors) joined with ', '; None and empty values as None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (list, tuple)):
        parts = [as_text(v) for v in value]
        joined = ", ".join(p for p in parts if p)
        return joined or None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return as_text(value.get("name"))
    text = str(value).strip()
    return text or None


def pick(record: Mapping[str, Any], name: str) -> str | None:
    """The first non-empty value among the aliases of ``name``."""
    for key in ALIASES[name]:
        value = as_text(record.get(key))
        if value:
            return value
    return None
