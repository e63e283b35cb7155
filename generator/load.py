"""Stage 1: files -> RawArticle (and Problem). With ``write``, the only stage that touches the disk."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from generator.decode import DecodeError, decode
from generator.model import Problem, RawArticle
from generator.readers import READERS, reader_for


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
    found: list[Path] = []
    problems: list[Problem] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path) -> None:
        try:
            info = folder.stat()
        except OSError as exc:
            problems.append(Problem(_rel(folder, root), f"cannot read folder ({exc.strerror or exc})"))
            return
        if (info.st_dev, info.st_ino) in seen_dirs:
            problems.append(Problem(_rel(folder, root), "link loop (folder already read)"))
            return
        seen_dirs.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(_rel(folder, root), f"cannot read folder ({exc.strerror or exc})"))
            return
        for entry in entries:
            if ignored(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                walk(path)
            else:
                found.append(path)

    walk(root)
    return found, problems


def _rel(path: Path, root: Path | None) -> str:
    if root is None:
        return str(path)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_file(path: Path, name: str, max_size: int) -> list[RawArticle | Problem]:
    """The articles in one file, or the Problem that keeps it out."""
    reader = reader_for(path.suffix)
    if reader is None:
        known = ", ".join(sorted(READERS))
        what = f"'{path.suffix}'" if path.suffix else "no extension"
        return [Problem(name, f"unknown file type ({what}; expected one of {known})")]
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return [Problem(name, "not a regular file")]
        if info.st_size > max_size:
            return [Problem(name, f"too large ({info.st_size:,} bytes; the limit is {max_size:,})")]
        with open(path, "rb") as handle:
            data = handle.read(max_size + 1)
    except OSError as exc:
        return [Problem(name, f"cannot read ({exc.strerror or exc.__class__.__name__})")]
    if not data.strip():
        return [Problem(name, "empty file")]
    try:
        text = decode(data)
    except DecodeError as exc:
        return [Problem(name, str(exc))]
    return reader(text, name)


def load_files(paths: list[Path], root: Path | None, max_size: int) -> Loaded:
    """Read the given files; input names are relative to ``root`` where given, else the paths as given."""
    articles: list[RawArticle] = []
    problems: list[Problem] = []
    for path in paths:
        for item in read_file(path, _rel(path, root), max_size):
            (problems if isinstance(item, Problem) else articles).append(item)
    return Loaded(tuple(articles), tuple(problems), len(paths))


def load(content_dir: Path, max_size: int) -> Loaded:
    """Every article below ``content_dir``."""
    if not content_dir.is_dir():
        return Loaded((), (Problem(str(content_dir), "content folder not found"),), 0)
    paths, problems = content_files(content_dir)
    loaded = load_files(paths, content_dir, max_size)
    return Loaded(loaded.articles, tuple(problems) + loaded.problems, loaded.files)
