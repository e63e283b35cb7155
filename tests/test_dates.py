"""Publication dates: explicit fields parsed strictly, the page's own date found in its text, no year invented."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from generator.config import Config
from generator.dates import dates_in, parse_explicit
from generator.knowledge import knowledge
from generator.model import Article, Problem, RawArticle
from generator.normalize import normalize_one

KNOW = knowledge()
ZONE = "Europe/Berlin"
BODY = ("Die Verteidigungsminister der USA und Russlands haben über Möglichkeiten zur Beendigung des "
        "Bürgerkriegs in Syrien gesprochen, teilte das Ministerium am Abend in der Hauptstadt mit.")


def read(text: str, published: str | None = None) -> Article | Problem:
    return normalize_one(RawArticle(input="d.txt", record=None, kind="scrape", body=text, published=published),
                         Config())


@pytest.mark.parametrize("text, day, has_time", [
    ("18.09.2015", "2015-09-18", False),
    ("18.09.2015, 22:08 Uhr", "2015-09-18T22:08", True),
    ("Stand: 18.09.2015 18:35 Uhr", "2015-09-18T18:35", True),
    ("18. September 2015", "2015-09-18", False),
    ("am 18. Sept. 2015 um 20:00 Uhr", "2015-09-18T20:00", True),
    ("September 18, 2015", "2015-09-18", False),
    ("Sep 18, 2015 8:54 PM", "2015-09-18T20:54", True),
    ("18 March 2015", "2015-03-18", False),
    ("2015-09-18T22:08:00+02:00", "2015-09-18T22:08", True),
    ("3. März 2020", "2020-03-03", False),
    ("Erstellt am 01.01.23 um 08:35", "2023-01-01T08:35", True),
    ("2017/11/26", "2017-11-26", False),
])
def test_forms_of_a_date(text: str, day: str, has_time: bool) -> None:
    [found] = dates_in(text, 0, KNOW, ZONE)
    assert found.when.isoformat().startswith(day)
    assert found.has_time is has_time
    assert found.when.tzinfo is not None


def test_time_zone_named_in_the_text_is_kept() -> None:
    [found] = dates_in("2015-09-18T20:08:00Z", 0, KNOW, ZONE)
    assert found.when.utcoffset() == timedelta(0)


def test_a_date_without_a_year_is_no_date() -> None:
    assert dates_in("am 13. Mai und am 6. Oktober", 0, KNOW, ZONE) == []


def test_version_numbers_are_no_dates() -> None:
    assert dates_in("Patchnotes 4.47.4 und Version 1.2.15.3", 0, KNOW, ZONE) == []


def test_impossible_dates_are_ignored() -> None:
    assert dates_in("31.02.2015 und 45.13.2020", 0, KNOW, ZONE) == []


def test_stand_line_gives_the_publication_time_in_the_configured_zone() -> None:
    article = read(f"Titel der Meldung hier\n\nStand: 18.09.2015 18:35 Uhr\n\n{BODY}\n\n{BODY[::-1]}")
    assert isinstance(article, Article)
    assert article.published == datetime.fromisoformat("2015-09-18T18:35:00+02:00")
    assert article.published_has_time and not article.published_inferred
    assert "Stand:" not in article.text


def test_day_only_dateline_has_no_time() -> None:
    article = read(f"Titel der Meldung hier\n\n18. September 2015\n\n{BODY}")
    assert isinstance(article, Article)
    assert article.published_iso == "2015-09-18"
    assert article.published_has_time is False


def test_day_and_month_without_year_give_no_date() -> None:
    article = read(f"Titel der Meldung hier\n\n{BODY} Das Gespräch fand am 13. Mai statt, am Freitag.")
    assert isinstance(article, Article)
    assert article.published is None


def test_date_inside_running_text_is_not_the_publication_date() -> None:
    sentence = ("Der Vertrag war am 24. Februar 2022 von beiden Seiten in der Hauptstadt unterschrieben worden, "
                "wie das Ministerium mitteilte, und ist seitdem in Kraft.")
    article = read(f"Titel der Meldung hier\n\n{BODY}\n\n{BODY}x\n\n{sentence}\n\n{BODY}y")
    assert isinstance(article, Article)
    assert article.published is None


def test_explicit_field_wins_over_the_text() -> None:
    article = read(f"Titel der Meldung hier\n\nStand: 18.09.2015 18:35 Uhr\n\n{BODY}", published="2016-01-02")
    assert isinstance(article, Article)
    assert article.published_iso == "2016-01-02"


@pytest.mark.parametrize("value, expected", [
    ("2015-09-18", "2015-09-18T00:00:00+02:00"),
    ("2015-09-18T22:08:00+02:00", "2015-09-18T22:08:00+02:00"),
    ("Fri, 18 Sep 2015 20:08:00 +0000", "2015-09-18T20:08:00+00:00"),
    ("18.09.2015 22:08", "2015-09-18T22:08:00+02:00"),
])
def test_explicit_forms(value: str, expected: str) -> None:
    parsed = parse_explicit(value, KNOW, ZONE)
    assert parsed is not None
    assert parsed[0] == datetime.fromisoformat(expected)


@pytest.mark.parametrize("value", ["yesterday-ish", "Freitag", "13. Mai", "2015-13-45"])
def test_explicit_value_that_does_not_parse_is_a_problem(value: str) -> None:
    problem = read(f"Titel\n\n{BODY}", published=value)
    assert isinstance(problem, Problem)
    assert problem.field == "date" and problem.path == "d.txt"
