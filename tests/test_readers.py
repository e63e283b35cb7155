"""The input formats: Markdown with front matter, JSON, JSON Lines, and which files are content at all."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.load import load
from generator.model import Problem, RawArticle
from generator.readers import jsonrecords, markdown

from conftest import write_files


def _ok(items: list) -> list[RawArticle]:
    assert all(isinstance(i, RawArticle) for i in items), items
    return items


def test_markdown_front_matter_fields() -> None:
    text = ("---\ntitle: Ein Titel\ndate: 2015-09-18 18:35\nsource: tagesschau\nurl: https://example.org/a\n"
            "author: Anna Beispiel\nlanguage: de\nid: a-1\n---\nDer Text.\n")
    [raw] = _ok(markdown.read(text, "a.md"))
    assert (raw.title, raw.outlet, raw.url, raw.author, raw.language, raw.id) == (
        "Ein Titel", "tagesschau", "https://example.org/a", "Anna Beispiel", "de", "a-1")
    assert raw.published == "2015-09-18 18:35" and raw.kind == "markdown" and raw.body.strip() == "Der Text."


def test_markdown_published_and_outlet_names() -> None:
    [raw] = _ok(markdown.read("---\ntitle: T\npublished: 2020-01-02\noutlet: Der Bund\n---\nx\n", "b.md"))
    assert raw.published == "2020-01-02" and raw.outlet == "Der Bund"


def test_markdown_without_front_matter_is_read() -> None:
    [raw] = _ok(markdown.read("# Heading\n\nText.\n", "c.md"))
    assert raw.title is None and "Text." in raw.body


def test_front_matter_that_is_not_a_mapping_is_a_problem() -> None:
    [problem] = markdown.read("---\n- a\n- b\n---\nText\n", "d.md")
    assert isinstance(problem, Problem)
    assert str(problem) == "d.md: 'front matter': must be a mapping, not list; skipped"


def test_invalid_yaml_is_a_problem() -> None:
    [problem] = markdown.read("---\ntitle: [unclosed\n---\nText\n", "e.md")
    assert isinstance(problem, Problem) and "invalid YAML" in problem.reason


def test_json_object_with_news_please_fields() -> None:
    text = ('{"title": "T", "maintext": "Body.", "date_publish": "2021-03-04 05:06:07", '
            '"source_domain": "example.org", "url": "https://example.org/x", "authors": ["A", "B"], "language": "en"}')
    [raw] = _ok(jsonrecords.read_json(text, "n.json"))
    assert (raw.body, raw.published, raw.outlet, raw.author, raw.record) == (
        "Body.", "2021-03-04 05:06:07", "example.org", "A, B", None)


def test_json_list_with_trafilatura_fields_and_record_positions() -> None:
    text = '[{"title": "One", "text": "x", "sitename": "S", "date": "2022-01-01"}, {"id": "own", "title": "Two"}]'
    raws = _ok(jsonrecords.read_json(text, "t.json"))
    assert [r.record for r in raws] == ["1", "own"]
    assert raws[0].outlet == "S" and raws[0].published == "2022-01-01"


def test_headline_only_record_is_an_article() -> None:
    [raw] = _ok(jsonrecords.read_json('{"title": "Only a headline"}', "h.json"))
    assert raw.title == "Only a headline" and raw.body == ""


def test_record_without_title_or_text_is_a_problem() -> None:
    items = jsonrecords.read_jsonl('{"title": "fine"}\n{"url": "https://x"}\n', "r.jsonl")
    assert isinstance(items[0], RawArticle) and items[0].record == "1"
    assert isinstance(items[1], Problem)
    assert str(items[1]) == "r.jsonl [record 2]: record has neither title nor text; skipped"


def test_invalid_json_says_where() -> None:
    [problem] = jsonrecords.read_json('{"title": }', "bad.json")
    assert isinstance(problem, Problem) and problem.reason.startswith("invalid JSON (")
    items = jsonrecords.read_jsonl('{"title": "a"}\n{oops\n', "bad.jsonl")
    assert isinstance(items[1], Problem) and "on line 2" in items[1].reason


def test_deeply_nested_json_is_a_problem_not_a_crash() -> None:
    [problem] = jsonrecords.read_json("[" * 100_000 + "]" * 100_000, "deep.json")
    assert isinstance(problem, Problem) and "nested too deeply" in problem.reason


def test_ignored_names_and_unknown_extensions(tmp_path: Path) -> None:
    content = write_files(tmp_path, {"a.md": "---\ntitle: A\n---\nx\n", ".hidden.md": "---\ntitle: H\n---\n",
                                     "_draft.md": "---\ntitle: D\n---\n", "_drafts/b.md": "---\ntitle: B\n---\n",
                                     "sub/c.jsonl": '{"title": "C"}\n', "notes.docx": b"PK\x03\x04"})
    loaded = load(content, 10_000_000)
    assert sorted(r.input for r in loaded.articles) == ["a.md", "sub/c.jsonl"]
    [problem] = loaded.problems
    assert problem.path == "notes.docx" and problem.reason.startswith("unknown file type ('.docx'")


def test_empty_binary_and_oversized_files(tmp_path: Path) -> None:
    content = write_files(tmp_path, {"empty.txt": "", "blob.txt": b"\x00\x01\x02binary", "big.txt": "x" * 200})
    loaded = load(content, 100)
    reasons = {p.path: p.reason for p in loaded.problems}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blob.txt"].startswith("not text")
    assert reasons["big.txt"].startswith("too large")
    assert not loaded.articles


def test_a_file_that_grew_after_its_size_was_taken_is_read_whole(tmp_path: Path, monkeypatch) -> None:
    """read_bytes asks for as many bytes as the file had; where it has more by then, it reads on (to the limit)."""
    import os

    from generator.load import read_bytes
    (tmp_path / "a.txt").write_bytes(b"x" * 500)
    real = os.fstat

    def earlier(fd: int) -> os.stat_result:  # the size the file had a moment before
        info = real(fd)
        return os.stat_result(info[:6] + (100,) + info[7:])
    monkeypatch.setattr(os, "fstat", earlier)
    assert read_bytes(tmp_path / "a.txt", 1000) == b"x" * 500
    assert read_bytes(tmp_path / "a.txt", 500) == b"x" * 500
    assert read_bytes(tmp_path / "a.txt", 499) == "too large (over 499 bytes; the limit is 499)"


@settings(max_examples=400)
@given(st.lists(st.tuples(st.sampled_from(["title", "url", "true", "yes", "null", "on", "a-b", "_x", "n", "Off"]),
                          st.text(alphabet=st.sampled_from(list("ab üß#:,'{}[]&*!|>%@`-?\\\"\t\xa0\x85\u2028\ufeff😀")),
                                  max_size=6),
                          st.sampled_from([": ", ":", ":  "]), st.sampled_from(["", " ", "  # note", "\t"])),
                min_size=1, max_size=4))
def test_simple_front_matter_is_read_as_yaml_reads_it(pairs: list[tuple[str, str, str, str]]) -> None:
    import yaml
    text = "".join(f'{key}{colon}"{value}"{tail}\n' for key, value, colon, tail in pairs)
    fast = markdown._simple_mapping(text)
    if fast is not None:  # what it reads at all, it reads as YAML does
        assert fast == yaml.safe_load(text) == yaml.load(text, Loader=yaml.CSafeLoader)


def test_simple_front_matter_is_read_without_a_yaml_parser() -> None:
    assert markdown._simple_mapping('title: "Ein Titel: „so“"\nurl: "https://example.org/a"\n') == {
        "title": "Ein Titel: „so“", "url": "https://example.org/a"}
    assert markdown._simple_mapping('true: "x"\n') is None  # YAML reads that key as a bool
