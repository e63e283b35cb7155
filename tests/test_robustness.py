"""Limits and fuzzing: whatever the content folder holds, the build takes bounded time and memory, says what it
left out in one Problem line each, and builds the rest.

Limits: files over the configured size, 10 MB lines, deep nesting in JSON and YAML, YAML aliases that multiply
("billion laughs"), numbers Python refuses, named pipes, devices and sockets, thousands of tiny files.
Properties (hypothesis): every reader turns any text into RawArticles and Problems and never raises; load turns
any bytes into the same; normalize never raises; group puts every article into exactly one story.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator import search
from generator.build import Paths, build
from generator.config import Config, NormalizeConfig
from generator.group import group
from generator.load import MAX_FIELD, MAX_LINE, load, read_file, vet
from generator.model import Article, Block, Outlet, Problem, RawArticle
from generator.normalize import normalize
from generator.readers import READERS, jsonrecords, markdown

from conftest import FIXED_NOW, write_files

GOOD = {"good.json": json.dumps({"title": "Gespräche in Genf", "date": "2024-05-01T10:00:00Z",
                                 "text": "Die Außenminister trafen sich am Mittwoch in Genf zu neuen Gesprächen."})}


def _reasons(content: Path, max_size: int = 1_000_000) -> dict[str, str]:
    loaded = load(content, max_size)
    assert [a.input for a in loaded.articles] == ["good.json"], "the good file is read beside the bad ones"
    return {p.path: p.reason for p in loaded.problems}


def test_file_over_the_configured_size_is_one_problem_and_the_rest_is_built(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", dict(GOOD, **{"big.txt": "Wort " * 30_000}))
    config = Config(normalize=NormalizeConfig(max_file_size=100_000))
    report = build(config, Paths(content, tmp_path / "site"), FIXED_NOW)
    assert [str(p) for p in report.problems] == ["big.txt: too large (150,000 bytes; the limit is 100,000); skipped"]
    assert report.articles == 1 and (tmp_path / "site" / "index.html").is_file()


@pytest.mark.parametrize("name, make", [
    ("line.txt", lambda line: "Titel\n\n" + line),
    ("line.md", lambda line: "---\ntitle: T\n---\n" + line),
    ("line.json", lambda line: json.dumps({"title": "T", "text": line})),
    ("line.jsonl", lambda line: json.dumps({"title": "T", "text": line}) + "\n"),
])
def test_ten_megabyte_line_is_one_problem(tmp_path: Path, name: str, make) -> None:
    content = write_files(tmp_path / "content", dict(GOOD, **{name: make("Wort " * 1_999_999 + "Ende.")}))
    [reason] = _reasons(content, 20_000_000).values()
    assert reason == f"a line of 10,000,000 characters (the limit is {MAX_LINE:,})"


def test_long_minified_json_export_is_fine(tmp_path: Path) -> None:
    """A JSON export on one line is no long line: the limit is on the lines of each article's text."""
    records = [{"title": f"Meldung {n}", "text": f"Text der Meldung {n}.\n\nZweiter Absatz."} for n in range(3000)]
    text = json.dumps(records)
    assert len(text) > MAX_LINE
    raws = read_file(write_files(tmp_path, {"export.json": text}) / "export.json", "export.json", 10_000_000)
    assert len(raws) == 3000 and all(isinstance(r, RawArticle) for r in raws)


@pytest.mark.parametrize("field", ["title", "source", "url", "author", "id", "date"])
def test_over_long_metadata_field_is_one_problem(tmp_path: Path, field: str) -> None:
    record = {"title": "T", "text": "Text.", field: "x" * (MAX_FIELD + 1)}
    content = write_files(tmp_path / "content", dict(GOOD, **{"long.json": json.dumps(record)}))
    [reason] = _reasons(content).values()
    assert reason == f"too long ({MAX_FIELD + 1:,} characters; the limit is {MAX_FIELD:,})"


@pytest.mark.parametrize("name, text, reason", [
    ("deep.json", "[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    ("deep.jsonl", '{"title": "T", "x": ' + "[" * 5_000 + "]" * 5_000 + "}\n", "JSON nested too deeply on line 1"),
    ("objects.json", '{"a":' * 70 + "1" + "}" * 70, "JSON nested too deeply"),
    ("digits.json", '{"title": ' + "9" * 5_000 + "}", "invalid JSON (a number too long to read)"),
    ("deep.md", "---\ntitle: " + "[" * 5_000 + "]" * 5_000 + "\n---\nText\n", "YAML nested too deeply"),
    ("date.md", "---\ntitle: T\ndate: 2024-01-01 10:00:00+99:00\n---\nText\n",
     "invalid YAML (a date or number out of range)"),
    ("year.md", "---\ntitle: T\ndate: 0000-01-01\n---\nText\n", "invalid YAML (a date or number out of range)"),
    ("huge.md", "---\ntitle: T\nx: " + "y" * 200_000 + "\n---\nText\n",
     "too long (200,013 characters; the limit is 100,000)"),
])
def test_nesting_and_numbers_that_break_parsers_are_one_problem(tmp_path: Path, name: str, text: str,
                                                                reason: str) -> None:
    content = write_files(tmp_path / "content", dict(GOOD, **{name: text}))
    assert _reasons(content) == {name: reason}


def test_yaml_billion_laughs_stay_small(tmp_path: Path) -> None:
    """Nine aliases of nine aliases ... eight deep would be 9^8 strings once joined; only two levels are read."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefg", "bcdefgh"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    text = "---\n" + "\n".join(lines) + "\ntitle: *h\nauthor: *a\noutlet: [*a, *b]\n---\nText\n"
    [raw] = markdown.read(text, "lol.md")
    assert raw.title is None and raw.author == ", ".join(["lol"] * 9) and len(raw.outlet or "") < 1000


def test_yaml_sets_and_binary_read_the_same_every_time() -> None:
    [raw] = markdown.read("---\ntitle: !!set {b, a, c}\nauthor: !!binary aGVsbG8=\n---\nText\n", "s.md")
    assert raw.title == "a, b, c" and raw.author is None


def _unblock(fifo: Path) -> None:
    """If a reader is stuck opening ``fifo``, opening its other end lets it go."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


def test_named_pipe_devices_and_sockets_are_problems_and_never_block(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", GOOD)
    os.mkfifo(content / "pipe.txt")
    (content / "zero.txt").symlink_to("/dev/zero")
    (content / "random.json").symlink_to("/dev/urandom")
    (content / "tty.md").symlink_to("/dev/tty")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(content / "socket.jsonl"))
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(_reasons(content)), daemon=True)
    worker.start()
    worker.join(60)
    if worker.is_alive():
        _unblock(content / "pipe.txt")
        pytest.fail("load blocked on a named pipe or device")
    server.close()
    assert result == {name: "not a regular file" for name in
                      ("pipe.txt", "random.json", "socket.jsonl", "tty.md", "zero.txt")}


def test_thousands_of_tiny_files_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/limits.py builds 100,000 of them; here 2,000 keep the suite fast (and no search index, which takes
    about 0.1 s a story page and is no limit of the load stage)."""
    monkeypatch.setattr(search, "available", lambda: False)
    files: dict[str, str | bytes] = {}
    for n in range(2_000):
        kind = 4 if n % 20 == 0 else n % 4
        files[f"{n // 500}/{n:05d}." + ("txt", "json", "md", "jsonl", "json")[kind]] = [
            b"", "{}", "---\n---\n", "\n", f'{{"title": "Kurze Meldung Nummer {n}", "language": "de"}}'][kind]
    content = write_files(tmp_path / "content", files)
    report = build(Config(), Paths(content, tmp_path / "site"), FIXED_NOW)
    assert report.articles == 100 and report.skipped == 1_900
    assert report.skipped == len(report.problems) and (tmp_path / "site" / "index.html").is_file()


# Properties: any input, no exception.

READER_FUNCTIONS = sorted(set(READERS.values()), key=lambda f: f"{f.__module__}.{f.__name__}")
TEXTY = st.text(st.characters(codec="utf-8"), max_size=400) | st.sampled_from([
    "---\ntitle: T\n---\nx", '{"title": "T", "text": "x"}', '[{"title": 1}, 2, null]', "<rss><channel><item>"
    "<title>T</title></item></channel></rss>", "<html><body><p>x</p></body></html>", "---\n: :\n---\n"])
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("reader", READER_FUNCTIONS, ids=lambda f: f"{f.__module__.split('.')[-1]}.{f.__name__}")
@FAST
@given(text=TEXTY)
def test_every_reader_takes_any_text(reader, text: str) -> None:
    items = reader(text, "fuzz.x")
    assert isinstance(items, list) and items
    assert all(isinstance(i, (RawArticle, Problem)) for i in items)


@FAST
@given(data=st.binary(max_size=600), suffix=st.sampled_from(sorted(READERS)))
def test_load_takes_any_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    (folder / f"x{suffix}").write_bytes(data)
    for item in read_file(folder / f"x{suffix}", f"x{suffix}", 10_000):
        assert isinstance(item, (RawArticle, Problem))
        if isinstance(item, RawArticle):
            assert item.url is None or item.url.startswith(("http://", "https://"))
            fields = (item.body, item.title, item.outlet, item.author, item.id, item.published, item.language)
            assert not any(ch in (v or "") for v in fields for ch in "\x00\x0b\x1b\ud800")


RAW = st.builds(
    RawArticle, input=st.sampled_from(["a.txt", "b.md", "c.json"]), record=st.none() | st.sampled_from(["1", "x"]),
    kind=st.sampled_from(["scrape", "markdown", "record", "html", "feed"]), body=TEXTY,
    title=st.none() | st.text(max_size=80), published=st.none() | st.text(max_size=30) | st.sampled_from(
        ["2024-01-02", "18.09.2015 18:35 Uhr", "Mon, 04 Mar 2024 10:00:00 +0100", "9999-99-99", "yesterday"]),
    outlet=st.none() | st.text(max_size=40), url=st.none() | st.sampled_from(["https://example.org/a", "http://x"]),
    author=st.none() | st.text(max_size=40), language=st.none() | st.text(max_size=5),
    id=st.none() | st.text(max_size=8))


@FAST
@given(raws=st.lists(RAW, max_size=4))
@example(raws=[RawArticle("a.txt", None, "scrape", ":\n:")])  # crashed title.py once
def test_normalize_takes_any_raw_article(raws: list[RawArticle]) -> None:
    vetted = [item for raw in raws for item in vet(raw) if isinstance(item, RawArticle)]
    articles, problems = normalize(vetted, Config())
    assert len(articles) + len(problems) == len(vetted)
    assert all(a.title or a.blocks for a in articles)


WORDS = st.sampled_from("Genf Gespräche Minister Berlin Waffenruhe Syrien Russland USA Wahl Ukraine Abkommen "
                        "talks Geneva ministers ceasefire 2024 18 Uhr die der und".split())
TEXT = st.lists(WORDS, min_size=1, max_size=30).map(" ".join) | st.text(max_size=60)
WHEN = st.none() | st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2025, 1, 1),
                                timezones=st.just(timezone.utc))


@st.composite
def articles(draw: st.DrawFn) -> list[Article]:
    made = []
    for n in range(draw(st.integers(0, 8))):
        outlet = draw(st.none() | st.sampled_from(["tagesschau", "Spiegel", "BBC", "dpa"]))
        made.append(Article(
            id=f"a{n}", input=f"{n}.json", record=None, title=draw(TEXT), kicker=None,
            outlet=Outlet(outlet) if outlet else None, url=None, published=draw(WHEN),
            published_has_time=draw(st.booleans()), published_inferred=False,
            language=draw(st.sampled_from(["de", "en", None])), author=None, agencies=(),
            blocks=tuple(Block(t) for t in draw(st.lists(TEXT, max_size=4)))))
    return made


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(made=articles())
def test_group_puts_every_article_in_exactly_one_story(made: list[Article]) -> None:
    stories = group(made, Config().grouping)
    placed = [a.id for s in stories for a in s.articles]
    assert sorted(placed) == sorted(a.id for a in made)
    assert len({s.id for s in stories}) == len(stories) and len({s.slug for s in stories}) == len(stories)


@pytest.mark.parametrize("language, text", [("zh", "外交部长周三在日内瓦举行新一轮会谈，讨论停火协议。2024年3月4日"),
                                            ("ja", "外務大臣は水曜日にジュネーブで新たな協議を行った。2024年3月4日")],
                         ids=["zh", "ja"])
def test_group_takes_an_article_in_chinese_or_japanese(language: str, text: str) -> None:
    """wordfreq needs jieba or MeCab to split these, which are no dependencies of ours."""
    article = Article(id=language, input="a.json", record=None, title=text[:8], kicker=None, outlet=None,
                      url=None, published=None, published_has_time=False, published_inferred=False,
                      language=language, author=None, agencies=(), blocks=(Block(text),))
    [story] = group([article], Config().grouping)
    assert story.articles == (article,)


@pytest.mark.parametrize("url", ["http://[x/a", "https://a:port/", "http://a:99999/", "https://user@/x"])
def test_links_urllib_cannot_take_apart_are_dropped(url: str) -> None:
    """Later stages (the outlet from the domain) split the link with urllib, which raises on these."""
    items = vet(RawArticle("a.json", None, "record", "Text.", title="T", url=url))
    assert items[0].url is None and "not an http(s) address" in items[1].reason


def test_html_reader_takes_stray_end_tags() -> None:
    """lxml's drop_tree, reached through trafilatura and htmldate, asserts on these."""
    items = READERS[".html"]("<video></p></article></body></html></html></html>", "x.html")
    assert all(isinstance(i, (RawArticle, Problem)) for i in items)


@pytest.mark.parametrize("published", ["2024-01-01T10:00:00+99:00", "Mon, 04 Mar 2024 10:00:00 +9999"])
def test_date_with_an_impossible_offset_does_not_fail_the_build(published: str) -> None:
    raw = RawArticle("a.json", None, "record", "Die Minister trafen sich in Genf.", title="T", published=published)
    articles, _ = normalize([raw], Config())
    assert all(a.published is None or a.published.timestamp() for a in articles)
    assert len(group(articles, Config().grouping)) == len(articles)
