"""Publication dates: explicit fields parsed strictly, the page's own date found in its text, no year invented."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.dates import dates_by_line, dates_in, parse_explicit, slash_order
from generator.knowledge import knowledge
from generator.lines import body_lines
from generator.model import Article, Problem, RawArticle
from generator.normalize import normalize_one
from generator.pagedate import candidates, layout

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
    ("26/12/2019 von revamp-it Webteam", "2019-12-26", False),
    ("30/10/23", "2023-10-30", False),
    ("veröffentlicht am 14 Feb ’20 | Kategorien", "2020-02-14", False),
    ("Author: Gàbor Muniér, Datum: 03.Mär.19", "2019-03-03", False),
    ("Lutz Molter2021-12-14T12:38:19+01:00", "2021-12-14T12:38", True),
    ("Dezember 14th, 2021|AKTUELLES", "2021-12-14", False),
    ("19.10.2019, 15:30 UhrAm 8. Spieltag", "2019-10-19T15:30", True),
])
def test_forms_of_a_date(text: str, day: str, has_time: bool) -> None:
    [found] = dates_in(text, 0, KNOW, ZONE)
    assert found.when.isoformat().startswith(day)
    assert found.has_time is has_time
    assert found.when.tzinfo is not None


def test_published_and_updated_dates_run_together_are_both_read() -> None:
    found = dates_in("Veröffentlicht am 10. Februar 20199. Februar 2019 von Heiko", 0, KNOW, ZONE)
    assert [f.when.date().isoformat() for f in found] == ["2019-02-10", "2019-02-09"]


def test_a_word_glued_to_the_time_is_not_read_as_am_or_pm() -> None:
    [found] = dates_in("19.10.2019, 15:30 UhrAm 8. Spieltag", 0, KNOW, ZONE)
    assert found.when.hour == 15
    assert "19.10.2019, 15:30 UhrAm 8. Spieltag"[found.end:].strip().startswith("Uhr")


def test_slashed_date_that_reads_both_ways_is_read_as_the_page_orders_them() -> None:
    assert dates_in("11/01/2021", 0, KNOW, ZONE) == []  # 11 January or 1 November: the line alone does not say
    assert slash_order(["Stand: 11/01/2021", "Vorher: 10/30/2021"]) == "md"
    assert slash_order(["Stand: 11/01/2021", "Vorher: 30/10/2021"]) == "dm"
    [found] = dates_in("11/01/2021", 0, KNOW, ZONE, order="md")
    assert found.when.date().isoformat() == "2021-11-01"


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


MENU = "\n".join(["Startseite", "Politik", "Wirtschaft", "Kultur", "Sport", "Wissen", "Reisen", "Auto", "Digital",
                  "Panorama"])
ARTICLE = f"{BODY}\n\n{BODY[::-1]}\n\n{BODY.upper()}"


def day_of(text: str) -> str | None:
    article = read(text)
    assert isinstance(article, Article)
    return article.published.date().isoformat() if article.published else None


def test_dateline_opening_the_first_paragraph_is_the_date() -> None:
    assert day_of(f"Titel der Meldung hier\n\nWien, 14. Dezember 2021 – {BODY}\n\n{BODY[::-1]}") == "2021-12-14"


def test_the_site_clock_far_above_the_headline_is_no_date() -> None:
    page = f"Titel der Meldung hier | Zeitung\nMittwoch, 26.02.2020\n{MENU}\n\nTitel der Meldung hier\n\n{ARTICLE}"
    assert day_of(page) is None


def test_a_reader_comment_gives_no_date() -> None:
    comment = "Karl sagt:\n24. November 2019 um 17:53 Uhr\nDas sehe ich anders, und zwar aus den folgenden Gründen."
    assert day_of(f"Titel der Meldung hier\n\n{ARTICLE}\n\n{comment}") is None


def test_the_articles_dateline_wins_over_dated_lines_below_it() -> None:
    below = "Lesen Sie auch\n\nAndere Meldung\n5. Januar 2016 um 20:20\n\nNoch eine Meldung\n7. Januar 2016 um 08:10"
    assert day_of(f"Titel der Meldung hier\n\n1. Januar 2016 von Anna\n\n{ARTICLE}\n\n{below}") == "2016-01-01"


def test_a_lone_dateline_below_the_article_is_its_date() -> None:
    assert day_of(f"Titel der Meldung hier\n\n{ARTICLE}\n\n15.12.2021\n\nImpressum") == "2021-12-15"


def test_a_range_of_dates_is_no_publication_date() -> None:
    assert day_of(f"Titel der Meldung hier\n\n09 Jan 2014 - 01 Jan 2017\n\n{ARTICLE}") is None


def test_a_members_registration_date_is_no_publication_date() -> None:
    assert day_of(f"Titel der Meldung hier\n\nMitglied seit 12.03.2015\n\n{ARTICLE}") is None


def test_a_list_of_dated_teasers_gives_no_date() -> None:
    teasers = "\n".join(f"Meldung Nummer {n}\n{n}. März 2020" for n in range(1, 6))
    assert day_of(f"Titel der Meldung hier\n\n{ARTICLE}\n\nMehr zum Thema\n{teasers}") is None


def test_the_date_of_an_event_is_no_publication_date() -> None:
    assert day_of(f"Titel der Meldung hier\n\nAb dem 8. Oktober 2020 im Kino\n\n{ARTICLE}") is None


def test_a_dateline_past_the_lead_and_the_byline_is_the_date() -> None:
    second = ("Bei der Erinnerung an die Verfolgten des Regimes waren viele Opfer lange unsichtbar, was erst in den "
              "letzten Jahren von der Forschung und den Gedenkstätten aufgearbeitet worden ist.")
    page = f"Titel der Meldung hier\n\n{BODY}\n\nAnna Muster\nVon Claudia Lindner\n\n27.1.2022 - {second}"
    assert day_of(page) == "2022-01-27"


def test_the_label_nearest_the_date_speaks_for_it() -> None:
    def scores(label_line: str) -> list[int]:
        page = f"Titel der Meldung hier\n\n{label_line}\n\n{ARTICLE}"
        lines = body_lines(page, "scrape", KNOW)
        dates = dates_by_line([line.text for line in lines], KNOW, ZONE)
        return [c.score for c in candidates(lines, dates, layout(lines, 0, 2, len(lines)), KNOW)]

    assert scores("Aktualisiert, veröffentlicht am 2.3.2020") > scores("Veröffentlicht, aktualisiert am 2.3.2020")
    assert scores("Veröffentlicht, ab dem 2.3.2020") == []  # an event's date is no candidate at all


def test_a_date_run_together_with_the_time_before_it_is_read() -> None:
    found = dates_in("2018-08-29 14:15:57 2018-06-22 10:20:0022.06.2018 10:20", 0, KNOW, ZONE)
    assert sorted(f.when.isoformat()[:16] for f in found) == ["2018-06-22T10:20", "2018-06-22T10:20",
                                                              "2018-08-29T14:15"]


def test_a_day_the_page_states_twice_wins_over_one_it_states_once() -> None:
    assert day_of(f"Titel der Meldung hier\n\n{ARTICLE}\n\n2018-08-29 14:15:57 2018-06-22 10:20\n\n{BODY}") is None
    twice = "2018-08-29 14:15:57 2018-06-22 10:20:0022.06.2018 10:20"
    assert day_of(f"Titel der Meldung hier\n\n{ARTICLE}\n\n{twice}\n\n{BODY}") == "2018-06-22"


def test_the_pages_last_change_is_its_date_where_nothing_better_is_stated() -> None:
    footer = "\n".join(["Impressum", "Datenschutz", "Kontakt"] * 6)
    changed = "Diese Seite wurde zuletzt am 29. Januar 2020 um 13:22 Uhr geändert."
    assert day_of(f"Titel der Meldung hier\n\n{ARTICLE}\n\n{footer}\n{changed}") == "2020-01-29"
    assert day_of(f"Titel der Meldung hier\n\n1. Januar 2016 von Anna\n\n{ARTICLE}\n\n{changed}") == "2016-01-01"
    other = "Aktualisiert am 3. Februar 2020"
    assert day_of(f"Titel der Meldung hier\n\n{ARTICLE}\n\n{changed}\n{other}") is None  # two changes disagree


def test_a_date_run_together_with_the_end_of_a_breadcrumb_above_the_headline_is_the_date() -> None:
    crumb = 'StartseiteKulturfragen"Wir dekorieren auf der Titanic die Liegestühle um"{}01.05.2017'
    page = "Titel der Meldung hier | Zeitung\nMittwoch, 26.02.2020\n{}\n{}\nTitel der Meldung hier\n\n{}"
    assert day_of(page.format(MENU, crumb.format(""), ARTICLE)) == "2017-05-01"  # the site's clock no rival
    assert day_of(page.format(MENU, crumb.format(" am "), ARTICLE)) is None  # a sentence's date


def test_the_site_clock_is_no_rival_of_a_fair_dateline() -> None:
    page = f"Titel der Meldung hier | Zeitung\nMittwoch, 26.02.2020\n{MENU}\n\nTitel der Meldung hier\n\n{ARTICLE}"
    lines = body_lines(page, "scrape", KNOW)
    dates = dates_by_line([line.text for line in lines], KNOW, ZONE)
    title = next(i for i, line in enumerate(lines) if i > 0 and line.text == "Titel der Meldung hier")
    [clock] = candidates(lines, dates, layout(lines, title, title + 1, len(lines)), KNOW)
    assert clock.score <= -1


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(list("0129./’'‘ aÄ-٢")), max_size=14))
def test_the_year_filter_finds_a_year_where_the_plain_pattern_does(text: str) -> None:
    """dates._YEAR, written to open with a digit, says of every line what its plain spelling says."""
    from generator.dates import _YEAR
    plain = re.compile(r"(?:19|20)\d\d|\d[./]\d{1,2}[./]\d\d|\.\d\d(?<=[^\W\d_]\.\d\d)|[’'‘]\d\d")
    assert bool(_YEAR.search(text)) == bool(plain.search(text))
