"""Markdown with YAML front matter (.md, .markdown), the way Hugo, Jekyll and Pelican users write it."""
from __future__ import annotations

import re

import yaml

from generator.model import Problem, RawArticle
from generator.readers.fields import pick

# Longest front matter read, in characters: real ones are a few lines; YAML is slow on megabytes.
MAX_FRONT_MATTER = 100_000
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter source or None, body)."""
    match = _FRONT.match(text)
    if not match:
        return None, text
    return match.group(1) or "", text[match.end():]


def read(text: str, path: str) -> list[RawArticle | Problem]:
    if not text.strip():
        return [Problem(path, "empty file")]
    front, body = split_front_matter(text)
    meta: dict = {}
    if front is not None:
        if len(front) > MAX_FRONT_MATTER:
            return [Problem(path, f"too long ({len(front):,} characters; the limit is {MAX_FRONT_MATTER:,})",
                            field="front matter")]
        try:
            loaded = yaml.safe_load(front)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark else ""
            return [Problem(path, f"invalid YAML{where}", field="front matter")]
        except RecursionError:
            return [Problem(path, "YAML nested too deeply", field="front matter")]
        except (ValueError, OverflowError):  # a date or number that YAML reads but Python cannot hold
            return [Problem(path, "invalid YAML (a date or number out of range)", field="front matter")]
        if loaded is not None and not isinstance(loaded, dict):
            return [Problem(path, f"must be a mapping, not {type(loaded).__name__}", field="front matter")]
        meta = loaded or {}
    if not pick(meta, "title") and not body.strip():
        return [Problem(path, "neither title nor text")]
    return [RawArticle(input=path, record=None, kind="markdown", body=body, title=pick(meta, "title"),
                       published=pick(meta, "published"), outlet=pick(meta, "outlet"), url=pick(meta, "url"),
                       author=pick(meta, "author"), language=pick(meta, "language"), id=pick(meta, "id"))]
