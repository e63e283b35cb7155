"""The site as a whole: what every page, feed and data file needs to know, and where a story lives."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator import __version__
from generator.config import Config
from generator.model import Story
from generator.ui import UI, site_language


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


def story_path(story: Story) -> str:
    """Folder of a story's page, relative to the site root, with a trailing slash."""
    return f"stories/{story.slug}/"


def make_site(stories: tuple[Story, ...], config: Config, now: datetime) -> Site:
    language = site_language(config.language, (a.language for s in stories for a in s.articles))
    base = config.base_url.rstrip("/") + "/" if config.base_url else ""
    return Site(config.site_title, config.description, language, base, now, UI(language, config.timezone))


def front_page_order(stories: tuple[Story, ...]) -> tuple[Story, ...]:
    """Newest first by each story's newest article; undated stories after dated ones; ties by id."""
    return tuple(sorted(stories, key=lambda s: (s.last_published is None,
                                                -(s.last_published.timestamp() if s.last_published else 0.0), s.id)))


