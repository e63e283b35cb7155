"""Python's cyclic garbage collector, paused while a stage makes millions of small objects and no cycles (grouping,
unpickling the build cache): a collection pass over them all, again and again, costs more than the stage itself."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused(keep: bool = False) -> Iterator[None]:
    """The collector off for the ``with`` block, and back as it was afterwards. With ``keep``, what is alive at
    the end of the block is set aside for good (``gc.freeze``, until ``release``): values that live to the end of
    the build, such as a loaded cache, are then not looked through again by every later collection (the first
    one after a pause would look through all of them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if keep:
            gc.freeze()
        if enabled:
            gc.enable()


def release() -> None:
    """What ``paused(keep=True)`` set aside, back in the collector's care (the end of a build)."""
    gc.unfreeze()
