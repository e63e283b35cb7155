"""Feeds: RSS 2.0 and Atom 1.0 (through feedgen) and JSON Feed 1.1 of the whole site, and an Atom feed and a JSON
Feed per story and per outlet.

Every feed is first a ``Channel`` of ``Entry`` values; each format writes the same entries. A story entry's id is
the story's id (a URN, the same across builds); its updated time is the story's newest article, so it moves when
the story gains articles. Entries carry the summary and the list of sources. A story's own feed also has one entry
per report, so a reader sees each new report. No wall clock: the build's ``now`` stamps the site-wide feeds; a
story's or outlet's feed is stamped with its newest article.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator
from markupsafe import escape

from generator import jsontext
from generator.model import Article, OutputFile, Story
from generator.site import Site, anchor, http_url, outlet_path, story_path
from generator.summarize import Digest

FEED_ENTRIES = 100
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a feed, whatever the format. ``summary_html`` is None for entries with a plain summary only."""

    id: str
    title: str
    link: str
    summary_text: str
    summary_html: str | None
    updated: datetime
    published: datetime
    tags: tuple[str, ...] = ()
    guid: bool = True  # RSS: the entry gets a <guid> (story entries do, reports do not)


@dataclass(frozen=True, slots=True)
class Channel:
    """One feed: its id, title, folder (relative to the site root, '' or ending in '/') and entries."""

    id: str
    title: str
    folder: str
    updated: datetime
    entries: tuple[Entry, ...]

    def link(self, site: Site, path: str) -> str:
        return feed_link(site, self.folder, path)


def feed_link(site: Site, folder: str, path: str) -> str:
    """A link to ``path`` (an http(s) address, or a path relative to the site root) as the feed in ``folder``
    gives it: absolute with a base_url, else relative to the feed's own folder, which readers resolve it against."""
    if http_url(path):
        return path
    return site.absolute(path) if site.base_url else "../" * folder.count("/") + path


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


def summary_html(site: Site, story: Story, digest: Digest, folder: str = "") -> str:
    """HTML (escaped here, sent as text to the feed in ``folder``): the summary and the list of sources with their
    links. Every text is escaped on its way in (``escape`` gives Markup, which an f-string takes as it is)."""
    page = feed_link(site, folder, story_path(story))
    items = "".join(f"<li>{escape(s.text)} ({escape(', '.join(_outlet(site, a) for a in s.sources))})</li>"
                    for s in digest.summary)
    sources = "".join(f'<li>{escape(_outlet(site, a))}: <a href="{escape(http_url(a.url) or f"{page}#{anchor(a)}")}">'
                      f"{escape(a.title)}</a></li>" for a in story.articles)
    return (f"<ul>{items}</ul><p>{escape(_counts(site, story, digest))}. {escape(site.ui.label('sources'))}:</p>"
            f"<ul>{sources}</ul>")


def story_entry(site: Site, story: Story, digest: Digest, folder: str = "") -> Entry:
    """The entry of a story in the feed in ``folder``."""
    updated = story.last_published or site.generated
    return Entry(story_urn(story), digest.headline.title, story_path(story),
                 summary_text(site, story, digest), summary_html(site, story, digest, folder), updated,
                 story.first_published or updated, tuple(story.outlets))


def report_entry(site: Site, story: Story, digest: Digest, article: Article) -> Entry:
    adds = digest.adds.get(article.id, ())
    text = " ".join(adds) if adds else (article.blocks[0].text if article.blocks else article.title)
    when = article.published or story.last_published or site.generated
    link = http_url(article.url) or story_path(story) + "#" + anchor(article)
    return Entry(article_urn(article), f"{_outlet(site, article)}: {article.title}", link, text, None, when, when,
                 guid=False)


# --- the formats -------------------------------------------------------------------------------------------------

def _generator(site: Site, channel: Channel, name: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(channel.id)
    fg.title(channel.title)
    fg.description(site.description)
    fg.subtitle(site.description)
    fg.language(site.language)
    fg.link(href=channel.link(site, "") or "./", rel="alternate")
    fg.generator("newsdigest", version=site.version)
    fg.updated(channel.updated)
    fg.lastBuildDate(channel.updated)
    fg.link(href=channel.link(site, channel.folder + name), rel="self")
    return fg


def _add(fg: FeedGenerator, site: Site, channel: Channel, entry: Entry, rss: bool) -> None:
    """RSS readers take <description> (and a <title> that looks like HTML) for HTML, so the RSS entry carries them
    escaped; Atom says type="text" and gets them plain."""
    item = fg.add_entry(order="append")
    item.id(entry.id)
    if entry.guid:
        item.guid(entry.id, permalink=False)
    item.title(escape(entry.title) if rss else entry.title)
    item.link(href=channel.link(site, entry.link))
    item.summary(entry.summary_html if rss and entry.summary_html else entry.summary_text)
    if entry.summary_html:
        item.content(entry.summary_html, type="html")
    item.updated(entry.updated)
    item.published(entry.published)
    for tag in entry.tags:
        item.category(term=tag)


def atom(site: Site, channel: Channel) -> OutputFile:
    fg = _generator(site, channel, "atom.xml")
    for entry in channel.entries:
        _add(fg, site, channel, entry, rss=False)
    return OutputFile(channel.folder + "atom.xml", fg.atom_str(pretty=True))


def rss(site: Site, channel: Channel) -> OutputFile:
    fg = _generator(site, channel, "feed.xml")
    for entry in channel.entries:
        _add(fg, site, channel, entry, rss=True)
    return OutputFile(channel.folder + "feed.xml", fg.rss_str(pretty=True))


def json_feed(site: Site, channel: Channel) -> OutputFile:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1): content_html is the same escaped HTML as the Atom content;
    the summary is plain text."""
    items = []
    for entry in channel.entries:
        item: dict[str, object] = {"id": entry.id, "url": channel.link(site, entry.link), "title": entry.title}
        if entry.summary_html:
            item.update(content_html=entry.summary_html, summary=entry.summary_text)
        else:
            item["content_text"] = entry.summary_text
        item.update(date_published=entry.published.isoformat(), date_modified=entry.updated.isoformat())
        if entry.tags:
            item["tags"] = list(entry.tags)
        items.append(item)
    data: dict[str, object] = {"version": JSON_FEED_VERSION, "title": channel.title,
                               "home_page_url": channel.link(site, "") or "./",
                               "feed_url": channel.link(site, channel.folder + "feed.json"),
                               "description": site.description, "language": site.language, "items": items}
    text = jsontext.dumps(data) + "\n"
    return OutputFile(channel.folder + "feed.json", text.encode("utf-8"))


# --- the feeds of the site ---------------------------------------------------------------------------------------

def site_channel(site: Site, stories: tuple[Story, ...], digests: dict[str, Digest]) -> Channel:
    entries = tuple(story_entry(site, s, digests[s.id]) for s in stories[:FEED_ENTRIES])
    return Channel(site.absolute("") or "urn:newsdigest:site", site.title, "", site.generated, entries)


def story_channel(site: Site, story: Story, digest: Digest, feed_id: str | None = None,
                  folder: str | None = None) -> Channel:
    """The story itself, then each of its reports, newest first. A story absorbed into ``story`` keeps its own
    feed (``feed_id``, in its own ``folder``), which carries the entries of the story it is now part of."""
    folder = folder or story_path(story)
    entries = (story_entry(site, story, digest, folder),) + tuple(
        report_entry(site, story, digest, a) for a in reversed(story.articles))
    return Channel(feed_id or story_urn(story) + ":feed", f"{digest.headline.title} · {site.title}", folder,
                   story.last_published or site.generated, entries)


def outlet_channel(site: Site, name: str, stories: list[Story], digests: dict[str, Digest]) -> Channel:
    """The stories an outlet reported on, newest first."""
    dates = [s.last_published for s in stories if s.last_published]
    folder = outlet_path(name)
    return Channel(f"urn:newsdigest:outlet:{folder.split('/')[1]}", f"{name} · {site.title}", folder,
                   max(dates) if dates else site.generated,
                   tuple(story_entry(site, s, digests[s.id], folder) for s in stories[:FEED_ENTRIES]))


def site_feeds(site: Site, stories: tuple[Story, ...], digests: dict[str, Digest]) -> list[OutputFile]:
    """feed.xml, atom.xml and feed.json with the newest stories."""
    whole = site_channel(site, stories, digests)
    return [rss(site, whole), atom(site, whole), json_feed(site, whole)]


def story_feeds(site: Site, story: Story, digest: Digest, feed_id: str | None = None,
                folder: str | None = None) -> list[OutputFile]:
    """Every feed file of one story (see ``story_channel``)."""
    channel = story_channel(site, story, digest, feed_id, folder)
    return [atom(site, channel), json_feed(site, channel)]


def outlet_feeds(site: Site, name: str, stories: list[Story], digests: dict[str, Digest]) -> list[OutputFile]:
    """Every feed file of one outlet."""
    channel = outlet_channel(site, name, stories, digests)
    return [atom(site, channel), json_feed(site, channel)]

