"""Grouping that reuses the work of the previous run (its GroupMemo) wherever that work still holds.

A run from scratch is the same code with an empty memo. What may be reused, and why the result stays exactly that
of a run from scratch:
- An article's draft (features.draft) depends only on its language, title and text: kept by content digest.
- Its features depend on the draft, its date and the corpus counts of its terms, which enter in quarter octaves
  (features.corpus_info): they are recomputed where a count changes octave, or the number of articles does.
- Its candidate partners (candidates.nearest) depend on the features of the articles that share an index term with
  it: recomputed for every article that shares one with a new, changed or removed article.
- Average-link never merges across components of the similarity graph, and each component's clustering depends
  only on its own pairs (in the same relative order): the clusters of every component that no changed pair
  touches are kept, with their explanations. The rest is clustered again as one subgraph.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from generator.candidates import best, build_index, index_terms, indexed, nearest, pairs_of, score
from generator.config import GroupingConfig
from generator.features import EVENT_SIZE, Draft, Features, draft, finish, ignore_list, octave
from generator.model import Article, Story
from generator.recluster import Cluster, PairValues, recluster
from generator.story import make_story

# Bumped when what the memo holds, or how it is computed, changes: an older memo is then ignored.
VERSION = 1

Key = tuple  # content_key(article)


def content_key(article: Article) -> tuple:
    """A sort key from what the article says and when, so that neither input order nor file names matter."""
    digest = hashlib.sha256((article.title + "\n" + article.text).encode("utf-8")).hexdigest()
    when = article.published.timestamp() if article.published else float("inf")
    return (when, digest, article.id, article.language or "")


def _draft_key(key: Key) -> tuple[str, str]:
    return key[1], key[3]


@dataclass(frozen=True, slots=True)
class Known:
    """What the memo keeps of one article."""

    serial: int  # a number that names the article from run to run (in the memo's table of pairs)
    features: Features
    near: tuple[int, ...]  # its candidate partners (serials)
    scores: tuple[float, ...]  # and their scores
    cluster: int  # its cluster: a number in GroupMemo.clusters


@dataclass(frozen=True, slots=True)
class GroupMemo:
    """What one grouping run leaves for the next (pickled in the build cache): article keys, features and words,
    never Article objects. Valid only for the same config, ignore list and VERSION."""

    config: GroupingConfig
    ignore: frozenset[str] = frozenset()
    version: int = VERSION
    drafts: dict[tuple[str, str], Draft] = field(default_factory=dict)
    df: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    known: dict[Key, Known] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # term -> articles indexed under it
    pairs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # serials, sorted: a << 32 | b
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))  # similarity of each pair
    clusters: tuple[Cluster, ...] = ()


def regroup(articles: Sequence[Article], config: GroupingConfig, memo: GroupMemo | None,
            keep: bool) -> tuple[tuple[Story, ...], GroupMemo | None]:
    """The stories of ``articles`` (sorted by id) and, with ``keep``, the memo for the next run."""
    extra = ignore_list(config.ignore_file) if config.ignore_file else frozenset()
    keyed = sorted(((content_key(a), a) for a in articles), key=lambda pair: pair[0])
    keys, ordered = [k for k, _ in keyed], [a for _, a in keyed]
    fresh = GroupMemo(config, extra)
    if (memo is None or memo.config != config or memo.ignore != extra or memo.version != VERSION
            or len(set(keys)) != len(keys)):  # the same article twice: keys cannot name articles apart
        memo = fresh
    drafts, df, changed = _drafts(ordered, keys, memo, config, extra)
    feats, dirty = _features(ordered, keys, drafts, df, changed, memo, config, keep)
    serials = _serials(keys, memo)
    at = np.full(int(serials.max(initial=-1)) + 1, -1, dtype=np.int64)
    at[serials] = np.arange(len(keys))
    place = at.tolist()  # serial -> index now (-1: gone)
    scored, affected, counts = _near(keys, feats, dirty, memo, serials.tolist(), place, config)
    near = [[j for j, _ in partners] for partners in scored]
    changed = np.zeros(len(keys), dtype=bool)
    changed[list(dirty)] = True
    value = PairValues(feats, serials, changed, memo.pairs, memo.values, config)
    old = [([place[q] for q in c.members if place[q] >= 0], c) for c in memo.clusters]
    fresh_articles = [i for i, k in enumerate(keys) if k not in memo.known]
    redo = _to_redo(keys, near, dirty, affected, memo, serials.tolist(), place)
    clusters = recluster(redo, old, fresh_articles, ordered, feats, near, value, config)
    stories = tuple(sorted((make_story([ordered[i] for i in members], c.explanation.links, c.explanation.terms,
                                       c.explanation.copies) for members, c in clusters), key=lambda s: s.id))
    if not keep or len(set(keys)) != len(keys):
        return stories, fresh if keep else None
    present = set(keys)
    gone = np.array([known.serial for k, known in memo.known.items() if k not in present], dtype=np.int64)
    return stories, _memo(fresh, keys, drafts, df, feats, scored, counts, clusters, serials,
                          value.next_table(gone))


def _to_redo(keys: list[Key], near: list[list[int]], dirty: set[int], affected: set[int], memo: GroupMemo,
             serials: list[int], place: list[int]) -> set[int]:
    """The memo's clusters (numbers) to form anew: those of changed or removed articles, and of both ends of a
    pair that came or went between unchanged articles."""
    present = set(keys)
    redo = {known.cluster for k, known in memo.known.items() if k not in present}
    redo.update(memo.known[keys[i]].cluster for i in dirty if keys[i] in memo.known)
    for i in affected:
        known = memo.known.get(keys[i])
        if known is None or i in dirty:
            continue
        for q in {serials[j] for j in near[i]}.symmetric_difference(known.near):
            j = place[q] if q < len(place) else -1
            if j >= 0 and j not in dirty:
                redo.add(known.cluster)
                redo.add(memo.known[keys[j]].cluster)
    return redo


def _drafts(ordered: Sequence[Article], keys: list[Key], memo: GroupMemo, config: GroupingConfig,
            extra: frozenset[str]) -> tuple[list[Draft], dict[str, int], set[str]]:
    """Each article's draft (the memo's where its text is known), the corpus's document frequencies and the terms
    whose frequency changed since the memo."""
    drafts = [memo.drafts.get(_draft_key(k)) or draft(a, extra, config) for k, a in zip(keys, ordered)]
    df = dict(memo.df)
    changed: set[str] = set()
    present = set(keys)
    for k in memo.known:
        if k not in present:
            for term in memo.drafts[_draft_key(k)].keys:
                df[term] -= 1
                changed.add(term)
    for k, d in zip(keys, drafts):
        if k not in memo.known:
            for term in d.keys:
                df[term] = df.get(term, 0) + 1
            changed.update(d.keys)
    for term in changed:
        if not df[term]:
            del df[term]
    return drafts, df, changed


def _cap(count: int) -> int | None:
    """The step in which a document frequency enters the features (features.corpus_info)."""
    return octave(count - EVENT_SIZE) if count > EVENT_SIZE else None


def _features(ordered: Sequence[Article], keys: list[Key], drafts: list[Draft | None], df: dict[str, int],
              changed: set[str], memo: GroupMemo, config: GroupingConfig,
              keep: bool) -> tuple[list[Features], set[int]]:
    """Each article's features (the memo's where they still hold) and the indexes of the new or changed ones."""
    moved = {t for t in changed if _cap(df.get(t, 0)) != _cap(memo.df.get(t, 0))}
    everything = octave(max(len(keys), 1)) != octave(max(memo.articles, 1))
    feats, dirty = [], set()
    for i, (k, a) in enumerate(zip(keys, ordered)):
        known = memo.known.get(k)
        d = drafts[i]
        if known is not None and not everything and (not moved or moved.isdisjoint(d.keys)):
            feats.append(known.features)
        else:
            made = finish(a, d, df, len(keys), config)
            if known is not None and made.terms == known.features.terms and made.surface == known.features.surface:
                made = known.features  # a weight's step moved, but not this article's terms or their weights
            else:
                dirty.add(i)
            feats.append(made)
        if not keep:
            drafts[i] = None  # a corpus of drafts and one of features need not be held at once
    return feats, dirty


def _near(keys: list[Key], feats: list[Features], dirty: set[int], memo: GroupMemo, serials: list[int],
          place: list[int], config: GroupingConfig) -> tuple[list[list[tuple[int, float]]], set[int], dict[str, int]]:
    """Each article's candidate partners with their scores, the articles whose partners were worked out again,
    and how many articles each term is indexed for.

    With a memo, an article keeps its partners and gains the new or changed articles that now score high
    enough; it is worked out again from the index when it is new or changed, when a partner of it was removed
    or changed, or when one of its index terms enters or leaves the index."""
    present = set(keys)
    gone = [known for k, known in memo.known.items() if k not in present]
    if not memo.known:
        index, lists = build_index(feats)
        return [nearest(i, feats, index, config) for i in range(len(keys))], set(range(len(keys))), \
            {t: len(m) for t, m in lists.items()}
    old_terms = [set(index_terms(k.features)) for k in gone]
    old_terms += [set(index_terms(memo.known[keys[i]].features)) for i in dirty if keys[i] in memo.known]
    reach = set().union(*old_terms, *(index_terms(feats[i]) for i in dirty))
    _, lists = build_index(feats, reach)
    counts = dict(memo.counts)
    for term in reach:
        counts[term] = len(lists.get(term, ()))
        if not counts[term]:
            del counts[term]
    again = set(dirty)
    for term in reach:
        if indexed(counts.get(term, 0)) != indexed(memo.counts.get(term, 0)):
            again.update(lists.get(term, ()))
    stale = {known.serial for known in gone} | {serials[i] for i in dirty if keys[i] in memo.known}
    for term in set().union(*old_terms):
        for i in lists.get(term, ()):
            if not stale.isdisjoint(memo.known[keys[i]].near) if keys[i] in memo.known else True:
                again.add(i)
    near: list[list[tuple[int, float]]] = []
    gains = _gains(feats, dirty, again, lists, counts, config)
    for i, k in enumerate(keys):
        if i in again:
            near.append([])
            continue
        known = memo.known[k]
        kept = [(place[q], s) for q, s in zip(known.near, known.scores)]
        near.append(best(kept + gains[i], config) if i in gains else kept)
    index, _ = build_index(feats, set().union(*(index_terms(feats[i]) for i in again)))
    for i in again:
        near[i] = nearest(i, feats, index, config)
    return near, again | set(gains), counts


def _gains(feats: list[Features], dirty: set[int], again: set[int], lists: dict[str, list[int]],
           counts: dict[str, int], config: GroupingConfig) -> dict[int, list[tuple[int, float]]]:
    """For articles that keep their partners: the new or changed articles that they now score."""
    gains: dict[int, list[tuple[int, float]]] = {}
    for j in dirty:
        for i in {i for t in index_terms(feats[j]) if indexed(counts.get(t, 0)) for i in lists.get(t, ())}:
            if i not in again:
                s = score(i, j, feats, counts, config)
                if s is not None:
                    gains.setdefault(i, []).append((j, s))
    return gains


def _serials(keys: list[Key], memo: GroupMemo) -> np.ndarray:
    """Each article's serial: the memo's, or the next free ones for new articles."""
    serials = np.zeros(len(keys), dtype=np.int64)
    following = max((k.serial for k in memo.known.values()), default=-1) + 1
    for i, k in enumerate(keys):
        known = memo.known.get(k)
        if known is None:
            serials[i], following = following, following + 1
        else:
            serials[i] = known.serial
    return serials


def _memo(fresh: GroupMemo, keys: list[Key], drafts: list[Draft], df: dict[str, int], feats: list[Features],
          scored: list[list[tuple[int, float]]], counts: dict[str, int], clusters: list[tuple[list[int], Cluster]],
          serials: np.ndarray, table: tuple[np.ndarray, np.ndarray]) -> GroupMemo:
    """The memo of this run."""
    cluster_of = {i: c for c, (members, _) in enumerate(clusters) for i in members}
    numbers = serials.tolist()
    known = {k: Known(numbers[i], feats[i], tuple(numbers[j] for j, _ in scored[i]),
                      tuple(s for _, s in scored[i]), cluster_of[i]) for i, k in enumerate(keys)}
    return GroupMemo(fresh.config, fresh.ignore, VERSION, {_draft_key(k): d for k, d in zip(keys, drafts)},
                     df, len(keys), known, counts, table[0], table[1], tuple(c for _, c in clusters))
