"""Clustering with the last run's clusters at hand: form anew only the clusters a change can reach.

Starts from the clusters that hold a new, changed or removed article, or a pair that came or went, clusters those
articles with average-link (with the new articles), and then checks every kept cluster that has a pair at the
threshold with them (dendrogram.may_join): a kept cluster that could merge with a group of them is formed anew too,
until none can. Similarities of pairs of unchanged articles come from the memo's table.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Protocol
from dataclasses import dataclass

import numpy as np

from generator.candidates import pairs_of
from generator.config import GroupingConfig
from generator.dendrogram import Tree, may_join, tree
from generator.explain import Explanation, explain
from generator.features import Features
from generator.linkage import average_link
from generator.model import Article
from generator.similarity import similarities

# Edges weaker than this share of the threshold are dropped: they barely move a group's mean, and at 100,000
# articles keeping every weak pair would cost more memory than it is worth.
EDGE_FLOOR = 0.5


class Partners(Protocol):
    """Each article's candidate partners as indexes (regroup.Partners)."""

    def __getitem__(self, i: int) -> list[int]: ...
    def __len__(self) -> int: ...
    def graph(self) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass(frozen=True, slots=True)
class Cluster:
    """One story of a run: its articles (serials), its explanation and its merges (positions in ``members``)."""

    members: tuple[int, ...]
    explanation: Explanation
    merges: tuple[tuple[int, int, float], ...]


class PairValues:
    """Similarities of pairs (global indexes), from the memo's table where both articles are unchanged, else
    worked out; with ``keep``, once per run (a pair asked for again, in a later joining pass, is looked up)."""

    def __init__(self, feats: Sequence[Features], serials: np.ndarray, changed: np.ndarray, table: np.ndarray,
                 values: np.ndarray, config: GroupingConfig, keep: bool = True) -> None:
        self.feats, self.serials, self.changed, self.config, self.keep = feats, serials, changed, config, keep
        self.table, self.values = table, values
        self.found: list[tuple[np.ndarray, np.ndarray]] = []  # pairs worked out in this run (codes, values)
        self._merged: tuple[np.ndarray, np.ndarray] | None = None  # ``found`` as one table, sorted by code

    def __call__(self, pairs: np.ndarray) -> np.ndarray:
        codes = self.serials[pairs[:, 0]] << 32 | self.serials[pairs[:, 1]]
        values, hit = np.zeros(len(pairs)), np.zeros(len(pairs), dtype=bool)
        if len(self.table):
            at = np.minimum(np.searchsorted(self.table, codes), len(self.table) - 1)
            hit = (self.table[at] == codes) & ~self.changed[pairs[:, 0]] & ~self.changed[pairs[:, 1]]
            values[hit] = self.values[at[hit]]
        if self.found and not hit.all():
            table, known = self._worked_out()
            miss = np.flatnonzero(~hit)
            at = np.minimum(np.searchsorted(table, codes[miss]), len(table) - 1)
            again = table[at] == codes[miss]
            values[miss[again]], hit[miss[again]] = known[at[again]], True
        if not hit.all():
            rows, inverse = np.unique(pairs[~hit], return_inverse=True)
            values[~hit] = similarities([self.feats[r] for r in rows], inverse.reshape(-1, 2), self.config)[0]
            if self.keep:  # for a later pass and the next memo's table (without a memo there is one pass)
                self.found.append((codes[~hit], values[~hit]))
                self._merged = None
        return values

    def _worked_out(self) -> tuple[np.ndarray, np.ndarray]:
        if self._merged is None:
            codes = np.concatenate([c for c, _ in self.found])
            order = np.argsort(codes, kind="stable")
            self._merged = codes[order], np.concatenate([v for _, v in self.found])[order]
        return self._merged

    def next_table(self, gone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The table for the next memo: the old one less pairs of changed or removed articles, plus new pairs."""
        stale = np.concatenate([self.serials[self.changed], gone])
        still = ~(np.isin(self.table >> 32, stale) | np.isin(self.table & 0xFFFFFFFF, stale))
        codes = np.concatenate([self.table[still], *(c for c, _ in self.found)])
        values = np.concatenate([self.values[still], *(v for _, v in self.found)])
        codes, first = np.unique(codes, return_index=True)
        return codes, values[first]


def recluster(redo: set[int], old: Sequence[tuple[list[int], Cluster]], fresh: list[int],
              ordered: Sequence[Article], feats: Sequence[Features], near: Partners,
              value: PairValues, config: GroupingConfig) -> list[tuple[list[int], Cluster]]:
    """The clusters of this run: ``old`` clusters (as indexes now, and as the memo had them) are kept unless their
    number is in ``redo`` or may join what is formed anew; ``fresh`` articles are in no old cluster."""
    where = {i: c for c, (members, _) in enumerate(old) for i in members}
    graph = near.graph()
    while True:
        members = sorted({i for c in redo for i in old[c][0]} | set(fresh))
        formed, merges = _average_link(members, feats, near, value, config)
        trees = [tree([feats[i].day for i in group], steps) for group, steps in zip(formed, merges)]
        joining = _joining(formed, trees, where, old, feats, graph, value, config)
        if not joining:
            break
        redo |= joining
    kept = [(m, cluster) for c, (m, cluster) in enumerate(old) if c not in redo]
    return kept + _clusters(formed, merges, old, redo, ordered, feats, value, config)


def _average_link(members: list[int], feats: Sequence[Features], near: Partners, value: PairValues,
                  config: GroupingConfig) -> tuple[list[list[int]], list[tuple[tuple[int, int, float], ...]]]:
    """Clusters of ``members`` (as global indexes, ascending) and each one's merges (positions in it)."""
    if not members:
        return [], []
    pairs = pairs_of(near, members)
    values = value(pairs)
    strong = values >= EDGE_FLOOR * config.threshold
    edges = np.searchsorted(np.asarray(members), pairs[strong])  # as positions in members
    del pairs
    steps: list[tuple[int, int, float]] = []
    found = average_link([feats[i].day for i in members], _stream(edges, values[strong]), config.threshold,
                         config.max_days, steps)
    position = {x: (c, p) for c, group in enumerate(found) for p, x in enumerate(group)}
    merges: list[list[tuple[int, int, float]]] = [[] for _ in found]
    for a, b, level in steps:
        c, pa = position[a]
        merges[c].append((pa, position[b][1], level))
    return [[members[x] for x in group] for group in found], [tuple(m) for m in merges]


def _stream(edges: np.ndarray, values: np.ndarray, size: int = 1 << 14) -> Iterator[tuple[int, int, float]]:
    """The edges (i, j, similarity) as Python values, a slice at a time (not all at once)."""
    for start in range(0, len(edges), size):
        yield from zip(edges[start:start + size, 0].tolist(), edges[start:start + size, 1].tolist(),
                       values[start:start + size].tolist())


def _joining(formed: list[list[int]], trees: list[Tree], where: dict[int, int],
             old: Sequence[tuple[list[int], Cluster]], feats: Sequence[Features],
             graph: tuple[np.ndarray, np.ndarray], value: PairValues, config: GroupingConfig) -> set[int]:
    """The kept clusters that may merge with a group of the formed ones (``graph``: every candidate pair as two
    arrays of indexes)."""
    inside = {i: (c, p) for c, group in enumerate(formed) for p, i in enumerate(group)}
    mask = np.zeros(len(feats), dtype=bool)
    mask[list(inside)] = True
    a, b = graph
    cut = mask[a] != mask[b]
    if not cut.any():
        return set()
    codes = np.unique(np.minimum(a[cut], b[cut]) * len(feats) + np.maximum(a[cut], b[cut]))
    pairs = np.stack([codes // len(feats), codes % len(feats)], axis=1)
    outside = pairs.tolist()
    values = value(pairs)
    edges: dict[int, list[tuple[int, int, int, float]]] = defaultdict(list)
    strong: set[int] = set()
    spot: dict[int, dict[int, int]] = {}
    for (i, j), s in zip(outside, values.tolist()):
        if s < EDGE_FLOOR * config.threshold:
            continue
        mine, theirs = (i, j) if j in inside else (j, i)
        c = where[mine]
        if c not in spot:
            spot[c] = {g: p for p, g in enumerate(old[c][0])}
        edges[c].append((spot[c][mine], *inside[theirs], s))
        if s >= config.threshold:
            strong.add(c)
    found = set()
    for c in strong:
        kept = tree([feats[i].day for i in old[c][0]], old[c][1].merges)
        if may_join(kept, dict(enumerate(trees)), edges[c], config.threshold, config.max_days):
            found.add(c)
    return found


def _clusters(formed: list[list[int]], merges: list[tuple[tuple[int, int, float], ...]],
              old: Sequence[tuple[list[int], Cluster]], redo: set[int], ordered: Sequence[Article], feats: Sequence[Features], value: PairValues,
              config: GroupingConfig) -> list[tuple[list[int], Cluster]]:
    """The formed clusters with their explanations: the memo's where the same unchanged articles made one."""
    before = {old[c][1].members: old[c][1].explanation for c in redo}
    serials = value.serials.tolist()
    found: list[Explanation | None] = []
    for group in formed:
        same = not value.changed[group].any()
        found.append(before.get(tuple(serials[i] for i in group)) if same else None)
    todo = [group for group, e in zip(formed, found) if e is None]
    rows = sorted({i for group in todo for i in group})
    local = {g: x for x, g in enumerate(rows)}
    new = iter(explain([[local[i] for i in group] for group in todo], [ordered[i] for i in rows],
                       [feats[i] for i in rows], config))
    return [(group, Cluster(tuple(serials[i] for i in group), e if e is not None else next(new), steps))
            for group, e, steps in zip(formed, found, merges)]
