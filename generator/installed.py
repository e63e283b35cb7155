"""Which versions of newsdigest's libraries are installed: for the build cache's version (generator/cache.py) and
the search index's keys (generator/search.py), asked on every build.

The answers are read from the ``<name>-<version>.dist-info`` folders on ``sys.path`` that installers make
(importing ``importlib.metadata`` alone takes a good part of a rebuild's start-up): the first of a name on the path
is the one Python imports, and its folder's name carries the version. Where a library is not installed that way
(an egg, a zip file), ``importlib.metadata`` answers after all. Unlike ``importlib.metadata``, an ``.egg-info``
folder is not read where a ``.dist-info`` of the name is on the path (setuptools leaves one in a source checkout,
which is not what is installed); the answers serve as parts of cache keys, which only need to change when an
installed version does.
"""
from __future__ import annotations

import functools
import os
import re
import sys

DIST_INFO = ".dist-info"


def _normal(name: str) -> str:
    """A project name as the packaging standards compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _folders() -> dict[str, tuple[str, str]]:
    """Normalized project name -> (the folder of its first .dist-info on ``sys.path``, its version)."""
    found: dict[str, tuple[str, str]] = {}
    for entry in sys.path:
        folder = entry or os.curdir
        try:
            names = sorted(os.listdir(folder))
        except OSError:  # not a folder (a zip file), or gone
            continue
        for name in names:
            if name.endswith(DIST_INFO):
                project, _, version = name[:-len(DIST_INFO)].rpartition("-")
                if project and version:
                    found.setdefault(_normal(project), (os.path.join(folder, name), version))
    return found


def version(name: str) -> str | None:
    """The installed version of the library ``name``; None where it is not installed."""
    hit = _folders().get(_normal(name))
    if hit is not None:
        return hit[1]
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def requires(name: str) -> list[str] | None:
    """The requirements that the installed project ``name`` declares (``Requires-Dist``), as
    ``importlib.metadata.requires`` gives them; None where it is not installed."""
    hit = _folders().get(_normal(name))
    if hit is not None:
        try:
            with open(os.path.join(hit[0], "METADATA"), encoding="utf-8") as handle:
                head = handle.read().split("\n\n", 1)[0]  # the headers (the description follows a blank line)
        except OSError:
            pass
        else:
            return [line[len("Requires-Dist:"):].strip() for line in head.splitlines()
                    if line.startswith("Requires-Dist:")]
    from importlib import metadata
    try:
        return metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return None
