"""`newsdigest fetch` against a local HTTP server on 127.0.0.1 serving real feed and page files: full entries,
teasers whose page is fetched, robots.txt, conditional GET, a redirect, gzip, a 404, a slow host, a bad feed."""
from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.fetch import STATE_NAME, Client, feed_urls, fetch
from generator.load import load
from generator.normalize import normalize
from generator.config import Config

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"


class Handler(http.server.BaseHTTPRequestHandler):
    requests: list[tuple[str, str | None]] = []

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _fixture(self, name: str) -> bytes:
        host = f"127.0.0.1:{self.server.server_address[1]}"
        return (FIXTURES / name).read_bytes().replace(b"HOST", host.encode())

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        Handler.requests.append((self.path, self.headers.get("If-None-Match")))
        if self.path == "/feed.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304)
            return self._send(200, self._fixture("feed.xml"), {"ETag": '"v1"', "Content-Type": "application/rss+xml"})
        if self.path == "/gzip-feed.xml":
            return self._send(200, gzip.compress(self._fixture("feed.xml")), {"Content-Encoding": "gzip"})
        if self.path == "/moved":
            return self._send(301, b"", {"Location": "/feed.xml"})
        if self.path in ("/teaser.html", "/robots.txt", "/bad-feed.xml"):
            return self._send(200, self._fixture(self.path[1:]))
        if self.path == "/slow.xml":
            time.sleep(1.0)
            return self._send(200, self._fixture("feed.xml"))
        return self._send(404, b"not here")


@pytest.fixture()
def server() -> Iterator[str]:
    Handler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def client() -> Client:
    return Client(delay=0.0, timeout=0.5)


def test_fetch_saves_full_entries_and_fetches_teaser_pages(server: str, tmp_path: Path) -> None:
    report = fetch([f"{server}/feed.xml"], tmp_path, client())
    names = sorted(p.relative_to(tmp_path).as_posix() for p in report.saved)
    assert len(names) == 2 and all(n.startswith("testbote/2015-09-") for n in names), names
    teaser = next(p for p in report.saved if "neue-gesprache" in p.name).read_text(encoding="utf-8")
    assert "direkte Leitung zwischen den Kommandozentralen" in teaser  # from the page, not the feed
    assert "Impressum" not in teaser
    assert report.problems == (f"{server}/private/secret.html: robots.txt forbids fetching the page; skipped",)
    # what was saved is content the build reads
    loaded = load(tmp_path, 10_000_000)
    articles, problems = normalize(loaded.articles, Config())
    assert not loaded.problems and not problems
    full = next(a for a in articles if a.title.startswith("Minister telefonieren"))
    assert full.outlet and full.outlet.name == "Testbote"
    assert full.url == f"{server}/full.html"
    assert full.published and full.published.isoformat().startswith("2015-09-18T16:35")


def test_second_run_fetches_only_what_is_new_with_conditional_get(server: str, tmp_path: Path) -> None:
    fetch([f"{server}/feed.xml"], tmp_path, client())
    Handler.requests = []
    report = fetch([f"{server}/feed.xml"], tmp_path, client())
    assert report.saved == ()
    assert Handler.requests == [("/feed.xml", '"v1"')]  # answered 304: nothing else was asked
    assert (tmp_path / STATE_NAME).is_file()


def test_redirect_gzip_404_slow_and_bad_feeds(server: str, tmp_path: Path) -> None:
    sources = [f"{server}/moved", f"{server}/gzip-feed.xml", f"{server}/gone.xml", f"{server}/slow.xml",
               f"{server}/bad-feed.xml"]
    report = fetch(sources, tmp_path, client())
    problems = "\n".join(report.problems)
    assert f"{server}/gone.xml: HTTP 404; skipped" in problems
    assert f"{server}/slow.xml: timed out; skipped" in problems
    assert f"{server}/bad-feed.xml: not a feed" in problems
    assert len(report.saved) == 2  # the redirect and the gzip feed carry the same two readable entries


def test_existing_files_are_never_overwritten(server: str, tmp_path: Path) -> None:
    report = fetch([f"{server}/feed.xml"], tmp_path, client())
    target = report.saved[0]
    target.write_text("my own edit", encoding="utf-8")
    (tmp_path / STATE_NAME).unlink()
    fetch([f"{server}/feed.xml"], tmp_path, client())
    assert target.read_text(encoding="utf-8") == "my own edit"


def test_sources_from_opml_and_url_lists(tmp_path: Path) -> None:
    opml = FIXTURES / "feeds.opml"
    listing = tmp_path / "feeds.txt"
    listing.write_text("# my feeds\nhttps://example.org/a.xml\n\nhttps://example.org/b.xml\n", encoding="utf-8")
    urls, problems = feed_urls([str(opml), str(listing), "https://example.org/a.xml", str(tmp_path / "none")])
    assert urls == ["http://HOST/feed.xml", "http://HOST/moved", "https://example.org/a.xml",
                    "https://example.org/b.xml"]
    assert len(problems) == 1 and "cannot read" in problems[0]
