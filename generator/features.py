"""What the grouping stage knows about one article: weighted content terms, a time and a copy signature.

Built once per article. A term is a lemma (simplemma), case-folded and without accents, or a number. Its weight is
its information: how unlikely it is to turn up in a random news article. That comes from a background word list
(wordfreq), so five articles are enough; where the corpus itself is big enough to show that a term is everywhere
(an agency, a season's big topic), the corpus lowers the weight further. The headline (the title's first line,
without a kicker such as 'Bochum:') weighs above the body; a compound also counts as its head, so that
'Bundesaußenminister' meets 'Außenminister'.
"""
from __future__ import annotations

import itertools
import math
import re
import sys
import tomllib
import unicodedata
import zlib
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import chain, repeat
from typing import Protocol

import numpy as np
import py3langid

from generator import lookups
from generator.config import GroupingConfig
from generator.lemmas import lemmatize
from generator.model import Article

_DATA = tomllib.loads(resources.files("generator.data").joinpath("grouping.toml").read_text(encoding="utf-8"))
# Zipf frequency at which a word carries no information: the ~100 commonest words of a language and above.
# (A word of Zipf frequency z turns up in a 1,000-word article with probability about 10 ** (z - 6).)
STOP_ZIPF = 6.0
# A term shared by up to this many articles of the corpus may be one event's; only beyond it does the corpus
# count against it.
EVENT_SIZE = 10
# Corpus counts enter in steps of this many per octave (factor of 2), so that one more article rarely changes them.
STEPS = 1
# A draft keeps this many times terms_per_article terms, from which the corpus counts pick the final ones.
DRAFT_TERMS = 1.5
# Real headlines are short; words beyond this many in a title are a lead pasted into it and count as body.
TITLE_WORDS = 24
# Words compare by the first letters of their lemma: a light stemmer that also joins what lemmas keep apart
# ('Libanon', 'libanesisch'; 'Hamburg', 'Hamburger'; compounds with their head: 'Regierung', 'Regierungschef').
STEM = 5
# A headline's first words up to a colon ('Bochum: ...', 'Coronavirus: ...') are its kicker: a place or a topic,
# not what happened, so they weigh as body words. Longer runs before a colon are a quote or a sentence.
KICKER_WORDS = 4
# Compounds: languages that write them as one word, the shortest part, and how common (share of words) a head
# must be in the language's background list to count as a word in its own right.
COMPOUNDING = frozenset(_DATA.get("compounding", "").split())
MIN_PART = 4
MIN_HEAD = 5
HEAD_FREQUENCY = 1e-5
SHINGLE_WORDS = 4
# Drafts are made in other processes (where a pool is given) this many articles at a time, for at least two lots.
LOT = 250
SIGNATURE_SIZE = 64
_PRIME = np.uint64(4294967311)  # the least prime above 2**32


# Combining marks are looked for below this code point (the planes of the scripts that words are written in).
_MARKS_BELOW = 0x20000


def _scan_marks() -> tuple[tuple[int, int], ...]:
    """The runs (first, last) of combining marks (Unicode categories Mn, Mc, Me) below ``_MARKS_BELOW``, as this
    Python's ``unicodedata`` has them (131k look-ups)."""
    codes = [c for c in range(_MARKS_BELOW) if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")]
    runs, start = [], codes[0]
    for previous, code in zip(codes, codes[1:] + [-1]):
        if code != previous + 1:
            runs.append((start, previous))
            start = code
    return tuple(runs)


def marks_data() -> str:
    """The text of data/marks.toml for this Python's Unicode version (to write it anew for another version)."""
    runs = " ".join(f"{a:04X}-{b:04X}" for a, b in _scan_marks())
    return f'unicode = "{unicodedata.unidata_version}"\nruns = "{runs}"\n'


def _mark_runs() -> tuple[tuple[int, int], ...]:
    """``_scan_marks()``, read from data/marks.toml where that was made for this Python's Unicode version
    (``unicodedata.unidata_version``), which spares each process the scan; scanned where it was not."""
    try:
        data = tomllib.loads(resources.files("generator.data").joinpath("marks.toml").read_text(encoding="utf-8"))
        if data.get("unicode") == unicodedata.unidata_version:
            return tuple((int(a, 16), int(b, 16)) for a, b in (run.split("-") for run in data["runs"].split()))
    except (OSError, KeyError, ValueError, AttributeError, tomllib.TOMLDecodeError):  # missing or damaged: scanned
        pass
    return _scan_marks()


def _marks(runs: Sequence[tuple[int, int]], low: int, high: int) -> str:
    """A regex class body of the combining marks (vowel signs of Indic scripts and the like) of ``runs`` from code
    ``low`` up to ``high``: part of a word, but not word characters to ``re``."""
    parts = []
    for first, last in runs:
        first, last = max(first, low), min(last, high - 1)
        if first <= last:
            parts.append(f"{chr(first)}-{chr(last)}" if last > first else chr(first))
    return "".join(parts)


# A word: a letter, then letters and marks. Letters run through one fast repeat; the marks are two classes, as
# ``re`` tests one of code points of the basic plane in a table, and others only past the look-ahead (a class
# mixing both scans all its ranges for every character that is not a mark, at the end of every word).
_RUNS = _mark_runs()
_MARK = rf"(?:[{_marks(_RUNS, 0, 0x10000)}]|(?=[^\x00-\uffff])[{_marks(_RUNS, 0x10000, _MARKS_BELOW)}])"
del _RUNS
_TOKEN = re.compile(rf"\d+(?:[.,]\d+)*|[^\W\d_]+(?:{_MARK}+[^\W\d_]*)*")


class Readable(Protocol):
    """What a draft reads of an article (an Article, or anything with these)."""

    @property
    def language(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Draft:
    """An article read once: its most informative terms by the background list alone, before corpus counts.
    Compact (arrays, shared strings), as a whole corpus of drafts is held at once."""

    language: str
    keys: tuple[str, ...]
    values: np.ndarray  # per key: background information times how often and where it occurs
    info: np.ndarray  # per key: background information of the term alone
    surface: tuple[str, ...]  # per key: the form the article writes it in
    signature: np.ndarray  # MinHash of the text's word 4-grams
    shingles: int
    headline: tuple[str, ...]  # keys of the headline's terms, sorted


@dataclass(frozen=True, slots=True, eq=False)
class Features:
    """An article as the grouping stage compares it."""

    id: str
    language: str
    day: float | None  # days since 1970, from Article.published; None when undated
    keys: tuple[str, ...]  # its terms, strongest first, ties by key
    weights: np.ndarray  # per key its weight (float64); unit length
    surface: tuple[str, ...]  # the form the article writes each term in, in the order of ``keys``
    signature: np.ndarray  # MinHash of the shingles (uint32), for near-copies
    shingles: int  # how many shingles the signature summarizes
    headline: tuple[str, ...]  # keys of the headline's terms, sorted (copies agree in them)

    @property
    def terms(self) -> dict[str, float]:
        """Key -> weight (made on each use: the features keep arrays, a ninth of the memory of a dict)."""
        return dict(zip(self.keys, self.weights.tolist()))

    def forms(self) -> dict[str, str]:
        """Key -> the form the article writes it in."""
        return dict(zip(self.keys, self.surface))


def ignore_list(path: str | None = None) -> frozenset[str]:
    """Words grouping ignores: the ``ignore`` list of a TOML file, by default the built-in one."""
    if path is None:
        data = _DATA
    else:
        with open(path, encoding="utf-8") as handle:
            data = tomllib.loads(handle.read())
    return frozenset(fold(w) for w in data.get("ignore", "").split())


@lru_cache(maxsize=1 << 18)
def fold(word: str) -> str:
    """Case-folded, accents removed: the form in which words compare, also across languages."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def language_of(article: Readable) -> str:
    """The article's language as normalize found it, else a guess from its text."""
    if article.language:
        return article.language.lower()
    sample = (article.title + "\n" + article.text)[:2000]
    return py3langid.classify(sample)[0] if sample.strip() else "en"


IGNORED = ignore_list()


def prepare(languages: Sequence[str]) -> None:
    """Load the lemma dictionaries and frequency lists of these languages now (else on first use)."""
    for language in languages:
        lemma("test", language)
        zipf("test", language)


def lemma(token: str, language: str) -> str:
    """The token's dictionary form where simplemma knows the language, else the token."""
    return lemmatize(token, language)


@cache
def _frequencies(language: str) -> lookups.SortedWords:
    """wordfreq's list, as it is kept in the build cache (generator/lookups.py)."""
    def make() -> lookups.SortedWords:
        import wordfreq  # here: a rebuild that meets only known words needs neither it nor its imports (~0.3 s)
        return lookups.SortedWords(wordfreq.get_frequency_dict(language if language in wordfreq.available_languages()
                                                               else "en"))
    return lookups.kept(f"wordfreq-{language}", make)


def _number_frequency(word: str, _: str) -> float:
    from wordfreq import zipf_frequency
    return zipf_frequency(word, "en")


def zipf(word: str, language: str) -> float:
    """Background frequency on the Zipf scale (0 = unknown, 7 = 'the'), English where the language is not covered.
    Not cached: callers cache what they derive from it (background_info), and a lookup is cheap."""
    # wordfreq estimates numbers by their shape, alike in every language (and its Chinese or Japanese tokenizers
    # would need jieba or MeCab); a word of letters only has no digit (asked first: the cheaper question)
    if not word.isalpha() and any(c.isdigit() for c in word):
        return _number_zipf(word, "en")
    frequency = _frequency(word, language)
    return math.log10(frequency) + 9 if frequency else 0.0


# Lookups kept from build to build in the cache (generator/lookups.py): no frequency list loaded for known words.
_frequency = lookups.Table("frequency", lambda word, language: _frequencies(language).get(word, 0.0))
_number_zipf = lookups.Table("number-zipf", _number_frequency)


def number_key(token: str) -> str:
    """'24,7' and '24.7', '1.000' and '1,000' compare equal; '#' keeps numbers apart from words."""
    return "#" + token.replace(",", ".")


@cache
def background_info(key: str, word: str, language: str) -> float:
    """Information of a term from the background list, 0 for the commonest words up to STOP_ZIPF for unknown ones."""
    return max(0.0, STOP_ZIPF - zipf(word, language))


def title_and_body(article: Readable) -> tuple[list[str], list[str]]:
    """Tokens of the headline and of the body. The headline is the title's first line; a title's further lines
    (a lead pasted into it) and a long first line's surplus words count as body."""
    first, _, rest = article.title.strip().partition("\n")
    kicker, colon, headline = first.partition(": ")
    if not colon or len(_TOKEN.findall(kicker)) > KICKER_WORDS:
        kicker, headline = "", first
    title = _TOKEN.findall(headline)
    body = _TOKEN.findall(kicker) + _TOKEN.findall(rest) + _TOKEN.findall(article.text)
    return title[:TITLE_WORDS], title[TITLE_WORDS:] + body


@cache
def _term(token: str, language: str) -> tuple[str, str, bool]:
    """(key, word to look up, whether grouping ignores it) of one token."""
    if token[0].isdigit():
        return number_key(token), token, False
    word = (token if token.isupper() else lemma(token, language)).lower()  # acronyms stay: 'IS' is not 'be'
    folded = fold(word)
    return folded[:STEM], word, folded in IGNORED or fold(token) in IGNORED


@cache
def head(word: str, language: str) -> str | None:
    """The head of a compound ('außenminister' of 'bundesaußenminister'): its longest ending that is a word of the
    language in its own right, where the language writes compounds as one word; else None."""
    if language not in COMPOUNDING or len(word) < MIN_PART + MIN_HEAD:
        return None
    for start in range(MIN_PART, len(word) - MIN_HEAD + 1):
        part = word[start:]
        if _frequency(part, language) >= HEAD_FREQUENCY:
            return part
    return None


def _entries(token: str, language: str) -> tuple[tuple[str, float, str], ...]:
    """What one token counts as: (key, background information, form written) of its term and, for a compound,
    of its head; nothing for a token grouping ignores."""
    if len(token) < 2 and not token.isdigit():
        return ()
    key, word, ignore = _term(token, language)
    if ignore:
        return ()
    found = [(key, background_info(key, word, language), sys.intern(token))]
    part = head(word, language)
    if part is not None and fold(part)[:STEM] != key:
        found.append((fold(part)[:STEM], background_info(fold(part)[:STEM], part, language), sys.intern(part)))
    return tuple(found)


class _Vocabulary:
    """Per language (and extra ignore list): each token seen so far, numbered, and what it counts as (_entries) in
    arrays, so that an article's tokens are counted with a few array operations and not one by one. A token has
    two entry slots (2 * number and the one after: its term and a compound's head), each with its key (as a
    number into ``keys``, -1 where the slot is empty), background information and form written."""

    def __init__(self, language: str, extra: frozenset[str]) -> None:
        self.language, self.extra = language, extra
        self.numbers: dict[str, int] = {}  # token -> its number
        self.keys: list[str] = []  # key number -> key
        self._key_numbers: dict[str, int] = {}
        self.forms: list[str] = []  # per slot: the form written ('' where empty)
        self.slot_keys = np.full(1024, -1, dtype=np.int64)  # per slot (grown as needed)
        self.slot_info = np.zeros(1024)
        # Per token, for its shingles (_shingles): the number of its case-folded form, and the CRC-32 register
        # after the form from the initial register and after a space and the form from 0, with that length.
        self._folded: dict[str, int] = {}
        self.folded = np.zeros(512, dtype=np.int64)
        self.opening = np.zeros(512, dtype=np.uint32)
        self.following = np.zeros(512, dtype=np.uint32)
        self.lengths = np.zeros(512, dtype=np.int64)

    def numbered(self, tokens: list[str]) -> np.ndarray:
        """The tokens' numbers (new tokens numbered first)."""
        try:
            return np.fromiter(map(self.numbers.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        except KeyError:
            for token in tokens:
                if token not in self.numbers:
                    self._add(token)
            return np.fromiter(map(self.numbers.__getitem__, tokens), dtype=np.int64, count=len(tokens))

    @staticmethod
    def slots(numbers: np.ndarray) -> np.ndarray:
        """Both entry slots of each token (by number), in the tokens' order."""
        both = np.empty((len(numbers), 2), dtype=np.int64)
        both[:, 0] = both[:, 1] = numbers * 2
        both[:, 1] += 1
        return both.reshape(-1)

    def _add(self, token: str) -> None:
        entries = _entries(token, self.language)
        if self.extra and entries and fold(token) in self.extra:
            entries = ()
        folded = token.casefold()
        data = folded.encode("utf-8")  # (all that may fail comes before the token is numbered)
        number = self.numbers[token] = len(self.numbers)
        if 2 * number + 2 > len(self.slot_keys):
            grown = 2 * len(self.slot_keys)
            self.slot_keys = np.concatenate([self.slot_keys, np.full(grown - len(self.slot_keys), -1, np.int64)])
            self.slot_info = np.concatenate([self.slot_info, np.zeros(grown - len(self.slot_info))])
        if number >= len(self.folded):
            self.folded, self.opening, self.following, self.lengths = (
                np.concatenate([a, np.zeros_like(a)])
                for a in (self.folded, self.opening, self.following, self.lengths))
        self.folded[number] = self._folded.setdefault(folded, len(self._folded))
        self.opening[number] = zlib.crc32(data) ^ _ONES
        self.following[number] = zlib.crc32(b" " + data, _ONES) ^ _ONES
        self.lengths[number] = len(data) + 1
        for slot in range(2):
            if slot < len(entries):
                key, info, form = entries[slot]
                if key not in self._key_numbers:
                    self._key_numbers[key] = len(self.keys)
                    self.keys.append(key)
                self.slot_keys[2 * number + slot] = self._key_numbers[key]
                self.slot_info[2 * number + slot] = info
                self.forms.append(form)
            else:
                self.forms.append("")


# Per (language, extra ignore list): the tokens seen so far (_Vocabulary).
_VOCABULARIES: dict[tuple[str, frozenset[str]], _Vocabulary] = {}


class _Repeats(dict):
    """How much n occurrences in the body count (1 + log(n); 0 for none), made as the counts come up."""

    def __missing__(self, count: int) -> float:
        value = self[count] = 1.0 + math.log(count) if count else 0.0
        return value


_REPEATS = _Repeats()
_REPEAT_TABLE = np.zeros(0)  # _REPEATS as an array: index n, as far as counts have come up


def _repeats(counts: np.ndarray) -> np.ndarray:
    """_REPEATS of each count (the same floats: math.log, not numpy's)."""
    global _REPEAT_TABLE
    most = int(counts.max(initial=0))
    if most >= len(_REPEAT_TABLE):
        _REPEAT_TABLE = np.array([_REPEATS[n] for n in range(max(most + 1, 2 * len(_REPEAT_TABLE), 64))])
    return _REPEAT_TABLE[counts]


def drafts(articles: Sequence[Article], extra: frozenset[str], config: GroupingConfig,
           pool: Executor | None = None) -> list[Draft]:
    """The drafts of the articles, in their order; with a pool, made in its processes (LOT articles a time)
    with the dictionaries of their languages loaded before (so that forked workers share them). Workers that
    fork for this (a pool of build.workers starts its processes with its first task) find the articles in
    their memory: only numbers are sent to them; a lot that a worker cannot find is made here."""
    if pool is None or len(articles) < 2 * LOT:
        return [draft(a, extra, config) for a in articles]
    prepare(sorted({a.language.lower() for a in articles if a.language}))
    global _SHARED
    token = next(_TOKENS)
    _SHARED = (token, articles)
    try:
        starts = range(0, len(articles), LOT)
        lots = pool.map(_shared_drafts, ((token, start) for start in starts), repeat(extra), repeat(config))
        made: list[Draft] = []
        for start, lot in zip(starts, lots):
            made += lot.drafts() if lot is not None else [draft(a, extra, config)
                                                          for a in articles[start:start + LOT]]
        return made
    finally:
        _SHARED = None


# The articles that drafts() has a pool make drafts of, by a number of that call: a worker forked meanwhile has
# them (and the number); one forked before (or not forked) does not.
_SHARED: tuple[int, Sequence[Readable]] | None = None
_TOKENS = itertools.count()


def _shared_drafts(task: tuple[int, int], extra: frozenset[str], config: GroupingConfig) -> _Lot | None:
    token, start = task
    if _SHARED is None or _SHARED[0] != token:
        return None
    return _Lot.pack([draft(a, extra, config) for a in _SHARED[1][start:start + LOT]])


@dataclass(frozen=True, slots=True)
class _Lot:
    """Drafts made in another process, packed to be sent back: each string once and the arrays of all drafts
    together (unpacked with the strings of this process, not a copy of each per lot, and the arrays as views)."""

    strings: tuple[str, ...]
    words: np.ndarray  # per draft: its language, keys, surface forms and headline, as numbers into ``strings``
    sizes: np.ndarray  # per draft: how many keys and headline terms
    values: np.ndarray  # the drafts' values, one after the other
    info: np.ndarray
    signatures: np.ndarray  # one row per draft
    shingles: tuple[int, ...]

    @staticmethod
    def pack(made: list[Draft]) -> _Lot:
        number: dict[str, int] = {}
        words = [number.setdefault(w, len(number)) for d in made
                 for w in chain((d.language,), d.keys, d.surface, d.headline)]
        return _Lot(tuple(number), np.array(words, dtype=np.int32),
                    np.array([(len(d.keys), len(d.headline)) for d in made], dtype=np.int64).reshape(-1, 2),
                    np.concatenate([d.values for d in made]), np.concatenate([d.info for d in made]),
                    np.stack([d.signature for d in made]), tuple(d.shingles for d in made))

    def drafts(self) -> list[Draft]:
        strings = list(map(sys.intern, self.strings))
        words = list(map(strings.__getitem__, self.words.tolist()))
        found, at, start = [], 0, 0
        values, info, signatures = self.values, self.info, self.signatures
        for row, ((keys, headline), shingles) in enumerate(zip(self.sizes.tolist(), self.shingles)):
            middle, end, stop = at + 1 + keys, at + 1 + 2 * keys, start + keys
            found.append(Draft(words[at], tuple(words[at + 1:middle]), values[start:stop], info[start:stop],
                               tuple(words[middle:end]), signatures[row], shingles, tuple(words[end:end + headline])))
            at, start = end + headline, stop
        return found


def draft(article: Readable, extra: frozenset[str], config: GroupingConfig) -> Draft:
    """Read an article once: terms with their background weights, and the shingles of its text."""
    language = language_of(article)
    title, body = title_and_body(article)
    tokens = title + body
    vocabulary = _VOCABULARIES.get((language, extra))
    if vocabulary is None:
        vocabulary = _VOCABULARIES[(language, extra)] = _Vocabulary(language, extra)
    numbers = vocabulary.numbered(tokens)
    slots = vocabulary.slots(numbers)
    # Every entry of every token in the text's order (the headline first), as key numbers; per key its first
    # entry (where its information and the form written come from) and how often it occurs in headline and body.
    filled = np.flatnonzero(vocabulary.slot_keys[slots] >= 0)
    terms, first, which = np.unique(vocabulary.slot_keys[slots[filled]], return_index=True, return_inverse=True)
    split = int(np.searchsorted(filled, 2 * len(title)))
    in_title = np.bincount(which[:split], minlength=len(terms))
    in_body = np.bincount(which[split:], minlength=len(terms))
    firsts = slots[filled[first]]
    info = vocabulary.slot_info[firsts]
    # Each term's value: its information times how much where and how often it occurs counts (the headline
    # weighs more; repeats in the body count sublinearly). The strongest first, ties by key.
    values = info * (np.where(in_title > 0, config.title_weight, 0.0) + _repeats(in_body))
    informative = np.flatnonzero(info > 0)
    limit = int(DRAFT_TERMS * config.terms_per_article)
    if 0 < limit < len(informative):  # only those at least as strong as the limit-th can be among the top
        cut = np.partition(values[informative], len(informative) - limit)[len(informative) - limit]
        informative = informative[values[informative] >= cut]
    names = vocabulary.keys
    top = sorted(zip((-values[informative]).tolist(), [names[n] for n in terms[informative].tolist()],
                     informative.tolist()))[:limit]
    picked = np.array([x for _, _, x in top], dtype=np.int64)
    forms = vocabulary.forms
    headline = terms[(in_title > 0) & (info > 0)].tolist()
    hashes = _shingles(tokens, numbers, vocabulary)
    return Draft(language, tuple([k for _, k, _ in top]), np.array([-v for v, _, _ in top], dtype=np.float32),
                 info[picked].astype(np.float32), tuple([forms[s] for s in firsts[picked].tolist()]),
                 minhash(hashes), len(hashes), tuple(sorted([names[n] for n in headline])))


def shingles(tokens: list[str]) -> np.ndarray:
    """Hashes (sorted) of the text's distinct overlapping word n-grams (case-folded), the unit of near-copy
    detection: the CRC-32 of each n-gram's words joined by spaces, in UTF-8."""
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    size = min(SHINGLE_WORDS, len(tokens))
    # Tokens hold no spaces, and case folding maps character by character, never to a space: the folded text
    # splits at its spaces into the folded tokens, and an n-gram is the bytes from one word's start to the end
    # of the (n-1)-th word after it.
    data = " ".join(tokens).casefold().encode("utf-8")
    spaces = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 32)
    starts = [0, *(spaces + 1).tolist()][:len(tokens) - size + 1]
    ends = [*spaces.tolist(), len(data)][size - 1:]
    grams = set(map(data.__getitem__, map(slice, starts, ends)))
    hashes = np.fromiter(map(zlib.crc32, grams), dtype=np.uint64, count=len(grams))
    hashes.sort()
    return hashes


_ONES = 0xFFFFFFFF
# Tokens longer than this (in bytes) leave a text's shingles to ``shingles`` (the tables below grow with length).
_LONGEST_TOKEN = 256


def _zeros(length: int) -> np.ndarray:
    """What a run of n zero bytes does to a CRC-32 register (linear in the register): [byte k of it, n, byte]
    gives the share of each of its four bytes, for every n up to ``length`` (kept, grown as needed)."""
    global _ZEROS
    if length >= _ZEROS.shape[1]:
        lengths = range(max(length + 1, 2 * _ZEROS.shape[1]))
        bits = np.array([[zlib.crc32(bytes(n), (1 << i) ^ _ONES) ^ _ONES for i in range(32)] for n in lengths],
                        dtype=np.uint32).reshape(len(lengths), 4, 8)  # [n, byte k, bit]: the register 1 << 8k + bit
        chosen = (np.arange(256)[:, None] >> np.arange(8) & 1).astype(bool)  # [byte value, bit]
        tables = np.where(chosen[None, None], bits[:, :, None, :], np.uint32(0))
        _ZEROS = np.bitwise_xor.reduce(tables, axis=3).transpose(1, 0, 2).copy()
    return _ZEROS


_ZEROS = np.zeros((4, 0, 256), dtype=np.uint32)


def _shingles(tokens: list[str], numbers: np.ndarray, vocabulary: _Vocabulary) -> np.ndarray:
    """``shingles(tokens)`` from the CRC-32 of each token (by number in ``vocabulary``), all n-grams at once: CRC-32
    is linear, so an n-gram's is its first word's carried through each following ' word' (a table step per word
    length, _zeros) and joined with that one's own. n-grams are told apart by their words' case-folded forms;
    where two of another text have the same hash (or a token is very long), the text goes to ``shingles``."""
    if not len(numbers):
        return np.zeros(0, dtype=np.uint64)
    size = min(SHINGLE_WORDS, len(numbers))
    count = len(numbers) - size + 1
    lengths = vocabulary.lengths[numbers]
    longest = int(lengths.max())
    if longest > _LONGEST_TOKEN:
        return shingles(tokens)
    zeros = _zeros(longest)
    register = vocabulary.opening[numbers[:count]]
    for j in range(1, size):
        length = lengths[j:j + count]
        register = (zeros[0][length, register & 0xFF] ^ zeros[1][length, register >> 8 & 0xFF]
                    ^ zeros[2][length, register >> 16 & 0xFF] ^ zeros[3][length, register >> 24]
                    ^ vocabulary.following[numbers[j:j + count]])
    register ^= np.uint32(_ONES)
    order = np.argsort(register)
    hashes = register[order]
    repeated = np.flatnonzero(hashes[1:] == hashes[:-1])  # runs of one hash are together: each next to the last
    if len(repeated):
        folded = vocabulary.folded[numbers]
        one, other = order[repeated], order[repeated + 1]
        for j in range(size):
            if not np.array_equal(folded[one + j], folded[other + j]):
                return shingles(tokens)  # two n-grams with one hash: counted apart there
        hashes = np.delete(hashes, repeated + 1)
    return hashes.astype(np.uint64)


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20150918)
    a = rng.integers(1, 1 << 32, SIGNATURE_SIZE, dtype=np.uint64)
    b = rng.integers(0, 1 << 32, SIGNATURE_SIZE, dtype=np.uint64)
    return a, b


_PERM_A, _PERM_B = _permutations()
_HALF = np.uint64(32)
_PERM_B_OFFSET = _PERM_B + np.uint64(15 * 0xFFFFFFFF + 240)


def minhash(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature: per slot the least hash under one fixed random permutation (equal slots ~ Jaccard):
    (a * x + b) mod p, with the remainder taken by shifts and adds (p = 2**32 + 15, so 2**32 = -15 mod p): numpy
    divides 64-bit numbers twenty times slower than it adds them."""
    if not len(hashes):
        return np.full(SIGNATURE_SIZE, 0xFFFFFFFF, dtype=np.uint32)
    values = np.asarray(hashes, dtype=np.uint64)[:, None] * _PERM_A  # x < 2**32, so a * x fits in 64 bits
    # high * 2**32 + low = low - 15 * high (mod p), that is the value less high * p; 15 * (2**32 - 1) + 240 = 0
    # (mod p) keeps it from going below 0 (the sums on the way may wrap around 2**64: the result does not)
    high = values >> _HALF
    high *= _PRIME
    values += _PERM_B_OFFSET  # b + 15 * (2**32 - 1) + 240, per slot
    values -= high  # a * x + b (mod p), below 17 * 2**32 + 240
    np.right_shift(values, _HALF, out=high)
    high *= _PRIME
    values += _PRIME
    values -= high  # the same (mod p), from p - 255 to below 2 * p
    np.subtract(values, _PRIME, out=high)
    np.minimum(values, high, out=values)  # less p where that is not below 0 (below 0 wraps around above 2 * p)
    # Kept in 32 bits: the rare hash above 2**32 - 1 wraps around, which equal-slot counting does not notice.
    return values.min(axis=0).astype(np.uint32)


def octave(count: int) -> int:
    """The count's step on a scale of STEPS parts of an octave: with 1 (as now), 0 for 1, 1 for 2 and 3, 2 for 4
    to 7, ..."""
    return int(STEPS * math.log2(count) + 1e-9)


@lru_cache(maxsize=1 << 16)
def corpus_info(df: int, articles: int) -> float:
    """Information of a term from the corpus: unbounded until it is in more articles than one event would have.
    Counted in parts of an octave (STEPS), so that one more article rarely changes any weight (a rebuild can reuse
    them)."""
    spread = df - EVENT_SIZE
    return math.inf if spread <= 0 else (octave(articles) - octave(spread)) / STEPS * math.log10(2)


def finish(article: Article, d: Draft, df: dict[str, int], articles: int, config: GroupingConfig,
           caps: dict[str, float] | None = None) -> Features:
    """The article's features: background weights capped by the corpus, the top terms, unit length. ``caps``
    keeps each term's corpus information for the next article of the same corpus."""
    caps = {} if caps is None else caps
    known = caps.get
    limits = [known(key) for key in d.keys]
    if None in limits:  # (a draft's keys are distinct)
        for n, key in enumerate(d.keys):
            if limits[n] is None:
                limits[n] = caps[key] = corpus_info(df[key], articles)
    # min(info, cap) as a conditional (same value: min keeps the first of equals), the weight as before
    weights = [(-value * capped / info, key, form)
               for key, value, info, form, cap in zip(d.keys, d.values.tolist(), d.info.tolist(), d.surface, limits)
               if (capped := cap if cap < info else info) > 0]
    weights.sort()
    top = weights[:config.terms_per_article]
    strengths = [v for v, _, _ in top]
    norm = math.sqrt(sum([v * v for v in strengths])) or 1.0
    day = article.published.timestamp() / 86400 if article.published else None
    return Features(article.id, d.language, day, tuple([k for _, k, _ in top]),
                    np.array([-v / norm for v in strengths], dtype=np.float64), tuple([f for _, _, f in top]),
                    d.signature, d.shingles, d.headline)
