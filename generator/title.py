"""The headline of a page dump, its kicker (Dachzeile) and the site name that the browser title carries.

A saved page usually opens with the browser title ("Headline | Site"), and shows the headline again above the
article, often with better typography. The headline is the line the page repeats; where it does not, the
first line that is not furniture, less a site name split off at a separator.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from generator.lines import Line, fold

_SEPARATOR = re.compile(r"\s+(?:\||–|—|-|::|·|»|/|•)\s+")
_MAX_TITLE_WORDS = 40
_KICKER_MAX_WORDS = 5
_MIN_HEADLINE_WORDS = 3
_NEAR_MATCH = 0.6
_LOOK_UP_LINES = 8
_SHARED_WORDS = 0.3
_DATE_OR_BYLINE = re.compile(r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{1,2}:\d\d|^(von|by|autor|text)\b|\d{4}-\d\d-\d\d", re.I)


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
    at = max(range(len(parts)), key=lambda i: len(parts[i]))
    head = parts[at]
    site = parts[-1] if at != len(parts) - 1 else parts[0]
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
    """The line after ``first`` that repeats the browser title or its headline part, nearest above the
    article: an exact repeat, else one that contains it or is contained in it."""
    exact: list[int] = []
    containing: list[int] = []
    for i in range(first + 1, min(len(lines), start + 3)):
        line = lines[i]
        if line.rule is not None or line.words > _MAX_TITLE_WORDS or not line.key:
            continue
        if line.key in keys:
            exact.append(i)
        elif line.words >= 2 and any(key in line.key or line.key in key for key in keys if key):
            containing.append(i)
    return exact[-1] if exact else containing[-1] if containing else None


def _near_start(lines: list[Line], first: int, start: int, counts: dict[str, int], head: str) -> int | None:
    """The headline-like line closest above the article's first paragraph: not a sentence, not furniture,
    not a date or byline, not repeated elsewhere on the page (menus are), and sharing words with the browser
    title ``head``."""
    for i in range(start - 1, max(first, start - _LOOK_UP_LINES) - 1, -1):
        line = lines[i]
        if line.rule is not None or line.sentence or counts.get(line.key, 0) > 1:
            continue
        if _DATE_OR_BYLINE.search(line.text) or not 2 <= line.words <= _MAX_TITLE_WORDS:
            continue
        return i if i == first or _shared(line.key, head) >= _SHARED_WORDS else None
    return None


def _shared(a: str, b: str) -> float:
    words_a, words_b = set(a.split()), set(b.split())
    return len(words_a & words_b) / min(len(words_a), len(words_b)) if words_a and words_b else 0.0


def _fuzzy(lines: list[Line], first: int, start: int, keys: tuple[str, ...]) -> int | None:
    best, best_score = None, _NEAR_MATCH
    for i in range(first + 1, min(len(lines), start + 3)):
        line = lines[i]
        if line.rule is None and line.words <= _MAX_TITLE_WORDS:
            score = max((_overlap(line.key, key) for key in keys), default=0.0)
            if score > best_score:
                best, best_score = i, score
    return best


def _kicker(lines: list[Line], index: int, counts: dict[str, int]) -> str | None:
    """The short line right above the headline (Dachzeile): a few words, no sentence, no date, no separator,
    not repeated on the page (menus are) and not furniture."""
    if index < 1:
        return None
    line = lines[index - 1]
    if line.rule is not None or not 1 <= line.words <= _KICKER_MAX_WORDS or line.sentence:
        return None
    if counts.get(line.key, 0) > 1 or any(ch.isdigit() for ch in line.text) or not line.text[0].isalpha():
        return None
    return None if _SEPARATOR.search(line.text) else line.text


def _browser_headlines(text: str) -> set[str]:
    """The browser title folded, whole and without a site name at either end ('Patch Notes - Patchnotes 4.47.4 -
    Build | Forums' -> also 'patchnotes 4 47 4 build')."""
    parts = [p for p in _SEPARATOR.split(text) if p.strip()]
    n = len(parts)
    return {fold(" ".join(parts[i:j])) for i in (0, 1) for j in (n - 1, n) if j - i >= 1}


def split_kicker(text: str, lines: list[Line], index: int) -> tuple[str, str | None]:
    """A kicker set on the headline's own line with nothing but a space between them, split off where the
    browser title shows the rest as the headline: 'Immobilienkrise Rene Benko-Firma Signa in Sorge' ->
    ('Rene Benko-Firma Signa in Sorge', 'Immobilienkrise'). A headline that reads on across a separator
    ('Olympia 2022 - ...', 'Klimaschutz: ...') keeps it."""
    if not lines or index == 0:
        return text, None
    browser = _browser_headlines(lines[0].text)
    for space in re.finditer(r"\s+", text):
        before, rest = text[:space.start()], text[space.end():]
        if len(before.split()) > _KICKER_MAX_WORDS or len(fold(rest).split()) < _MIN_HEADLINE_WORDS:
            break
        if before[-1].isalnum() and rest[0].isupper() and fold(rest) in browser:
            return rest, before
    return text, None


def find_title(lines: list[Line], start: int, counts: dict[str, int]) -> Title:
    """The headline among the lines of a page dump whose article begins at ``start``."""
    first = _first_candidate(lines, start)
    if first < 0:
        return Title("", -1)
    head, site = split_site(lines[first].text)
    keys = tuple(k for k in (lines[first].key, fold(head)) if k)
    for found in (_repeat_of(lines, first, start, keys), _near_start(lines, first, start, counts, fold(head)),
                  _fuzzy(lines, first, start, keys)):
        if found is not None:
            text, kicker = split_kicker(_tidy(lines[found].text), lines, found)
            return Title(text, found, kicker or _kicker(lines, found, counts), site)
    text, kicker = split_kicker(_tidy(head), lines, first)
    return Title(text, first, kicker, site)


def _tidy(text: str) -> str:
    """A headline without separators left dangling at its ends ('|Headline' -> 'Headline')."""
    return text.strip(" |–—·•/") or text


def headline_anchor(lines: list[Line]) -> int:
    """Where the page shows its headline above the article: the first line after the browser title that
    repeats it; the first line where none does. The article comes after it."""
    first = _first_candidate(lines, 1)
    if first < 0:
        return 0
    head, _ = split_site(lines[first].text)
    keys = {lines[first].key, fold(head)}
    return next((i for i in range(first + 1, len(lines)) if lines[i].key in keys), first)
