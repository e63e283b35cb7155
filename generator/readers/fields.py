"""The metadata field names that our own files and common scrapers (news-please, trafilatura) use."""
from __future__ import annotations

import itertools
import re
import urllib.parse
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
# How much of a list or mapping in one field is read: authors as a list of names or of {"name": ...} objects.
_MAX_DEPTH = 2
_MAX_ITEMS = 1000


def as_text(value: Any, depth: int = 0) -> str | None:
    """A field's value as a string; lists (authors) joined with ', '; None and empty values as None.

    Only so much structure is read (``_MAX_DEPTH`` levels, ``_MAX_ITEMS`` items a list), so that YAML aliases
    that nest a list in itself a few times ("billion laughs") cannot blow a field up to gigabytes."""
    if value is None or isinstance(value, (bool, bytes, bytearray)):
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        if depth >= _MAX_DEPTH:
            return None
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        parts = [as_text(v, depth + 1) for v in itertools.islice(items, _MAX_ITEMS)]
        joined = ", ".join(p for p in parts if p)
        return joined or None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return as_text(value.get("name"), depth + 1) if depth < _MAX_DEPTH else None
    text = str(value).strip()
    return text or None


def pick(record: Mapping[str, Any], name: str) -> str | None:
    """The first non-empty value among the aliases of ``name``."""
    for key in ALIASES[name]:
        given = record.get(key)
        value = as_text(given) if given is not None else None
        if value:
            return value
    return None


# An absolute http(s) address: scheme, '//', a host; no spaces, controls or characters that end an attribute.
_URL_CHAR = r"[^\x00-\x20\x7f-\x9f\s<>\"`\\]"
_WEB_URL = re.compile(rf"https?://(?:(?![/?#']){_URL_CHAR})+(?:[/?#]{_URL_CHAR}*)?", re.I)


def web_url(value: str | None) -> str | None:
    """``value`` where it is an absolute http or https address (surrounding spaces removed), else None.

    Everything a browser could run or that points elsewhere is refused: javascript:, data:, vbscript:, file:,
    relative and protocol-relative links, and addresses with spaces or control characters inside, which browsers
    drop and so would let 'java<TAB>script:' through."""
    if value is None:
        return None
    value = value.strip()
    if not _WEB_URL.fullmatch(value):
        return None
    try:  # what later stages take apart must come apart: a broken IPv6 host or port raises in urllib
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError:
        return None
    return value if parts.hostname else None
