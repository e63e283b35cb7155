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
import operator
import os
import pickle
import re
import sys
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, count
from operator import is_not, ne
from pathlib import Path

import numpy as np

from generator import collector, installed, lookups, model, story
from generator.config import Config
from generator.write import Written

FOLDER = ".newsdigest-cache"
FORMAT = 4  # bump when the layout of the cache changes
MAGIC = b"newsdigest-cache\n"
SHARDS = 64  # large parts (input entries, memos) are saved in this many files each: a rebuild rewrites the few that changed
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
    keys: tuple[tuple | None, ...] = ()  # the grouping's key of each article among items (regroup.content_key)


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
    loaded_shards: dict[str, dict] = field(default_factory=dict)  # shard file -> its entries as loaded
    parts: dict[str, bytes] = field(default_factory=dict)  # (saved) part -> the shard of each of its keys, in order
    # part -> a copy of its entries as loaded (all shards together, in order) and the shard of each, for ``save``
    loaded_parts: dict[str, tuple[dict, bytes]] = field(default_factory=dict)


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
    requires = installed.requires("newsdigest")
    if requires is None:  # pragma: no cover - run from a source tree that was never installed
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
        digest.update(f"lib {name} {installed.version(name) or '-'}\n".encode("utf-8"))
    digest.update(repr(config).encode("utf-8"))
    extra = [config.normalize.patterns_file, config.normalize.outlets_file, config.grouping.ignore_file]
    _hash_files(digest, "user-data", (Path(p) for p in extra if p))
    digest.update(f"\ncontent {content.resolve()}\noutput {output.resolve()}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


# --- reading and writing the files of the cache ------------------------------------------------------------------

# Dataclasses (the stage values above all) are pickled as their class and field values, which is much faster than
# the default for frozen dataclasses with slots; a class whose __init__ does not take every field is left alone.
# A flat numpy array (the grouping's features hold several per article) is pickled as np.frombuffer of its bytes:
# unpickled some eight times faster than numpy's own way (through a Python function and a reshape), same array.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _fields(cls: type) -> tuple[str, ...] | None:
    if cls not in _FIELDS:
        plain = dataclasses.is_dataclass(cls) and not hasattr(cls, "__post_init__") and all(
            f.init for f in dataclasses.fields(cls))
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if plain else None
    return _FIELDS[cls]


class Blocks(Sequence):
    """An article's body (``Article.blocks``) as the cache holds it: unpickled when first read. A rebuild reads the
    bodies of few of the articles it loads (those of new and changed stories); the others stay bytes, which load
    in a fraction of the time. ``lead``: the body's lead (``story.body_lead``), saved with it, for the stories
    whose founder it is. It compares, hashes and prints as the tuple of blocks it stands for, so an article loaded
    from the cache is equal to the one that was saved."""

    __slots__ = ("_data", "_blocks", "lead")

    def __init__(self, data: bytes, blocks: tuple[model.Block, ...] | None = None, lead: str | None = None) -> None:
        self._data = data
        self._blocks = blocks
        self.lead = lead if lead is not None or blocks is None else story.body_lead(blocks)

    def loaded(self) -> tuple[model.Block, ...]:
        blocks = self._blocks
        if blocks is None:
            with collector.paused():
                blocks = self._blocks = pickle.loads(self._data)
        return blocks

    def __len__(self) -> int:
        return len(self.loaded())

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return self.loaded()[index]

    def __iter__(self) -> Iterator[model.Block]:
        return iter(self.loaded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Blocks):
            return self._data == other._data or self.loaded() == other.loaded()
        if isinstance(other, tuple):
            return self.loaded() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.loaded())

    def __repr__(self) -> str:
        return repr(self.loaded())

    def __reduce__(self) -> tuple[type, tuple[bytes, None, str | None]]:
        return Blocks, (self._data, None, self.lead)


_ARTICLE_BLOCKS = [f.name for f in dataclasses.fields(model.Article)].index("blocks")


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> object:
        if type(obj) is np.ndarray:
            if obj.ndim != 1 or not obj.flags.c_contiguous or obj.dtype.hasobject or obj.dtype.itemsize == 0:
                return NotImplemented
            return np.frombuffer, (bytearray(obj.data), obj.dtype)
        names = _fields(type(obj))
        if names is None:
            return NotImplemented
        values = tuple(getattr(obj, n) for n in names)
        if type(obj) is model.Article and type(values[_ARTICLE_BLOCKS]) is tuple:  # the body, to be read when needed
            body = values[_ARTICLE_BLOCKS]
            values = (*values[:_ARTICLE_BLOCKS], Blocks(dumps(body), body), *values[_ARTICLE_BLOCKS + 1:])
        return type(obj), values


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


def _checksum(payload: bytes) -> bytes:
    return b"crc32:%08x" % zlib.crc32(payload)


def _save_file(path: Path, version_hash: str, payload: bytes) -> None:
    header = MAGIC + version_hash.encode("ascii") + b"\n" + _checksum(payload) + b"\n"
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
    if _checksum(payload) != lines[2]:
        raise ValueError("damaged")
    with collector.paused():
        return pickle.loads(payload)


def _shard(key: object) -> int:
    """The shard of a key (the same in every process: no salted hash). A tuple (a memo's key) is placed by its
    strings, which is cheaper than its repr and spreads as well."""
    if type(key) is tuple:
        text = "\0".join([part for part in key if type(part) is str]) or repr(key)
    else:
        text = key if isinstance(key, str) else repr(key)
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % SHARDS


def _order(keys: Iterable[object], known: dict[object, int] | None = None) -> bytes:
    """The shard of each key, in order (``_shard``; ``known``: the shards of keys as the cache held them, which
    a rebuild's keys mostly are; written out for the common case of string keys)."""
    if known:
        keys = list(keys)
        shards = list(map(known.get, keys))
        if None in shards:  # the new keys: placed by their strings
            shards = [_shard(key) if shard is None else shard for shard, key in zip(shards, keys)]
        return bytes(shards)
    try:
        return bytes([zlib.crc32(key.encode("utf-8", "surrogatepass")) % SHARDS  # type: ignore[attr-defined]
                      for key in keys])
    except AttributeError:  # not all of them strings
        return bytes([_shard(key) for key in keys])


def _touched(entries: dict, loaded: tuple[dict, bytes] | None, part: str,
             present: set[str]) -> tuple[bytes, set[int]] | None:
    """The shard of each key of ``entries`` (in order) and the shards whose entries are not just those loaded
    (``loaded``: the part's entries as loaded and their shards): those that gained, lost or changed an entry, and
    those whose file is missing. None where that cannot be told this way: nothing loaded, or keys that were there
    before are now in another order (then every shard is compared as it is made).

    A rebuild mostly leaves a part's keys as they were but for a stretch of them (new and removed ones where they
    sort): the keys before and after it are compared in order, at C speed, and only the stretch key by key."""
    if loaded is None:
        return None
    old, old_order = loaded
    if len(old_order) != len(old):
        return None
    keys, before = list(entries), list(old)
    values, old_values = list(entries.values()), list(old.values())
    n, m = len(keys), len(before)
    head = next(compress(count(), map(ne, keys, before)), min(n, m))  # keys the same from the start
    tail = min(next(compress(count(), map(ne, reversed(keys), reversed(before))), min(n, m)), min(n, m) - head)
    stretch, old_stretch = keys[head:n - tail], before[head:m - tail]
    shard_of = dict(zip(old_stretch, old_order[head:m - tail]))
    if [key for key in stretch if key in shard_of] != [key for key in old_stretch if key in entries]:
        return None
    touched = {shard_of[key] for key in old_stretch if key not in entries}  # removed
    numbers = []
    for key in stretch:
        number = shard_of.get(key)
        if number is None:  # new
            number = _shard(key)
            touched.add(number)
        elif not _same(old[key], entries[key]):
            touched.add(number)
        numbers.append(number)
    for at in compress(count(), map(is_not, values[:head], old_values[:head])):  # changed before the stretch
        if not _same(old_values[at], values[at]):
            touched.add(old_order[at])
    for at in compress(count(), map(is_not, values[n - tail:], old_values[m - tail:])):  # and after it
        if not _same(old_values[m - tail + at], values[n - tail + at]):
            touched.add(old_order[m - tail + at])
    order = old_order[:head] + bytes(numbers) + old_order[m - tail:]
    touched.update(number for number in set(order) if f"{part}-{number:02d}" not in present)
    return order, touched


def _shards_of(loaded: dict[str, dict]) -> dict[str, dict[object, int]]:
    """Part -> the shard of each key it had, from the shards as loaded."""
    known: dict[str, dict[object, int]] = {}
    for name, entries in loaded.items():
        part, _, number = name.rpartition("-")
        known.setdefault(part, {}).update(dict.fromkeys(entries, int(number)))
    return known


_PLAIN = (int, float, str, bytes, tuple, Written)  # values that compare by value cheaply (and without arrays)


def _same(old: object, new: object) -> bool:
    if old is new:
        return True
    if type(new) is not type(old) or not isinstance(new, _PLAIN):
        return False
    try:
        return bool(old == new)
    except Exception:  # a tuple holding something that does not compare to a bool
        return False


def _unchanged(loaded: dict | None, entries: dict) -> bool:
    """Whether a shard holds just the entries it was loaded with, in the same order (a part's order is saved as
    the shard of each key, and each shard in its own order): the same objects (reused entries are never copied,
    so identity says it; holding the loaded ones keeps their ids from being reused), or equal plain values."""
    if loaded is None or list(loaded) != list(entries):
        return False
    if all(map(operator.is_, loaded.values(), entries.values())):
        return True  # the very entries (the common case, at C speed)
    return all(map(_same, loaded.values(), entries.values()))


# --- the parts of the state that are saved in shards ----------------------------------------------------------------

# Parts that a rebuild mostly does not look into (the grouping asks for the drafts of new and removed articles, and
# of the few whose features must be worked out again): loaded a shard at a time, when a key of it is asked for.
LAZY = frozenset({"group.drafts"})


class Lazy(Mapping):
    """A part saved in shards (``numbers``: those its cache holds), each loaded when a key of it is first looked up,
    with the entries put or dropped since (``updated``). Only the shards that those touch are saved again; the
    others stay as the files they are. A shard that turns out damaged when it is loaded holds nothing (a lookup
    there finds nothing: the grouping makes the draft anew) and ``damaged`` says so: such a part cannot be saved
    (its other entries are lost), so the cache is then not saved at all."""

    def __init__(self, where: Path, version_hash: str, part: str, numbers: Iterable[int]):
        self._where, self._version, self._part = where, version_hash, part
        self.numbers = frozenset(numbers)
        self._loaded: dict[int, dict] = {}  # shared with the mappings ``updated`` makes of this one
        self._damaged: set[int] = set()  # the shards found damaged; shared as well
        self._put: dict = {}
        self._drop: frozenset = frozenset()

    @property
    def damaged(self) -> bool:
        return bool(self._damaged)

    def _entries(self, number: int) -> dict:
        entries = self._loaded.get(number)
        if entries is None:
            entries = {}
            if number in self.numbers:
                try:
                    entries = _load_file(self._where / f"{self._part}-{number:02d}", self._version)
                    if not isinstance(entries, dict):
                        raise ValueError("not a shard")
                except Exception:  # damaged since the build began: nothing there (see the class's docstring)
                    entries = {}
                    self._damaged.add(number)
            self._loaded[number] = entries
        return entries

    def __getitem__(self, key: object) -> object:
        if key in self._put:
            return self._put[key]
        if key in self._drop:
            raise KeyError(key)
        return self._entries(_shard(key))[key]

    def get(self, key: object, default: object = None) -> object:
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[object]:  # every shard loaded: for tests and tools, not for a rebuild
        for number in sorted(self.numbers | {_shard(key) for key in self._put}):
            yield from (key for key in self._shard(number))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _shard(self, number: int) -> dict:
        """Shard ``number`` as it is now (loaded, with what was put and dropped)."""
        entries = {k: v for k, v in self._entries(number).items() if k not in self._drop and k not in self._put}
        entries.update((k, v) for k, v in self._put.items() if _shard(k) == number)
        return entries

    def updated(self, put: dict, drop: Iterable[object]) -> Lazy:
        """A copy with the entries of ``put`` put in and the keys of ``drop`` dropped."""
        copy = Lazy(self._where, self._version, self._part, self.numbers)
        copy._loaded, copy._damaged = self._loaded, self._damaged
        dropped = (set(self._drop) | set(drop)) - put.keys()
        copy._put = {k: v for k, v in self._put.items() if k not in dropped} | put
        copy._drop = frozenset(dropped)
        return copy

    def save(self, where: Path, version_hash: str, part: str) -> set[int]:
        """Save the shards that changed (all of them where ``where`` is not the cache this came from); the numbers
        of the shards the part has now."""
        if self.damaged:
            raise ValueError(f"{part}: a shard was damaged")
        same = (where, version_hash, part) == (self._where, self._version, self._part)
        touched = {_shard(key) for key in chain(self._put, self._drop)}
        numbers = set()
        for number in sorted(self.numbers | touched):
            if same and number not in touched:
                numbers.add(number)
                continue
            entries = self._shard(number)
            if entries:
                _save_file(where / f"{part}-{number:02d}", version_hash, dumps(entries))
                numbers.add(number)
        if self.damaged:  # a shard first loaded here, to be saved with its changes
            raise ValueError(f"{part}: a shard was damaged")
        return numbers


def _check_header(path: Path, version_hash: str) -> None:
    """ValueError where ``path`` is not a cache file of this version (its payload is checked when it is read)."""
    with open(path, "rb") as handle:
        head = handle.read(len(MAGIC) + len(version_hash) + 1)
    if head != MAGIC + version_hash.encode("ascii") + b"\n":
        raise ValueError("not a cache file of this version")


SHARD_FROM = 256  # a memo's dict of at least this many entries is saved in shards
_SHARD_FILE = re.compile(r"[a-z_]+(?:\.[a-z_]+)?-[0-9]{2}")


def _parts(state: State) -> tuple[State, dict[str, dict]]:
    """``state`` without its large dicts, and those dicts by part name: ``inputs``, ``written``, and
    ``<memo>.<field>`` for every large dict field of the group and render memos (whatever those hold)."""
    parts: dict[str, dict] = {"inputs": state.inputs, "written": state.written}
    rest = dataclasses.replace(state, inputs={}, written={}, loaded_shards={}, parts={}, loaded_parts={})
    for attr in ("group", "render"):
        memo = getattr(rest, attr)
        if memo is None or not dataclasses.is_dataclass(memo) or _fields(type(memo)) is None:
            continue
        big = [f.name for f in dataclasses.fields(memo) if type(getattr(memo, f.name)) is Lazy
               or type(getattr(memo, f.name)) is dict and len(getattr(memo, f.name)) >= SHARD_FROM]
        for name in big:
            parts[f"{attr}.{name}"] = getattr(memo, name)
        setattr(rest, attr, dataclasses.replace(memo, **{name: {} for name in big}))
    return rest, parts


def _put_back(state: State, part: str, entries: dict) -> None:
    if part in ("inputs", "written"):
        setattr(state, part, entries)
        return
    attr, name = part.split(".")
    memo = getattr(state, attr)
    if memo is None or name not in (_fields(type(memo)) or ()):
        raise ValueError(f"no field for {part}")
    setattr(state, attr, dataclasses.replace(memo, **{name: entries}))


def _merged(shards: dict[int, dict], order: bytes) -> dict:
    """The shards' entries as one dict, in the order the saved dict had (``order``: its keys' shards)."""
    iterators = {number: iter(entries.items()) for number, entries in shards.items()}
    merged = dict(map(next, map(iterators.__getitem__, order)))
    if len(merged) != sum(len(entries) for entries in shards.values()):
        raise ValueError("shards do not match their order")
    return merged


def _lookups(where: Path, version_hash: str) -> lookups.Saved | None:
    try:
        saved = _load_file(where / "lookups", version_hash)
    except Exception:  # no table: the dictionaries answer
        return None
    return saved if isinstance(saved, dict) else None


def _word_list(where: Path, version_hash: str, name: str) -> object | None:
    try:
        return _load_file(where / f"list.{name}", version_hash)
    except Exception:  # not kept (or damaged): built again
        return None


def load(where: Path, version_hash: str) -> State | None:
    """The cache in ``where``, or None where there is none that this build can use (never raises). What it holds
    lives to the end of the build: set aside from the garbage collector (until ``collector.release``)."""
    with collector.paused(keep=True):
        return _load(where, version_hash)


def _load(where: Path, version_hash: str) -> State | None:
    try:
        main = _load_file(where / "main", version_hash)
        if not isinstance(main, State):
            return None
        loaded: dict[str, dict] = {}
        parts: dict[str, tuple[dict, bytes]] = {}
        for part, order in main.parts.items():
            if part in LAZY:
                for number in set(order):
                    _check_header(where / f"{part}-{number:02d}", version_hash)
                _put_back(main, part, Lazy(where, version_hash, part, set(order)))
                continue
            shards: dict[int, dict] = {}
            for number in sorted(set(order)):
                name = f"{part}-{number:02d}"
                entries = _load_file(where / name, version_hash)
                if not isinstance(entries, dict):
                    return None
                shards[number] = loaded[name] = entries
            merged = _merged(shards, order)
            _put_back(main, part, merged)
            parts[part] = (dict(merged), order)  # a copy: what the build does with the part cannot change it
        main.loaded_shards = loaded
        main.loaded_parts = parts
        main.parts = {}
        lookups.use_saved(lambda: _lookups(where, version_hash))  # read only if a word must be looked up
        lookups.use_store(lambda name: _word_list(where, version_hash, name))
        return main
    except Exception:  # anything wrong with the cache means no cache, never a failed or wrong build
        return None


def save(where: Path, version_hash: str, state: State) -> None:
    """Save ``state``; a cache that cannot be written is simply not there next time (never raises). Only the
    shards whose entries changed since the cache was loaded are written again."""
    try:
        where.mkdir(parents=True, exist_ok=True)
        for stale in where.glob(".*.tmp"):  # what a killed build left (the build's lock is held)
            stale.unlink(missing_ok=True)
        rest, parts = _parts(state)
        present = {path.name for path in where.iterdir()}
        # No main while the shards change: a build killed before the new main is written leaves no cache, never
        # the old main with some new shards (parts of two builds' memos, which need not fit together).
        (where / "main").unlink(missing_ok=True)
        keep = {"main", "lookups"}
        known: dict[str, dict[object, int]] | None = None  # (for the parts that ``_touched`` cannot tell)
        for part, entries in parts.items():
            if isinstance(entries, Lazy):
                numbers = entries.save(where, version_hash, part)
                keep.update(f"{part}-{number:02d}" for number in numbers)
                rest.parts[part] = bytes(sorted(numbers))
                continue
            found = _touched(entries, state.loaded_parts.get(part), part, present)
            if found is not None:  # the shards that hold a change, at C speed (most of the entries are as loaded)
                order, touched = found
                by_shard = {number: {} for number in touched}
                for key, number in compress(zip(entries, order), map(touched.__contains__, order)):
                    by_shard[number][key] = entries[key]
                keep.update(f"{part}-{number:02d}" for number in set(order))
                for number, shard in by_shard.items():
                    if shard:
                        _save_file(where / f"{part}-{number:02d}", version_hash, dumps(shard))
                rest.parts[part] = order
                continue
            if known is None:
                known = _shards_of(state.loaded_shards)
            order = _order(entries, known.get(part))
            by_shard = [{} for _ in range(SHARDS)]
            for number, (key, value) in zip(order, entries.items()):
                by_shard[number][key] = value
            for number, shard in enumerate(by_shard):
                if not shard:
                    continue
                name = f"{part}-{number:02d}"
                keep.add(name)
                if name not in present or not _unchanged(state.loaded_shards.get(name), shard):
                    _save_file(where / name, version_hash, dumps(shard))
            rest.parts[part] = order
        for name in present - keep:
            if _SHARD_FILE.fullmatch(name):  # a shard that no part has now
                (where / name).unlink(missing_ok=True)
        for name, value in lookups.built().items():
            _save_file(where / f"list.{name}", version_hash, dumps(value))
        if lookups.grew() or "lookups" not in present:
            _save_file(where / "lookups", version_hash, dumps(lookups.saved()))
        _save_file(where / "main", version_hash, dumps(rest))
    except Exception:
        try:
            (where / "main").unlink(missing_ok=True)  # half a cache is no cache
        except OSError:
            pass
