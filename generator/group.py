"""Stage 3: Article -> Story. INTERIM: word overlap of titles and bodies with single-link joining; issue 4
replaces this with general, measured event grouping."""
from __future__ import annotations

import re
from collections.abc import Sequence

from generator.config import GroupingConfig
from generator.model import Article, Link, Story
from generator.story import make_story


def _words(article: Article) -> set[str]:
    return {w.lower() for w in re.findall(r"\w{5,}", article.title + " " + article.text)}


def group(articles: Sequence[Article], config: GroupingConfig) -> tuple[Story, ...]:
    ordered = sorted(articles, key=lambda a: a.id)
    words = [_words(a) for a in ordered]
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(ordered)):
        for j in range(i + 1, len(ordered)):
            union = words[i] | words[j]
            if union and len(words[i] & words[j]) / len(union) >= config.threshold:
                parent[find(j)] = find(i)
    clusters: dict[int, list[Article]] = {}
    for i, article in enumerate(ordered):
        clusters.setdefault(find(i), []).append(article)
    stories = [make_story(c, tuple(Link(a.id, None, 1.0) for a in c)) for c in clusters.values()]
    return tuple(sorted(stories, key=lambda s: s.id))
