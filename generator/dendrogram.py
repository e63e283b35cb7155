"""When a story of the last run can be kept as it is: the merge trees of average-link clusters.

Average-link merges the pair of groups with the highest mean similarity first, and a merge never raises a mean
(the mean to a union lies between the means to its parts). So a kept cluster, whose own pairs and pairs with other
kept clusters did not change, forms again exactly as before, merge for merge, as long as no group of it ever
merges with a group of the clusters that are formed anew. Such a merge needs two groups, one of each tree, whose
mean reaches the threshold and is at least the level at which each of them was merged into something else (before
that, they would have merged with each other). ``may_join`` looks for such a pair; where it finds one, the kept
cluster is formed anew too.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

# Means are summed here in another order than during clustering: treat what is this close as equal.
SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class Tree:
    """The merges of one cluster: per node (its members first, then one node per merge) its parent, size and the
    levels at which it was formed and merged away."""

    parent: tuple[int, ...]
    size: tuple[int, ...]
    formed: tuple[float, ...]
    ended: tuple[float, ...]
    first: tuple[float, ...]  # earliest and latest day of the node's dated members (inf and -inf if none)
    last: tuple[float, ...]

    def ancestors(self, leaf: int) -> list[int]:
        found = [leaf]
        while self.parent[found[-1]] >= 0:
            found.append(self.parent[found[-1]])
        return found


def tree(days: list[float | None], merges: tuple[tuple[int, int, float], ...]) -> Tree:
    """The tree of a cluster with members of these ``days`` from its merges (positions of each group's first
    member)."""
    members = len(days)
    parent, size = [-1] * members, [1] * members
    formed, ended = [math.inf] * members, [-math.inf] * members
    first = [math.inf if d is None else d for d in days]
    last = [-math.inf if d is None else d for d in days]
    current = list(range(members))
    for a, b, level in merges:
        x, y = current[a], current[b]
        node = len(parent)
        parent.append(-1)
        size.append(size[x] + size[y])
        formed.append(level)
        ended.append(-math.inf)
        first.append(min(first[x], first[y]))
        last.append(max(last[x], last[y]))
        parent[x] = parent[y] = node
        ended[x] = ended[y] = level
        current[min(a, b)] = node
    return Tree(tuple(parent), tuple(size), tuple(formed), tuple(ended), tuple(first), tuple(last))


def _too_long(a: Tree, x: int, b: Tree, y: int, max_days: float) -> bool:
    """Whether linkage refuses to merge the two nodes: together they would span more than ``max_days``."""
    first, last = min(a.first[x], b.first[y]), max(a.last[x], b.last[y])
    return first <= last and last - first > max_days


def may_join(kept: Tree, formed: dict[int, Tree], edges: list[tuple[int, int, int, float]],
             threshold: float, max_days: float) -> bool:
    """Whether a group of the ``kept`` tree could merge with a group of one of the ``formed`` trees, given every
    pair between them: (position in kept, formed tree's number, position in it, similarity).

    Only groups that end at or below the strongest pair can (a mean is at most its strongest pair), and only
    groups small enough that all pairs between the two trees could lift their mean to the threshold."""
    strongest: dict[int, float] = defaultdict(float)
    weight: dict[int, float] = defaultdict(float)
    for _, which, _, s in edges:
        strongest[which] = max(strongest[which], s)
        weight[which] += s
    sums: dict[tuple[int, int, int], float] = defaultdict(float)
    for mine, which, theirs, s in edges:
        other, top = formed[which], strongest[which] + SLACK
        largest = weight[which] / (threshold - SLACK)
        for x in kept.ancestors(mine):
            if kept.size[x] > largest:
                break
            if kept.ended[x] > top:
                continue
            for y in other.ancestors(theirs):
                if kept.size[x] * other.size[y] > largest:
                    break
                if other.ended[y] <= top:
                    sums[(x, which, y)] += s
    for (x, which, y), total in sums.items():
        other = formed[which]
        mean = total / (kept.size[x] * other.size[y])
        if (mean >= threshold - SLACK and mean >= max(kept.ended[x], other.ended[y]) - SLACK
                and not _too_long(kept, x, other, y, max_days)):
            return True
    return False
