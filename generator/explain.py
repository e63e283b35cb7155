"""Why a story's reports are together: for each article the one it joined through, the score and the shared terms;
what the whole story shares; which of its articles are copies of each other.

The similarities of every pair inside every story are computed at once (stories are small; the corpus's pairs are
not kept), then each story is explained from its own pairs.
"""
from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from generator.config import GroupingConfig
from generator.features import Features
from generator.model import Article, Link
from generator.similarity import shared, similarities
from generator.story import chronological

STORY_TERMS = 8


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a story page says about why its articles are together (ids and words only, no Article)."""

    links: tuple[Link, ...]
    terms: tuple[str, ...]
    copies: tuple[tuple[str, ...], ...]


def explain(clusters: Sequence[Sequence[int]], ordered: Sequence[Article], feats: Sequence[Features],
            config: GroupingConfig) -> list[Explanation]:
    """The explanation of each cluster (indexes into ``ordered`` and ``feats``, ascending)."""
    pairs = [(i, j) for members in clusters for x, i in enumerate(members) for j in members[x + 1:]]
    array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    found_values, found_copies = similarities(feats, array, config)
    values, copies = found_values.tolist(), found_copies.tolist()  # (read one at a time below)
    found, start = [], 0
    for members in clusters:
        count = len(members) * (len(members) - 1) // 2
        inside = range(start, start + count)
        start += count
        near: dict[int, dict[int, float]] = {i: {} for i in members}
        same: list[tuple[int, int]] = []
        for p in inside:
            i, j = pairs[p]
            if values[p] > 0:
                near[i][j] = near[j][i] = values[p]
            if copies[p]:
                same.append((i, j))
        found.append(Explanation(_links(members, ordered, feats, near), story_terms(members, feats),
                                 _copies(members, feats, same)))
    return found


def _links(members: Sequence[int], ordered: Sequence[Article], feats: Sequence[Features],
           near: dict[int, dict[int, float]]) -> tuple[Link, ...]:
    """A maximum spanning tree of the story grown from its earliest article: each article's strongest way in."""
    founder = min(members, key=lambda i: chronological(ordered[i]))
    links = {founder: Link(ordered[founder].id, None, 1.0)}
    frontier = [(-s, j, founder) for j, s in near[founder].items()]
    heapq.heapify(frontier)
    while frontier:
        negative, j, i = heapq.heappop(frontier)
        if j in links:
            continue
        links[j] = Link(ordered[j].id, ordered[i].id, round(-negative, 4), shared(feats[j], feats[i]))
        for k, s in near[j].items():
            if k not in links:
                heapq.heappush(frontier, (-s, k, j))
    for j in members:  # a guard: every merge went through a pair with a similarity, so all are reached
        links.setdefault(j, Link(ordered[j].id, ordered[founder].id, 0.0))
    return tuple(links.values())


def story_terms(members: Sequence[int], feats: Sequence[Features]) -> tuple[str, ...]:
    """What the story's articles share: terms in at least two of them, most widespread and weighty first."""
    if len(members) < 2:
        return ()
    count = Counter(chain.from_iterable(feats[i].keys for i in members))
    weight: dict[str, float] = {}
    forms: dict[str, dict[str, int]] = {}
    for i in members:
        f = feats[i]
        for key, value, form in zip(f.keys, f.weights.tolist(), f.surface):
            if count[key] < 2:
                continue
            written = forms.get(key)
            if written is None:
                weight[key], forms[key] = value, {form: 1}
            else:
                weight[key] += value
                written[form] = written.get(form, 0) + 1
    common = [k for k, n in count.items() if n >= 2]
    common.sort(key=lambda k: (-count[k] * weight[k], k))
    return tuple(_readable(forms[k]) for k in common[:STORY_TERMS])


def _readable(forms: dict[str, int]) -> str:
    """The form most articles write; ties to the capitalized one (a name), then alphabetically."""
    return min(forms, key=lambda f: (-forms[f], not f[:1].isupper(), f))


def _copies(members: Sequence[int], feats: Sequence[Features],
            same: list[tuple[int, int]]) -> tuple[tuple[str, ...], ...]:
    """Groups (size >= 2) of the story's articles that carry the same text, as article ids."""
    parent = {i: i for i in members}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in same:
        parent[max(root(i), root(j))] = min(root(i), root(j))
    groups: dict[int, list[str]] = {}
    for i in members:
        groups.setdefault(root(i), []).append(feats[i].id)
    return tuple(sorted(tuple(sorted(g)) for g in groups.values() if len(g) >= 2))
