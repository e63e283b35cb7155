"""Saved HTML pages (trafilatura) and RSS/Atom feeds (feedparser) as RawArticles."""
from __future__ import annotations

from pathlib import Path

from generator.load import load_files
from generator.model import Problem, RawArticle
from generator.readers import READERS, feed, html

PAGE = """<!DOCTYPE html><html lang="de"><head>
<title>Russland und USA koordinieren Anti-IS-Kampf | Beispiel News</title>
<meta property="og:site_name" content="Beispiel News">
<meta name="author" content="Anna Muster">
<meta property="article:published_time" content="2015-09-18T22:08:00+02:00">
<link rel="canonical" href="https://www.beispiel.de/politik/anti-is-kampf.html">
</head><body>
<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li></ul></nav>
<article><h1>Russland und USA koordinieren Anti-IS-Kampf</h1>
<p>Nach langem Schweigen auf militärischer Ebene haben die USA und Russland wieder Kontakt auf höchstem Niveau
aufgenommen. Verteidigungsminister Ashton Carter habe mit seinem Kollegen Sergej Schoigu telefoniert.</p>
<p>Hauptthemen waren laut Pentagon der Kampf gegen die Terrorgruppe Islamischer Staat sowie Vorkehrungen, wie
mögliche Zwischenfälle zwischen Truppen beider Länder vor Ort vermieden werden könnten.</p>
<p>Die USA fliegen mit internationalen Partnern Luftangriffe gegen den IS in Syrien und im Irak. Moskau hatte
seine Präsenz in dem Bürgerkriegsland zuletzt massiv ausgebaut.</p>
</article><footer>© 2015 Beispiel News. Alle Rechte vorbehalten.</footer></body></html>"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Beispiel News</title><language>de-DE</language>
<item><title>Erste &amp; beste Meldung</title><link>https://beispiel.de/a</link><guid>urn:beispiel:a</guid>
<pubDate>Fri, 18 Sep 2015 20:08:00 +0200</pubDate><author>redaktion@beispiel.de (Anna Muster)</author>
<description>&lt;p&gt;Erster Absatz der Meldung.&lt;/p&gt;&lt;p&gt;Zweiter Absatz.&lt;/p&gt;</description></item>
<item><title>Nur eine Schlagzeile</title></item>
<item><description></description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Beispiel</title><id>urn:feed</id>
<updated>2015-09-18T20:00:00Z</updated>
<entry><title>Atom-Eintrag</title><id>urn:entry:1</id><updated>2015-09-18T20:00:00Z</updated>
<link href="https://beispiel.de/atom-1"/><content type="html">&lt;p&gt;Text des Eintrags.&lt;/p&gt;</content></entry>
</feed>"""


def test_the_new_extensions_are_registered() -> None:
    for suffix in (".html", ".htm", ".xml", ".rss", ".atom"):
        assert suffix in READERS


def test_html_page_gives_main_text_and_metadata() -> None:
    [raw] = html.read(PAGE, "page.html")
    assert isinstance(raw, RawArticle)
    assert raw.kind == "html"
    assert raw.title == "Russland und USA koordinieren Anti-IS-Kampf"
    assert raw.published and raw.published.startswith("2015-09-18")
    assert raw.outlet == "Beispiel News"
    assert raw.author == "Anna Muster"
    assert raw.url == "https://www.beispiel.de/politik/anti-is-kampf.html"
    assert "Verteidigungsminister Ashton Carter" in raw.body
    assert "Startseite" not in raw.body


def test_html_page_without_article_text_is_a_problem() -> None:
    [item] = html.read("<html><head></head><body><div></div></body></html>", "empty.html")
    assert isinstance(item, Problem)
    assert item.path == "empty.html"


def test_rss_entries_are_articles_with_id_as_record() -> None:
    first, second, third = feed.read(RSS, "news.rss")
    assert isinstance(first, RawArticle) and first.kind == "feed"
    assert first.record == "urn:beispiel:a" and first.id == "urn:beispiel:a"
    assert first.title == "Erste & beste Meldung"
    assert first.body == "Erster Absatz der Meldung.\n\nZweiter Absatz."
    assert first.published == "Fri, 18 Sep 2015 20:08:00 +0200"
    assert first.outlet == "Beispiel News" and first.language == "de-DE"
    assert first.url == "https://beispiel.de/a"
    assert isinstance(second, RawArticle) and second.record == "2" and second.body == ""
    assert isinstance(third, Problem) and third.record == "3"


def test_atom_entry_content_is_read() -> None:
    [entry] = feed.read(ATOM, "feed.atom")
    assert isinstance(entry, RawArticle)
    assert entry.body == "Text des Eintrags."
    assert entry.url == "https://beispiel.de/atom-1"
    assert entry.outlet == "Atom Beispiel"


def test_xml_that_is_no_feed_is_a_problem() -> None:
    [item] = feed.read("<notafeed><x>1</x></notafeed>", "data.xml")
    assert isinstance(item, Problem)


def test_html_and_feed_files_load_from_disk(tmp_path: Path) -> None:
    (tmp_path / "page.htm").write_text(PAGE, encoding="utf-8")
    (tmp_path / "news.xml").write_text(RSS, encoding="utf-8")
    loaded = load_files(sorted(tmp_path.iterdir()), tmp_path, 1_000_000)
    assert [a.input for a in loaded.articles] == ["news.xml", "news.xml", "page.htm"]
    assert [p.record for p in loaded.problems] == ["3"]


def test_feed_text_that_is_a_url_or_a_path_is_never_opened(tmp_path: Path) -> None:
    private = tmp_path / "private.xml"
    private.write_text(RSS.replace("Erste &amp; beste Meldung", "PRIVATE-ENTRY"), encoding="utf-8")
    for text in (str(private), f"file://{private}", "http://169.254.169.254/latest"):
        items = feed.read(text, "odd.xml")
        assert all(isinstance(i, Problem) for i in items), text
        assert "PRIVATE" not in repr(items)


def test_feed_declared_in_latin1_reads_the_decoded_text() -> None:
    latin = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Über</title>'
             '<item><title>Größe</title><description>Maße</description></item></channel></rss>')
    [entry] = feed.read(latin, "latin.rss")
    assert isinstance(entry, RawArticle) and (entry.title, entry.body, entry.outlet) == ("Größe", "Maße", "Über")


def test_broken_html_that_lxml_asserts_on_is_a_problem() -> None:
    items = html.read("<video></p></article></body></html></html></html>", "x.html")
    assert all(isinstance(i, (RawArticle, Problem)) for i in items)
