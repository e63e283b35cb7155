"""The static full-text search index: Pagefind (https://pagefind.app) indexes the story pages in memory and
hands back its files, which the site serves as they are. The browser loads only the parts of the index a query
needs; no server runs any code.

Only the story pages are indexed (they mark their content with data-pagefind-body). Words are stemmed in the
language of the pages (<html lang>): German and English, among others. Without the pagefind package the site has
no index and the search page says so; everything else works as before.
"""
from __future__ import annotations

import asyncio
import logging

from generator.model import OutputFile

log = logging.getLogger(__name__)
FOLDER = "pagefind/"
# The parts of Pagefind's bundle that our search.js uses: its API, the WebAssembly search, the index itself.
# Pagefind's ready-made interfaces (pagefind-ui.js, ...) and its playground are left out.
_KEEP = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.", "pagefind.", "index/", "fragment/",
         "filter/")
_DROP = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight", "playground/")


def available() -> bool:
    try:
        from pagefind.service import get_executable
    except ImportError:
        return False
    return get_executable() is not None


def _wanted(path: str) -> bool:
    return path.startswith(_KEEP) and not path.startswith(_DROP)


async def _bundle(pages: list[OutputFile]) -> list[OutputFile]:
    from pagefind.service import PagefindService

    async with PagefindService() as service:
        index = await service.create_index({"keep_index_url": True})
        for page in pages:
            await index.add_html_file(content=page.content.decode("utf-8"), url="/" + page.path)
        files = await index.get_files()
    return sorted((OutputFile(FOLDER + f["path"], f["content"]) for f in files if _wanted(f["path"])),
                  key=lambda f: f.path)


def index(files: list[OutputFile]) -> list[OutputFile]:
    """The search bundle for the story pages among ``files``; empty where Pagefind is not installed."""
    pages = [f for f in files if f.path.startswith("stories/") and f.path.endswith("/index.html")]
    if not pages or not available():
        return []
    return asyncio.run(_bundle(pages))
