"""Machine-readable outputs: stories.json, sitemap.xml and robots.txt."""
from __future__ import annotations

import json
from datetime import datetime
from html import escape

from generator.model import Article, OutputFile, Story
from generator.site import Site, http_url, story_path
from generator.summarize import Digest


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def article_record(article: Article, adds: tuple[str, ...] = ()) -> dict:
    return {
        "id": article.id,
        "input": article.input,
        "record": article.record,
        "title": article.title,
        "kicker": article.kicker,
        "outlet": article.outlet.name if article.outlet else None,
        "url": http_url(article.url),  # only http(s) addresses: a script may turn it into a link
        "published": article.published_iso,
        "published_inferred": article.published_inferred,
        "language": article.language,
        "author": article.author,
        "agencies": list(article.agencies),
        "adds": list(adds),
    }


def story_record(site: Site, story: Story, digest: Digest) -> dict:
    return {
        "id": story.id,
        "slug": story.slug,
        "url": site.absolute(story_path(story)),
        "headline": digest.headline.title,
        "lead": story.lead,
        "summary": [{"text": s.text, "sources": [a.id for a in s.sources]} for s in digest.summary],
        "reports": digest.reports,
        "people": list(digest.named.people),
        "places": list(digest.named.places),
        "first_published": _iso(story.first_published),
        "last_published": _iso(story.last_published),
        "outlets": list(story.outlets),
        "articles": [article_record(a, digest.adds.get(a.id, ())) for a in story.articles],
        "why": {
            "shared": list(story.shared_terms),
            "links": [{"article": link.article_id, "matched": link.matched_id, "score": round(link.score, 4),
                       "shared": list(link.shared)} for link in story.links],
            "copies": [list(group) for group in story.copies],
        },
    }


def stories_json(site: Site, stories: tuple[Story, ...], digests: dict[str, Digest]) -> OutputFile:
    """Every story in front-page order, with its summary, counts and articles."""
    data = {"generated": site.generated.isoformat(), "title": site.title, "language": site.language,
            "stories": [story_record(site, s, digests[s.id]) for s in stories]}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return OutputFile("stories.json", text.encode("utf-8"))


def sitemap(site: Site, page_paths: list[str]) -> OutputFile:
    """sitemap.xml of every HTML page (pretty URLs: 'stories/x/' rather than 'stories/x/index.html')."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(page_paths):
        loc = site.absolute(path[: -len("index.html")])
        # &, <, >: what XML text needs (xml.sax.saxutils.escape does the same, but imports urllib.request,
        # http.client and email with it: a hundredth of a second of every build's start)
        lines.append(f"  <url><loc>{escape(loc or './', quote=False)}</loc></url>")
    lines.append("</urlset>")
    return OutputFile("sitemap.xml", ("\n".join(lines) + "\n").encode("utf-8"))


def robots_txt(site: Site) -> OutputFile:
    """robots.txt: every crawler may read everything; with a base_url, where the sitemap is. Crawlers read it only
    at the root of a host, so it counts where the digest is published at the root."""
    lines = ["User-agent: *", "Allow: /"]
    if site.base_url:
        lines += ["", f"Sitemap: {site.absolute('sitemap.xml')}"]
    return OutputFile("robots.txt", ("\n".join(lines) + "\n").encode("utf-8"))
