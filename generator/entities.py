"""People and places that the sources of a story name, found without a language model.

Places come from a gazetteer (data/places.toml, German and English names, genitive "Russlands" included).
People are runs of two or three capitalised words that are not inflected words ("Islamischer Staat" is not a
person), with role words in front taken off ("Verteidigungsminister Ashton Carter" names "Ashton Carter"). A
source names a person also where it uses the surname alone ("Carter sagte").
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from generator.lemmas import lemmatize
from generator.sentences import knowledge, stopwords

_RUN = re.compile(r"[A-ZÄÖÜ][\w'’-]*(?:\s+[A-ZÄÖÜ][\w'’-]*)*")
# whole words (as \b bounds them) that begin with a capital; the capital first, so that the search jumps to capitals
_CAPITALISED = re.compile(r"[A-ZÄÖÜ](?<!\w[A-ZÄÖÜ])\w*")


@dataclass(frozen=True, slots=True)
class Named:
    """People and places that more than one source names, most often named first."""

    people: tuple[str, ...]
    places: tuple[str, ...]


@cache
def places() -> dict[str, str]:
    """Every spelling of a place that a text may use -> the name to show."""
    table = tomllib.loads(resources.files("generator.data").joinpath("places.toml").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for name in (n for names in table.values() for n in names):
        found[name] = name
        found.setdefault(name + "s", name)  # German genitive: "Russlands", "Moskaus"
    return found


@cache
def _roles() -> tuple[str, ...]:
    return tuple(knowledge()["roles"])


def _is_role(token: str) -> bool:
    low = token.lower()
    return low in stopwords() or low.endswith(_roles())


def _is_name_word(token: str) -> bool:
    """Capitalised, not all capitals, not an inflected word (names keep their form), not a place."""
    if len(token) < 2 or token.isupper() or not token[1:].islower() or token in places():
        return False
    if token.lower().endswith(tuple(knowledge()["noun_endings"])):
        return False
    return lemmatize(token, "de") == token


def _places_in(tokens: list[str]) -> list[str]:
    found = []
    for size in (2, 1):
        for i in range(len(tokens) - size + 1):
            name = places().get(" ".join(tokens[i:i + size]))
            if name and name not in found:
                found.append(name)
    return found


def _person_in(tokens: list[str]) -> str | None:
    while tokens and _is_role(tokens[0]):
        tokens = tokens[1:]
    if 2 <= len(tokens) <= 3 and " ".join(tokens) not in places() and all(_is_name_word(t) for t in tokens):
        return " ".join(tokens)
    return None


@lru_cache(maxsize=1 << 16)
def _run_names(run: str) -> tuple[tuple[str, ...], str | None]:
    """The places and the person that one run of capitalised words names (runs recur: looked at once)."""
    tokens = [t.strip("'’-") for t in run.split()]
    return tuple(_places_in(tokens)), _person_in(tokens)


def mentions(text: str) -> tuple[set[str], set[str]]:
    """The people and the places one text names."""
    people, found = set(), set()
    for run in _RUN.findall(text):
        places_of_run, person = _run_names(run)
        if places_of_run:
            found.update(places_of_run)
        if person:
            people.add(person)
    return people, found


def _names_person(text: str, words: frozenset[str], person: str) -> bool:
    """Whether ``text`` (whose capitalised words are ``words``) names ``person``: in full, or by a surname of four
    letters or more, also in the genitive ("Carters")."""
    surname = person.split()[-1]
    if person in text:
        return True
    if len(surname) < 4:
        return False
    if _CAPITALISED.fullmatch(surname):  # one word: \bSurnames?\b matches where a whole word is the surname(+s)
        return surname in words or surname + "s" in words
    return re.search(rf"\b{re.escape(surname)}s?\b", text) is not None


def named_by_several(texts: Iterable[str]) -> Named:
    """People and places that at least two of ``texts`` (one per source) name."""
    texts = list(texts)
    seen = [mentions(t) for t in texts]
    people = {p for ps, _ in seen for p in ps}
    words = [frozenset(_CAPITALISED.findall(t)) for t in texts] if people else []
    people_count = {p: sum(_names_person(t, w, p) for t, w in zip(texts, words)) for p in people}
    place_count: dict[str, int] = {}
    for _, ps in seen:
        for place in ps:
            place_count[place] = place_count.get(place, 0) + 1
    return Named(_several(people_count), _several(place_count))


def _several(counts: dict[str, int]) -> tuple[str, ...]:
    return tuple(sorted((n for n, c in counts.items() if c >= 2), key=lambda n: (-counts[n], n)))
