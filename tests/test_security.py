"""Nothing in an article can reach outside the output folder, and the build never writes over the user's files.

Output paths: whatever a title, outlet or id holds ('..', absolute paths, NUL, control characters, device names,
1,000 characters), every file lands inside the output folder under a short, tame name. The output folder: never
the content or templates folder (or one that holds them or lies in them), never a foreign non-empty folder
without --force. Input trouble (link loops, unreadable files) is one Problem each, not a failed build.
"""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import Paths, build
from generator.config import Config
from generator.load import load
from generator.model import OutputFile
from generator.write import MARKER, OutputError, check_output_dir, safe_relative, write

from conftest import FIXED_NOW, ROOT, write_files

BODY = "Der Minister sagte am Dienstag in Berlin, die Lage sei ernst, und kündigte neue Gespräche an."
HOSTILE_NAMES = ("../../../../etc/passwd", "/etc/passwd", "..", ".", "~", "C:\\Windows\\System32", "a/../../b",
                 "NUL\x00byte", "con", "CON", "nul", "COM1", "lpt9", "aux.txt", "prn.html", "\x1b[2J\x07bell",
                 "trailing dot.", "trailing space ", "\u202eevil\u202d", "%2e%2e%2f%2e%2e%2f", "....//....//",
                 "stories/../../x", "index.html", ".newsdigest-site", "*?<>|:\"")


def _tame(site: Path) -> list[str]:
    """Output paths that are not short lower-case ASCII names, or that resolve outside ``site``."""
    wrong = []
    for path in site.rglob("*"):
        rel = path.relative_to(site).as_posix()
        if not re.fullmatch(r"[a-z0-9._/-]+", rel, re.I) or any(len(p) > 120 for p in rel.split("/")) \
                or not path.resolve().is_relative_to(site.resolve()):
            wrong.append(rel)
    return wrong


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../b", "", "a//b", "a/./b", "nul\x00", "..", "a/",
                                  "CON", "stories/con/index.html", "stories/COM1.html", "lpt9", "aux.tar.gz",
                                  "Nul ", "a\\b", "C:/x", "a:b", "x\x1b[2J", "tab\there", "trailing.", "trailing ",
                                  "x" * 256, "stories/" + "ü" * 128 + "/index.html", 'q"uote', "a|b", "a*b", "a?b"])
def test_unsafe_output_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError):
        safe_relative(path)


@pytest.mark.parametrize("path", ["index.html", "stories/abc-123/index.html", "404.html", "console.html",
                                  "stories/con-1a2b3c/index.html", "outlets/nul-ae6d/atom.xml", ".well-known/x",
                                  "x" * 255, "a.b.c"])
def test_ordinary_output_paths_pass(path: str) -> None:
    assert safe_relative(path).as_posix() == path


@pytest.mark.parametrize("paths", [("index.html", "index.html"), ("stories/a/index.html", "stories/A/index.html")])
def test_two_files_at_one_path_are_refused_not_lost(tmp_path: Path, paths: tuple[str, str]) -> None:
    files = [OutputFile(p, str(n).encode()) for n, p in enumerate(paths)]
    with pytest.raises(ValueError, match="two output files"):
        write(files, tmp_path / "site")
    assert not any(tmp_path.iterdir()), "nothing written, no staging folder left"


def _hostile_content(folder: Path, names: tuple[str, ...]) -> Path:
    files = {}
    for n, name in enumerate(names):
        files[f"{n:02d}.json"] = json.dumps({"title": name, "text": f"{BODY} Meldung {n}.", "source": name,
                                             "id": name, "date": f"2024-01-{1 + n % 28:02d}T10:00:00Z"})
        files[f"{n:02d}.md"] = (f"---\ntitle: {json.dumps(name)}\noutlet: {json.dumps(name)}\n"
                                f"date: 2024-02-{1 + n % 28:02d}\n---\n{BODY} Nummer {n}.\n")
    return write_files(folder, files)


def test_hostile_titles_outlets_and_ids_stay_inside_the_output_folder(tmp_path: Path) -> None:
    content = _hostile_content(tmp_path / "content", HOSTILE_NAMES)
    site = tmp_path / "deep" / "site"
    report = build(Config(), Paths(content, site), FIXED_NOW)
    assert report.articles >= len(HOSTILE_NAMES)
    assert not _tame(site), _tame(site)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "deep"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == [".newsdigest-cache", "site"]  # + the cache


def test_thousand_character_titles_make_short_paths(tmp_path: Path) -> None:
    """Titles of 1,000 characters in ordinary words: the slugs stay short."""
    words = " ".join(["Verhandlungen"] * 80)[:1000]
    content = _hostile_content(tmp_path / "content", (words, "Ä" * 10 + " " + words))
    build(Config(), Paths(content, tmp_path / "site"), FIXED_NOW)
    assert not _tame(tmp_path / "site")


def test_thousand_character_word_in_title_and_outlet_makes_short_paths(tmp_path: Path) -> None:
    content = _hostile_content(tmp_path / "content", ("a" * 1000, "Über" * 250, "x" * 300 + " " + "y" * 300))
    build(Config(), Paths(content, tmp_path / "site"), FIXED_NOW)
    assert not _tame(tmp_path / "site")


# The output folder.

def test_output_must_not_be_contain_or_lie_in_content_or_templates(tmp_path: Path) -> None:
    content, templates = tmp_path / "content", tmp_path / "theme"
    content.mkdir()
    (templates / "sub").mkdir(parents=True)
    link = tmp_path / "link-to-content"
    link.symlink_to(content)
    for out in (content, content / "site", tmp_path, link, link / "site"):
        with pytest.raises(OutputError, match="content folder"):
            check_output_dir(out, content, force=True)
    for out in (templates, templates / "sub", templates / "site"):
        with pytest.raises(OutputError, match="folder the build reads"):
            check_output_dir(out, content, force=True, protect=(templates,))
    check_output_dir(tmp_path / "site", content, protect=(templates,))


def test_root_home_and_files_are_refused_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    for out in (Path("/"), Path.home(), tmp_path / "file"):
        with pytest.raises(OutputError):
            check_output_dir(out, tmp_path / "content", force=True)


def test_foreign_folder_is_refused_and_left_alone_unless_forced(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"a.json": json.dumps({"title": "T", "text": BODY})})
    theirs = write_files(tmp_path / "theirs", {"thesis.tex": "years of work", "sub/data.csv": "1,2"})
    with pytest.raises(OutputError, match="--force"):
        build(Config(), Paths(content, theirs), FIXED_NOW)
    assert (theirs / "thesis.tex").read_text() == "years of work"
    (theirs / MARKER).mkdir()  # a folder named like the marker does not make the folder ours
    with pytest.raises(OutputError):
        build(Config(), Paths(content, theirs), FIXED_NOW)
    build(Config(), Paths(content, theirs), FIXED_NOW, force=True)
    assert (theirs / MARKER).is_file() and not (theirs / "thesis.tex").exists()


def test_cli_refuses_output_inside_content_in_one_line(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"a.json": json.dumps({"title": "T", "text": BODY})})
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--output",
                           str(content / "site"), "--force"], cwd=tmp_path, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "content folder" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def test_site_is_readable_by_others_as_the_umask_allows(tmp_path: Path) -> None:
    """The staging folder that becomes the site is not a 0700 temporary folder: a web server must read it."""
    old = os.umask(0o022)
    try:
        write([OutputFile("stories/a/index.html", b"x")], tmp_path / "site")
    finally:
        os.umask(old)
    for path in (tmp_path / "site", tmp_path / "site" / "stories", tmp_path / "site" / "stories" / "a"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o755, path
    assert stat.S_IMODE((tmp_path / "site" / "stories" / "a" / "index.html").stat().st_mode) == 0o644


def test_output_through_a_symlink_replaces_the_folder_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "www"
    write([OutputFile("index.html", b"v1")], real)
    link = tmp_path / "site"
    link.symlink_to(real)
    write([OutputFile("index.html", b"v2")], link)
    assert link.is_symlink() and (real / "index.html").read_bytes() == b"v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "www"]


# Input trouble is reported, not fatal.

def _problems(content: Path) -> dict[str, str]:
    return {p.path: p.reason for p in load(content, 1_000_000).problems}


def test_link_loops_and_dangling_links_are_problems(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"good.json": json.dumps({"title": "Gut", "text": BODY}),
                                                 "sub/also.json": json.dumps({"title": "Auch", "text": BODY})})
    (content / "sub" / "loop").symlink_to(content)
    (content / "self").symlink_to(content / "self")
    (content / "a.txt").symlink_to(content / "b.txt")
    (content / "b.txt").symlink_to(content / "a.txt")
    (content / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    loaded = load(content, 1_000_000)
    assert sorted(a.input for a in loaded.articles) == ["good.json", "sub/also.json"]
    reasons = {p.path: p.reason for p in loaded.problems}
    assert reasons["sub/loop"] == "link loop (folder already read)"
    assert all(reasons[name].startswith("cannot read") for name in ("a.txt", "b.txt", "gone.txt")), reasons
    assert "self" in reasons


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"good.json": json.dumps({"title": "Gut", "text": BODY}),
                                                 "locked.txt": "secret"})
    (content / "locked.txt").chmod(0)
    try:
        with open(content / "locked.txt", "rb"):
            pytest.skip("this user (root) reads a file without permissions; see the /proc/self/mem test")
    except PermissionError:
        pass
    assert _problems(content) == {"locked.txt": "cannot read (Permission denied)"}


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_file_that_fails_to_read_is_a_problem_even_for_root(tmp_path: Path) -> None:
    """/proc/self/mem opens as a regular file but every read at offset 0 fails (EIO), whoever reads it."""
    content = write_files(tmp_path / "content", {"good.json": json.dumps({"title": "Gut", "text": BODY})})
    (content / "mem.txt").symlink_to("/proc/self/mem")
    assert _problems(content) == {"mem.txt": "cannot read (Input/output error)"}


def test_unreadable_folder_is_a_problem(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"good.json": json.dumps({"title": "Gut", "text": BODY}),
                                                 "locked/x.json": json.dumps({"title": "X", "text": BODY})})
    (content / "locked").chmod(0)
    try:
        if os.access(content / "locked", os.R_OK):
            pytest.skip("this user (root) reads a folder without permissions")
        assert _problems(content) == {"locked": "cannot read folder (Permission denied)"}
    finally:
        (content / "locked").chmod(0o755)


def test_file_names_with_control_characters_are_shown_escaped(tmp_path: Path) -> None:
    """A file name cannot send escape sequences to the terminal that prints the problem list."""
    content = write_files(tmp_path / "content", {"\x1b]0;owned\x07.docx": b"x", "ok\u202etxt.exe": b"x"})
    problems = _problems(content)
    assert sorted(problems) == ["\\x1b]0;owned\\x07.docx", "ok\\u202etxt.exe"]
    assert all(ch.isprintable() for name in problems for ch in name)


def test_file_name_that_is_not_utf8_builds(tmp_path: Path) -> None:
    """os.scandir hands such a name over with lone surrogates, which no UTF-8 output can hold."""
    content = tmp_path / "content"
    content.mkdir()
    with open(os.path.join(os.fsencode(content), b"caf\xe9-\xff.json"), "wb") as handle:
        handle.write(json.dumps({"title": "Café", "text": BODY}).encode())
    [article] = load(content, 1_000_000).articles
    assert article.input == "caf\\xe9-\\xff.json"
    report = build(Config(), Paths(content, tmp_path / "site"), FIXED_NOW)
    assert report.articles == 1 and not report.problems
    json.loads((tmp_path / "site" / "stories.json").read_text(encoding="utf-8"))


# newsdigest fetch: a feed is as untrusted as an article.

def test_fetch_follows_only_http_links_of_a_feed(tmp_path: Path) -> None:
    import feedparser

    from generator.fetch import Client, fetch_entry

    secret = tmp_path / "secret.html"
    secret.write_text("<html><body><article><p>" + "SECRET-TOKEN geheime Zugangsdaten des Servers. " * 30
                      + "</p></article></body></html>", encoding="utf-8")
    for link in (f"file://localhost{secret}", f"file:{secret}"):
        feed = feedparser.parse(f'<rss version="2.0"><channel><title>S</title><item><title>T</title><link>{link}'
                                f'</link><description>kurz</description></item></channel></rss>')
        assert "SECRET-TOKEN" not in str(fetch_entry(Client(delay=0), feed.entries[0], "S")), link


def test_feed_file_whose_text_is_a_url_or_a_path_is_not_opened(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import feedparser.http

    fetched: list[str] = []
    monkeypatch.setattr(feedparser.http, "get", lambda url, *args, **kwargs: fetched.append(url) or b"")
    private = tmp_path / "private" / "feed.xml"  # some feed on the machine, outside the content folder
    write_files(private.parent, {"feed.xml": '<rss version="2.0"><channel><title>Intern</title><item><title>'
                                             'PRIVATE-ENTRY</title><description>geheim</description></item>'
                                             '</channel></rss>'})
    content = write_files(tmp_path / "content", {"path.xml": str(private), "url.rss": "http://169.254.169.254/x",
                                                 "file.atom": f"file://{private}"})
    loaded = load(content, 1_000_000)
    assert not fetched, f"the build fetched {fetched}"
    assert not [a for a in loaded.articles if "PRIVATE" in (a.title or "")], "a local file was read as a feed"


def test_fetch_reads_a_gzip_body_only_up_to_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network: the opener answers with a small gzip body that unpacks to more than the limit."""
    import gzip
    import io

    from generator import fetch

    bomb = gzip.compress(b"\0" * (fetch.MAX_BYTES + 1_000_000))

    class Reply(io.BytesIO):
        status, headers = 200, {"Content-Encoding": "gzip"}

        def geturl(self) -> str:
            return "https://example.org/bomb"

    monkeypatch.setattr(fetch._OPENER, "open", lambda request, timeout: Reply(bomb))
    try:
        body = fetch.Client(delay=0).get("https://example.org/bomb").body
    except ValueError:
        return  # refused: fine
    assert len(body) <= fetch.MAX_BYTES


def test_record_ids_in_problem_lines_are_escaped_and_short(tmp_path: Path) -> None:
    """A JSON record's id reaches the terminal in problem lines: no escape sequences, no 10,000 characters."""
    records = [{"id": "\x1b]0;owned\x07", "url": "x"}, {"id": "\x1b[2J" + "i" * 9_000, "title": "T",
                                                        "url": "javascript:alert(1)"}]
    content = write_files(tmp_path / "content", {"r.json": json.dumps(records)})
    problems = [str(p) for p in load(content, 1_000_000).problems]
    assert len(problems) == 2 and all("\x1b" not in p and "\x07" not in p and len(p) < 200 for p in problems)
