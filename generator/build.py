"""The whole build, top to bottom: load -> normalize -> group -> render -> write."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.config import Config
from generator.group import group
from generator.infer import infer_dates
from generator.load import load
from generator.model import BuildReport, OutputFile, Problem, Story
from generator.normalize import normalize
from generator.render import render
from generator.write import check_output_dir, write


@dataclass(frozen=True, slots=True)
class Paths:
    """Where this build reads and writes."""

    content: Path
    output: Path
    templates: Path | None = None


class StrictError(Exception):
    """--strict and the content has problems: nothing was written."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__(f"{len(problems)} problem(s) in the content; nothing written")
        self.problems = problems


def site_files(config: Config, paths: Paths, now: datetime) -> tuple[list[OutputFile], tuple[Story, ...], int,
                                                                      tuple[Problem, ...]]:
    """Everything but the writing: the files of the site, the stories, articles read and the problems."""
    loaded = load(paths.content, config.normalize.max_file_size)
    articles, problems = normalize(loaded.articles, config)
    stories = group(articles, config.grouping)
    stories = infer_dates(stories, config)
    files = render(stories, config, now, paths.templates)
    return files, stories, len(articles), loaded.problems + tuple(problems)


def build(config: Config, paths: Paths, now: datetime, strict: bool = False, force: bool = False) -> BuildReport:
    """Build the site from ``paths.content`` into ``paths.output``."""
    started = time.perf_counter()
    protect = (paths.templates,) if paths.templates else ()
    check_output_dir(paths.output, paths.content, force, protect)
    files, stories, count, problems = site_files(config, paths, now)
    if strict and problems:
        raise StrictError(problems)
    written = write(files, paths.output)
    skipped = sum(1 for p in problems if p.skipped)
    removed = tuple((a.input, r) for s in stories for a in s.articles for r in a.removed)
    return BuildReport(count, skipped, len(stories), written, time.perf_counter() - started, problems, removed)
