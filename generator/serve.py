"""``newsdigest serve``: build, serve the site on 127.0.0.1, rebuild when content, templates or config change, and
reload the open pages after each rebuild.

A preview for the author, not for production: the site itself is static and needs no server. Live reload lives
here alone: the pages this server sends get a small script that asks ``/__newsdigest/build`` for the number of the
last good build and reloads when it changes. The files in the output folder never carry it. A build that fails
is reported in the terminal and changes nothing: the previous site stays, and so does the number."""
from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import Paths, build
from generator.cli_support import build_time
from generator.config import CONFIG_NAME, ConfigError, load_config
from generator.write import OutputError

POLL_SECONDS = 0.5
BUILD_PATH = "/__newsdigest/build"
RELOAD_SCRIPT = """<script>/* newsdigest serve: reload after a rebuild (only in pages the preview server sends) */
(() => { const built = "%d";
  const check = () => fetch("%s", {cache: "no-store"}).then((r) => r.text()).then(
    (now) => { if (now !== built) { location.reload(); } else { setTimeout(check, 500); } },
    () => setTimeout(check, 2000));
  setTimeout(check, 500); })();
</script>
"""


def snapshot(folders: list[Path], files: list[Path]) -> tuple:
    """A cheap fingerprint of everything a rebuild depends on: names, sizes and mtimes."""
    seen: list[tuple[str, int, int]] = []
    for folder in folders:
        for dirpath, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(dirpath, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                seen.append((path, info.st_size, info.st_mtime_ns))
    for path in files:
        try:
            info = path.stat()
            seen.append((str(path), info.st_size, info.st_mtime_ns))
        except OSError:
            pass
    return tuple(seen)


def rebuild(config_path: Path | None, paths: Paths, force: bool) -> bool:
    """One build; every problem is printed, none stops the server. True when a new site was written."""
    try:
        config, warnings = load_config(config_path)
        for line in warnings:
            print("warning: " + line)
        report = build(config, paths, build_time(), force=force)
    except ConfigError as exc:
        print("\n".join(exc.problems))
        return False
    except OutputError as exc:
        print(exc)
        return False
    except Exception as exc:  # keep serving whatever happens; the author fixes and saves again
        print(f"build failed: {exc.__class__.__name__}: {exc}")
        return False
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return True


def with_reload(html: bytes, build_number: int) -> bytes:
    """``html`` with the reload script before its last </body> (or at its end)."""
    script = (RELOAD_SCRIPT % (build_number, BUILD_PATH)).encode("utf-8")
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


@dataclass
class Preview:
    """What the server shows: the output folder, rebuilt when what it is made of changes. ``build_number`` counts
    the good builds; the pages reload when it moves."""

    config_path: Path | None
    paths: Paths
    force: bool = False
    build_number: int = 0
    last_seen: tuple = ()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _watched(self) -> tuple:
        folders = [p for p in (self.paths.content, self.paths.templates) if p is not None]
        return snapshot(folders, [self.config_path or Path(CONFIG_NAME)])

    def rebuild(self) -> bool:
        with self.lock:
            self.last_seen = self._watched()
            ok = rebuild(self.config_path, self.paths, self.force)
            if ok:
                self.build_number += 1
            return ok

    def poll(self) -> bool:
        """Rebuild if anything changed since the last build; True if it did."""
        if self._watched() == self.last_seen:
            return False
        print("change seen, rebuilding ...")
        self.rebuild()
        return True


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Files of the output folder; HTML pages with the reload script; the site's 404.html for a missing page."""

    preview: Preview

    def __init__(self, *args: object, preview: Preview, **kwargs: object) -> None:
        self.preview = preview
        super().__init__(*args, directory=str(preview.paths.output.absolute()), **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        if urllib.parse.urlsplit(self.path).path == BUILD_PATH:
            return self._send(200, str(self.preview.build_number).encode(), "text/plain; charset=utf-8")
        page = self._page()
        if page is None:
            return super().do_GET()
        status, path = page
        try:
            html = path.read_bytes()
        except OSError:  # swapped away by a rebuild between the look and the read
            return self._send(503, b"rebuilding, reload in a moment", "text/plain; charset=utf-8")
        self._send(status, with_reload(html, self.preview.build_number), "text/html; charset=utf-8")

    def _page(self) -> tuple[int, Path] | None:
        """(status, file) of an HTML page to send; None for anything the base class serves as it is."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urllib.parse.urlsplit(self.path).path.endswith("/"):
                return None  # the base class redirects to the folder's address
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return 200, path
        missing = Path(self.directory) / "404.html"
        if not path.exists() and missing.is_file():
            return 404, missing
        return None

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def make_server(preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    return http.server.ThreadingHTTPServer((host, port), functools.partial(PreviewHandler, preview=preview))


def serve(config_path: Path | None, paths: Paths, port: int, force: bool = False, host: str = "127.0.0.1") -> int:
    preview = Preview(config_path, paths, force)
    if not preview.rebuild() and not paths.output.is_dir():
        return 1
    try:
        server = make_server(preview, host, port)
    except OSError as exc:
        print(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another with --port",
              file=sys.stderr)
        return 1
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(POLL_SECONDS):
            preview.poll()

    threading.Thread(target=watch, daemon=True).start()
    shown = f"[{host}]" if ":" in host else host
    print(f"serving {paths.output} at http://{shown}:{server.server_address[1]}/ "
          "(reloads open pages after each rebuild; Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0
