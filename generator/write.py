"""Stage 5: OutputFile -> disk, atomically. The new site is written into a staging folder beside the output
folder and swapped in at the end, so a failed or killed build leaves the previous site as it was; what a killed
build leaves beside it (``.site.new-*``) the next build removes.

Only the output folder is ever written. It carries a marker file, so that a later build knows the folder is
ours; a non-empty folder without the marker (somebody's own files) is refused, never overwritten. No output path
can leave the output folder, and none is a name that some file system refuses or treats as a device."""
from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import re
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; builds into one folder must not overlap there
    fcntl = None  # type: ignore[assignment]

from generator.model import MovableFile, OutputFile

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
    _check_safe(path)
    return PurePosixPath(path)


def _check_safe(path: str) -> None:
    for part in path.split("/"):
        if part in ("", ".", "..") or _BAD_CHARS.search(part) or part.endswith((".", " ")) \
                or part.split(".")[0].rstrip(" ").lower() in _RESERVED \
                or len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise ValueError(f"unsafe output path {path!r}")


def _check_unique(files: list[OutputFile]) -> None:
    """Two files at one path (or at two that differ only in case, one path on macOS and Windows) would lose one."""
    seen: dict[str, str] = {}
    for item in files:
        key = item.path.casefold()
        if key in seen:
            raise ValueError(f"two output files at one path: {seen[key]!r} and {item.path!r}")
        seen[key] = item.path


@dataclass(frozen=True, slots=True)
class Written:
    """One file of the new site as the disk has it, so that a later build can tell that it is still there."""

    size: int
    mtime_ns: int
    inode: int


def write(files: list[OutputFile], output: Path) -> int:
    """Write the site into ``output`` (replacing the previous one there); the number of files written."""
    _check_unique(files)
    for item in files:
        safe_relative(item.path)
    with Staging(output) as stage:
        for item in files:
            stage.put(item)
        stage.commit()
    return len(files)


class Staging:
    """The new site, written into a staging folder and swapped in by ``commit``; without a commit (an error, a
    kill) the current site stays as it was. A file whose bytes equal the current site's file at the same path is
    not written again but hard-linked from there, so it keeps its inode and mtime: a deploy that compares them
    uploads only what changed. The folder's lock is held from ``__enter__`` to ``__exit__``.

    Without ``reuse``, the staging folder is new, beside the output folder, and the replaced site is removed after
    the swap. With ``reuse`` (a folder on the same file system, in the build cache), the staging folder is the site
    that the last swap replaced, brought up to date file by file, and the replaced site stays there for the next
    build: folders are neither made nor removed again (removing thousands of them takes seconds on some disks),
    and files that did not change since the last build are not touched. The reused folder is never trusted: it is
    listed once (``_listing``: names and inode numbers, which a listing gives on POSIX without a stat of each
    file), every file is checked against what the new site must hold, and whatever else it held is removed before
    the swap."""

    def __init__(self, output: Path, reuse: Path | None = None):
        self.output = output.resolve()
        self.written: dict[str, Written] = {}
        self.changed = 0
        self._seen: dict[str, str] = {}
        # path -> the identity (inode, device) of the current site's file there, as ``unchanged`` found it just now
        # together with the record of it that it checked
        self._checked: dict[str, tuple[int, int, Written]] = {}
        self._folders: set[str] = set()
        self._staging: Path | None = None
        self._root = ""  # the staging folder as a string (paths are joined to it often)
        self._out = str(self.output)
        self._reuse = reuse
        self._reused = False
        self._listed: _Listing | None = None  # the reused folder as it was (``_listing``)
        self._hold = hold(self.output)

    def __enter__(self) -> Staging:
        self._hold.__enter__()
        try:
            _tidy(self.output)
            if self._reuse is not None:
                self._reused = self._reuse.is_dir() and not self._reuse.is_symlink()
                if not self._reused:
                    self._reuse.mkdir(parents=True)
                else:  # as it is before this build changes anything in it
                    device = os.stat(self.output).st_dev if self.output.is_dir() else -1
                    self._listed = _Listing.of(self._reuse, device)
                self._staging = self._reuse
            else:
                self._staging = _new_folder(self.output.parent, f".{self.output.name}.new-")
            self._root = str(self._staging)
        except BaseException:
            self._hold.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._staging is not None and self._reuse is None:
                shutil.rmtree(self._staging, ignore_errors=True)  # the new site on failure, the old one after a swap
        finally:
            self._hold.__exit__(None, None, None)

    def _target(self, path: str, folder: bool = True, safe: bool = False) -> tuple[str, str]:
        """Where ``path`` goes in the new site (its folder made unless not ``folder``), and where the current
        site has it. ``safe``: the path is known to be safe (the last build wrote it)."""
        if not safe:
            _check_safe(path)
        key = path.casefold()
        if key in self._seen:
            raise ValueError(f"two output files at one path: {self._seen[key]!r} and {path!r}")
        self._seen[key] = path
        assert self._staging is not None, "Staging used outside its with block"
        target = f"{self._root}/{path}"
        if folder:
            self._folder_of(target)
        return target, f"{self._out}/{path}"

    def _folder_of(self, target: str) -> None:
        parent = target.rpartition("/")[0]
        if parent not in self._folders:
            assert self._staging is not None
            _make_folder(Path(parent), self._staging)
            self._folders.add(parent)

    def put(self, item: OutputFile) -> None:
        """``item`` in the new site: linked from the current site where the bytes there are the same."""
        self._checked.pop(item.path, None)  # checked for a unit that is made again after all
        target, current = self._target(item.path)
        if _same_bytes(current, item.content):
            self._record(item.path, self._link(current, target))
            return
        if not (self._reused and _same_bytes(target, item.content) and not _same_file(target, current)):
            if not (isinstance(item, MovableFile) and _move(item.source, target)):
                _replace(target, item.content, self._reused)
            self.changed += 1
        self._record(item.path, os.stat(target))

    def unchanged(self, written: dict[str, Written]) -> Callable[[str], bool]:
        """Whether the current site's file at a path is still the one the last build wrote there (``written``:
        what the last build recorded)."""
        def check(path: str) -> bool:
            record = written.get(path)
            if record is None:
                return False
            try:
                info = os.lstat(f"{self._out}/{path}")
            except (OSError, ValueError):
                return False
            if (info.st_size, info.st_mtime_ns, info.st_ino) != (record.size, record.mtime_ns, record.inode):
                return False
            self._checked[path] = (info.st_ino, info.st_dev, record)  # for ``keep``, which most often follows
            return True
        return check

    def keep(self, path: str) -> None:
        """The current site's file at ``path``, unchanged, in the new site (the caller knows it is still right)."""
        checked = self._checked.pop(path, None)
        target, current = self._target(path, folder=False, safe=checked is not None)
        # most often the reused folder holds the very file already (the build before kept it): no folder to make
        if checked is not None and self._reused and self._listing().identity(path) == checked[:2]:
            self.written[path] = checked[2]  # the very file that was recorded: the record stands
            return
        info = self._held(current, target, checked[:2] if checked else None)
        if info is None:
            self._folder_of(target)
            info = self._new_link(current, target)
        elif checked is not None:  # the very file that was recorded: the record stands
            self.written[path] = checked[2]
            return
        self._record(path, info)

    def _listing(self) -> _Listing:
        assert self._listed is not None, "a reused staging folder is listed when the build enters it"
        return self._listed

    def _held(self, current: str, target: str,
              identity: tuple[int, int] | None = None) -> os.stat_result | None:
        """The stat of ``target`` where the reused folder holds ``current`` there already (the same file;
        ``identity``: that of ``current`` where just looked up)."""
        if not self._reused:
            return None
        try:
            info = os.lstat(target)
        except OSError:
            return None
        return info if (info.st_ino, info.st_dev) == (identity or _identity(current)) else None

    def _link(self, current: str, target: str) -> os.stat_result:
        """``target`` the same file as ``current`` (a hard link; a copy where links do not work); its stat."""
        info = self._held(current, target)
        return info if info is not None else self._new_link(current, target)

    def _new_link(self, current: str, target: str) -> os.stat_result:
        """``_link`` where the reused folder does not hold the file yet."""
        if self._reused:
            temporary = f"{target}.{secrets.token_hex(4)}.tmp"
            if not _link(current, temporary):
                shutil.copy2(current, temporary, follow_symlinks=False)
            os.replace(temporary, target)
        elif not _link(current, target):
            shutil.copy2(current, target, follow_symlinks=False)
        return os.stat(target)

    def source(self, path: str) -> Path:
        """The new site's file ``path`` (put or kept already), for tools that read what is written so far."""
        assert self._staging is not None
        return self._staging.joinpath(*safe_relative(path).parts)

    @property
    def work(self) -> Path:
        """A folder for temporary files on the new site's file system (gone with the staging folder)."""
        assert self._staging is not None
        return self._staging

    def _record(self, path: str, info: os.stat_result) -> None:
        self.written[path] = Written(info.st_size, info.st_mtime_ns, info.st_ino)

    def commit(self) -> None:
        """Swap the new site in."""
        assert self._staging is not None
        self._seen.pop(MARKER.casefold(), None)
        marker = OutputFile(MARKER, MARKER_TEXT.encode("utf-8"))
        self.put(marker)
        del self.written[MARKER]
        if self._reused:
            self._listing().prune(self._staging, set(self.written) | {MARKER})
        _swap(self._staging, self.output)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_ino, info.st_dev


def _same_file(a: str, b: str) -> bool:
    first = _identity(a)
    return first is not None and first == _identity(b)


def _replace(target: str, content: bytes, reused: bool) -> None:
    """Write ``content`` at ``target``. In a reused folder the old entry may be a hard link to a file of the
    current site, which must not change: the new bytes go into a new file that replaces the entry."""
    if not reused:
        with open(target, "wb") as handle:
            handle.write(content)
        return
    temporary = f"{target}.{secrets.token_hex(4)}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(content)
    os.replace(temporary, target)


def _move(source: str, target: str) -> bool:
    """``source`` moved to ``target`` (replacing the entry there, as ``_replace`` does in a reused folder: a file
    of the current site linked there stays as it is); False where it cannot be (another file system, or gone), and
    the caller writes the bytes instead. (Where a server holds the current site's file open, Windows refuses to
    replace even a link to it: that fails here as it would when writing.)"""
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno in (errno.EXDEV, errno.ENOENT):
            return False
        raise
    return True


def _make_folder(folder: Path, root: Path) -> None:
    """``folder`` (below ``root``) as a folder, removing a file or link that stands in its way in a reused
    staging folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return
    except (FileExistsError, NotADirectoryError):
        pass
    for part in [*reversed(folder.relative_to(root).parents), folder.relative_to(root)]:
        path = root / part
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
    folder.mkdir(parents=True, exist_ok=True)


@dataclass(slots=True)
class _Listing:
    """What a reused staging folder held when the build began: the inode of each file (or link, or anything else
    that is not a folder) by its path; the folders that held nothing; and the device of the output folder where
    the reused folder is on it (else None: no inode of it is then the identity of an output file)."""

    inodes: dict[str, int]
    empty: set[str]
    device: int | None

    @classmethod
    def of(cls, root: Path, device: int) -> _Listing:
        """``root`` listed; ``device``: that of the output folder."""
        listing = cls({}, set(), device if os.stat(root).st_dev == device else None)

        def walk(folder: str, prefix: str) -> None:
            empty = True
            with os.scandir(folder) as entries:
                for entry in entries:
                    empty = False
                    rel = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        walk(entry.path, rel + "/")
                    else:
                        listing.inodes[rel] = entry.inode()
            if empty and prefix:
                listing.empty.add(prefix[:-1])
        walk(str(root), "")
        return listing

    def identity(self, path: str) -> tuple[int, int] | None:
        """The (inode, device) of the file listed at ``path``, where it can be an output file's."""
        inode = self.inodes.get(path)
        return None if inode is None or self.device is None else (inode, self.device)

    def prune(self, root: Path, keep: set[str]) -> None:
        """Remove from ``root`` every file it held that is not in ``keep`` (paths relative to it), and every
        folder left empty: what ``_prune`` does, without listing the folder again. Whatever the build put there
        since is in ``keep`` (the staging folder is held by this build alone)."""
        gone = [path for path in self.inodes if path not in keep]
        for path in gone:
            target = f"{root}/{path}"
            try:
                info = os.lstat(target)
            except FileNotFoundError:
                continue
            if stat.S_ISDIR(info.st_mode):  # a folder made where a file was (the new site has one): pruned whole
                _prune(root / path, {k[len(path) + 1:] for k in keep if k.startswith(path + "/")})
            elif info.st_ino == self.inodes[path]:  # still the file listed: not a file of this build that a
                os.unlink(target)                   # case-insensitive file system shows under the old name
        candidates = set(self.empty)
        for path in gone + sorted(self.empty):
            parent = path.rpartition("/")[0]
            while parent and parent not in candidates:
                candidates.add(parent)
                parent = parent.rpartition("/")[0]
        for folder in sorted(candidates, key=lambda f: f.count("/"), reverse=True):
            try:
                os.rmdir(f"{root}/{folder}")
            except OSError:  # not empty (or gone)
                pass


def _prune(root: Path, keep: set[str]) -> None:
    """Remove from ``root`` every file not in ``keep`` (paths relative to it) and every folder left empty."""
    def prune(folder: str, prefix: str) -> bool:
        """Whether ``folder`` is empty now."""
        empty = True
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if prune(entry.path, rel + "/"):
                        os.rmdir(entry.path)
                    else:
                        empty = False
                elif rel in keep:
                    empty = False
                else:
                    os.unlink(entry.path)
        return empty
    prune(str(root), "")


def _same_bytes(path: str | Path, content: bytes) -> bool:
    """Whether ``path`` is a regular file (not a link) that holds exactly ``content``."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(content):
            return False
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read(len(content) + 1) == content
    except OSError:
        return False


def _link(source: str | Path, target: str | Path) -> bool:
    """Hard-link ``source`` (a regular file) as ``target``; False where the file system cannot."""
    try:
        if not stat.S_ISREG(os.lstat(source).st_mode):
            return False
        os.link(source, target, follow_symlinks=False)
        return True
    except (OSError, NotImplementedError):
        return False


_held: dict[Path, list] = {}


@contextlib.contextmanager
def hold(output: Path) -> Iterator[None]:
    """Hold the folder that holds ``output`` for this build alone (re-entrant within one process), making it
    first where it is missing."""
    folder = output.resolve().parent
    entry = _held.get(folder)
    if entry is not None:
        entry[1] += 1
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            entry = _held[folder] = [_lock(folder), 1]
        except OSError as exc:
            raise OutputError(f"{output}: cannot write here ({exc.strerror or exc})") from None
    try:
        yield
    finally:
        entry[1] -= 1
        if entry[1] == 0:
            del _held[folder]
            _unlock(entry[0])


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
        old = output.with_name(f".{output.name}.old-{secrets.token_hex(4)}")
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
