"""Rendering in memory: page structure, safe links, languages, front-page order and pages, feeds per story and
outlet, structured data, interface language."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import feedparser
import pytest

from generator.config import Config
from generator.render import render
from generator.site import http_url
from generator.story import make_story
from generator.ui import UI

from make import article, story

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
BODY = ("Die Verteidigungsminister Ashton Carter und Sergej Schoigu telefonierten 50 Minuten über den Krieg in "
        "Syrien. Das Pentagon nannte das Gespräch konstruktiv und sprach von ersten Schritten.")


def _files(stories, **config) -> dict[str, str]:
    files = render(tuple(stories), Config(**config), NOW)
    return {f.path: f.content.decode("utf-8") for f in files if not f.path.startswith("pagefind/")}


def _story_page(files: dict[str, str]) -> str:
    return next(text for path, text in files.items() if re.fullmatch(r"stories/[^/]+/index\.html", path))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil.example/",
                                 "/relative", "http:/broken", "https://ok.example/a b", 'https://x.example/"><b>'])
def test_only_http_urls_become_links(url: str) -> None:
    assert http_url(url) is None
    page = _story_page(_files([story(article("a", "Titel", BODY, url=url))]))
    hrefs = re.findall(r'href="([^"]*)"', page.split("<body>")[1])
    assert all(not h.lower().lstrip().startswith(("javascript:", "data:", "vbscript:", "//")) for h in hrefs)
    assert not any("evil" in h or "alert" in h for h in hrefs)


def test_http_urls_are_links() -> None:
    assert http_url("https://www.tagesschau.de/a.html?x=1#y") == "https://www.tagesschau.de/a.html?x=1#y"
    page = _story_page(_files([story(article("a", "Titel", BODY, url="https://example.org/a?b=1&c=2"))]))
    assert 'href="https://example.org/a?b=1&amp;c=2"' in page


def test_content_is_escaped_everywhere() -> None:
    evil = '<script>alert("x")</script></script><img src=x onerror=alert(1)>'
    files = _files([story(article("a", f"Titel {evil}", f"{BODY} {evil}", outlet=f"Blatt {evil}"))])
    for path, text in files.items():
        if path.endswith(".html"):
            assert "<script>alert" not in text and "<img" not in text, path
    page = _story_page(files)
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert ld and "</script" not in ld.group(1)
    assert json.loads(ld.group(1))["headline"].startswith("Titel <script>")  # the JSON itself is intact


def test_every_article_carries_its_language() -> None:
    de = article("a", "Telefonat über Syrien", BODY, outlet="tagesschau", language="de")
    en = article("b", "Carter and Shoigu talk about Syria", "US Defense Secretary Ashton Carter and Sergei Shoigu "
                 "spoke for 50 minutes about the war in Syria on Friday.", outlet="Reuters", hours=1, language="en")
    files = _files([story(de, en)], language="de")
    page = _story_page(files)
    assert '<html lang="de">' in page
    assert re.search(r'<li class="source" id="a-b">\s*<article lang="en">', page)
    assert re.search(r'<li class="source" id="a-a">\s*<article lang="de">', page)


def _dated(aid: str, outlets: int, hours: float) -> tuple:
    arts = [article(f"{aid}{i}", f"Meldung {aid} {i}", BODY, outlet=f"Outlet {i}", hours=hours + i * 0.1)
            for i in range(outlets)]
    return tuple(arts)


def test_front_page_ranks_by_day_then_breadth_and_paginates() -> None:
    narrow_late = story(*_dated("n", 1, 5))       # 18 Sep, 1 outlet, later in the day
    broad_early = story(*_dated("b", 3, 1))       # 18 Sep, 3 outlets
    next_day = story(*_dated("x", 1, 20))         # 19 Sep
    undated = story(article("u", "Ohne Datum", BODY, hours=None))
    files = _files([narrow_late, broad_early, next_day, undated], stories_per_page=2, language="de")
    first, second = files["index.html"], files["page/1/index.html"]
    order = [re.findall(r'href="(?:\.\./)*(stories/[^"]+)/index\.html"', page) for page in (first, second)]
    slugs = [s.slug for s in (next_day, broad_early, narrow_late, undated)]
    assert [p.split("/")[1] for p in order[0] + order[1]] == slugs
    assert "19. September 2015" in first and "18. September 2015" in first
    assert "18. September 2015" in second and "Datum unbekannt" in second  # a day continues on the next page
    assert 'rel="next" href="page/1/index.html"' in first and 'rel="prev" href="../../index.html"' in second
    assert "archive/2015-09-18/index.html" in files and "archive/2015-09-19/index.html" in files
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', first, re.S).group(1))
    assert ld["@type"] == "ItemList" and len(ld["itemListElement"]) == 2


def _front_stories(files: dict[str, str]) -> dict[str, list[str]]:
    return {path: re.findall(r'href="(?:\.\./)*stories/([^"/]+)/index\.html"', html) for path, html in files.items()
            if path == "index.html" or path.startswith("page/")}


def test_front_pages_count_from_the_oldest_so_a_page_keeps_its_stories_as_new_ones_arrive() -> None:
    stories = [story(*_dated(f"s{n:02d}", 1, n * 30)) for n in range(9)]  # s00 the oldest, s08 the newest
    slugs = [s.slug for s in stories]
    pages = [_front_stories(_files(stories[:n], stories_per_page=2)) for n in (6, 7, 8)]
    assert pages[0] == {"page/1/index.html": slugs[1::-1], "page/2/index.html": slugs[3:1:-1],
                        "index.html": slugs[5:3:-1]}
    assert pages[1] == {**pages[0], "index.html": slugs[6:3:-1]}, "a new story: only the front page changes"
    assert pages[2] == {**pages[0], "page/3/index.html": slugs[5:3:-1], "index.html": slugs[7:5:-1]}
    few = _front_stories(_files(stories[:3], stories_per_page=2))
    assert few == {"index.html": slugs[2::-1]}, "fewer than two pages' worth: all on the front page"


def test_outlet_pages_list_their_articles() -> None:
    s = story(*_dated("o", 2, 0))
    files = _files([s])
    index = files["outlets/index.html"]
    pages = [p for p in files if re.fullmatch(r"outlets/[^/]+/index\.html", p)]
    assert len(pages) == 2
    for path in pages:
        assert path.split("/")[1] in index
        assert f"stories/{s.slug}/index.html#a-" in files[path]


def test_story_feed_updates_when_the_story_grows_and_keeps_its_ids() -> None:
    a = article("a", "Telefonat über Syrien", BODY, outlet="tagesschau", hours=0)
    b = article("b", "Carter telefoniert mit Schoigu", BODY, outlet="n-tv", hours=4)
    before, after = story(a), make_story([a, b])
    assert before.id == after.id and before.slug == after.slug
    feeds = []
    for s in (before, after):
        files = render((s,), Config(), NOW)
        feed = next(f for f in files if f.path == f"stories/{s.slug}/atom.xml")
        feeds.append(feedparser.parse(feed.content))
    one, two = feeds
    assert one.entries[0].id == two.entries[0].id == f"urn:newsdigest:story:{before.id}"
    assert two.entries[0].updated_parsed > one.entries[0].updated_parsed
    assert [e.id for e in two.entries[1:]] == ["urn:newsdigest:article:b", "urn:newsdigest:article:a"]
    assert "tagesschau" in two.entries[0].summary and "n-tv" in two.entries[0].summary  # the list of sources
    assert two.feed.updated_parsed > one.feed.updated_parsed


def test_site_feed_entry_carries_summary_and_sources() -> None:
    s = story(article("a", "Telefonat über Syrien", BODY, outlet="tagesschau",
                      url="https://www.tagesschau.de/x.html"))
    files = render((s,), Config(), NOW)
    atom = feedparser.parse(next(f for f in files if f.path == "atom.xml").content)
    entry = atom.entries[0]
    assert "Ashton Carter" in entry.summary and "tagesschau" in entry.summary
    assert 'href="https://www.tagesschau.de/x.html"' in entry.content[0].value


@pytest.mark.parametrize("language, expected", [("de", "18. September 2015, 18:35 Uhr"),
                                                ("en", "18 September 2015, 18:35")])
def test_interface_language(language: str, expected: str) -> None:
    page = _story_page(_files([story(article("a", "Titel", BODY))], language=language))
    assert expected in page
    assert ("Das Wichtigste" in page) == (language == "de")
    assert ("In brief" in page) == (language == "en")
    assert UI(language, "UTC").number(1234.5, 1) == ("1.234,5" if language == "de" else "1,234.5")


def test_copies_are_marked_and_counted_once() -> None:
    a = article("a", "Telefonat", BODY, outlet="Zeitung A", agencies=("dpa",))
    b = article("b", "Telefonat", BODY, outlet="Zeitung B", hours=1, agencies=("dpa",))
    page = _story_page(_files([story(a, b, copies=(("a", "b"),))], language="en"))
    assert "1 report · 2 outlets · " in page and "1 copy" in page
    assert page.count("Agencies: dpa") == 2
    assert 'same text as <a href="#a-a">' in page
    # the search index takes the text once, with its first source; the timeline repeats the sources' titles
    bodies = re.findall(r'<details class="body"([^>]*)>', page)
    assert bodies == ["", " data-pagefind-ignore"]
    assert '<section class="timeline" aria-labelledby="timeline" data-pagefind-ignore>' in page


@pytest.mark.parametrize("language, days, expected", [
    ("de", (16, 18), ("16.", "–", "18. September 2015")),
    ("en", (16, 18), ("16", "–", "18 September 2015")),
    ("de", (18, 18), ("", "", "18. September 2015")),
])
def test_date_ranges_in_the_interface_language(language: str, days: tuple[int, int], expected: tuple) -> None:
    first, last = (datetime(2015, 9, d, 12, tzinfo=timezone.utc) for d in days)
    assert UI(language, "Europe/Berlin").day_range(first, last) == expected


@pytest.mark.parametrize("language", ["de", "en"])
def test_search_index_stems_in_the_site_language(language: str) -> None:
    files = render((story(article("a", "Titel", BODY)),), Config(language=language), NOW)
    entry = next(f for f in files if f.path == "pagefind/pagefind-entry.json")
    assert list(json.loads(entry.content)["languages"]) == [language]


@pytest.mark.parametrize("started", [False, True])
def test_rendering_in_worker_processes_gives_the_files_of_a_serial_render(started: bool, monkeypatch) -> None:
    """Story pages are shared among workers while this process makes the pages that list stories as soon as the
    stories they show are done (render._Waiting): the files are those of one process doing it all in order.
    ``started``: the workers were forked before the render began, so they lack its stories (render._FORKED) and
    this process renders them itself."""
    from generator import render as render_module
    from generator.build import workers
    from generator.render import PARALLEL_FROM, render_site
    from generator.units import Collect

    outlets = ["Blatt A", "Blatt B", "Blatt C", None]
    stories = tuple(story(article(f"s{i}a", f"Meldung {i} über den Hafen", BODY, outlet=outlets[i % 4], hours=7 * i),
                          article(f"s{i}b", f"Bericht {i} zum Hafen", BODY, outlet=outlets[(i + 1) % 4],
                                  hours=7 * i + 1))
                    for i in range(PARALLEL_FROM + 6))
    config = Config(stories_per_page=8)
    serial = Collect()
    render_site(serial, stories, config, NOW)
    with workers(2) as pool:
        if pool is None:
            pytest.skip("no worker processes here")
        if started:
            pool.submit(abs, -1).result()
        here: list[str] = []  # the story pages made in this process (a worker appends to its own copy)
        unit = render_module._story_unit
        monkeypatch.setattr(render_module, "_story_unit", lambda *a: here.append(a[3].id) or unit(*a))
        shared = Collect()
        render_site(shared, stories, config, NOW, pool=pool, parallel=2)
    # the first story here (it loads what summaries need before the workers start); the rest in the workers, unless
    # they were forked before the render and lack the stories
    assert len(here) == (len(stories) if started else 1)
    assert sorted(f.path for f in shared.files) == sorted(f.path for f in serial.files)
    assert {f.path: f.content for f in shared.files} == {f.path: f.content for f in serial.files}
    at = {f.path: n for n, f in enumerate(shared.files)}
    fronts = [f for f in shared.files if f.path == "index.html" or f.path.startswith("page/")]
    assert fronts
    for front in fronts:  # made after the story pages it lists (and so while others were still being rendered)
        listed = set(re.findall(r'stories/([^/"]+)/', front.content.decode("utf-8")))
        assert listed and all(at[f"stories/{slug}/index.html"] < at[front.path] for slug in listed)
    assert min(at[f.path] for f in fronts) < max(at[p] for p in at if p.startswith("stories/"))
    assert any(f.path.startswith("outlets/") for f in serial.files) and any(f.path.startswith("archive/2015")
                                                                           for f in serial.files)


def test_a_template_changed_between_two_renders_of_one_process_is_used(tmp_path) -> None:
    """Templates are checked against their files once per render (render._environment), not per page: a change
    made between two renders (newsdigest serve) shows in the second."""
    import os
    (tmp_path / "404.html").write_text("eins\n", encoding="utf-8")
    stories = (story(article("a", "Titel", BODY)),)
    first = {f.path: f.content for f in render(stories, Config(), NOW, user_templates=tmp_path)}
    (tmp_path / "404.html").write_text("zwei\n", encoding="utf-8")
    os.utime(tmp_path / "404.html", (1_900_000_000, 1_900_000_000))  # a newer file, whatever the clock's grain
    second = {f.path: f.content for f in render(stories, Config(), NOW, user_templates=tmp_path)}
    assert (first["404.html"], second["404.html"]) == (b"eins\n", b"zwei\n")


def test_article_time_is_what_the_macro_wrote_for_dated_inferred_and_undated_articles() -> None:
    from dataclasses import replace

    from jinja2 import Environment

    from generator.ui import UI
    ui = UI("de", "Europe/Berlin")
    dated = article("a", "T", "x")
    inferred, undated = replace(dated, published_inferred=True), article("b", "T", "x", hours=None)
    macro = Environment(autoescape=True).from_string(  # the template markup ui.article_time stands for
        '{% if a.published %}<time datetime="{{ a.published_iso }}">{{ ui.article_date(a.published, '
        'a.published_has_time) }}</time>{% if a.published_inferred %} <abbr title="{{ ui.label(\'date_inferred\') }}">'
        '(?)</abbr>{% endif %}{% else %}{{ ui.label("date_unknown") }}{% endif %}')
    for a in (dated, inferred, undated):
        assert str(ui.article_time(a)) == macro.render(a=a, ui=ui)
    assert "<time datetime=" in ui.article_time(dated) and "(?)" in ui.article_time(inferred)
    assert str(ui.article_time(undated)) == ui.label("date_unknown")
