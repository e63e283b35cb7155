"""Dates worked out across the articles of a story, run by the build after grouping.

An undated article that says its event happened "am Freitag" / "on Friday" gets the date of that weekday
relative to the dated reports of its own story: the nearest such weekday on or before the latest dated report,
no more than a week before the earliest one. Such a date is marked inferred and carries no time of day.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from generator.config import Config
from generator.knowledge import Knowledge, knowledge
from generator.model import Article, Story
from generator.story import make_story

_WEEK = 7
_PARTS_OF_DAY = r"(?:abend|morgen|nachmittag|vormittag|mittag|nacht|früh)?"


@lru_cache(maxsize=4)
def _weekday_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(rf"\b(?:am|on|last|this|(?:am )?(?:vergangenen|letzten|diesen))\s+({alternatives}){_PARTS_OF_DAY}\b",
                      re.I)


def weekdays_said(text: str, know: Knowledge) -> Counter[int]:
    """How often the text names each weekday as the day something happened ("am Freitag", "on Friday")."""
    pattern = _weekday_pattern(tuple(know.weekdays))
    return Counter(know.weekdays[m.group(1).lower()] for m in pattern.finditer(text))


def _day_before(reference: date, weekday: int) -> date:
    return reference - timedelta(days=(reference.weekday() - weekday) % _WEEK)


def inferred_day(article: Article, dated: list[date], know: Knowledge) -> date | None:
    """The day the article's weekday refers to among the story's dated reports, or None."""
    said = weekdays_said(article.title + "\n" + article.text, know)
    if not said or not dated:
        return None
    latest, earliest = max(dated), min(dated)
    top = max(said.values())
    candidates = [_day_before(latest, weekday) for weekday, count in said.items() if count == top]
    day = max(candidates)  # on a tie, the day nearest the reports
    return day if day >= earliest - timedelta(days=_WEEK) else None


def _infer_story(story: Story, know: Knowledge, zone: ZoneInfo) -> Story:
    dated = [a.published.astimezone(zone).date() for a in story.articles if a.published is not None]
    if not dated or len(dated) == len(story.articles):
        return story
    articles: list[Article] = []
    for article in story.articles:
        day = inferred_day(article, dated, know) if article.published is None else None
        if day is not None:
            article = replace(article, published=datetime(day.year, day.month, day.day, tzinfo=zone),
                              published_has_time=False, published_inferred=True)
        articles.append(article)
    if articles == list(story.articles):
        return story
    return make_story(articles, story.links, story.shared_terms, story.copies)


def infer_dates(stories: tuple[Story, ...], config: Config) -> tuple[Story, ...]:
    """The stories, with undated articles dated from their weekdays where their story allows it."""
    if all(a.published is not None for story in stories for a in story.articles):
        return stories  # (and the knowledge, ~0.1 s to load, is not needed)
    know = knowledge(config.normalize)
    zone = ZoneInfo(config.normalize.timezone)
    return tuple(_infer_story(story, know, zone) for story in stories)
