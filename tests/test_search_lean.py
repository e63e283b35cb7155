"""Pagefind indexes a lean copy of each story page (search.lean: <html lang>, <title> and the data-pagefind-body
element with its data-pagefind-ignore elements emptied). The index must be the one the whole pages give: the same
fragments (content, word count, anchors, meta, filters) and, in fact, the same files."""
from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import search
from generator.build import Paths, build
from generator.config import Config

from conftest import CONTENT, FIXED_NOW, write_files

pytestmark = pytest.mark.skipif(not search.available(), reason="pagefind is not installed")

ENGLISH = ("The harbour authority closed the northern pier on Monday after storm damage to the sea wall. "
           "Divers inspected the foundations of the pier and found cracks in two of the old stone pillars. "
           "Engineers said repairs to the wall would take at least three weeks and cost about 2 million pounds.\n\n"
           "Fish & chips stalls <section> on the pier </details> stay shut; the notice read <li>closed</li> "
           "and \"no entry\" <!-- until further notice -->.")
GERMAN_EXTRA = ("Im Text steht data-pagefind-ignore und data-pagefind-body als Wörter, dazu </article> und <p>.\n\n"
                "Die Hafenbehörde sperrte am Montag den nördlichen Anleger nach Sturmschäden an der Kaimauer.")


def _front(title: str, outlet: str, when: str, language: str) -> str:
    return f"---\ntitle: {title}\noutlet: {outlet}\ndate: {when}\nlanguage: {language}\n---\n"


def _content(folder: Path) -> Path:
    """The sample content, an English story of three reports (one a wire copy of another; their text looks like
    markup in places) and a German report that names Pagefind's attributes."""
    shutil.copytree(CONTENT, folder)
    return write_files(folder, {
        "pier-1.md": _front("Storm closes northern pier", "Harbour Times", "2015-09-21 08:00", "en") + ENGLISH,
        "pier-copy.md": _front("Storm closes northern pier", "Wire Post", "2015-09-21 09:15", "en") + ENGLISH,
        "pier-2.md": _front("Northern pier shut after storm damage", "Coast News", "2015-09-21 11:30", "en")
        + ENGLISH.split("\n\n")[0] + "\n\nThe council will meet on Thursday to discuss the cost of the repairs.",
        "hafen.md": _front("Hafenbehörde sperrt Anleger", "Hafenblatt", "2015-09-22 09:00", "de") + GERMAN_EXTRA,
    })


def _index(pages: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Pagefind's files for ``pages`` (path -> bytes), the way search.bundle runs it but on the pages as given."""
    site, out = folder / "site", folder / "out"
    for path, data in pages.items():
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    subprocess.run([str(search.executable()), "--site", str(site), "--output-path", str(out), "--keep-index-url",
                    "--silent"], check=True, capture_output=True)
    return {f.relative_to(out).as_posix(): f.read_bytes() for f in sorted(out.rglob("*"))
            if f.is_file() and search._wanted(f.relative_to(out).as_posix())}


def _fragments(files: dict[str, bytes]) -> dict[str, dict]:
    """The index's fragments (one a page) by the page's URL."""
    out = {}
    for path, data in files.items():
        if path.startswith("fragment/"):
            text = gzip.decompress(data)
            assert text.startswith(b"pagefind_dcd")
            fragment = json.loads(text[len(b"pagefind_dcd"):])
            out[fragment["url"]] = fragment
    return out


def _assert_same_index(pages: dict[str, bytes], tmp_path: Path) -> dict[str, dict]:
    whole = _index(pages, tmp_path / "whole")
    lean = _index({path: search.lean(data) for path, data in pages.items()}, tmp_path / "lean")
    expected, got = _fragments(whole), _fragments(lean)
    assert sorted(got) == sorted(expected) and len(expected) == len(pages)
    for url, fragment in expected.items():
        for part in ("content", "word_count", "anchors", "meta", "filters"):
            assert got[url][part] == fragment[part], (url, part)
    assert lean == whole  # every file of the index, byte for byte
    return expected


@pytest.mark.parametrize("language", ["de", "en"])
def test_lean_story_pages_index_as_the_whole_pages(tmp_path: Path, language: str) -> None:
    site = tmp_path / "site"
    build(Config(language=language), Paths(_content(tmp_path / "content"), site), FIXED_NOW)
    pages = {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.glob("stories/*/index.html"))}
    assert len(pages) >= 4
    joined = b"".join(pages.values())
    # the variety this is about: copies, what a source adds, articles in two languages, text that looks like markup
    assert b'<details class="body" data-pagefind-ignore>' in joined and b'class="adds"' in joined
    assert b'<article lang="en">' in joined and b'<article lang="de">' in joined and b"&lt;section&gt;" in joined
    for path, data in pages.items():
        lean = search.lean(data)
        if path.startswith("stories/hafenbehorde"):  # Pagefind's attributes named in the head's description
            assert lean == data
            continue
        assert len(lean) < 0.9 * len(data)
        assert lean.startswith(f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<title>'.encode())
        assert b'data-pagefind-ignore></section>' in lean and b"<nav" not in lean and b"<footer" not in lean
    fragments = _assert_same_index(pages, tmp_path / "index")
    assert any(f["anchors"] for f in fragments.values()) and all(f["meta"]["title"] for f in fragments.values())
    # and the build's own index (made from the lean pages) is those very files
    built = {p.relative_to(site / "pagefind").as_posix(): p.read_bytes()
             for p in sorted((site / "pagefind").rglob("*")) if p.is_file()}
    assert built == _index(pages, tmp_path / "again")


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>A page &amp; its title</title>
<link rel="stylesheet" href="style.css">
</head>
<body>
<nav><a href="/">Home</a></nav>
<main>
<article class="story" data-pagefind-body>
  <h1 data-pagefind-meta="title">Storm closes the pier</h1>
  <section id="outer" data-pagefind-ignore>
    <h2 id="inside">Nested</h2>
    <section><p>inner section, ignored too</p></section>
    <p>still ignored</p>
  </section>
  <p>The harbour authority closed the pier.<p>An unclosed paragraph.
  <p class="skip" data-pagefind-ignore>a paragraph's end is not certain: kept</p>
  <h2 id="repairs">Repairs</h2>
  <ul><li>three weeks<li>two million pounds</ul>
  <div data-pagefind-ignore="all"><span>ignored</span> <div>nested div</div> text</div>
  <aside data-pagefind-ignore><span data-pagefind-filter="kind">kept: a filter inside</span></aside>
  <div data-pagefind-ignore><img src="x.png" alt="kept: an image inside"></div>
  BODY_EXTRA
</article>
</main>
<footer>Footer words</footer>
</body>
</html>
"""


def test_lean_cuts_only_where_the_end_is_certain(tmp_path: Path) -> None:
    page = PAGE.replace("BODY_EXTRA", "").encode()
    lean = search.lean(page)
    assert b'<section id="outer" data-pagefind-ignore></section>' in lean
    assert b'<div data-pagefind-ignore="all"></div>' in lean
    assert b"a paragraph's end is not certain: kept" in lean and b"kept: a filter inside" in lean
    assert b"kept: an image inside" in lean
    assert b"Footer words" not in lean and b"<nav>" not in lean and b"stylesheet" not in lean
    assert b"<title>A page &amp; its title</title>" in lean
    _assert_same_index({"a/index.html": page}, tmp_path)


@pytest.mark.parametrize("change", [
    ("BODY_EXTRA", "<script>var s = '</section>';</script>"),  # raw text: '<' may stand for itself
    ("BODY_EXTRA", "<!-- </article> -->"),
    ('<nav><a href="/">', '<nav data-pagefind-meta="nav"><a href="/">'),  # Pagefind reads this outside the body
    ("<main>", '<main><div data-pagefind-body>second body</div>'),
    ("<footer>Footer words", "<footer><h1>Footer words</h1>"),  # the first <h1> is the title where none is marked
    ('<article class="story" data-pagefind-body>', '<p data-pagefind-body>'),  # an element without a certain end
])
def test_lean_keeps_the_page_where_it_cannot_tell(tmp_path: Path, change: tuple[str, str]) -> None:
    page = PAGE.replace(*change).replace("BODY_EXTRA", "").encode()
    assert search.lean(page) == page
