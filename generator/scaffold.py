"""``newsdigest init DIR``: a new digest folder that builds at once."""
from __future__ import annotations

from pathlib import Path

from generator.config import CONFIG_NAME, reference_toml

TEMPLATES_README = """\
# Your templates

A file in this folder shadows the built-in template of the same name, file by file; whatever you leave out
comes from newsdigest. The built-in pages are base.html (the frame of every page, with the blocks head,
header, main and footer), index.html (the front page), story.html (one story) and 404.html.

To change one page, write that page here and override only the blocks you need, e.g. a story.html with

    {% extends "base.html" %}
    {% block footer %}<footer>Compiled by the monitoring desk</footer>{% endblock %}

would replace the story page entirely; to keep the story page and change only the footer of every page,
copy base.html here from the package and edit its footer block. Article text is escaped automatically:
templates are trusted, articles are not.
"""


class InitError(Exception):
    """The folder cannot be made a digest; the message says why in one line."""


def init(folder: Path) -> list[Path]:
    """Make ``folder`` a digest: config, empty content/ and templates/. Never overwrites anything."""
    config = folder / CONFIG_NAME
    if config.exists():
        raise InitError(f"{config}: already exists; nothing changed")
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder}: exists and is not a folder")
    made = []
    for sub in ("content", "templates"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        made.append(folder / sub)
    readme = folder / "templates" / "README.md"
    if not readme.exists():
        readme.write_text(TEMPLATES_README, encoding="utf-8")
    config.write_text(reference_toml(templates_dir="templates"), encoding="utf-8")
    made.append(config)
    return made
