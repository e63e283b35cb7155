"""Average-link clustering over a sparse similarity graph.

Two groups merge while the mean similarity over all their cross pairs (pairs never compared count 0) reaches the
threshold, best pair first. Unlike single link, one strong pair cannot chain two big groups together; unlike
complete link, a developing story whose last report shares little with its first still holds together through the
reports in between. A merge that would let a story span more than ``max_days`` is refused.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
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


def average_link(days: Sequence[float | None], pairs: Iterable[tuple[int, int, float]], threshold: float,
                 max_days: float, merges: list[tuple[int, int, float]] | None = None) -> list[list[int]]:
    """Groups of item indexes, from the similarities (i, j, s) of pairs, each pair once; ties go to the lower
    indexes. ``pairs`` is read once, so a caller can stream it without holding all pairs twice. ``merges``, where
    given, receives every merge in order: the two groups (by their lowest item) and the mean that joined them."""
    groups = {i: _Group([i], d, d) for i, d in enumerate(days)}
    sums: dict[int, dict[int, float]] = {i: {} for i in groups}
    heap = []
    for i, j, s in pairs:
        sums[i][j] = sums[j][i] = s
        if s >= threshold:
            heap.append((-s, min(i, j), max(i, j), 0, 0))
    heapq.heapify(heap)
    while heap:
        negative, i, j, vi, vj = heapq.heappop(heap)
        if i not in groups or j not in groups or groups[i].version != vi or groups[j].version != vj:
            continue
        if _span(groups[i], groups[j]) > max_days:
            continue
        kept = _merge(groups, sums, i, j)
        if merges is not None:
            merges.append((i, j, -negative))
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
