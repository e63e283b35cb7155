"""`newsdigest serve`: the preview server adds the live-reload script to the pages it sends (never to the files of
the site), counts good builds, rebuilds on a change and keeps serving the last good site when a build fails."""
from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import Paths
from generator.cli import _parser
from generator.serve import BUILD_PATH, Preview, make_server

from conftest import write_files

ARTICLE = "---\ntitle: {title}\noutlet: Testbote\npublished: 2024-05-0{day}T10:00:00+02:00\n---\n{body}\n"
BODIES = {1: "Die neue Brücke verbindet Mainz und Wiesbaden. Der Verkehrsminister schnitt das Band durch. "
             "Pendler sparen zwanzig Minuten am Tag.",
          2: "Der Pegel stieg über acht Meter. Die Altstadt wurde gesperrt, Sandsäcke liegen am Ufer. "
             "Feuerwehr und Technisches Hilfswerk pumpen Keller leer."}


def article(title: str, day: int = 1) -> str:
    return ARTICLE.format(title=title, day=day, body=BODIES[day])


@pytest.fixture()
def digest(tmp_path: Path) -> Preview:
    write_files(tmp_path / "content", {"a.md": article("Brücke über den Rhein eröffnet")})
    write_files(tmp_path, {"newsdigest.toml": 'site_title = "Vorschau"\n'})
    preview = Preview(tmp_path / "newsdigest.toml", Paths(tmp_path / "content", tmp_path / "site"))
    assert preview.rebuild() and preview.build_number == 1
    return preview


@pytest.fixture()
def served(digest: Preview) -> Iterator[str]:
    server = make_server(digest, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode("utf-8")


def test_served_pages_have_the_reload_script_and_the_built_files_do_not(digest: Preview, served: str) -> None:
    site = digest.paths.output
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        rel = page.relative_to(site).as_posix()
        status, kind, body = get(f"{served}/{rel}")
        assert status == 200 and kind.startswith("text/html"), rel
        assert f'fetch("{BUILD_PATH}"' in body and 'const built = "1"' in body, rel
        assert body.index("</script>\n</body>") > 0, rel  # just before </body>
        assert BUILD_PATH not in page.read_text(encoding="utf-8"), rel
    assert not [p for p in site.rglob("*") if p.is_file() and b"__newsdigest" in p.read_bytes()]
    assert 'const built = "1"' in get(f"{served}/")[2]  # a folder's index.html
    status, _, css = get(f"{served}/style.css")
    assert status == 200 and BUILD_PATH not in css
    status, _, missing = get(f"{served}/stories/no-such-story/")
    assert status == 404 and "<h1>" in missing and BUILD_PATH in missing  # the site's own 404 page


def test_a_content_change_rebuilds_and_bumps_the_build_number(digest: Preview, served: str) -> None:
    assert get(served + BUILD_PATH)[2] == "1"
    assert not digest.poll()  # nothing changed: no build
    write_files(digest.paths.content, {"b.md": article("Hochwasser in Köln", day=2)})
    assert digest.poll()
    assert get(served + BUILD_PATH)[2] == "2"
    status, _, front = get(f"{served}/index.html")
    assert "Hochwasser in Köln" in front and 'const built = "2"' in front


def test_a_failed_build_is_reported_and_the_last_good_site_stays(digest: Preview, served: str,
                                                                 capsys: pytest.CaptureFixture) -> None:
    capsys.readouterr()
    assert digest.config_path is not None
    digest.config_path.write_text('site_title = "Vorschau\n', encoding="utf-8")  # unclosed string
    write_files(digest.paths.content, {"b.md": article("Hochwasser in Köln", day=2)})
    assert digest.poll()
    assert "newsdigest.toml: not valid TOML" in capsys.readouterr().out
    assert get(served + BUILD_PATH)[2] == "1"  # open pages stay as they are
    status, _, front = get(f"{served}/index.html")
    assert status == 200 and "Brücke über den Rhein" in front and "Hochwasser" not in front
    digest.config_path.write_text('site_title = "Vorschau"\n', encoding="utf-8")  # fixed: builds again
    assert digest.poll() and get(served + BUILD_PATH)[2] == "2"
    assert "Hochwasser in Köln" in get(f"{served}/index.html")[2]


def test_binds_to_this_machine_only_by_default(digest: Preview) -> None:
    assert _parser().parse_args(["serve"]).bind == "127.0.0.1"
    server = make_server(digest, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()
