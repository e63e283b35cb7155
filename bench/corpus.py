#!/usr/bin/env python3
"""Make large realistic corpora reproducibly, with a known story structure.

Every story is one event: a seed article of ../shared/eval/pairs (German and English) at one point in time.
Each report of the story takes most of the seed's sentences in its own order and wording of the headline,
adds background sentences from unrelated articles of the same language, and gets an outlet and a publication
time within days of the event. The same seed recurs in later "epochs" months apart: a different event with
similar words, which must not be grouped with the first (topic is not event).

    python bench/corpus.py --articles 10000 --out bench/out/corpus-10000 [--format md|mixed] [--seed 1]

Writes the articles (Markdown with front matter; with --format mixed also .txt scrapes and .jsonl exports) and
truth.json: {article key: story key}, the key being the file name (and record id for JSONL).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
ARTICLES = SHARED / "eval" / "pairs" / "articles.jsonl"
OUTLETS = {
    "de": ["tagesschau", "Spiegel Online", "n-tv", "Zeit Online", "FAZ", "Süddeutsche Zeitung", "Die Welt",
           "Deutsche Welle", "Handelsblatt", "taz", "Der Standard", "NZZ", "Nau.ch", "Euronews"],
    "en": ["Reuters", "AP News", "BBC News", "The Guardian", "CNN", "Al Jazeera", "NPR", "The Independent",
           "Sky News", "Euronews", "Deutsche Welle", "The Times"],
}
EPOCH_DAYS = 75  # the same seed recurs this far apart: a different event
START = datetime(2019, 1, 7, 6, 0, tzinfo=timezone.utc)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ\"„«])")


@dataclass(frozen=True, slots=True)
class Seed:
    id: str
    language: str
    title: str
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    key: str
    story: str
    language: str
    title: str
    outlet: str
    published: datetime
    paragraphs: tuple[str, ...]


def load_seeds() -> list[Seed]:
    seeds = []
    with open(ARTICLES, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if item["language"] not in OUTLETS or not item.get("title"):
                continue
            sentences = tuple(s.strip() for s in _SENTENCE.split(item.get("text") or "") if len(s.split()) >= 6)
            if len(sentences) >= 6:
                seeds.append(Seed(item["id"], item["language"], item["title"].strip(), sentences))
    return sorted(seeds, key=lambda s: s.id)


def _headline(seed: Seed, rng: random.Random) -> str:
    words = seed.title.split()
    if len(words) > 6 and rng.random() < 0.5:  # a shorter wording of the same headline
        cut = rng.randrange(4, len(words))
        words = words[:cut]
    if rng.random() < 0.3:  # a kicker in front, as German sites do
        words = [rng.choice(["Update:", "Live:", "Analyse:", "Exklusiv:", "Breaking:"])] + words
    return " ".join(words)


def _body(seed: Seed, background: list[Seed], rng: random.Random) -> tuple[str, ...]:
    keep = [s for s in seed.sentences if rng.random() < 0.8] or list(seed.sentences[:3])
    words = sum(len(s.split()) for s in keep)
    target = rng.randint(400, 600)
    while words < target:  # background paragraphs from other articles of the same language
        other = rng.choice(background)
        sentence = rng.choice(other.sentences)
        keep.insert(rng.randrange(len(keep) // 2, len(keep) + 1), sentence)
        words += len(sentence.split())
    paragraphs, step = [], rng.randint(2, 4)
    for i in range(0, len(keep), step):
        paragraphs.append(" ".join(keep[i:i + step]))
    return tuple(paragraphs)


def make_reports(count: int, seed_value: int) -> list[Report]:
    rng = random.Random(seed_value)
    seeds = load_seeds()
    by_language: dict[str, list[Seed]] = {}
    for seed in seeds:
        by_language.setdefault(seed.language, []).append(seed)
    order = seeds[:]
    rng.shuffle(order)
    reports: list[Report] = []
    story_number = 0
    while len(reports) < count:
        seed = order[story_number % len(order)]
        epoch = story_number // len(order)
        story_number += 1
        event = START + timedelta(days=epoch * EPOCH_DAYS + rng.uniform(0, EPOCH_DAYS - 15))
        size = min(count - len(reports), rng.choice([1, 1, 2, 3, 4, 5, 6, 8]))
        for n in range(size):
            when = event + timedelta(hours=rng.uniform(0, 72))
            reports.append(Report(
                key=f"{seed.language}-{len(reports):06d}", story=f"{seed.id}@{epoch}", language=seed.language,
                title=_headline(seed, rng), outlet=rng.choice(OUTLETS[seed.language]),
                published=when.replace(microsecond=0), paragraphs=_body(seed, by_language[seed.language], rng)))
    return reports


def _markdown(report: Report) -> str:
    front = {"title": report.title, "outlet": report.outlet, "published": report.published.isoformat(),
             "language": report.language, "url": f"https://example.org/{report.key}"}
    lines = ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items()] + ["---", ""]
    return "\n".join(lines) + "\n\n".join(report.paragraphs) + "\n"


def _scrape(report: Report) -> str:
    stamp = report.published.strftime("%d.%m.%Y, %H:%M Uhr")
    return f"{report.title}\n{stamp}\n\n" + "\n\n".join(report.paragraphs) + f"\n\nQuelle: {report.outlet}\n"


def write_corpus(reports: list[Report], out: Path, fmt: str) -> dict[str, str]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    truth: dict[str, str] = {}
    batch: list[Report] = []
    for i, report in enumerate(reports):
        folder = out / f"{i // 1000:03d}"
        folder.mkdir(exist_ok=True)
        kind = "md" if fmt == "md" else ("md", "md", "md", "txt", "jsonl")[i % 5]
        if kind == "jsonl":
            batch.append(report)
            continue
        name = f"{folder.name}/{report.key}.{kind}"
        (out / name).write_text(_markdown(report) if kind == "md" else _scrape(report), encoding="utf-8")
        truth[name] = report.story
    for start in range(0, len(batch), 100):
        name = f"export-{start // 100:04d}.jsonl"
        with open(out / name, "w", encoding="utf-8") as handle:
            for r in batch[start:start + 100]:
                handle.write(json.dumps({"id": r.key, "title": r.title, "text": "\n\n".join(r.paragraphs),
                                         "source": r.outlet, "date_publish": r.published.isoformat(),
                                         "language": r.language}, ensure_ascii=False) + "\n")
                truth[f"{name}#{r.key}"] = r.story
    return truth


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--format", choices=("md", "mixed"), default="md")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    truth = write_corpus(make_reports(args.articles, args.seed), args.out, args.format)
    (args.out.parent / f"{args.out.name}.truth.json").write_text(json.dumps(truth, indent=0), encoding="utf-8")
    print(f"{len(truth)} articles in {len(set(truth.values()))} stories -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
