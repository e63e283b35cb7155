"""Page furniture out, article text in: each kind of furniture, the article's span, and what stays."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.knowledge import knowledge
from generator.model import Article, RawArticle
from generator.normalize import normalize_one

PARAGRAPH_1 = ("Die Verteidigungsminister der USA und Russlands haben über Möglichkeiten zur Beendigung des "
               "Bürgerkriegs in Syrien gesprochen, teilte das Ministerium am Abend in der Hauptstadt mit.")
PARAGRAPH_2 = ("Es war das erste Mal seit über einem Jahr, dass die Ressortchefs beider Länder direkt miteinander "
               "sprachen. Bei den meisten Punkten habe es nach Angaben aus Moskau Gemeinsamkeiten gegeben.")
PARAGRAPH_3 = ("Russland hatte sich zuletzt trotz der Spannungen mit dem Westen mehrfach dafür ausgesprochen, "
               "wegen der Bedrohung durch den IS die politischen Kontakte wiederzubeleben, hieß es weiter.")


def read(body: str, kind: str = "scrape") -> Article:
    article = normalize_one(RawArticle(input="t.txt", record=None, kind=kind, body=body), Config())  # type: ignore[arg-type]
    assert isinstance(article, Article)
    return article


def page(*lines: str) -> str:
    return "\n\n".join(lines)


def removed_reasons(article: Article) -> dict[str, str]:
    return {r.line: r.reason for r in article.removed}


def test_image_caption_with_credit_is_removed() -> None:
    article = read(page("Titel der Meldung hier", "Zerstörte Straße in Aleppo. | Bildquelle: AFP",
                        PARAGRAPH_1, PARAGRAPH_2))
    assert "Bildquelle" not in article.text
    assert removed_reasons(article)["Zerstörte Straße in Aleppo. | Bildquelle: AFP"] == "image caption or credit"


def test_caption_above_a_credit_line_goes_with_it() -> None:
    body = "\n".join(["Titel der Meldung hier", PARAGRAPH_1, "Der IS startete Angriffe auf Kobane.",
                      "(Foto: picture alliance / dpa)", PARAGRAPH_2])
    article = read(body)
    assert "Kobane" not in article.text and "picture alliance" not in article.text
    assert PARAGRAPH_2 in article.text


def test_lone_agency_credit_and_repeated_caption_go() -> None:
    caption = "Kerry, Lawrow in London (März 2014): Wegen der Krise liegen die Gespräche auf Eis"
    article = read(page("Titel der Meldung hier", PARAGRAPH_1, caption, "DPA", caption, PARAGRAPH_2))
    assert "DPA" not in article.text.split()
    assert caption not in article.text


def test_gallery_labels_and_cut_teasers_go() -> None:
    article = read(page("Titel der Meldung hier", PARAGRAPH_1, "Schoigu | Bildquelle: REUTERS\ngalerie",
                        "Der russische Verteidigungsminister und sein ...",
                        "... Amtskollege haben ein Gespräch geführt.", PARAGRAPH_2))
    assert "galerie" not in article.text and "..." not in article.text
    assert {"gallery label", "teaser cut off"} <= set(removed_reasons(article).values())


def test_share_widgets_and_ads_go() -> None:
    article = read(page("Titel der Meldung hier", "Diesen Artikel teilenKommentare", "Copy to clipboard",
                        PARAGRAPH_1, "WERBUNG", PARAGRAPH_2, "Anzeige", PARAGRAPH_3))
    for furniture in ("teilen", "clipboard", "WERBUNG", "Anzeige"):
        assert furniture not in article.text
    assert PARAGRAPH_3 in article.text


def test_related_links_end_the_article() -> None:
    article = read(page("Titel der Meldung hier", PARAGRAPH_1, PARAGRAPH_2, "Zum selben Thema",
                        "Nahost-Experte empfiehlt: Dialog mit Moskau wieder aufnehmen",
                        "Botschafter kündigt Gegenschlag an"))
    assert "Nahost-Experte" not in article.text and "Botschafter" not in article.text


def test_reader_comments_are_cut_with_their_headers() -> None:
    comments = "\n".join(["insgesamt 2 Beiträge", "Alle Kommentare öffnen", "palef 16.09.2015",
                          "1. ...auf geht's", "Da sollte man doch endlich einmal etwas unternehmen, sonst wird "
                          "das alles nie etwas mit dem Frieden in dieser Gegend, meint jedenfalls der Leser.",
                          "bert 17.09.2015", "2. Na sowas", PARAGRAPH_3.replace("Russland", "Der Leser")])
    article = read(page("Titel der Meldung hier", PARAGRAPH_1, PARAGRAPH_2, comments))
    assert "palef" not in article.text and "Frieden in dieser Gegend" not in article.text
    assert "Der Leser hatte" not in article.text
    assert article.published is None  # the comments' dates are not the article's


def test_footer_lines_go() -> None:
    article = read(page("Titel der Meldung hier", PARAGRAPH_1, PARAGRAPH_2,
                        "© SPIEGEL ONLINE 2015\nAlle Rechte vorbehalten\nVervielfältigung nur mit Genehmigung",
                        "TOP\nDie Homepage wurde aktualisiert. Jetzt aufrufen.\nHinweis nicht mehr anzeigen."))
    for furniture in ("SPIEGEL", "Rechte", "Vervielfältigung", "Homepage", "Hinweis"):
        assert furniture not in article.text


def test_menus_around_the_article_go_and_every_removal_has_a_reason() -> None:
    menu = "\n".join(["Startseite", "Politik", "Wirtschaft", "Sport", "Kultur", "Suche", "Login"])
    footer = "\n".join(["Impressum", "Datenschutz", "Kontakt", "Mediadaten", "AGB"])
    article = read(page("Titel der Meldung | Beispiel", menu, "Titel der Meldung", PARAGRAPH_1, PARAGRAPH_2,
                        footer))
    assert article.text == PARAGRAPH_1 + "\n\n" + PARAGRAPH_2
    assert article.title == "Titel der Meldung"
    assert all(r.reason for r in article.removed)
    assert {"Startseite", "Impressum", "Mediadaten"} <= {r.line for r in article.removed}


def test_line_broken_inside_a_sentence_is_joined() -> None:
    cut = PARAGRAPH_1.index(" ", 110)
    broken = PARAGRAPH_1[:cut] + "\n" + PARAGRAPH_1[cut + 1:]
    article = read(page("Titel der Meldung hier", broken, PARAGRAPH_2))
    assert PARAGRAPH_1 in [b.text for b in article.blocks]


def test_subheading_stays_as_a_heading() -> None:
    article = read(page("Titel der Meldung hier", PARAGRAPH_1, "Annäherung trotz Dissonanzen", PARAGRAPH_2))
    headings = [b.text for b in article.blocks if b.heading]
    assert headings == ["Annäherung trotz Dissonanzen"]


def test_teaser_repeating_the_body_goes() -> None:
    teaser = PARAGRAPH_1[:140]  # cut off mid-word, as teaser boxes are
    article = read(page("Titel der Meldung hier", teaser, "WERBUNG", PARAGRAPH_1, PARAGRAPH_2))
    assert article.text.count(PARAGRAPH_1[:60]) == 1
    assert "teaser repeating the body" in removed_reasons(article).values()


def test_extracted_bodies_only_lose_safe_furniture() -> None:
    body = "\n".join([PARAGRAPH_1, "Kurze Zeile", "Diesen Artikel teilen", PARAGRAPH_2])
    article = read(body, kind="record")
    assert "Kurze Zeile" in article.text  # a short line is not dropped from an extracted body
    assert "teilen" not in article.text


FURNITURE_WORDS = ["Foto: dpa", "(Bild: Anna Muster)", "Jetzt spenden", "Newsletter abonnieren", "Über den Autor",
                   "Anna Muster ist Redakteurin", "Mehr zum Thema", "© SPIEGEL ONLINE 2015", "Seite 2 von 3",
                   "Artikel teilen", "ANZEIGE", "Quelle: ntv.de", "12 Kommentare", "hul/dpa/AFP", "Zum selben Thema"]


@given(st.lists(st.one_of(st.sampled_from(FURNITURE_WORDS), st.text(alphabet=st.characters(max_codepoint=0xFF),
                                                                          max_size=12)), max_size=6),
       st.booleans())
@settings(max_examples=300, deadline=None)
def test_lower_case_rules_find_what_the_case_insensitive_ones_find(parts: list[str], upper: bool) -> None:
    """The fast form of a furniture rule (lowered line, no re.I) answers as the rule does on Latin-1 text."""
    text = " ".join(parts)
    text = text.upper() if upper else text
    for rule in knowledge().rules:
        assert rule.lower_case is not None  # every built-in rule is written so that it has the fast form
        fast, slow = rule.lower_case.search(text.lower()), rule.pattern.search(text)
        assert (fast and fast.span()) == (slow and slow.span())


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=0xFF) | st.sampled_from(" -'aZ"), max_size=40))
def test_latin_1_word_patterns_find_what_the_unicode_ones_find(text: str) -> None:
    from generator.lines import _FOLD_WORD, _FOLD_WORD_LATIN_1, _WORD, _WORD_LATIN_1
    assert _WORD_LATIN_1.findall(text) == _WORD.findall(text)
    assert _FOLD_WORD_LATIN_1.findall(text) == _FOLD_WORD.findall(text)


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=0xFF) | st.sampled_from("  -'’aZ1_\xad„“–€Ÿ"), max_size=40))
def test_fold_of_latin_1_text_is_its_words_single_spaced(text: str) -> None:
    """fold's way for Latin-1 text (bytes, no words cut out; quotes and dashes beyond Latin-1 read as spaces)
    gives what joining the words gives."""
    from generator.lines import _FOLD_WORD, fold
    assert fold(text) == " ".join(_FOLD_WORD.findall(text.replace("\xad", "").lower()))


@settings(max_examples=500)
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=4) |
                st.sampled_from(["der", "don't", " ", "-", "'", "a-b", "²", "ö", "1", "„", "“", "–", "’", "€"]),
                max_size=12))
def test_words_of_latin_1_text_are_counted_as_the_pattern_finds_them(parts: list[str]) -> None:
    """make_line's count of words and function words in Latin-1 text (as bytes; quotes and dashes beyond
    Latin-1 read as spaces) is what the pattern finds."""
    from generator.lines import _COMMON_BEYOND_LATIN_1, _WORD, _latin_1, _word_counts_latin_1
    lowered = "".join(parts).lower()
    latin_1 = _latin_1(lowered)
    if latin_1 is None:  # the pattern's way
        assert any(ord(c) > 0xFF and c not in _COMMON_BEYOND_LATIN_1 for c in lowered)
        return
    stopwords = {"der", "a", "don't", "ö", "b"}
    found = _WORD.findall(lowered)
    assert _word_counts_latin_1(latin_1, frozenset(w.encode("latin-1") for w in stopwords)) == \
        (len(found), sum(w in stopwords for w in found))


def test_the_common_characters_beyond_latin_1_neither_make_nor_join_words() -> None:
    import re

    from generator.lines import _COMMON_BEYOND_LATIN_1
    assert not re.search(r"[\w\-'’]", _COMMON_BEYOND_LATIN_1)
