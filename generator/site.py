"""The site as a whole: what every page, feed and data file needs to know, where each page lives, and the order
of the front page."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from generator import __version__
from generator.config import Config
from generator.model import Article, Story
from generator.story import slugify
from generator.ui import UI, site_language

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_HTTP = re.compile(r"https?://[^\s/?#]+", re.I)
_UNSAFE_IN_URL = re.compile(r'[\x00-\x20<>"]')  # control characters, space, and what would end an attribute


@dataclass(frozen=True, slots=True)
class Site:
    """What every page and feed knows about the site as a whole."""

    title: str
    description: str
    language: str
    base_url: str  # '' or ending in '/'
    generated: datetime
    ui: UI
    version: str = __version__

    def absolute(self, path: str) -> str:
        """``path`` (relative to the site root) as a link for feeds and the sitemap."""
        return self.base_url + path


@dataclass(frozen=True, slots=True)
class Section:
    """Stories of one day (the day of their newest report) on a front or archive page; day None: undated."""

    day: date | None
    stories: tuple[Story, ...]


def story_path(story: Story) -> str:
    """Folder of a story's page, relative to the site root, with a trailing slash."""
    return f"stories/{story.slug}/"


def outlet_slug(name: str) -> str:
    return f"{slugify(name)}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:4]}"


def outlet_path(name: str) -> str:
    return f"outlets/{outlet_slug(name)}/"


def archive_path(day: date) -> str:
    return f"archive/{day.isoformat()}/"


def anchor(article: Article) -> str:
    """The id of an article's place on its story page: 'a-<article id>' (hashed where the id is not URL-safe)."""
    if _SAFE_ID.fullmatch(article.id):
        return "a-" + article.id
    return "a-" + hashlib.sha256(article.id.encode("utf-8")).hexdigest()[:16]


def http_url(url: str | None) -> str | None:
    """``url`` where it is an absolute http(s) address that can safely be a link; None for anything else
    (javascript:, data:, relative, or with spaces or control characters)."""
    if not url:
        return None
    url = url.strip()
    if not _HTTP.match(url) or _UNSAFE_IN_URL.search(url):
        return None
    return url


def make_site(stories: tuple[Story, ...], config: Config, now: datetime) -> Site:
    language = site_language(config.language, (a.language for s in stories for a in s.articles))
    base = config.base_url.rstrip("/") + "/" if config.base_url else ""
    return Site(config.site_title, config.description, language, base, now, UI(language, config.timezone))


def story_day(site: Site, story: Story) -> date | None:
    """The day (in the display time zone) of the story's newest report."""
    return site.ui.local(story.last_published).date() if story.last_published else None


def front_page_order(site: Site, stories: tuple[Story, ...]) -> tuple[Story, ...]:
    """By day of the newest report, newest day first (undated stories last); within a day, broadest coverage
    first (distinct outlets, then reports), then newest; ties by id."""
    def key(s: Story) -> tuple:
        day = story_day(site, s)
        return (day is None, -(day.toordinal() if day else 0), -len(s.outlets), -len(s.articles),
                -(s.last_published.timestamp() if s.last_published else 0.0), s.id)
    return tuple(sorted(stories, key=key))


def sections(site: Site, ordered: tuple[Story, ...]) -> tuple[Section, ...]:
    """Consecutive stories of one day, in the order given."""
    out: list[Section] = []
    for story in ordered:
        day = story_day(site, story)
        if out and out[-1].day == day:
            out[-1] = Section(day, out[-1].stories + (story,))
        else:
            out.append(Section(day, (story,)))
    return tuple(out)


def outlets(stories: tuple[Story, ...]) -> dict[str, tuple[tuple[Story, Article], ...]]:
    """Outlet name -> its articles with their story, newest first; outlets by name."""
    found: dict[str, list[tuple[Story, Article]]] = {}
    for story in stories:
        for article in story.articles:
            if article.outlet is not None:
                found.setdefault(article.outlet.name, []).append((story, article))
    return {name: tuple(sorted(found[name], key=lambda pair: _newest_first(pair[1])))
            for name in sorted(found, key=str.casefold)}


def _newest_first(article: Article) -> tuple:
    when = article.published
    return (when is None, -(when.timestamp() if when else 0.0), article.id)
