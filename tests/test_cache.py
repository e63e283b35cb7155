"""Incremental builds: a rebuild reads only what changed, keeps unchanged files as they are (same bytes, inode and
mtime), and writes the very site a clean build writes; a cache that cannot be used means a clean build."""
from __future__ import annotations

import dataclasses
import os
import pickle
import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from generator import cache, inputs, model, search, units
from generator.build import Paths, build, site_files
from generator.config import Config
from generator.export import stories_json as export_stories_json
from generator.render import render_site, stories_json
from generator.units import Collect
from generator.site import make_site

from conftest import CONTENT, FIXED_NOW

WORDS = ("Regierung Minister Gespräche Berlin Genf Waffenruhe Abkommen Wahl Parlament Opposition Haushalt Steuer "
         "Hochwasser Feuerwehr Polizei Gericht Urteil Klage Streik Bahn Flughafen Energie Preise Inflation Zinsen "
         "Bank Börse Export Industrie Werk Gewerkschaft Schule Universität Studie Klima Hitze Dürre Ernte Wald "
         "Brand Sturm Küste Hafen Grenze Gemeinde Stadtrat Brücke Museum Konzert Verein Trainer Finale").split()
OUTLETS = ("tagesschau", "Spiegel Online", "n-tv", "Zeit Online", "FAZ", "taz")


def article(title: str, words: list[str], when: str, outlet: str, n: int) -> str:
    paragraphs = [f"Die {' und '.join(words[i:i + 5])} stehen im Mittelpunkt der Meldung {n}." for i in (0, 5, 10)]
    return (f"---\ntitle: {title}\noutlet: {outlet}\ndate: {when}\nlanguage: de\n---\n" + "\n\n".join(paragraphs)
            + "\n")


def make_corpus(folder: Path, count: int, seed: int = 1) -> None:
    """``count`` articles of random words, each a story of its own, one per day through 2024."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        words = rng.sample(WORDS, 15)
        (folder / f"{seed}-{n:04d}.md").write_text(
            article(" ".join(rng.sample(WORDS, 6)), words, f"2024-{1 + n % 12:02d}-{1 + n % 28:02d} {n % 24:02d}:00",
                    rng.choice(OUTLETS), n), encoding="utf-8")


def age(folder: Path) -> None:
    """Date the files of ``folder`` back: a file modified just before a build may change again within the same
    mtime tick, so the build hashes it rather than trusting its size and mtime."""
    for path in folder.rglob("*"):
        os.utime(path, (1_600_000_000, 1_600_000_000))


def files_of(site: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file of ``site``: its bytes, inode and mtime."""
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            info = path.stat()
            out[path.relative_to(site).as_posix()] = (path.read_bytes(), info.st_ino, info.st_mtime_ns)
    return out


def clean_build(content: Path, folder: Path) -> dict[str, bytes]:
    """The site a build without any cache makes of ``content``: path -> bytes."""
    build(Config(), Paths(content, folder / "site"), FIXED_NOW, use_cache=False)
    return {path: data for path, (data, _, _) in files_of(folder / "site").items()}


def bytes_of(site: Path) -> dict[str, bytes]:
    return {path: data for path, (data, _, _) in files_of(site).items()}


def redirects(files: dict[str, bytes]) -> set[str]:
    """The folders of the redirect pages among ``files``."""
    return {p[: -len("index.html")] for p, data in files.items() if b'http-equiv="refresh"' in data}


def without_redirects(files: dict[str, bytes]) -> dict[str, bytes]:
    folders = redirects(files)
    return {p: d for p, d in files.items() if not any(p.startswith(f) for f in folders)}


def sharded_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """A built corpus of 40 articles whose memos are saved in shards, as a large corpus's are: content, site and
    cache folder."""
    monkeypatch.setattr(cache, "SHARD_FROM", 2)
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 40)
    age(content)
    build(Config(), Paths(content, site), FIXED_NOW)
    return content, site, cache.folder(site)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the content files each build reads from disk."""
    seen: list[str] = []
    real = inputs.read_one

    def spy(path: Path, name: str, old_sha: str | None, config: Config):  # type: ignore[no-untyped-def]
        seen.append(name)
        return real(path, name, old_sha, config)
    monkeypatch.setattr(inputs, "read_one", spy)
    return seen


def test_rebuild_without_changes_reads_nothing_and_touches_nothing(tmp_path: Path, reads: list[str]) -> None:
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 24)
    age(content)
    build(Config(), Paths(content, site), FIXED_NOW)
    assert len(reads) == 24
    before = files_of(site)
    reads.clear()
    report = build(Config(), Paths(content, site), FIXED_NOW)
    assert reads == [] and report.articles == 24
    assert files_of(site) == before, "every file the same: bytes, inode and mtime"


def test_a_rebuild_rewrites_only_the_cache_shards_whose_entries_changed(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 24)
    age(content)
    build(Config(), Paths(content, site), FIXED_NOW)
    where = cache.folder(site)

    def shards() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in where.glob("inputs-*")}
    before = shards()
    assert before
    build(Config(), Paths(content, site), FIXED_NOW)
    assert shards() == before, "no content changed: no shard saved again"
    (content / "new.md").write_text(article("Sturm an der Küste", ["Orkan", "Deich", "Sturmflut"] * 3,
                                            "2024-06-15 12:00", "taz", 99), encoding="utf-8")
    build(Config(), Paths(content, site), FIXED_NOW)
    after = shards()
    rewritten = [name for name in after if before.get(name) != after[name]]
    assert rewritten == [f"inputs-{cache._shard('new.md'):02d}"]


def test_one_new_article_is_the_only_file_read_and_only_what_shows_it_changes(tmp_path: Path,
                                                                               reads: list[str]) -> None:
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 30)
    age(content)
    build(Config(), Paths(content, site), FIXED_NOW)
    before = files_of(site)
    reads.clear()
    new = content / "new.md"
    new.write_text(article("Sturm an der Küste", ["Orkan", "Deich", "Sturmflut", "Nordsee", "Insel"] * 3,
                           "2024-06-15 12:00", "taz", 99), encoding="utf-8")
    build(Config(), Paths(content, site), FIXED_NOW)
    assert reads == ["new.md"]
    after = files_of(site)
    changed = sorted(p for p in after if p not in before or before[p] != after[p])
    untouched = [p for p in after if p in before and before[p] == after[p]]
    assert any(p.startswith("stories/sturm-an-der-kuste") for p in changed)
    assert "index.html" in changed and "stories.json" in changed
    assert len(untouched) > len(changed), changed
    assert all(before[p][0] != after[p][0] for p in changed if p in before), "a file that changed has new bytes"
    assert bytes_of(site) == clean_build(content, tmp_path / "clean")


def test_rebuild_after_additions_edits_and_deletions_equals_a_clean_build(tmp_path: Path, reads: list[str]) -> None:
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 30)
    age(content)
    build(Config(), Paths(content, site), FIXED_NOW)
    make_corpus(content / "more", 5, seed=7)  # five new articles in a sub-folder
    (content / "1-0003.md").unlink()  # one deleted
    edited = content / "1-0004.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Meldung", "Nachricht"), encoding="utf-8")
    retitled = content / "1-0005.md"
    text = retitled.read_text(encoding="utf-8").splitlines()
    retitled.write_text("\n".join(["---", "title: Ein neuer Titel"] + text[2:]) + "\n", encoding="utf-8")
    (content / "broken.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")  # a problem
    reads.clear()
    report = build(Config(), Paths(content, site), FIXED_NOW)
    assert sorted(reads) == sorted({"1-0004.md", "1-0005.md", "broken.md"} | {f"more/7-{n:04d}.md" for n in range(5)})
    assert [p.path for p in report.problems] == ["broken.md"]
    built = bytes_of(site)
    assert redirects(built), "the story whose title changed has a new address; the old one leads there"
    assert without_redirects(built) == clean_build(content, tmp_path / "clean")
    clean = site_files(Config(), Paths(content, tmp_path / "x"), FIXED_NOW)[0]
    assert {f.path: f.content for f in clean} == {p: d for p, d in without_redirects(built).items()
                                                  if p != ".newsdigest-site"}


def _cache_files(site: Path) -> list[Path]:
    return sorted(p for p in cache.folder(site).iterdir() if p.is_file())


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "outdated", "unreadable", "wrong value"])
def test_a_cache_that_cannot_be_used_means_a_clean_build(tmp_path: Path, reads: list[str], damage: str) -> None:
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 12)
    config = Config()
    build(config, Paths(content, site), FIXED_NOW)
    main = cache.folder(site) / "main"
    if damage == "garbage":
        for path in _cache_files(site):
            path.write_bytes(os.urandom(200))
    elif damage == "truncated":
        main.write_bytes(main.read_bytes()[:-100])
    elif damage == "foreign":  # a cache of another output folder, copied over
        other = tmp_path / "other" / "site"
        build(config, Paths(content, other), FIXED_NOW)
        for path in _cache_files(site):
            path.unlink()
        for path in _cache_files(other):
            (cache.folder(site) / path.name).write_bytes(path.read_bytes())
    elif damage == "outdated":  # made with another config: the tool's version hash differs
        config = Config(site_title="Anders")
    elif damage == "unreadable":
        main.unlink()
        main.mkdir()
    else:  # a valid file whose payload is not a cache state
        version = cache.version(config, content, site, None)
        cache._save_file(main, version, cache.dumps(["not", "a", "state"]))
    reads.clear()
    build(config, Paths(content, site), FIXED_NOW)
    assert len(reads) == 12, "every file read again"
    assert bytes_of(site) == {p: d for p, d in bytes_of(site).items()}
    build(config, Paths(content, tmp_path / "clean" / "site"), FIXED_NOW, use_cache=False)
    assert bytes_of(site) == bytes_of(tmp_path / "clean" / "site")


def test_no_cache_reads_everything(tmp_path: Path, reads: list[str]) -> None:
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 10)
    build(Config(), Paths(content, site), FIXED_NOW)
    reads.clear()
    build(Config(), Paths(content, site), FIXED_NOW, use_cache=False)
    assert len(reads) == 10


def test_a_changed_output_file_is_made_again(tmp_path: Path) -> None:
    """The cache says a page is unchanged; somebody edited it in the output folder: the build restores it."""
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 10)
    build(Config(), Paths(content, site), FIXED_NOW)
    expected = bytes_of(site)
    page = next(site.glob("stories/*/index.html"))
    page.write_text("edited", encoding="utf-8")
    (site / "feed.xml").unlink()
    build(Config(), Paths(content, site), FIXED_NOW)
    assert bytes_of(site) == expected


def test_two_outputs_keep_two_caches(tmp_path: Path) -> None:
    content = tmp_path / "content"
    make_corpus(content, 6)
    build(Config(), Paths(content, tmp_path / "site-a"), FIXED_NOW)
    build(Config(), Paths(content, tmp_path / "site-b"), FIXED_NOW)
    assert cache.folder(tmp_path / "site-a") != cache.folder(tmp_path / "site-b")
    assert cache.folder(tmp_path / "site-a").parent == tmp_path / cache.FOLDER
    assert all(_cache_files(tmp_path / s) for s in ("site-a", "site-b"))


def test_normalizing_in_parallel_gives_the_same_result_in_the_same_order(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.build import workers
    content = tmp_path / "content"
    make_corpus(content, 40)
    (content / "bad.md").write_text("---\ndate: 2024-99-99\n---\nText ohne Titel.\n", encoding="utf-8")
    serial = inputs.read_content(content, Config())
    monkeypatch.setattr(inputs, "PARALLEL_FROM", 4)
    with workers(2) as pool:
        if pool is None:
            pytest.skip("no processes to share the work among here")
        parallel = inputs.read_content(content, Config(), pool=pool, parallel=2)
    assert parallel.articles == serial.articles and parallel.problems == serial.problems
    assert [parallel.key_of(a) for a in parallel.articles] == [serial.key_of(a) for a in serial.articles]


def test_stories_json_from_cached_entries_is_what_export_writes() -> None:
    site_config = Config()
    sink = Collect()
    files = site_files(site_config, Paths(CONTENT, Path("unused")), FIXED_NOW)
    stories = files[1]
    render_site(sink, stories, site_config, FIXED_NOW)
    made = next(f for f in sink.files if f.path == "stories.json")
    from generator.site import front_page_order
    from generator.summarize import summarize
    site = make_site(stories, site_config, FIXED_NOW)
    ordered = front_page_order(site, stories)
    assert made == export_stories_json(site, ordered, {s.id: summarize(s) for s in ordered})
    empty = make_site((), site_config, FIXED_NOW)
    assert stories_json(empty, []) == export_stories_json(empty, (), {})


def test_search_is_split_by_month_and_a_new_month_leaves_the_others_untouched(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if not search.available():
        pytest.skip("pagefind is not installed")
    monkeypatch.setattr(search, "SHARD_FROM", 2)
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 24)  # January to December 2024
    build(Config(), Paths(content, site), FIXED_NOW)
    page = (site / "search" / "index.html").read_text(encoding="utf-8")
    shards = page.split('data-shards="')[1].split('"')[0].split()
    assert shards == sorted(set(shards), reverse=True) and {f"2024-{m:02d}" for m in range(2, 13)} <= set(shards)
    assert all((site / "pagefind" / s / "pagefind-entry.json").is_file() for s in shards)
    before = files_of(site)
    (content / "new.md").write_text(article("Neu", WORDS[:15], "2025-01-05 10:00", "taz", 1), encoding="utf-8")
    build(Config(), Paths(content, site), FIXED_NOW)
    after = files_of(site)
    assert any(p.startswith("pagefind/2025-01/") for p in after)
    old_index = [p for p in before if p.startswith("pagefind/2024-")]
    assert old_index and all(after[p] == before[p] for p in old_index), "the other months' indexes untouched"
    assert bytes_of(site) == clean_build(content, tmp_path / "clean")


def test_render_keys_tell_stories_apart() -> None:
    stories = site_files(Config(), Paths(CONTENT, Path("unused")), FIXED_NOW)[1]
    keys = {units.story_key(s) for s in stories}
    assert len(keys) == len(stories)
    story = stories[0]
    from dataclasses import replace
    other = replace(story, articles=(replace(story.articles[0], title="Anders"),) + story.articles[1:])
    assert units.story_key(other) != units.story_key(story)


def test_cache_files_are_checked_before_they_are_read(tmp_path: Path) -> None:
    version = "v1"
    path = tmp_path / "file"
    cache._save_file(path, version, cache.dumps({"a": 1}))
    assert cache._load_file(path, version) == {"a": 1}
    with pytest.raises(ValueError):
        cache._load_file(path, "v2")
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(ValueError):
        cache._load_file(path, version)
    assert cache.load(tmp_path, version) is None


def test_no_leftovers_but_the_cache(tmp_path: Path) -> None:
    content = tmp_path / "content"
    make_corpus(content, 5)
    site = tmp_path / "out" / "site"
    for _ in range(2):
        build(Config(), Paths(content, site), FIXED_NOW)
    assert sorted(p.name for p in site.parent.iterdir()) == [cache.FOLDER, "site"]
    assert datetime.now(timezone.utc) > FIXED_NOW


REPORT = ("Der Orkan Zeynep hat an der Nordseeküste schwere Schäden angerichtet. Auf der Insel Sylt brach ein Deich, "
          "die Feuerwehr evakuierte drei Dörfer. Die Sturmflut erreichte in Husum einen Pegel von drei Metern. "
          "Der Landrat sprach von der schwersten Sturmflut seit Jahrzehnten.")


def _report(folder: Path, name: str, day: int, title: str) -> None:
    (folder / name).write_text(f"---\ntitle: {title}\noutlet: taz\ndate: 2024-02-{day:02d} 10:00\nlanguage: de\n---\n"
                               f"{REPORT} Meldung vom {day}. Februar.\n", encoding="utf-8")


def test_a_story_that_gets_an_earlier_report_keeps_its_old_address_as_a_redirect(tmp_path: Path) -> None:
    """The earliest report gives a story its id and address; an earlier report that arrives later takes them
    over. The old address leads to the story (without JavaScript), and the old story feed lives on."""
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    content.mkdir()
    _report(content, "b.md", 20, "Sturmflut an der Nordsee")
    _report(content, "c.md", 21, "Schwere Schäden nach Sturmflut")
    make_corpus(content, 4)
    build(Config(), Paths(content, site), FIXED_NOW)
    old = [p for p in bytes_of(site) if p.startswith("stories/sturmflut-an-der-nordsee-")]
    assert old, sorted(bytes_of(site))
    folder = old[0].rsplit("/", 1)[0] + "/"
    old_feed = (site / folder / "atom.xml").read_text(encoding="utf-8")
    feed_id = old_feed.split("<id>")[1].split("</id>")[0]
    _report(content, "a.md", 19, "Orkan Zeynep trifft die Küste")
    build(Config(), Paths(content, site), FIXED_NOW)
    new = [p for p in bytes_of(site) if p.startswith("stories/orkan-zeynep-trifft-die-kuste-") and p.endswith("x.html")]
    assert new, "the story has the earlier report's address now"
    page = (site / folder / "index.html").read_text(encoding="utf-8")
    target = "../../" + new[0][: -len("index.html")]
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
    assert f'<link rel="canonical" href="{target}">' in page and f'<a href="{target}">' in page
    assert (site / folder / target / "index.html").resolve().is_file(), "the redirect leads to the story"
    feed = (site / folder / "atom.xml").read_text(encoding="utf-8")
    assert feed.split("<id>")[1].split("</id>")[0] == feed_id, "the old feed keeps its id"
    assert "Orkan Zeynep" in feed, "and carries the story's entries"
    assert folder not in (site / "sitemap.xml").read_text(encoding="utf-8")
    build(Config(), Paths(content, site), FIXED_NOW)
    assert (site / folder / "index.html").read_text(encoding="utf-8") == page, "the register remembers it"
    assert without_redirects(bytes_of(site)) == clean_build(content, tmp_path / "clean")


def test_large_memo_dicts_are_saved_in_shards_and_come_back_in_their_order(tmp_path: Path) -> None:
    entries = {f"key {n}": f"entry {n}" for n in reversed(range(3 * cache.SHARD_FROM))}
    state = cache.State(render=units.RenderMemo(entries=entries), written={"a.html": cache.Written(1, 2, 3)})
    cache.save(tmp_path, "v", state)
    assert len(list(tmp_path.glob("render.entries-*"))) > 1 and not list(tmp_path.glob("render.units-*"))
    loaded = cache.load(tmp_path, "v")
    assert loaded is not None and list(loaded.render.entries.items()) == list(entries.items())
    assert loaded.written == state.written
    (tmp_path / f"render.entries-{cache._shard('key 7'):02d}").unlink()
    assert cache.load(tmp_path, "v") is None, "a missing shard means no cache"


def test_saving_again_rewrites_just_the_shards_that_gained_lost_or_changed_an_entry(tmp_path: Path) -> None:
    entries = {f"key {n}": f"entry {n}" for n in range(4 * cache.SHARD_FROM)}
    cache.save(tmp_path, "v", cache.State(render=units.RenderMemo(entries=dict(entries))))

    def shard(key: str) -> str:
        return f"render.entries-{cache._shard(key):02d}"

    def saved_again(change) -> tuple[set[str], dict]:  # type: ignore[no-untyped-def]
        loaded = cache.load(tmp_path, "v")
        assert loaded is not None
        before = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("render.entries-*")}
        now = change(dict(loaded.render.entries))
        cache.save(tmp_path, "v", cache.State(render=units.RenderMemo(entries=now),
                                              loaded_shards=loaded.loaded_shards, loaded_parts=loaded.loaded_parts))
        after = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("render.entries-*")}
        again = cache.load(tmp_path, "v")
        assert again is not None and list(again.render.entries.items()) == list(now.items())
        return {name for name in after.keys() | before.keys() if before.get(name) != after.get(name)}, now

    rewritten, _ = saved_again(lambda d: d)
    assert rewritten == set(), "nothing changed: nothing written"
    rewritten, _ = saved_again(lambda d: {**d, "key 5": "changed", "a new key": "new"})
    assert rewritten == {shard("key 5"), shard("a new key")}
    rewritten, _ = saved_again(lambda d: {k: v for k, v in d.items() if k != "key 9"})
    assert rewritten == {shard("key 9")}
    rewritten, _ = saved_again(lambda d: {k: v.encode().decode() for k, v in d.items()})  # equal copies
    assert rewritten == set()
    first, *middle, last = list(entries)
    rewritten, _ = saved_again(lambda d: {k: ("new first" if k == first else v) for k, v in d.items()
                                          if k != middle[3]} | {last: "new last"})
    assert rewritten == {shard(first), shard(middle[3]), shard(last)}

    def insert(d: dict) -> dict:  # a new key between others, as a new article sorts among the old ones
        items = list(d.items())
        return dict(items[:100] + [("inserted", "x")] + items[100:])
    rewritten, _ = saved_again(insert)
    assert rewritten == {shard("inserted")}
    moved = middle[50]
    rewritten, _ = saved_again(lambda d: {k: v for k, v in d.items() if k != moved} | {moved: d[moved]})
    assert shard(moved) in rewritten, "a key that moved: its shard is saved in its new order"
    rewritten, _ = saved_again(lambda d: dict(reversed(d.items())))  # another order: every shard compared
    assert len(rewritten) > 1


def test_a_rebuild_with_memos_in_shards_rewrites_few_and_equals_a_clean_build(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    content, site, where = sharded_build(tmp_path, monkeypatch)
    before = {p.name: p.stat().st_mtime_ns for p in where.iterdir() if p.is_file()}
    assert any(name.startswith("group.") for name in before) and any(name.startswith("render.") for name in before)
    words = ["Orkan", "Deich", "Sturmflut", "Nordsee", "Insel"] * 3
    (content / "new.md").write_text(article("Sturm an der Küste", words, "2024-06-15 12:00", "taz", 99),
                                    encoding="utf-8")
    build(Config(), Paths(content, site), FIXED_NOW)
    after = {p.name: p.stat().st_mtime_ns for p in where.iterdir() if p.is_file()}
    rewritten = [name for name in after if before.get(name) != after[name]]
    assert len(rewritten) < len(after) // 2, rewritten
    assert bytes_of(site) == clean_build(content, tmp_path / "clean")
    (content / "new.md").unlink()
    build(Config(), Paths(content, site), FIXED_NOW)
    assert bytes_of(site) == clean_build(content, tmp_path / "clean2")


def test_word_lists_kept_in_the_cache_answer_as_the_libraries_do(tmp_path: Path) -> None:
    from generator import lookups
    frequencies = {"haus": 1e-4, "bundesaußenministerin": 2e-8, "x" * 40: 3e-9, "ä": 5e-6, "": 1.0}
    words = lookups.SortedWords(frequencies)
    cache.save(tmp_path, "v", cache.State())
    cache._save_file(tmp_path / "list.test", "v", cache.dumps(words))
    assert cache.load(tmp_path, "v") is not None
    kept = lookups.kept("test", lambda: pytest.fail("built again although kept"))
    assert all(kept.get(w, 0.0) == v for w, v in frequencies.items())
    assert kept.get("häuser", 0.0) == 0.0 and kept.get("hau", 0.5) == 0.5 and kept.get("y" * 40, 0.0) == 0.0
    (tmp_path / "list.test").write_bytes(b"damaged")
    assert lookups.kept("test", lambda: "built") == "built"


def test_a_table_answers_what_earlier_builds_asked_without_the_dictionary(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import lookups
    asked: list[str] = []
    table = lookups.Table("test-table", lambda word, language: asked.append(word) or word.upper())
    try:
        assert table("haus", "de") == "HAUS" and asked == ["haus"]
        cache.save(tmp_path, "v", cache.State())
        table.known.clear()
        assert cache.load(tmp_path, "v") is not None
        assert table("haus", "de") == "HAUS" and asked == ["haus"], "answered from the saved table"
        assert table("baum", "de") == "BAUM" and asked == ["haus", "baum"]
        assert lookups.grew()
    finally:
        del lookups.TABLES["test-table"]


def test_the_grouping_keys_kept_from_the_build_that_read_a_file_are_content_keys(tmp_path: Path) -> None:
    from generator.regroup import content_key
    content = tmp_path / "content"
    make_corpus(content, 8)
    age(content)
    first = inputs.read_content(content, Config())
    os.utime(content / "1-0002.md")  # touched, same bytes: read again, its old entry stands
    again = inputs.read_content(content, Config(), first.inputs, 2**62)
    assert again.read == 1
    for read in (first, again):
        assert len(read.group_keys) == len(read.articles) == 8
        assert [read.group_key_of(a) for a in read.articles] == [content_key(a) for a in read.articles]


def test_arrays_come_back_from_the_cache_as_they_were() -> None:
    import numpy as np
    arrays = [np.arange(5.0), np.zeros(0), np.array([1, 2], dtype=">u4"), np.arange(12).reshape(3, 4),
              np.arange(10)[::2], np.array(["a", None], dtype=object), np.array([2**40], dtype=np.int64)]
    for before, after in zip(arrays, cache.loads(cache.dumps(arrays))):
        assert type(after) is np.ndarray and after.dtype == before.dtype and after.shape == before.shape
        assert np.array_equal(before, after) and after.flags.writeable
    assert b"frombuffer" in cache.dumps(np.arange(5.0))  # a flat array is saved as its bytes, not by numpy's reduce


def test_a_rebuild_loads_only_the_draft_shards_it_looks_into(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, site, where = sharded_build(tmp_path, monkeypatch)
    drafts = sorted(p.name for p in where.glob("group.drafts-*"))
    assert len(drafts) > 8
    opened: list[str] = []
    real = cache._load_file
    monkeypatch.setattr(cache, "_load_file", lambda path, version: opened.append(path.name) or real(path, version))
    words = ["Orkan", "Deich", "Sturmflut", "Nordsee", "Insel"] * 3
    (content / "new.md").write_text(article("Sturm an der Küste", words, "2024-06-15 12:00", "taz", 99),
                                    encoding="utf-8")
    build(Config(), Paths(content, site), FIXED_NOW)
    assert len([name for name in opened if name.startswith("group.drafts-")]) < len(drafts) // 2, opened
    assert bytes_of(site) == clean_build(content, tmp_path / "clean")
    (content / "new.md").unlink()
    build(Config(), Paths(content, site), FIXED_NOW)
    assert bytes_of(site) == clean_build(content, tmp_path / "clean2")


def test_a_draft_shard_damaged_after_the_cache_was_loaded_never_makes_a_wrong_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, site, where = sharded_build(tmp_path, monkeypatch)
    for path in where.glob("group.drafts-*"):  # the header stands (checked on load); the payload does not
        data = path.read_bytes()
        path.write_bytes(data[:-20] + bytes(20))
    first = sorted(content.glob("*.md"))[0]
    first.unlink()  # a removed article's draft is looked up: lost, so the grouping starts afresh
    (content / "new.md").write_text(article("Sturm an der Küste", ["Orkan", "Deich"] * 8, "2024-06-15 12:00",
                                            "taz", 99), encoding="utf-8")
    build(Config(), Paths(content, site), FIXED_NOW)
    assert bytes_of(site) == clean_build(content, tmp_path / "clean")
    assert all(cache._load_file(path, cache.version(Config(), content, site, None)) for path in
               where.glob("group.drafts-*")), "the fresh grouping's drafts saved whole again"
    (content / "new.md").unlink()
    build(Config(), Paths(content, site), FIXED_NOW)
    assert bytes_of(site) == clean_build(content, tmp_path / "clean2")


def test_lazy_parts_read_as_the_dict_they_were_saved_from(tmp_path: Path) -> None:
    drafts = {(f"digest {n}", "de"): f"draft {n}" for n in range(3 * cache.SHARD_FROM)}
    memo = units.RenderMemo(entries={"a": b"x"})
    state = cache.State(render=memo, written={"a.html": cache.Written(1, 2, 3)})
    cache.save(tmp_path, "v", state)
    lazy = cache.Lazy(tmp_path, "v", "group.drafts", ())
    assert dict(lazy) == {} and lazy.get(("digest 1", "de")) is None
    from generator.config import GroupingConfig
    from generator.regroup import GroupMemo
    state = cache.State(group=GroupMemo(GroupingConfig(), drafts=drafts))
    cache.save(tmp_path, "v", state)
    loaded = cache.load(tmp_path, "v")
    assert loaded is not None and isinstance(loaded.group.drafts, cache.Lazy)
    assert dict(loaded.group.drafts) == drafts and loaded.group.drafts[("digest 7", "de")] == "draft 7"
    changed = loaded.group.drafts.updated({("digest new", "en"): "new"}, [("digest 7", "de")])
    assert ("digest 7", "de") not in changed and changed[("digest new", "en")] == "new"
    assert loaded.group.drafts[("digest 7", "de")] == "draft 7", "the copy changes, not the original"
    again = cache.load(tmp_path, "v")
    assert again is not None
    cache.save(tmp_path, "v", cache.State(group=dataclasses.replace(again.group, drafts=changed)))
    final = cache.load(tmp_path, "v")
    assert final is not None
    expected = {k: v for k, v in drafts.items() if k != ("digest 7", "de")} | {("digest new", "en"): "new"}
    assert dict(final.group.drafts) == expected


def test_a_lazy_shard_found_damaged_finds_nothing_and_the_cache_is_not_saved(tmp_path: Path) -> None:
    from generator.config import GroupingConfig
    from generator.regroup import GroupMemo
    drafts = {(f"digest {n}", "de"): f"draft {n}" for n in range(3 * cache.SHARD_FROM)}
    cache.save(tmp_path, "v", cache.State(group=GroupMemo(GroupingConfig(), drafts=drafts)))
    loaded = cache.load(tmp_path, "v")
    assert loaded is not None
    key = ("digest 3", "de")
    shard = tmp_path / f"group.drafts-{cache._shard(key):02d}"
    shard.write_bytes(shard.read_bytes()[:-5] + b"xxxxx")
    assert loaded.group.drafts.get(key) is None and loaded.group.drafts.damaged
    cache.save(tmp_path, "v", loaded)
    assert not (tmp_path / "main").exists() and cache.load(tmp_path, "v") is None


def test_while_the_shards_of_a_cache_are_saved_there_is_no_main(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    content, site, where = sharded_build(tmp_path, monkeypatch)
    (content / "new.md").write_text(article("Sturm", ["Orkan", "Deich"] * 8, "2024-06-15 12:00", "taz", 99),
                                    encoding="utf-8")
    saved: list[tuple[str, bool]] = []
    real = cache._save_file
    monkeypatch.setattr(cache, "_save_file", lambda path, version, payload: saved.append(
        (path.name, (where / "main").exists())) or real(path, version, payload))
    build(Config(), Paths(content, site), FIXED_NOW)
    assert saved[-1][0] == "main" and len(saved) > 1
    assert not any(held for name, held in saved), "a kill while shards are written leaves no cache"
    assert cache.load(where, cache.version(Config(), content, site, None)) is not None


def test_an_article_body_comes_back_from_the_cache_when_read_and_as_it_was() -> None:
    body = (model.Block("Erster Absatz."), model.Block("Zwischentitel", heading=True), model.Block("Zweiter."))
    article = model.Article("a1", "a.md", None, "Titel", None, None, None, None, False, False, "de", None, (),
                            body)
    loaded = cache.loads(cache.dumps(cache.State(inputs={"a.md": cache.Input(1, 2, "s", (), (article,))})))
    again = loaded.inputs["a.md"].items[0]
    assert type(again.blocks) is cache.Blocks and again.blocks._blocks is None, "not read yet"
    assert again == article and article == again and hash(again) == hash(article) and repr(again) == repr(article)
    assert again.blocks == body and body == again.blocks and list(again.blocks) == list(body)
    assert len(again.blocks) == 3 and again.blocks[1].heading and again.text == article.text
    assert pickle.loads(pickle.dumps(again)) == article, "as the render's workers get it"
    assert cache.loads(cache.dumps(again)).blocks == body, "saved again as it was loaded"
    assert again.blocks != body[:2] and again.blocks != list(body)


def test_a_story_lead_comes_from_the_cache_without_reading_the_body() -> None:
    from generator.story import lead_of, make_story
    long = "Ein langer erster Absatz, der weit mehr als vierzig Zeichen hat und daher die Einleitung ist. " * 5
    body = (model.Block("Kurz.", heading=True), model.Block(long), model.Block("Zweiter Absatz."))
    article = model.Article("a1", "a.md", None, "Titel", None, None, None, None, False, False, "de", None, (),
                            body)
    loaded = cache.loads(cache.dumps(cache.State(inputs={"a.md": cache.Input(1, 2, "s", (), (article,))})))
    again = loaded.inputs["a.md"].items[0]
    assert make_story([again]).lead == make_story([article]).lead == lead_of(article)
    assert lead_of(article).endswith(" …") and len(lead_of(article)) <= 322
    assert again.blocks._blocks is None, "the lead came with the body, not from it"
    twice = cache.loads(cache.dumps(again))  # saved again as it was loaded (unread): the lead stays with it
    assert twice.blocks.lead == lead_of(article) and pickle.loads(pickle.dumps(again)).blocks.lead == lead_of(article)
    assert lead_of(again, 30) == lead_of(article, 30) and len(lead_of(article, 30)) < 40, "another length: read"


def test_a_build_keeps_what_it_loaded_and_made_only_when_asked_and_until_the_next_build(tmp_path: Path) -> None:
    from generator import build as building
    content, site = tmp_path / "content", tmp_path / "out" / "site"
    make_corpus(content, 6)
    build(Config(), Paths(content, site), FIXED_NOW, keep=True)
    first = list(building._LOADED)
    assert first, "kept: freeing them as the build returns is work the command skips"
    build(Config(), Paths(content, site), FIXED_NOW, keep=True)
    assert building._LOADED and not any(old is new for old in first for new in building._LOADED)
    build(Config(), Paths(content, site), FIXED_NOW)  # a long-lived caller (serve): nothing stays behind
    assert building._LOADED == []
