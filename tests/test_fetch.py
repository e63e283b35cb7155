"""`newsdigest fetch` against a local HTTP server on 127.0.0.1 serving real feed and page files: full entries,
teasers whose page is fetched, robots.txt, conditional GET, a redirect, gzip, a 404, a slow host, a bad feed."""
from __future__ import annotations

import gzip
import http.server
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.fetch import STATE_NAME, AddressRefused, Client, Guard, feed_urls, fetch
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
        if self.path == "/elsewhere":  # to another loopback address, which no test ever allows
            return self._send(302, b"", {"Location": f"http://127.0.0.2:{self.server.server_address[1]}/feed.xml"})
        if self.path == "/metadata-feed.xml":  # a teaser whose page is the cloud metadata service
            return self._send(200, self._fixture("feed.xml").replace(
                f"http://127.0.0.1:{self.server.server_address[1]}/teaser.html".encode(),
                b"http://169.254.169.254/latest/meta-data/"))
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
    """The test server is on 127.0.0.1, which fetch refuses unless told otherwise."""
    return Client(delay=0.0, timeout=0.5, allow_private=True)


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


# The SSRF guard: a feed must not make fetch read this machine's or its network's services.

REFUSED = "a loopback address (allowed with --allow-private)"


def test_local_and_private_addresses_are_refused_by_default(server: str, tmp_path: Path) -> None:
    report = fetch([f"{server}/feed.xml", "http://localhost:9/feed.xml", "http://[::1]:9/x.xml",
                    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/feed.xml"], tmp_path,
                   Client(delay=0.0, timeout=0.5))
    assert report.saved == ()
    assert report.problems == (
        f"{server}/feed.xml: refused: 127.0.0.1 is {REFUSED}; skipped",
        f"http://localhost:9/feed.xml: refused: localhost resolves to 127.0.0.1, {REFUSED}; skipped",
        f"http://[::1]:9/x.xml: refused: ::1 is {REFUSED}; skipped",
        "http://169.254.169.254/latest/meta-data/: refused: 169.254.169.254 is a link-local address "
        "(allowed with --allow-private); skipped",
        "http://10.0.0.1/feed.xml: refused: 10.0.0.1 is a private address (allowed with --allow-private); skipped")
    assert Handler.requests == []  # refused before connecting


def test_redirects_are_checked_again(server: str, tmp_path: Path) -> None:
    """The server's own address is allowed here; its redirect to another loopback address is not."""
    allowed = Client(delay=0.0, timeout=0.5, allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    report = fetch([f"{server}/elsewhere"], tmp_path, allowed)
    port = server.rsplit(":", 1)[1]
    assert report.problems == (f"{server}/elsewhere: refused redirect to http://127.0.0.2:{port}/feed.xml: "
                               f"127.0.0.2 is {REFUSED}; skipped",)
    assert [path for path, _ in Handler.requests] == ["/elsewhere"]


def test_a_feed_entry_linking_to_a_private_address_is_skipped(server: str, tmp_path: Path) -> None:
    allowed = Client(delay=0.0, timeout=0.5, allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    report = fetch([f"{server}/metadata-feed.xml"], tmp_path, allowed)
    assert "http://169.254.169.254/latest/meta-data/: refused: 169.254.169.254 is a link-local address " \
           "(allowed with --allow-private); skipped" in report.problems
    assert len(report.saved) == 1  # the entry with its full text in the feed


def test_every_address_of_a_host_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    def answers(*addresses: str):  # noqa: ANN202 - getaddrinfo's stand-in
        return lambda host, port, **kw: [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6,
                                          "", (a, port)) for a in addresses]
    monkeypatch.setattr(socket, "getaddrinfo", answers("93.184.215.14", "2606:2800:21f:cb07::1"))
    assert len(Guard().resolve("outlet.example", 443)) == 2
    for private in ("192.168.0.7", "::ffff:127.0.0.1", "fd00::1", "100.64.0.1", "224.0.0.251", "0.0.0.0"):
        monkeypatch.setattr(socket, "getaddrinfo", answers("93.184.215.14", private))
        with pytest.raises(AddressRefused, match=f"outlet.example resolves to {re.escape(private)}, a "):
            Guard().resolve("outlet.example", 443)


def test_connections_go_only_to_checked_addresses(server: str) -> None:
    """The connection itself (not only a look-up before it) refuses, so a name that answers differently the second
    time (DNS rebinding) gains nothing."""
    port = int(server.rsplit(":", 1)[1])
    with pytest.raises(AddressRefused):
        Guard().connect(("127.0.0.1", port), 0.5)
    Guard((ipaddress.ip_network("127.0.0.0/8"),)).connect(("127.0.0.1", port), 0.5).close()


def test_cli_fetch_refuses_then_allow_private_fetches(server: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    assert main(["fetch", f"{server}/feed.xml", "--content", str(tmp_path), "--delay", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{server}/feed.xml: refused: 127.0.0.1 is {REFUSED}; skipped"]
    assert main(["fetch", "--allow-private", f"{server}/feed.xml", "--content", str(tmp_path), "--delay", "0"]) == 0
    assert "2 new articles from 1 feeds saved in" in capsys.readouterr().out
