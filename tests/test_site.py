"""Meaning checks of the built sample site: feeds read back by a real client, attribution on every story page,
stories.json and the sitemap, relative links, reproducibility."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser

from generator.build import Paths, build
from generator.config import Config

from conftest import CONTENT, FIXED_NOW


class _Links(HTMLParser):
    """Collects hrefs/srcs, the <html lang>, and the <li class="source"> items of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.lang: str | None = None
        self.sources = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "li" and "source" in (a.get("class") or "").split():
            self.sources += 1
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key] or "")


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _stories(site: Path) -> list[dict]:
    return json.loads((site / "stories.json").read_text(encoding="utf-8"))["stories"]


def test_site_has_every_part(sample_site: Path) -> None:
    for name in ("index.html", "feed.xml", "atom.xml", "stories.json", "sitemap.xml", "404.html", "style.css"):
        assert (sample_site / name).is_file(), name
    for story in _stories(sample_site):
        assert (sample_site / "stories" / story["slug"] / "index.html").is_file()


def test_feeds_read_back_with_feedparser(sample_site: Path) -> None:
    stories = _stories(sample_site)
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((sample_site / name).read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        assert len(feed.entries) == len(stories)
        ids = [e.id for e in feed.entries]
        assert len(set(ids)) == len(ids)
        assert ids == [f"urn:newsdigest:story:{s['id']}" for s in stories]
        for entry, story in zip(feed.entries, stories):
            assert entry.title == story["headline"]
            assert entry.link.endswith(f"stories/{story['slug']}/")
            if story["last_published"]:
                assert entry.updated_parsed is not None


def test_feed_ids_stable_across_builds(tmp_path: Path) -> None:
    ids = []
    for run in ("a", "b"):
        build(Config(), Paths(CONTENT, tmp_path / run), FIXED_NOW)
        ids.append([e.id for e in feedparser.parse((tmp_path / run / "atom.xml").read_bytes()).entries])
    assert ids[0] == ids[1]


def test_one_attribution_per_article_on_each_story_page(sample_site: Path) -> None:
    for story in _stories(sample_site):
        page = sample_site / "stories" / story["slug"] / "index.html"
        html = page.read_text(encoding="utf-8")
        assert _parse(page).sources == len(story["articles"])
        for article in story["articles"]:
            assert _escape(article["title"]) in html
            if article["outlet"]:
                assert _escape(article["outlet"]) in html


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def test_every_page_has_lang_and_relative_links(sample_site: Path) -> None:
    for page in sample_site.rglob("*.html"):
        parsed = _parse(page)
        assert parsed.lang and re.fullmatch(r"[a-z]{2}", parsed.lang), page
        if page.name == "404.html":
            continue  # served at any address, so it links to the site root
        for link in parsed.links:
            if link.startswith(("http://", "https://", "#", "data:")):
                continue
            assert not link.startswith("/"), (page, link)
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.exists(), (page, link)


def test_stories_json_has_the_documented_fields(sample_site: Path) -> None:
    data = json.loads((sample_site / "stories.json").read_text(encoding="utf-8"))
    assert data["generated"] == FIXED_NOW.isoformat()
    inputs = sorted(a["input"] for s in data["stories"] for a in s["articles"])
    assert inputs == sorted(p.name for p in CONTENT.glob("*.txt"))
    for story in data["stories"]:
        assert {"id", "slug", "url", "headline", "first_published", "last_published", "articles"} <= set(story)
        for article in story["articles"]:
            assert {"id", "input", "record", "title", "outlet", "url", "published", "published_inferred",
                    "language"} <= set(article)
            assert article["record"] is None


def test_front_page_lists_stories_in_day_sections_newest_day_first(sample_site: Path) -> None:
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    stories = _stories(sample_site)
    positions = [html.index(f"stories/{s['slug']}/index.html") for s in stories]
    assert positions == sorted(positions)  # stories.json has the front page's order
    days = [s["last_published"][:10] for s in stories if s["last_published"]]
    assert days == sorted(days, reverse=True)
    undated = [i for i, s in enumerate(stories) if not s["last_published"]]
    assert undated == list(range(len(stories) - len(undated), len(stories)))


def test_sitemap_lists_every_page(sample_site: Path) -> None:
    root = ET.parse(sample_site / "sitemap.xml").getroot()
    locs = [el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = list(sample_site.rglob("index.html"))
    assert len(locs) == len(pages) >= len(_stories(sample_site)) + 1


def test_reproducible_with_fixed_now(tmp_path: Path) -> None:
    for run in ("a", "b"):
        build(Config(), Paths(CONTENT, tmp_path / run), FIXED_NOW)
    files_a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    files_b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert files_a == files_b


def test_base_url_makes_feed_links_absolute(tmp_path: Path) -> None:
    build(Config(base_url="https://news.example.org/digest"), Paths(CONTENT, tmp_path / "s"), FIXED_NOW)
    feed = feedparser.parse((tmp_path / "s" / "feed.xml").read_bytes())
    assert all(e.link.startswith("https://news.example.org/digest/stories/") for e in feed.entries)
    sitemap = (tmp_path / "s" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://news.example.org/digest/</loc>" in sitemap


def test_story_pages_summarize_with_links_to_the_sources(sample_site: Path) -> None:
    for story in _stories(sample_site):
        html = (sample_site / "stories" / story["slug"] / "index.html").read_text(encoding="utf-8")
        anchors = set(re.findall(r'id="(a-[^"]+)"', html))
        assert {f"a-{a['id']}" for a in story["articles"]} == anchors
        assert 1 <= len(story["summary"]) <= 5
        for sentence in story["summary"]:
            assert _escape(sentence["text"]) in html
            for source in sentence["sources"]:
                assert f'href="#a-{source}"' in html


def test_story_and_outlet_feeds_read_back(sample_site: Path) -> None:
    for story in _stories(sample_site):
        feed = feedparser.parse((sample_site / "stories" / story["slug"] / "atom.xml").read_bytes())
        assert not feed.bozo
        assert feed.entries[0].id == f"urn:newsdigest:story:{story['id']}"
        assert {e.id for e in feed.entries[1:]} == {f"urn:newsdigest:article:{a['id']}" for a in story["articles"]}
    outlets = {a["outlet"] for s in _stories(sample_site) for a in s["articles"] if a["outlet"]}
    feeds = list((sample_site / "outlets").glob("*/atom.xml"))
    assert len(feeds) == len(outlets)
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo and feed.entries
        assert all(e.id.startswith("urn:newsdigest:story:") for e in feed.entries)


def test_stories_json_follows_the_documented_schema(sample_site: Path) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parent.parent / "docs" / "stories.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads((sample_site / "stories.json").read_text(encoding="utf-8")), schema)


def test_search_index_covers_every_story_page(sample_site: Path) -> None:
    entry = json.loads((sample_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    language = json.loads((sample_site / "stories.json").read_text(encoding="utf-8"))["language"]
    assert entry["languages"][language]["page_count"] == len(_stories(sample_site))
    assert (sample_site / "pagefind" / "pagefind.js").is_file()
    search = (sample_site / "search" / "index.html").read_text(encoding="utf-8")
    assert '<form class="search-page-form" role="search"' in search  # a plain form: works up to the search itself


def _json_feed(path: Path) -> dict:
    """A JSON Feed read back and held to version 1.1's required fields."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1", path
    assert isinstance(data["title"], str) and data["title"], path
    assert isinstance(data["items"], list), path
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"], path
        assert "content_html" in item or "content_text" in item, path
        for key in ("date_published", "date_modified"):
            datetime.fromisoformat(item[key])  # RFC 3339 as Python writes it
    return data


def test_json_feeds_match_the_atom_feeds_beside_them(sample_site: Path) -> None:
    """feed.json at the root and beside every story's and outlet's atom.xml, with the same entries in order."""
    atoms = sorted(sample_site.rglob("atom.xml"))
    assert len(atoms) > 2
    for atom in atoms:
        data = _json_feed(atom.parent / "feed.json")
        parsed = feedparser.parse(atom.read_bytes())
        assert [i["id"] for i in data["items"]] == [e.id for e in parsed.entries], atom
        assert [i["title"] for i in data["items"]] == [e.title for e in parsed.entries], atom
        for item in data["items"]:
            target = (atom.parent / item["url"].split("#")[0]).resolve()  # no base_url: relative to the feed
            assert item["url"].startswith("http") or target.exists(), (atom, item["url"])
    stories = _stories(sample_site)
    site_feed = _json_feed(sample_site / "feed.json")
    assert [i["id"] for i in site_feed["items"]] == [f"urn:newsdigest:story:{s['id']}" for s in stories]
    assert all(i["content_html"].startswith("<ul>") for i in site_feed["items"])


def test_json_feed_links_are_absolute_with_a_base_url(tmp_path: Path) -> None:
    build(Config(base_url="https://news.example.org/digest"), Paths(CONTENT, tmp_path / "s"), FIXED_NOW)
    for path in (tmp_path / "s").rglob("feed.json"):
        data = _json_feed(path)
        assert data["home_page_url"] == "https://news.example.org/digest/"
        assert data["feed_url"] == "https://news.example.org/digest/" + path.relative_to(tmp_path / "s").as_posix()
        assert all(i["url"].startswith("https://") for i in data["items"])


def test_robots_txt_allows_all_and_names_the_sitemap(sample_site: Path, tmp_path: Path) -> None:
    lines = (sample_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert not any(line.startswith("Sitemap:") for line in lines)  # a sitemap URL must be absolute
    build(Config(base_url="https://news.example.org/digest/"), Paths(CONTENT, tmp_path / "s"), FIXED_NOW)
    text = (tmp_path / "s" / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://news.example.org/digest/sitemap.xml\n" in text


class _Alternates(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "alternate":
            self.found.append((a.get("type") or "", a.get("href") or ""))


FEED_TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
              "feed.json": "application/feed+json"}


def test_every_page_links_every_feed_it_belongs_to(sample_site: Path) -> None:
    """Each page names the three site-wide feeds; a story's or outlet's page also its own Atom and JSON Feed. Every
    one is there, with the right type."""
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        parser = _Alternates()
        parser.feed(page.read_text(encoding="utf-8"))
        resolved = {(kind, (page.parent / href).resolve()) for kind, href in parser.found}
        wanted = {(kind, (sample_site / name).resolve()) for name, kind in FEED_TYPES.items()}
        rel = page.relative_to(sample_site).parts
        if rel[0] in ("stories", "outlets") and len(rel) == 3:
            wanted |= {(FEED_TYPES[name], (page.parent / name).resolve()) for name in ("atom.xml", "feed.json")}
        assert resolved == wanted, (page, parser.found)
        assert all(path.is_file() for _, path in resolved), page


def test_user_template_overrides_one_block_of_the_builtin_base(tmp_path: Path) -> None:
    """templates/base.html that extends the built-in one and overrides only the footer: every page has the new
    footer and keeps everything else (header, feeds, the story itself)."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.html").write_text(
        '{% extends "newsdigest/base.html" %}\n'
        '{% block footer %}<footer class="site-footer"><p>Compiled by the {{ site.title }} desk</p></footer>'
        '{% endblock %}\n', encoding="utf-8")
    (templates / "story.html").write_text(
        '{% extends "newsdigest/story.html" %}\n'
        '{% block story %}<p class="before-story">Read critically.</p>{{ super() }}{% endblock %}\n', encoding="utf-8")
    out = tmp_path / "site"
    build(Config(site_title="Syrien-Monitor"), Paths(CONTENT, out, templates), FIXED_NOW)
    pages = list(out.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<p>Compiled by the Syrien-Monitor desk</p>" in html, page
        assert 'class="site-header"' in html and 'type="application/feed+json"' in html, page
        assert "newsdigest 0.1.0</p>" not in html, page  # the built-in footer is gone
    for story in _stories(out):
        html = (out / "stories" / story["slug"] / "index.html").read_text(encoding="utf-8")
        assert html.index('<p class="before-story">') < html.index('<article class="story"')
        assert _parse(out / "stories" / story["slug"] / "index.html").sources == len(story["articles"])


def test_user_head_block_reaches_every_page_including_those_with_a_head_of_their_own(tmp_path: Path) -> None:
    """The restyle of the README: CSS in the head block of a user base.html is on every page, the front page and
    the story pages (which add their structured data to the same block) too."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.html").write_text('{% extends "newsdigest/base.html" %}\n'
                                         '{% block head %}<style>:root { --accent: #8b1a1a; }</style>{% endblock %}\n',
                                         encoding="utf-8")
    out = tmp_path / "site"
    build(Config(), Paths(CONTENT, out, templates), FIXED_NOW)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert html.count("<style>:root { --accent: #8b1a1a; }</style>") == 1, page
        assert html.index("style.css") < html.index("<style>"), page  # after the built-in stylesheet: it wins
    story = _stories(out)[0]
    assert 'application/ld+json' in (out / "stories" / story["slug"] / "index.html").read_text(encoding="utf-8")
