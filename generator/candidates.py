"""Which articles are worth comparing: an inverted index over each article's rarest terms, never all pairs.

Every article is indexed under its strongest terms. Two articles become candidates when they share indexed terms
and lie within ``max_days`` of each other (undated articles can pair with any). Each article keeps the few
partners with the most shared weight, so the work grows with the number of articles, not with its square.
"""
from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from generator.config import GroupingConfig
from generator.features import Features

# Terms per article that go into the index.
INDEX_TERMS = 12
# A term indexed for more articles than this is too common to find partners with.
MAX_POSTINGS = 2000


@dataclass(frozen=True, slots=True)
class Postings:
    """The articles indexed under one term: dated ones sorted by day, and the undated ones; each with the term's
    weight in it."""

    days: list[float]
    dated: list[int]
    dated_weights: list[float]
    undated: list[int]
    undated_weights: list[float]


def index_terms(f: Features) -> list[str]:
    """The article's strongest terms (Features.terms is ordered strongest first, ties by name)."""
    return list(f.keys[:INDEX_TERMS])


def indexed(count: int) -> bool:
    """Whether a term indexed for this many articles is in the index (it finds partners)."""
    return 1 < count <= MAX_POSTINGS


def term_lists(feats: Sequence[Features]) -> dict[str, list[int]]:
    """Every index term's articles (ascending)."""
    lists: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        for key in f.keys[:INDEX_TERMS]:
            lists[key].append(i)
    return lists


def postings(feats: Sequence[Features], lists: dict[str, list[int]]) -> dict[str, Postings]:
    """The index: term -> the articles indexed under it (terms of one article or of too many left out)."""
    index: dict[str, Postings] = {}
    for key, members in lists.items():
        if indexed(len(members)):
            dated = sorted((feats[i].day, i) for i in members if feats[i].day is not None)
            undated = [i for i in members if feats[i].day is None]
            index[key] = Postings([d for d, _ in dated], [i for _, i in dated],
                                  [_weight(feats[i], key) for _, i in dated], undated,
                                  [_weight(feats[i], key) for i in undated])
    return index


def _weight(f: Features, key: str) -> float:
    """The weight of one of the article's index terms."""
    return float(f.weights[f.keys.index(key, 0, INDEX_TERMS)])


def _window(postings: Postings, day: float | None, max_days: float) -> tuple[int, int]:
    """The dated articles under one term (a range of ``postings.dated``) that may be one event with an article of
    this day; the undated ones always may."""
    if day is None:
        return 0, len(postings.dated)
    return bisect.bisect_left(postings.days, day - max_days), bisect.bisect_right(postings.days, day + max_days)


def nearest(i: int, feats: Sequence[Features], index: dict[str, Postings],
            config: GroupingConfig) -> list[tuple[int, float]]:
    """The partners of article i with the most shared index weight, at most ``candidates_per_article``, with
    that weight."""
    mine = feats[i]
    score: dict[int, float] = defaultdict(float)
    for key, weight in zip(index_terms(mine), mine.weights[:INDEX_TERMS].tolist()):
        postings = index.get(key)
        if postings is None:
            continue
        lo, hi = _window(postings, mine.day, config.max_days)
        for j, theirs in zip(postings.dated[lo:hi], postings.dated_weights[lo:hi]):
            score[j] += weight * theirs
        for j, theirs in zip(postings.undated, postings.undated_weights):
            score[j] += weight * theirs
    score.pop(i, None)  # (its own sum, made alongside: no partner)
    return best(score.items(), config)


def best(scores: Iterable[tuple[int, float]], config: GroupingConfig) -> list[tuple[int, float]]:
    """The partners with the highest scores, ties to the lower index, at most ``candidates_per_article``."""
    return heapq.nsmallest(config.candidates_per_article, scores, key=lambda kv: (-kv[1], kv[0]))


def score(i: int, j: int, feats: Sequence[Features], counts: dict[str, int], config: GroupingConfig) -> float | None:
    """The shared index weight that ``nearest(i)`` gives partner j (summed in the same order), None where j is no
    partner of i; ``counts``: how many articles each of i's index terms is indexed for."""
    mine, theirs = feats[i], feats[j]
    if mine.day is not None and theirs.day is not None and not (
            mine.day - config.max_days <= theirs.day <= mine.day + config.max_days):  # as _window bisects
        return None
    total, found = 0.0, False
    theirs_indexed = dict(zip(index_terms(theirs), theirs.weights[:INDEX_TERMS].tolist()))
    for key, weight in zip(index_terms(mine), mine.weights[:INDEX_TERMS].tolist()):
        if key in theirs_indexed and indexed(counts[key]):
            total += weight * theirs_indexed[key]
            found = True
    return total if found else None


def pairs_of(near: Sequence[Sequence[int]], members: Sequence[int]) -> np.ndarray:
    """The pairs (i < j, sorted) to compare among ``members``: j among i's nearest or i among j's, both members."""
    n = len(near)
    inside = np.zeros(n, dtype=bool)
    inside[np.asarray(members, dtype=np.int64)] = True
    lengths = np.array([len(near[a]) for a in members], dtype=np.int64)
    firsts = np.repeat(np.asarray(members, dtype=np.int64), lengths)
    seconds = np.fromiter(chain.from_iterable(near[a] for a in members), dtype=np.int64, count=int(lengths.sum()))
    keep = inside[seconds]
    firsts, seconds = firsts[keep], seconds[keep]
    codes = np.unique(np.minimum(firsts, seconds) * n + np.maximum(firsts, seconds))
    return np.stack([codes // n, codes % n], axis=1)
