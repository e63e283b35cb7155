"""JSON (.json: one object or a list of them) and JSON Lines (.jsonl: one object per line) exports."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from generator.model import BodyKind, Problem, RawArticle
from generator.readers.fields import pick

MAX_DEPTH = 64


def _depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of a parsed JSON value, counted only up to ``limit``."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > limit:
            return level
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def record_to_raw(record: Any, path: str, position: int | None, kind: BodyKind = "record") -> RawArticle | Problem:
    """One JSON object -> RawArticle; ``position`` is the 1-based place in a multi-record file, else None."""
    label = str(position) if position is not None else None
    if not isinstance(record, Mapping):
        return Problem(path, f"a record must be an object, not {type(record).__name__}", record=label)
    own_id = pick(record, "id")
    record_name = (own_id or label) if position is not None else None
    title, body = pick(record, "title"), pick(record, "body")
    if not title and not body:
        return Problem(path, "record has neither title nor text", record=record_name)
    return RawArticle(input=path, record=record_name, kind=kind, body=body or "", title=title,
                      published=pick(record, "published"), outlet=pick(record, "outlet"), url=pick(record, "url"),
                      author=pick(record, "author"), language=pick(record, "language"), id=own_id)


def _parse(text: str, path: str, where: str = "") -> Any | Problem:
    try:
        value = json.loads(text)
    except RecursionError:
        return Problem(path, f"JSON nested too deeply{where}")
    except json.JSONDecodeError as exc:
        return Problem(path, f"invalid JSON{where} ({exc.msg} at line {exc.lineno}, column {exc.colno})")
    except ValueError:  # a number of more than 4,300 digits, which Python refuses to convert
        return Problem(path, f"invalid JSON{where} (a number too long to read)")
    if _depth(value) > MAX_DEPTH:
        return Problem(path, f"JSON nested too deeply{where}")
    return value


def read_json(text: str, path: str) -> list[RawArticle | Problem]:
    if not text.strip():
        return [Problem(path, "empty file")]
    value = _parse(text, path)
    if isinstance(value, Problem):
        return [value]
    if isinstance(value, list):
        if not value:
            return [Problem(path, "empty list: no articles")]
        return [record_to_raw(item, path, i) for i, item in enumerate(value, 1)]
    return [record_to_raw(value, path, None)]


def read_jsonl(text: str, path: str) -> list[RawArticle | Problem]:
    out: list[RawArticle | Problem] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        value = _parse(line, path, f" on line {number}")
        out.append(value if isinstance(value, Problem) else record_to_raw(value, path, number))
    return out or [Problem(path, "empty file")]
