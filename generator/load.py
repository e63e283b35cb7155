"""Stage 1: files -> RawArticle (and Problem). With ``write``, the only stage that touches the disk.

Article files are untrusted: whatever a reader hands over is vetted here before any other stage sees it. Strings
lose control characters and lone surrogates (which XML and UTF-8 output cannot carry), over-long lines and fields
keep the article out, and a link that is not http(s) is dropped. A file that is not a regular file (a named pipe,
a device) is never opened for reading in a way that could block.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from generator.decode import DecodeError, decode
from generator.model import Problem, RawArticle
from generator.readers import READERS, reader_for
from generator.readers.fields import web_url

# Longest line of a body, in characters: a 10 MB line is no article, and the later stages would take minutes.
MAX_LINE = 100_000
# Longest metadata field (title, outlet, author, url, ...), in characters.
MAX_FIELD = 10_000
# Characters that no output can carry: C0/C1 controls but tab and newline, BOM, non-characters, lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")
_META = ("title", "published", "outlet", "url", "author", "language", "id", "record")
_MAX_SHOWN = 80  # characters of a record id in a problem line
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class Loaded:
    """What the load stage found: the articles, and the problems with the files it could not use."""

    articles: tuple[RawArticle, ...]
    problems: tuple[Problem, ...]
    files: int  # input files looked at


def ignored(name: str) -> bool:
    """Files and folders whose names start with '.' or '_' are not content (drafts, editor files, VCS)."""
    return name.startswith((".", "_"))


def content_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """Every non-ignored file below ``root``, sorted, without following links into loops."""
    found, problems = content_names(root)
    return [Path(path) for path, _ in found], problems


def content_names(root: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """``content_files`` as (path, name relative to ``root`` as problems show it), made without pathlib, which
    costs more than the file system on a folder of 100,000 articles."""
    found: list[tuple[str, str]] = []
    problems: list[Problem] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: str, prefix: str) -> None:
        shown = printable(prefix.rstrip("/")) if prefix else "."
        try:
            info = os.stat(folder)
        except OSError as exc:
            problems.append(Problem(shown, f"cannot read folder ({exc.strerror or exc})"))
            return
        if (info.st_dev, info.st_ino) in seen_dirs:
            problems.append(Problem(shown, "link loop (folder already read)"))
            return
        seen_dirs.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(shown, f"cannot read folder ({exc.strerror or exc})"))
            return
        for entry in entries:
            if ignored(entry.name):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                walk(entry.path, prefix + entry.name + "/")
            else:
                found.append((entry.path, printable(prefix + entry.name)))

    walk(str(root), "")
    return found, problems


def printable(name: str) -> str:
    """A file name as it can be shown and stored: control characters, text direction overrides and undecodable
    bytes as \\xNN or \\uNNNN escapes."""
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.scandir hands it over
            return f"\\x{code - 0xDC00:02x}"
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    return _UNPRINTABLE.sub(escape, name) if _UNPRINTABLE.search(name) else name


def relative_name(path: Path, root: Path | None) -> str:
    if root is None:
        return printable(str(path))
    try:
        return printable(path.relative_to(root).as_posix())
    except ValueError:
        return printable(str(path))


def shown_record(record: str | None) -> str | None:
    """A record's id as a problem line shows it: escaped like a file name, and cut short."""
    if record is None:
        return None
    record = printable(record)
    return record if len(record) <= _MAX_SHOWN else record[:_MAX_SHOWN] + "…"


def vet(raw: RawArticle) -> list[RawArticle | Problem]:
    """A reader's article made safe to pass on, or the Problem that keeps it out (and one for a dropped link)."""
    changes = {name: _UNSAFE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
               for name in _META + ("body",) if isinstance(value := getattr(raw, name), str)}
    record = shown_record(raw.record)
    for name in _META:
        value = changes.get(name)
        if value is not None and len(value) > MAX_FIELD:
            return [Problem(raw.input, f"too long ({len(value):,} characters; the limit is {MAX_FIELD:,})",
                            field=name, record=record)]
    body = changes["body"]
    longest = len(body) if len(body) <= MAX_LINE else max(map(len, body.split("\n")), default=0)
    if longest > MAX_LINE:
        return [Problem(raw.input, f"a line of {longest:,} characters (the limit is {MAX_LINE:,})", record=record)]
    out: list[RawArticle | Problem] = []
    if changes.get("url"):
        changes["url"] = web_url(changes["url"])
        if changes["url"] is None:
            out.append(Problem(raw.input, "not an http(s) address; left out", field="url", record=record,
                               skipped=False))
    return [replace(raw, **changes)] + out


def read_file(path: Path, name: str, max_size: int) -> list[RawArticle | Problem]:
    """The articles in one file, or the Problem that keeps it out."""
    unknown = unknown_type(path, name)
    if unknown is not None:
        return [unknown]
    data = read_bytes(path, max_size)
    if isinstance(data, str):
        return [Problem(name, data)]
    return parse_file(data, path.suffix, name)


def unknown_type(path: Path, name: str) -> Problem | None:
    """The Problem of a file that no reader takes, else None."""
    if reader_for(path.suffix) is not None:
        return None
    known = ", ".join(sorted(READERS))
    what = f"'{printable(path.suffix)}'" if path.suffix else "no extension"
    return Problem(name, f"unknown file type ({what}; expected one of {known})")


def parse_file(data: bytes, suffix: str, name: str) -> list[RawArticle | Problem]:
    """The articles in the bytes of a file of a known type, or the Problem that keeps it out."""
    reader = reader_for(suffix)
    assert reader is not None, "parse_file needs a file type a reader takes (see unknown_type)"
    if not data.strip():
        return [Problem(name, "empty file")]
    try:
        text = decode(data)
    except DecodeError as exc:
        return [Problem(name, str(exc))]
    found: list[RawArticle | Problem] = []
    for item in reader(text, name):
        found += vet(item) if isinstance(item, RawArticle) else [replace(item, record=shown_record(item.record))]
    return found


def read_bytes(path: Path, max_size: int) -> bytes | str:
    """The bytes of a regular file of at most ``max_size`` bytes, else the reason why not.

    Named pipes and devices are refused before they are opened; the file is opened without blocking and checked
    again once open, in case it was swapped for a pipe in between."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "not a regular file"
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return "not a regular file"
            if info.st_size > max_size:
                return f"too large ({info.st_size:,} bytes; the limit is {max_size:,})"
            # What the file holds by its size (asking for ``max_size`` bytes at once would make a buffer that
            # large for every file), and the rest where it grew meanwhile.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(max_size + 1 - len(data))
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc.__class__.__name__})"
    if len(data) > max_size:
        return f"too large (over {max_size:,} bytes; the limit is {max_size:,})"
    return data


def load_files(paths: list[Path], root: Path | None, max_size: int) -> Loaded:
    """Read the given files; input names are relative to ``root`` where given, else the paths as given."""
    articles: list[RawArticle] = []
    problems: list[Problem] = []
    for path in paths:
        for item in read_file(path, relative_name(path, root), max_size):
            (problems if isinstance(item, Problem) else articles).append(item)
    return Loaded(tuple(articles), tuple(problems), len(paths))


def load(content_dir: Path, max_size: int) -> Loaded:
    """Every article below ``content_dir``."""
    if not content_dir.is_dir():
        return Loaded((), (Problem(printable(str(content_dir)), "content folder not found"),), 0)
    paths, problems = content_files(content_dir)
    loaded = load_files(paths, content_dir, max_size)
    return Loaded(loaded.articles, tuple(problems) + loaded.problems, loaded.files)
