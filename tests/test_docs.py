"""The README opens with the two commands, and CI runs exactly the README's test command."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "README must open with a ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "newsdigest build" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_configuration_reference_is_generated_from_the_config(request) -> None:
    from generator.config import reference_markdown

    path = ROOT / "docs" / "configuration.md"
    if request.config.getoption("--update-golden"):
        path.write_text(reference_markdown(), encoding="utf-8")
    assert path.read_text(encoding="utf-8") == reference_markdown(), \
        "docs/configuration.md drifted from generator/config.py: pytest tests/test_docs.py --update-golden"
