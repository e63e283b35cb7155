"""Stage 2: RawArticle -> Article, the way a careful editor reads it.

Explicit fields of the file win. Where a file gives none, the text is read: the headline and kicker, the
outlet from signatures and credits, the publication date from datelines, the language, the author and the
wire agencies. Page furniture goes (generator/clean.py), each removed line with its reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.clean import article_span, outside, reach_down, reach_up, read_span
from generator.config import Config
from generator.dates import Found, dates_by_line, is_dateline, parse_explicit
from generator.knowledge import Knowledge, knowledge
from generator.lines import Line, body_lines, counts, fold
from generator.language import detect_language, normal_code
from generator.model import Article, Block, Outlet, Problem, RawArticle, Removed
from generator.outlets import (agencies_in, author_in_lines, dateline_agencies, explicit_outlet,
                               outlet_in_lines)
from generator.pagedate import Layout, layout, page_date
from generator.story import article_id
from generator.title import Title, find_title, headline_anchor

_FALLBACK_TITLE_WORDS = 12
_SIGNATURE_REASONS = frozenset({"author or agency signature", "footer"})


@dataclass(frozen=True, slots=True)
class Reading:
    """What the body says: the clean blocks, the removed lines, the headline and the page's own date."""

    blocks: tuple[Block, ...]
    removed: tuple[Removed, ...]
    title: Title
    date: Found | None  # None where the file states its date (the page's is not looked for)
    header: tuple[str, ...]  # lines above the article and its first lines, where bylines stand


def _bounds(lines: list[Line], scrape: bool) -> tuple[int, int, int]:
    """Where the article is: the whole body where it was extracted already, else found below the headline; and
    the line of the headline the page shows (headline_anchor; 0 where the body was extracted already)."""
    if not scrape:
        return 0, len(lines), 0
    shown = headline_anchor(lines)
    start, end = article_span(lines, shown)
    return start, reach_down(lines, end), shown


def _headline(raw: RawArticle, lines: list[Line], start: int, scrape: bool) -> Title:
    if not scrape and raw.title:
        return Title(raw.title, -1)
    title = find_title(lines, start, counts(lines))
    if not scrape and title.index >= 0 and (len(lines) < 2 or lines[title.index].words > 20):
        return Title("", -1)  # a body that opens with a paragraph has no headline line
    return title


def _skip_keys(raw: RawArticle, lines: list[Line], title: Title, dates: list[list[Found]]) -> frozenset[str]:
    """Lines that go wherever they stand: the headline, its kicker and lines that are only a date."""
    skip = {fold(raw.title or ""), fold(title.text), fold(title.kicker or "")}
    skip |= {line.key for line, found in zip(lines, dates) if is_dateline(line.text, found)}
    if title.index >= 0:
        skip.add(lines[title.index].key)
    return frozenset(skip - {""})


def _date_layout(lines: list[Line], title: Title, start: int, end: int, shown: int, scrape: bool) -> Layout:
    """Where the headline and the article are, for finding the page's date: where a dump's headline was read
    from its browser title (its first line), the page's own repeat of it below, where there is one, and the
    article's head below that."""
    if scrape and title.index == 0:
        return layout(lines, shown, max(start, shown), end)
    return layout(lines, max(title.index, 0), start, end)


def read_body(raw: RawArticle, know: Knowledge, zone: str) -> Reading:
    lines = body_lines(raw.body, raw.kind, know)
    scrape = raw.kind == "scrape"
    start, end, shown = _bounds(lines, scrape)
    title = _headline(raw, lines, start, scrape)
    texts = [line.text for line in lines]
    dates = dates_by_line(texts, know, zone)
    opening = reach_up(lines, title.index, start) if scrape else start
    blocks, removed = read_span(lines, opening, end, drop_short=scrape, skip=_skip_keys(raw, lines, title, dates))
    date = None if raw.published else page_date(lines, dates, _date_layout(lines, title, start, end, shown, scrape), know)
    header = tuple(texts[:min(end, start + 3)])
    return Reading(tuple(blocks), tuple(outside(lines, opening, end)) + tuple(removed), title, date, header)


def _title(raw: RawArticle, reading: Reading) -> str:
    if raw.title:
        return " ".join(raw.title.split())
    if reading.title.text:
        return reading.title.text
    first = next((b.text for b in reading.blocks if not b.heading), "")
    words = first.split()
    return " ".join(words[:_FALLBACK_TITLE_WORDS]) + (" …" if len(words) > _FALLBACK_TITLE_WORDS else "")


def _published(raw: RawArticle, reading: Reading, know: Knowledge,
               zone: str) -> tuple[datetime | None, bool] | Problem:
    if raw.published:
        parsed = parse_explicit(raw.published, know, zone)
        if parsed is None:
            return Problem(raw.input, f"cannot read the date {raw.published!r}", field="date", record=raw.record)
        return parsed
    if reading.date is not None:
        return reading.date.when, reading.date.has_time
    return None, False


def _outlet(raw: RawArticle, reading: Reading, know: Knowledge) -> Outlet | None:
    given = explicit_outlet(raw.outlet, raw.url, know)
    if given is not None:
        return given
    lines = [(r.line, r.reason) for r in reading.removed]
    return outlet_in_lines(lines, reading.title.site, know)


def _agencies(reading: Reading, know: Knowledge) -> tuple[str, ...]:
    signed = [r.line for r in reading.removed if r.reason in _SIGNATURE_REASONS]
    first = next((b.text for b in reading.blocks if not b.heading), "")
    found = dict.fromkeys(dateline_agencies(first, know) + agencies_in(signed, know))
    return tuple(found)


def normalize_one(raw: RawArticle, config: Config) -> Article | Problem:
    """One RawArticle read as an editor reads it, or the Problem that keeps it out."""
    know = knowledge(config.normalize)
    zone = config.normalize.timezone
    reading = read_body(raw, know, zone)
    published = _published(raw, reading, know, zone)
    if isinstance(published, Problem):
        return published
    title = _title(raw, reading)
    if not title and not reading.blocks:
        return Problem(raw.input, "no article text found", record=raw.record)
    return Article(
        id=article_id(raw.input, raw.record, raw.id), input=raw.input, record=raw.record, title=title,
        kicker=None if raw.title else reading.title.kicker, outlet=_outlet(raw, reading, know), url=raw.url,
        published=published[0], published_has_time=published[1], published_inferred=False,
        language=normal_code(raw.language) or detect_language("\n".join(b.text for b in reading.blocks) or title),
        author=raw.author or author_in_lines(list(reading.header), know),
        agencies=_agencies(reading, know), blocks=reading.blocks, removed=reading.removed)


def normalize(raws: tuple[RawArticle, ...] | list[RawArticle], config: Config) -> tuple[list[Article], list[Problem]]:
    """Every RawArticle read; the ones that cannot be used become Problems, and the rest go on."""
    articles: list[Article] = []
    problems: list[Problem] = []
    for raw in raws:
        item = normalize_one(raw, config)
        (problems if isinstance(item, Problem) else articles).append(item)
    return articles, problems
