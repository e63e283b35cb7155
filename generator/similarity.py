"""How alike two articles are: small, pure functions over their features.

Content: the cosine of the weighted term vectors. Across languages only terms that are about as common in both
languages can match (names, places, numbers, loanwords), so the cosine is taken over those alone. Time: articles
days apart are less likely one event, articles further apart than ``max_days`` never; an undated article counts
less, so that it joins only on strong content evidence. Copies: the share of equal MinHash slots estimates how
many word 4-grams two texts share.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

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
# Pairs compared at once by ``similarities`` (bounds the memory of its arrays).
CHUNK = 1 << 16


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


@cache
def _shared_forms(one: str, other: str) -> dict[str, bool]:
    """Form as written -> whether it can match across the two languages (filled as forms are met)."""
    return {}


def interlingual_view(f: Features, other: str) -> dict[str, float]:
    """The article's terms that can match in the other language, at unit length."""
    known = _shared_forms(f.language, other)
    kept = {}
    for (k, v), form in zip(f.terms.items(), f.surface):
        shared_form = known.get(form)
        if shared_form is None:
            shared_form = known[form] = k.startswith("#") or interlingual(fold(form), f.language, other)
        if shared_form:
            kept[k] = v
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


def similarities(feats: Sequence[Features], pairs: np.ndarray,
                 config: GroupingConfig) -> tuple[np.ndarray, np.ndarray]:
    """``similarity`` and ``is_copy`` of each pair (rows of ``pairs``: two indexes into ``feats``), many at once.

    Each pair's cosine is summed over its first article's terms in their order, so that the result is the same
    bit for bit whatever else is compared in the same call."""
    out, copies = np.zeros(len(pairs)), np.zeros(len(pairs), dtype=bool)
    if not len(pairs):
        return out, copies
    days = np.array([np.nan if f.day is None else f.day for f in feats])
    signatures = np.stack([f.signature for f in feats])
    short = np.array([f.shingles < MIN_SHINGLES for f in feats])
    vectors = _Vectors(feats, pairs)
    for start in range(0, len(pairs), CHUNK):
        chunk = slice(start, start + CHUNK)
        a, b = pairs[chunk, 0], pairs[chunk, 1]
        times = _time_factors(days[a], days[b], config)
        out[chunk] = vectors.cosines(vectors.left[chunk], vectors.right[chunk]) * times
        shares = np.count_nonzero(signatures[a] == signatures[b], axis=1) / signatures.shape[1]
        maybe = (shares >= config.copy_similarity) & (times > 0) & ~short[a] & ~short[b]
        for p in np.flatnonzero(maybe).tolist():
            if headline_agreement(feats[a[p]], feats[b[p]]) >= COPY_HEADLINE:
                out[start + p], copies[start + p] = 1.0, True
    return out, copies


def _time_factors(a: np.ndarray, b: np.ndarray, config: GroupingConfig) -> np.ndarray:
    days = np.abs(a - b)
    fading = 1.0 - (1.0 - FADE_TO) * days / config.max_days
    dated = np.where(days > config.max_days, 0.0, fading)
    return np.where(np.isnan(days), config.undated_factor, dated)


class _Vectors:
    """The term vectors the pairs need (an article's own, or its view towards another language) as padded arrays
    of term ids and weights; ``left`` and ``right`` give each pair's two rows."""

    def __init__(self, feats: Sequence[Features], pairs: np.ndarray) -> None:
        vocabulary: dict[str, int] = {}
        rows: dict[tuple[int, str | None], int] = {}
        vectors: list[tuple[list[int], list[float]]] = []
        language = [f.language for f in feats]

        def row(i: int, other: str) -> int:
            view = None if other == language[i] else other
            found = rows.get((i, view))
            if found is None:
                terms = feats[i].terms if view is None else interlingual_view(feats[i], view)
                found = rows[(i, view)] = len(vectors)
                vectors.append(([vocabulary.setdefault(k, len(vocabulary)) for k in terms], list(terms.values())))
            return found

        listed = pairs.tolist()
        self.left = np.array([row(i, language[j]) for i, j in listed], dtype=np.int64)
        self.right = np.array([row(j, language[i]) for i, j in listed], dtype=np.int64)
        width = max(1, max(len(ids) for ids, _ in vectors))
        self.pad = len(vocabulary)
        self.ids = np.full((len(vectors), width), self.pad, dtype=np.int64)
        self.weights = np.zeros((len(vectors), width))
        for r, (ids, values) in enumerate(vectors):
            self.ids[r, :len(ids)] = ids
            self.weights[r, :len(values)] = values

    def cosines(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """``cosine`` of each pair of rows: (pair, term) keys matched by sorting."""
        stride = np.arange(len(left), dtype=np.int64)[:, None] * (self.pad + 1)
        lids, rids = self.ids[left], self.ids[right]
        lmask, rmask = lids < self.pad, rids < self.pad
        _, li, ri = np.intersect1d((lids + stride)[lmask], (rids + stride)[rmask], assume_unique=True,
                                   return_indices=True)
        order = np.argsort(li, kind="stable")  # each pair's products in its first article's term order
        li, ri = li[order], ri[order]
        products = self.weights[left][lmask][li] * self.weights[right][rmask][ri]
        owner = np.broadcast_to(np.arange(len(left))[:, None], lmask.shape)[lmask][li]
        dots = np.bincount(owner, weights=products, minlength=len(left))
        counts = np.bincount(owner, minlength=len(left))
        return np.where(counts >= MIN_SHARED, dots, 0.0)
