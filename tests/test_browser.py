"""What a reader sees in a real browser: headless Chromium (Debian's chromium and chromedriver, driven by
Selenium) opens the built sample site from file:// and from a local HTTP server on 127.0.0.1.

Also validates every page and the stylesheet with the Nu Html Checker (vnu.jar from npm, run with Java).

Checks the headline, the attributed summary and every source, that no page logs a console error, that axe-core
finds no serious or critical accessibility violation (light and dark), that search finds a story, and keeps
screenshots at 360 px and 1440 px in tests/artifacts/. Without a browser the tests skip, except in CI (CI=true),
where they fail.
"""
from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
NPM_PREFIX = ROOT / ".cache" / "npm"
AXE = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
VNU = NPM_PREFIX / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")
WIDTHS = (360, 1440)


def _missing(reason: str) -> None:
    """Skip outside CI; in CI a missing browser piece is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[test]')")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            _missing(f"{path} not found (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + (f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    browser.set_script_timeout(60)
    yield browser
    browser.quit()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def server(sample_site: Path) -> Iterator[str]:
    """The sample site over HTTP on 127.0.0.1 at a free port, for the length of this module."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(sample_site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script; installed with npm into .cache/npm when it is not there yet."""
    _npm_install("axe-core", AXE)
    if not AXE.is_file():
        _missing(f"axe-core not found at {AXE} (npm install --prefix .cache/npm axe-core)")
    return AXE.read_text(encoding="utf-8")


def _stories(site: Path) -> list[dict]:
    return json.loads((site / "stories.json").read_text(encoding="utf-8"))["stories"]


def _base(kind: str, site: Path, server: str) -> str:
    return site.as_uri() + "/" if kind == "file" else server


def _open(driver, url: str, width: int = 1440, dark: bool = False) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)


def _console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _screenshot(driver, name: str) -> Path:
    """The whole page as a PNG in tests/artifacts/."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return document.documentElement.clientWidth")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                              "clip": {"x": 0, "y": 0, "width": width,
                                                                       "height": min(height, 12000), "scale": 1}})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _axe_violations(driver, source: str) -> list[str]:
    driver.execute_script(source)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([String(e)]));")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
            for v in violations if isinstance(v, dict) and v.get("impact") in ("serious", "critical")]


def _text(driver, css: str) -> list[str]:
    from selenium.webdriver.common.by import By
    return [el.text for el in driver.find_elements(By.CSS_SELECTOR, css)]


@pytest.mark.parametrize("kind", ["file", "http"])
def test_front_page_shows_every_story(driver, sample_site: Path, server: str, kind: str) -> None:
    _open(driver, _base(kind, sample_site, server) + "index.html")
    headlines = _text(driver, ".story-card h3, .story-card h2")
    assert headlines == [s["headline"] for s in _stories(sample_site)]
    assert not _console_errors(driver)


@pytest.mark.parametrize("kind", ["file", "http"])
def test_story_page_shows_headline_summary_and_every_source(driver, sample_site: Path, server: str,
                                                             kind: str) -> None:
    from selenium.webdriver.common.by import By
    for story in _stories(sample_site):
        _open(driver, _base(kind, sample_site, server) + f"stories/{story['slug']}/index.html")
        assert _text(driver, "h1") == [story["headline"]]
        items = driver.find_elements(By.CSS_SELECTOR, ".summary li")
        assert len(items) == len(story["summary"])
        for item, sentence in zip(items, story["summary"]):
            assert sentence["text"] in item.text
            hrefs = [a.get_attribute("href").rsplit("#", 1)[1] for a in item.find_elements(By.CSS_SELECTOR, "a")]
            assert hrefs == [f"a-{source}" for source in sentence["sources"]]
        for article in story["articles"]:
            source = driver.find_element(By.ID, f"a-{article['id']}")
            assert source.is_displayed()
            assert article["title"] in source.text
            if article["outlet"]:
                assert article["outlet"].upper() in source.text.upper()
        timeline = driver.find_elements(By.CSS_SELECTOR, ".timeline a")
        assert len(timeline) == len(story["articles"])
        assert not _console_errors(driver)


def test_screenshots_and_accessibility(driver, sample_site: Path, server: str, axe_source: str) -> None:
    story = max(_stories(sample_site), key=lambda s: len(s["articles"]))
    pages = {"front": "index.html", "story": f"stories/{story['slug']}/index.html", "search": "search/index.html",
             "outlets": "outlets/index.html", "archive": "archive/index.html"}
    problems = []
    for name, path in pages.items():
        for width in WIDTHS:
            for dark in (False, True):
                _open(driver, server + path, width, dark)
                if name in ("front", "story") and not dark:
                    assert _screenshot(driver, f"{name}-{width}").stat().st_size > 1000
                if width == 1440 or name == "story":
                    problems += [f"{path} {width}px {'dark' if dark else 'light'}: {v}"
                                 for v in _axe_violations(driver, axe_source)]
    _open(driver, server + pages["story"], 360, dark=True)
    _screenshot(driver, "story-360-dark")
    assert not problems, "\n".join(problems)


def test_page_fits_a_phone_without_sideways_scrolling(driver, sample_site: Path, server: str) -> None:
    story = _stories(sample_site)[0]
    for path in ("index.html", f"stories/{story['slug']}/index.html"):
        _open(driver, server + path, 360)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path


def test_search_finds_a_story_by_a_word_of_its_text(driver, sample_site: Path, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    if not (sample_site / "pagefind" / "pagefind.js").is_file():
        pytest.skip("the site has no Pagefind index")
    story = max(_stories(sample_site), key=lambda s: len(s["articles"]))
    word = max((w.strip(".,") for w in story["summary"][0]["text"].split()), key=len)
    _open(driver, server + f"search/index.html?q={word}")
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results a"))
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results a")]
    assert any(f"stories/{story['slug']}/" in link for link in links), (word, links)
    assert not _console_errors(driver)


def test_search_page_from_a_file_says_it_needs_a_server(driver, sample_site: Path) -> None:
    _open(driver, (sample_site / "search" / "index.html").as_uri())
    assert _text(driver, "#search-status")[0]
    assert not _console_errors(driver)


def _npm_install(package: str, target: Path) -> None:
    if not target.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", str(NPM_PREFIX), "--no-audit", "--no-fund", package],
                       check=False, capture_output=True, timeout=300)


def test_every_page_and_the_stylesheet_validate(sample_site: Path) -> None:
    """The Nu Html Checker (the W3C validator) finds no error or warning in any page or in style.css."""
    _npm_install("vnu-jar", VNU)
    java = shutil.which("java")
    if not java or not VNU.is_file():
        _missing("the Nu Html Checker needs java and vnu.jar (npm install --prefix .cache/npm vnu-jar)")
    result = subprocess.run([java, "-jar", str(VNU), "--skip-non-html", "--also-check-css", "--format", "text",
                             "--stdout", str(sample_site)], capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    problems = [line for line in report.splitlines() if line.startswith(("Error", "Warning"))
                and "File was not checked" not in line]
    assert result.returncode == 0 and not problems, report


def test_every_page_works_without_javascript(driver, sample_site: Path, server: str) -> None:
    """Scripts off: the story, its summary and sources are all there; the search page says what it needs."""
    story = _stories(sample_site)[0]
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        _open(driver, server + f"stories/{story['slug']}/index.html")
        assert _text(driver, "h1") == [story["headline"]]
        assert len(_text(driver, ".summary li")) == len(story["summary"])
        assert len(_text(driver, "li.source")) == len(story["articles"])
        _open(driver, server + "search/index.html?q=Syrien")
        assert "JavaScript" in _text(driver, "#search-status")[0]
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_serve_reloads_the_open_page_after_a_content_change(driver, tmp_path: Path) -> None:
    """`newsdigest serve`: a page open in the browser reloads by itself once a changed article is rebuilt."""
    from selenium.webdriver.support.ui import WebDriverWait

    from generator.build import Paths
    from generator.serve import Preview, make_server

    content = tmp_path / "content"
    content.mkdir()
    story = "---\ntitle: {}\noutlet: Testbote\npublished: 2024-05-01T10:00:00+02:00\n---\n{}\n"
    (content / "a.md").write_text(story.format("Brücke über den Rhein eröffnet", "Die neue Brücke verbindet "
                                               "Mainz und Wiesbaden. Pendler sparen zwanzig Minuten."), "utf-8")
    preview = Preview(None, Paths(content, tmp_path / "site"))
    assert preview.rebuild()
    server = make_server(preview, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _open(driver, f"http://127.0.0.1:{server.server_address[1]}/index.html")
        driver.execute_script("window.notReloaded = true;")
        (content / "a.md").write_text(story.format("Brücke über den Rhein wieder gesperrt", "Die neue Brücke "
                                                   "zwischen Mainz und Wiesbaden ist wieder gesperrt."), "utf-8")
        assert preview.poll() and preview.build_number == 2
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return window.notReloaded === undefined"))
        assert "wieder gesperrt" in driver.page_source
        assert not (tmp_path / "site" / "index.html").read_text(encoding="utf-8").count("__newsdigest")
    finally:
        server.shutdown()
        server.server_close()
