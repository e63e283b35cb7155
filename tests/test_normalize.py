"""RawArticle -> Article: the seeds as an editor reads them, metadata from the text, bad input as Problems,
the cross-article date inference, and properties that hold for any input."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import Config, ConfigError, NormalizeConfig
from generator.infer import infer_dates
from generator.load import load, load_files
from generator.model import Article, Outlet, Problem, RawArticle
from generator.normalize import normalize, normalize_one
from generator.story import make_story

HERE = Path(__file__).parent
CONTENT = HERE.parent / "content"
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))["articles"]
BERLIN = ZoneInfo("Europe/Berlin")
BODY = ("Die Verteidigungsminister der USA und Russlands haben über Möglichkeiten zur Beendigung des "
        "Bürgerkriegs in Syrien gesprochen, teilte das Ministerium am Abend in der Hauptstadt mit.")


def fold(text: str | None) -> str:
    return " ".join((text or "").split())


def raw(body: str, kind: str = "scrape", **fields: str) -> RawArticle:
    return RawArticle(input="x.txt", record=None, kind=kind, body=body, **fields)  # type: ignore[arg-type]


def article(body: str, kind: str = "scrape", **fields: str) -> Article:
    result = normalize_one(raw(body, kind, **fields), Config())
    assert isinstance(result, Article), result
    return result


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    loaded = load(CONTENT, 10_000_000)
    articles, problems = normalize(loaded.articles, Config())
    assert problems == []
    return {a.input: a for a in articles}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_reads_as_the_editor_expects(seeds: dict[str, Article], name: str) -> None:
    want, got = EXPECTED[name], seeds[name]
    assert fold(want["title_contains"]) in fold(got.title)
    accepted = [str(o).lower() for o in [want["outlet"], *want["outlet_accept"]] if o]
    assert (got.outlet is None and want["outlet"] is None) or (got.outlet and got.outlet.name.lower() in accepted)
    assert got.language == want["language"]
    body = fold(got.text)
    for line in want["body_must_include"]:
        assert fold(line) in body
    for line in want["body_must_exclude"]:
        assert fold(line) not in body
    published = got.published.astimezone(BERLIN).replace(tzinfo=None).isoformat() if got.published else None
    allowed = [want["published"], *want["published_accept"]]
    assert (published is None and None in allowed) or any(w and published.startswith(w) for w in allowed)


def test_seed_metadata_from_signatures(seeds: dict[str, Article]) -> None:
    ntv = seeds["001_44bc83ae0ec5bf81.txt"]
    assert ntv.outlet == Outlet("n-tv", "n-tv.de")
    assert ntv.agencies == ("dpa", "AFP")
    assert ntv.published_has_time
    assert seeds["003_a4a93e3125bb3e93.txt"].agencies == ("AFP",)


def test_explicit_fields_win() -> None:
    got = article(f"Ein Titel im Text\n\n{BODY}\n\nQuelle: ntv.de", title="Gegebener Titel", outlet="Euronews",
                  language="fr", author="Anna Muster", url="https://www.spiegel.de/a.html")
    assert got.title == "Gegebener Titel"
    assert got.outlet == Outlet("Euronews", "spiegel.de")
    assert (got.language, got.author, got.url) == ("fr", "Anna Muster", "https://www.spiegel.de/a.html")


def test_outlet_from_url_domain() -> None:
    got = article(f"Titel hier\n\n{BODY}", kind="record", url="https://www.tagesschau.de/ausland/x.html")
    assert got.outlet == Outlet("tagesschau", "tagesschau.de")


def test_unknown_site_in_browser_title_names_the_outlet() -> None:
    got = article(f"Titel der Meldung | Lokalblatt Nord\n\nTitel der Meldung\n\n{BODY}")
    assert got.title == "Titel der Meldung"
    assert got.outlet == Outlet("Lokalblatt Nord")


def test_photo_credit_names_no_outlet() -> None:
    got = article(f"Titel der Meldung\n\nStraße in Aleppo | Bildquelle: REUTERS\n\n{BODY}")
    assert got.outlet is None


@pytest.mark.parametrize("text, language", [
    ("The defence ministers of the United States and Russia spoke on the phone for the first time in a year, "
     "the Pentagon said on Friday.", "en"),
    ("Les ministres de la Défense des États-Unis et de la Russie se sont entretenus au téléphone pour la "
     "première fois depuis un an.", "fr"),
    ("Los ministros de Defensa de Estados Unidos y Rusia hablaron por teléfono por primera vez en un año, "
     "informó el Pentágono.", "es"),
    ("I ministri della Difesa di Stati Uniti e Russia si sono parlati al telefono per la prima volta da un "
     "anno, ha detto il Pentagono.", "it"),
    (BODY, "de"),
])
def test_language_is_detected(text: str, language: str) -> None:
    assert article(f"Title\n\n{text}").language == language


def test_byline_gives_the_author_but_an_outlet_byline_does_not() -> None:
    assert article(f"Titel der Meldung\n\nVon Anna Muster\n\n{BODY}").author == "Anna Muster"
    euronews = article(f"Titel der Meldung\n\nVon Euronews\n\n{BODY}")
    assert euronews.author is None and euronews.outlet and euronews.outlet.name == "Euronews"


def test_dateline_agency_is_credited() -> None:
    got = article(f"Titel der Meldung\n\nBerlin (dpa) - {BODY}")
    assert got.agencies == ("dpa",)


def test_kicker_on_the_headline_line_is_split_where_the_browser_title_shows_the_headline() -> None:
    menu = "Startseite\nPolitik\nWirtschaft\nKultur"
    page = (f"Signa in Sorge um Finanzdaten und Berater | Zeitung\n{menu}\n\n"
            f"Immobilienkrise Signa in Sorge um Finanzdaten und Berater\n\n{BODY}\n\n{BODY}!")
    result = article(page)
    assert (result.title, result.kicker) == ("Signa in Sorge um Finanzdaten und Berater", "Immobilienkrise")
    assert "Immobilienkrise" not in result.text


def test_headline_reading_on_across_a_separator_keeps_its_first_words() -> None:
    menu = "Startseite\nPolitik\nWirtschaft\nKultur"
    page = (f"Zwei weitere Fälle bei den Spielen | Zeitung\n{menu}\n\n"
            f"Olympia 2022 - Zwei weitere Fälle bei den Spielen\n\n{BODY}\n\n{BODY}!")
    assert article(page).title == "Olympia 2022 - Zwei weitere Fälle bei den Spielen"


def test_headline_only_record_is_an_article() -> None:
    got = article("", kind="record", title="Nur eine Schlagzeile")
    assert got.title == "Nur eine Schlagzeile" and got.blocks == ()


def test_markdown_headings_become_heading_blocks() -> None:
    got = article(f"# Überschrift\n\n{BODY}\n\n## Zwischenzeile\n\n{BODY} Noch ein Satz.", kind="markdown",
                  title="Überschrift")
    assert [b.heading for b in got.blocks] == [False, True, False]
    assert got.blocks[1].text == "Zwischenzeile"


# Bad input: each gives one Problem that names the file and the reason.

@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"  \n\n", "empty file"),
    ("binary.txt", b"\x00\x01\x02binary", "not text"),
    ("broken.json", b'{"title": "x", ', "invalid JSON"),
    ("record.json", b'{"url": "https://example.org"}', "neither title nor text"),
    ("front.md", b"---\n- a\n- b\n---\nText", "must be a mapping"),
    ("picture.txt", b"\x89PNG\r\n\x1a\nrest", "PNG"),
])
def test_bad_input_is_one_problem(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    loaded = load_files([tmp_path / name], tmp_path, 1_000_000)
    assert loaded.articles == ()
    [problem] = loaded.problems
    assert problem.path == name and reason in problem.reason and problem.skipped


def test_file_over_the_size_limit_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 2000, encoding="utf-8")
    [problem] = load_files([tmp_path / "big.txt"], tmp_path, 1000).problems
    assert "too large" in problem.reason


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    [problem] = load_files([tmp_path / "missing.txt"], tmp_path, 1000).problems
    assert problem.path == "missing.txt" and "cannot read" in problem.reason


def test_unparsable_date_field_is_a_problem_and_the_rest_go_on() -> None:
    good, bad = raw(f"Titel\n\n{BODY}", kind="record"), raw(f"Titel\n\n{BODY}", kind="record", published="soon")
    articles, problems = normalize([good, bad], Config())
    assert len(articles) == 1
    [problem] = problems
    assert problem.field == "date" and "soon" in problem.reason


def test_user_patterns_file_extends_the_furniture(tmp_path: Path) -> None:
    patterns = tmp_path / "mine.toml"
    patterns.write_text('[[rule]]\nreason = "house ad"\nsafe = true\nwhole = true\npatterns = ["Kauf bei uns!"]\n',
                        encoding="utf-8")
    config = Config(normalize=NormalizeConfig(patterns_file=str(patterns)))
    got = normalize_one(raw(f"{BODY}\nKauf bei uns!\n{BODY}", kind="record", title="T"), config)
    assert isinstance(got, Article)
    assert "Kauf bei uns" not in got.text
    assert ("Kauf bei uns!", "house ad") in [(r.line, r.reason) for r in got.removed]


# The cross-article date inference, run after grouping.

def test_weekday_is_dated_from_the_story(seeds: dict[str, Article]) -> None:
    story = make_story([seeds[n] for n in sorted(seeds) if not n.startswith("004")])
    [inferred] = infer_dates((story,), Config())
    by_name = {a.input: a for a in inferred.articles}
    euronews = by_name["002_bd5ddea276f96437.txt"]
    assert euronews.published_iso == "2015-09-18"
    assert euronews.published_inferred and not euronews.published_has_time
    assert by_name["003_a4a93e3125bb3e93.txt"].published_iso in (None, "2015-09-16")
    assert by_name["000_a6002f4172cd5910.txt"].published_inferred is False


def test_story_without_dated_reports_is_left_alone(seeds: dict[str, Article]) -> None:
    story = make_story([seeds["004_8f32a72a094f26a5.txt"]])
    assert infer_dates((story,), Config()) == (story,)


def test_weekday_too_far_from_the_reports_is_not_used() -> None:
    dated = replace(article(f"Titel eins\n\n{BODY}"), id="a",
                    published=datetime(2015, 9, 18, 12, tzinfo=BERLIN), published_has_time=True)
    undated = replace(article(f"Titel zwei\n\n{BODY} Das geschah am Donnerstag vor zwei Wochen."), id="b")
    [story] = infer_dates((make_story([dated, undated]),), Config())
    assert {a.id: a.published_iso for a in story.articles}["b"] == "2015-09-17"


# Properties.

@settings(max_examples=150, deadline=None)
@given(st.text(max_size=3000))
def test_normalize_never_crashes_on_any_text(text: str) -> None:
    for kind in ("scrape", "markdown", "record"):
        result = normalize_one(raw(text, kind), Config())
        assert isinstance(result, (Article, Problem))


paragraph = st.lists(st.sampled_from(["Die", "Regierung", "hat", "am", "Abend", "in", "Berlin", "mit", "der",
                                      "Opposition", "über", "den", "Haushalt", "gesprochen", "und", "ist"]),
                     min_size=12, max_size=40).map(lambda words: " ".join(words) + ".")


@settings(max_examples=60, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=6))
def test_clean_markdown_article_is_stable(paragraphs: list[str]) -> None:
    first = article("\n\n".join(paragraphs), kind="markdown", title="Ein Titel")
    again = article(first.text, kind="markdown", title=first.title)
    assert again.text == first.text
    assert again.blocks == first.blocks


def test_user_outlets_file_extends_the_table(tmp_path: Path) -> None:
    outlets = tmp_path / "outlets.toml"
    outlets.write_text('[[outlet]]\nname = "Lokalblatt"\ndomains = ["lokalblatt.example"]\n'
                       'signatures = ["LOKALBLATT"]\n', encoding="utf-8")
    config = Config(normalize=NormalizeConfig(outlets_file=str(outlets)))
    signed = normalize_one(raw(f"Titel der Meldung\n\n{BODY}\n\n© LOKALBLATT 2024"), config)
    linked = normalize_one(raw(f"Titel\n\n{BODY}", kind="record", url="https://www.lokalblatt.example/x"), config)
    assert isinstance(signed, Article) and signed.outlet == Outlet("Lokalblatt", "lokalblatt.example")
    assert isinstance(linked, Article) and linked.outlet == Outlet("Lokalblatt", "lokalblatt.example")


def test_common_words_that_are_outlet_names_sign_nothing() -> None:
    got = article(f"Titel der Meldung\n\n{BODY}\n\nBild:\n\nStern\n\nWelt")
    assert got.outlet is None


def test_unreadable_or_broken_user_files_are_config_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[rule]]\nreason = "x"\npatterns = ["(unclosed"]\n', encoding="utf-8")
    for config in (NormalizeConfig(patterns_file=str(tmp_path / "missing.toml")),
                   NormalizeConfig(patterns_file=str(broken)),
                   NormalizeConfig(outlets_file=str(tmp_path / "missing-outlets.toml"))):
        with pytest.raises(ConfigError, match="normalize"):
            normalize_one(raw(f"Titel\n\n{BODY}"), Config(normalize=config))


def test_markdown_inline_marks_are_reduced_to_text() -> None:
    got = article(f"Ein **fetter** Satz mit [einem Link](https://example.org) und ![Bild](a.png), 2*3*4.\n\n"
                  f"- erster Punkt der Liste\n- zweiter Punkt der Liste\n\n{BODY}", kind="markdown", title="T")
    assert got.blocks[0].text == "Ein fetter Satz mit einem Link und , 2*3*4."
    assert [b.text for b in got.blocks[1:3]] == ["- erster Punkt der Liste", "- zweiter Punkt der Liste"]


@pytest.mark.parametrize("url", ["http://[::1", "http://[broken/x", "https://example.org:99999999/a"])
def test_broken_links_give_no_outlet_domain_and_no_crash(url: str) -> None:
    got = article(f"Titel\n\n{BODY}", kind="record", url=url)
    assert got.outlet is None or got.outlet.domain in (None, "example.org")
