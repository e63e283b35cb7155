"""Stage 4: Story -> OutputFile. Pages through Jinja2 (autoescape, StrictUndefined); feeds, data files and the
search index through their own modules. Pure: reads templates, writes nothing but into the sink it is given.

Incremental (generator/units.py): every unit of output (a page; a story's page and feeds; a search index) has a key, a hash of all
it is made from. A unit whose key the last build had, and whose files are still unchanged in the output folder,
is kept as it is; only the others are rendered. The output does not depend on what was kept: a rebuild gives the
bytes that a clean build of the same stories gives. Each page is stamped with the time its content is as of (the
newest report it shows), not with the wall clock, so that a page whose stories did not change stays the same.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import closing
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader, StrictUndefined,
                    select_autoescape)
from markupsafe import Markup, escape

from generator import cache, export, feeds, jsontext, search, structured
from generator.config import Config
from generator.identity import Redirect
from generator.model import Article, Block, OutputFile, Story
from generator.site import (Site, anchor, archive_path, front_page_order, http_url, make_site, outlet_path, outlets,
                            sections, story_day, story_path)
from generator.summarize import Digest, summarize
from generator.units import Collect, Digests, Progress, RenderMemo, Run, Sink, article_key, story_key, unit_key

STATIC_FILES = ("style.css", "search.js")
PARALLEL_FROM = 64  # stories to render before the work is shared among processes


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


def blocks_html(blocks: Iterable[Block]) -> Markup:
    """An article's blocks as HTML, one after the other: a heading as <h4>, a paragraph as <p> (the template's
    filter ``blocks_html``: one call per article instead of a loop in the template)."""
    return Markup("".join([f"<h4>{escape(b.text)}</h4>" if b.heading else f"<p>{escape(b.text)}</p>"
                           for b in blocks]))


_outlet_path = lru_cache(maxsize=4096)(outlet_path)  # asked for each source of a story page: a slug and a hash


def environment(user_templates: Path | None = None, compiled: Path | None = None) -> Environment:
    """Jinja2 with the user's templates (if any) shadowing the built-in ones file by file; the built-in ones are
    also there as ``newsdigest/NAME``, so that a user's base.html can extend ours and override single blocks.
    ``compiled``: a folder where compiled templates are kept for the next build (Jinja2 checks each against its
    source)."""
    builtin = FileSystemLoader(str(builtin_templates()))
    loaders: list = [PrefixLoader({"newsdigest": builtin})]
    loaders += [FileSystemLoader(str(user_templates))] if user_templates else []
    loaders.append(builtin)
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=_compiled_templates(compiled))
    env.filters["http_url"] = http_url
    env.filters["tojson_ld"] = json_for_script
    env.filters["blocks_html"] = blocks_html
    env.globals.update(anchor=anchor, story_path=story_path, outlet_path=_outlet_path, archive_path=archive_path)
    return env


def _page(env: Environment, template: str, path: str, site: Site, root: str | None = None,
          **context: object) -> OutputFile:
    """A page; its links are relative to it (``root`` leads back to the site's root folder)."""
    page_path = path[: -len("index.html")] if path.endswith("index.html") else path
    root = "../" * path.count("/") if root is None else root
    html = env.get_template(template).render(site=site, ui=site.ui, root=root, page_path=page_path, **context)
    return OutputFile(path, html.encode("utf-8"))


def as_of(site: Site, when: datetime | None) -> Site:
    """The site as a page sees it: stamped with the time its content is as of."""
    return site if when is None or when == site.generated else replace(site, generated=when)


def _newest(stories: Sequence[Story]) -> datetime | None:
    return max((s.last_published for s in stories if s.last_published), default=None)


def page_path(number: int, pages: int) -> str:
    """The path of front page ``number`` of ``pages`` (numbered from the oldest: the last is index.html)."""
    return "index.html" if number == pages else f"page/{number}/index.html"


def front_pages(ordered: tuple[Story, ...], per_page: int) -> list[tuple[Story, ...]]:
    """The stories of each front page, the oldest page first. Pages are counted from the oldest stories, so that a
    page keeps its stories (and its number) while new ones arrive: page 1 holds the ``per_page`` oldest, page 2 the
    next ``per_page``, ...; the last one, index.html, the newest: at least ``per_page`` (or all there are) and
    fewer than twice as many, since it takes the stories that do not fill a page of their own."""
    n = len(ordered)
    numbered = max(0, n // per_page - 1)
    pages = [ordered[n - k * per_page:n - (k - 1) * per_page] for k in range(1, numbered + 1)]
    return pages + [ordered[:n - numbered * per_page]]


def index_page(env: Environment, site: Site, chunk: tuple[Story, ...], digests: Mapping[str, Digest],
               number: int, pages: int) -> OutputFile:
    """Front page ``number`` of ``pages`` (counted from the oldest: the last one is index.html)."""
    path = page_path(number, pages)
    root = "../" * path.count("/")
    newer = root + page_path(number + 1, pages) if number < pages else None
    older = root + page_path(number - 1, pages) if number > 1 else None
    return _page(env, "index.html", path, site, sections=sections(site, chunk), digests=digests,
                 page_number=number, pages=pages, front=number == pages, newer=newer, older=older,
                 structured=structured.item_list(site, chunk, digests, root))


def story_page(env: Environment, site: Site, story: Story, digest: Digest) -> OutputFile:
    return _page(env, "story.html", story_path(story) + "index.html", site, story=story, digest=digest,
                 articles_by_id={a.id: a for a in story.articles},
                 structured=structured.news_article(site, story, digest))


def story_files(env: Environment, site: Site, story: Story, digest: Digest) -> list[OutputFile]:
    """A story's page and feeds, stamped with its newest report."""
    site = as_of(site, story.last_published)
    return [story_page(env, site, story, digest)] + feeds.story_feeds(site, story, digest)


def redirect_files(env: Environment, site: Site, redirect: Redirect, digest: Digest) -> list[OutputFile]:
    """The page of an absorbed story, which leads to the story it is now part of (works without JavaScript and
    from a file), and its feed, which lives on with the same id and the survivor's entries."""
    folder = f"stories/{redirect.absorbed.slug}/"
    survivor = redirect.survivor
    site = as_of(site, survivor.last_published)
    target = "../../" + story_path(survivor)
    page = _page(env, "redirect.html", folder + "index.html", site, digest=digest, target=target,
                 canonical=site.absolute(story_path(survivor)) if site.base_url else target)
    feed_id = f"{feeds.story_urn(survivor).rsplit(':', 1)[0]}:{redirect.absorbed.id}:feed"
    return [page] + feeds.story_feeds(site, survivor, digest, feed_id=feed_id, folder=folder)


def static_files() -> list[OutputFile]:
    folder = builtin_templates()
    return [OutputFile(name, (folder / name).read_bytes()) for name in STATIC_FILES]


def _story_json(site: Site, story: Story, digest: Digest) -> bytes:
    """A story's entry in stories.json, indented as it stands there (UTF-8: the file is joined from the entries
    as bytes, and a rebuild takes most of them from the memo)."""
    return ("    " + jsontext.dumps(export.story_record(site, story, digest), prefix="    ")).encode("utf-8")


def stories_json(site: Site, entries: Sequence[bytes]) -> OutputFile:
    """stories.json from its stories' entries (``_story_json``): the bytes that ``export.stories_json`` makes."""
    head = json.dumps({"generated": site.generated.isoformat(), "title": site.title, "language": site.language,
                       "stories": []}, ensure_ascii=False, indent=2)
    if not entries:
        return OutputFile("stories.json", (head + "\n").encode("utf-8"))
    return OutputFile("stories.json", b"".join([head[: -len("[]\n}")].encode("utf-8"), b"[\n", b",\n".join(entries),
                                                 b"\n  ]\n}\n"]))


def _compiled_templates(folder: Path | None) -> FileSystemBytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


# --- incremental rendering (generator/units.py) --------------------------------------------------------------------

_ENVIRONMENTS: dict[Path | None, Environment] = {}


def _environment(user_templates: Path | None, compiled: Path | None = None) -> Environment:
    """One Environment per process and template folder: compiled templates are reused (and kept in
    ``compiled``, where given, for the next build). Templates are checked against their files here, once per
    call, not each time a page asks for one (Jinja's auto_reload: a few file stats per page)."""
    env = _ENVIRONMENTS.get(user_templates)
    if env is None:
        env = _ENVIRONMENTS[user_templates] = environment(user_templates, compiled)
        env.auto_reload = False
    elif env.cache is not None and not all(t.is_up_to_date for t in list(env.cache.values())):
        env.cache.clear()
    return env


StoryUnit = tuple[bytes, list[OutputFile], bytes]  # packed digest, page and feeds, entry in stories.json


def _story_unit(env: Environment, site: Site, built: Site, story: Story, packed: bytes | None) -> StoryUnit:
    """A story's digest (packed against its articles; summarized unless ``packed`` has it), its files, and its
    entry in stories.json (``built``: the site as stories.json sees it)."""
    digest = cache.loads(packed, story.articles) if packed else summarize(story)
    return (packed or cache.dumps(digest, story.articles), story_files(env, site, story, digest),
            _story_json(built, story, digest))


_FORKED: tuple[bytes, tuple[Path | None, Site, Site, list[tuple[Story, bytes | None]]]] | None = None
"""What the render's workers find here: forked from this process once it was set, they have it without a copy."""


def _make_stories(task: tuple[bytes, int, int]) -> tuple[int, int, list[StoryUnit] | None]:
    """``_story_unit`` of the stories ``start`` to ``stop`` of the ones to render (``_FORKED``, which a worker has
    from the process it was forked from: no story is pickled on the way there). A worker without them (one not
    forked, or forked before they were set: the nonce differs) gives None, and the caller renders them itself."""
    nonce, start, stop = task
    shared = _FORKED
    if shared is None or shared[0] != nonce:
        return start, stop, None
    user_templates, site, built, items = shared[1]
    env = _environment(user_templates)
    return start, stop, [_story_unit(env, site, built, *items[i]) for i in range(start, stop)]


def _shared(pool: Executor, env: Environment, site: Site, built: Site, items: list[tuple[Story, bytes | None]],
            user_templates: Path | None, parallel: int) -> Iterator[list[StoryUnit]]:
    """The units of ``items`` in order, shared among the pool's workers (see ``_make_stories``)."""
    global _FORKED
    # The first story here: what summaries need (lemma dictionaries) is loaded before the workers start, once.
    yield [_story_unit(env, site, built, *items[0])]
    total = len(items)
    size = max(1, min(32, total // (parallel * 8)))  # small shares: the workers end close together
    nonce = os.urandom(8)
    _FORKED = (nonce, (user_templates, site, built, items))
    try:
        for start, stop, units in pool.map(_make_stories, ((nonce, i, min(total, i + size))
                                                           for i in range(1, total, size))):
            yield units if units is not None else [_story_unit(env, site, built, *items[i])
                                                   for i in range(start, stop)]
    finally:
        _FORKED = None


def _stories(run: Run, env: Environment, site: Site, built: Site, base: str, ordered: tuple[Story, ...],
             keys: dict[str, str], digests: Digests, user_templates: Path | None, pool: Executor | None,
             parallel: int, progress: Progress | None, waiting: _Waiting) -> tuple[dict[str, str], dict[str, bytes]]:
    """Every story's page and feeds, and the ``waiting`` units as their stories are done; the unit key of each story
    page, and the entry in stories.json of each story rendered (by story id)."""
    page_keys: dict[str, str] = {}
    todo: list[tuple[str, Story]] = []
    for story in ordered:
        key = unit_key(base, "story", story.last_published or site.generated, keys[story.id])
        page_keys[story_path(story) + "index.html"] = key
        if not run.kept(key):
            todo.append((key, story))
    total, done = len(todo), 0
    if progress:
        progress("render", 0, total)
    packed_of = digests.packed
    items = [(story, packed_of.get(keys[story.id])) for _, story in todo]
    results: Iterator[list[StoryUnit]]
    if pool is not None and parallel > 1 and total >= PARALLEL_FROM:
        results = _shared(pool, env, site, built, items, user_templates, parallel)
    else:
        results = ([_story_unit(env, site, built, story, packed)] for story, packed in items)
    position = 0
    entries: dict[str, bytes] = {}
    at = {s.id: i for i, s in enumerate(ordered)}
    todo_at = [at[story.id] for _, story in todo] + [len(ordered)]  # the stories before the next one are done
    waiting.ready(todo_at[0])
    for chunk in results:
        for packed, files, entry in chunk:
            key, story = todo[position]
            position += 1
            digests.add(story, packed)
            run.put(key, files)
            entries[story.id] = entry
        waiting.ready(todo_at[position])
        done = position
        if progress:
            progress("render", done, total)
    return page_keys, entries


def _search(run: Run, site: Site, ordered: tuple[Story, ...], page_keys: dict[str, str],
            parallel: int, progress: Progress | None) -> tuple[str, ...]:
    """The search index of the story pages (one, or one per period: see search.py); the names of the indexes."""
    if not search.available():
        return ()
    shards = search.shards([(story_path(s) + "index.html", s.first_published) for s in ordered])
    jobs = []
    for shard in shards:
        key = search.shard_key(shard, page_keys)
        if not run.kept(key):
            jobs.append((key, shard))
    if progress and jobs:
        progress("search", 0, len(jobs))
    with closing(search.bundles([(shard, {p: run.sink.source(p) for p in shard.pages}) for _, shard in jobs],
                                run.sink.work, parallel)) as made:
        for done, ((key, _), files) in enumerate(zip(jobs, made), 1):
            run.put(key, files)
            if progress:
                progress("search", done, len(jobs))
    return tuple(s.name for s in shards if s.name)


Planned = tuple[str, int, Callable[[], list[OutputFile]]]  # unit key, the stories it waits for, how to make it


class _Waiting:
    """Units that list stories (``_collections``), each made as soon as the stories it shows are rendered: it waits
    for the first ``n`` stories of the front page order, whose digests are known then; the others are still being
    rendered (in the workers, while this process makes the pages that can be made)."""

    def __init__(self, run: Run, plan: list[Planned]):
        self._run = run
        self._plan = sorted(plan, key=lambda unit: unit[1])
        self._next = 0

    def ready(self, stories: int) -> None:
        """The first ``stories`` stories are rendered: make what waits for no more."""
        while self._next < len(self._plan) and self._plan[self._next][1] <= stories:
            key, _, make = self._plan[self._next]
            self._next += 1
            self._run.unit(key, make)


def _collections(env: Environment, site: Site, base: str, ordered: tuple[Story, ...], keys: dict[str, str],
                 digests: Digests, per_page: int) -> tuple[list[Planned], list[str]]:
    """The pages and feeds that list stories (front pages, archive, outlets, the site's feeds), planned: each unit
    with the stories it waits for (``_Waiting``); and their page paths. ``site`` is as of the newest report of all;
    a page that shows fewer stories is as of the newest it shows."""
    newest = site.generated
    at = {s.id: i for i, s in enumerate(ordered)}

    def waits(stories: Iterable[Story]) -> int:
        return max((at[s.id] + 1 for s in stories), default=0)

    plan: list[Planned] = []
    pages: list[str] = []
    chunks = front_pages(ordered, per_page)
    for number, chunk in enumerate(chunks, 1):
        when = _newest(chunk) or newest
        plan.append((unit_key(base, "index", number, len(chunks), when, [keys[s.id] for s in chunk]), waits(chunk),
                     lambda chunk=chunk, number=number, when=when:
                     [index_page(env, as_of(site, when), chunk, digests, number, len(chunks))]))
    pages += [page_path(number, len(chunks)) for number in range(len(chunks), 0, -1)]
    by_day: dict[date, list[Story]] = {}
    for section in sections(site, ordered):
        if section.day is not None:
            by_day.setdefault(section.day, []).extend(section.stories)
    counts = Counter(story_day(site, s) for s in ordered if s.last_published)
    days = sorted(counts.items(), reverse=True)
    plan.append((unit_key(base, "archive", newest, days), 0,
                 lambda: [_page(env, "archive.html", "archive/index.html", site, days=days)]))
    pages.append("archive/index.html")
    for day, _ in days:
        day_stories = tuple(by_day.get(day, ()))
        when = _newest(day_stories) or newest
        path = archive_path(day) + "index.html"
        plan.append((unit_key(base, "day", day, when, [keys[s.id] for s in day_stories]), waits(day_stories),
                     lambda path=path, day=day, day_stories=day_stories, when=when:
                     [_page(env, "day.html", path, as_of(site, when), day=day, stories=day_stories,
                            digests=digests)]))
        pages.append(path)
    by_outlet = outlets(ordered)
    listing = [(name, [(keys[s.id], a.id) for s, a in items]) for name, items in by_outlet.items()]
    plan.append((unit_key(base, "outlets", newest, listing), 0,
                 lambda: [_page(env, "outlets.html", "outlets/index.html", site, outlets=by_outlet)]))
    pages.append("outlets/index.html")
    for (name, items), (_, item_keys) in zip(by_outlet.items(), listing):
        when = max((a.published for _, a in items if a.published), default=None) or newest
        path = outlet_path(name) + "index.html"
        story_ids = {story.id for story, _ in items}
        its = [s for s in ordered if s.id in story_ids]
        plan.append((unit_key(base, "outlet", name, when, item_keys), waits(its),
                     lambda path=path, name=name, items=items, when=when:
                     [_page(env, "outlet.html", path, as_of(site, when), name=name, items=items, digests=digests)]))
        # its feeds show its newest stories only: they need not wait for the page's
        top = its[:feeds.FEED_ENTRIES]
        plan.append((unit_key(base, "outlet feeds", name, when, _newest(its), [keys[s.id] for s in top]), waits(top),
                     lambda name=name, when=when, its=its: feeds.outlet_feeds(as_of(site, when), name, its, digests)))
        pages.append(path)
    top = ordered[:feeds.FEED_ENTRIES]
    plan.append((unit_key(base, "feeds", newest, [keys[s.id] for s in top]), waits(top),
                 lambda: feeds.site_feeds(site, ordered, digests)))
    return plan, pages


def render_site(sink: Sink, stories: tuple[Story, ...], config: Config, now: datetime,
                user_templates: Path | None = None, memo: RenderMemo | None = None,
                unchanged: Callable[[str], bool] = lambda path: False, redirects: tuple[Redirect, ...] = (),
                key_of: Callable[[Article], str] = article_key, pool: Executor | None = None, parallel: int = 1,
                progress: Progress | None = None, compiled: Path | None = None) -> RenderMemo:
    """Every file of the site into ``sink``; the memo for the next render. ``memo`` is the last render's,
    ``unchanged(path)`` tells whether the output folder's file at ``path`` is still the one the last build wrote;
    ``key_of`` gives an article's key; ``pool`` (with ``parallel`` workers) renders stories side by side;
    ``compiled`` is a folder to keep compiled templates in."""
    memo = memo or RenderMemo()
    run = Run(sink, memo, unchanged)
    built = make_site(stories, config, now)
    newest = _newest(stories)
    site = as_of(built, newest)  # pages are as of the newest report they show, else of the newest of all
    env = _environment(user_templates, compiled)
    base = unit_key(replace(built, generated=None), [str(user_templates)])
    ordered = front_page_order(site, stories)
    keys = {s.id: story_key(s, key_of) for s in ordered}
    digests = Digests(ordered, keys, {k: memo.digests[k] for k in keys.values() if k in memo.digests})
    plan, collection_pages = _collections(env, site, base, ordered, keys, digests, config.stories_per_page)
    waiting = _Waiting(run, plan)
    page_keys, made = _stories(run, env, site, built, base, ordered, keys, digests, user_templates, pool, parallel,
                               progress, waiting)  # which has made every waiting unit by its end
    pages = list(page_keys) + collection_pages
    for redirect in redirects:
        survivor = redirect.survivor
        run.unit(unit_key(base, "redirect", site.generated, redirect.absorbed, keys[survivor.id]),
                 lambda r=redirect: redirect_files(env, site, r, digests[r.survivor.id]))
    shards = _search(run, site, ordered, page_keys, parallel, progress)
    run.unit(unit_key(base, "search", site.generated, shards),
             lambda: [_page(env, "search.html", "search/index.html", site, shards=" ".join(shards))])
    run.unit(unit_key(base, "404", site.generated),  # served at any address: its links lead to the site's root
             lambda: [_page(env, "404.html", "404.html", site, root=site.base_url)])
    pages.append("search/index.html")
    entries = {}
    for story in ordered:
        key = unit_key(base, "entry", keys[story.id])
        entries[key] = memo.entries.get(key) or made.get(story.id) or _story_json(built, story, digests[story.id])
    for item in [stories_json(built, list(entries.values())), export.sitemap(built, pages),
                 export.robots_txt(built)] + static_files():
        sink.put(item)
    return RenderMemo(run.units, {k: digests.packed[k] for k in keys.values() if k in digests.packed}, entries)


def render(stories: tuple[Story, ...], config: Config, now: datetime,
           user_templates: Path | None = None) -> list[OutputFile]:
    """Every file of the site, in memory."""
    sink = Collect()
    render_site(sink, stories, config, now, user_templates)
    return sink.files
