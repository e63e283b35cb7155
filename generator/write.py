"""Stage 5: OutputFile -> disk, atomically. The new site is written into a staging folder beside the output
folder and swapped in at the end, so a failed or killed build leaves the previous site as it was; what a killed
build leaves beside it (``.site.new-*``) the next build removes.

Only the output folder is ever written. It carries a marker file, so that a later build knows the folder is
ours; a non-empty folder without the marker (somebody's own files) is refused, never overwritten. No output path
can leave the output folder, and none is a name that some file system refuses or treats as a device."""
from __future__ import annotations

import ctypes
import errno
import glob
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; builds into one folder must not overlap there
    fcntl = None  # type: ignore[assignment]

from generator.model import OutputFile

MARKER = ".newsdigest-site"
MARKER_TEXT = "This folder was made by newsdigest; a build replaces it whole.\n"
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
        lock = _lock(output.parent)
    except OSError as exc:
        raise OutputError(f"{output}: cannot write here ({exc.strerror or exc})") from None
    try:
        _tidy(output)
        staging = _new_folder(output.parent, f".{output.name}.new-")
        try:
            for rel, content in targets:
                target = staging.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            _swap(staging, output)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # the new site on failure, the old one after a swap
    finally:
        _unlock(lock)
    return len(files)


def _lock(folder: Path) -> int | None:
    """Hold ``folder`` for this build alone (an advisory lock that the system drops if the process dies), so that
    two builds into one place (``serve`` and a manual build) take turns instead of tidying each other away."""
    if fcntl is None:
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # a file system without locks (some network shares): go on unlocked
        os.close(fd)
        return None
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing drops the lock


def _tidy(output: Path) -> None:
    """Remove what a killed build left beside ``output``: staging folders, and a previous site moved aside. If
    the kill came between moving the old site aside and moving the new one in (only where the system cannot swap
    two folders in one step), the old site is put back first."""
    prefix = f".{glob.escape(output.name)}"
    moved_aside = [p for p in output.parent.glob(f"{prefix}.old-*") if (p / MARKER).is_file()]
    if moved_aside and not output.exists():
        os.replace(max(moved_aside, key=lambda p: p.stat().st_mtime), output)
    for path in [*output.parent.glob(f"{prefix}.new-*"), *output.parent.glob(f"{prefix}.old-*")]:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


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
    """Put ``staging`` where ``output`` is, and the old site where ``staging`` was. On Linux the two folders
    trade places in one step, so that there is no moment without a site; elsewhere the old folder is moved aside
    first, and a build killed between the two moves has it put back by the next build (``_tidy``)."""
    if not output.exists():
        os.replace(staging, output)
    elif not _exchange(staging, output):
        old = staging.with_name(staging.name.replace(".new-", ".old-", 1))
        os.replace(output, old)
        try:
            os.replace(staging, output)
        except OSError:
            os.replace(old, output)
            raise
        os.replace(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically with renameat2(RENAME_EXCHANGE); False where the system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):  # file system or kernel without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _libc_renameat2() -> Callable[..., int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
_renameat2 = _libc_renameat2() if sys.platform.startswith("linux") else None
