"""One lemmatizer for the whole build: grouping (features.py), summaries (sentences.py) and names (entities.py)
look words up in the same simplemma dictionaries, which are loaded once per process (about a second per language)
and, loaded before the render workers fork, shared with them.

simplemma's dictionaries are read from their compressed form on demand: a seventh of the memory, same lemmas;
callers keep the answers they need again.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from generator import lookups

if TYPE_CHECKING:
    import simplemma


@cache
def lemmatizer() -> simplemma.Lemmatizer:
    """The lemmatizer, with simplemma imported on first use: a rebuild whose words the lookup table knows needs
    neither it nor its imports (a tenth of a second)."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamDictionaryFactory

    class _KeptDictionaries(StreamDictionaryFactory):
        """simplemma's low-memory dictionaries, kept in the build cache once built (generator/lookups.py):
        building one reads all its records (seconds), unpickling the built one takes a few hundredths of a
        second."""

        def _get_dictionary_uncached(self, lang: str) -> Mapping[str, str]:
            return lookups.kept(f"simplemma-{lang}",
                                lambda: super(_KeptDictionaries, self)._get_dictionary_uncached(lang))

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_KeptDictionaries()))


@cache
def lemmatizes(language: str) -> bool:
    """Whether simplemma has a dictionary for the language."""
    try:
        lemmatizer().lemmatize("test", language)
    except ValueError:
        return False
    return True


def _lemmatize(token: str, language: str) -> str:
    return lemmatizer().lemmatize(token, language) if lemmatizes(language) else token


# Every answer, kept from build to build in the cache (generator/lookups.py): no dictionary for known words.
lemmatize = lookups.Table("lemma", _lemmatize)
"""The token's dictionary form where simplemma knows the language, else the token."""
