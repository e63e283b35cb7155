"""Make examples/feeds/: one RSS 2.0 feed per outlet of the sample articles in content/, with each article's clean
text as the entry's full content, for the README's session (served from this machine, so that it runs offline).

    .venv/bin/python examples/make_feeds.py

Entries carry no <link>: the sample scrapes do not say where they were published, and an invented address would
be a lie. Articles without an outlet are left out.
"""
from __future__ import annotations

from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from generator.config import Config
from generator.load import load
from generator.normalize import normalize
from generator.story import slugify

ROOT = Path(__file__).resolve().parent.parent
ITEM = """    <item>
      <title>{title}</title>
      <guid isPermaLink="false">newsdigest-example:{guid}</guid>
{date}      <description>{teaser}</description>
      <content:encoded>{content}</content:encoded>
    </item>
"""
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>{outlet}</title>
    <description>Sample articles from {outlet}, kept with newsdigest for its README</description>
    <language>de</language>
{items}  </channel>
</rss>
"""


def main() -> None:
    loaded = load(ROOT / "content", 10_000_000)
    articles, _ = normalize(loaded.articles, Config())
    by_outlet: dict[str, list[str]] = {}
    for article in sorted(articles, key=lambda a: a.input):
        if article.outlet is None:
            continue
        paragraphs = "".join(f"<p>{escape(block.text)}</p>" for block in article.blocks)
        date = f"      <pubDate>{format_datetime(article.published)}</pubDate>\n" if article.published else ""
        by_outlet.setdefault(article.outlet.name, []).append(ITEM.format(
            title=escape(article.title), guid=article.id, date=date,
            teaser=escape(article.blocks[0].text if article.blocks else article.title), content=escape(paragraphs)))
    folder = ROOT / "examples" / "feeds"
    folder.mkdir(parents=True, exist_ok=True)
    for outlet, items in by_outlet.items():
        path = folder / f"{slugify(outlet)}.xml"
        path.write_text(FEED.format(outlet=escape(outlet), items="".join(items)), encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(items)} entries")


if __name__ == "__main__":
    main()
