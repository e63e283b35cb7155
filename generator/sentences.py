"""Sentences of an article's clean body and the content words they carry, for comparing what sources report.

Pure and small: split at sentence ends (not after abbreviations or day numbers), fold words to lower-case lemmas
without function words, compare two sentences by the share of content words they have in common (Dice).
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import chain, count
from math import fsum

import numpy as np

from generator.lemmas import lemmatize
from generator.model import Article

MIN_TERMS = 4  # a sentence with fewer content words states no fact worth comparing
# A sentence end: the mark itself, then quotes and a space before a capital or a digit, or (glued) a capitalised word
# ("eingefroren.Washington"). The pattern begins with the mark, so that the search jumps from mark to mark.
_END = re.compile(r"""[.!?…](?:["'»«“”‘’)]*\s+(?=["'»«“„‘(]?[A-ZÄÖÜ0-9])"""
                  r"""|(?<=[a-zäöüß]{3}[.!?])(?=[A-ZÄÖÜ][a-zäöüß]{2}))""")
_LOOK_BACK = 64  # characters before a mark in which its word is looked for first
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


def _word_ends_sentence(word: str) -> bool:
    """Whether ``word``, the last before a candidate break, ends a sentence (not an abbreviation, a day number or
    an initial)."""
    if not word.endswith("."):
        return True
    stem = word[:-1].lower().lstrip("(\"'„“»")
    if stem in _abbreviations():
        return False
    if stem.isdigit() and len(stem) <= 2:  # "18. September": a German day or ordinal number
        return False
    return not (len(stem) == 1 and stem.isalpha())  # an initial: "George W. Bush"


def _last_word(text: str, start: int, end: int) -> str:
    """The last word of ``text[start:end]``, which ends with a sentence mark ('' where the mark is not a full stop,
    which no abbreviation ends with); looked for in the last _LOOK_BACK characters first."""
    if text[end - 1] != ".":
        return ""  # only a full stop can follow an abbreviation: any other mark ends the sentence
    near = max(start, end - _LOOK_BACK)
    parts = text[near:end].rsplit(None, 1)
    if len(parts) == 2 or near == start:
        return parts[-1]
    return text[start:end].rsplit(None, 1)[-1]


def split(text: str) -> list[str]:
    """The sentences of one paragraph."""
    parts: list[str] = []
    start = 0
    for match in _END.finditer(text):
        end = match.start() + 1  # just after the mark
        if _word_ends_sentence(_last_word(text, start, end)):
            parts.append(text[start:end].strip())
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


class _Tokens(dict):
    """A text's token (a run of non-space characters, as str.split() gives it: "Berlin," "(dpa)") -> the terms of
    its words (``words``: no word spans a space), function words left out; each token looked at once."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.words = _Terms(language)

    def __missing__(self, token: str) -> tuple[str, ...]:
        found = self[token] = tuple(t for t in map(self.words.__getitem__, _WORD.findall(token)) if t is not None)
        return found


_TERMS: dict[str, _Tokens] = {}  # language -> its table
_TERMS_MAX = 1_000_000  # tokens (or words) kept per language; past that the table starts afresh


def _table(language: str | None) -> _Tokens:
    lang = language or "de"
    table = _TERMS.get(lang)
    if table is None or len(table) > _TERMS_MAX or len(table.words) > _TERMS_MAX:
        table = _TERMS[lang] = _Tokens(lang)
    return table


def terms(text: str, language: str | None) -> frozenset[str]:
    """Content words of ``text``: lower-case lemmas, no function words, no one-letter words."""
    return frozenset(chain.from_iterable(map(_table(language).__getitem__, text.split())))


def sentences(article: Article) -> list[Sentence]:
    """Every sentence of the article's body paragraphs (headings left out), in order; their terms as ``terms``
    gives them."""
    out: list[Sentence] = []
    of_token = _table(article.language).__getitem__
    for block in article.blocks:
        if block.heading:
            continue
        for text in split(block.text):
            found = frozenset(chain.from_iterable(map(of_token, text.split())))
            out.append(Sentence(text, article.id, len(out), found))
    return out


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of content words two sets have in common: 1 for the same words, 0 for none in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


SAME_FACT = 0.4  # Dice from which two sentences state the same thing


ECHO = 0.3  # Dice from which a sentence counts as reported elsewhere too


ROWS = 256  # sentences whose echoes are worked out at once: memory grows with ROWS x sentences, not sentences²


class Overlap:
    """The sentences of one story side by side: the content words every two of them share, counted from an inverted
    index (numpy). Only pairs that share a word are counted, and ROWS sentences at a time, so that a story of
    hundreds of reports needs no sentences x sentences table at once. Texts are numbered as met (``text_of``)."""

    def __init__(self, sents: list[Sentence]):
        self.n = n = len(sents)
        names: dict[str, int] = {}
        self.text_of = np.array([names.setdefault(s.article_id, len(names)) for s in sents], dtype=np.intp)
        self.texts = list(names)  # text number -> its name (the id of its first article)
        words = [t for s in sents for t in s.terms]
        ids = dict(zip(dict.fromkeys(words), count()))  # term -> its number (any numbering will do)
        self._term = np.fromiter(map(ids.__getitem__, words), dtype=np.intp, count=len(words))
        self._length = np.array([len(s.terms) for s in sents], dtype=np.intp)
        self._float_length = self._length.astype(np.float64)
        self._empty = not self._length.all()
        self._offsets = np.r_[0, np.cumsum(self._length)]
        self._postings = _Postings(np.repeat(np.arange(n), self._length), self._term, len(ids))

    def dice(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """For sentences ``start`` to ``stop`` (rows) and every sentence (columns): how many content words they
        share, and their Dice (``dice``, to the bit: 2 * count / (a + b) in float64; 0.0 where none is shared)."""
        shared = self._postings.shared(self._term[self._offsets[start]:self._offsets[stop]],
                                       self._length[start:stop], self.n)
        total = self._float_length[start:stop, None] + self._float_length[None, :]
        if self._empty:  # two sentences without content words share none: 0.0, not 0 / 0
            return shared, np.divide(2 * shared, total, out=np.zeros(shared.shape), where=shared > 0)
        score = shared * 2.0
        score /= total
        return shared, score


def _echo_blocks(overlap: Overlap) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """ROWS sentences at a time, from row ``top`` on: per sentence and text (columns: text numbers), the highest
    Dice of any of the text's sentences, whether one is close to it (ECHO) and whether one states the same fact
    (SAME_FACT); 0 and False for the sentence's own text. Both flags come from the highest Dice among the
    sentences that share at least three words: a text has one at ECHO or above exactly when that is."""
    n, text_of = overlap.n, overlap.text_of
    if n and (text_of[1:] >= text_of[:-1]).all():
        columns: slice | np.ndarray = slice(None)  # the sentences stand text by text already (as summaries give them)
        ordered = text_of
    else:
        columns = np.argsort(text_of, kind="stable")  # the sentences text by text (texts are numbered as met)
        ordered = text_of[columns]
    firsts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    numbers = np.arange(len(overlap.texts))
    for top in range(0, n, ROWS):
        stop = min(n, top + ROWS)
        shared, score = overlap.dice(top, stop)
        sharing = np.where(shared >= 3, score, 0.0)  # Dice where three words or more are shared
        best = np.maximum.reduceat(score[:, columns], firsts, axis=1)  # per text: its closest sentence
        close = np.maximum.reduceat(sharing[:, columns], firsts, axis=1)
        own = text_of[top:stop, None] == numbers[None, :]
        best[own] = 0.0
        close[own] = 0.0
        echoed = close >= ECHO
        yield top, best, echoed, echoed & (close >= SAME_FACT)




@dataclass(frozen=True, slots=True)
class Echoes:
    """How the other texts of a story echo each of its sentences, as the summary uses it: ``closeness[i]``, the sum
    (fsum: exact, so in any order) of the highest Dice of each other text's sentences; ``stated[i]``, how many
    other texts state the same fact (SAME_FACT); ``echoed[i]``, whether any other text has a sentence close to it
    (ECHO); ``same``: sentence -> those texts (first article ids), where there are any."""

    closeness: np.ndarray  # float64
    stated: np.ndarray  # int
    echoed: np.ndarray  # bool
    same: dict[int, set[str]]


def echo_table(overlap: Overlap) -> Echoes:
    """``Echoes`` of the sentences of ``overlap``."""
    n, keys = overlap.n, overlap.texts
    if len(keys) < 2:
        return Echoes(np.zeros(n), np.zeros(n, dtype=np.intp), np.zeros(n, dtype=bool), {})
    closeness: list[float] = []
    stated_parts, echoed_parts = [], []
    same: dict[int, set[str]] = {}
    for top, best, echoed, stated in _echo_blocks(overlap):
        closeness += map(fsum, best.tolist())  # zeros (texts that share no word) add nothing to an exact sum
        stated_parts.append(stated.sum(axis=1))
        echoed_parts.append(echoed.any(axis=1))
        rows, texts = np.nonzero(stated)
        for row, text in zip((rows + top).tolist(), texts.tolist()):
            same.setdefault(row, set()).add(keys[text])
    return Echoes(np.array(closeness, dtype=np.float64), np.concatenate(stated_parts), np.concatenate(echoed_parts),
                  same)


class _Postings:
    """The sentences of each term, from the (sentence, term) pairs of all the sentences' terms."""

    def __init__(self, sentence: np.ndarray, term: np.ndarray, terms: int):
        order = np.argsort(term, kind="stable")
        self.sentences = sentence[order]  # grouped by term, in sentence order within a term
        self.size = np.bincount(term, minlength=terms)
        self.start = np.r_[0, np.cumsum(self.size)[:-1]]

    def shared(self, terms: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
        """len(lengths) x n: how many terms each of some consecutive sentences (``lengths`` terms each, ``terms``
        their terms in a row) shares with each sentence."""
        rows = len(lengths)
        sizes = self.size[terms]  # per term of the rows: how many sentences have it
        left = np.repeat(np.repeat(np.arange(rows), lengths), sizes)
        first = np.repeat(self.start[terms], sizes)
        step = np.arange(len(left)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        right = self.sentences[first + step]
        return np.bincount(left * n + right, minlength=rows * n).reshape(rows, n)
