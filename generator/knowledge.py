"""The knowledge files under generator/data/, read once and kept: furniture patterns, stop words, date words,
outlets and wire agencies. A user extends them with files named in [normalize] (patterns_file, outlets_file)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, TypeVar

from generator.config import ConfigError, NormalizeConfig


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of page furniture: the reason it is removed and the pattern that finds it."""

    reason: str
    pattern: re.Pattern[str]
    # The same pattern without re.I, for lines lowered first: as good for text in Latin-1 (where lowering keeps
    # every character's place and re.I matches no other character) and much faster to scan; None where the
    # pattern itself has upper-case letters ("[A-ZÄÖÜ]"), which re.I lets match lower case.
    lower_case: re.Pattern[str] | None
    max_chars: int  # only lines up to this long are checked
    safe: bool  # applies to bodies that were already extracted, too
    stop: str | None  # "comments", "related", "footer": the article ends at such a line
    penalty: float  # how strongly such a line speaks against the text around it being one article


@dataclass(frozen=True, slots=True)
class OutletInfo:
    """One row of the outlet table."""

    name: str
    domains: tuple[str, ...]
    signatures: tuple[str, ...]  # spellings that sign an article in its text, case as written
    language: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class Knowledge:
    rules: tuple[Rule, ...]
    stopwords: dict[str, frozenset[str]]  # language -> words
    all_stopwords: frozenset[str]
    months: dict[str, int]  # lower-case month name or abbreviation -> 1..12
    weekdays: dict[str, int]  # lower-case weekday name -> 0 (Monday) .. 6
    date_labels: tuple[str, ...]  # words that introduce the article's own date ("Stand", "Veröffentlicht")
    update_labels: tuple[str, ...]  # words that introduce a later change ("aktualisiert")
    foreign_labels: tuple[str, ...]  # words that introduce a date not the article's ("Mitglied seit")
    event_labels: tuple[str, ...]  # words that introduce an event's date ("ab dem", "seit")
    comment_words: tuple[str, ...]  # words that end a commenter's name line ("Karl sagt:")
    outlets: tuple[OutletInfo, ...]
    agencies: dict[str, str]  # lower-case spelling -> the agency's short name ("dpa")


_LATIN_1_MAX = "\xff"
_WHOLE_MAX_CHARS = 160  # a whole-line pattern that sets no limit is checked on lines up to this long


def _builtin(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("generator.data").joinpath(name).read_text(encoding="utf-8"))


def _user(path: str | None, key: str) -> dict[str, Any]:
    """A user's knowledge file; a ConfigError naming the setting where it cannot be read."""
    if not path:
        return {}
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"'normalize.{key}': cannot read {path} ({exc.__class__.__name__})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"'normalize.{key}': {path} is not valid TOML ({exc})"]) from None


def _rules(table: dict[str, Any], where: str = "built-in furniture.toml") -> list[Rule]:
    try:
        return _read_rules(table)
    except (re.error, KeyError, TypeError, ValueError) as exc:
        raise ConfigError([f"'normalize.patterns_file': a rule in {where} is not usable ({exc})"]) from None


def _read_rules(table: dict[str, Any]) -> list[Rule]:
    rules = []
    for row in table.get("rule", []):
        patterns = [p for p in row.get("patterns", []) if p]
        if not patterns:
            continue
        source = "|".join(f"(?:{p})" for p in patterns)
        if row.get("whole"):
            source = f"^(?:{source})$"
        limit = int(row.get("max_chars", _WHOLE_MAX_CHARS if row.get("whole") else 10_000))
        rules.append(Rule(reason=row["reason"], pattern=re.compile(source, re.I), lower_case=_lower_case(source),
                          max_chars=limit,
                          safe=bool(row.get("safe")), stop=row.get("stop"), penalty=float(row.get("penalty", 25))))
    return rules


def _lower_case(source: str) -> re.Pattern[str] | None:
    """``source`` compiled to match lowered text, where that finds the same: it has no upper-case letters
    (escapes such as \\W aside), no inline flags, and no character that re.I lets match a Latin-1 one
    other than itself ("ſ" matches "s")."""
    plain = re.sub(r"\\.", "", source)
    if plain != plain.lower() or re.search(r"\(\?[-aiLmsux]", plain):
        return None
    if any(_latin_1_twin(ch) for ch in set(plain) if ch > _LATIN_1_MAX):
        return None
    return re.compile(source)


def _latin_1_twin(ch: str) -> bool:
    pattern = re.compile(re.escape(ch), re.I)
    return any(pattern.fullmatch(chr(code)) for code in range(256))


def _outlets(table: dict[str, Any]) -> list[OutletInfo]:
    rows = []
    for row in table.get("outlet", []):
        name = row["name"]
        domains = tuple(d.lower() for d in row.get("domains", []))
        signatures = tuple(dict.fromkeys(row.get("signatures", [])))
        rows.append(OutletInfo(name, domains, signatures, row.get("language"), row.get("country")))
    return rows


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _stopwords() -> dict[str, frozenset[str]]:
    return {lang: _words(words) for lang, words in _builtin("stopwords.toml").items()}


def _dates() -> dict[str, Any]:
    table = _builtin("dates.toml")
    return {
        "months": {name.lower(): number for number, names in enumerate(table["months"], 1) for name in names},
        "weekdays": {name.lower(): number for number, names in enumerate(table["weekdays"]) for name in names},
        "date_labels": tuple(table["labels"]), "update_labels": tuple(table["update_labels"]),
        "foreign_labels": tuple(table["foreign_labels"]), "event_labels": tuple(table["event_labels"]),
        "comment_words": tuple(table["comment_words"]),
    }


def _agencies() -> dict[str, str]:
    table = _builtin("agencies.toml")
    return {spelling.lower(): row["name"] for row in table["agency"] for spelling in [row["name"], *row.get("spellings", [])]}


@lru_cache(maxsize=8)
def _load(patterns_file: str | None, outlets_file: str | None) -> Knowledge:
    stopwords = _stopwords()
    user_patterns = _user(patterns_file, "patterns_file")
    user_outlets = _user(outlets_file, "outlets_file")
    return Knowledge(
        rules=tuple(_rules(user_patterns, str(patterns_file)) + _rules(_builtin("furniture.toml"))),
        stopwords=stopwords, all_stopwords=frozenset().union(*stopwords.values()),
        **_dates(),
        outlets=tuple(_outlets(user_outlets) + _outlets(_builtin("outlets.toml"))),
        agencies=_agencies())


_T = TypeVar("_T")
_DERIVED: dict[tuple[int, Callable[[Knowledge], Any]], tuple[Knowledge, Any]] = {}
_MAX_DERIVED = 64


def derived(know: Knowledge, make: Callable[[Knowledge], _T]) -> _T:
    """``make(know)`` (a pattern or table built from the knowledge), made once per Knowledge: a Knowledge holds
    dicts and cannot be hashed, and hashing its tuples on every call costs more than the lookups they serve."""
    key = (id(know), make)
    hit = _DERIVED.get(key)
    if hit is None or hit[0] is not know:
        if len(_DERIVED) >= _MAX_DERIVED:
            _DERIVED.clear()
        hit = _DERIVED[key] = (know, make(know))
    return hit[1]


def knowledge(config: NormalizeConfig | None = None) -> Knowledge:
    """The built-in knowledge with the user's files added (theirs first); read once per pair of file names."""
    config = config or NormalizeConfig()
    return _load(config.patterns_file, config.outlets_file)
