"""GroupMemo's contract: whatever memo group_with_memo gets, its stories are those of a run without one."""
from __future__ import annotations

import pickle
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import GroupingConfig
from generator.group import GroupMemo, group, group_with_memo
from generator.model import Article, Block

CONFIG = GroupingConfig()
START = datetime(2021, 3, 1, 8, tzinfo=timezone.utc)

EVENTS = [
    ("en", "Earthquake of magnitude 6.4 strikes Albania near Durres",
     "An earthquake of magnitude 6.4 struck western Albania on Tuesday. At least 21 people died in Durres and "
     "Thumane. Rescuers searched collapsed buildings for survivors. Prime Minister Edi Rama deployed the army. "
     "Italy and Greece sent rescue teams to Durres."),
    ("en", "Reserve Bank of Australia cuts cash rate to 0.75 per cent",
     "The Reserve Bank of Australia lowered its cash rate to 0.75 per cent. Governor Philip Lowe cited slow wage "
     "growth. Unemployment stuck at 5.3 per cent. Economists expect another cut in February. The Australian "
     "dollar fell after the decision."),
    ("en", "Bayern Munich sign Philippe Coutinho on loan from Barcelona",
     "Bayern Munich signed Philippe Coutinho on loan from Barcelona. The option to buy him costs 120 million "
     "euros. Coutinho joined Barcelona from Liverpool. Bayern coach Niko Kovac welcomed the Brazilian. The loan "
     "runs for one season."),
    ("de", "Waldbrand bei Canberra: Bewohner von Tharwa fliehen",
     "Ein Waldbrand im Orroral Valley bei Canberra zwang die Bewohner von Tharwa zur Flucht. Die Feuerwehr "
     "kämpfte mit Löschflugzeugen gegen die Flammen. Canberra rief den Notstand aus. Der Rauch zog bis in die "
     "südlichen Vororte. Premierminister Scott Morrison besuchte Tharwa."),
    ("de", "Bundesaußenminister trifft Amtskollegen in Genf",
     "Der Bundesaußenminister traf seinen russischen Amtskollegen Sergej Lawrow in Genf. Die Außenminister "
     "sprachen über Syrien und die Ukraine. Lawrow forderte neue Gespräche. Ein Treffen in Moskau ist geplant. "
     "Die Gespräche dauerten drei Stunden."),
    ("en", "Russian and German foreign ministers meet in Geneva",
     "Sergej Lawrow met the German foreign minister in Geneva on Syria and Ukraine. The ministers talked for "
     "three hours. A meeting in Moscow is planned. Lawrow called for new talks. Geneva hosted the talks."),
]


def _sentences(text: str) -> list[str]:
    return [s.strip() + "." for s in text.split(".") if s.strip()]


def synthetic(number: int, seed: int) -> Article:
    """Article ``number`` of a reproducible stream: one event's headline and some of its sentences, now and then
    a sentence of another event; a date within three weeks, or none."""
    rng = random.Random(seed * 1000 + number)
    language, title, text = rng.choice(EVENTS)
    own = _sentences(text)
    rng.shuffle(own)
    body = own[:rng.randint(2, len(own))]
    if rng.random() < 0.3:
        body += _sentences(rng.choice(EVENTS)[2])[:1]
    published = None if rng.random() < 0.15 else START + timedelta(hours=rng.randrange(21 * 24))
    return Article(id=f"a{seed}-{number}", input=f"{seed}/{number}.txt", record=None, title=title, kicker=None,
                   outlet=None, url=None, published=published, published_has_time=published is not None,
                   published_inferred=False, language=language, author=None, agencies=(),
                   blocks=(Block(" ".join(body)),))


def edited(article: Article, seed: int) -> Article:
    """The same article with another text or date (same id)."""
    rng = random.Random(seed)
    if rng.random() < 0.5:
        return replace(article, published=START + timedelta(hours=rng.randrange(21 * 24)))
    return replace(article, blocks=(Block(article.text + " " + _sentences(rng.choice(EVENTS)[2])[0]),))


operations = st.lists(st.tuples(st.sampled_from(["add", "add", "remove", "edit"]), st.integers(0, 10 ** 6)),
                      min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(5, 60), operations)
def test_a_memo_gives_the_stories_of_a_run_without_one(seed: int, size: int, steps: list[tuple[str, int]]) -> None:
    articles = [synthetic(n, seed) for n in range(size)]
    stories, memo = group_with_memo(articles, CONFIG, None)
    assert stories == group(articles, CONFIG)
    following = size
    for operation, pick in steps:
        if operation == "add":
            articles.append(synthetic(following, seed))
            following += 1
        elif operation == "remove" and articles:
            articles.pop(pick % len(articles))
        elif articles:
            index = pick % len(articles)
            articles[index] = edited(articles[index], pick)
        memo = pickle.loads(pickle.dumps(memo))
        stories, memo = group_with_memo(articles, CONFIG, memo)
        assert stories == group(articles, CONFIG)


def test_a_memo_of_another_config_is_ignored() -> None:
    articles = [synthetic(n, 7) for n in range(25)]
    other = replace(CONFIG, threshold=0.3, max_days=3.0)
    _, memo = group_with_memo(articles, other, None)
    assert group_with_memo(articles, CONFIG, memo)[0] == group(articles, CONFIG)
    assert group_with_memo(articles, CONFIG, GroupMemo(other))[0] == group(articles, CONFIG)


def test_the_memo_holds_no_article() -> None:
    articles = [synthetic(n, 3) for n in range(20)]
    _, memo = group_with_memo(articles, CONFIG, None)
    blob = pickle.dumps(memo)
    assert b"generator.model\nArticle" not in blob and b"Article" not in blob
    assert len(memo.known) == len(articles)


def test_the_same_article_twice_groups_without_a_memo_to_reuse() -> None:
    articles = [synthetic(n, 5) for n in range(10)]
    twice = articles + [articles[0]]
    stories, memo = group_with_memo(twice, CONFIG, None)
    assert stories == group(twice, CONFIG)
    assert group_with_memo(articles, CONFIG, memo)[0] == group(articles, CONFIG)
