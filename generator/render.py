"""Stage 4: Story -> OutputFile. Pages through Jinja2 (autoescape, StrictUndefined); feeds, data files and the
search index through their own modules. Pure: reads templates, writes nothing."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from importlib import resources
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from generator import export, feeds, search, structured
from generator.config import Config
from generator.model import OutputFile, Story
from generator.site import (Site, anchor, archive_path, front_page_order, http_url, make_site, outlet_path, outlets,
                            sections, story_day, story_path)
from generator.summarize import Digest, summarize

STATIC_FILES = ("style.css", "search.js")


def builtin_templates() -> Path:
    try:
        folder = Path(str(resources.files("generator.templates")))
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent / "templates"
    return folder


def json_for_script(data: object) -> Markup:
    """JSON that is safe inside <script>: no '<', '>' or '&' can end the element or start markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def environment(user_templates: Path | None = None) -> Environment:
    """Jinja2 with the user's templates (if any) shadowing the built-in ones file by file; the built-in ones are
    also there as ``newsdigest/NAME``, so that a user's base.html can extend ours and override single blocks."""
    builtin = FileSystemLoader(str(builtin_templates()))
    loaders: list = [PrefixLoader({"newsdigest": builtin})]
    loaders += [FileSystemLoader(str(user_templates))] if user_templates else []
    loaders.append(builtin)
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["http_url"] = http_url
    env.filters["tojson_ld"] = json_for_script
    env.globals.update(anchor=anchor, story_path=story_path, outlet_path=outlet_path, archive_path=archive_path)
    return env


def _page(env: Environment, template: str, path: str, site: Site, root: str | None = None,
          **context: object) -> OutputFile:
    """A page; its links are relative to it (``root`` leads back to the site's root folder)."""
    page_path = path[: -len("index.html")] if path.endswith("index.html") else path
    root = "../" * path.count("/") if root is None else root
    html = env.get_template(template).render(site=site, ui=site.ui, root=root, page_path=page_path, **context)
    return OutputFile(path, html.encode("utf-8"))


def index_pages(env: Environment, site: Site, stories: tuple[Story, ...], digests: dict[str, Digest],
                per_page: int) -> list[OutputFile]:
    chunks = [stories[i:i + per_page] for i in range(0, len(stories), per_page)] or [()]
    paths = ["index.html"] + [f"page/{n}/index.html" for n in range(2, len(chunks) + 1)]
    files = []
    for number, (chunk, path) in enumerate(zip(chunks, paths), 1):
        root = "../" * path.count("/")
        newer = root + paths[number - 2] if number > 1 else None
        older = root + paths[number] if number < len(chunks) else None
        files.append(_page(env, "index.html", path, site, sections=sections(site, chunk), digests=digests,
                           page_number=number, pages=len(chunks), newer=newer, older=older,
                           structured=structured.item_list(site, chunk, digests, root)))
    return files


def story_page(env: Environment, site: Site, story: Story, digest: Digest) -> OutputFile:
    return _page(env, "story.html", story_path(story) + "index.html", site, story=story, digest=digest,
                 articles_by_id={a.id: a for a in story.articles},
                 structured=structured.news_article(site, story, digest))


def archive_pages(env: Environment, site: Site, stories: tuple[Story, ...],
                  digests: dict[str, Digest]) -> list[OutputFile]:
    """archive/index.html lists the days; one page per day lists its stories."""
    by_day = [s for s in sections(site, stories) if s.day is not None]
    counts = Counter(story_day(site, s) for s in stories if s.last_published)
    days = sorted(counts.items(), reverse=True)
    files = [_page(env, "archive.html", "archive/index.html", site, days=days)]
    for day, _ in days:
        day_stories = tuple(s for section in by_day if section.day == day for s in section.stories)
        files.append(_page(env, "day.html", archive_path(day) + "index.html", site, day=day, stories=day_stories,
                           digests=digests))
    return files


def outlet_pages(env: Environment, site: Site, stories: tuple[Story, ...],
                 digests: dict[str, Digest]) -> list[OutputFile]:
    """outlets/index.html lists the outlets; one page per outlet lists its articles, newest first."""
    by_outlet = outlets(stories)
    files = [_page(env, "outlets.html", "outlets/index.html", site, outlets=by_outlet)]
    for name, items in by_outlet.items():
        files.append(_page(env, "outlet.html", outlet_path(name) + "index.html", site, name=name, items=items,
                           digests=digests))
    return files


def static_files() -> list[OutputFile]:
    folder = builtin_templates()
    return [OutputFile(name, (folder / name).read_bytes()) for name in STATIC_FILES]


def render(stories: tuple[Story, ...], config: Config, now: datetime,
           user_templates: Path | None = None) -> list[OutputFile]:
    """Every file of the site."""
    site = make_site(stories, config, now)
    env = environment(user_templates)
    ordered = front_page_order(site, stories)
    digests = {s.id: summarize(s) for s in ordered}
    files = index_pages(env, site, ordered, digests, config.stories_per_page)
    files += [story_page(env, site, story, digests[story.id]) for story in ordered]
    files += archive_pages(env, site, ordered, digests)
    files += outlet_pages(env, site, ordered, digests)
    files.append(_page(env, "search.html", "search/index.html", site))
    files.append(_page(env, "404.html", "404.html", site, root=site.base_url))  # served at any address
    files += feeds.render_feeds(site, ordered, digests)
    files.append(export.stories_json(site, ordered, digests))
    files.append(export.sitemap(site, [f.path for f in files if f.path.endswith("index.html")]))
    files.append(export.robots_txt(site))
    files += static_files()
    files += search.index(files)
    return files
