"""Page furniture out, article text in: the lines of a body -> paragraphs, subheadings and removed lines.

A page dump (kind "scrape") is read the way an editor skims it: every line has features (generator/lines.py:
length, stop-word share, sentence punctuation, a furniture pattern, repetition); the article is the run of
lines with the most running text below its headline, and it ends where reader comments or the footer begin.
Inside it, captions, credits, widgets, teasers and repeated lines go. Bodies that were already extracted
(Markdown, records, HTML, feeds) only get the safe part: the patterns marked ``safe``.
"""
from __future__ import annotations

import re

from generator.lines import GOOD_STOP_SHARE, Line, counts, is_fragment
from generator.model import Block, Removed

_CUT_END = re.compile(r"(\.\.\.|…)\s*$")
_CUT_START = re.compile(r"^\s*(\.\.\.|…)")
_DATA_LINE = re.compile(r"^(\d[\d.,/–-]*\s*[^\W\d_].*|[^:]{2,40}:\s*\d.*)$")
_LIST_ITEM = re.compile(r"^([-–•*·]|\d{1,2}[.)])\s+\S")
_COMMENT_HEAD = re.compile(r"^\S{2,40}( \S{1,30})?\s*(\||,|-|am)?\s*\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}"
                           r"(,?\s*(um\s*)?\d{1,2}:\d{2}( uhr)?)?$", re.I)

HEADING_MAX_WORDS = 16
DATA_MAX_CHARS = 100
MINOR_PENALTY = 25  # captions, credits and widgets: an article's opening may reach past them
CAPTION_MAX_CHARS = 200
TEASER_PREFIX = 60
HARD_STOPS = ("comments", "footer")  # related links may sit inside an article: they only weigh against it
MAX_BARRIER_REPEATS = 2  # a marker on every section ('Diskussionen') is a widget, not the article's end
ABOVE_HEADLINE_FACTOR = 0.5  # text above the headline is seldom the article
BELOW_END_FACTOR = 0.15  # nor is text below the footer or in the comments


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
    """Lines where an article cannot go on: markers of reader comments and footers, and the headers of reader
    comments ('user  16.09.2015') where a page has several (related links only weigh against the text).
    Only those after line ``after`` count: a comment counter beside the headline ends nothing."""
    heads = [i for i, line in enumerate(lines) if _COMMENT_HEAD.match(line.text)]
    seen = counts(lines)
    stops = [i for i, line in enumerate(lines)
             if line.stop in HARD_STOPS and seen[line.key] <= MAX_BARRIER_REPEATS]
    return sorted(i for i in set(stops + (heads if len(heads) > 1 else [])) if i > after)


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


