"""Stage 5: OutputFile -> disk, atomically. The new site is written into a staging folder beside the output
folder and swapped in at the end, so a failed or killed build leaves the previous site as it was.

Only the output folder is ever written. It carries a marker file, so that a later build knows the folder is
ours; a non-empty folder without the marker (somebody's own files) is refused, never overwritten. No output path
can leave the output folder, and none is a name that some file system refuses or treats as a device."""
from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path, PurePosixPath

from generator.model import OutputFile

MARKER = ".newsdigest-site"
# Longest file or folder name, in bytes (the limit of ext4, APFS, NTFS and most others).
MAX_NAME_BYTES = 255
# Names Windows keeps for devices, with or without an extension: 'con.html' opens the console there.
_RESERVED = frozenset({"con", "prn", "aux", "nul", "conin$", "conout$"} | {f"{d}{n}" for d in ("com", "lpt")
                                                                           for n in "0123456789¹²³"})
# Characters that some file system refuses or reads as something else in a name (controls, ':', '\\', ...).
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|]')


class OutputError(Exception):
    """The output folder cannot be used; the message says why, in one line."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_dir(output: Path, content: Path | None, force: bool = False, protect: tuple[Path, ...] = ()) -> None:
    """Refuse an output folder that would put the user's files at risk: the content folder (or one that holds it
    or lies in it), a folder in ``protect`` (templates) likewise, the root or home folder, a file, and a non-empty
    folder without our marker unless ``force``."""
    out = output.resolve()
    for folder, what in [(content, "the content folder")] + [(p, "a folder the build reads") for p in protect]:
        if folder is not None and (_inside(out, folder.resolve()) or _inside(folder.resolve(), out)):
            raise OutputError(f"{output}: the output folder must not be, contain or lie inside {what} {folder}")
    if out == Path(out.anchor) or out == Path.home().resolve():
        raise OutputError(f"{output}: refusing to use this folder as the output folder")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{output}: exists and is not a folder")
    if out.is_dir() and not force and not (out / MARKER).is_file() and any(out.iterdir()):
        raise OutputError(f"{output}: folder is not empty and was not made by newsdigest (use --force to replace it)")


def safe_relative(path: str) -> PurePosixPath:
    """``path`` as a relative path that stays inside the output folder and that every file system takes as an
    ordinary file name; ValueError otherwise."""
    for part in path.split("/"):
        if part in ("", ".", "..") or _BAD_CHARS.search(part) or part.endswith((".", " ")) \
                or part.split(".")[0].rstrip(" ").lower() in _RESERVED \
                or len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise ValueError(f"unsafe output path {path!r}")
    return PurePosixPath(path)


def _check_unique(files: list[OutputFile]) -> None:
    """Two files at one path (or at two that differ only in case, one path on macOS and Windows) would lose one."""
    seen: dict[str, str] = {}
    for item in files:
        key = item.path.casefold()
        if key in seen:
            raise ValueError(f"two output files at one path: {seen[key]!r} and {item.path!r}")
        seen[key] = item.path


def write(files: list[OutputFile], output: Path) -> int:
    """Write the site into ``output`` (replacing the previous one there); the number of files written."""
    _check_unique(files)
    targets = [(safe_relative(item.path), item.content) for item in files]
    output = output.resolve()
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = _new_folder(output.parent, f".{output.name}.new-")
    except OSError as exc:
        raise OutputError(f"{output}: cannot write here ({exc.strerror or exc})") from None
    try:
        for rel, content in targets:
            target = staging.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (staging / MARKER).write_text("This folder was made by newsdigest; a build replaces it whole.\n",
                                      encoding="utf-8")
        _swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(files)


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder ``prefix`` + random letters in ``parent``, made with the user's umask (tempfile makes
    0700 folders, which would hide the site from a web server running as another user)."""
    while True:
        folder = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue


def _swap(staging: Path, output: Path) -> None:
    """Put ``staging`` where ``output`` is: the old folder is moved aside first and removed only afterwards."""
    if not output.exists():
        os.replace(staging, output)
        return
    old = _new_folder(output.parent, f".{output.name}.old-")
    os.rmdir(old)
    os.replace(output, old)
    try:
        os.replace(staging, output)
    except OSError:
        os.replace(old, output)
        raise
    shutil.rmtree(old, ignore_errors=True)
