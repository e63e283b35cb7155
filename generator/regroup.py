"""Grouping that reuses the work of the previous run (its GroupMemo) wherever that work still holds.

A run from scratch is the same code with an empty memo. What may be reused, and why the result stays exactly that
of a run from scratch:
- An article's draft (features.draft) depends only on its language, title and text: kept by content digest.
- Its features depend on the draft, its date and the corpus counts of its terms, which enter in octaves
  (features.corpus_info): they are recomputed where a count changes octave (and kept where that leaves them as
  they were), or for all when the number of articles does.
- Its candidate partners (candidates.nearest) depend on the features of the articles that share an index term with
  it: an article keeps its partners and gains the new or changed articles that now score high enough, and is
  worked out again where a partner was removed or changed or an index term entered or left the index.
- Pair similarities depend only on the two articles' features: kept in a table by serial numbers.
- The clusters that hold a changed article or pair are formed anew with the new articles; every other cluster is
  kept, with its explanation, unless a group of it could merge with one of them (recluster.py, dendrogram.py).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from itertools import chain

import numpy as np

from generator.candidates import best, index_terms, indexed, nearest, postings, score, term_lists
from generator.config import GroupingConfig
from generator.features import EVENT_SIZE, Draft, Features, corpus_info, finish, ignore_list, octave
from generator.features import drafts as make_drafts
from generator.model import Article, Story
from generator.recluster import Cluster, PairValues, recluster
from generator.story import make_story

# Bumped when what the memo holds, or how it is computed, changes: an older memo is then ignored.
VERSION = 1

Key = tuple  # content_key(article)


def content_key(article: Article) -> tuple:
    """A sort key from what the article says and when, so that neither input order nor file names matter."""
    hashed = hashlib.sha256((article.title + "\n").encode("utf-8"))
    for n, block in enumerate(article.blocks):  # the digest of title and text, without joining the text
        hashed.update(block.text.encode("utf-8") if not n else ("\n\n" + block.text).encode("utf-8"))
    digest = hashed.hexdigest()
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
    cluster: int  # its cluster: the serial of the cluster's first article


@dataclass(frozen=True, slots=True)
class GroupMemo:
    """What one grouping run leaves for the next (pickled in the build cache): article keys, features and words,
    never Article objects. Valid only for the same config, ignore list and VERSION."""

    config: GroupingConfig
    ignore: frozenset[str] = frozenset()
    version: int = VERSION
    drafts: Mapping[tuple[str, str], Draft] = field(default_factory=dict)  # a dict, or the cache's cache.Lazy
    df: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    known: dict[Key, Known] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # term -> articles indexed under it
    pairs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # serials, sorted: a << 32 | b
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))  # similarity of each pair
    clusters: dict[int, Cluster] = field(default_factory=dict)  # by the serial of its first article
    serial: int = 0  # the next serial to give


def regroup(articles: Sequence[Article], config: GroupingConfig, memo: GroupMemo | None, keep: bool,
            pool: Executor | None = None,
            key_of: Callable[[Article], Key] = content_key) -> tuple[tuple[Story, ...], GroupMemo | None]:
    """The stories of ``articles`` (sorted by id) and, with ``keep``, the memo for the next run; ``pool``: processes
    to make the drafts of many new articles in; ``key_of``: ``content_key`` or what gives the same (the build keeps
    each article's from the build that read it)."""
    extra = ignore_list(config.ignore_file) if config.ignore_file else frozenset()
    keyed = sorted(((key_of(a), a) for a in articles), key=lambda pair: pair[0])
    keys, ordered = [k for k, _ in keyed], [a for _, a in keyed]
    fresh = GroupMemo(config, extra)
    present = set(keys)
    unique = len(present) == len(keys)  # else the same article twice: keys cannot name articles apart
    if memo is None or memo.config != config or memo.ignore != extra or memo.version != VERSION or not unique:
        memo = fresh
    gone = [(k, known) for k, known in memo.known.items() if k not in present]
    if any(memo.drafts.get(_draft_key(k)) is None for k, _ in gone):  # lost from a damaged cache: start afresh
        memo, gone = fresh, []
    drafts, df, changed = _drafts(ordered, keys, memo, gone, config, extra, pool)
    feats, dirty = _features(ordered, keys, drafts, df, changed, memo, config, keep)
    if not keep:
        df = changed = {}  # (free for what follows: they matter to a memo only)
    serials = _serials(keys, memo)
    at = np.full(max(int(serials.max(initial=-1)), memo.serial - 1) + 1, -1, dtype=np.int64)
    at[serials] = np.arange(len(keys))
    place = at.tolist()  # serial -> index now (-1: gone)
    partners, scores, affected, counts = _near(keys, feats, dirty, memo, gone, serials.tolist(), place, config,
                                               keep)
    near = Partners(partners, place, at)
    redone = np.zeros(len(keys), dtype=bool)
    redone[list(dirty)] = True
    value = PairValues(feats, serials, redone, memo.pairs, memo.values, config, keep)
    old = [([place[q] for q in c.members if place[q] >= 0], c) for c in memo.clusters.values()]
    fresh_articles = [i for i, k in enumerate(keys) if k not in memo.known]
    redo = _to_redo(keys, near, dirty, affected, memo, gone, serials.tolist(), place)
    clusters = recluster(redo, old, fresh_articles, ordered, feats, near, value, config)
    stories = tuple(sorted((make_story([ordered[i] for i in members], c.explanation.links, c.explanation.terms,
                                       c.explanation.copies) for members, c in clusters), key=lambda s: s.id))
    if not keep or not unique:
        return stories, fresh if keep else None
    fresh = replace(fresh, serial=max(memo.serial, int(serials.max(initial=-1)) + 1))
    return stories, _memo(fresh, memo, keys, drafts, df, feats, partners, scores, counts, clusters, serials,
                          value.next_table(np.array([known.serial for _, known in gone], dtype=np.int64)))


def _to_redo(keys: list[Key], near: "Partners", dirty: set[int], affected: set[int], memo: GroupMemo,
             gone: list[tuple[Key, Known]], serials: list[int], place: list[int]) -> set[int]:
    """The memo's clusters (numbers) to form anew: those of changed or removed articles, and of both ends of a
    pair that came or went between unchanged articles."""
    slot = {c: n for n, c in enumerate(memo.clusters)}
    redo = {slot[known.cluster] for _, known in gone}
    redo.update(slot[memo.known[keys[i]].cluster] for i in dirty if keys[i] in memo.known)
    for i in affected:
        known = memo.known.get(keys[i])
        if known is None or i in dirty:
            continue
        for q in {serials[j] for j in near[i]}.symmetric_difference(known.near):
            j = place[q] if q < len(place) else -1
            if j >= 0 and j not in dirty:
                redo.add(slot[known.cluster])
                redo.add(slot[memo.known[keys[j]].cluster])
    return redo


class Partners(Sequence):
    """Each article's candidate partners as indexes, from their serials (converted on each use)."""

    def __init__(self, serials: list[tuple[int, ...]], place: list[int], at: np.ndarray) -> None:
        self.serials, self.place, self.at = serials, place, at

    def __len__(self) -> int:
        return len(self.serials)

    def __getitem__(self, i: int) -> list[int]:  # type: ignore[override]
        return [self.place[q] for q in self.serials[i]]

    def graph(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (article, partner) as two arrays of indexes."""
        lengths = np.fromiter((len(p) for p in self.serials), dtype=np.int64, count=len(self.serials))
        flat = np.fromiter(chain.from_iterable(self.serials), dtype=np.int64, count=int(lengths.sum()))
        return np.repeat(np.arange(len(self.serials)), lengths), self.at[flat]


def _drafts(ordered: Sequence[Article], keys: list[Key], memo: GroupMemo, gone: list[tuple[Key, Known]],
            config: GroupingConfig, extra: frozenset[str],
            pool: Executor | None) -> tuple[list[Draft], dict[str, int], set[str]]:
    """Each article's draft (the memo's where its text is known), the corpus's document frequencies and the terms
    whose frequency changed since the memo."""
    # a known article's draft is looked up only where it is needed (_features): the cache loads them as asked for
    drafts = [None if k in memo.known else memo.drafts.get(_draft_key(k)) for k in keys]
    todo = [i for i, (k, d) in enumerate(zip(keys, drafts)) if d is None and k not in memo.known]
    for i, made in zip(todo, make_drafts([ordered[i] for i in todo], extra, config, pool)):
        drafts[i] = made
    df = dict(memo.df)
    changed: set[str] = set()
    for k, _ in gone:
        for term in memo.drafts[_draft_key(k)].keys:
            df[term] -= 1
            changed.add(term)
    added = Counter(chain.from_iterable(d.keys for k, d in zip(keys, drafts) if k not in memo.known))
    for term, n in added.items():  # (new terms enter df in the order the drafts first have them)
        df[term] = df.get(term, 0) + n
    changed.update(added)
    for term in changed:
        if not df[term]:
            del df[term]
    return drafts, df, changed


def _known_draft(article: Article, key: Key, memo: GroupMemo, config: GroupingConfig) -> Draft:
    """The memo's draft of a known article (made anew where the cache lost it)."""
    found = memo.drafts.get(_draft_key(key))
    return found if found is not None else make_drafts([article], memo.ignore, config, None)[0]


def _cap(count: int) -> int | None:
    """The step in which a document frequency enters the features (features.corpus_info)."""
    return octave(count - EVENT_SIZE) if count > EVENT_SIZE else None


def _features(ordered: Sequence[Article], keys: list[Key], drafts: list[Draft | None], df: dict[str, int],
              changed: set[str], memo: GroupMemo, config: GroupingConfig,
              keep: bool) -> tuple[list[Features], set[int]]:
    """Each article's features (the memo's where they still hold) and the indexes of the new or changed ones."""
    moved = {t for t in changed if _cap(df.get(t, 0)) != _cap(memo.df.get(t, 0))}
    # A weight that only went down changes the features of articles that have the term among their top terms;
    # one that went up may also lift it into them, so any article with the term in its draft is looked at.
    down = {t for t in moved if corpus_info(df.get(t, 0), len(keys)) < corpus_info(memo.df.get(t, 0), len(keys))}
    up = moved - down
    everything = octave(max(len(keys), 1)) != octave(max(memo.articles, 1))
    feats, dirty = [], set()
    caps: dict[str, float] = {}
    for i, (k, a) in enumerate(zip(keys, ordered)):
        known = memo.known.get(k)
        d = drafts[i]
        if d is None and up:  # needed to tell whether the features change
            d = drafts[i] = _known_draft(a, k, memo, config)
        if known is not None and not everything and not (
                up and not up.isdisjoint(d.keys) or down and any(t in known.features.keys for t in down)):
            feats.append(known.features)
        else:
            if d is None:
                d = drafts[i] = _known_draft(a, k, memo, config)
            made = finish(a, d, df, len(keys), config, caps)
            if (known is not None and made.keys == known.features.keys and made.surface == known.features.surface
                    and np.array_equal(made.weights, known.features.weights)):
                made = known.features  # a weight's step moved, but not this article's terms or their weights
            else:
                dirty.add(i)
            feats.append(made)
        if not keep:
            drafts[i] = None  # a corpus of drafts and one of features need not be held at once
    return feats, dirty


def _near(keys: list[Key], feats: list[Features], dirty: set[int], memo: GroupMemo, gone: list[tuple[Key, Known]],
          serials: list[int], place: list[int], config: GroupingConfig, keep: bool = True
          ) -> tuple[list[tuple[int, ...]], list[tuple[float, ...]], set[int], dict[str, int]]:
    """Each article's candidate partners (serials) and their scores, the articles whose partners were worked out
    again or gained one, and how many articles each term is indexed for.

    With a memo, an article keeps its partners and gains the new or changed articles that now score high
    enough; it is worked out again from the index when it is new or changed, when a partner of it was removed
    or changed, or when one of its index terms enters or leaves the index."""
    if not memo.known:
        lists = term_lists(feats)
        index = postings(feats, lists)
        partners, scores = [], []
        for i in range(len(keys)):
            found = nearest(i, feats, index, config)
            partners.append(tuple(serials[j] for j, _ in found))
            scores.append(tuple(s for _, s in found) if keep else ())  # only a memo needs them
        return partners, scores, set(range(len(keys))), {t: len(m) for t, m in lists.items()}
    old_terms = [set(index_terms(known.features)) for _, known in gone]
    old_terms += [set(index_terms(memo.known[keys[i]].features)) for i in dirty if keys[i] in memo.known]
    reach = set().union(*old_terms, *(index_terms(feats[i]) for i in dirty))
    lists = term_lists(feats)
    counts = dict(memo.counts)
    for term in reach:
        counts[term] = len(lists.get(term, ()))
        if not counts[term]:
            del counts[term]
    again = set(dirty)
    for term in reach:
        if indexed(counts.get(term, 0)) != indexed(memo.counts.get(term, 0)):
            again.update(lists.get(term, ()))
    stale = {known.serial for _, known in gone} | {serials[i] for i in dirty if keys[i] in memo.known}
    for term in set().union(*old_terms):
        for i in lists.get(term, ()):
            if not stale.isdisjoint(memo.known[keys[i]].near) if keys[i] in memo.known else True:
                again.add(i)
    gains = _gains(feats, dirty, again, lists, counts, config)
    partners = [memo.known[k].near if i not in again else () for i, k in enumerate(keys)]
    scores = [memo.known[k].scores if i not in again else () for i, k in enumerate(keys)]
    needed = set().union(*(index_terms(feats[i]) for i in again))
    index = postings(feats, {t: lists[t] for t in needed if t in lists})
    for i in again | set(gains):
        if i in again:
            found = nearest(i, feats, index, config)
        else:
            found = best([(place[q], s) for q, s in zip(partners[i], scores[i])] + gains[i], config)
        partners[i], scores[i] = tuple(serials[j] for j, _ in found), tuple(s for _, s in found)
    return partners, scores, again | set(gains), counts


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
    following = memo.serial
    for i, k in enumerate(keys):
        known = memo.known.get(k)
        if known is None:
            serials[i], following = following, following + 1
        else:
            serials[i] = known.serial
    return serials


def _memo(fresh: GroupMemo, memo: GroupMemo, keys: list[Key], drafts: list[Draft], df: dict[str, int],
          feats: list[Features], partners: list[tuple[int, ...]], scores: list[tuple[float, ...]],
          counts: dict[str, int], clusters: list[tuple[list[int], Cluster]], serials: np.ndarray,
          table: tuple[np.ndarray, np.ndarray]) -> GroupMemo:
    """The memo of this run (an article's entry is the old memo's where nothing of it changed)."""
    cluster_of = {i: c.members[0] for members, c in clusters for i in members}
    numbers = serials.tolist()
    known = {}
    for i, k in enumerate(keys):
        before = memo.known.get(k)
        if (before is not None and before.features is feats[i] and before.near is partners[i]
                and before.cluster == cluster_of[i]):
            known[k] = before
        else:
            known[k] = Known(numbers[i], feats[i], partners[i], scores[i], cluster_of[i])
    return GroupMemo(fresh.config, fresh.ignore, VERSION, _kept_drafts(memo, keys, drafts),
                     df, len(keys), known, counts, table[0], table[1], {c.members[0]: c for _, c in clusters},
                     fresh.serial)


def _kept_drafts(memo: GroupMemo, keys: list[Key], drafts: list[Draft | None]) -> Mapping[tuple[str, str], Draft]:
    """The drafts of ``keys`` for the next run: those of this one, the memo's where a known article's draft was
    not looked up. A memo whose drafts the cache loads as asked for (cache.Lazy) gives a copy with the changes."""
    if hasattr(memo.drafts, "updated"):
        made = {_draft_key(k): d for k, d in zip(keys, drafts)
                if d is not None and (k not in memo.known or memo.drafts.get(_draft_key(k)) is not d)}
        gone = memo.known.keys() - set(keys)
        present = {_draft_key(k) for k in keys} if gone else set()  # (another article may have the same text)
        return memo.drafts.updated(made, [_draft_key(k) for k in gone if _draft_key(k) not in present])
    return {_draft_key(k): d if d is not None else memo.drafts[_draft_key(k)] for k, d in zip(keys, drafts)}
