"""The lines of an article body and the features that tell running text from page furniture: length, share
of function words (generator/data/stopwords.toml), sentence punctuation, the furniture pattern a line matches
(generator/data/furniture.toml) and a folded key for comparing lines. Lines broken inside a sentence are
joined again first.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from generator.knowledge import Knowledge, Rule, derived

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"([.!?:;…\"“”»«'’)]|[:;]-?[()DP]|[\U0001F300-\U0001FAFF\u2600-\u27BF])\s*$")
_SENTENCE_END_CHARS = 3  # the longest ending it knows (":-)")
_FOLD_WORD = re.compile(r"\w+")
_BEYOND_LATIN_1 = re.compile(r"[^\x00-\xff]")
# The same two for text of Latin-1 characters only (most lines of Western European text): their classes spelled
# out as the Latin-1 characters they hold, which the regex engine looks up in a table instead of asking the
# Unicode database for every character.
_LATIN_1 = "".join(map(chr, range(256)))
_LATIN_1_LETTERS = re.escape("".join(re.findall(r"[^\W\d_]", _LATIN_1)))
_WORD_LATIN_1 = re.compile(rf"[{_LATIN_1_LETTERS}]+(?:[-'’][{_LATIN_1_LETTERS}]+)*")
_FOLD_WORD_LATIN_1 = re.compile("[" + re.escape("".join(re.findall(r"\w", _LATIN_1))) + "]+")
# ``fold`` of lowered Latin-1 text as bytes: every character that is not a word character becomes a space, and the
# words between spaces are joined (splitting bytes at spaces is much faster than finding words with a pattern).
_FOLD_TABLE_LATIN_1 = bytes(c if _FOLD_WORD_LATIN_1.fullmatch(chr(c)) else 0x20 for c in range(256))
# The same for counting the words of lowered Latin-1 text (_WORD_LATIN_1's): letters and the marks that join
# them ("-", "'") kept, every other character a space; a piece between spaces without a mark is one word, and
# the words of the few with one are found by _WORD_BYTES_LATIN_1 (the pattern as bytes).
_WORD_TABLE_LATIN_1 = bytes(c if re.fullmatch(rf"[{_LATIN_1_LETTERS}\-']", chr(c)) else 0x20 for c in range(256))
_WORD_BYTES_LATIN_1 = re.compile(_WORD_LATIN_1.pattern.replace("’", "").encode("latin-1"))
_JOINERS_LATIN_1 = (b"-", b"'")
# Characters beyond Latin-1 that running text is full of (German quotes, dashes, the euro): neither word characters
# nor marks that join words, so that words and folded keys come out the same with a space in their place. A line
# whose only characters beyond Latin-1 are these is read the Latin-1 ways.
_COMMON_BEYOND_LATIN_1 = "„“”‚‘–—…€•⁄′″"

_MD_LIST_ITEM = re.compile(r"^([-*+]|\d{1,3}[.)])\s+\S")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|__|\*)(\S(?:.*?\S)?)\1(?![\w*])")

JOIN_MIN_WORDS = 5  # a line broken inside a sentence has at least this many words
JOIN_MIN_CHARS = 60
GOOD_CHARS = 80  # a line this long with enough function words is running text
GOOD_STOP_SHARE = 0.18
FRAGMENT_WORDS = 4
FRAGMENT_STOP_SHARE = 0.25
MARKER_REST_CHARS = 25  # 'Mehr zum Thema auf example.de:' is still a marker; a sentence after it is not


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the body with the features that tell article text from furniture."""

    text: str
    words: int
    stop_share: float
    sentence: bool  # ends like a sentence
    rule: Rule | None  # the furniture pattern it matches
    key: str  # folded for comparisons

    @property
    def good(self) -> bool:
        return self.rule is None and len(self.text) >= GOOD_CHARS and self.stop_share >= GOOD_STOP_SHARE

    @property
    def stop(self) -> str | None:
        return self.rule.stop if self.rule is not None else None


def fold(text: str) -> str:
    """Lower case, letters and digits only, single spaces: for comparing lines."""
    lowered = text.replace("\xad", "").lower()
    latin_1 = _latin_1(lowered)
    return _fold_latin_1(latin_1) if latin_1 is not None else " ".join(_FOLD_WORD.findall(lowered))


def _fold_latin_1(lowered: str) -> str:
    """``fold`` of lowered Latin-1 text."""
    return b" ".join(lowered.encode("latin-1").translate(_FOLD_TABLE_LATIN_1).split()).decode("latin-1")


def _latin_1(lowered: str) -> str | None:
    """``lowered`` as Latin-1 text where it is so but for _COMMON_BEYOND_LATIN_1 (those made spaces), else None."""
    if not _BEYOND_LATIN_1.search(lowered):
        return lowered
    for char in _COMMON_BEYOND_LATIN_1:
        if char in lowered:
            lowered = lowered.replace(char, " ")
    return None if _BEYOND_LATIN_1.search(lowered) else lowered


def single_spaced(raw: str) -> str:
    """``raw`` with its white space folded to single spaces and none at its ends (``" ".join(raw.split())``),
    without taking apart the common line that is so already: printable text has no white space but ' '."""
    if raw.isprintable() and "  " not in raw and raw[:1] != " " and raw[-1:] != " ":
        return raw
    return " ".join(raw.split())


def ends_sentence(text: str) -> bool:
    """Whether the text ends like a sentence (only its last characters are looked at)."""
    return bool(_SENTENCE_END.search(text.rstrip()[-_SENTENCE_END_CHARS:]))


_MATCHES: dict[tuple[int, bool, str], Rule | None] = {}
_MAX_CACHED = 200_000


def match_rule(text: str, rules: tuple[Rule, ...], safe_only: bool = False) -> Rule | None:
    """The first furniture rule that matches ``text``; rules that end the article win over others. Menus and
    footers repeat from page to page, so answers are kept."""
    applicable = _applicable(rules, safe_only, len(text))
    if not applicable:  # a paragraph longer than any rule checks
        return None
    key = (id(rules), safe_only, text)
    if key not in _MATCHES:
        if len(_MATCHES) > _MAX_CACHED:
            _MATCHES.clear()
        _MATCHES[key] = _match_rule(text, applicable)
    return _MATCHES[key]


_APPLICABLE: dict[tuple[int, bool], tuple[tuple[Rule, ...], list[int], list[tuple[Rule, ...]]]] = {}


def _applicable(rules: tuple[Rule, ...], safe_only: bool, length: int) -> tuple[Rule, ...]:
    """The rules, in order, that check a line of ``length`` characters (only the safe ones where ``safe_only``):
    for each limit that a rule sets, the rules whose limit is at least that, worked out once per rules."""
    known = _APPLICABLE.get((id(rules), safe_only))
    if known is None or known[0] is not rules:
        usable = [r for r in rules if r.safe or not safe_only]
        limits = sorted({r.max_chars for r in usable})
        known = (rules, limits, [tuple(r for r in usable if r.max_chars >= limit) for limit in limits])
        _APPLICABLE[(id(rules), safe_only)] = known
    _, limits, by_limit = known
    at = bisect_left(limits, length)
    return by_limit[at] if at < len(limits) else ()


def _match_rule(text: str, rules: tuple[Rule, ...]) -> Rule | None:
    found = None
    lowered = text.lower() if text.isascii() or not _BEYOND_LATIN_1.search(text) else None  # see Rule.lower_case
    for rule in rules:
        match = rule.lower_case.search(lowered) if rule.lower_case and lowered is not None else rule.pattern.search(text)
        if match:
            if rule.stop and not _stop_covers(rule, text, match):
                continue
            if rule.stop or found is None:
                found = rule
                if rule.stop:
                    break
    return found


def _stop_covers(rule: Rule, text: str, match: re.Match[str]) -> bool:
    """A marker that ends the article stands on a line of its own ("Mehr zum Thema"), not in a sentence."""
    if rule.stop != "related":
        return True
    rest = text[match.end():].strip(" :.»›>-–")
    return len(rest) <= MARKER_REST_CHARS and not rest.endswith((".", "!", "?"))


def make_line(text: str, know: Knowledge, safe_only: bool) -> Line:
    lowered = text.lower()
    latin_1 = _latin_1(lowered)
    if latin_1 is not None:
        words, stops = _word_counts_latin_1(latin_1, derived(know, _stopwords_latin_1))
    else:
        found = _WORD.findall(lowered)
        words, stops = len(found), sum(map(know.all_stopwords.__contains__, found))
    if "\xad" in text:
        key = fold(text)
    else:  # fold(text), lowered once
        key = _fold_latin_1(latin_1) if latin_1 is not None else " ".join(_FOLD_WORD.findall(lowered))
    return Line(text=text, words=words, stop_share=stops / words if words else 0.0,
                sentence=ends_sentence(text), rule=match_rule(text, know.rules, safe_only), key=key)


def _stopwords_latin_1(know: Knowledge) -> frozenset[bytes]:
    """The function words that Latin-1 text can hold, as its bytes."""
    return frozenset(w.encode("latin-1") for w in know.all_stopwords if not _BEYOND_LATIN_1.search(w))


def _word_counts_latin_1(lowered: str, stopwords: frozenset[bytes]) -> tuple[int, int]:
    """(words, function words among them) of lowered Latin-1 text: what _WORD_LATIN_1.findall finds, counted
    without making a string of every word found (which is most of that pattern's cost)."""
    spaced = lowered.encode("latin-1").translate(_WORD_TABLE_LATIN_1)
    pieces = spaced.split()
    words, stops = len(pieces), sum(map(stopwords.__contains__, pieces))
    if b"-" not in spaced and b"'" not in spaced:
        return words, stops
    joined: dict[int, int] = {}  # start -> end of each piece with a mark in it
    for mark in _JOINERS_LATIN_1:
        at = spaced.find(mark)
        while at >= 0:
            start, end = spaced.rfind(b" ", 0, at) + 1, spaced.find(b" ", at)
            end = len(spaced) if end < 0 else end
            joined[start] = end
            at = spaced.find(mark, end)
    for start, end in joined.items():  # counted as one word above (and as a function word where it is one)
        found = _WORD_BYTES_LATIN_1.findall(spaced, start, end)
        words += len(found) - 1
        stops += sum(map(stopwords.__contains__, found)) - (spaced[start:end] in stopwords)
    return words, stops


def split_lines(body: str) -> list[tuple[str, bool]]:
    """(line, blank line before it) for every non-empty line, white space folded."""
    out: list[tuple[str, bool]] = []
    blank = True
    for raw in body.split("\n"):
        text = single_spaced(raw)
        if not text:
            blank = True
            continue
        out.append((text, blank))
        blank = False
    return out


def join_broken(lines: list[tuple[str, bool]], rules: tuple[Rule, ...]) -> list[str]:
    """Lines broken inside a sentence joined again: a long line that stops without punctuation, directly
    followed by a line that goes on with a word and ends the sentence."""
    out: list[str] = []
    for text, blank_before in lines:
        if out and not blank_before and _continues(out[-1], text, rules):
            out[-1] = out[-1] + " " + text
        else:
            out.append(text)
    return out


def _continues(previous: str, text: str, rules: tuple[Rule, ...]) -> bool:
    """Whether ``text`` goes on with the sentence that ``previous`` left open: the previous line stops without
    punctuation after a word, and this one starts with a lower-case word, or both are long enough for prose."""
    if ends_sentence(previous) or not (previous[-1].isalpha() or previous[-1] in ",-–"):
        return False
    if previous.count(" ") < JOIN_MIN_WORDS - 1 or not text[0].isalnum() or match_rule(text, rules) is not None:
        return False
    if text[0].islower():
        return True
    return len(previous) >= JOIN_MIN_CHARS and (len(text) >= JOIN_MIN_CHARS or ends_sentence(text))


def counts(lines: list[Line]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for line in lines:
        seen[line.key] = seen.get(line.key, 0) + 1
    return seen


def is_fragment(line: Line) -> bool:
    """Part of a sentence on a line of its own (a verse, a list line): it has the function words menus lack."""
    return line.words >= FRAGMENT_WORDS and line.stop_share >= FRAGMENT_STOP_SHARE


def body_lines(body: str, kind: str, know: Knowledge) -> list[Line]:
    """The lines of a body with their features; for Markdown, one line per paragraph."""
    safe_only = kind != "scrape"
    if kind == "markdown":
        texts = markdown_paragraphs(body)
    else:
        texts = join_broken(split_lines(body), know.rules)
    return [make_line(text, know, safe_only) for text in texts]


def markdown_paragraphs(body: str) -> list[str]:
    """Paragraphs of Markdown source as plain text: blank-line separated; a '#' heading and each list item
    a paragraph of its own; links, images, emphasis and code marks reduced to their text."""
    out: list[str] = []
    current: list[str] = []
    for raw in body.split("\n"):
        text = single_spaced(raw)
        starts_block = not text or text[0] == "#" or bool(_MD_LIST_ITEM.match(text))
        if starts_block and current:
            out.append(_spaced_markdown_text(" ".join(current)))
            current = []
        if text[:1] == "#":
            out.append(_spaced_markdown_text(text.lstrip("#").strip()) or text)
        elif text:
            current.append(text)
    if current:
        out.append(_spaced_markdown_text(" ".join(current)))
    return [p for p in out if p]


def _spaced_markdown_text(text: str) -> str:
    """``markdown_text`` of single-spaced text, which comes out as it went in where it has no inline marks."""
    if "[" in text or "*" in text or "_" in text or "`" in text:
        return markdown_text(text)
    return text


def markdown_text(text: str) -> str:
    """Inline Markdown reduced to what a reader sees: '[text](url)' -> 'text', '**bold**' -> 'bold'."""
    if "![" in text:
        text = _MD_IMAGE.sub("", text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "*" in text or "__" in text:
        text = _MD_EMPHASIS.sub(r"\2", text)
    return " ".join(text.replace("`", "").split())
