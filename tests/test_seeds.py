"""The five sample articles held to tests/expected.json (a copy of what a careful editor reads out of them):
title, outlet, publication time, language, what the clean body keeps and drops, and which form one story."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.cli import article_json
from generator.config import Config
from generator.load import load
from generator.normalize import normalize

from conftest import CONTENT

EXPECTED = json.loads((Path(__file__).parent / "expected.json").read_text(encoding="utf-8"))
NAMES = sorted(EXPECTED["articles"])


def fold(text: str | None) -> str:
    return " ".join((text or "").split())


def berlin(value: str | None) -> str | None:
    """Europe/Berlin wall clock 'YYYY-MM-DDTHH:MM[:SS]', or the date alone for a date-only value."""
    if not value or len(value) <= 10:
        return value
    when = datetime.fromisoformat(value)
    if when.tzinfo is not None:
        when = when.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)
    return when.isoformat()


@pytest.fixture(scope="module")
def read() -> dict[str, dict]:
    loaded = load(CONTENT, 10_000_000)
    articles, problems = normalize(loaded.articles, Config())
    assert not problems and not loaded.problems
    return {a.input: article_json(a) for a in articles}


@pytest.fixture(scope="module")
def stories(sample_site: Path) -> list[list[str]]:
    data = json.loads((sample_site / "stories.json").read_text(encoding="utf-8"))
    return sorted(sorted(a["input"] for a in s["articles"]) for s in data["stories"])


@pytest.mark.parametrize("name", NAMES)
def test_title(read: dict, name: str) -> None:
    assert fold(EXPECTED["articles"][name]["title_contains"]) in fold(read[name]["title"])


@pytest.mark.parametrize("name", NAMES)
def test_outlet(read: dict, name: str) -> None:
    want = EXPECTED["articles"][name]
    accepted = {str(o).lower() for o in [want["outlet"], *want["outlet_accept"]] if o}
    got = read[name]["outlet"]
    assert (got is None and want["outlet"] is None) or (got or "").lower() in accepted, got


@pytest.mark.parametrize("name", NAMES)
def test_published(read: dict, name: str) -> None:
    want = EXPECTED["articles"][name]
    accepted = [want["published"], *want["published_accept"]]
    got = berlin(read[name]["published"])
    assert (got is None and None in accepted) or any(w and got and got.startswith(w) for w in accepted), got


@pytest.mark.parametrize("name", NAMES)
def test_language(read: dict, name: str) -> None:
    assert read[name]["language"] == EXPECTED["articles"][name]["language"]


@pytest.mark.parametrize("name", NAMES)
def test_body_keeps_the_article(read: dict, name: str) -> None:
    body = fold(read[name]["text"])
    missing = [s for s in EXPECTED["articles"][name]["body_must_include"] if fold(s) not in body]
    assert not missing


@pytest.mark.parametrize("name", NAMES)
def test_body_drops_the_furniture(read: dict, name: str) -> None:
    body = fold(read[name]["text"])
    leaked = [s for s in EXPECTED["articles"][name]["body_must_exclude"] if fold(s) in body]
    assert not leaked


def test_stories_group_as_an_editor_would(stories: list[list[str]]) -> None:
    assert stories == sorted(sorted(s) for s in EXPECTED["stories"])
