"""Python's cyclic garbage collector, paused while a stage makes millions of small objects and no cycles (grouping,
unpickling the build cache): a collection pass over them all, again and again, costs more than the stage itself."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the ``with`` block, and back as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
