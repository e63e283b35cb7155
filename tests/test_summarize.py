"""The story digest: representative headline, extractive attributed summary, what each source adds, people and
places named by several sources, honest counts."""
from __future__ import annotations

from dataclasses import dataclass, field
from math import fsum

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.entities import mentions, named_by_several
from itertools import compress

from generator.sentences import ECHO, SAME_FACT, Overlap, Sentence, _echo_blocks, dice, echo_table, sentences, split
from generator.summarize import (REDUNDANT, REUSED_SOURCE, _candidate, _choose, representative_headline, summarize,
                                 text_groups)

from make import article, story


# The plain definitions that the summary's arrays keep to (generator/sentences.py, summarize.py).
@dataclass(slots=True)
class Echo:
    """How one sentence is echoed by the other texts of a story (texts named by their first article's id)."""

    best: dict[str, float] = field(default_factory=dict)  # text -> the highest Dice of any of its sentences
    same: set[str] = field(default_factory=set)  # texts with a sentence stating the same fact (SAME_FACT)
    echoed: set[str] = field(default_factory=set)  # texts with a sentence close to it (ECHO)


def echoes(sents: list[Sentence]) -> list[Echo]:
    """For each sentence, how the other texts echo it."""
    overlap = Overlap(sents)
    keys = overlap.texts
    if len(keys) < 2:  # no other text to echo any sentence
        return [Echo() for _ in sents]
    out = []
    for _, best, echoed, stated in _echo_blocks(overlap):
        for b, close, e, f in zip(best.tolist(), (best > 0.0).tolist(), echoed.tolist(), stated.tolist()):
            out.append(Echo(dict(compress(zip(keys, b), close)), set(compress(keys, f)), set(compress(keys, e))))
    return out


def same_fact(a: Sentence, b: Sentence, threshold: float = SAME_FACT) -> bool:
    """Two sentences state the same thing: enough shared content words, and at least three of them."""
    return len(a.terms & b.terms) >= 3 and dice(a.terms, b.terms) >= threshold


def _repeats(s: Sentence, c: Sentence) -> bool:
    """Whether ``s`` says nothing new beside ``c``: too close to it (REDUNDANT)."""
    return dice(s.terms, c.terms) >= REDUNDANT


CALL = "Die Verteidigungsminister Ashton Carter und Sergej Schoigu telefonierten 50 Minuten über den Krieg in Syrien."
CALL_2 = ("Ashton Carter und Sergej Schoigu haben 50 Minuten lang über den Krieg in Syrien telefoniert, "
          "teilte das Pentagon mit.")
PUTIN = "Kremlchef Wladimir Putin rief zu einer internationalen Koalition gegen den IS in Syrien auf."
PUTIN_2 = "Wladimir Putin hatte zuvor eine internationale Koalition gegen den IS in Syrien gefordert."
ONLY_A = "Pentagon-Sprecher Peter Cook sagte, Ziel sei es, eine Eskalation zwischen beiden Armeen zu verhindern."
ONLY_B = "In Latakia errichtet die russische Armee nach US-Angaben einen Luftwaffenstützpunkt mit 28 Kampfjets."
MOSCOW = "Das Verteidigungsministerium in Moskau erklärte, bei den meisten Punkten habe es Gemeinsamkeiten gegeben."
MOSCOW_2 = "In Moskau erklärte das Verteidigungsministerium, es habe bei den meisten Punkten Gemeinsamkeiten gegeben."


def _three():
    a = article("a", "Annäherung am Telefon", f"{CALL} {ONLY_A}\n\n{MOSCOW}", outlet="tagesschau", hours=0)
    b = article("b", "USA und Russland sprechen über Syrien", f"{CALL_2} {PUTIN}\n\n{ONLY_B}", outlet="n-tv", hours=3)
    c = article("c", "Russland und USA telefonieren über den Krieg in Syrien", f"{PUTIN_2} {MOSCOW_2}",
                outlet="Euronews", hours=5)
    return story(a, b, c)


def test_split_keeps_abbreviations_days_and_initials_together() -> None:
    text = ("Am 18. September sprach z.B. Dr. Müller mit George W. Bush. Er kam 2015. Dann ging er! "
            "Die USA hatten ihn eingefroren.Washington nannte das gut.")
    assert split(text) == ["Am 18. September sprach z.B. Dr. Müller mit George W. Bush.", "Er kam 2015.",
                           "Dann ging er!", "Die USA hatten ihn eingefroren.", "Washington nannte das gut."]


def test_summary_is_extractive_and_attributed_to_every_source_that_reports_it() -> None:
    s = _three()
    digest = summarize(s)
    texts = {a.id: a.text for a in s.articles}
    assert 3 <= len(digest.summary) <= 5
    for sentence in digest.summary:
        assert sentence.text in texts[sentence.sources[0].id]  # words of the first source, unchanged
    call = next(x for x in digest.summary if "Schoigu" in x.text)
    assert {a.id for a in call.sources} == {"a", "b"}
    putin = next(x for x in digest.summary if "Putin" in x.text)
    assert {a.id for a in putin.sources} == {"b", "c"}


def test_summary_draws_from_several_sources_without_repeating_itself() -> None:
    digest = summarize(_three())
    assert len({x.sources[0].id for x in digest.summary}) >= 2
    from generator.sentences import Sentence, terms
    sents = [Sentence(x.text, "", 0, terms(x.text, "de")) for x in digest.summary]
    for i, one in enumerate(sents):
        for other in sents[i + 1:]:
            assert not same_fact(one, other)


def test_what_each_source_adds_is_what_no_other_reports() -> None:
    digest = summarize(_three())
    assert ONLY_A in digest.adds["a"]
    assert ONLY_B in digest.adds["b"]
    everything = [t for adds in digest.adds.values() for t in adds]
    assert CALL not in everything and CALL_2 not in everything


def test_representative_headline_is_neither_first_nor_longest() -> None:
    s = _three()
    chosen = representative_headline(s)
    assert chosen.id == "c"  # shares most words with the others' titles and texts
    assert chosen is not s.articles[0]
    short = story(article("x", "Syrien", CALL), article("y", "Carter und Schoigu telefonieren über Syrien", CALL_2,
                                                        hours=1))
    assert representative_headline(short).id == "y"  # a one-word title says too little


def test_copies_of_one_wire_text_count_once() -> None:
    body = f"{CALL} {ONLY_A}"
    s = story(article("a", "Telefonat", body, outlet="Zeitung A", agencies=("dpa",)),
              article("b", "Telefonat", body, outlet="Zeitung B", hours=1, agencies=("dpa",)),
              article("c", "Anderes", f"{CALL_2} {ONLY_B}", outlet="Zeitung C", hours=2),
              copies=(("a", "b"),))
    digest = summarize(s)
    assert digest.reports == 2
    assert [tuple(a.id for a in g) for g in text_groups(s)] == [("a", "b"), ("c",)]
    assert digest.copies == {"a": ("b",), "b": ("a",)}
    assert ONLY_A in digest.adds["a"]  # unique against the other text, not against its own copy


def test_single_article_story_has_a_summary_and_no_adds() -> None:
    s = story(article("a", "Telefonat", f"{CALL} {ONLY_A} {MOSCOW}"))
    digest = summarize(s)
    assert [x.text for x in digest.summary] == [CALL, ONLY_A, MOSCOW]
    assert digest.adds == {}
    assert digest.reports == 1


def test_closeness_does_not_depend_on_the_order_the_texts_were_met_in() -> None:
    # 0.1 + 0.2 + 0.3 and 0.3 + 0.2 + 0.1 differ in the last bit, enough to decide a tie between two copies of one
    # sentence: the closeness of a sentence to the other texts is their exact sum (fsum), in whatever order.
    a, b = _three().articles[:2]
    forward = sentences(a) + sentences(b)
    backward = sentences(b) + sentences(a)
    ahead = echo_table(Overlap(forward)).closeness.tolist()
    behind = echo_table(Overlap(backward)).closeness.tolist()
    assert ahead == behind[len(sentences(b)):] + behind[:len(sentences(b))] and any(ahead)


def _echo_table_agrees(sents: list[Sentence]) -> None:
    table = echo_table(Overlap(sents))
    plain = echoes(sents)
    assert table.closeness.tolist() == [fsum(e.best.values()) for e in plain]
    assert table.stated.tolist() == [len(e.same) for e in plain]
    assert table.echoed.tolist() == [bool(e.echoed) for e in plain]
    assert table.same == {i: e.same for i, e in enumerate(plain) if e.same}


def test_the_summary_s_table_of_echoes_says_what_echoes_says() -> None:
    sents = [s for a in _three().articles for s in sentences(a)]
    _echo_table_agrees(sents)
    _echo_table_agrees([])
    _echo_table_agrees(sentences(_three().articles[0]))


def _plain_choose(sents: list[Sentence], texts: int, count: int) -> list[Sentence]:
    """The greedy choice, written plainly over ``echoes`` (the definition _choose keeps to the bit)."""
    def score(s: Sentence, echo: Echo) -> float:
        centrality = fsum(echo.best.values()) / (texts - 1) if texts > 1 else 0.0
        return (1 + len(echo.same)) * (0.5 + centrality) / (1 + 0.15 * s.position)

    fresh = [(s, score(s, e)) for s, e in zip(sents, echoes(sents)) if _candidate(s)]
    chosen: list[Sentence] = []
    while len(chosen) < count and fresh:
        used = {c.article_id for c in chosen}
        c, _ = max(fresh, key=lambda x: (x[1] * (REUSED_SOURCE if x[0].article_id in used else 1.0),
                                         -x[0].position, x[0].article_id))
        chosen.append(c)
        fresh = [(s, v) for s, v in fresh if s is not c and not _repeats(s, c)]
    return chosen


WORDS = ("Minister Syrien Moskau Armee Gespräch Koalition Pentagon Flugzeug Hafen Feuer Stadt Regierung "
         "Sprecher Angriff Waffenruhe Verhandlung").split()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9), min_size=1, max_size=6),
                min_size=1, max_size=4))
def test_the_summary_chooses_as_the_plain_greedy_choice_does(texts: list[list[list[str]]]) -> None:
    arts = [article(f"id{i}", f"Titel {i}", " ".join("Der " + " ".join(words) + " kam." for words in body),
                    hours=i) for i, body in enumerate(texts)]
    sents = [s for a in arts for s in sentences(a)]
    _echo_table_agrees(sents)
    overlap = Overlap(sents)
    candidate = np.array([_candidate(s) for s in sents], dtype=bool)
    for count in (1, 3, 5):
        fast = _choose(sents, overlap, echo_table(overlap), candidate, len(arts), count)
        assert [sents[i] for i in fast] == _plain_choose(sents, len(arts), count)


def test_echoes_compare_every_sentence_with_every_sentence_of_the_other_texts() -> None:
    sents = [s for a in _three().articles for s in sentences(a)]
    sents.append(Sentence("Kein Inhalt.", "c", 99, frozenset()))
    for s, echo in zip(sents, echoes(sents), strict=True):
        best: dict[str, float] = {}
        same, echoed = set(), set()
        for other in sents:
            count = len(s.terms & other.terms)
            if other.article_id == s.article_id or not count:
                continue
            score = 2 * count / (len(s.terms) + len(other.terms))
            best[other.article_id] = max(best.get(other.article_id, 0.0), score)
            if count >= 3 and score >= ECHO:
                echoed.add(other.article_id)
            if count >= 3 and score >= SAME_FACT:
                same.add(other.article_id)
        assert (echo.best, echo.same, echo.echoed) == (best, same, echoed)
    assert any(e.same for e in echoes(sents)) and echoes([]) == []


def test_people_and_places_named_by_several_sources() -> None:
    people, places = mentions("Verteidigungsminister Ashton Carter sprach in Moskau mit dem Islamischer Staat.")
    assert people == {"Ashton Carter"}
    assert places == {"Moskau"}
    named = named_by_several([
        "US-Verteidigungsminister Ashton Carter telefonierte mit Sergej Schoigu über Syrien.",
        "Carter sagte, das Gespräch über Syriens Zukunft sei gut gewesen.",  # surname alone, genitive
        "Nur hier: Angela Merkel in Berlin.",
    ])
    assert named.people == ("Ashton Carter",)
    assert named.places == ("Syrien",)


def test_a_surname_counts_only_as_a_whole_word() -> None:
    named = named_by_several([
        "Minister Karl Kowalski blieb.",
        "Kowalskis Sprecher schwieg.",  # genitive
        "Die Kowalskifamilie und Herr Kowalskii kamen nicht.",  # the surname inside longer words only
    ])
    assert named.people == ("Karl Kowalski",)
    named = named_by_several(["Minister Karl Kowalski blieb.", "Die Kowalskifamilie und Herr Kowalskii kamen."])
    assert named.people == ()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh XYZ.,!?ÄÖ\n-", min_size=0, max_size=300), min_size=1, max_size=4))
def test_any_text_gives_an_extractive_digest(bodies: list[str]) -> None:
    arts = [article(f"id{i}", f"Titel {i}", body or "x", hours=i) for i, body in enumerate(bodies)]
    s = story(*arts)
    digest = summarize(s)
    texts = {a.id: a.text for a in s.articles}
    assert digest.headline in s.articles
    for sentence in digest.summary:
        assert sentence.text in texts[sentence.sources[0].id]
    assert 1 <= digest.reports <= len(arts)


def test_echoes_worked_out_a_few_sentences_at_a_time_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import sentences as module
    sents = [s for a in _three().articles for s in sentences(a)]
    whole = echoes(sents)
    monkeypatch.setattr(module, "ROWS", 3)  # a big story's sentences go in blocks (memory: ROWS x sentences)
    assert echoes(sents) == whole and len(sents) > 3


def test_two_sentences_that_state_the_same_fact_are_too_close_for_one_summary() -> None:
    """The summary decides by closeness alone (REDUNDANT): it relies on every same fact being closer than that."""
    assert SAME_FACT > REDUNDANT
    a = Sentence("x", "a", 0, frozenset({"fire", "harbour", "mayor", "ship"}))
    b = Sentence("y", "b", 0, frozenset({"fire", "harbour", "mayor", "storm", "rain"}))
    assert same_fact(a, b) and _repeats(a, b)


def test_a_story_of_one_text_names_nobody_by_several_sources_and_echoes_nothing() -> None:
    one = story(article("a1", "Feuer im Hafen von Hamburg", "Angela Merkel besuchte Hamburg am Montag. "
                        "Angela Merkel sprach in Hamburg mit der Feuerwehr über den Brand im Hafen."))
    digest = summarize(one)
    assert digest.named.people == () and digest.named.places == ()
    assert all(e == Echo() for e in echoes(sentences(one.articles[0])))


def test_a_term_that_is_empty_would_still_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """terms() leaves out function words (None) and nothing else: a lemma '' (none is known) would still count."""
    from generator import sentences as module
    monkeypatch.setattr(module, "_TERMS", {})
    monkeypatch.setattr(module, "_term", lambda word, language: None if word == "und" else word.lower().strip("x"))
    assert module.terms("Hafen und Feuer", "de") == frozenset({"hafen", "feuer"})
    assert module.terms("xx und Hafen", "de") == frozenset({"", "hafen"})
    assert module.terms("Hafen und Feuer", "de") == frozenset({"hafen", "feuer"})


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZäÖ9ß. \t\n\u00a0\u2003\u1680ǅΣσ-")), max_size=60))
def test_names_count_the_words_after_the_first_that_begin_with_a_capital(text: str) -> None:
    from generator.summarize import _informative
    s = Sentence(text, "a", 0, frozenset())
    assert _informative(s) == sum(w[0].isupper() for w in text.split()[1:])
