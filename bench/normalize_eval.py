#!/usr/bin/env python3
"""How well normalize reads real pages: the labelled German page dumps and the five seeds in ../shared.

    .venv/bin/python bench/normalize_eval.py            # print the numbers
    .venv/bin/python bench/normalize_eval.py --gate     # also fail (exit 1) below the floors CI holds
    .venv/bin/python bench/normalize_eval.py --date-ceiling   # also count the gold dates the dumps state at all

For text dumps (text/<key>.txt) and saved pages (html/<key>.html.gz) separately: the share of the gold `with`
snippets the clean body keeps, the share of `without` snippets that leak into it, the title match (case and
white space ignored, over pages with a gold title), and the date right and wrong (same day, over pages with a
gold date). Then every check of seeds/expected.json against normalize on the seed files. The data is read
where it lies and never copied into the repository.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.config import Config  # noqa: E402
from generator.dates import dates_by_line  # noqa: E402
from generator.decode import decode  # noqa: E402
from generator.knowledge import knowledge  # noqa: E402
from generator.lines import body_lines  # noqa: E402
from generator.model import Article, Problem, RawArticle  # noqa: E402
from generator.normalize import normalize_one  # noqa: E402
from generator.readers import html as html_reader  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
BERLIN = ZoneInfo("Europe/Berlin")
# Floors for --gate: just under what the mechanism reaches, so that a slip fails CI and a gain moves them up.
GATE = {"text": {"min_keep": 0.925, "max_leak": 0.13, "min_title": 0.775, "min_date": 0.855, "max_date_wrong": 0.05},
        "html": {"min_keep": 0.95, "max_leak": 0.08, "min_title": 0.72, "min_date": 0.845, "max_date_wrong": 0.12}}


def fold(text: str | None) -> str:
    """White space folded; soft hyphens (invisible, and dropped by decode) ignored on both sides."""
    return " ".join((text or "").replace("\xad", "").split())


@dataclass
class Score:
    kept: int = 0
    wanted: int = 0
    leaked: int = 0
    unwanted: int = 0
    titles_right: int = 0
    titles: int = 0
    dates_right: int = 0
    dates_wrong: int = 0
    dates: int = 0
    pages: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    days: dict[str, str | None] = field(default_factory=dict)  # page -> the day read, where it has a gold date

    def add(self, key: str, gold: dict, article: Article | None) -> None:
        self.pages += 1
        body = fold(article.text) if article else ""
        kept = [s for s in gold["with"] if fold(s) in body]
        leaked = [s for s in gold["without"] if fold(s) in body]
        self.kept, self.wanted = self.kept + len(kept), self.wanted + len(gold["with"])
        self.leaked, self.unwanted = self.leaked + len(leaked), self.unwanted + len(gold["without"])
        if gold.get("title"):
            self.titles += 1
            self.titles_right += bool(article and fold(article.title).lower() == fold(gold["title"]).lower())
        if gold.get("date"):
            self.dates += 1
            day = article.published.astimezone(BERLIN).date().isoformat() if article and article.published else None
            self.dates_right += day == gold["date"]
            self.dates_wrong += day is not None and day != gold["date"]
            self.days[key] = day
        if len(kept) < len(gold["with"]) or leaked:
            self.misses.append(f"{key}: lost {[s for s in gold['with'] if s not in kept]} leaked {leaked}")

    def metrics(self) -> dict[str, float]:
        share = lambda a, b: a / b if b else 0.0  # noqa: E731
        return {"keep": share(self.kept, self.wanted), "leak": share(self.leaked, self.unwanted),
                "title": share(self.titles_right, self.titles), "date_right": share(self.dates_right, self.dates),
                "date_wrong": share(self.dates_wrong, self.dates)}

    def line(self, name: str) -> str:
        m = self.metrics()
        ms = 1000 * self.seconds / max(self.pages, 1)
        return (f"{name:5} keep {m['keep']:.3f}  leak {m['leak']:.3f}  title {m['title']:.3f}  "
                f"date_right {m['date_right']:.3f}  date_wrong {m['date_wrong']:.3f}  (n={self.pages}, {ms:.1f} ms/page)")


def _timed(raw: RawArticle | Problem | None, config: Config, score: Score) -> Article | None:
    if not isinstance(raw, RawArticle):
        return None
    began = time.perf_counter()
    result = normalize_one(raw, config)
    score.seconds += time.perf_counter() - began
    return result if isinstance(result, Article) else None


def score_text(data: Path, gold: dict, config: Config) -> Score:
    score = Score()
    for key, entry in sorted(gold.items()):
        path = data / "text" / f"{key}.txt"
        raw = RawArticle(input=path.name, record=None, kind="scrape", body=decode(path.read_bytes()))
        score.add(key, entry, _timed(raw, config, score))
    return score


def score_html(data: Path, gold: dict, config: Config) -> Score:
    score = Score()
    for key, entry in sorted(gold.items()):
        path = data / "html" / f"{key}.html.gz"
        found = html_reader.read(decode(gzip.decompress(path.read_bytes())), path.name)
        score.add(key, entry, _timed(found[0] if found else None, config, score))
    return score


def _berlin(value: str | None) -> str | None:
    """Publication time as Europe/Berlin wall clock, as the seed checker compares it."""
    if not value:
        return None
    when = datetime.fromisoformat(value)
    if when.tzinfo is not None:
        when = when.astimezone(BERLIN).replace(tzinfo=None)
    return when.isoformat() if len(value) > 10 else value[:10]


def seed_checks(seeds: Path, config: Config) -> list[tuple[str, bool, str]]:
    """Every article check of seeds/expected.json (see shared/tools/check_seeds.py) against normalize."""
    expected = json.loads((seeds / "expected.json").read_text(encoding="utf-8"))["articles"]
    checks: list[tuple[str, bool, str]] = []
    for name, want in sorted(expected.items()):
        raw = RawArticle(input=name, record=None, kind="scrape", body=decode((seeds / name).read_bytes()))
        got = normalize_one(raw, config)
        if isinstance(got, Problem):
            checks.append((f"{name}: read", False, str(got)))
            continue
        body = fold(got.text)
        outlet = got.outlet.name if got.outlet else None
        accept = [want["outlet"], *want["outlet_accept"]]
        published = _berlin(got.published_iso)
        dates = [want["published"], *want["published_accept"]]
        checks += [
            (f"{name}: title", fold(want["title_contains"]) in fold(got.title), repr(got.title)),
            (f"{name}: outlet", outlet in accept or (outlet or "").lower() in [str(a).lower() for a in accept if a],
             repr(outlet)),
            (f"{name}: published", (published is None and None in dates)
             or any(d and published and published.startswith(d) for d in dates), repr(published)),
            (f"{name}: language", got.language == want["language"], repr(got.language)),
        ]
        checks += [(f"{name}: keeps {s[:40]!r}", fold(s) in body, "missing") for s in want["body_must_include"]]
        checks += [(f"{name}: drops {s[:40]!r}", fold(s) not in body, "still there") for s in want["body_must_exclude"]]
    return checks


def date_ceiling(data: Path, gold: dict, days: dict[str, str | None], config: Config) -> list[str]:
    """How many gold dates the text dumps state at all (a full date with its year, as generator/dates.py reads
    it): the ceiling of date_right, by kind of page, with how we fare on each kind."""
    know = knowledge(config.normalize)
    kinds: dict[str, Counter[str]] = {}
    for key, entry in sorted(gold.items()):
        if not entry.get("date"):
            continue
        try:
            wanted = date.fromisoformat(entry["date"])
        except ValueError:
            kind = "gold date is no date (month 25, 29)"
        else:
            body = decode((data / "text" / f"{key}.txt").read_bytes())
            texts = [line.text for line in body_lines(body, "scrape", know)]
            stated = {f.when.date() for found in dates_by_line(texts, know, config.normalize.timezone) for f in found}
            kind = ("the page states it" if wanted in stated else "the page states other dates only" if stated
                    else "the page states no full date")
        ours = days.get(key)
        kinds.setdefault(kind, Counter())["right" if ours == entry["date"] else "unknown" if ours is None else "wrong"] += 1
    total = sum(sum(c.values()) for c in kinds.values())
    return [f"dates: {sum(c.values()):3} of {total} {kind}: ours {dict(sorted(c.items()))}"
            for kind, c in sorted(kinds.items(), key=lambda item: -sum(item[1].values()))]


def below_floors(name: str, metrics: dict[str, float], floors: dict[str, float]) -> list[str]:
    failed = []
    for metric, key, higher_is_better in (("keep", "min_keep", True), ("leak", "max_leak", False),
                                          ("title", "min_title", True), ("date_right", "min_date", True),
                                          ("date_wrong", "max_date_wrong", False)):
        floor = floors.get(key)
        if floor is None:
            continue
        value = metrics[metric]
        if (value < floor) if higher_is_better else (value > floor):
            failed.append(f"{name} {metric} {value:.3f} is {'below' if higher_is_better else 'above'} {floor}")
    return failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED / "eval" / "scrapes-de")
    ap.add_argument("--seeds", type=Path, default=SHARED / "seeds")
    ap.add_argument("--gate", action="store_true", help="fail below the built-in floors (see GATE)")
    for key in ("min_keep", "max_leak", "min_title", "min_date", "max_date_wrong"):
        ap.add_argument("--" + key.replace("_", "-"), type=float, help=f"floor for text dumps: {key}")
    ap.add_argument("--html-min-keep", type=float)
    ap.add_argument("--html-max-leak", type=float)
    ap.add_argument("--misses", action="store_true", help="list the pages that lose or leak snippets")
    ap.add_argument("--date-ceiling", action="store_true", help="count the gold dates the text dumps state at all")
    args = ap.parse_args()
    config = Config()
    if not (args.data / "gold.json").is_file() or not (args.seeds / "expected.json").is_file():
        print(f"no labelled data at {args.data} or {args.seeds}", file=sys.stderr)
        return 2
    gold = json.loads((args.data / "gold.json").read_text(encoding="utf-8"))
    text, html = score_text(args.data, gold, config), score_html(args.data, gold, config)
    print(text.line("text"))
    print(html.line("html"))
    if args.misses:
        print("\n".join(text.misses))
    if args.date_ceiling:
        print("\n".join(date_ceiling(args.data, gold, text.days, config)))
    checks = seed_checks(args.seeds, config)
    for name, ok, detail in checks:
        if not ok:
            print(f"FAIL seed {name}: {detail}")
    print(f"seeds {sum(ok for _, ok, _ in checks)}/{len(checks)} checks hold")
    floors = {"text": dict(GATE["text"]) if args.gate else {}, "html": dict(GATE["html"]) if args.gate else {}}
    for key in ("min_keep", "max_leak", "min_title", "min_date", "max_date_wrong"):
        if getattr(args, key) is not None:
            floors["text"][key] = getattr(args, key)
    for key in ("min_keep", "max_leak"):
        if getattr(args, "html_" + key) is not None:
            floors["html"][key] = getattr(args, "html_" + key)
    failed = below_floors("text", text.metrics(), floors["text"]) + below_floors("html", html.metrics(), floors["html"])
    seeds_failed = (args.gate or any(floors.values())) and not all(ok for _, ok, _ in checks)
    for reason in failed:
        print("below floor:", reason)
    return 1 if failed or seeds_failed else 0


if __name__ == "__main__":
    sys.exit(main())
