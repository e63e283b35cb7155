"""A large site's search index is split by month; the search page searches all of them at once, in Chromium."""
from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from generator import search
from generator.build import Paths, build
from generator.config import Config

from conftest import FIXED_NOW
from test_browser import _console_errors, _open, _Quiet, driver  # noqa: F401 - driver is a fixture
from test_cache import article, make_corpus


def test_search_finds_stories_in_every_month(driver, tmp_path: Path,  # noqa: F811 - the fixture
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    if not search.available():
        pytest.skip("pagefind is not installed")
    monkeypatch.setattr(search, "SHARD_FROM", 2)
    content, site = tmp_path / "content", tmp_path / "site"
    make_corpus(content, 6)
    words = ["Leuchtturm", "Gezeiten", "Wattenmeer", "Seehund", "Krabbenkutter"] * 3
    for n, month in enumerate((3, 9)):
        (content / f"watt-{month}.md").write_text(article(f"Wattenmeer Bericht {month}", words,
                                                          f"2024-{month:02d}-15 10:00", "taz", 100 + n),
                                                  encoding="utf-8")
    build(Config(), Paths(content, site), FIXED_NOW)
    assert len(list((site / "pagefind").glob("*/pagefind-entry.json"))) >= 3
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        _open(driver, f"http://127.0.0.1:{httpd.server_address[1]}/search/index.html?q=Seehund")
        WebDriverWait(driver, 20).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#search-results a")) >= 2)
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results a")]
        assert sum("wattenmeer-bericht" in link for link in links) == 2, links
        assert not _console_errors(driver)
    finally:
        httpd.shutdown()
