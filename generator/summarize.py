"""What a story page says about its sources together: the representative headline, a short extractive summary
with attribution, what each source adds, the people and places several sources name, and honest counts.

Extractive only: every sentence shown is a sentence that a source wrote. Copies of one wire text count once.
Pure: Story in, Digest out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from generator.entities import Named, named_by_several
from generator.model import Article, Story
from generator.sentences import MIN_TERMS, Echoes, Overlap, Sentence, dice, echo_table, sentences, terms

SUMMARY_MIN, SUMMARY_MAX = 3, 5
ADDS_MAX = 3  # sentences shown per source under "what it adds"
REDUNDANT = 0.35  # a candidate this close (Dice) to a chosen sentence says nothing new
REUSED_SOURCE = 0.6  # a source that already gave a summary sentence counts this much less: draw from several
_NONE_NAMED = Named((), ())  # what one text names by several sources: nobody, nowhere


@dataclass(frozen=True, slots=True)
class Attributed:
    """A sentence of the summary: the words of ``sources[0]``, which the other sources report too."""

    text: str
    language: str | None
    sources: tuple[Article, ...]  # the source quoted first, then the others that report it, oldest first


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything a story page shows beyond the articles themselves."""

    headline: Article  # the article whose title represents the story best
    summary: tuple[Attributed, ...]
    adds: dict[str, tuple[str, ...]]  # article id -> sentences no other text of the story reports
    named: Named
    reports: int  # distinct texts: copies of one wire text count once
    copies: dict[str, tuple[str, ...]]  # article id -> the ids of the other articles with the same text


def text_groups(story: Story) -> list[tuple[Article, ...]]:
    """The story's distinct texts: each a group of articles with the same text (one article for most), in the
    order of their first article."""
    by_id = {a.id: a for a in story.articles}
    group_of: dict[str, tuple[str, ...]] = {}
    for group in story.copies:
        members = tuple(i for i in group if i in by_id)
        for aid in members:
            group_of[aid] = members
    groups: list[tuple[Article, ...]] = []
    placed: set[str] = set()
    for article in story.articles:
        if article.id in placed:
            continue
        members = group_of.get(article.id, (article.id,))
        groups.append(tuple(a for a in story.articles if a.id in members))
        placed.update(members)
    return groups


def representative_headline(story: Story, bodies: dict[str, frozenset[str]] | None = None) -> Article:
    """The article whose title shares most words with the other articles' titles and bodies, on average.

    A title of fewer than four content words counts less (short titles are easily covered but say little).
    Ties go to the earlier article. ``bodies`` may give the terms of an article's title and text."""
    if len(story.articles) == 1:
        return story.articles[0]
    title = {a.id: terms(a.title, a.language) for a in story.articles}
    bodies = bodies or {}
    body = {a.id: bodies.get(a.id) or terms(a.title + "\n" + a.text, a.language) for a in story.articles}

    def score(a: Article) -> float:
        mine = title[a.id]
        if not mine:
            return 0.0
        others = [b for b in story.articles if b.id != a.id]
        overlap = sum(0.5 * dice(mine, title[b.id]) + 0.5 * len(mine & body[b.id]) / len(mine) for b in others)
        return overlap / len(others) * min(1.0, len(mine) / 4)

    ranked = sorted(enumerate(story.articles), key=lambda pair: (-round(score(pair[1]), 9), pair[0]))
    return ranked[0][1]


def _candidate(s: Sentence) -> bool:
    return len(s.terms) >= MIN_TERMS and 40 <= len(s.text) <= 400


def _scores(sents: list[Sentence], table: Echoes, texts: int) -> np.ndarray:
    """Per sentence: reported by more texts, closer to all of them, earlier in its own text: more central to the
    story. The closeness is summed exactly (fsum: ``echo_table``), so that it does not depend on the order the texts
    were met in. Each operation is Python's float arithmetic (IEEE double), element by element."""
    centrality = table.closeness / (texts - 1) if texts > 1 else np.zeros(len(sents))
    position = np.array([s.position for s in sents], dtype=np.float64)
    return (1.0 + table.stated) * (0.5 + centrality) / (1.0 + 0.15 * position)


def _choose(sents: list[Sentence], overlap: Overlap, table: Echoes, candidate: np.ndarray, texts: int,
            count: int) -> list[int]:
    """Greedy: the best-scored sentences (their numbers) that repeat no chosen one, preferring sources not yet
    quoted: a sentence from a source already quoted counts REUSED_SOURCE of its score; ties go to the earlier
    sentence in its text, then to the greater article id."""
    alive = candidate.copy()  # candidates neither chosen nor repeating a chosen one
    if not alive.any():
        return []
    score = _scores(sents, table, texts)
    reused = score * REUSED_SOURCE
    used = np.zeros(len(overlap.texts), dtype=bool)
    chosen: list[int] = []
    while len(chosen) < count and alive.any():
        at = np.flatnonzero(alive)
        value = np.where(used[overlap.text_of[at]], reused[at], score[at])
        tied = at[value == value.max()].tolist()
        c = tied[0] if len(tied) == 1 else max(tied, key=lambda i: (-sents[i].position, sents[i].article_id))
        chosen.append(c)
        used[overlap.text_of[c]] = True
        # what is left repeats none of the chosen (closer than REDUNDANT: the same fact always is, as SAME_FACT >
        # REDUNDANT): compared with the new one only, row by row
        _, closeness = overlap.dice(c, c + 1)
        alive &= closeness[0] < REDUNDANT
        alive[c] = False
    return chosen


def summarize(story: Story) -> Digest:
    groups = text_groups(story)
    members = {g[0].id: g for g in groups}
    of_text = {g[0].id: sentences(g[0]) for g in groups}
    sents = [s for g in groups for s in of_text[g[0].id]]
    overlap = Overlap(sents)
    table = echo_table(overlap)
    candidate = np.fromiter(map(_candidate, sents), dtype=bool, count=len(sents))
    count = max(SUMMARY_MIN, min(SUMMARY_MAX, len(groups) + 2))
    summary = []
    for i in _choose(sents, overlap, table, candidate, len(groups), count):
        s = sents[i]
        reporting = {s.article_id} | table.same.get(i, set())
        sources = [a for a in story.articles if any(a in members[r] for r in reporting)]
        first = members[s.article_id][0]
        summary.append(Attributed(s.text, first.language, (first, *[a for a in sources if a is not first])))
    return Digest(
        headline=representative_headline(story, _bodies(groups, of_text)),
        summary=tuple(summary),
        adds=_adds(sents, table, candidate) if len(groups) > 1 else {},
        named=named_by_several(g[0].title + "\n" + g[0].text for g in groups) if len(groups) > 1 else _NONE_NAMED,
        reports=len(groups),
        copies={a.id: tuple(b.id for b in g if b is not a) for g in groups if len(g) > 1 for a in g},
    )


def _bodies(groups: list[tuple[Article, ...]], of_text: dict[str, list[Sentence]]) -> dict[str, frozenset[str]]:
    """The terms of each article's title and text (``terms(title + "\\n" + text)``), from its text's sentences
    where it has the text and language of its group's first article: a word never spans two sentences or lines."""
    bodies = {}
    for group in groups:
        first = group[0]
        words = frozenset().union(*(s.terms for s in of_text[first.id]),
                                  *(terms(b.text, first.language) for b in first.blocks if b.heading))
        for a in group:
            if a is first or (a.blocks == first.blocks and a.language == first.language):
                bodies[a.id] = terms(a.title, a.language) | words
    return bodies


def _adds(sents: list[Sentence], table: Echoes, candidate: np.ndarray) -> dict[str, tuple[str, ...]]:
    """Per text, up to ADDS_MAX sentences that no other text reports (the most informative, in body order)."""
    unique: dict[str, list[Sentence]] = {}
    for i in np.flatnonzero(candidate & ~table.echoed).tolist():
        s = sents[i]
        unique.setdefault(s.article_id, []).append(s)
    adds: dict[str, tuple[str, ...]] = {}
    for rid, sents in unique.items():
        if len(sents) > ADDS_MAX:
            sents = sorted(sents, key=lambda s: (-_informative(s), s.position))[:ADDS_MAX]
        adds[rid] = tuple(s.text for s in sorted(sents, key=lambda s: s.position))
    return adds


# The first letter of each word but the first (words as str.split() finds them), where it may be a capital: not
# where it is a small ASCII letter or a digit.
_NEXT_WORD = re.compile(r"\s([^\sa-z0-9])")


def _informative(s: Sentence) -> int:
    """Content words, with numbers and names counting double: the facts a sentence carries."""
    numbers = sum(map(_has_digit, s.terms))
    names = sum(map(str.isupper, _NEXT_WORD.findall(s.text.lstrip())))  # words that begin with a capital
    return len(s.terms) + numbers + names


@lru_cache(maxsize=1 << 16)
def _has_digit(term: str) -> bool:
    return any(ch.isdigit() for ch in term)
