"""``newsdigest fetch``: bring articles from the feeds one follows into the content folder.

SOURCES are feed URLs, OPML files (as feed readers export them) or text files with one feed URL a line. Every new
entry becomes one Markdown file with front matter (url, outlet, published, title, author) in the content folder;
where the entry carries only a teaser, the article page is downloaded and its main text extracted (trafilatura).
Re-running fetches only what is new: the state (seen entries, ETag and Last-Modified per feed) lives in
``_fetch-state.json`` in the content folder, which the build ignores. Polite: one request per host at a time with
a delay between them, a timeout, robots.txt honoured. Existing files are never overwritten.

A feed is untrusted: it must not make us read the machine's own services or those of its network (a cloud's
metadata address, a router's admin page). Every connection goes only to public addresses: all the addresses a host
resolves to are checked, the connection is made to those checked addresses (no second lookup that could answer
differently), and every redirect is checked again. ``allow_private`` lifts this for feeds on one's own network.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import trafilatura
import yaml

from generator import __version__
from generator.story import slugify

STATE_NAME = "_fetch-state.json"
USER_AGENT = f"newsdigest/{__version__}"
TEASER_WORDS = 120  # an entry with fewer words than this is a teaser: fetch the page
MAX_BYTES = 20_000_000


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    body: bytes
    etag: str | None = None
    modified: str | None = None


def _gunzip(data: bytes) -> bytes:
    """Unpack a gzip body, refusing one that unpacks to more than MAX_BYTES (a gzip bomb)."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        body = stream.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError(f"body unpacks to more than {MAX_BYTES:,} bytes")
    return body


class AddressRefused(OSError):
    """A connection to an address that is not public (loopback, private, link-local, ...); the message says which."""


# Checked in this order: the first that fits names the address's kind (127.0.0.1 is also "private" to Python).
_NOT_PUBLIC = (("loopback", "is_loopback"), ("link-local", "is_link_local"), ("multicast", "is_multicast"),
               ("unspecified", "is_unspecified"), ("reserved", "is_reserved"), ("private", "is_private"))


def address_kind(address: str) -> str | None:
    """Why ``address`` (an IP address) is no place for a fetch ('loopback', 'private', ...); None if public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ('fe80::1%eth0') says nothing here
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for kind, test in _NOT_PUBLIC:
        if getattr(ip, test):
            return kind
    return None if ip.is_global else "non-public"


@dataclass(frozen=True, slots=True)
class Guard:
    """Where fetch may connect: public addresses, and those in ``allowed``."""

    allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    def resolve(self, host: str, port: int | None) -> list[tuple]:
        """Every address ``host`` resolves to (getaddrinfo's tuples); AddressRefused if any is not allowed."""
        infos = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
        for *_, sockaddr in infos:
            address = str(sockaddr[0])
            kind = address_kind(address)
            if kind and not any(ipaddress.ip_address(address.split("%", 1)[0]) in net for net in self.allowed):
                where = f"{host} is" if host.strip("[]") == address else f"{host} resolves to {address},"
                raise AddressRefused(f"refused: {where} a {kind} address (allowed with --allow-private)")
        return infos

    def connect(self, address: tuple[str, int], timeout: object = None,
                source_address: tuple[str, int] | None = None) -> socket.socket:
        """socket.create_connection, but only to the addresses that were checked."""
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in self.resolve(*address):
            sock = socket.socket(family, kind, proto)
            try:
                if isinstance(timeout, (int, float)):
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error or OSError(f"{address[0]}: no address")


def _guarded(base: type[http.client.HTTPConnection], guard: Guard) -> type[http.client.HTTPConnection]:
    class Guarded(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = guard.connect
    return Guarded


def _connection_class(guard: Guard, base: type[http.client.HTTPConnection],
                      req: urllib.request.Request) -> type[http.client.HTTPConnection]:
    """``base`` connecting only where ``guard`` allows. Through a proxy (which may well be on this machine), the
    address of the site asked for is checked instead, and the proxy reaches it."""
    if req.has_proxy() or getattr(req, "_tunnel_host", None):
        parts = urllib.parse.urlsplit(req.full_url)
        guard.resolve(parts.hostname or "", parts.port)
        return base
    return _guarded(base, guard)


class _GuardedHTTP(urllib.request.HTTPHandler):
    def __init__(self, guard: Guard) -> None:
        super().__init__()
        self.guard = guard

    def http_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib's signature
        return self.do_open(_connection_class(self.guard, http.client.HTTPConnection, req), req)


class _GuardedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, guard: Guard) -> None:
        super().__init__()
        self.guard = guard

    def https_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib's signature
        return self.do_open(_connection_class(self.guard, http.client.HTTPSConnection, req), req,
                            context=self._context)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) addresses only (urllib alone would follow one to ftp:), and with a guard only
    to allowed addresses (the connection checks again)."""

    def __init__(self, guard: Guard | None) -> None:
        super().__init__()
        self.guard = guard

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        parts = urllib.parse.urlsplit(newurl)
        if parts.scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-http(s) address", headers, fp)
        if self.guard:
            try:
                self.guard.resolve(parts.hostname or "", parts.port)
            except AddressRefused as exc:
                raise AddressRefused(f"refused redirect to {newurl}: {str(exc).removeprefix('refused: ')}") from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def opener(guard: Guard | None) -> urllib.request.OpenerDirector:
    """urllib's opener: http(s) redirects only; with a guard, connections only where it allows."""
    handlers: list[urllib.request.BaseHandler] = [_HttpOnlyRedirects(guard)]
    if guard:
        handlers += [_GuardedHTTP(guard), _GuardedHTTPS(guard)]
    return urllib.request.build_opener(*handlers)


_OPENER = opener(Guard())  # the default: public addresses only
_ANYWHERE = opener(None)


@dataclass
class Client:
    """HTTP with a per-host delay, a timeout, gzip, conditional GET and robots.txt, to public addresses only
    unless ``allow_private`` (anywhere) or ``allow_networks`` (these networks too)."""

    delay: float = 1.0
    timeout: float = 10.0
    allow_private: bool = False
    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    last_request: dict[str, float] = field(default_factory=dict)
    robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)

    def _opener(self) -> urllib.request.OpenerDirector:
        if self.allow_private:
            return _ANYWHERE
        return opener(Guard(self.allow_networks)) if self.allow_networks else _OPENER

    def _wait(self, host: str) -> None:
        due = self.last_request.get(host, 0.0) + self.delay
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self.last_request[host] = time.monotonic()

    def get(self, url: str, etag: str | None = None, modified: str | None = None) -> Response:
        if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
            raise ValueError("not an http(s) address")  # a feed must not make us read file: or ftp: URLs
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        self._wait(urllib.parse.urlsplit(url).netloc)
        request = urllib.request.Request(url, headers=headers)
        try:
            with self._opener().open(request, timeout=self.timeout) as reply:
                body = reply.read(MAX_BYTES + 1)
                if reply.headers.get("Content-Encoding", "").lower() == "gzip":
                    body = _gunzip(body)
                return Response(reply.geturl(), reply.status, body, reply.headers.get("ETag"),
                                reply.headers.get("Last-Modified"))
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(url, 304, b"", etag, modified)
            raise

    def allowed(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                parser.parse(self.get(root + "/robots.txt").body.decode("utf-8", "replace").splitlines())
                self.robots[root] = parser
            except (urllib.error.URLError, OSError, ValueError):
                self.robots[root] = None  # no robots.txt to be had: nothing is forbidden
        parser = self.robots[root]
        return parser is None or parser.can_fetch(USER_AGENT, url)


@dataclass(frozen=True, slots=True)
class FetchReport:
    saved: tuple[Path, ...]
    problems: tuple[str, ...]
    feeds: int


def feed_urls(sources: list[str]) -> tuple[list[str], list[str]]:
    """Feed URLs from URLs, OPML files and URL-list files; and the problems with the sources."""
    urls: list[str] = []
    problems: list[str] = []
    for source in sources:
        if source.startswith(("http://", "https://")):
            urls.append(source)
            continue
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{source}: cannot read ({exc.__class__.__name__})")
            continue
        if text.lstrip().startswith("<"):
            try:
                urls += [o.get("xmlUrl") for o in ET.fromstring(text).iter("outline") if o.get("xmlUrl")]
            except ET.ParseError as exc:
                problems.append(f"{source}: not valid OPML ({exc})")
        else:
            urls += [line.strip() for line in text.splitlines() if line.strip().startswith(("http://", "https://"))]
    return list(dict.fromkeys(urls)), problems


def _entry_text(entry: dict) -> str:
    parts = [c.get("value", "") for c in entry.get("content", [])] or [entry.get("summary", "")]
    html = "\n".join(p for p in parts if p)
    if not html:
        return ""
    return trafilatura.extract(f"<html><body><article>{html}</article></body></html>", include_comments=False,
                               favor_recall=True) or ""


def _published(entry: dict) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", value)
    return None


def article_markdown(meta: dict[str, str | None], text: str) -> str:
    front = yaml.safe_dump({k: v for k, v in meta.items() if v}, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{text.strip()}\n"


def _save(folder: Path, meta: dict[str, str | None], text: str) -> Path | None:
    day = (meta.get("published") or "undated")[:10]
    key = hashlib.sha256((meta.get("url") or meta.get("title") or "").encode()).hexdigest()[:8]
    path = folder / slugify(meta.get("outlet") or "feed", 4) / f"{day}-{slugify(meta.get('title') or '', 8)}-{key}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # never overwrite
            handle.write(article_markdown(meta, text))
    except FileExistsError:
        return None
    return path


def fetch_entry(client: Client, entry: dict, outlet: str | None) -> tuple[dict[str, str | None], str] | str:
    """Front matter and text of one feed entry, or a problem line."""
    url = entry.get("link")
    text = _entry_text(entry)
    if url and len(text.split()) < TEASER_WORDS:
        if not client.allowed(url):
            return f"{url}: robots.txt forbids fetching the page; skipped"
        try:
            page = client.get(url)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return f"{url}: {_why(exc)}; skipped"
        extracted = trafilatura.extract(page.body.decode("utf-8", "replace"), include_comments=False)
        text = extracted if extracted and len(extracted) > len(text) else text
    if not text and not entry.get("title"):
        return f"{url or outlet}: entry has neither title nor text; skipped"
    meta = {"title": entry.get("title"), "url": url, "outlet": outlet, "published": _published(entry),
            "author": entry.get("author")}
    return meta, text


def _why(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, AddressRefused):
        return str(reason)
    return "timed out" if "timed out" in str(reason) else f"cannot fetch ({reason})"


def fetch(sources: list[str], content: Path, client: Client) -> FetchReport:
    urls, problems = feed_urls(sources)
    content.mkdir(parents=True, exist_ok=True)
    state_path = content / STATE_NAME
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    saved: list[Path] = []
    for url in urls:
        known = state.setdefault(url, {"seen": []})
        try:
            reply = client.get(url, known.get("etag"), known.get("modified"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            problems.append(f"{url}: {_why(exc)}; skipped")
            continue
        if reply.status == 304:
            continue
        feed = feedparser.parse(io.BytesIO(reply.body))  # bytes alone could name a local file to feedparser
        if feed.bozo and not feed.entries:
            problems.append(f"{url}: not a feed ({feed.get('bozo_exception', 'unreadable')}); skipped")
            continue
        known.update(etag=reply.etag, modified=reply.modified)
        outlet = feed.feed.get("title") or urllib.parse.urlsplit(reply.url).netloc
        seen = set(known["seen"])
        for entry in feed.entries:
            key = entry.get("id") or entry.get("link") or entry.get("title")
            if not key or key in seen:
                continue
            result = fetch_entry(client, entry, outlet)
            if isinstance(result, str):
                problems.append(result)
                continue
            path = _save(content, *result)
            if path:
                saved.append(path)
            seen.add(key)
            known["seen"].append(key)
    tmp = state_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(state_path)
    return FetchReport(tuple(saved), tuple(problems), len(urls))
