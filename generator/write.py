"""Stage 5: OutputFile -> disk, atomically. The new site is written into a temporary folder beside the output
folder and swapped in at the end, so a failed or killed build leaves the previous site as it was.

Only the output folder is ever written. It carries a marker file, so that a later build knows the folder is
ours; a non-empty folder without the marker (somebody's own files) is refused, never overwritten."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from generator.model import OutputFile

MARKER = ".newsdigest-site"


class OutputError(Exception):
    """The output folder cannot be used; the message says why, in one line."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_dir(output: Path, content: Path | None, force: bool = False) -> None:
    """Refuse an output folder that would put the user's files at risk."""
    out, src = output.resolve(), content.resolve() if content else None
    if src is not None and (_inside(out, src) or _inside(src, out)):
        raise OutputError(f"{output}: the output folder must not be, contain or lie inside the content folder {content}")
    if out == Path(out.anchor) or out == Path.home().resolve():
        raise OutputError(f"{output}: refusing to use this folder as the output folder")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{output}: exists and is not a folder")
    if out.is_dir() and not force and not (out / MARKER).exists() and any(out.iterdir()):
        raise OutputError(f"{output}: folder is not empty and was not made by newsdigest (use --force to replace it)")


def safe_relative(path: str) -> PurePosixPath:
    """``path`` as a relative path that stays inside the output folder; ValueError otherwise."""
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or "\x00" in path or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"unsafe output path {path!r}")
    return PurePosixPath(*parts)


def write(files: list[OutputFile], output: Path) -> int:
    """Write the site into ``output`` (replacing the previous one there); the number of files written."""
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        for item in files:
            target = staging.joinpath(*safe_relative(item.path).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.content)
        (staging / MARKER).write_text("This folder was made by newsdigest; a build replaces it whole.\n",
                                      encoding="utf-8")
        _swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(files)


def _swap(staging: Path, output: Path) -> None:
    """Put ``staging`` where ``output`` is: the old folder is moved aside first and removed only afterwards."""
    if not output.exists():
        os.replace(staging, output)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.rmdir(old)
    os.replace(output, old)
    try:
        os.replace(staging, output)
    except OSError:
        os.replace(old, output)
        raise
    shutil.rmtree(old, ignore_errors=True)
