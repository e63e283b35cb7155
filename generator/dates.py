"""Dates as text writes them: an explicit field parsed strictly, and every full date in a line of a page.

Numeric German, slashed and ISO forms, month names (generator/data/dates.toml), two-digit years, times with
'Uhr' or am/pm, time zones. A date without a year is no date: a year is never guessed. Which of a page's dates
is its own is generator/pagedate.py's choice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from generator.knowledge import Knowledge, derived

# "Uhr" and "am"/"pm" only as words of their own: a dump runs "15:30 UhrAm 8. Spieltag" together.
_TIME = (r"(?:,?\s*(?:um\s*|at\s*|-\s*|\|\s*)?(?P<hour>[01]?\d|2[0-3])[:.h](?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?"
         r"(?:\s*(?-i:[Uu]hr|UHR)(?![^\W\d_])|\s*h\b)?(?:\s*(?P<ampm>(?-i:[ap]\.?m\.?|[AP]\.?M\.?))(?![^\W\d_]))?)?")
_ZONE = r"(?:\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|MESZ|MEZ|CEST|CET|UTC|GMT)\b)?"
# A date starts after no digit, or right after a year or a time of day that ends another date ("6. November
# 20236. November 2023", "2018-06-22 10:20:0022.06.2018": a page's dates run together where the dump lost the
# markup between them).
_START = r"(?:(?<![\d.])|(?<=(?:19|20)\d\d)|(?<=\d\d:\d\d))"
# A four-digit year ends at a non-digit, or where the next date begins ("201914. Januar", "202104.03.").
_YEAR_END = r"(?:(?!\d)|(?=[0-3]?\d\.\s?(?:[^\W\d_]|[01]?\d\.)))"
_NUMERIC = (rf"{_START}(?P<day>[0-3]?\d)\.\s?(?P<month>[01]?\d)\.\s?(?P<year>(?:19|20)\d\d){_YEAR_END}(?!:)"
            rf"{_TIME}{_ZONE}")
_SHORT_YEAR = rf"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>\d\d)(?![\d.:]){_TIME}{_ZONE}"
# 26/12/2019, 30/10/23: day first as in Europe; read month first only where the page says so (see _slash_order)
_SLASHED = (rf"(?<![\d/.])(?P<first>[0-3]?\d)/(?P<other>[0-3]?\d)/(?P<year>(?:19|20)\d\d|\d\d)(?![\d/])"
            rf"{_TIME}{_ZONE}")
_ISO = (r"(?<![\d.-])(?P<year>(?:19|20)\d\d)[-/](?P<month>[01]\d)[-/](?P<day>[0-3]\d)"
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


# For each form, in the order of _patterns, a quick test that every date of that form passes (its digits and
# separators without the look-arounds and month names that make the full pattern slow to scan a long line).
_QUICK = tuple(re.compile(p, re.I) for p in (
    r"\d\.\s?\d{1,2}\.\s?(?:19|20)\d\d",  # 18.09.2015
    r"(?:19|20)\d\d[-/][01]\d[-/][0-3]\d",  # 2015-09-18
    r"\d\.?\s*[^\W\d_]{3,}\.?,?\s+(?:(?:19|20)\d\d|[’'‘]\d\d)",  # 18. September 2015
    r"\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d",  # September 18, 2015
    r"\d\.[^\W\d_]{3,}\.\d\d",  # 03.Mär.19
    r"\d\.\d{1,2}\.\d\d",  # 18.09.15
))
_QUICK_SLASHED = re.compile(r"\d/\d{1,2}/\d\d")  # 18/09/2015
_QUICK += (_QUICK_SLASHED,)
# Any of them: most lines with a year hold no date of any form (every quick test opens with a digit).
_ANY_QUICK = re.compile(r"(?=\d)(?:" + "|".join(q.pattern for q in _QUICK) + ")", re.I)


@lru_cache(maxsize=8)
def _patterns(months: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    if not all(m.isalpha() and len(m) >= 3 for m in months):  # what _QUICK assumes of a month name
        raise ValueError("month names are words of three letters or more")
    names = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    day_first = (rf"{_START}(?P<day>[0-3]?\d)\.?\s*(?P<mname>{names})\.?,?\s+"
                 rf"(?P<year>(?:19|20)\d\d{_YEAR_END}|[’'‘]\d\d(?!\d)){_TIME}{_ZONE}")
    compact = rf"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<mname>{names})\.(?P<year>\d\d)(?![\d.:]){_TIME}{_ZONE}"  # 03.Mär.19
    month_first = (rf"(?<![^\W\d_])(?P<mname>{names})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+"
                   rf"(?P<year>(?:19|20)\d\d){_YEAR_END}{_TIME}{_ZONE}")
    return tuple(re.compile(p, re.I) for p in (_NUMERIC, _ISO, day_first, month_first, compact, _SHORT_YEAR, _SLASHED))


def _known_patterns(know: Knowledge) -> tuple[re.Pattern[str], ...]:
    return _patterns(tuple(know.months))


@lru_cache(maxsize=64)  # a page's dates, and a corpus's, share a few zones; a timezone is immutable
def _zone(name: str | None, default: str) -> timezone | ZoneInfo:
    if not name:
        return ZoneInfo(default)
    upper = name.upper()
    if upper in _ZONE_OFFSETS:
        return timezone(timedelta(minutes=_ZONE_OFFSETS[upper]))
    sign = -1 if name[0] == "-" else 1
    digits = name[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _day_month(parts: dict[str, str | None], know: Knowledge, order: str | None) -> list[tuple[int, int]]:
    """The readings of day and month: a slashed date as the page orders them (``order`` "dm" or "md"), the one
    reading that is a date (30/10/2019, 10/30/2019), or none where both are and the page does not say."""
    if parts.get("first"):
        first, other = int(parts["first"] or 0), int(parts["other"] or 0)
        readings = [(first, other), (other, first)]  # (day, month): day first, month first
        if order is None and first != other and max(first, other) <= 12:
            return []
        return readings[::-1] if order == "md" else readings
    month = int(parts["month"]) if parts.get("month") else know.months.get((parts["mname"] or "").lower().rstrip("."))
    return [(int(parts["day"] or 0), month)] if month else []


def _from_match(match: re.Match[str], know: Knowledge, zone: str,
                order: str | None = None) -> tuple[datetime, bool] | None:
    parts = match.groupdict()
    hour = int(parts["hour"]) if parts.get("hour") else 0
    if parts.get("ampm") and parts["ampm"].lower().startswith("p") and hour < 12:
        hour += 12
    for day, month in _day_month(parts, know, order):
        try:
            when = datetime(_full_year(parts["year"]), month, day, hour, int(parts.get("minute") or 0),
                            int(parts.get("second") or 0), tzinfo=_zone(parts.get("zone"), zone))
        except ValueError:
            continue
        return when, parts.get("hour") is not None
    return None


def _full_year(year: str) -> int:
    """'15' and '’15' -> 2015, '98' -> 1998; four digits as they are."""
    year = year.lstrip("’'‘")
    number = int(year)
    if len(year) > 2:
        return number
    return 2000 + number if number < 70 else 1900 + number


_SLASHED_PAIR = re.compile(r"(?<![\d/.])([0-3]?\d)/([0-3]?\d)/(?:19|20)?\d\d(?![\d/])")


def slash_order(texts: list[str]) -> str | None:
    """How a page orders day and month in slashed dates: "dm" where some can only be read day first (30/10/2019)
    and none only month first, "md" the other way round, None where its dates do not tell."""
    pairs = [(int(a), int(b)) for text in texts if "/" in text and _QUICK_SLASHED.search(text)
             for a, b in _SLASHED_PAIR.findall(text)]
    day_first = any(a > 12 >= b for a, b in pairs)
    month_first = any(b > 12 >= a for a, b in pairs)
    return None if day_first == month_first else "dm" if day_first else "md"


def dates_in(text: str, line: int, know: Knowledge, zone: str, order: str | None = None) -> list[Found]:
    """Every full date (day, month and year) in one line of text; ``order`` is how the page orders day and month
    in slashed dates (see slash_order)."""
    found: list[Found] = []
    if not _ANY_QUICK.search(text):
        return found
    for quick, pattern in zip(_QUICK, derived(know, _known_patterns)):
        if not quick.search(text):
            continue
        for match in pattern.finditer(text):
            if any(f.start <= match.start() < f.end for f in found):
                continue
            parsed = _from_match(match, know, zone, order)
            if parsed is not None:
                found.append(Found(parsed[0], parsed[1], line, match.start(), match.end()))
    return found


# A year of some form: 2015, 18.09.15, 18/09/15, Mär.19, ’15, that is "(?:19|20)\d\d|\d[./]\d{1,2}[./]\d\d|
# \.\d\d(?<=[^\W\d_]\.\d\d)|[’'‘]\d\d", written so that it opens with a digit (every alternative has one, and
# they are rarer than dots), which the regex engine skips to fast; the alternatives that start before it look back.
# Only whether a line has one is asked.
_YEAR = re.compile(r"\d(?:(?<=1)9\d\d|(?<=2)0\d\d|[./]\d{1,2}[./]\d\d|\d(?<=[^\W\d_]\.\d\d)|\d(?<=[’'‘]\d\d))")


def dates_by_line(texts: list[str], know: Knowledge, zone: str) -> list[list[Found]]:
    """The full dates of every line (most lines have none: only those with a year are looked at)."""
    order = slash_order(texts)
    return [dates_in(text, i, know, zone, order) if _YEAR.search(text) else [] for i, text in enumerate(texts)]


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
