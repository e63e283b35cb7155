"""Answers of the word lists that are slow to load (simplemma's lemma dictionaries, wordfreq's frequency lists),
kept from build to build in the build cache: a rebuild whose new articles use only words that earlier builds
looked up answers them from this table and loads no dictionary at all (loading the German one takes seconds).

A table records every answer its function gives, word by word and language by language; the answers are those
of the function itself (the same word lists: the cache's version covers the libraries' versions), so a rebuild
gives what a build without the table gives. Worker processes send back what they learned (``fresh``), so that the
table of the main process, which the cache saves, holds the whole build's answers.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Generic, TypeVar

Answer = TypeVar("Answer")
Saved = dict[str, dict[str, dict[str, object]]]  # table name -> language -> word -> answer


class Table(Generic[Answer]):
    """``answer(word, language)``, remembered (also across builds, through the cache)."""

    def __init__(self, name: str, answer: Callable[[str, str], Answer]):
        self.name = name
        self._answer = answer
        self.known: dict[str, dict[str, Answer]] = {}  # language -> word -> answer
        self.new: dict[str, dict[str, Answer]] = {}  # what this process learned since it last said (``fresh``)
        TABLES[name] = self

    def __call__(self, word: str, language: str) -> Answer:
        try:
            return self.known[language][word]
        except KeyError:
            pass
        if _pending:
            _learn_saved()
            return self(word, language)
        value = self._answer(word, language)
        self.known.setdefault(language, {})[word] = value
        self.new.setdefault(language, {})[word] = value
        return value

    def learn(self, answers: dict[str, dict[str, Answer]], new: bool) -> None:
        for language, words in answers.items():
            self.known.setdefault(language, {}).update(words)
            if new:
                self.new.setdefault(language, {}).update(words)


TABLES: dict[str, Table] = {}
_pending: list[Callable[[], Saved | None]] = []  # a saved table, read when the first answer is asked for


def _learn_saved() -> None:
    load = _pending.pop()
    saved = load() or {}
    for name, answers in saved.items():
        if name in TABLES:
            TABLES[name].learn(answers, new=False)  # type: ignore[arg-type]


def use_saved(load: Callable[[], Saved | None]) -> None:
    """Answer from the table ``load()`` gives (read only once an answer is asked for, if ever)."""
    _pending[:] = [load]


def grew() -> bool:
    """Whether this process learned answers that the saved table lacks."""
    return any(table.new for table in TABLES.values())


def saved() -> Saved:
    """Every answer known, to save; what is learned from now on is new again."""
    if _pending:
        _learn_saved()
    for table in TABLES.values():
        table.new = {}
    return {name: table.known for name, table in TABLES.items()}  # type: ignore[misc]


def fresh() -> Saved:
    """The answers this process learned since it last said (in a worker process: to send to the main one)."""
    out = {name: table.new for name, table in TABLES.items() if table.new}
    for table in TABLES.values():
        table.new = {}
    return out  # type: ignore[return-value]


def learn(answers: Saved) -> None:
    """Answers that a worker process learned, as if this process had (they are saved with the table)."""
    for name, learned in answers.items():
        if name in TABLES:
            TABLES[name].learn(learned, new=True)  # type: ignore[arg-type]


# --- word lists as built, kept in the cache ---------------------------------------------------------------------------

_store: list[Callable[[str], object | None]] = []  # reads a kept word list from the cache (None: not there)
_built: dict[str, object] = {}  # word lists this process built, for the cache to keep


def use_store(load: Callable[[str], object | None]) -> None:
    """Take word lists from the cache through ``load(name)``."""
    _store[:] = [load]


def kept(name: str, make: Callable[[], Answer]) -> Answer:
    """``make()`` (a word list as a library builds it from its compressed form, which takes seconds), or the one
    an earlier build kept in the cache (the same object, unpickled: the cache's version covers the library's)."""
    if _store:
        value = _store[0](name)
        if value is not None:
            return value  # type: ignore[return-value]
    value = make()
    _built[name] = value
    return value


class SortedWords:
    """A word -> number mapping as two arrays (the words sorted, as bytes of at most WIDTH, and their numbers)
    and a dict of the few longer words: unpickled in milliseconds where a dict of half a million words takes a
    second. ``get`` answers as the mapping it was made of does."""

    WIDTH = 24

    def __init__(self, mapping: dict[str, float]):
        import numpy as np

        words: list[bytes] = []
        values: list[float] = []
        self.long: dict[str, float] = {}
        for word, value in mapping.items():
            data = word.encode("utf-8", "surrogatepass")
            if len(data) <= self.WIDTH and data and b"\0" not in data:
                words.append(data)
                values.append(value)
            else:
                self.long[word] = value
        array = np.array(words, dtype=f"S{self.WIDTH}")
        order = np.argsort(array, kind="stable")
        self.words = array[order]
        self.values = np.array(values, dtype=np.float64)[order]

    def get(self, word: str, default: float) -> float:
        data = word.encode("utf-8", "surrogatepass")
        if len(data) > self.WIDTH or not data or b"\0" in data:
            return self.long.get(word, default)
        at = int(self.words.searchsorted(data))
        if at < len(self.words) and self.words[at] == data:
            return float(self.values[at])
        return default


def built() -> dict[str, object]:
    """The word lists built since the last call, for the cache to keep."""
    out = dict(_built)
    _built.clear()
    return out


def _forget_parents_news() -> None:
    for table in TABLES.values():
        table.new = {}


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parents_news)
