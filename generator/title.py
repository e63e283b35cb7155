"""The headline of a page dump, its kicker (Dachzeile) and the site name that the browser title carries.

A saved page usually opens with the browser title ("Headline | Site"), and shows the headline again above the
article, often with better typography. The headline is the line the page repeats; where it does not, the
first line that is not furniture, less a site name split off at a separator.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from generator.clean import Line, fold

_SEPARATOR = re.compile(r"\s+(?:\||–|—|-|::|·|»|/|•)\s+")
_MAX_TITLE_WORDS = 40
_KICKER_MAX_WORDS = 5
_NEAR_MATCH = 0.6


@dataclass(frozen=True, slots=True)
class Title:
    text: str
    index: int  # the line it was read from, -1 where none
    kicker: str | None = None
    site: str | None = None  # the site name split off the browser title, where there is one


def split_site(text: str) -> tuple[str, str | None]:
    """'Headline | Site' -> ('Headline', 'Site'): the longest part is the headline."""
    parts = [p for p in _SEPARATOR.split(text) if p.strip()]
    if len(parts) < 2:
        return text, None
    head = max(parts, key=len)
    others = [p for p in parts if p is not head]
    site = others[-1] if parts[-1] is not head else others[0]
    return head, site if len(site.split()) <= 6 else None


def _first_candidate(lines: list[Line], start: int) -> int:
    """The first line that is not furniture and could be a headline."""
    for i, line in enumerate(lines[:max(start, 1)]):
        if line.rule is None and 1 <= line.words <= _MAX_TITLE_WORDS:
            return i
    return 0 if lines else -1


def _overlap(a: str, b: str) -> float:
    words_a, words_b = set(a.split()), set(b.split())
    if not words_a or not words_b:
        return 0.0
    return len(words_a & words_b) / max(len(words_a), len(words_b))


def _repeat_of(lines: list[Line], first: int, start: int, keys: tuple[str, ...]) -> int | None:
    """The line after ``first`` that repeats the browser title or its headline part: the exact repeat nearest
    above the article, else the closest near-repeat."""
    exact: list[int] = []
    best, best_score = None, _NEAR_MATCH
    for i in range(first + 1, min(len(lines), start + 3)):
        line = lines[i]
        if line.rule is not None or line.words > _MAX_TITLE_WORDS:
            continue
        if line.key in keys:
            exact.append(i)
            continue
        score = max(_overlap(line.key, key) for key in keys)
        if score > best_score:
            best, best_score = i, score
    return exact[-1] if exact else best


def _kicker(lines: list[Line], index: int, counts: dict[str, int]) -> str | None:
    if index < 1:
        return None
    line = lines[index - 1]
    if line.rule is not None or not 1 <= line.words <= _KICKER_MAX_WORDS or line.sentence:
        return None
    if counts.get(line.key, 0) > 1 or any(ch.isdigit() for ch in line.text):
        return None
    return line.text


def find_title(lines: list[Line], start: int, counts: dict[str, int]) -> Title:
    """The headline among the lines of a page dump whose article begins at ``start``."""
    first = _first_candidate(lines, start)
    if first < 0:
        return Title("", -1)
    head, site = split_site(lines[first].text)
    keys = tuple(k for k in (lines[first].key, fold(head)) if k)
    repeat = _repeat_of(lines, first, start, keys)
    if repeat is not None:
        return Title(lines[repeat].text, repeat, _kicker(lines, repeat, counts), site)
    return Title(head, first, None, site)
