"""Page furniture out, article text in: the body of a RawArticle -> paragraphs, subheadings and removed lines.

A page dump (kind "scrape") is read the way an editor skims it: every line gets features (length, stop-word
share, sentence punctuation, a furniture pattern from generator/data/furniture.toml, repetition), the article is
the run of lines with the most running text, and it ends where reader comments, related links or the footer
begin. Inside it, captions, credits, widgets, teasers and repeated lines go. Bodies that were already
extracted (Markdown, records, HTML, feeds) only get the safe part: the patterns marked ``safe``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from generator.knowledge import Knowledge, Rule
from generator.model import Block, Removed

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"([.!?:;…\"“”»«'’)]|[:;]-?[()DP]|[\U0001F300-\U0001FAFF\u2600-\u27BF])\s*$")
_CUT_END = re.compile(r"(\.\.\.|…)\s*$")
_CUT_START = re.compile(r"^\s*(\.\.\.|…)")
_DATA_LINE = re.compile(r"^(\d[\d.,/–-]*\s*[^\W\d_].*|[^:]{2,40}:\s*\d.*)$")
_LIST_ITEM = re.compile(r"^([-–•*·]|\d{1,2}[.)])\s+\S")
_DATE_IN_LINE = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?(\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2}\b")
_COMMENT_HEAD = re.compile(r"^\S{2,40}( \S{1,30})?\s*(\||,|-|am)?\s*\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}"
                           r"(,?\s*(um\s*)?\d{1,2}:\d{2}( uhr)?)?$", re.I)

JOIN_MIN_WORDS = 5  # a line broken inside a sentence has at least this many words
JOIN_MIN_CHARS = 60
GOOD_CHARS = 80  # a line this long with enough function words is running text
GOOD_STOP_SHARE = 0.18
HEADING_MAX_WORDS = 16
FRAGMENT_WORDS = 4
DATA_MAX_CHARS = 100
MINOR_PENALTY = 25  # captions, credits and widgets: an article's opening may reach past them
MARKER_REST_CHARS = 25  # 'Mehr zum Thema auf example.de:' is still a marker; a sentence after it is not
FRAGMENT_STOP_SHARE = 0.25
CAPTION_MAX_CHARS = 200
TEASER_PREFIX = 60
HARD_STOPS = ("comments", "footer")  # related links may sit inside an article: they only weigh against it
MAX_BARRIER_REPEATS = 2  # a marker on every section ('Diskussionen') is a widget, not the article's end
ABOVE_HEADLINE_FACTOR = 0.5  # text above the headline is seldom the article
BELOW_END_FACTOR = 0.15  # nor is text below the footer or in the comments


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


@dataclass(frozen=True, slots=True)
class Cleaned:
    blocks: tuple[Block, ...]
    removed: tuple[Removed, ...]
    lines: tuple[Line, ...]  # every line of the body, for the metadata readers
    start: int  # index in ``lines`` of the article's first line
    end: int  # index after its last line


def fold(text: str) -> str:
    """Lower case, letters and digits only, single spaces: for comparing lines."""
    return " ".join(re.findall(r"\w+", text.replace("\xad", "").lower()))


_MATCHES: dict[tuple[int, bool, str], Rule | None] = {}
_MAX_CACHED = 200_000


def match_rule(text: str, rules: tuple[Rule, ...], safe_only: bool = False) -> Rule | None:
    """The first furniture rule that matches ``text``; rules that end the article win over others. Menus and
    footers repeat from page to page, so answers are kept."""
    key = (id(rules), safe_only, text)
    if key not in _MATCHES:
        if len(_MATCHES) > _MAX_CACHED:
            _MATCHES.clear()
        _MATCHES[key] = _match_rule(text, rules, safe_only)
    return _MATCHES[key]


def _match_rule(text: str, rules: tuple[Rule, ...], safe_only: bool) -> Rule | None:
    found = None
    for rule in rules:
        if (safe_only and not rule.safe) or len(text) > rule.max_chars:
            continue
        if rule.pattern.search(text):
            if rule.stop and not _stop_covers(rule, text):
                continue
            if rule.stop or found is None:
                found = rule
                if rule.stop:
                    break
    return found


def _stop_covers(rule: Rule, text: str) -> bool:
    """A marker that ends the article stands on a line of its own ("Mehr zum Thema"), not in a sentence."""
    match = rule.pattern.search(text)
    if match is None or rule.stop != "related":
        return match is not None
    rest = text[match.end():].strip(" :.»›>-–")
    return len(rest) <= MARKER_REST_CHARS and not rest.endswith((".", "!", "?"))


def make_line(text: str, know: Knowledge, safe_only: bool) -> Line:
    words = _WORD.findall(text.lower())
    stops = sum(map(know.all_stopwords.__contains__, words))
    return Line(text=text, words=len(words), stop_share=stops / len(words) if words else 0.0,
                sentence=bool(_SENTENCE_END.search(text)), rule=match_rule(text, know.rules, safe_only),
                key=fold(text))


def split_lines(body: str) -> list[tuple[str, bool]]:
    """(line, blank line before it) for every non-empty line, white space folded."""
    out: list[tuple[str, bool]] = []
    blank = True
    for raw in body.split("\n"):
        text = " ".join(raw.split())
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
    if _SENTENCE_END.search(previous) or not (previous[-1].isalpha() or previous[-1] in ",-–"):
        return False
    if previous.count(" ") < JOIN_MIN_WORDS - 1 or not text[0].isalnum() or match_rule(text, rules) is not None:
        return False
    if text[0].islower():
        return True
    return len(previous) >= JOIN_MIN_CHARS and (len(text) >= JOIN_MIN_CHARS or bool(_SENTENCE_END.search(text)))


def _weight(line: Line, seen: int) -> float:
    """How much a line speaks for being inside the article."""
    if line.stop:
        return -400.0
    if line.rule is not None:
        return -line.rule.penalty
    if line.good:
        return float(min(len(line.text), 600))
    if line.sentence and line.words >= 6 and line.stop_share >= GOOD_STOP_SHARE:
        return len(line.text) / 3
    if seen > 1:
        return -20.0
    return -2.0 if is_fragment(line) else -8.0


def best_run(weights: list[float]) -> tuple[int, int, float]:
    """The run of lines with the highest total weight (Kadane): start, end (exclusive) and the total."""
    best, best_span = float("-inf"), (0, 0)
    total, start = 0.0, 0
    for i, w in enumerate(weights):
        if total <= 0:
            total, start = 0.0, i
        total += w
        if total > best:
            best, best_span = total, (start, i + 1)
    return (*best_span, best) if best > 0 else (0, 0, 0.0)


def barriers(lines: list[Line], after: int = 0) -> list[int]:
    """Lines where an article cannot go on: markers of comments, related links and footers, and the headers of
    reader comments ('user  16.09.2015') where a page has several. Only those after line ``after`` count: a
    comment counter beside the headline ends nothing."""
    heads = [i for i, line in enumerate(lines) if _COMMENT_HEAD.match(line.text)]
    seen = counts(lines)
    stops = [i for i, line in enumerate(lines)
             if line.stop in HARD_STOPS and seen[line.key] <= MAX_BARRIER_REPEATS]
    return sorted(i for i in set(stops + (heads if len(heads) > 1 else [])) if i > after)


def counts(lines: list[Line]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for line in lines:
        seen[line.key] = seen.get(line.key, 0) + 1
    return seen


def article_span(lines: list[Line], anchor: int = 0) -> tuple[int, int]:
    """Where the article is among the lines of a page dump: the best run of running text that crosses no
    barrier. A run above the headline (``anchor``) or below the first barrier after the article's first
    paragraph counts for less: that is where menus, author boxes, related links and comments are."""
    seen = counts(lines)
    weights = [_weight(line, seen[line.key]) for line in lines]
    first_good = next((i for i in range(anchor, len(lines)) if lines[i].good), anchor)
    edges = [-1, *barriers(lines, first_good), len(lines)]
    best: tuple[float, int, int] = (0.0, 0, 0)
    for low, high in zip(edges, edges[1:]):
        start, end, score = best_run(weights[low + 1:high])
        start, end = low + 1 + start, low + 1 + end
        factor = BELOW_END_FACTOR if low > first_good else ABOVE_HEADLINE_FACTOR if end <= anchor else 1.0
        if score * factor > best[0]:
            best = (score * factor, start, end)
    return best[1], best[2]


def reach_down(lines: list[Line], end: int) -> int:
    """The article's last lines: sentences and fragments right below the best run of text, up to the first
    line that is anything else."""
    seen = counts(lines)
    while end < len(lines):
        line = lines[end]
        if line.rule is not None or seen[line.key] > 1 or not (_is_paragraph(line) or is_fragment(line)):
            break
        end += 1
    return end


def reach_up(lines: list[Line], headline: int, start: int) -> int:
    """The article's opening, up to its headline: lead lines above the best run of text, past captions and
    credits, but never past a menu line (one the page repeats), a marker or a box."""
    seen = counts(lines)
    earliest = start
    for i in range(start - 1, headline, -1):
        line = lines[i]
        if line.stop or seen[line.key] > 1 or (line.rule is not None and line.rule.penalty > MINOR_PENALTY):
            break
        if line.rule is None and (_is_paragraph(line) or is_fragment(line)):
            earliest = i
    return earliest


def _later_prefixes(lines: list[Line], start: int, end: int) -> dict[str, int]:
    """The last line index at which each long line's opening words occur, to spot teasers."""
    found: dict[str, int] = {}
    for i in range(start, end):
        key = lines[i].key
        if len(key) >= TEASER_PREFIX:
            found[key[:TEASER_PREFIX]] = i
    return found


def _is_credit(line: Line | None) -> bool:
    return line is not None and line.rule is not None and line.rule.reason == "image caption or credit"


def _furniture_reason(lines: list[Line], i: int, end: int, prefixes: dict[str, int] | None) -> str | None:
    """Why the line at ``i`` inside the article is furniture after all, or None."""
    line = lines[i]
    if line.rule is not None:
        return line.rule.reason
    following = lines[i + 1] if i + 1 < end else None
    if _is_credit(following) and len(line.text) <= CAPTION_MAX_CHARS and not (line.good and line.sentence):
        return "image caption"  # a full sentence of running text above a credit is the article's, not a caption
    if prefixes is None:  # an extracted body: what follows is a page dump's furniture
        return None
    if (_CUT_END.search(line.text) or _CUT_START.search(line.text)) and len(line.text) <= CAPTION_MAX_CHARS:
        return "teaser cut off"
    if _is_teaser(line, lines, prefixes.get(line.key[:TEASER_PREFIX], i), i):
        return "teaser repeating the body"
    return None


def _is_teaser(line: Line, lines: list[Line], later: int, i: int) -> bool:
    """A teaser opens like a later paragraph and is cut off, or is the opening of it."""
    if later <= i or len(line.key) < TEASER_PREFIX:
        return False
    return not line.sentence or lines[later].key.startswith(line.key)


def _is_paragraph(line: Line) -> bool:
    """Running text: a long line, a list item, a sentence, or a fragment of one (a verse, a list line) that
    has the function words that menus lack."""
    if line.good or _LIST_ITEM.match(line.text):
        return True
    return line.sentence and line.words >= 3 and not line.text.endswith(":")


def is_fragment(line: Line) -> bool:
    """Part of a sentence on a line of its own (a verse, a list line): it has the function words menus lack."""
    return line.words >= FRAGMENT_WORDS and line.stop_share >= FRAGMENT_STOP_SHARE


def _goes_on(following: Line | None) -> bool:
    """Whether running text follows: a fragment is only kept where the text goes on after it."""
    return following is not None and (_is_paragraph(following) or is_fragment(following))


def _is_heading(line: Line, following: Line | None) -> bool:
    if line.words == 0 or line.words > HEADING_MAX_WORDS or line.text[-1] in ".,;":
        return False
    return following is not None and (following.good or _is_paragraph(following))


def _next_kept(lines: list[Line], i: int, end: int, dropped: set[int]) -> Line | None:
    for j in range(i + 1, end):
        if j not in dropped:
            return lines[j]
    return None


def read_span(lines: list[Line], start: int, end: int, drop_short: bool,
              skip: frozenset[str] = frozenset()) -> tuple[list[Block], list[Removed]]:
    """Blocks and removed lines of the article between ``start`` and ``end``. Lines whose key is in ``skip``
    (the title, the date line) and repeats of earlier lines go too."""
    prefixes = _later_prefixes(lines, start, end) if drop_short else None  # teasers are a page dump's
    reasons: dict[int, str] = {}
    seen: set[str] = set()
    in_links = False  # below a related-links marker, until running text resumes
    for i in range(start, end):
        key = lines[i].key
        reason = _furniture_reason(lines, i, end, prefixes)
        in_links = (in_links and not lines[i].good) or lines[i].stop == "related"
        if reason is None and in_links:
            reason = "related links"
        elif reason is None and key in skip:
            reason = "title or dateline repeated"
        elif reason is None and key in seen and len(key) >= 12:
            reason = "repeated line"
        seen.add(key)
        if reason:
            reasons[i] = reason
    return _blocks(lines, start, end, reasons, drop_short)


def _blocks(lines: list[Line], start: int, end: int, reasons: dict[int, str],
            drop_short: bool) -> tuple[list[Block], list[Removed]]:
    blocks: list[Block] = []
    removed: list[Removed] = []
    dropped = set(reasons)
    for i in range(start, end):
        line = lines[i]
        following = _next_kept(lines, i, end, dropped)
        if i in reasons:
            removed.append(Removed(line.text, reasons[i]))
        elif _is_paragraph(line) or (is_fragment(line) and _goes_on(following)):
            blocks.append(Block(line.text))
        elif _is_heading(line, following):
            blocks.append(Block(line.text, heading=True))
        elif not drop_short or _between_paragraphs(lines, i, start, dropped, following) or \
                _in_data_list(lines, i, start, end):
            blocks.append(Block(line.text))
        else:
            removed.append(Removed(line.text, "short line (menu or interface)"))
    while blocks and blocks[-1].heading:  # a heading with nothing under it is a label, not a subheading
        removed.append(Removed(blocks.pop().text, "heading without text"))
    return blocks, removed


def _is_data(line: Line) -> bool:
    return line.rule is None and len(line.text) <= DATA_MAX_CHARS and bool(_DATA_LINE.match(line.text))


def _in_data_list(lines: list[Line], i: int, start: int, end: int) -> bool:
    """A line of a list of quantities or figures ('300 Gramm Butter', 'Laufzeit: 36 Monate'): a recipe's or a
    comparison's data, which menus do not have."""
    if not _is_data(lines[i]):
        return False
    return (i > start and _is_data(lines[i - 1])) or (i + 1 < end and _is_data(lines[i + 1]))


def _between_paragraphs(lines: list[Line], i: int, start: int, dropped: set[int], following: Line | None) -> bool:
    """A short line with running text right above and below it is part of the text (a price, a formula)."""
    above = lines[i - 1] if i > start and i - 1 not in dropped else None
    return above is not None and _is_paragraph(above) and following is not None and _is_paragraph(following)


def outside(lines: list[Line], start: int, end: int) -> list[Removed]:
    """Every line before and after the article, with why it is not part of it."""
    removed = [Removed(line.text, line.rule.reason if line.rule else "page header or navigation")
               for line in lines[:start]]
    after = lines[end] if end < len(lines) else None
    tail = after.rule.reason if after is not None and after.rule is not None else "reader comments" \
        if after is not None and _COMMENT_HEAD.match(after.text) else "page footer or navigation"
    removed += [Removed(line.text, tail) for line in lines[end:]]
    return removed


def body_lines(body: str, kind: str, know: Knowledge) -> list[Line]:
    """The lines of a body with their features; for Markdown, one line per paragraph."""
    safe_only = kind != "scrape"
    if kind == "markdown":
        texts = markdown_paragraphs(body)
    else:
        texts = join_broken(split_lines(body), know.rules)
    return [make_line(text, know, safe_only) for text in texts]


def markdown_paragraphs(body: str) -> list[str]:
    """Paragraphs of Markdown source: blank-line separated, a '#' heading always its own paragraph."""
    out: list[str] = []
    current: list[str] = []
    for raw in body.split("\n"):
        text = " ".join(raw.split())
        if not text or text.startswith("#"):
            if current:
                out.append(" ".join(current))
                current = []
            if text:
                out.append(text.lstrip("#").strip() or text)
            continue
        current.append(text)
    if current:
        out.append(" ".join(current))
    return out
