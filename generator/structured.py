"""Structured data for search engines and link previews: schema.org JSON-LD (NewsArticle per story page, ItemList
on the front page). Plain dicts; render turns them into safe <script> content."""
from __future__ import annotations

from datetime import datetime

from generator.model import Article, Story
from generator.site import Site, http_url, story_path
from generator.summarize import Digest

CONTEXT = "https://schema.org"


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _link(site: Site, path: str, root: str) -> str:
    """Absolute where the site's address is known, else relative to the page."""
    return site.absolute(path) if site.base_url else root + path


def _source(article: Article) -> dict:
    data: dict = {"@type": "NewsArticle", "headline": article.title}
    if http_url(article.url):
        data["url"] = http_url(article.url)
    if article.published:
        data["datePublished"] = article.published_iso
    if article.language:
        data["inLanguage"] = article.language
    if article.outlet:
        data["publisher"] = {"@type": "Organization", "name": article.outlet.name}
    return data


def news_article(site: Site, story: Story, digest: Digest) -> dict:
    """The story as a NewsArticle that is based on its source articles."""
    data: dict = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "headline": digest.headline.title,
        "description": " ".join(s.text for s in digest.summary) or story.lead,
        "inLanguage": site.language,
        "publisher": {"@type": "Organization", "name": site.title},
        "isBasedOn": [_source(a) for a in story.articles],
    }
    if story.first_published:
        data["datePublished"] = _iso(story.first_published)
        data["dateModified"] = _iso(story.last_published)
    if site.base_url:
        data["url"] = site.absolute(story_path(story))
    mentions = ([{"@type": "Person", "name": p} for p in digest.named.people]
                + [{"@type": "Place", "name": p} for p in digest.named.places])
    if mentions:
        data["mentions"] = mentions
    return data


def item_list(site: Site, stories: tuple[Story, ...], digests: dict[str, Digest], root: str = "") -> dict:
    """The stories of one front page as an ItemList, in the page's order."""
    return {
        "@context": CONTEXT,
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": digests[s.id].headline.title,
             "url": _link(site, story_path(s), root)}
            for n, s in enumerate(stories, 1)
        ],
    }
