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


def test_a_busy_month_is_split_into_quarters_and_a_busy_quarter_into_days(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timedelta, timezone
    monkeypatch.setattr(search, "SHARD_FROM", 2)
    monkeypatch.setattr(search, "SHARD_PAGES", 10)
    start = datetime(2025, 3, 1, 6, tzinfo=timezone.utc)
    pages = [(f"a{i}/index.html", start + timedelta(days=i)) for i in range(8)]  # March 1-8: quarters
    pages += [(f"b{i}/index.html", datetime(2025, 3, 16 + i % 3, 9, tzinfo=timezone.utc)) for i in range(12)]
    pages += [(f"c{i}/index.html", datetime(2025, 1, 9, tzinfo=timezone.utc)) for i in range(4)]  # a quiet month
    pages += [("d/index.html", None)]
    shards = search.shards(pages)
    names = [s.name for s in shards]
    assert names == ["2025-03-18", "2025-03-17", "2025-03-16", "2025-03-q2", "2025-03-q1", "2025-01", "undated"]
    by_name = {s.name: s.pages for s in shards}
    assert by_name["2025-03-q2"] == ("a7/index.html",)  # March 8 begins the second quarter
    assert len(by_name["2025-03-q1"]) == 7 and len(by_name["2025-03-16"]) == 4
    assert sorted(p for s in shards for p in s.pages) == sorted(p for p, _ in pages)  # each page in one index
