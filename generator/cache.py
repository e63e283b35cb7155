"""The build cache: what one build leaves for the next, so that a rebuild after a few new articles re-reads only
those files, reuses every other normalized article, hands the grouping its memo and renders only what changed.

It lives in ``.newsdigest-cache/<key of the output folder>/`` in the folder that holds the output folder, so two
outputs never share one. Every file of it starts with a header: a magic line, the tool's version and a hash of the
payload. The version is a hash of everything the result depends on besides the articles: the generator's own
source, templates and data files, the versions of the libraries it uses, the config, the user's templates and data
files, and the content and output folders. A cache that is missing, corrupt, foreign, outdated or unreadable is no
cache (a clean full build follows); saving never fails a build. Whatever is taken from the cache is checked
against the disk before it is trusted: input files by size, mtime and (where those are not conclusive) a hash of
their bytes; output files by size, mtime and inode.

The cache is trusted like the output folder beside it: it is made by newsdigest, for newsdigest (pickle).
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from generator import collector, lookups, model
from generator.config import Config
from generator.write import Written

FOLDER = ".newsdigest-cache"
FORMAT = 1  # bump when the layout of the cache changes
MAGIC = b"newsdigest-cache\n"
SHARDS = 64  # input entries are saved in this many files, so that a rebuild rewrites only the few that changed
# A file modified this close to (or after) the last scan may have changed again within one mtime tick: its bytes
# are hashed rather than its size and mtime trusted (the "racy" case of git's index).
RACY_NS = 2_000_000_000
_OWN = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Input:
    """One content file as the last build read it, and what load and normalize made of it."""

    size: int
    mtime_ns: int
    sha: str  # of the file's bytes
    loaded: tuple[model.Problem, ...]  # problems of reading and parsing it
    items: tuple[model.Article | model.Problem, ...]  # what normalize made of each of its records


@dataclass(slots=True)
class State:
    """Everything the cache holds. ``group`` and ``render`` are the memos of those stages, ``register`` the story
    ids the site has published (generator.identity), ``written`` the output files the last build left."""

    inputs: dict[str, Input] = field(default_factory=dict)
    scanned_ns: int = 0  # wall clock (ns) when the last build began to look at the content folder
    group: object | None = None
    render: object | None = None
    register: object | None = None
    written: dict[str, Written] = field(default_factory=dict)
    loaded_shards: dict[int, dict[str, Input]] = field(default_factory=dict)  # shard -> its entries as loaded


def folder(output: Path) -> Path:
    """The cache of ``output``: in the folder that holds it, keyed by its full path."""
    out = output.resolve()
    return out.parent / FOLDER / hashlib.sha256(os.fsencode(out)).hexdigest()[:16]


def _files(root: Path, suffixes: tuple[str, ...] | None = None) -> Iterator[Path]:
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(names):
            if suffixes is None or name.endswith(suffixes):
                yield Path(dirpath) / name


def _hash_files(digest: "hashlib._Hash", label: str, paths: Iterable[Path], root: Path | None = None) -> None:
    for path in paths:
        name = path.relative_to(root).as_posix() if root else str(path)
        try:
            data = path.read_bytes()
        except OSError:
            data = b"<unreadable>"
        digest.update(f"{label}:{name}:{len(data)}\n".encode("utf-8", "surrogateescape"))
        digest.update(data)


def _libraries() -> list[str]:
    """The libraries newsdigest runs on, as its package metadata declares them (extras, such as the test tools,
    left out): an upgrade of any of them may change the site."""
    try:
        requires = metadata.requires("newsdigest") or []
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree that was never installed
        return []
    return sorted(re.match(r"[A-Za-z0-9._-]+", r).group(0) for r in requires if "extra ==" not in r)


def version(config: Config, content: Path, output: Path, templates: Path | None) -> str:
    """A hash of everything a build's result depends on besides the articles (see the module's docstring)."""
    digest = hashlib.sha256(f"format {FORMAT}\npython {sys.version}\n".encode("utf-8"))
    _hash_files(digest, "own", _files(_OWN, (".py", ".toml", ".txt")), _OWN)
    builtin = _OWN.parent / "templates"
    try:
        from generator.render import builtin_templates
        builtin = builtin_templates()
    except ImportError:  # pragma: no cover - render imports fine wherever the package does
        pass
    _hash_files(digest, "templates", _files(builtin), builtin)
    if templates is not None and templates.is_dir():
        _hash_files(digest, "user-templates", _files(templates), templates)
    for name in _libraries():
        try:
            digest.update(f"lib {name} {metadata.version(name)}\n".encode("utf-8"))
        except metadata.PackageNotFoundError:
            digest.update(f"lib {name} -\n".encode("utf-8"))
    digest.update(repr(config).encode("utf-8"))
    extra = [config.normalize.patterns_file, config.normalize.outlets_file, config.grouping.ignore_file]
    _hash_files(digest, "user-data", (Path(p) for p in extra if p))
    digest.update(f"\ncontent {content.resolve()}\noutput {output.resolve()}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


# --- reading and writing the files of the cache ------------------------------------------------------------------

# Dataclasses (the stage values above all) are pickled as their class and field values, which is much faster than
# the default for frozen dataclasses with slots; a class whose __init__ does not take every field is left alone.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _fields(cls: type) -> tuple[str, ...] | None:
    if cls not in _FIELDS:
        plain = dataclasses.is_dataclass(cls) and not hasattr(cls, "__post_init__") and all(
            f.init for f in dataclasses.fields(cls))
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if plain else None
    return _FIELDS[cls]


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> object:
        names = _fields(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, n) for n in names)


class _RefPickler(_Pickler):
    """Articles among ``refs`` are saved as their position there, not as themselves."""

    def __init__(self, buffer: io.BytesIO, refs: Sequence[object]):
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self._refs = {id(item): n for n, item in enumerate(refs)}

    def persistent_id(self, obj: object) -> int | None:
        return self._refs.get(id(obj)) if type(obj) is model.Article else None


class _RefUnpickler(pickle.Unpickler):
    def __init__(self, buffer: io.BytesIO, refs: Sequence[object]):
        super().__init__(buffer)
        self._refs = refs

    def persistent_load(self, pid: object) -> object:
        if not isinstance(pid, int) or not 0 <= pid < len(self._refs):
            raise pickle.UnpicklingError(f"no article {pid!r} to refer to")
        return self._refs[pid]


def dumps(value: object, refs: Sequence[object] = ()) -> bytes:
    """``value`` pickled; the articles in ``refs`` by reference (``loads`` takes them from its own ``refs``), so
    that a value made from a story's articles (its digest) is saved without copies of them."""
    buffer = io.BytesIO()
    (_RefPickler(buffer, refs) if refs else _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)).dump(value)
    return buffer.getvalue()


def loads(data: bytes, refs: Sequence[object] = ()) -> object:
    """What ``dumps`` saved, its article references taken from ``refs`` (the same articles, in the same order)."""
    with collector.paused():
        return _RefUnpickler(io.BytesIO(data), refs).load()


def _save_file(path: Path, version_hash: str, payload: bytes) -> None:
    header = MAGIC + version_hash.encode("ascii") + b"\n" + hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(header)
        handle.write(payload)
    os.replace(temporary, path)


def _load_file(path: Path, version_hash: str) -> object:
    """The value saved in ``path``; ValueError where the file is not a cache file of this version or is damaged."""
    data = path.read_bytes()
    lines = data.split(b"\n", 3)
    if len(lines) < 4 or lines[0] + b"\n" != MAGIC:
        raise ValueError("not a cache file")
    if lines[1].decode("ascii", "replace") != version_hash:
        raise ValueError("made by another version or for another build")
    payload = lines[3]
    if hashlib.sha256(payload).hexdigest().encode("ascii") != lines[2]:
        raise ValueError("damaged")
    with collector.paused():
        return pickle.loads(payload)


def _shard(name: str) -> int:
    return int(hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8], 16) % SHARDS


def _unchanged(loaded: dict[str, Input] | None, entries: dict[str, Input]) -> bool:
    """Whether a shard holds just the entries it was loaded with (the same objects: reused entries are never
    copied, so identity says it; holding the loaded ones keeps their ids from being reused)."""
    return loaded is not None and loaded.keys() == entries.keys() and all(
        loaded[name] is entry for name, entry in entries.items())


def _lookups(where: Path, version_hash: str) -> lookups.Saved | None:
    try:
        saved = _load_file(where / "lookups", version_hash)
    except Exception:  # no table: the dictionaries answer
        return None
    return saved if isinstance(saved, dict) else None


def load(where: Path, version_hash: str) -> State | None:
    """The cache in ``where``, or None where there is none that this build can use (never raises)."""
    try:
        main = _load_file(where / "main", version_hash)
        if not isinstance(main, State):
            return None
        inputs: dict[str, Input] = {}
        shards: dict[int, dict[str, Input]] = {}
        for number in range(SHARDS):
            path = where / f"inputs-{number:02d}"
            if not path.is_file():
                continue
            entries = _load_file(path, version_hash)
            if not isinstance(entries, dict):
                return None
            inputs.update(entries)
            shards[number] = entries
        main.inputs = inputs
        main.loaded_shards = shards
        lookups.use_saved(lambda: _lookups(where, version_hash))  # read only if a word must be looked up
        return main
    except Exception:  # anything wrong with the cache means no cache, never a failed or wrong build
        return None


def save(where: Path, version_hash: str, state: State) -> None:
    """Save ``state``; a cache that cannot be written is simply not there next time (never raises)."""
    try:
        where.mkdir(parents=True, exist_ok=True)
        for stale in where.glob(".*.tmp"):  # what a killed build left (the build's lock is held)
            stale.unlink(missing_ok=True)
        by_shard: dict[int, dict[str, Input]] = {}
        for name, entry in state.inputs.items():
            by_shard.setdefault(_shard(name), {})[name] = entry
        for number in range(SHARDS):
            entries = by_shard.get(number, {})
            path = where / f"inputs-{number:02d}"
            if not entries:
                path.unlink(missing_ok=True)
            elif not _unchanged(state.loaded_shards.get(number), entries) or not path.is_file():
                _save_file(path, version_hash, dumps(entries))
        if lookups.grew() or not (where / "lookups").is_file():
            _save_file(where / "lookups", version_hash, dumps(lookups.saved()))
        rest = dataclasses.replace(state, inputs={}, loaded_shards={})
        _save_file(where / "main", version_hash, dumps(rest))
    except Exception:
        try:
            (where / "main").unlink(missing_ok=True)  # half a cache is no cache
        except OSError:
            pass
