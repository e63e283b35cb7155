"""``newsdigest init DIR``: a new digest folder that builds at once."""
from __future__ import annotations

from pathlib import Path

from generator.config import CONFIG_NAME, reference_toml

TEMPLATES_README = """\
# Your templates

A file in this folder shadows the built-in template of the same name; whatever you leave out comes from
newsdigest. The built-in ones are also there as newsdigest/NAME, so a template here can extend the built-in one
of its name and override only the blocks you want changed. This base.html, say, changes the footer of every page
and keeps everything else:

    {% extends "newsdigest/base.html" %}
    {% block footer %}<footer class="site-footer"><p>Compiled by the monitoring desk</p></footer>{% endblock %}

Blocks of base.html, the frame of every page: title, description, feeds (the <link rel="alternate"> of every
feed), head (more tags for <head>), header (site title, navigation, search form), main (the page itself), footer
and scripts. story.html (one story) also has the block story, inside main. {{ super() }} in a block puts the
built-in content there. The other pages are index.html (front page), archive.html, day.html, outlets.html,
outlet.html, search.html and 404.html; `newsdigest init` does not copy them: find them with

    python -c "import generator.render as r; print(r.builtin_templates())"

To restyle, add CSS after the built-in stylesheet, whose colours are variables (see its :root):

    {% extends "newsdigest/base.html" %}
    {% block head %}<style>:root { --accent: #8b1a1a; }</style>{% endblock %}

Article text is escaped automatically: templates are trusted, articles are not.
"""


GITIGNORE = ("/site/", "/.newsdigest-cache/")  # the built site and the build cache: made anew from the rest


class InitError(Exception):
    """The folder cannot be made a digest; the message says why in one line."""


def init(folder: Path) -> list[Path]:
    """Make ``folder`` a digest: config, empty content/ and templates/, and a .gitignore for what the build makes.
    Never overwrites anything (an existing .gitignore gets the lines it lacks)."""
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
    made.append(_gitignore(folder / ".gitignore"))
    return made


def _gitignore(path: Path) -> Path:
    have = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    missing = [line for line in GITIGNORE if line not in have]
    if missing:
        text = "\n".join(have + missing) + "\n"
        path.write_text(text, encoding="utf-8")
    return path
