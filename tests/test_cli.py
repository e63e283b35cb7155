"""The command line: help with an example for every command, exit codes, one-line messages."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

from conftest import CONTENT, write_files

COMMANDS = ("build", "serve", "inspect", "check", "init", "fetch")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "example:" in out and f"newsdigest {command}" in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--no-such-option"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2


def test_build_prints_summary_and_exits_0(tmp_path: Path) -> None:
    result = run("build", "--content", str(CONTENT), "--output", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert "5 articles read, 0 skipped" in result.stdout
    assert "stories" in result.stdout and "files written" in result.stdout
    assert (tmp_path / "site" / "index.html").is_file()


def test_build_with_defaults_reads_content_and_writes_site(tmp_path: Path) -> None:
    write_files(tmp_path / "content", {"a.md": "---\ntitle: Hello\n---\nSome text here.\n"})
    result = run("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "stories.json").is_file()


def test_bad_file_is_one_line_and_build_goes_on(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"good.md": "---\ntitle: Good\n---\nBody text.\n",
                                                  "bad.json": "{not json", "picture.png": b"\x89PNG\r\n"})
    result = run("build", "--content", str(content), "--output", str(tmp_path / "site"))
    assert result.returncode == 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert any(line.startswith("bad.json: invalid JSON") and line.endswith("; skipped") for line in lines)
    assert any(line.startswith("picture.png: unknown file type") for line in lines)
    assert "Traceback" not in result.stderr
    assert "1 article read, 2 skipped" in result.stdout


def test_strict_makes_problems_fatal_and_writes_nothing(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"good.md": "---\ntitle: Good\n---\nBody.\n", "bad.json": "[1"})
    result = run("build", "--strict", "--content", str(content), "--output", str(tmp_path / "site"))
    assert result.returncode == 1
    assert "bad.json: invalid JSON" in result.stderr
    assert not (tmp_path / "site").exists()


def test_config_errors_are_all_reported_and_exit_1(tmp_path: Path) -> None:
    config = write_files(tmp_path, {"newsdigest.toml": 'base_url = "ftp://x"\ntimezone = "Mars/Olympus"\n'})
    result = run("build", "--config", str(config / "newsdigest.toml"), "--content", str(CONTENT),
                 "--output", str(tmp_path / "site"))
    assert result.returncode == 1
    assert "'base_url': must start with http:// or https://" in result.stderr
    assert "'timezone': unknown time zone 'Mars/Olympus'" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_content_folder_exits_1(tmp_path: Path) -> None:
    result = run("build", "--content", str(tmp_path / "nope"), "--output", str(tmp_path / "site"))
    assert result.returncode == 1
    assert "content folder not found" in result.stderr


def test_refuses_output_folder_with_someone_elses_files(tmp_path: Path) -> None:
    mine = write_files(tmp_path / "docs", {"thesis.tex": "precious"})
    result = run("build", "--content", str(CONTENT), "--output", str(mine))
    assert result.returncode == 1
    assert "not made by newsdigest" in result.stderr
    assert (mine / "thesis.tex").read_text() == "precious"


def test_inspect_json_lists_each_article(tmp_path: Path) -> None:
    result = run("inspect", "--json", *sorted(str(p) for p in CONTENT.glob("*.txt")))
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert len(items) == 5
    for item in items:
        assert {"input", "record", "title", "outlet", "published", "published_inferred", "language", "author",
                "text", "removed"} <= set(item)
        assert item["title"] and item["text"]
        assert all({"line", "reason"} <= set(r) for r in item["removed"])


def test_inspect_text_and_folders(tmp_path: Path) -> None:
    content = write_files(tmp_path / "c", {"x.md": "---\ntitle: Folder article\n---\nText.\n"})
    result = run("inspect", str(content))
    assert result.returncode == 0, result.stderr
    assert "Folder article" in result.stdout


def test_inspect_missing_file_exits_1(tmp_path: Path) -> None:
    result = run("inspect", str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert "missing.txt: no such file" in result.stderr


def test_init_makes_a_digest_that_builds_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "digest"
    result = run("init", str(folder))
    assert result.returncode == 0, result.stderr
    assert (folder / "newsdigest.toml").is_file() and (folder / "content").is_dir()
    assert (folder / "templates").is_dir()
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines() == ["/site/", "/.newsdigest-cache/"]
    write_files(folder / "content", {"a.md": "---\ntitle: Erster Bericht\n---\nEin Text.\n"})
    result = run("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "Erster Bericht" in (folder / "site" / "index.html").read_text(encoding="utf-8")
    again = run("init", str(folder))
    assert again.returncode == 1 and "already exists; nothing changed" in again.stderr


def test_check_writes_nothing_and_reports_problems(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"good.md": "---\ntitle: Good\n---\nBody.\n", "bad.json": "[1"})
    result = run("check", "--content", str(content), "--output", str(tmp_path / "site"))
    assert result.returncode == 1
    assert "bad.json: invalid JSON" in result.stderr and "1 article read, 1 skipped" in result.stdout
    assert not (tmp_path / "site").exists()
    result = run("check", "--format", "json", "--content", str(content))
    data = json.loads(result.stdout)
    assert data["articles"] == 1 and data["problems"][0]["path"] == "bad.json"
    assert run("check", "--content", str(CONTENT)).returncode == 0
