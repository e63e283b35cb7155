"""Markdown with YAML front matter (.md, .markdown), the way Hugo, Jekyll and Pelican users write it."""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from generator.model import Problem, RawArticle
from generator.readers.fields import pick

# Longest front matter read, in characters: real ones are a few lines; YAML is slow on megabytes.
MAX_FRONT_MATTER = 100_000
MAX_DEPTH = 64  # lists and mappings in lists and mappings, as for JSON
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


# The front matter that most files have, and that we write: one 'key: "value"' a line, the value without quotes,
# backslashes, line breaks (YAML counts NEL and the Unicode line and paragraph separators as such), tabs or
# characters YAML does not allow in a stream. Such a mapping is read without a YAML parser, to what
# yaml.safe_load makes of it: each key (where YAML reads it as a string, not as true, null, ...) maps to its value.
_SIMPLE_PAIR = re.compile("([A-Za-z_][A-Za-z0-9_-]*): \"([^\"\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]*)\" *")
_STRING_TAG = "tag:yaml.org,2002:str"


@lru_cache(maxsize=256)
def _string_key(key: str) -> bool:
    """Whether YAML reads ``key`` as a plain string (not a bool, null, number, ...)."""
    return yaml.resolver.Resolver().resolve(yaml.nodes.ScalarNode, key, (True, False)) == _STRING_TAG


def _simple_mapping(text: str) -> dict[str, str] | None:
    """``text`` read as yaml.safe_load reads it, where it is a simple mapping of strings (see _SIMPLE_PAIR);
    else None."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    found: dict[str, str] = {}
    for line in lines:
        match = _SIMPLE_PAIR.fullmatch(line)
        if match is None or match[1] in found or not _string_key(match[1]):
            return None
        found[match[1]] = match[2]
    return found or None


def _load_yaml(text: str) -> object:
    """yaml.safe_load, through libyaml where PyYAML has it (seven times faster); what libyaml refuses is read
    again by the Python parser, which takes a little more (an escaped lone surrogate, which vet removes).
    The common simple front matter is read without either (see _simple_mapping)."""
    simple = _simple_mapping(text)
    if simple is not None:
        return simple
    if _FAST is not None:
        try:
            value = yaml.load(text, Loader=_FAST)  # noqa: S506 - CSafeLoader: the safe constructor in C
        except yaml.YAMLError:
            return yaml.safe_load(text)
        if _too_deep(value):  # libyaml has no recursion to run out of; the Python parser would have
            raise RecursionError("YAML nested too deeply")
        return value
    return yaml.safe_load(text)


def _too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and mappings nest deeper than ``limit``: the longest path, each node visited once (YAML
    aliases share nodes, and may even make cycles)."""
    depth: dict[int, int] = {}
    stack: list[tuple[object, bool]] = [(value, False)]
    while stack:
        item, finished = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        children = list(item.values()) if isinstance(item, dict) else item
        if finished:
            depth[id(item)] = 1 + max((depth.get(id(c), 0) for c in children if isinstance(c, (dict, list))),
                                      default=0)
            if depth[id(item)] > limit:
                return True
        elif id(item) not in depth:
            depth[id(item)] = 0  # being looked at: a cycle back to it counts nothing
            stack.append((item, True))
            stack.extend((c, False) for c in children)
    return False


_FAST = getattr(yaml, "CSafeLoader", None)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter source or None, body)."""
    match = _FRONT.match(text)
    if not match:
        return None, text
    return match.group(1) or "", text[match.end():]


def read(text: str, path: str) -> list[RawArticle | Problem]:
    if not text.strip():
        return [Problem(path, "empty file")]
    front, body = split_front_matter(text)
    meta: dict = {}
    if front is not None:
        if len(front) > MAX_FRONT_MATTER:
            return [Problem(path, f"too long ({len(front):,} characters; the limit is {MAX_FRONT_MATTER:,})",
                            field="front matter")]
        try:
            loaded = _load_yaml(front)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark else ""
            return [Problem(path, f"invalid YAML{where}", field="front matter")]
        except RecursionError:
            return [Problem(path, "YAML nested too deeply", field="front matter")]
        except (ValueError, OverflowError):  # a date or number that YAML reads but Python cannot hold
            return [Problem(path, "invalid YAML (a date or number out of range)", field="front matter")]
        if loaded is not None and not isinstance(loaded, dict):
            return [Problem(path, f"must be a mapping, not {type(loaded).__name__}", field="front matter")]
        meta = loaded or {}
    if not pick(meta, "title") and not body.strip():
        return [Problem(path, "neither title nor text")]
    return [RawArticle(input=path, record=None, kind="markdown", body=body, title=pick(meta, "title"),
                       published=pick(meta, "published"), outlet=pick(meta, "outlet"), url=pick(meta, "url"),
                       author=pick(meta, "author"), language=pick(meta, "language"), id=pick(meta, "id"))]
