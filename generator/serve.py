"""``newsdigest serve``: build, serve the site on 127.0.0.1 and rebuild when content, templates or config change.

A preview server for the author, not for production: the site itself is static and needs no server."""
from __future__ import annotations

import functools
import http.server
import os
import threading
import time
from pathlib import Path

from generator.build import Paths, build
from generator.cli_support import build_time
from generator.config import ConfigError, load_config
from generator.write import OutputError

POLL_SECONDS = 0.5


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
    """One build; every problem is printed, none stops the server."""
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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def serve(config_path: Path | None, paths: Paths, port: int, force: bool = False) -> int:
    if not rebuild(config_path, paths, force) and not paths.output.is_dir():
        return 1
    handler = functools.partial(_QuietHandler, directory=str(paths.output.absolute()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    watched = [p for p in (paths.content, paths.templates) if p is not None]
    extra = [config_path] if config_path else [Path("newsdigest.toml")]
    stop = threading.Event()

    def watch() -> None:
        last = snapshot(watched, extra)
        while not stop.wait(POLL_SECONDS):
            now = snapshot(watched, extra)
            if now != last:
                last = now
                print("change seen, rebuilding ...")
                rebuild(config_path, paths, force)

    threading.Thread(target=watch, daemon=True).start()
    print(f"serving {paths.output} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0
