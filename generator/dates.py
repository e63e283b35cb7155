"""Publication dates: an explicit field parsed strictly, and the page's own date found in its text.

Numeric German and ISO forms, month names (generator/data/dates.toml), times with 'Uhr', time zones. A date
without a year is no date: a year is never guessed. Reader comments are never read for the date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from generator.knowledge import Knowledge

_TIME = r"(?:,?\s*(?:um\s*|at\s*|-\s*|\|\s*)?(?P<hour>[01]?\d|2[0-3])[:.h](?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?\s*(?:uhr|h\b)?(?:\s*(?P<ampm>[ap]\.?m\.?))?)?"
_ZONE = r"(?:\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|MESZ|MEZ|CEST|CET|UTC|GMT)\b)?"
_NUMERIC = rf"(?<![\d.])(?P<day>[0-3]?\d)\.\s?(?P<month>[01]?\d)\.\s?(?P<year>(?:19|20)\d\d)(?![\d:]){_TIME}{_ZONE}"
_SHORT_YEAR = rf"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>\d\d)(?![\d.:]){_TIME}{_ZONE}"
_ISO = (r"\b(?P<year>(?:19|20)\d\d)[-/](?P<month>[01]\d)[-/](?P<day>[0-3]\d)"
        r"(?:[T ](?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d)(?:\.\d+)?)?)?" + _ZONE)
_ZONE_OFFSETS = {"MEZ": 60, "CET": 60, "MESZ": 120, "CEST": 120, "UTC": 0, "GMT": 0, "Z": 0}


@dataclass(frozen=True, slots=True)
class Found:
    """A date in the text: when, whether it has a time of day, and where."""

    when: datetime
    has_time: bool
    line: int
    start: int  # character offset in the line
    end: int


@lru_cache(maxsize=8)
def _patterns(months: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    names = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    day_first = (rf"(?<![\d.])(?P<day>[0-3]?\d)\.?\s*(?P<mname>{names})\.?,?\s+(?P<year>(?:19|20)\d\d)(?!\d)"
                 rf"{_TIME}{_ZONE}")
    month_first = (rf"\b(?P<mname>{names})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)(?!\d)"
                   rf"{_TIME}{_ZONE}")
    return tuple(re.compile(p, re.I) for p in (_NUMERIC, _ISO, day_first, month_first, _SHORT_YEAR))


def _zone(name: str | None, default: str) -> timezone | ZoneInfo:
    if not name:
        return ZoneInfo(default)
    upper = name.upper()
    if upper in _ZONE_OFFSETS:
        return timezone(timedelta(minutes=_ZONE_OFFSETS[upper]))
    sign = -1 if name[0] == "-" else 1
    digits = name[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _from_match(match: re.Match[str], know: Knowledge, zone: str) -> tuple[datetime, bool] | None:
    parts = match.groupdict()
    month = int(parts["month"]) if parts.get("month") else know.months.get(parts["mname"].lower().rstrip("."))
    if month is None:
        return None
    hour = int(parts["hour"]) if parts.get("hour") else 0
    if parts.get("ampm") and parts["ampm"].lower().startswith("p") and hour < 12:
        hour += 12
    try:
        when = datetime(_full_year(parts["year"]), month, int(parts["day"]), hour, int(parts.get("minute") or 0),
                        int(parts.get("second") or 0), tzinfo=_zone(parts.get("zone"), zone))
    except ValueError:
        return None
    return when, parts.get("hour") is not None


def _full_year(year: str) -> int:
    """'15' -> 2015, '98' -> 1998; four digits as they are."""
    number = int(year)
    if len(year) > 2:
        return number
    return 2000 + number if number < 70 else 1900 + number


def dates_in(text: str, line: int, know: Knowledge, zone: str) -> list[Found]:
    """Every full date (day, month and year) in one line of text."""
    found: list[Found] = []
    for pattern in _patterns(tuple(know.months)):
        for match in pattern.finditer(text):
            if any(f.start <= match.start() < f.end for f in found):
                continue
            parsed = _from_match(match, know, zone)
            if parsed is not None:
                found.append(Found(parsed[0], parsed[1], line, match.start(), match.end()))
    return found


_YEAR = re.compile(r"(?:19|20)\d\d|\d\.\d{1,2}\.\d\d")


def dates_by_line(texts: list[str], know: Knowledge, zone: str) -> list[list[Found]]:
    """The full dates of every line (most lines have none: only those with a year are looked at)."""
    return [dates_in(text, i, know, zone) if _YEAR.search(text) else [] for i, text in enumerate(texts)]


def is_dateline(text: str, found: list[Found], slack: int = 30) -> bool:
    """A line that holds little but a date ("Stand: 18.09.2015 18:35 Uhr", "18.09.2015, 22:08 Uhr")."""
    return bool(found) and len(text) - sum(f.end - f.start for f in found) <= slack


def parse_explicit(value: str, know: Knowledge, zone: str) -> tuple[datetime, bool] | None:
    """A date field as a file states it; None where it cannot be read or lacks a day, month or year."""
    value = value.strip()
    found = dates_in(value, 0, know, zone)
    if found and found[0].start == 0:
        return _usable((found[0].when, found[0].has_time))
    return _usable(_dateutil(value, zone))


def _usable(parsed: tuple[datetime, bool] | None) -> tuple[datetime, bool] | None:
    """The date, unless its UTC offset is one that datetime cannot compute with (24 hours or more)."""
    if parsed is None:
        return None
    try:
        parsed[0].utcoffset()
        parsed[0].timestamp()
    except (ValueError, OverflowError):
        return None
    return parsed


def _dateutil(value: str, zone: str) -> tuple[datetime, bool] | None:
    """RFC 822 and other forms through dateutil, refusing any result it had to complete from its defaults."""
    try:
        one = dateparser.parse(value, default=datetime(2001, 1, 1, 0, 0, 0), dayfirst=True)
        two = dateparser.parse(value, default=datetime(2002, 2, 2, 1, 1, 1), dayfirst=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if (one.year, one.month, one.day) != (two.year, two.month, two.day):
        return None
    has_time = one.hour == two.hour and one.minute == two.minute
    when = one if has_time else one.replace(hour=0, minute=0, second=0)
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(zone))
    return when, has_time


@dataclass(frozen=True, slots=True)
class Layout:
    """Where things are in a page dump, by line index: the headline, the article's first and end line."""

    title: int
    start: int
    end: int


_MIN_SCORE = 3  # a date with less evidence than this is left out: unknown is better than wrong
_LABEL_REACH = 30  # characters before a date in which a label ("Stand:") counts
_AFTER_END_LINES = 12
_RANGE = re.compile(r"^\s*(-|–|bis)\s*\d|(-|–|bis)\s*$")
_BYLINE = re.compile(r"\b(von|by|autor|autorin)\b", re.I)
_LIST_REACH = 3
_LIST_PENALTY = 2
_HEADLINE_PENALTY = 3  # a date in the headline (as the browser title repeats it) is the subject's
_FAR_ABOVE_TITLE = 8
_ABOVE_TITLE = 3  # lines above the headline where a dateline still counts as the headline's


def _labelled(text: str, found: Found, labels: tuple[str, ...]) -> bool:
    """Whether one of ``labels`` stands as a word just before the date ("Stand: ...", not "Vorstandssitzung")."""
    before = text[max(0, found.start - _LABEL_REACH):found.start]
    return bool(_label_pattern(labels).search(before))


@lru_cache(maxsize=8)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(label) for label in labels) + r")\b", re.I)


def _score(text: str, found: Found, layout: Layout, know: Knowledge, running_text: bool,
           dates: list[list[Found]]) -> int:
    """How surely this date is the page's own: a label, a line of its own, near the headline, a time; less in
    a list of dates, a range, running text, or after the article."""
    if _labelled(text, found, know.update_labels):
        score = -3
    else:
        score = 4 if _labelled(text, found, know.date_labels) else 0
    if len(text) - (found.end - found.start) <= 45:
        score += 2
    if running_text:
        score -= 0 if found.line <= layout.start + 2 else 3
    elif found.line == layout.title or (found.line == 0 and len(text) - (found.end - found.start) > 20):
        pass  # a date in the headline (or the browser title) is what the article is about
    elif layout.title < found.line <= layout.start + 2:
        score += 2 + (1 if _first_after(dates, layout.title, found) else 0)
    elif layout.title - _ABOVE_TITLE <= found.line < layout.title:
        score += 1
    elif layout.title - _FAR_ABOVE_TITLE <= found.line < layout.title:
        score += 0 if _weekday_first(text, know) else 1  # "Mittwoch, 1. November 2023" up there is the clock
    elif layout.start + 2 < found.line < layout.end:
        score -= 1
    elif found.line >= layout.end:
        score -= 1
    if _RANGE.search(text[found.end:found.end + 6]) or _RANGE.search(text[max(0, found.start - 6):found.start]):
        score -= 3
    if _BYLINE.search(text):
        score += 1
    return score + (1 if found.has_time else 0)


def _weekday_first(text: str, know: Knowledge) -> bool:
    first = text.split(",")[0].split()[0].lower().rstrip(".,") if text.split() else ""
    return first in know.weekdays


def _first_after(dates: list[list[Found]], title: int, found: Found) -> bool:
    """Whether ``found`` is the first date at or below the headline."""
    first = next((f for line in dates[max(title, 0):found.line + 1] for f in line), None)
    return first is found


def _in_list(dated: list[bool], line: int) -> bool:
    """A date among other dated lines (not sentences) around it belongs to a list (comments, events, related
    posts)."""
    near = sum(1 for i in range(max(0, line - _LIST_REACH), min(len(dated), line + _LIST_REACH + 1))
               if i != line and dated[i])
    return near >= 2


def page_date(texts: list[str], dates: list[list[Found]], running: list[bool], layout: Layout,
              know: Knowledge) -> Found | None:
    """The page's own publication date among its lines (``dates``: found per line), or None where no date is
    sure enough. ``running`` marks lines of running text (a date in a sentence is seldom the page's)."""
    best, best_score = None, _MIN_SCORE - 1
    dated = [bool(found) and not run for found, run in zip(dates, running)]
    for i, text in enumerate(texts[:layout.end + _AFTER_END_LINES]):
        for found in dates[i]:
            if i >= layout.end and not _labelled(text, found, know.date_labels):
                continue
            score = _score(text, found, layout, know, running[i], dates)
            score -= _LIST_PENALTY if _in_list(dated, i) else 0
            score -= _HEADLINE_PENALTY if i > 0 and text.lower() in texts[0].lower() else 0
            if score > best_score:
                best, best_score = found, score
    return best
