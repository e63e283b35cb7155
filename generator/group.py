"""Stage 3: Article -> Story, where a story is one event (not a topic).

1. Features once per article: content terms (lemmas cut to five letters) weighted by rarity, the headline above
   the body, numbers and names included; the publication day; a MinHash signature of the text (features.py).
2. Candidates from an inverted index over each article's rarest terms, within ``max_days`` (candidates.py).
3. Similarity of each candidate pair: content cosine times a time factor; copies count 1 (similarity.py).
4. Average-link clustering of the similarity graph (linkage.py).
5. One Story per group, explaining itself: for each article the one it joined through and the shared terms;
   what the whole story shares; which articles are copies of each other.

The result does not depend on input order or file names: articles are put in an order of their own content first.
"""
from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from generator.candidates import candidate_pairs
from generator.config import GroupingConfig
from generator.features import Features, features
from generator.linkage import average_link
from generator.model import Article, Link, Story
from generator.similarity import is_copy, shared, similarity
from generator.story import chronological, make_story

# Edges weaker than this share of the threshold are dropped: they barely move a group's mean, and at 100,000
# articles keeping every weak pair would cost more memory than it is worth.
EDGE_FLOOR = 0.5
STORY_TERMS = 8


def content_key(article: Article) -> tuple:
    """A sort key from what the article says and when, so that neither input order nor file names matter."""
    digest = hashlib.sha256((article.title + "\n" + article.text).encode("utf-8")).hexdigest()
    when = article.published.timestamp() if article.published else float("inf")
    return (when, digest, article.id)


def similar_pairs(feats: Sequence[Features], config: GroupingConfig) -> Iterator[tuple[int, int, float]]:
    """(i, j, similarity) of the candidate pairs that are strong enough to matter."""
    floor = EDGE_FLOOR * config.threshold
    for i, j in candidate_pairs(feats, config):
        s = similarity(feats[i], feats[j], config)
        if s >= floor:
            yield i, j, s


@dataclass(frozen=True, slots=True)
class GroupMemo:
    """What one grouping run leaves for the next (pickled in the build cache), so that a rebuild after a few new
    articles redoes only the work those articles can touch. Contract: ``group_with_memo`` with any memo gives
    exactly the stories a memo-less run gives for the same articles and config."""

    config: GroupingConfig


def group_with_memo(articles: Sequence[Article], config: GroupingConfig,
                    memo: GroupMemo | None) -> tuple[tuple[Story, ...], GroupMemo]:
    """The stories of ``articles`` and the memo for the next run (which may reuse ``memo`` where it still holds)."""
    return group(articles, config), GroupMemo(config)


def group(articles: Sequence[Article], config: GroupingConfig) -> tuple[Story, ...]:
    """The stories of ``articles``, each article in exactly one, sorted by story id."""
    ordered = sorted(articles, key=content_key)
    feats = features(ordered, config)
    clusters = average_link([f.day for f in feats], similar_pairs(feats, config), config.threshold, config.max_days)
    stories = [_story(members, ordered, feats, config) for members in clusters]
    return tuple(sorted(stories, key=lambda s: s.id))


def _story(members: list[int], ordered: Sequence[Article], feats: Sequence[Features], config: GroupingConfig) -> Story:
    articles = [ordered[i] for i in members]
    links = _links(members, ordered, feats, config)
    return make_story(articles, links, story_terms(members, feats), _copies(members, feats, config))


def _links(members: list[int], ordered: Sequence[Article], feats: Sequence[Features],
           config: GroupingConfig) -> tuple[Link, ...]:
    """A maximum spanning tree of the story grown from its earliest article: each article's strongest way in."""
    founder = min(members, key=lambda i: chronological(ordered[i]))
    near = _similarities(members, feats, config)
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


def _similarities(members: list[int], feats: Sequence[Features], config: GroupingConfig) -> dict[int, dict[int, float]]:
    """Similarity of every pair of the story's articles (stories are small; the corpus's pairs are not kept)."""
    near: dict[int, dict[int, float]] = {i: {} for i in members}
    for x, i in enumerate(members):
        for j in members[x + 1:]:
            s = similarity(feats[i], feats[j], config)
            if s > 0:
                near[i][j] = near[j][i] = s
    return near


def story_terms(members: list[int], feats: Sequence[Features]) -> tuple[str, ...]:
    """What the story's articles share: terms in at least two of them, most widespread and weighty first."""
    if len(members) < 2:
        return ()
    count: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for i in members:
        for (key, value), form in zip(feats[i].terms.items(), feats[i].surface):
            count[key] += 1
            weight[key] += value
            forms.setdefault(key, Counter())[form] += 1
    common = [k for k in count if count[k] >= 2]
    common.sort(key=lambda k: (-count[k] * weight[k], k))
    return tuple(_readable(forms[k]) for k in common[:STORY_TERMS])


def _readable(forms: Counter[str]) -> str:
    """The form most articles write; ties to the capitalized one (a name), then alphabetically."""
    return min(forms, key=lambda f: (-forms[f], not f[:1].isupper(), f))


def _copies(members: list[int], feats: Sequence[Features], config: GroupingConfig) -> tuple[tuple[str, ...], ...]:
    """Groups (size >= 2) of the story's articles that carry the same text, as article ids."""
    parent = {i: i for i in members}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for x, i in enumerate(members):
        for j in members[x + 1:]:
            if is_copy(feats[i], feats[j], config):
                parent[max(root(i), root(j))] = min(root(i), root(j))
    groups: dict[int, list[str]] = {}
    for i in members:
        groups.setdefault(root(i), []).append(feats[i].id)
    return tuple(sorted(tuple(sorted(g)) for g in groups.values() if len(g) >= 2))
