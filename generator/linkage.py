"""Average-link clustering over a sparse similarity graph.

Two groups merge while the mean similarity over all their cross pairs (pairs never compared count 0) reaches the
threshold, best pair first. Unlike single link, one strong pair cannot chain two big groups together; unlike
complete link, a developing story whose last report shares little with its first still holds together through the
reports in between. A merge that would let a story span more than ``max_days`` is refused.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(slots=True)
class _Group:
    """A group while clustering runs (mutable, private to this module)."""

    members: list[int]
    first: float | None  # earliest and latest day of the dated members
    last: float | None
    version: int = 0


def _span(a: _Group, b: _Group) -> float:
    firsts = [d for d in (a.first, b.first) if d is not None]
    lasts = [d for d in (a.last, b.last) if d is not None]
    return max(lasts) - min(firsts) if firsts else 0.0


# Pair similarities keyed by pair(i, j): a million ints cost far less memory than a million tuples.
Edges = dict[int, float]


def pair(i: int, j: int) -> int:
    """One int for the unordered pair of item indexes i and j."""
    return (min(i, j) << 32) | max(i, j)


def unpair(key: int) -> tuple[int, int]:
    """The pair (i, j), i < j, of a key made by ``pair``."""
    return key >> 32, key & 0xFFFFFFFF


def average_link(days: Sequence[float | None], edges: Edges, threshold: float, max_days: float) -> list[list[int]]:
    """Groups of item indexes, from the similarities of pairs; ties go to the lower indexes."""
    groups = {i: _Group([i], d, d) for i, d in enumerate(days)}
    sums: dict[int, dict[int, float]] = {i: {} for i in groups}
    for key, s in edges.items():
        i, j = unpair(key)
        sums[i][j] = s
        sums[j][i] = s
    heap = [(-s, *unpair(key), 0, 0) for key, s in edges.items() if s >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, i, j, vi, vj = heapq.heappop(heap)
        if i not in groups or j not in groups or groups[i].version != vi or groups[j].version != vj:
            continue
        if _span(groups[i], groups[j]) > max_days:
            continue
        kept = _merge(groups, sums, i, j)
        _push_neighbours(heap, groups, sums, kept, threshold)
    return sorted(sorted(g.members) for g in groups.values())


def _merge(groups: dict[int, _Group], sums: dict[int, dict[int, float]], i: int, j: int) -> int:
    """Merge groups i and j into the lower id of the two; returns it."""
    kept, gone = min(i, j), max(i, j)
    a, b = groups[kept], groups.pop(gone)
    dates = [d for d in (a.first, a.last, b.first, b.last) if d is not None]
    a.members += b.members
    a.first, a.last = (min(dates), max(dates)) if dates else (None, None)
    a.version += 1
    mine, theirs = sums[kept], sums.pop(gone)
    mine.pop(gone, None)
    theirs.pop(kept, None)
    for k, s in theirs.items():
        mine[k] = mine.get(k, 0.0) + s
        other = sums[k]
        other[kept] = other.get(kept, 0.0) + other.pop(gone)
    return kept


def _push_neighbours(heap: list, groups: dict[int, _Group], sums: dict[int, dict[int, float]], kept: int,
                     threshold: float) -> None:
    size = len(groups[kept].members)
    for k, s in sums[kept].items():
        mean = s / (size * len(groups[k].members))
        if mean >= threshold:
            i, j = min(kept, k), max(kept, k)
            heapq.heappush(heap, (-mean, i, j, groups[i].version, groups[j].version))
