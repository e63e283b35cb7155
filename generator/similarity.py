"""How alike two articles are: small, pure functions over their features.

Content: the cosine of the weighted term vectors. Across languages only terms that are about as common in both
languages can match (names, places, numbers, loanwords), so the cosine is taken over those alone. Time: articles
days apart are less likely one event, articles further apart than ``max_days`` never; an undated article counts
less, so that it joins only on strong content evidence. Copies: the share of equal MinHash slots estimates how
many word 4-grams two texts share.
"""
from __future__ import annotations

import math
from functools import cache, lru_cache

import numpy as np

from generator.config import GroupingConfig
from generator.features import Features, fold, zipf

# Two languages share a term when its frequencies differ by less than this (Zipf units: a factor of ~30).
INTERLINGUAL_ZIPF = 1.5
# One shared term (a place, a person) makes a topic, not an event: a match needs at least this many.
MIN_SHARED = 2
# Within ``max_days`` similarity fades linearly to this share.
FADE_TO = 0.5
# A text needs this many word 4-grams before it can be called a copy of another.
MIN_SHINGLES = 8
# Copies agree in at least this share of the shorter headline's terms: two texts that share a page's furniture
# (a cookie notice longer than the report) are not copies when their headlines tell different things.
COPY_HEADLINE = 0.5


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two unit-length sparse vectors; 0 where they share fewer than MIN_SHARED terms."""
    if len(a) > len(b):
        a, b = b, a
    products = [v * b[k] for k, v in a.items() if k in b]
    return sum(products) if len(products) >= MIN_SHARED else 0.0


@cache
def interlingual(word: str, one: str, other: str) -> bool:
    """Whether a word can mean the same in both languages: it is about as common in each (a name, a place)."""
    return abs(zipf(word, one) - zipf(word, other)) < INTERLINGUAL_ZIPF


@lru_cache(maxsize=1 << 12)
def interlingual_view(f: Features, other: str) -> dict[str, float]:
    """The article's terms that can match in the other language, at unit length (cached: features are immutable)."""
    kept = {k: v for (k, v), form in zip(f.terms.items(), f.surface)
            if k.startswith("#") or interlingual(fold(form), f.language, other)}
    norm = math.sqrt(sum(v * v for v in kept.values())) or 1.0
    return {k: v / norm for k, v in kept.items()}


def content(a: Features, b: Features) -> float:
    """Content similarity (0-1): the cosine, across languages over the terms both languages can share."""
    if a.language == b.language:
        return cosine(a.terms, b.terms)
    return cosine(interlingual_view(a, b.language), interlingual_view(b, a.language))


def time_factor(a: float | None, b: float | None, config: GroupingConfig) -> float:
    """How much the publication times allow (0-1): full on one day, fading with days apart, none past max_days."""
    if a is None or b is None:
        return config.undated_factor
    days = abs(a - b)
    if days > config.max_days:
        return 0.0
    return 1.0 - (1.0 - FADE_TO) * days / config.max_days


def copy_share(a: Features, b: Features) -> float:
    """Estimated share of word 4-grams the two texts have in common (0 when either is too short to tell)."""
    if min(a.shingles, b.shingles) < MIN_SHINGLES:
        return 0.0
    return float(np.count_nonzero(a.signature == b.signature)) / len(a.signature)


def headline_agreement(a: Features, b: Features) -> float:
    """Share of the shorter headline's terms that the other headline has too (1 when either has none)."""
    shorter = min(len(a.headline), len(b.headline))
    return len(a.headline & b.headline) / shorter if shorter else 1.0


def is_copy(a: Features, b: Features, config: GroupingConfig) -> bool:
    """The same text twice, within the time a story may span."""
    return (copy_share(a, b) >= config.copy_similarity and time_factor(a.day, b.day, config) > 0
            and headline_agreement(a, b) >= COPY_HEADLINE)


def similarity(a: Features, b: Features, config: GroupingConfig) -> float:
    """How likely (0-1) the two articles report one event: 1 for copies, else content times time."""
    if is_copy(a, b, config):
        return 1.0
    return content(a, b) * time_factor(a.day, b.day, config)


def shared(a: Features, b: Features, limit: int = 6) -> tuple[str, ...]:
    """The terms that carried the match, strongest first, as article ``a`` writes them."""
    common = sorted((-a.terms[k] * b.terms[k], k) for k in a.terms.keys() & b.terms.keys())
    forms = a.forms()
    return tuple(forms[k] for _, k in common[:limit])
