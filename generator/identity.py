"""Stable identity across builds. A story's id and URL come from its earliest article, so they stay put as the
story grows (the URL also holds the article's title: a new title is a new URL, and the old one redirects). When two stories merge, the one whose earliest article is older survives; the other one's URL must
not break: it becomes a redirect to the survivor, and its feed lives on (same path, same id) with the survivor's
entries. The same holds when an earlier report joins a story later and so becomes its earliest article.

The register of the ids a site has published is kept in the build cache; without it (a first build, or a build
with --no-cache) there is nothing to redirect from.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from generator.model import Story


@dataclass(frozen=True, slots=True)
class Known:
    """A story as a build published it: its id, slug and the ids of its articles."""

    id: str
    slug: str
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Redirect:
    """A published story that is now part of another one."""

    absorbed: Known
    survivor: Story


@dataclass(frozen=True, slots=True)
class Register:
    """The stories the site has published that are still reachable: the current ones and the absorbed ones."""

    stories: tuple[Known, ...] = ()
    absorbed: tuple[Known, ...] = ()


def known(story: Story) -> Known:
    return Known(story.id, story.slug, tuple(a.id for a in story.articles))


def _survivor(old: Known, holder: dict[str, Story]) -> Story | None:
    """The story that now holds most of ``old``'s articles (ties: the smaller id); None where none is left."""
    counts = Counter(holder[a].id for a in old.articles if a in holder)
    if not counts:
        return None
    best = min(counts, key=lambda story_id: (-counts[story_id], story_id))
    return next(holder[a] for a in old.articles if a in holder and holder[a].id == best)


def follow(stories: Sequence[Story], previous: Register | None) -> tuple[tuple[Redirect, ...], Register]:
    """The redirects from the address of every story of ``previous`` that is no longer a story's address to the
    story that holds its articles now, and the register for the next build. A story whose articles are all gone
    is gone."""
    current = {s.id: s for s in stories}
    slugs = {s.slug for s in stories}
    holder = {a.id: s for s in stories for a in s.articles}
    redirects: list[Redirect] = []
    for old in (previous.stories + previous.absorbed) if previous else ():
        if old.slug in slugs:  # still a story's address (or already redirected)
            continue
        # a story whose earliest report got a new title keeps its id but has a new address
        survivor = current[old.id] if old.id in current else _survivor(old, holder)
        if survivor is not None:
            slugs.add(old.slug)
            redirects.append(Redirect(old, survivor))
    redirects.sort(key=lambda r: r.absorbed.slug)
    return tuple(redirects), Register(tuple(known(s) for s in stories), tuple(r.absorbed for r in redirects))
