"""Invariants of the grouping stage: partition, order independence, time, copies, headlines, the seeds."""
from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import features
from generator.build import workers
from generator.config import Config, GroupingConfig
from generator.group import group, group_with_memo
from generator.load import load
from generator.model import Article, Block, Story
from generator.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
CONFIG = GroupingConfig()

QUAKE = ("Earthquake of magnitude 6.4 strikes Albania near Durres",
         "An earthquake of magnitude 6.4 struck western Albania early on Tuesday, killing at least 21 people in "
         "the port city of Durres and the town of Thumane. Rescuers searched collapsed buildings for survivors.\n\n"
         "Prime Minister Edi Rama said the army had been deployed to help rescue teams in Durres.")
QUAKE_2 = ("Albania quake: rescuers dig for survivors in Durres and Thumane",
           "Rescue teams in Albania pulled survivors from the rubble of buildings in Thumane and Durres after the "
           "magnitude 6.4 earthquake. The death toll rose to 21, Prime Minister Edi Rama said.")
RATES = ("Reserve Bank of Australia cuts cash rate to record low of 0.75 per cent",
         "The Reserve Bank of Australia lowered its cash rate by a quarter point to 0.75 per cent on Tuesday, "
         "governor Philip Lowe said, citing slow wage growth and unemployment stuck at 5.3 per cent.")
RATES_2 = ("RBA governor Philip Lowe explains third rate cut to 0.75 per cent",
           "Philip Lowe, governor of the Reserve Bank of Australia, said the cut of the cash rate to 0.75 per cent "
           "was needed because unemployment had risen to 5.3 per cent and wage growth was slow.")
TRANSFER = ("Bayern Munich sign Philippe Coutinho on loan from Barcelona",
            "Bayern Munich have signed Brazil midfielder Philippe Coutinho on a season-long loan from Barcelona, "
            "with an option to buy him for 120 million euros, the German champions said on Monday.")


def when(year: int, month: int = 1, day: int = 1, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def article(key: str, title: str, text: str = "", published: datetime | None = None,
            language: str | None = "en") -> Article:
    return Article(id=key, input=f"{key}.txt", record=None, title=title, kicker=None, outlet=None, url=None,
                   published=published, published_has_time=published is not None, published_inferred=False,
                   language=language, author=None, agencies=(),
                   blocks=tuple(Block(p) for p in text.split("\n\n") if p))


def corpus() -> list[Article]:
    day = when(2019, 11, 26)
    return [
        article("quake-1", *QUAKE, published=day),
        article("quake-2", *QUAKE_2, published=when(2019, 11, 27)),
        article("quake-3", QUAKE[0]),  # headline only, undated
        article("rates-1", *RATES, published=when(2019, 10, 1)),
        article("rates-2", *RATES_2, published=when(2019, 10, 1, 18)),
        article("transfer", *TRANSFER, published=when(2019, 8, 19)),
    ]


def partition(stories: tuple[Story, ...]) -> list[list[str]]:
    return sorted(sorted(a.id for a in s.articles) for s in stories)


def story_with(stories: tuple[Story, ...], article_id: str) -> Story:
    return next(s for s in stories if any(a.id == article_id for a in s.articles))


def test_every_article_in_exactly_one_story() -> None:
    stories = group(corpus(), CONFIG)
    ids = [a.id for s in stories for a in s.articles]
    assert sorted(ids) == sorted(a.id for a in corpus())


def test_events_group_and_stay_apart() -> None:
    assert partition(group(corpus(), CONFIG)) == [
        ["quake-1", "quake-2", "quake-3"], ["rates-1", "rates-2"], ["transfer"]]


@settings(max_examples=25, deadline=None)
@given(st.permutations(corpus()))
def test_input_order_does_not_matter(articles: list[Article]) -> None:
    expected = group(corpus(), CONFIG)
    found = group(articles, CONFIG)
    assert partition(found) == partition(expected)
    assert [s.id for s in found] == [s.id for s in expected]


def test_file_names_do_not_matter() -> None:
    renamed = [replace(a, input=f"z/{len(corpus()) - n}.txt") for n, a in enumerate(corpus())]
    assert partition(group(renamed, CONFIG)) == partition(group(corpus(), CONFIG))


def test_output_is_deterministic() -> None:
    assert group(corpus(), CONFIG) == group(corpus(), CONFIG)


def test_same_text_years_apart_is_two_stories() -> None:
    old = article("old", *QUAKE, published=when(2015, 9, 18))
    new = article("new", *QUAKE, published=when(2022, 10, 21))
    assert partition(group([old, new], CONFIG)) == [["new"], ["old"]]


def test_undated_near_copy_joins_its_story() -> None:
    title, text = QUAKE
    copy = article("copy", title, text.replace("Tuesday", "Tuesday morning"))
    stories = group([*corpus(), copy], CONFIG)
    assert "copy" in [a.id for a in story_with(stories, "quake-1").articles]


def test_copies_are_detected_and_listed() -> None:
    copy = article("quake-copy", *QUAKE, published=when(2019, 11, 26, 15))
    story = story_with(group([*corpus(), copy], CONFIG), "quake-1")
    assert story.copies == (("quake-1", "quake-copy"),)
    assert all(len(g) >= 2 for s in group(corpus(), CONFIG) for g in s.copies)


def test_headline_only_articles_group() -> None:
    headlines = [article("a", "Earthquake of magnitude 6.4 kills 21 in Albania's Durres"),
                 article("b", "Albania earthquake: death toll in Durres rises to 21"),
                 article("c", "Philippe Coutinho joins Bayern Munich on loan from Barcelona")]
    assert partition(group(headlines, CONFIG)) == [["a", "b"], ["c"]]


def test_stories_explain_themselves() -> None:
    story = story_with(group(corpus(), CONFIG), "quake-1")
    assert len(story.links) == len(story.articles)
    founders = [link for link in story.links if link.matched_id is None]
    assert [link.article_id for link in founders] == [story.articles[0].id]
    assert all(link.shared for link in story.links if link.matched_id is not None)
    assert "Durres" in story.shared_terms and "Thumane" in story.shared_terms


def test_an_empty_corpus_has_no_stories() -> None:
    assert group([], CONFIG) == ()


def test_the_seeds_group_as_expected() -> None:
    config = Config()
    loaded = load(ROOT / "content", config.normalize.max_file_size)
    articles, _ = normalize(loaded.articles, config)
    expected = json.loads((ROOT / "tests" / "expected.json").read_text(encoding="utf-8"))["stories"]
    found = sorted(sorted(a.input for a in s.articles) for s in group(articles, config.grouping))
    assert found == sorted(sorted(names) for names in expected)


def test_a_developing_story_over_days_stays_one() -> None:
    first = article("day-1", "Wildfire near Canberra forces evacuation of Tharwa",
                    "A wildfire in the Orroral Valley near Canberra forced residents of Tharwa to leave their homes.",
                    published=when(2020, 1, 28))
    second = article("day-2", "Orroral Valley fire: Canberra declares state of emergency",
                     "The ACT declared a state of emergency as the Orroral Valley fire spread towards Tharwa and "
                     "Canberra's southern suburbs.", published=when(2020, 1, 31))
    third = article("day-3", "Canberra state of emergency: Orroral Valley fire contained",
                    "Firefighters contained the Orroral Valley fire; the ACT state of emergency stays in place.",
                    published=when(2020, 2, 3))
    assert partition(group([first, second, third], CONFIG)) == [["day-1", "day-2", "day-3"]]


def test_articles_in_any_script_group_without_error() -> None:
    texts = {"zh": "外交部长周三在日内瓦举行新一轮会谈，讨论停火协议。2024年3月4日",
             "ja": "外務大臣は水曜日にジュネーブで新たな協議を行った。2024年3月4日",
             "ar": "التقى وزراء الخارجية في جنيف يوم الأربعاء 4 مارس 2024", "xx": "Qwerty 2024 zxcv 3,5"}
    articles = [article(code, text[:8], text, language=code) for code, text in texts.items()]
    assert partition(group(articles, CONFIG)) == [["ar"], ["ja"], ["xx"], ["zh"]]


def test_drafts_made_in_other_processes_group_the_same(monkeypatch) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this system")
    config = Config()
    loaded = load(ROOT / "content", config.normalize.max_file_size)
    articles, _ = normalize(loaded.articles, config)
    alone = group(articles, config.grouping)
    monkeypatch.setattr(features, "LOT", 2)  # lots of two articles: every article is drafted in a worker
    here: list[int] = []  # drafts made in this process (a worker counts in its own copy)
    plain = features.draft
    monkeypatch.setattr(features, "draft", lambda *args: (here.append(1), plain(*args))[1])
    with workers(2) as pool:  # its processes fork with its first task: they find the articles in their memory
        if pool is None:
            pytest.skip("no processes to share the work among here")
        assert group_with_memo(articles, config.grouping, None, pool)[0] == alone
    assert not here
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        pool.submit(int).result()  # forked before: the articles are not in the workers' memory
        assert group(articles, config.grouping, pool) == alone
    assert len(here) == len(articles)  # each lot made in this process instead


def test_shingles_from_token_hashes_are_the_shingles_of_the_text() -> None:
    """draft's shingles (CRC-32 of each n-gram made from its tokens' CRC-32s) are those of ``features.shingles``,
    also where n-grams repeat, differ only in case, have fewer words than a shingle, or where two different
    n-grams have one CRC-32 (those two are counted apart)."""
    import zlib

    one, other = ("pwxkpijpm", "nvgtxmnde", "jwoe", "lyxgkmejü"), ("täa", "jjrw", "udvqkl", "ügzzyk")
    assert zlib.crc32(" ".join(one).encode()) == zlib.crc32(" ".join(other).encode())
    texts = [[*one, "Mitte", *other, "X", *one], ["Die", "die", "DIE", "die", "Die", "die", "Die"], [], ["a"],
             ["a", "b", "c"], ["ß", "SS", "ss", "straße", "STRASSE", "Straße"], ["İstanbul", "ǅ", "ﬃ", "σς", "Σ"] * 3,
             ["x" * 300, "y", "z", "w", "v"], (QUAKE[0] + " " + QUAKE[1]).split() * 2]
    vocabulary = features._Vocabulary("en", frozenset())
    for tokens in texts:
        made = features._shingles(tokens, vocabulary.numbered(tokens), vocabulary)
        assert made.dtype == features.shingles(tokens).dtype and made.tolist() == features.shingles(tokens).tolist()
    assert len(features.shingles(texts[0])) == 10  # 11 n-grams, one twice: the two with one hash both count


def test_minhash_is_the_least_of_each_permutation() -> None:
    """The signature is per slot min((a * x + b) mod p) over the hashes, in exact integers (numpy takes the
    remainder by shifts and adds), also for x next to where a * x is a multiple of p."""
    p, a, b = int(features._PRIME), features._PERM_A.tolist(), features._PERM_B.tolist()
    xs = [0, 1, 2, 0xFFFFFFFE, 0xFFFFFFFF, 123456789] + [min(k * p // a[0] + d, 0xFFFFFFFF)
                                                          for k in (1, 2, 1000) for d in (-1, 0, 1)]
    expected = [min((a[s] * x + b[s]) % p for x in xs) & 0xFFFFFFFF for s in range(features.SIGNATURE_SIZE)]
    assert features.minhash(np.array(sorted(set(xs)), dtype=np.uint64)).tolist() == expected


def test_mark_runs_from_the_data_file_are_this_unicode_versions_and_scanned_for_another(monkeypatch):
    """data/marks.toml spares each process the scan of 131k code points only where it was made for this Python's
    Unicode version (otherwise the scan decides), and the word pattern keeps Indic vowel signs in words."""
    import tomllib
    import unicodedata
    from importlib import resources

    data = tomllib.loads(resources.files("generator.data").joinpath("marks.toml").read_text(encoding="utf-8"))
    if data["unicode"] == unicodedata.unidata_version:
        assert features._mark_runs() == features._scan_marks()
    monkeypatch.setattr(unicodedata, "unidata_version", "0.0.0")
    monkeypatch.setattr(features, "_scan_marks", lambda: ((0x300, 0x36F),))
    assert features._mark_runs() == ((0x300, 0x36F),)
    assert features._marks(((0x300, 0x36F), (0x1D165, 0x1D169)), 0, 0x10000) == "\u0300-\u036f"
    assert features._marks(((0x300, 0x300), (0x1D165, 0x1D169)), 0x10000, 0x20000) == "\U0001d165-\U0001d169"
    assert features._TOKEN.findall("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]
