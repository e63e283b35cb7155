"""RSS 2.0 and Atom 1.0 feeds of the stories, made with feedgen: one entry per story, newest first.

An entry's id is the story's id (a URN, the same across builds); its updated time is the story's newest article,
so it moves when the story gains articles. No wall clock: the build's ``now`` stamps the feed.
"""
from __future__ import annotations

from feedgen.feed import FeedGenerator

from generator.model import OutputFile, Story
from generator.site import Site, story_path

FEED_ENTRIES = 100


def story_urn(story: Story) -> str:
    return f"urn:newsdigest:story:{story.id}"


def _summary(site: Site, story: Story) -> str:
    ui = site.ui
    sources = "; ".join(
        f"{a.outlet.name if a.outlet else ui.label('outlet_unknown')}: {a.title}" for a in story.articles)
    counts = f"{ui.count(len(story.articles), 'article', 'articles')}, {ui.count(len(story.outlets), 'outlet', 'outlets')}"
    return f"{story.lead}\n\n{counts}. {ui.label('sources')}: {sources}"


def _generator(site: Site) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(site.absolute("") or "urn:newsdigest:site")
    fg.title(site.title)
    fg.description(site.description)
    fg.subtitle(site.description)
    fg.language(site.language)
    fg.link(href=site.absolute(""), rel="alternate")
    fg.generator("newsdigest", version=site.version)
    fg.updated(site.generated)
    fg.lastBuildDate(site.generated)
    return fg


def _add_entry(fg: FeedGenerator, site: Site, story: Story) -> None:
    entry = fg.add_entry(order="append")
    entry.id(story_urn(story))
    entry.guid(story_urn(story), permalink=False)
    entry.title(story.headline)
    entry.link(href=site.absolute(story_path(story)))
    entry.summary(_summary(site, story))
    updated = story.last_published or site.generated
    entry.updated(updated)
    entry.published(story.first_published or updated)
    for outlet in story.outlets:
        entry.category(term=outlet)


def render_feeds(site: Site, stories: tuple[Story, ...]) -> list[OutputFile]:
    """feed.xml (RSS 2.0) and atom.xml (Atom 1.0) with the newest stories."""
    rss = _generator(site)
    rss.link(href=site.absolute("feed.xml"), rel="self")
    atom = _generator(site)
    atom.link(href=site.absolute("atom.xml"), rel="self")
    for story in stories[:FEED_ENTRIES]:
        _add_entry(rss, site, story)
        _add_entry(atom, site, story)
    return [OutputFile("feed.xml", rss.rss_str(pretty=True)), OutputFile("atom.xml", atom.atom_str(pretty=True))]
