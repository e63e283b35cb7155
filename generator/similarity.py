"""How alike two articles are: small, pure functions over their features.

Content: the cosine of the weighted term vectors. Across languages only terms that are about as common in both
languages can match (names, places, numbers, loanwords), so the cosine is taken over those alone. Time: articles
days apart are less likely one event, articles further apart than ``max_days`` never; an undated article counts
less, so that it joins only on strong content evidence. Copies: the share of equal MinHash slots estimates how
many word 4-grams two texts share.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import chain

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
CHUNK = 1 << 15

# What is known of which forms two languages can share: per (language, other language) the string hashes of
# forms (sorted) and whether each can mean the same in both; per language word -> Zipf frequency.
Shareable = tuple[dict[tuple[str, str], tuple[np.ndarray, np.ndarray]], dict[str, dict[str, float]]]


def headline_agreement(a: Features, b: Features) -> float:
    """Share of the shorter headline's terms that the other headline has too (1 when either has none)."""
    shorter = min(len(a.headline), len(b.headline))
    return len(set(a.headline).intersection(b.headline)) / shorter if shorter else 1.0


def shared(a: Features, b: Features, limit: int = 6) -> tuple[str, ...]:
    """The terms that carried the match, strongest first, as article ``a`` writes them."""
    mine, theirs = a.terms, b.terms  # (each made anew on use)
    common = sorted((-mine[k] * theirs[k], k) for k in mine.keys() & theirs.keys())
    place = a.keys.index  # (a few lookups cost less than a dict of all its forms)
    return tuple(a.surface[place(k)] for _, k in common[:limit])


def _shareable(forms: Iterable[str], one: str, other: str, background: dict[str, dict[str, float]]) -> list[bool]:
    """Whether each form can mean the same in both languages: a number, or a word about as common in each (a
    name, a place), by the ``background`` frequencies of each language's words (kept as far as known)."""
    mine, theirs = background.setdefault(one, {}), background.setdefault(other, {})
    found = []
    for form in forms:
        if form[:1].isdigit():
            found.append(True)
            continue
        word = fold(form)
        a, b = mine.get(word), theirs.get(word)
        if a is None:
            a = mine[word] = zipf(word, one)
        if b is None:
            b = theirs[word] = zipf(word, other)
        found.append(abs(a - b) < INTERLINGUAL_ZIPF)
    return found


def _flags(ids: list[int], hashes: np.ndarray, forms: list[str], one: str, other: str,
           shareable: Shareable) -> np.ndarray:
    """_shareable of the forms ``ids`` of a chunk (``hashes`` and ``forms``: the chunk's, by id), from what earlier
    chunks found where they had the same forms (known by their string hashes, as within a chunk)."""
    known, background = shareable
    table, values = known.get((one, other), (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)))
    keys = hashes[ids]
    at = np.minimum(np.searchsorted(table, keys), max(len(table) - 1, 0))
    hit = table[at] == keys if len(table) else np.zeros(len(keys), dtype=bool)
    found = np.zeros(len(keys), dtype=bool)
    found[hit] = values[at[hit]]
    miss = np.flatnonzero(~hit)
    if len(miss):
        found[miss] = _shareable([forms[ids[m]] for m in miss.tolist()], one, other, background)
        table, values = np.concatenate([table, keys[miss]]), np.concatenate([values, found[miss]])
        order = np.argsort(table, kind="stable")
        known[(one, other)] = table[order], values[order]
    return found


def similarities(feats: Sequence[Features], pairs: np.ndarray,
                 config: GroupingConfig) -> tuple[np.ndarray, np.ndarray]:
    """How likely each pair (rows of ``pairs``: two indexes into ``feats``) reports one event (0-1: 1 for copies,
    else the content cosine times the time factor), and which pairs are copies: many pairs at once.

    Each pair's cosine is summed over its first article's terms in their order, and a view's length with
    ``math.fsum``, so that a pair's result is the same bit for bit whatever else is compared in the same call."""
    out, copies = np.zeros(len(pairs)), np.zeros(len(pairs), dtype=bool)
    if not len(pairs):
        return out, copies
    days = np.array([np.nan if f.day is None else f.day for f in feats])
    signatures = np.stack([f.signature for f in feats])
    short = np.array([f.shingles < MIN_SHINGLES for f in feats])
    shareable: Shareable = {}, {}  # kept across the chunks
    for start in range(0, len(pairs), CHUNK):
        chunk = slice(start, start + CHUNK)
        a, b = pairs[chunk, 0], pairs[chunk, 1]
        times = _time_factors(days[a], days[b], config)
        out[chunk] = _Vectors(feats, pairs[chunk], shareable).cosines() * times
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
    """The articles' term vectors as padded arrays (term ids, weights, ids of the forms written), and for pairs
    across languages each side's view towards the other language: the terms both can share, at unit length."""

    def __init__(self, feats: Sequence[Features], pairs: np.ndarray,
                 shareable: Shareable) -> None:
        involved, inverse = np.unique(pairs, return_inverse=True)
        inverse = inverse.reshape(-1, 2)
        chosen = [feats[i] for i in involved.tolist()]
        lengths = np.fromiter((len(f.keys) for f in chosen), dtype=np.int64, count=len(chosen))
        width = max(1, int(lengths.max()))
        rows = np.repeat(np.arange(len(chosen)), lengths)
        columns = np.arange(len(rows)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        # Terms and forms numbered through their (cached) string hashes: only equality matters here.
        keys = np.fromiter(map(hash, chain.from_iterable(f.keys for f in chosen)), dtype=np.int64, count=len(rows))
        _, key_ids = np.unique(keys, return_inverse=True)
        written = list(chain.from_iterable(f.surface for f in chosen))
        hashes, first, form_ids = np.unique(np.fromiter(map(hash, written), dtype=np.int64, count=len(rows)),
                                       return_index=True, return_inverse=True)
        self.pad = int(key_ids.max(initial=-1)) + 1
        self.ids = np.full((len(chosen), width), self.pad, dtype=np.int64)
        self.ids[rows, columns] = key_ids
        self.weights = np.zeros((len(chosen), width))
        self.weights[rows, columns] = np.concatenate([f.weights for f in chosen]) if chosen else 0.0
        self.forms = np.zeros((len(chosen), width), dtype=np.int64)
        self.forms[rows, columns] = form_ids
        languages = [f.language for f in chosen]
        forms = [written[x] for x in first.tolist()]
        self.left, self.right = inverse[:, 0], inverse[:, 1]
        self.lvec, self.rvec = self.left.copy(), self.right.copy()  # each side's vector: a row or a view
        self._views(languages, forms, hashes, shareable)

    def _views(self, languages: list[str], forms: list[str], hashes: np.ndarray,
               shareable: Shareable) -> None:
        """Each side of a pair across languages gets its view towards the other side's language (``shareable``:
        what is known of which forms languages can share)."""
        code = {language: n for n, language in enumerate(sorted(set(languages)))}
        lang = np.array([code[language] for language in languages], dtype=np.int64)
        across = np.flatnonzero(lang[self.left] != lang[self.right])
        if not len(across):
            return
        names = sorted(code, key=code.get)
        sides = np.concatenate([np.stack([self.left[across], lang[self.right[across]]], axis=1),
                                np.stack([self.right[across], lang[self.left[across]]], axis=1)])
        combos, which = np.unique(sides, axis=0, return_inverse=True)
        views = np.zeros((len(combos), self.weights.shape[1]))
        rows, others = combos[:, 0], combos[:, 1]
        for one, other in {(languages[r], names[o]) for r, o in combos.tolist()}:
            group = np.flatnonzero((lang[rows] == code[one]) & (others == code[other]))
            used = self.forms[rows[group]]
            flags = np.zeros(len(forms), dtype=bool)
            ids = np.unique(used).tolist()
            flags[ids] = _flags(ids, hashes, forms, one, other, shareable)
            kept = self.weights[rows[group]] * (flags[used] & (self.ids[rows[group]] < self.pad))
            norms = np.array([math.sqrt(math.fsum(row)) or 1.0 for row in (kept * kept).tolist()])
            views[group] = kept / norms[:, None]
        which = which.reshape(-1) + len(self.weights)
        self.lvec[across], self.rvec[across] = which[:len(across)], which[len(across):]
        self.ids = np.concatenate([self.ids, self.ids[rows]])
        self.weights = np.concatenate([self.weights, views])

    def cosines(self) -> np.ndarray:
        """The cosine of each pair of the chunk (0 where they share fewer than MIN_SHARED terms): per first side, its weights spread over a dense array that the
        second sides look their terms up in; summed in the second side's term order (a term cut from a view
        weighs 0 and does not count as shared)."""
        lvec, rvec = self.lvec, self.rvec
        dots, counts = np.zeros(len(lvec)), np.zeros(len(lvec), dtype=np.int64)
        dense = np.zeros(self.pad + 1)
        order = np.argsort(lvec, kind="stable")
        runs = np.flatnonzero(np.diff(lvec[order])) + 1
        for run in np.split(order, runs):
            if not len(run):
                continue
            v = lvec[run[0]]
            dense[self.ids[v]] = self.weights[v]
            dense[self.pad] = 0.0
            theirs = rvec[run]
            found = dense[self.ids[theirs]]
            products = found * self.weights[theirs]
            dots[run] = np.cumsum(products, axis=1)[:, -1]
            counts[run] = np.count_nonzero(products, axis=1)
            dense[self.ids[v]] = 0.0
        return np.where(counts >= MIN_SHARED, dots, 0.0)
