"""Indented JSON text, fast: the characters that ``json.dumps(data, ensure_ascii=False, indent=2)`` gives.

With an indent the standard library encodes in Python (in Python 3.11, where we measured, its C encoder writes
compact JSON only), through a chain of generators; the feeds and stories.json, thousands of files, spent most of
their time there. Here one plain recursion writes the same text, and the C string encoder of ``json`` escapes
every string. What the standard library refuses (values that are not JSON, keys of other types) goes to it, so
that it raises as it would.
"""
from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from itertools import repeat
from json.encoder import encode_basestring  # the C escaper (with ensure_ascii=False), as json.dumps uses it

_INFINITY = float("inf")


def dumps(data: object, prefix: str = "") -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``, each line after the first led by ``prefix``."""
    parts: list[str] = []
    try:
        _put(data, parts, "\n" + prefix)
    except (_Unusual, RecursionError):  # json says what it refuses (a circular reference among others)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        return text.replace("\n", "\n" + prefix) if prefix else text
    return "".join(parts)


class _Unusual(Exception):
    """A value or key that only the standard library knows what to do with (or to refuse)."""


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _keys(value: dict) -> Iterator[str]:
    """Each key as it leads its value: escaped, with the separator."""
    for key in value:
        if not isinstance(key, str):
            raise _Unusual
        yield encode_basestring(key) + ": "


def _put(value: object, parts: list[str], newline: str) -> None:
    """``value`` as JSON into ``parts``; ``newline`` leads each of its lines after the first (with the indent of the
    level it stands at)."""
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float(value))
    elif isinstance(value, (list, tuple)):
        _put_items(value, repeat(""), "[]", parts, newline)
    elif isinstance(value, dict):
        _put_items(value.values(), _keys(value), "{}", parts, newline)
    else:
        raise _Unusual


def _put_items(items: Collection[object], heads: Iterator[str], brackets: str, parts: list[str],
               newline: str) -> None:
    """An array or object: each item on a line of its own, led by its head (its key, for an object)."""
    if not items:
        parts.append(brackets)
        return
    inner = newline + "  "
    parts.append(brackets[0])
    lead = inner
    for head, item in zip(heads, items):
        parts.append(lead + head)
        _put(item, parts, inner)
        lead = "," + inner
    parts.append(newline + brackets[1])
