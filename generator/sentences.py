"""Sentences of an article's clean body and the content words they carry, for comparing what sources report.

Pure and small: split at sentence ends (not after abbreviations or day numbers), fold words to lower-case lemmas
without function words, compare two sentences by the share of content words they have in common (Dice).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from generator.lemmas import lemmatize
from generator.model import Article

MIN_TERMS = 4  # a sentence with fewer content words states no fact worth comparing
_END = re.compile(r"""(?<=[.!?…])["'»«“”‘’)]*\s+(?=["'»«“„‘(]?[A-ZÄÖÜ0-9])"""
                  r"""|(?<=[a-zäöüß]{3}[.!?])(?=[A-ZÄÖÜ][a-zäöüß]{2})""")  # also "eingefroren.Washington"
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_LEMMA_LANGUAGES = ("de", "en")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of one article, with its position in the body and its content words."""

    text: str
    article_id: str
    position: int  # 0 for the body's first sentence
    terms: frozenset[str]


@cache
def knowledge() -> dict:
    text = resources.files("generator.data").joinpath("summary.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def stopwords() -> frozenset[str]:
    return frozenset(w for words in knowledge()["stopwords"].values() for w in words.split())


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(knowledge()["abbreviations"])


def _ends_sentence(before: str) -> bool:
    """Whether the text ``before`` a candidate break really ends a sentence."""
    word = before.rstrip("\"'»«“”‘’)").rsplit(None, 1)[-1] if before.strip() else ""
    if not word.endswith("."):
        return True
    stem = word[:-1].lower().lstrip("(\"'„“»")
    if stem in _abbreviations():
        return False
    if stem.isdigit() and len(stem) <= 2:  # "18. September": a German day or ordinal number
        return False
    return not (len(stem) == 1 and stem.isalpha())  # an initial: "George W. Bush"


def split(text: str) -> list[str]:
    """The sentences of one paragraph."""
    parts: list[str] = []
    start = 0
    for match in _END.finditer(text):
        if _ends_sentence(text[start:match.start()]):
            parts.append(text[start:match.start()].strip())
            start = match.end()
    parts.append(text[start:].strip())
    return [p.lstrip("-–—•* ").strip() for p in parts if p.lstrip("-–—•* ").strip()]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _lemma(word: str, language: str) -> str:
    if language in _LEMMA_LANGUAGES:
        return lemmatize(word, language).lower()
    return word


def _term(word: str, language: str) -> str | None:
    """The content word that ``word`` (as it stands in a text) counts as; None for a function word or a one-letter
    word."""
    low = word.lower()
    if len(low) < 2 or low in stopwords():
        return None
    term = low if low.isdigit() else _lemma(low, language)
    return None if term in stopwords() else term


class _Terms(dict):
    """Word as written -> its term (``_term``) in one language, each looked up once."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def __missing__(self, word: str) -> str | None:
        term = self[word] = _term(word, self.language)
        return term


_TERMS: dict[str, _Terms] = {}  # language -> its table
_TERMS_MAX = 1_000_000  # words kept per language; past that the table starts afresh


def terms(text: str, language: str | None) -> frozenset[str]:
    """Content words of ``text``: lower-case lemmas, no function words, no one-letter words."""
    lang = language or "de"
    table = _TERMS.get(lang)
    if table is None or len(table) > _TERMS_MAX:
        table = _TERMS[lang] = _Terms(lang)
    found = set(map(table.__getitem__, _WORD.findall(text)))
    found.discard(None)
    return frozenset(found)


def sentences(article: Article) -> list[Sentence]:
    """Every sentence of the article's body paragraphs (headings left out), in order."""
    out: list[Sentence] = []
    for block in article.blocks:
        if block.heading:
            continue
        for text in split(block.text):
            out.append(Sentence(text, article.id, len(out), terms(text, article.language)))
    return out


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of content words two sets have in common: 1 for the same words, 0 for none in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def same_fact(a: Sentence, b: Sentence, threshold: float = 0.4) -> bool:  # SAME_FACT
    """Two sentences state the same thing: enough shared content words, and at least three of them."""
    return len(a.terms & b.terms) >= 3 and dice(a.terms, b.terms) >= threshold


SAME_FACT = 0.4  # Dice from which two sentences state the same thing
ECHO = 0.3  # Dice from which a sentence counts as reported elsewhere too


@dataclass(slots=True)
class Echo:
    """How one sentence is echoed by the other texts of a story (texts named by their first article's id)."""

    best: dict[str, float] = field(default_factory=dict)  # text -> the highest Dice of any of its sentences
    same: set[str] = field(default_factory=set)  # texts with a sentence stating the same fact (SAME_FACT)
    echoed: set[str] = field(default_factory=set)  # texts with a sentence close to it (ECHO)


def echoes(sents: list[Sentence]) -> list[Echo]:
    """For each sentence, how the other texts echo it. The content words every two sentences share are counted
    at once from an inverted index (numpy): only pairs that share a word are counted, so a story of many long
    reports stays fast."""
    n = len(sents)
    if n == 0:
        return []
    names: dict[str, int] = {}
    text_of = np.array([names.setdefault(s.article_id, len(names)) for s in sents], dtype=np.intp)
    ids: dict[str, int] = {}
    term_ids = [ids.setdefault(t, len(ids)) for s in sents for t in s.terms]
    length = np.array([len(s.terms) for s in sents], dtype=np.intp)
    shared = _shared_counts(np.repeat(np.arange(n), length), np.array(term_ids, dtype=np.intp), n)
    total = (length[:, None] + length[None, :]).astype(np.float64)
    score = np.divide(2 * shared, total, out=np.zeros(shared.shape), where=shared > 0)  # 2 * count / (a + b)
    echo = (shared >= 3) & (score >= ECHO)
    same = echo & (score >= SAME_FACT)
    texts = len(names)
    best = np.zeros((n, texts))
    echoed = np.zeros((n, texts), dtype=bool)
    stated = np.zeros((n, texts), dtype=bool)
    for t in range(texts):
        members = text_of == t
        best[:, t] = score[:, members].max(axis=1)
        echoed[:, t] = echo[:, members].any(axis=1)
        stated[:, t] = same[:, members].any(axis=1)
    own = text_of[:, None] == np.arange(texts)[None, :]
    best[own] = 0.0
    echoed &= ~own
    stated &= ~own
    keys = list(names)
    out = []
    for b, e, f in zip(best.tolist(), echoed.tolist(), stated.tolist()):
        out.append(Echo({keys[t]: v for t, v in enumerate(b) if v > 0.0},
                        {keys[t] for t, x in enumerate(f) if x}, {keys[t] for t, x in enumerate(e) if x}))
    return out


def _shared_counts(sentence: np.ndarray, term: np.ndarray, n: int) -> np.ndarray:
    """n x n: how many terms sentences i and j share, from the (sentence, term) pairs of their terms."""
    order = np.argsort(term, kind="stable")
    term, sentence = term[order], sentence[order]
    starts = np.flatnonzero(np.r_[True, term[1:] != term[:-1]])
    sizes = np.diff(np.r_[starts, len(term)])
    size_of = np.repeat(sizes, sizes)  # per pair (sentence, term): how many sentences have the term
    start_of = np.repeat(starts, sizes)
    left = np.repeat(sentence, size_of)
    first = np.repeat(start_of, size_of)
    step = np.arange(len(left)) - np.repeat(np.cumsum(size_of) - size_of, size_of)
    right = sentence[first + step]
    return np.bincount(left * n + right, minlength=n * n).reshape(n, n)
