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

from generator.candidates import build_index, index_terms, nearest, pairs_of
from generator.config import GroupingConfig
from generator.explain import Explanation, explain
from generator.features import EVENT_SIZE, Draft, Features, draft, finish, ignore_list, octave
from generator.linkage import average_link
from generator.model import Article, Story
from generator.similarity import similarities
from generator.story import make_story

# Edges weaker than this share of the threshold are dropped: they barely move a group's mean, and at 100,000
# articles keeping every weak pair would cost more memory than it is worth.
EDGE_FLOOR = 0.5
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

    features: Features
    near: tuple[Key, ...]  # its candidate partners
    component: Key  # its component of the similarity graph, named by the component's first article


@dataclass(frozen=True, slots=True)
class Cluster:
    """One story of the last run, as article keys and its explanation."""

    members: tuple[Key, ...]
    explanation: Explanation


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
    components: dict[Key, tuple[Cluster, ...]] = field(default_factory=dict)


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
    near, affected = _near(keys, feats, dirty, memo, config)
    redo = _to_redo(keys, near, dirty, affected, memo)
    clusters = _cluster(redo, keys, ordered, feats, near, config)
    clusters += _kept(keys, memo, {memo.known[keys[i]].component for i in redo if keys[i] in memo.known})
    stories = tuple(sorted((make_story([ordered[i] for i in members], e.links, e.terms, e.copies)
                            for members, e, _ in clusters), key=lambda s: s.id))
    if not keep or len(set(keys)) != len(keys):
        return stories, fresh if keep else None
    return stories, _memo(fresh, keys, drafts, df, feats, near, clusters)


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
            feats.append(finish(a, d, df, len(keys), config))
            dirty.add(i)
        if not keep:
            drafts[i] = None  # a corpus of drafts and one of features need not be held at once
    return feats, dirty


def _near(keys: list[Key], feats: list[Features], dirty: set[int], memo: GroupMemo,
          config: GroupingConfig) -> tuple[list[list[int]], set[int]]:
    """Each article's candidate partners, and which articles had them recomputed (all that share an index term
    with a new, changed or removed article)."""
    index, lists = build_index(feats)
    reach: set[str] = set()
    for i in dirty:
        reach.update(index_terms(feats[i]))
        if keys[i] in memo.known:
            reach.update(index_terms(memo.known[keys[i]].features))
    present = set(keys)
    for k, known in memo.known.items():
        if k not in present:
            reach.update(index_terms(known.features))
    affected = set(dirty)
    for term in reach:
        affected.update(lists.get(term, ()))
    position = {k: i for i, k in enumerate(keys)}
    near = []
    for i, k in enumerate(keys):
        known = memo.known.get(k)
        if known is None or i in affected:
            near.append(nearest(i, feats, index, config))
        else:
            near.append([position[q] for q in known.near])
    return near, affected


def _to_redo(keys: list[Key], near: list[list[int]], dirty: set[int], affected: set[int],
             memo: GroupMemo) -> list[int]:
    """The articles to cluster again: new ones, and every member of a component that a changed pair touches."""
    if not memo.known:
        return list(range(len(keys)))
    position = {k: i for i, k in enumerate(keys)}
    touched = set(dirty)
    for i in affected:
        known = memo.known.get(keys[i])
        old = known.near if known is not None else ()
        new = tuple(keys[j] for j in near[i])
        if i in dirty or new != old or any(j in dirty for j in near[i]):
            touched.add(i)
            touched.update(near[i])
            touched.update(position[q] for q in old if q in position)
    components = {memo.known[keys[i]].component for i in touched if keys[i] in memo.known}
    components.update(known.component for k, known in memo.known.items() if k not in position)
    return [i for i, k in enumerate(keys) if k not in memo.known or memo.known[k].component in components]


def _cluster(redo: list[int], keys: list[Key], ordered: Sequence[Article], feats: list[Features],
             near: list[list[int]], config: GroupingConfig) -> list[tuple[list[int], Explanation, Key]]:
    """Average-link clusters of the ``redo`` articles with their explanations and components (named by the key
    of the component's first article)."""
    if not redo:
        return []
    pairs = pairs_of(near, redo)
    local = np.full(len(keys), -1, dtype=np.int64)
    local[np.asarray(redo)] = np.arange(len(redo))
    sub = [feats[i] for i in redo]
    values, _ = similarities(sub, local[pairs], config)
    strong = values >= EDGE_FLOOR * config.threshold
    edges = local[pairs[strong]]
    found = average_link([f.day for f in sub], zip(edges[:, 0].tolist(), edges[:, 1].tolist(),
                                                   values[strong].tolist()), config.threshold, config.max_days)
    explained = explain(found, [ordered[i] for i in redo], sub, config)
    first = _components(len(redo), edges)
    return [([redo[x] for x in members], e, keys[redo[first[members[0]]]]) for members, e in zip(found, explained)]


def _components(count: int, edges: np.ndarray) -> list[int]:
    """Per item, the first item of its component of the graph of ``edges`` (pairs of item numbers)."""
    parent = list(range(count))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges.tolist():
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(x) for x in range(count)]


def _kept(keys: list[Key], memo: GroupMemo, redone: set[Key]) -> list[tuple[list[int], Explanation, Key]]:
    """The memo's clusters of the components that were not clustered again."""
    if not memo.known:
        return []
    position = {k: i for i, k in enumerate(keys)}
    return [([position[k] for k in cluster.members], cluster.explanation, component)
            for component, clusters in memo.components.items() if component not in redone
            for cluster in clusters]


def _memo(fresh: GroupMemo, keys: list[Key], drafts: list[Draft], df: dict[str, int], feats: list[Features],
          near: list[list[int]], clusters: list[tuple[list[int], Explanation, Key]]) -> GroupMemo:
    """The memo of this run."""
    component_of: dict[int, Key] = {}
    by_component: dict[Key, list[Cluster]] = {}
    for members, e, component in clusters:
        component_of.update((i, component) for i in members)
        by_component.setdefault(component, []).append(Cluster(tuple(keys[i] for i in members), e))
    known = {k: Known(feats[i], tuple(keys[j] for j in near[i]), component_of[i]) for i, k in enumerate(keys)}
    return GroupMemo(fresh.config, fresh.ignore, VERSION, {_draft_key(k): d for k, d in zip(keys, drafts)},
                     df, len(keys), known, {c: tuple(v) for c, v in by_component.items()})
