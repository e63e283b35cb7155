"""No script from article content reaches a reader: the classic XSS filter-evasion payloads go in through every
input format and every field, and the built site is read back the way a browser and a feed reader read it.

The HTML pages are parsed (html.parser) and compared with a build of the same files with harmless text in place
of the payloads: no element, attribute or <script> that the clean build does not have (or, for elements that
only structure text, the templates' source), no on* attribute, no link with a scheme other than http(s). The
feeds are parsed with feedparser (without its sanitizer) and every part that a feed reader renders as HTML gets
the same checks; links in feeds and JSON must be http(s) or relative.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from generator.build import Paths, build
from generator.config import Config
from generator.readers import READERS
from generator.render import builtin_templates

from conftest import FIXED_NOW, write_files

# Script and markup in text: tags in every case, broken markup, entity and encoding tricks, template syntax.
PAYLOADS = (
    '<script>alert(1)</script>',
    '<SCRIPT SRC=//xss.example/x.js></SCRIPT>',
    '<ScRiPt>alert(1)</sCrIpT>',
    '<script type="text/javascript">alert(1);</script>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    '<scr<script>ipt>alert(1)</scr</script>ipt>',
    '<script/src=data:,alert(1)></script>',
    '</title><script>alert(1)</script>',
    '</textarea></style></noscript><script>alert(1)</script>',
    '"><script>alert(1)</script>',
    "'><svg/onload=alert(1)>",
    '<img src=x onerror=alert(1)>',
    '<IMG SRC="javascript:alert(\'XSS\');">',
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    '<IMG SRC=`javascript:alert("XSS")`>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;'
    '&#88;&#83;&#83;&#39;&#41;>',
    '<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53'
    '&#x53&#x27&#x29>',
    '<IMG SRC="jav&#x09;ascript:alert(\'XSS\');">',
    '<IMG SRC=" &#14;  javascript:alert(\'XSS\');">',
    '<img\x0bsrc=x\x0conerror=alert(1)>',
    '<img src=x onerror=&#x61;lert(1)>',
    '<svg onload=alert(1)>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<body onload=alert(1)>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    '<a href="javascript:alert(1)">klick</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klick</a>',
    '<a href=" &#x6A;avascript:alert(1)">klick</a>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<details open ontoggle=alert(1)>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<style>@import "javascript:alert(1)";</style>',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<input autofocus onfocus=alert(1)>',
    '<x onclick=alert(1)>klick</x>',
    '<video><source onerror="alert(1)">',
    '<marquee onstart=alert(1)>',
    '<table background="javascript:alert(1)">',
    '<template><script>alert(1)</script></template>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<!--<script>alert(1)//-->',
    '<![CDATA[<script>alert(1)</script>]]>',
    ']]><script>alert(1)</script>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;',
    '&#60;script&#62;alert(1)&#60;/script&#62;',
    '%3Cscript%3Ealert(1)%3C/script%3E',
    '<scr\x00ipt>alert(1)</scr\x00ipt>',
    '<script\x0c>alert(1)</script>',
    '\uff1cscript\uff1ealert(1)\uff1c/script\uff1e',
    '{{ 7*7 }}{% raw %}{{ config }}{{ self.__init__.__globals__ }}',
    '${alert(1)}`${alert(1)}`',
)

# Links: javascript: and data: in every disguise, other schemes, attribute break-outs.
URL_PAYLOADS = (
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    '\tjavascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\x01javascript:alert(1)',
    'jav&#x09;ascript:alert(1)',
    '&#106;avascript:alert(1)',
    'javascript&colon;alert(1)',
    'jAvAsCrIpT&#x3A;alert(1)',
    'javascript:/*--></title></style></textarea></script><svg/onload=alert(1)>',
    'data:text/html,<script>alert(1)</script>',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//evil.example/x',
    'https://ok.example/"><script>alert(1)</script>',
    "https://ok.example/' onmouseover='alert(1)",
    'http://ok.example/?q=<svg onload=alert(1)>',
    'https://ok.example/\x00javascript:alert(1)',
    'mailto:x@example.org',
)

CONFIG = Config(stories_per_page=5)  # pagination in both builds
CLEAN_SHARE = 6  # the clean build has the clean twins of every sixth payload's files
CLEAN_TEXT = "harmlose Worte"
CLEAN_URL = "https://ok.example/artikel"
BODY = ("Der Minister sagte am Dienstag in Berlin, die Lage sei ernst, und kündigte für die nächste Woche neue "
        "Gespräche mit den Nachbarländern an.")
MORE = "Die Opposition verlangte eine Sondersitzung des Parlaments, noch bevor die Gespräche beginnen."
URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset",
                       "cite", "longdesc", "ping", "manifest", "icon", "codebase", "lowsrc", "dynsrc", "srcdoc"})


def mark(n: int) -> str:
    return f"Kennung{n:03d}x"


def _yaml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


def _xml(value: str) -> str:
    return html.escape(value, quote=True)


def _date(n: int) -> str:
    return f"2024-03-{1 + n % 28:02d}T{n % 24:02d}:00:00+01:00"


def txt_file(n: int, payload: str, url: str) -> str:
    return (f"{payload} Schlagzeile {mark(n)}\n\nVon {payload}\n{_date(n)}\n\n{BODY} {payload} {mark(n)}\n\n"
            f"{payload}\n\n{MORE}\n\nQuelle: {payload} {url}\n")


def md_file(n: int, payload: str, url: str) -> str:
    front = {"title": f"{payload} {mark(n)}", "outlet": f"{payload} Zeitung", "author": payload, "url": url,
             "date": _date(n), "language": payload if n % 3 == 0 else "de", "id": f"{mark(n)}{payload}"}
    head = "\n".join(f"{key}: {_yaml(value)}" for key, value in front.items())
    return f"---\n{head}\n---\n# {payload}\n\n{BODY} {payload}\n\n[{payload}]({url}) <{url}>\n\n{payload} {MORE}\n"


def record(n: int, payload: str, url: str) -> dict:
    return {"title": f"{payload} {mark(n)}", "text": f"{BODY} {payload}\n\n{payload}\n\n{MORE}",
            "source": f"{payload} Zeitung", "url": url, "authors": [payload, "Anna"], "date_publish": _date(n),
            "language": payload if n % 3 == 0 else "de", "id": f"{mark(n)}{payload}"}


def json_file(n: int, payload: str, url: str) -> str:
    return json.dumps(record(n, payload, url), ensure_ascii=n % 2 == 0)


def jsonl_file(n: int, payload: str, url: str) -> str:
    second = dict(record(n, payload, url), id=None, title=f"{mark(n)} zwei {payload}")
    return json.dumps(record(n, payload, url)) + "\n" + json.dumps(second) + "\n"


def html_file(n: int, payload: str, url: str) -> str:
    return (f'<!DOCTYPE html><html lang="de"><head><title>{payload} {mark(n)}</title>'
            f'<meta property="og:site_name" content="{_xml(payload)}">'
            f'<meta name="author" content="{_xml(payload)}"><link rel="canonical" href="{_xml(url)}">'
            f'<meta property="article:published_time" content="{_date(n)}"></head><body><article>'
            f'<h1>{payload} {mark(n)}</h1><p>{BODY} {payload} {mark(n)}</p><p>{payload}</p><p>{MORE} {BODY}</p>'
            f'<p><a href="{_xml(url)}">{payload}</a></p></article></body></html>')


def rss_file(n: int, payload: str, url: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{_xml(payload)}</title>'
            f'<link>{_xml(url)}</link><item><title>{_xml(payload)} {mark(n)}</title><link>{_xml(url)}</link>'
            f'<description>{_xml(f"<p>{BODY} {payload}</p><p>{payload} {MORE}</p>")}</description>'
            f'<author>{_xml(payload)}</author><guid>{_xml(mark(n) + payload)}</guid>'
            f'<pubDate>Mon, 04 Mar 2024 10:00:00 +0100</pubDate></item></channel></rss>')


def atom_file(n: int, payload: str, url: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title type="html">{_xml(payload)}</title><id>urn:x:{n}</id><updated>2024-03-04T10:00:00Z</updated>'
            f'<entry><title type="html">{_xml(payload)} {mark(n)}</title><link href="{_xml(url)}"/>'
            f'<id>urn:x:{n}:{_xml(payload)}</id><updated>{_date(n)}</updated><author><name>{_xml(payload)}</name>'
            f'</author><content type="html">{_xml("<p>" + BODY + " " + payload + "</p>")}</content></entry></feed>')


TEXT_FORMATS = (".txt", ".md", ".json", ".jsonl")  # formats whose fields are text, not markup
# Every input format our readers know, with a maker of one file that carries a payload in every field.
MAKERS = {".txt": txt_file, ".md": md_file, ".json": json_file, ".jsonl": jsonl_file, ".html": html_file,
          ".rss": rss_file, ".atom": atom_file}


def make_content(folder: Path, clean: bool) -> dict[str, str]:
    """The payload files (or their clean twins) below ``folder``: file name -> the marker its pages must show."""
    files: dict[str, str] = {}
    marks: dict[str, str] = {}
    for suffix, maker in MAKERS.items():
        if suffix not in READERS:
            continue
        for n, payload in enumerate(PAYLOADS):
            if clean and n % CLEAN_SHARE:
                continue  # the clean build needs every kind of page, not every file
            url = URL_PAYLOADS[n % len(URL_PAYLOADS)]
            name, number = f"{suffix[1:]}/{n:03d}{suffix}", len(files)
            files[name] = maker(number, CLEAN_TEXT if clean else payload, CLEAN_URL if clean else url)
            marks[name] = mark(number)
    # JSON's own escapes spell the tags out only after parsing.
    files["json/escaped.json"] = ('{"title": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e Kennung999x", '
                                  '"text": "' + BODY + ' \\u003cimg src=x onerror=alert(1)\\u003e", '
                                  '"url": "\\u006aavascript:alert(1)", "source": "\\u003csvg onload=alert(1)\\u003e"}')
    if clean:
        files["json/escaped.json"] = json.dumps({"title": "Kennung999x", "text": BODY, "url": CLEAN_URL,
                                                 "source": CLEAN_TEXT})
    marks["json/escaped.json"] = "Kennung999x"
    write_files(folder, files)
    return marks


def browser_scheme(url: str) -> str:
    """The scheme a browser reads in ``url``: leading spaces and controls go, tabs and newlines inside too."""
    url = re.sub(r"[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return match.group(1).lower() if match else ""


def safe_link(url: str) -> bool:
    return browser_scheme(url) in ("", "http", "https") and not url.strip().startswith(("//", "\\\\", "/\\"))


@dataclass
class Audit(HTMLParser):
    """What an HTML document holds that could run: elements, attributes, scripts, and the unsafe ones."""

    tags: Counter = field(default_factory=Counter)
    attributes: set = field(default_factory=set)
    scripts: list = field(default_factory=list)
    unsafe: list = field(default_factory=list)
    text: list = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._script: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            self.attributes.add((tag, name))
            if name.startswith("on"):
                self.unsafe.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRS and value is not None and not safe_link(value):
                self.unsafe.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and re.search(r"url\s*\(|expression|javascript", value, re.I):
                self.unsafe.append(f"<{tag} style={value!r}>")
            if tag == "meta" and name == "http-equiv":
                self.unsafe.append(f"<meta http-equiv={value!r}>")
        if tag == "script":
            self._script = {"src": dict(attrs).get("src"), "type": dict(attrs).get("type"), "body": ""}
            self.scripts.append(self._script)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._script = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script["body"] += data
        else:
            self.text.append(data)


def audit(markup: str) -> Audit:
    parser = Audit()
    parser.feed(markup)
    parser.close()
    return parser


@dataclass(frozen=True)
class Built:
    folder: Path
    problems: tuple
    marks: dict

    def files(self, *suffixes: str) -> Iterator[Path]:
        return (p for p in sorted(self.folder.rglob("*")) if p.is_file() and p.suffix in suffixes)


def _build(tmp: Path, clean: bool) -> Built:
    marks = make_content(tmp / "content", clean)
    report = build(CONFIG, Paths(tmp / "content", tmp / "site"), FIXED_NOW)
    return Built(tmp / "site", report.problems, marks)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("attacked"), clean=False)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("clean"), clean=True)


# Elements and attributes that only structure text: where the templates write them for content that the clean
# build happens not to have (a list of names, say), they may appear in the attacked build too.
TEXT_ONLY = frozenset("article aside dd details dl dt footer h1 h2 h3 h4 h5 h6 header li main nav ol p q section "
                      "small span summary time ul abbr".split())
TEXT_ATTRIBUTES = re.compile(r"aria-[a-z]+|data-[a-z-]+|class|id|lang|title|datetime|role|heading")


def template_vocabulary() -> tuple[set[str], set[str]]:
    """The text-only element and attribute names written in our templates."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in builtin_templates().glob("*.html"))
    tags = {t.lower() for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9-]*)", source)} & TEXT_ONLY
    attributes = {a.lower() for a in re.findall(r"\s([a-zA-Z][a-zA-Z0-9:_-]*)=[\"']", source)}
    return tags, {a for a in attributes if TEXT_ATTRIBUTES.fullmatch(a)}


def _page_audits(site: Built) -> dict[str, Audit]:
    return {p.relative_to(site.folder).as_posix(): audit(p.read_text(encoding="utf-8")) for p in site.files(".html")}


def test_every_payload_file_reaches_the_site(attacked: Built) -> None:
    """The checks below mean something only if the payloads were built into the pages (escaped)."""
    text = " ".join(" ".join(a.text) for a in _page_audits(attacked).values())
    skipped = {p.path for p in attacked.problems if p.skipped}
    missing = [name for name, marker in attacked.marks.items() if marker not in text and name not in skipped]
    # In .html, .rss and .atom files a payload is markup: '<style>' or '<math>' there swallows what follows.
    assert not [name for name in missing if name.endswith(TEXT_FORMATS)], missing
    assert len(missing) + len(skipped) < len(attacked.marks) / 10, (missing, sorted(skipped))
    assert "<script>alert(1)</script>" in text, "escaped payloads show as the text they are"


def test_no_script_element_attribute_or_link_from_content_in_pages(attacked: Built, clean: Built) -> None:
    pages, baseline = _page_audits(attacked), _page_audits(clean)
    assert pages, "no HTML pages built"
    ours = set().union(*(a.unsafe for a in baseline.values()))  # what our templates do on purpose
    template_tags, template_attributes = template_vocabulary()
    known_tags = set().union(template_tags, *(a.tags for a in baseline.values()))
    known_attributes = template_attributes | {name for a in baseline.values() for _, name in a.attributes}
    known_scripts = {(s["src"], s["type"]) for a in baseline.values() for s in a.scripts}
    most_scripts = max(len(a.scripts) for a in baseline.values())
    for name, page in pages.items():
        assert not set(page.unsafe) - ours, (name, sorted(set(page.unsafe) - ours)[:5])
        assert set(page.tags) <= known_tags, (name, set(page.tags) - known_tags)
        attributes = {attribute for _, attribute in page.attributes}
        assert attributes <= known_attributes, (name, attributes - known_attributes)
        assert len(page.scripts) <= most_scripts, (name, page.scripts)
        for script in page.scripts:
            assert (script["src"], script["type"]) in known_scripts, (name, script)
            if script["src"] is None and "json" in (script["type"] or ""):
                json.loads(script["body"])  # data, not code: a payload that closed the element would break it
            else:
                assert "alert" not in script["body"], (name, script)


def _feeds(site: Built) -> list[Path]:
    return [p for p in site.files(".xml", ".atom", ".rss") if p.name != "sitemap.xml"]


def _rendered_parts(parsed: feedparser.FeedParserDict) -> Iterator[tuple[str, dict]]:
    """Every text construct of a feed and its entries, with what a feed reader takes it for."""
    for where, item in [("feed", parsed.feed)] + [(f"entry {i}", e) for i, e in enumerate(parsed.entries)]:
        for key in ("title_detail", "subtitle_detail", "summary_detail", "rights_detail"):
            if key in item:
                yield f"{where} {key}", item[key]
        for n, content in enumerate(item.get("content") or ()):
            yield f"{where} content {n}", content


def _feed_links(parsed: feedparser.FeedParserDict) -> Iterator[str]:
    for item in [parsed.feed] + list(parsed.entries):
        if item.get("link"):
            yield item["link"]
        for link in item.get("links") or ():
            yield link.get("href") or ""


def feed_failures(site: Built, clean: Built, names: list[str]) -> list[tuple]:
    """What a feed reader would render as markup in the feeds ``names`` and is not safe, and unsafe links."""
    known_tags = set()
    for path in _feeds(clean):
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False, resolve_relative_uris=False)
        for _, part in _rendered_parts(parsed):
            if "html" in part.get("type", ""):
                known_tags |= set(audit(part["value"]).tags)
    failures = []
    for name in names:
        parsed = feedparser.parse((site.folder / name).read_bytes(), sanitize_html=False, resolve_relative_uris=False)
        if parsed.bozo:
            failures.append((name, "not well-formed", str(parsed.get("bozo_exception"))))
        for where, part in _rendered_parts(parsed):
            if "html" not in part.get("type", ""):
                continue  # shown as text by a feed reader
            found = audit(part["value"])
            if found.unsafe or found.scripts or set(found.tags) - known_tags:
                failures.append((name, where, part["type"], found.unsafe[:2], set(found.tags) - known_tags))
        bad = [link for link in _feed_links(parsed) if not safe_link(link)]
        if bad:
            failures.append((name, "links", bad[:3]))
    return failures


def test_atom_feeds_render_no_script_or_unsafe_link(attacked: Built, clean: Built) -> None:
    """atom.xml and every story's and outlet's feed: titles and summaries are type="text", content is escaped."""
    names = [p.relative_to(attacked.folder).as_posix() for p in _feeds(attacked) if p.name != "feed.xml"]
    assert "atom.xml" in names and len(names) > 2
    failures = feed_failures(attacked, clean, names)
    assert not failures, f"{len(failures)} unsafe parts in {len(names)} feeds, e.g. {failures[:4]}"


def test_rss_feed_renders_no_script_or_unsafe_link(attacked: Built, clean: Built) -> None:
    """feed.xml: an RSS reader takes <description> for HTML, and <title> too once it looks like HTML."""
    failures = feed_failures(attacked, clean, ["feed.xml"])
    assert not failures, f"{len(failures)} unsafe parts in feed.xml, e.g. {failures[:4]}"


def _json_feed_html(site: Built) -> dict[str, list[str]]:
    """Every feed.json of the site: the content_html of its items (what a JSON Feed reader renders as HTML)."""
    return {p.relative_to(site.folder).as_posix(): [item["content_html"] for item in
                                                    json.loads(p.read_text(encoding="utf-8"))["items"]
                                                    if "content_html" in item]
            for p in site.files(".json") if p.name == "feed.json"}


def test_json_feeds_render_no_script_or_unsafe_link(attacked: Built, clean: Built) -> None:
    """feed.json, site-wide and of every story and outlet: content_html holds no script, handler or unsafe link,
    and no element that the same feeds of the clean build lack; title, summary and content_text are plain text by
    the spec."""
    feeds, baseline = _json_feed_html(attacked), _json_feed_html(clean)
    assert "feed.json" in feeds and len(feeds) > 2 and sum(map(len, feeds.values())) > len(feeds)
    assert any("&lt;script&gt;" in part for part in feeds["feed.json"]), "the payloads reach the feed, escaped"
    known_tags = {tag for parts in baseline.values() for html_part in parts for tag in audit(html_part).tags}
    failures = []
    for name, parts in feeds.items():
        for n, part in enumerate(parts):
            found = audit(part)
            if found.unsafe or found.scripts or set(found.tags) - known_tags:
                failures.append((name, n, found.unsafe[:2], set(found.tags) - known_tags))
    assert not failures, f"{len(failures)} unsafe items in {len(feeds)} JSON feeds, e.g. {failures[:4]}"


def _links_in(value: object, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _links_in(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _links_in(v, key)
    elif isinstance(value, str) and key.lower() in {"url", "link", "href", "src", "image", "sameas", "@id",
                                                           "home_page_url", "feed_url", "external_url"}:
        yield value


def test_json_outputs_hold_only_safe_links(attacked: Built) -> None:
    jsons = list(attacked.files(".json"))
    assert any(p.name == "stories.json" for p in jsons)
    for path in jsons:
        data = json.loads(path.read_text(encoding="utf-8"))
        bad = [link for link in _links_in(data) if not safe_link(link)]
        assert not bad, (path.name, bad[:5])


def test_json_in_pages_holds_only_safe_links(attacked: Built) -> None:
    for name, page in _page_audits(attacked).items():
        for script in page.scripts:
            if script["src"] is None and "json" in (script["type"] or ""):
                bad = [link for link in _links_in(json.loads(script["body"])) if not safe_link(link)]
                assert not bad, (name, bad[:5])


def test_scripts_are_ours_alone(attacked: Built, clean: Built) -> None:
    """A script file (a search index, say) is the same bytes whatever the articles say."""
    # By file name, not path: the search index is split by month, so which folders there are depends on the dates
    # the articles give, but each folder's scripts are the same files.
    theirs: dict[str, set[bytes]] = {}
    for p in clean.files(".js", ".mjs"):
        theirs.setdefault(p.name, set()).add(p.read_bytes())
    for path in attacked.files(".js", ".mjs"):
        name = path.relative_to(attacked.folder).as_posix()
        assert path.read_bytes() in theirs.get(path.name, set()), f"{name}: a script file that depends on the content"


def test_output_paths_stay_inside_and_are_tame(attacked: Built) -> None:
    for path in attacked.folder.rglob("*"):
        rel = path.relative_to(attacked.folder).as_posix()
        assert re.fullmatch(r"[a-z0-9._/-]+", rel, re.I), rel
        assert all(len(part) <= 120 for part in rel.split("/")), rel
        assert path.resolve().is_relative_to(attacked.folder.resolve())


@pytest.mark.parametrize("url", URL_PAYLOADS)
def test_browser_scheme_sees_through_disguises(url: str) -> None:
    """The checker itself: every disguised URL payload is recognised as unsafe once a browser has decoded it."""
    decoded = html.unescape(url)
    assert safe_link(decoded) == decoded.startswith(("https://", "http://"))
