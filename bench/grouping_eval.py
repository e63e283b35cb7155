"""Quality gate of the grouping stage: labelled pairs and the seed articles.

    .venv/bin/python bench/grouping_eval.py [--min-de-de 0.9 --min-en-en 0.9 --min-de-en 0.6 --require-seeds]

CI floors (just under what the stage reaches; raise them on purpose, never lower them by accident):
    --min-de-de 0.93 --min-en-en 0.945 --min-de-en 0.82 --min-headlines 0.84 --require-seeds

Groups ONE corpus of every article in pairs/articles.jsonl (undated, as the data has no dates) and prints, per
language pair, the share of `same` pairs put into one story, the share of `different` pairs kept apart and their
mean (balanced accuracy). It does the same with headlines only (the title's first line, no body). Then it
normalizes and groups the seed scrapes and compares with expected.json. Exits 1 when a floor is not reached.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.config import Config, GroupingConfig  # noqa: E402
from generator.group import group  # noqa: E402
from generator.load import load  # noqa: E402
from generator.model import Article, Block, Story  # noqa: E402
from generator.normalize import normalize  # noqa: E402

SHARED = Path("/work/shared")
MAIN_PAIRS = ("de-de", "en-en", "de-en")


@dataclass(frozen=True, slots=True)
class Score:
    together: float  # share of same pairs in one story
    apart: float  # share of different pairs in different stories
    same: int
    different: int

    @property
    def balanced(self) -> float:
        return (self.together + self.apart) / 2


def article_of(record: dict, headline_only: bool = False) -> Article:
    """An undated Article from a pairs record; with ``headline_only`` just the title's first line."""
    title = record["title"].strip()
    paragraphs = [p.strip() for p in record["text"].split("\n\n") if p.strip()]
    if headline_only:
        title, paragraphs = title.split("\n")[0], []
    return Article(id=record["id"], input=f"pairs/{record['id']}", record=None, title=title, kicker=None,
                   outlet=None, url=None, published=None, published_has_time=False, published_inferred=False,
                   language=record.get("language"), author=None, agencies=(),
                   blocks=tuple(Block(p) for p in paragraphs))


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def story_of(stories: Iterable[Story]) -> dict[str, str]:
    return {a.id: s.id for s in stories for a in s.articles}


def score_pairs(where: dict[str, str], pairs: Sequence[dict]) -> dict[str, Score]:
    """Scores per language pair, plus 'others' (every pair not in MAIN_PAIRS) and 'all'."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # together, same, apart, different
    for p in pairs:
        if p["same"] is None or p["a"] not in where or p["b"] not in where:
            continue
        one = where[p["a"]] == where[p["b"]]
        for key in (p["lang"], "others" if p["lang"] not in MAIN_PAIRS else None, "all"):
            if key is None:
                continue
            c = counts[key]
            if p["same"]:
                c[0] += one
                c[1] += 1
            else:
                c[2] += not one
                c[3] += 1
    return {k: Score(c[0] / max(c[1], 1), c[2] / max(c[3], 1), c[1], c[3]) for k, c in counts.items()}


def print_scores(label: str, scores: dict[str, Score]) -> None:
    print(f"{label}")
    order = [*MAIN_PAIRS, "others", "all"] + sorted(k for k in scores if k not in (*MAIN_PAIRS, "others", "all"))
    for key in order:
        if key in scores:
            s = scores[key]
            print(f"  {key:7} together {s.together:.3f} ({s.same:3} same)  apart {s.apart:.3f} "
                  f"({s.different:3} different)  balanced {s.balanced:.3f}")


def evaluate_pairs(config: GroupingConfig, headline_only: bool) -> dict[str, Score]:
    records = read_jsonl(SHARED / "eval/pairs/articles.jsonl")
    pairs = read_jsonl(SHARED / "eval/pairs/pairs.jsonl")
    articles = [article_of(r, headline_only) for r in records]
    started = time.perf_counter()
    stories = group(articles, config)
    seconds = time.perf_counter() - started
    label = "headlines only" if headline_only else "title and text"
    scores = score_pairs(story_of(stories), pairs)
    print_scores(f"{label}: {len(articles)} articles -> {len(stories)} stories in {seconds:.1f} s", scores)
    return scores


def seed_partition(config: Config) -> tuple[list[list[str]], list[list[str]]]:
    """(found, expected) partitions of the seed files, each sorted."""
    seeds = SHARED / "seeds"
    with tempfile.TemporaryDirectory() as folder:
        for path in sorted(seeds.glob("*.txt")):
            shutil.copy(path, folder)
        loaded = load(Path(folder), config.normalize.max_file_size)
        articles, _ = normalize(loaded.articles, config)
    stories = group(articles, config.grouping)
    found = sorted(sorted(a.input for a in s.articles) for s in stories)
    expected = sorted(sorted(names) for names in json.loads((seeds / "expected.json").read_text())["stories"])
    return found, expected


def below_floors(scores: dict[str, Score], args: argparse.Namespace) -> list[str]:
    """'de-de 0.812 < 0.9' for every score under its --min-... floor."""
    found = []
    for key, score in scores.items():
        floor = getattr(args, "min_" + key.replace("-", "_"), 0.0)
        if score.balanced < floor:
            found.append(f"{key} {score.balanced:.3f} < {floor}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for key in (*MAIN_PAIRS, "others", "headlines"):
        parser.add_argument(f"--min-{key}", type=float, default=0.0, metavar="X",
                            help=f"fail when balanced accuracy on {key} is below X")
    parser.add_argument("--require-seeds", action="store_true", help="fail when the seeds do not group as expected")
    parser.add_argument("--threshold", type=float, help="override grouping.threshold")
    args = parser.parse_args(argv)
    config = Config()
    if args.threshold is not None:
        config = replace(config, grouping=replace(config.grouping, threshold=args.threshold))
    full = evaluate_pairs(config.grouping, headline_only=False)
    headlines = evaluate_pairs(config.grouping, headline_only=True)
    found, expected = seed_partition(config)
    seeds_ok = found == expected
    print(f"seeds: {'as expected' if seeds_ok else 'DIFFERENT'}: {found}")
    failures = below_floors(full, args) + below_floors({"headlines": headlines["all"]}, args)
    if args.require_seeds and not seeds_ok:
        failures.append("seeds not grouped as expected")
    for failure in failures:
        print(f"FLOOR: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
