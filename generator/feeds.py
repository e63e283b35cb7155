"""Feeds, made with feedgen: RSS 2.0 and Atom 1.0 of the whole site, and an Atom feed per story and per outlet.

A story entry's id is the story's id (a URN, the same across builds); its updated time is the story's newest
article, so it moves when the story gains articles. Entries carry the summary and the list of sources. A story's
own feed also has one entry per report, so a reader sees each new report. No wall clock: the build's ``now``
stamps the site-wide feeds; a story's or outlet's feed is stamped with its newest article.
"""
from __future__ import annotations

from datetime import datetime

from feedgen.feed import FeedGenerator
from markupsafe import Markup, escape

from generator.model import Article, OutputFile, Story
from generator.site import Site, anchor, http_url, outlet_path, outlets, story_path
from generator.summarize import Digest

FEED_ENTRIES = 100


def story_urn(story: Story) -> str:
    return f"urn:newsdigest:story:{story.id}"


def article_urn(article: Article) -> str:
    return f"urn:newsdigest:article:{article.id}"


def _outlet(site: Site, article: Article) -> str:
    return article.outlet.name if article.outlet else site.ui.label("outlet_unknown")


def _counts(site: Site, story: Story, digest: Digest) -> str:
    ui = site.ui
    return f"{ui.count(digest.reports, 'article', 'articles')}, {ui.count(len(story.outlets), 'outlet', 'outlets')}"


def summary_text(site: Site, story: Story, digest: Digest) -> str:
    """Plain text: the summary with its attributions, the counts, and every source."""
    lines = [f"{s.text} ({', '.join(_outlet(site, a) for a in s.sources)})" for s in digest.summary] or [story.lead]
    sources = "; ".join(f"{_outlet(site, a)}: {a.title}" for a in story.articles)
    return " ".join(lines) + f"\n\n{_counts(site, story, digest)}. {site.ui.label('sources')}: {sources}"


def summary_html(site: Site, story: Story, digest: Digest) -> str:
    """HTML (escaped here, sent as text to the feed): the summary and the list of sources with their links."""
    page = site.absolute(story_path(story))
    items = [Markup("<li>{} ({})</li>").format(s.text, ", ".join(_outlet(site, a) for a in s.sources))
             for s in digest.summary]
    sources = [Markup('<li>{}: <a href="{}">{}</a></li>').format(_outlet(site, a), http_url(a.url) or
                                                               f"{page}#{anchor(a)}", a.title)
               for a in story.articles]
    return str(Markup("<ul>{}</ul><p>{}. {}:</p><ul>{}</ul>").format(
        Markup("").join(items), _counts(site, story, digest), site.ui.label("sources"), Markup("").join(sources)))


def _generator(site: Site, title: str, feed_id: str, updated: datetime) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.description(site.description)
    fg.subtitle(site.description)
    fg.language(site.language)
    fg.link(href=site.absolute(""), rel="alternate")
    fg.generator("newsdigest", version=site.version)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    return fg


def _add_story(fg: FeedGenerator, site: Site, story: Story, digest: Digest, rss: bool = False) -> None:
    """One entry per story. RSS readers take <description> (and a <title> that looks like HTML) for HTML, so the
    RSS entry carries them escaped; Atom says type="text" and gets them plain."""
    entry = fg.add_entry(order="append")
    entry.id(story_urn(story))
    entry.guid(story_urn(story), permalink=False)
    entry.title(escape(digest.headline.title) if rss else digest.headline.title)
    entry.link(href=site.absolute(story_path(story)))
    entry.summary(summary_html(site, story, digest) if rss else summary_text(site, story, digest))
    entry.content(summary_html(site, story, digest), type="html")
    updated = story.last_published or site.generated
    entry.updated(updated)
    entry.published(story.first_published or updated)
    for outlet in story.outlets:
        entry.category(term=outlet)


def _add_report(fg: FeedGenerator, site: Site, story: Story, digest: Digest, article: Article) -> None:
    entry = fg.add_entry(order="append")
    entry.id(article_urn(article))
    entry.title(f"{_outlet(site, article)}: {article.title}")
    entry.link(href=http_url(article.url) or site.absolute(story_path(story)) + "#" + anchor(article))
    adds = digest.adds.get(article.id, ())
    entry.summary(" ".join(adds) if adds else (article.blocks[0].text if article.blocks else article.title))
    when = article.published or story.last_published or site.generated
    entry.updated(when)
    entry.published(when)


def site_feeds(site: Site, stories: tuple[Story, ...], digests: dict[str, Digest]) -> list[OutputFile]:
    """feed.xml and atom.xml with the newest stories."""
    feed_id = site.absolute("") or "urn:newsdigest:site"
    rss = _generator(site, site.title, feed_id, site.generated)
    rss.link(href=site.absolute("feed.xml"), rel="self")
    atom = _generator(site, site.title, feed_id, site.generated)
    atom.link(href=site.absolute("atom.xml"), rel="self")
    for story in stories[:FEED_ENTRIES]:
        _add_story(rss, site, story, digests[story.id], rss=True)
        _add_story(atom, site, story, digests[story.id])
    return [OutputFile("feed.xml", rss.rss_str(pretty=True)), OutputFile("atom.xml", atom.atom_str(pretty=True))]


def story_feed(site: Site, story: Story, digest: Digest, feed_id: str | None = None,
               folder: str | None = None) -> OutputFile:
    """The story itself, then each of its reports, newest first. A story absorbed into ``story`` keeps its own
    feed (``feed_id``, in its own ``folder``), which carries the entries of the story it is now part of."""
    path = (folder or story_path(story)) + "atom.xml"
    fg = _generator(site, f"{digest.headline.title} · {site.title}", feed_id or story_urn(story) + ":feed",
                    story.last_published or site.generated)
    fg.link(href=site.absolute(path), rel="self")
    _add_story(fg, site, story, digest)
    for article in reversed(story.articles):
        _add_report(fg, site, story, digest, article)
    return OutputFile(path, fg.atom_str(pretty=True))


def outlet_feed(site: Site, name: str, stories: list[Story], digests: dict[str, Digest]) -> OutputFile:
    """The stories an outlet reported on, newest first."""
    path = outlet_path(name) + "atom.xml"
    dates = [s.last_published for s in stories if s.last_published]
    fg = _generator(site, f"{name} · {site.title}", f"urn:newsdigest:outlet:{outlet_path(name).split('/')[1]}",
                    max(dates) if dates else site.generated)
    fg.link(href=site.absolute(path), rel="self")
    for story in stories[:FEED_ENTRIES]:
        _add_story(fg, site, story, digests[story.id])
    return OutputFile(path, fg.atom_str(pretty=True))


def story_feeds(site: Site, story: Story, digest: Digest, feed_id: str | None = None,
                folder: str | None = None) -> list[OutputFile]:
    """Every feed file of one story (see ``story_feed``)."""
    return [story_feed(site, story, digest, feed_id, folder)]


def outlet_feeds(site: Site, name: str, stories: list[Story], digests: dict[str, Digest]) -> list[OutputFile]:
    """Every feed file of one outlet."""
    return [outlet_feed(site, name, stories, digests)]


def render_feeds(site: Site, stories: tuple[Story, ...], digests: dict[str, Digest]) -> list[OutputFile]:
    """feed.xml and atom.xml with the newest stories, and the feed of every story and every outlet."""
    files = site_feeds(site, stories, digests)
    for story in stories:
        files += story_feeds(site, story, digests[story.id])
    for name, items in outlets(stories).items():
        ids = {story.id for story, _ in items}
        files += outlet_feeds(site, name, [s for s in stories if s.id in ids], digests)
    return files
