"""The page's own publication date among the dates of a page dump: a scored choice, the way an editor finds it.

Every full date the page states is a candidate (generator/dates.py finds them). Evidence for a candidate: a
label before it ("Stand:", "Veröffentlicht am"), a line of its own or a byline, a place just below the headline
or at the head of the article's first paragraph ("Wien, 14. Dezember 2021 – ..."), a time of day. Evidence
against: running text, a list of datelines (comments, related posts, archives), a range, a label of another
date ("aktualisiert"), a place far above the headline (the site's clock) or below the article. Some dates are
never the article's: a member's or the clock's ("Mitglied seit", "Aktuelles Datum"), a reader's comment ("Karl
sagt:" above it). The best candidate wins where its evidence is sure, or where it is fair and no date of another
day comes close; below the article's end, where comments and related posts are, only a dateline or a labelled
date is a candidate, and none rivals a candidate above it. A day two fair candidates state counts a point
more. Where no candidate wins, the page's last change is its date where it states one day as that ("Diese Seite
wurde zuletzt am ... geändert"). Unknown is better than wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from generator.dates import Found
from generator.knowledge import Knowledge
from generator.lines import Line, is_fragment

SURE = 3  # a candidate with this much evidence is the page's date whatever else the page holds
FAIR = 1  # a candidate with this much is, where no candidate of another day comes within MARGIN of it
MARGIN = 2
_FRAGMENT_CHARS = 45  # a line of running text this long is no dateline, even with a date in it
_LABEL_REACH = 30  # characters before a date in which a label ("Stand:") counts
_ALONE_SLACK = 45  # characters besides the date on a line that is a dateline
_AFTER_END_LINES = 12
_HEAD_LINES = 2  # lines at the article's start where a date is its dateline
_HEAD_PARAGRAPHS = 2
_ABOVE_TITLE = 3  # lines above the headline where a dateline is the headline's
_FAR_ABOVE_TITLE = 8
_LIST_REACH = 6
_LIST_PENALTY = 3
_CLOCK_PENALTY = 3  # a weekday-led date far above the headline: the site's clock, all but never the article's
_UPDATE = -1  # what a label of a later change ("aktualisiert") says of the date after it
_IN_TEXT, _DATELINE = 1, 2  # what a dated line is, for finding lists
_PARAGRAPH_HEAD = 30  # a dateline opening a paragraph stands within these characters of its start
_RANGE_AFTER = re.compile(r"^\s*(?:-|–|bis)\s*\d")
_RANGE_BEFORE = re.compile(r"(?:-|–|bis)\s*$")
_EDGE_LINE_CHARS = 80  # a line this short that opens or ends with its date is a dateline ("1. Januar 2016 von Anna")
_BYLINE = re.compile(r"\b(von|by|autor|autorin)\b", re.I)
_PLACE = re.compile(r"^(?:[A-ZÄÖÜ][\w./-]*(?:[\s/-][A-ZÄÖÜ(][\w./()-]*){0,3},?\s*)?$")
_FIELD_SEPARATOR = re.compile(r"\s[|·•]\s")
_FIELD_CHARS = 40
_FIELD_AFTER = re.compile(r"^\s+[|·•]\s")
_FIELD_BEFORE = re.compile(r"\s[|·•]\s+$")
_AFTER_DATELINE = re.compile(r"^\s*(?:[-–—.:|(]|[A-ZÄÖÜ])")


@dataclass(frozen=True, slots=True)
class Layout:
    """Where things are in a page dump, by line index: the headline, the article's first line, the last line
    of its head (where its dateline stands) and the line after its end."""

    title: int
    start: int
    head: int
    end: int


def layout(lines: list[Line], title: int, start: int, end: int) -> Layout:
    """The layout of a page whose article runs from ``start`` to ``end``: its head reaches to the second
    paragraph of running text (past a lead, captions and a byline) and at least _HEAD_LINES past its start."""
    running = [i for i in range(start, end) if lines[i].good][:_HEAD_PARAGRAPHS]
    return Layout(title, start, max(start + _HEAD_LINES, running[-1] if running else start), end)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A date of the page with the evidence for it being the page's own, summed."""

    found: Found
    score: int


def is_running(line: Line) -> bool:
    """A line of running text: a date in it is what the text is about, seldom the page's."""
    return line.good or (is_fragment(line) and len(line.text) > _FRAGMENT_CHARS)


def _labelled(text: str, found: Found, labels: tuple[str, ...]) -> bool:
    """Whether one of ``labels`` stands as a word just before the date ("Stand: ...", not "Vorstandssitzung")."""
    before = text[max(0, found.start - _LABEL_REACH):found.start]
    return bool(_label_pattern(labels).search(before))


@lru_cache(maxsize=8)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(label) for label in labels) + r")\b", re.I)


@lru_cache(maxsize=8)
def _comment_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r"):\s*$", re.I)


def opens_paragraph(text: str, found: Found) -> bool:
    """A dateline at the head of a paragraph: "Wien, 14. Dezember 2021 – Aufgrund ...", "27.1.2022 - Bei ..."."""
    if found.start > _PARAGRAPH_HEAD or not _PLACE.match(text[:found.start]):
        return False
    return bool(_AFTER_DATELINE.match(text[found.end:]))


def _alone(text: str, found: Found) -> bool:
    """A line that holds little but the date."""
    return len(text) - (found.end - found.start) <= _ALONE_SLACK


def _in_range(text: str, found: Found) -> bool:
    """One end of a range ("09 Jan 2014 - 01 Jan 2017", "vom 6. bis 7. März 2020"): never a publication date."""
    return bool(_RANGE_AFTER.match(text[found.end:found.end + 6])
                or _RANGE_BEFORE.search(text[max(0, found.start - 6):found.start]))


def _at_edge(text: str, found: Found) -> bool:
    """A short line that opens or ends with the date: a dateline with a name or a category, not a sentence."""
    return len(text) <= _EDGE_LINE_CHARS and (found.start <= 2 or found.end >= len(text) - 2)


def _glued_end(text: str, found: Found) -> bool:
    """A date that ends its line run together with the word before it ('...Liegestühle um"01.05.2017'): a field
    of its own where the dump lost the markup between it and a breadcrumb or headline, not a sentence's date."""
    return found.start > 0 and found.end >= len(text.rstrip()) and not text[found.start - 1].isspace()


def _field(text: str, found: Found) -> bool:
    """A date set off from the rest of its line as a field of its own ("08.11.2021 | Online-Fachtag ...")."""
    return bool(_FIELD_AFTER.match(text[found.end:]) or _FIELD_BEFORE.search(text[:found.start]))


def _meta_line(text: str) -> bool:
    """A line of short fields between separators: "Dezember 10, 2019 · von Anna · in Politik · 3 Kommentare"."""
    fields = _FIELD_SEPARATOR.split(text)
    return len(fields) >= 3 and max(len(field) for field in fields) <= _FIELD_CHARS


def _label_score(text: str, found: Found, know: Knowledge) -> int | None:
    """What the label nearest before the date says ("Stand:", "aktualisiert am"); None for a date that is not
    the article's (the site's clock, a member's registration, an event "ab dem 8. Oktober")."""
    before = text[max(0, found.start - _LABEL_REACH):found.start]
    kinds = ((know.foreign_labels, None), (know.event_labels, None), (know.date_labels, 4), (know.update_labels, _UPDATE))
    nearest, score = -1, 0
    for labels, value in kinds:
        ends = [m.end() for m in _label_pattern(labels).finditer(before)]
        if ends and ends[-1] > nearest:
            nearest, score = ends[-1], value
    return score


def _place_score(text: str, found: Found, layout: Layout, know: Knowledge, running: bool,
                 dates: list[list[Found]]) -> int:
    """What the date's place on the page says: near the headline or the article's head is the page's."""
    line = found.line
    if running:
        return -1 if line <= layout.head else -3
    if (line == layout.title or (line == 0 and not _alone(text, found))) and not _field(text, found):
        return 0  # a date in the headline (or the browser title) is what the article is about
    if layout.title < line <= layout.head:
        return 2 + (1 if _first_after(dates, layout.title, found) else 0)
    if line < layout.title:  # above the headline; "Mittwoch, 1. November 2023" further up is the site's clock
        clock = line < layout.title - _ABOVE_TITLE and _weekday_first(text, know)
        return (1 if line >= layout.title - _FAR_ABOVE_TITLE else -1) - (_CLOCK_PENALTY if clock else 0)
    return -1  # down in the article or below it


def _score(lines: list[Line], found: Found, layout: Layout, know: Knowledge, dates: list[list[Found]],
           dated: list[int]) -> int | None:
    text = lines[found.line].text
    score = _label_score(text, found, know)
    if score is None:
        return None
    alone = _alone(text, found)
    running = is_running(lines[found.line]) and not (_at_edge(text, found) or opens_paragraph(text, found)
                                                     or _meta_line(text) or _glued_end(text, found))
    score += (2 if alone else 0) + _place_score(text, found, layout, know, running, dates)
    if _in_range(text, found):
        score -= 5
    if not running and _BYLINE.search(text):
        score += 1
    if found.has_time and found.line < layout.end:
        score += 1  # a time of day speaks for a dateline, but not below the article (comments have times)
    if _in_list(lines, dated, found.line, layout.title):
        score -= _LIST_PENALTY
    if found.line > 0 and text.lower() in lines[0].text.lower() and not _field(text, found):
        score -= 3  # the headline (as the browser title repeats it) holds the subject's date
    return score


def _weekday_first(text: str, know: Knowledge) -> bool:
    first = text.split(",")[0].split()[0].lower().rstrip(".,") if text.split() else ""
    return first in know.weekdays


def _first_after(dates: list[list[Found]], title: int, found: Found) -> bool:
    """Whether ``found`` is the first date at or below the headline."""
    first = next((f for line in dates[max(title, 0):found.line + 1] for f in line), None)
    return first is found


def _in_list(lines: list[Line], dated: list[int], line: int, title: int) -> bool:
    """A date with two more datelines close by belongs to a list (comments, events, related posts). A list
    does not reach across the headline or a marker that opens one ("Lesen Sie auch", "Kommentare")."""
    near = 0
    for step in (-1, 1):
        i = line + step
        while 0 <= i < len(lines) and abs(i - line) <= _LIST_REACH and i != title and not lines[i].stop:
            near += dated[i] == _DATELINE
            i += step
    return near >= 2


def _dated(line: Line, found: list[Found]) -> int:
    """What kind of dated line this is: none, running text with a date, or a line that is or opens with one."""
    if not found:
        return 0
    return _DATELINE if not is_running(line) or any(f.start <= 2 for f in found) else _IN_TEXT


def candidates(lines: list[Line], dates: list[list[Found]], layout: Layout, know: Knowledge) -> list[Candidate]:
    """Every date of the page down to a little below the article, with its score."""
    dated = [_dated(line, found) for found, line in zip(dates, lines)]
    out: list[Candidate] = []
    for i in range(min(len(lines), layout.end + _AFTER_END_LINES)):
        for found in dates[i]:
            if i >= layout.end and not (_alone(lines[i].text, found)
                                        or _labelled(lines[i].text, found, know.date_labels + know.update_labels)):
                continue  # below the article only a dateline or a labelled date counts
            if i > 0 and _comment_pattern(know.comment_words).search(lines[i - 1].text):
                continue  # a reader's comment: "Karl sagt:" above its date
            score = _score(lines, found, layout, know, dates, dated)
            if score is not None:
                out.append(Candidate(found, score))
    return out


def _agreed(scored: list[Candidate]) -> list[Candidate]:
    """Each candidate with a point more where another fair candidate states the same day: a page that gives its
    date twice (a machine stamp and the shown date, a meta line and the dateline) says it with more certainty."""
    return [Candidate(c.found, c.score + 1) if c.score >= FAIR and any(
        o is not c and o.score >= FAIR and o.found.when.date() == c.found.when.date() for o in scored) else c
        for c in scored]


def choose(scored: list[Candidate], end: int) -> Found | None:
    """The best candidate where its evidence is sure, or fair with no other day close to it; else None. Where
    the best stands above the article's ``end``, the dates below it (comments, related posts) are no rivals.
    A day two fair candidates state counts a point more (see _agreed)."""
    if not scored:
        return None
    scored = _agreed(scored)
    best = max(scored, key=lambda c: c.score)  # the first of equals: the one nearest the top
    if best.score >= SURE:
        return best.found
    day = best.found.when.date()
    rivals = [c.score for c in scored if c.found.when.date() != day and (c.found.line < end or best.found.line >= end)]
    if best.score >= FAIR and all(score <= best.score - MARGIN for score in rivals):
        return best.found
    return None


def page_date(lines: list[Line], dates: list[list[Found]], layout: Layout, know: Knowledge) -> Found | None:
    """The page's own publication date among its lines (``dates``: found per line), or None where no date is
    sure enough."""
    return choose(candidates(lines, dates, layout, know), layout.end) or last_change(lines, dates, know)


def last_change(lines: list[Line], dates: list[list[Found]], know: Knowledge) -> Found | None:
    """Where no date is sure enough: the page's last change, where it states one day as that ("Aktualisiert am
    17.01.2021", "Diese Seite wurde zuletzt am 29. Januar 2020 geändert") wherever it stands. Such a label speaks
    of the page itself; a date that is the page's publication would have won over it."""
    changed = [found for i, found_in_line in enumerate(dates) for found in found_in_line
               if _label_score(lines[i].text, found, know) == _UPDATE
               and not (i > 0 and _comment_pattern(know.comment_words).search(lines[i - 1].text))]
    return changed[0] if changed and len({f.when.date() for f in changed}) == 1 else None
