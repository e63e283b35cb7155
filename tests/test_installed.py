"""generator.installed answers as importlib.metadata does, without importing it where installers left .dist-info
folders."""
from __future__ import annotations

import re
import sys
from importlib import metadata

from generator import installed


def _names() -> list[str]:
    requires = metadata.requires("newsdigest") or []
    return sorted({re.match(r"[A-Za-z0-9._-]+", r).group(0) for r in requires} | {"pagefind", "newsdigest"})


def test_versions_and_requirements_are_importlib_metadatas():
    assert installed.requires("newsdigest") == metadata.requires("newsdigest")
    for name in _names():
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = None
        assert installed.version(name) == expected, name


def test_a_library_not_installed_has_no_version():
    assert installed.version("no-such-library-newsdigest-test") is None
    assert installed.requires("no-such-library-newsdigest-test") is None


def test_the_first_on_the_path_counts_and_names_compare_normalized(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "Some_Lib-2.0.dist-info").mkdir(parents=True)
    (first / "Some_Lib-2.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: some-lib\nVersion: 2.0\nRequires-Dist: other>=1\n"
        "Requires-Dist: pytest; extra == \"test\"\n\nRequires-Dist: not a header\n", encoding="utf-8")
    (second / "some_lib-1.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    installed._folders.cache_clear()
    try:
        assert installed.version("some.lib") == "2.0"
        assert installed.requires("SOME-LIB") == ["other>=1", 'pytest; extra == "test"']
    finally:
        installed._folders.cache_clear()
