"""Stage 3: Article -> Story, where a story is one event (not a topic).

1. Features once per article: content terms (lemmas cut to five letters) weighted by rarity, the headline above
   the body, numbers and names included; the publication day; a MinHash signature of the text (features.py).
2. Candidates from an inverted index over each article's rarest terms, within ``max_days`` (candidates.py).
3. Similarity of each candidate pair: content cosine times a time factor; copies count 1 (similarity.py, all pairs
   at once with numpy).
4. Average-link clustering of the similarity graph (linkage.py).
5. One Story per group, explaining itself: for each article the one it joined through and the shared terms;
   what the whole story shares; which articles are copies of each other (explain.py).

The result does not depend on input order or file names: articles are put in an order of their own content first.
``group_with_memo`` also returns what a rebuild can reuse (regroup.py): it redoes only the parts of the similarity
graph that new, changed or removed articles can reach, with the same result as a run from scratch.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor

from generator import collector
from generator.config import GroupingConfig
from generator.model import Article, Story
from generator.regroup import GroupMemo, content_key, regroup

__all__ = ["GroupMemo", "content_key", "group", "group_with_memo"]


def group_with_memo(articles: Sequence[Article], config: GroupingConfig, memo: GroupMemo | None,
                    pool: Executor | None = None,
                    key_of: Callable[[Article], tuple] = content_key) -> tuple[tuple[Story, ...], GroupMemo]:
    """The stories of ``articles`` and the memo for the next run. Any memo (also one of another config, or None)
    gives exactly the stories a run without one gives. ``pool``: processes to share the reading of articles
    among (same result); ``key_of``: ``content_key``, or what gives the same (kept from an earlier build)."""
    with collector.paused():
        stories, new_memo = regroup(articles, config, memo, keep=True, pool=pool, key_of=key_of)
    assert new_memo is not None
    return stories, new_memo


def group(articles: Sequence[Article], config: GroupingConfig,
          pool: Executor | None = None) -> tuple[Story, ...]:
    """The stories of ``articles``, each article in exactly one, sorted by story id."""
    with collector.paused():
        return regroup(articles, config, None, keep=False, pool=pool)[0]

