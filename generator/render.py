"""Stage 4: Story -> OutputFile. Pages through Jinja2 (autoescape, StrictUndefined); feeds and data files
through their own modules. Pure: reads templates, writes nothing."""
from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator import export, feeds
from generator.config import Config
from generator.model import OutputFile, Story
from generator.site import Site, front_page_order, make_site, story_path

STATIC_FILES = ("style.css",)


def builtin_templates() -> Path:
    try:
        folder = Path(str(resources.files("generator.templates")))
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent / "templates"
    return folder


def environment(user_templates: Path | None = None) -> Environment:
    """Jinja2 with the user's templates (if any) shadowing the built-in ones file by file."""
    loaders = [FileSystemLoader(str(user_templates))] if user_templates else []
    loaders.append(FileSystemLoader(str(builtin_templates())))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env


def _page(env: Environment, template: str, path: str, site: Site, **context: object) -> OutputFile:
    depth = path.count("/")
    html = env.get_template(template).render(site=site, ui=site.ui, root="../" * depth, **context)
    return OutputFile(path, html.encode("utf-8"))


def index_pages(env: Environment, site: Site, stories: tuple[Story, ...], per_page: int) -> list[OutputFile]:
    chunks = [stories[i:i + per_page] for i in range(0, len(stories), per_page)] or [()]
    paths = ["index.html"] + [f"page/{n}/index.html" for n in range(2, len(chunks) + 1)]
    files = []
    for number, (chunk, path) in enumerate(zip(chunks, paths), 1):
        root = "../" * path.count("/")
        newer = root + paths[number - 2] if number > 1 else None
        older = root + paths[number] if number < len(chunks) else None
        files.append(_page(env, "index.html", path, site, stories=chunk, page_number=number, pages=len(chunks),
                           newer=newer, older=older, story_path=story_path))
    return files


def story_page(env: Environment, site: Site, story: Story) -> OutputFile:
    by_id = {a.id: a for a in story.articles}
    copy_of = {aid: [x for x in group if x != aid] for group in story.copies for aid in group}
    return _page(env, "story.html", story_path(story) + "index.html", site, story=story, articles_by_id=by_id,
                 copy_of=copy_of)


def static_files() -> list[OutputFile]:
    folder = builtin_templates()
    return [OutputFile(name, (folder / name).read_bytes()) for name in STATIC_FILES]


def render(stories: tuple[Story, ...], config: Config, now: datetime,
           user_templates: Path | None = None) -> list[OutputFile]:
    """Every file of the site."""
    site = make_site(stories, config, now)
    env = environment(user_templates)
    ordered = front_page_order(stories)
    files = index_pages(env, site, ordered, config.stories_per_page)
    files += [story_page(env, site, story) for story in ordered]
    files.append(_page(env, "404.html", "404.html", site))
    files += feeds.render_feeds(site, ordered)
    files.append(export.stories_json(site, ordered))
    files.append(export.sitemap(site, [f.path for f in files if f.path.endswith("index.html")]))
    files += static_files()
    return files
