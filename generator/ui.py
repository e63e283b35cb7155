"""The site's interface language: labels and date formats from data/ui.toml."""
from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable
from typing import Any
from dataclasses import dataclass
from datetime import date as CalendarDay, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

FALLBACK = "en"


@cache
def _tables() -> dict[str, dict]:
    text = resources.files("generator.data").joinpath("ui.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def site_language(configured: str, article_languages: Iterable[str | None]) -> str:
    """The configured language, or with 'auto' the most common article language we have labels for."""
    if configured != "auto":
        return configured
    counts = Counter(lang for lang in article_languages if lang in _tables())
    return min(counts, key=lambda lang: (-counts[lang], lang)) if counts else FALLBACK


@dataclass(frozen=True, slots=True)
class UI:
    """Labels and date formatting for one language, in one display time zone."""

    language: str
    zone: str

    @property
    def labels(self) -> dict[str, str]:
        return _tables().get(self.language, _tables()[FALLBACK])

    def label(self, key: str) -> str:
        return self.labels.get(key) or _tables()[FALLBACK][key]

    def local(self, when: datetime) -> datetime:
        return when.astimezone(ZoneInfo(self.zone))

    def date(self, when: datetime | None, with_time: bool = False) -> str:
        """'18. September 2015' or with time '18. September 2015, 18:35 Uhr', in the display time zone."""
        if when is None:
            return self.label("date_unknown")
        t = self.local(when)
        text = self.day(t.date())
        if with_time:
            text += ", " + self.labels["time_format"].format(hour=f"{t.hour:02d}", minute=f"{t.minute:02d}")
        return text

    def count(self, n: int, singular: str, plural: str) -> str:
        return f"{self.number(n)} {self.label(singular if n == 1 else plural)}"

    def number(self, value: float, digits: int = 0) -> str:
        """'1,234.5' or '1.234,5': grouped and with the decimal mark of the language."""
        text = f"{value:,.{digits}f}"
        if self.label("decimal") == ",":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def day(self, when: CalendarDay | None) -> str:
        """A calendar day: '18. September 2015'."""
        if when is None:
            return self.label("date_unknown")
        labels = self.labels
        return labels["date_format"].format(day=when.day, month=labels["months"][when.month - 1], year=when.year)

    def day_range(self, first: datetime, last: datetime) -> tuple[str, str, str]:
        """(start, separator, end) of a span of days, shortened where month or year repeat:
        ('16.', '–', '18. September 2015'); start and separator are empty for a single day."""
        a, b = self.local(first).date(), self.local(last).date()
        end = self.day(b)
        if a == b:
            return "", "", end
        labels = self.labels
        month = labels["months"][a.month - 1]
        if (a.year, a.month) == (b.year, b.month):
            return labels["range_same_month"].format(day=a.day), "–", end
        if a.year == b.year:
            return labels["range_same_year"].format(day=a.day, month=month), " – ", end
        return self.day(a), " – ", end

    @property
    def locale(self) -> str:
        """For OpenGraph: 'de_DE', 'en_US'."""
        return self.labels.get("locale", self.language)

    def article_time(self, article: Any) -> Markup:
        """An article's date as the pages show it: a <time> element (article_date), marked "(?)" where the date
        was inferred; else the label for an unknown date. One call per article (pages show many)."""
        if not article.published:
            return escape(self.label("date_unknown"))
        html = (f'<time datetime="{escape(article.published_iso)}">'
                f'{escape(self.article_date(article.published, article.published_has_time))}</time>')
        if article.published_inferred:
            html += f' <abbr title="{escape(self.label("date_inferred"))}">(?)</abbr>'
        return Markup(html)

    def article_date(self, when: datetime | None, has_time: bool) -> str:
        """An article's date: with the time where it is known; a date-only value is shown as the day it names."""
        if when is not None and not has_time:
            return self.date(when.replace(tzinfo=None).replace(tzinfo=ZoneInfo(self.zone)))
        return self.date(when, with_time=has_time)
