"""The build's worker pools (generator/build.py ``workers``): a map keeps only a few tasks in the pool and ends the
workers when its last result is in; a worker does not look through what it was forked with."""
from __future__ import annotations

import gc

import pytest

from generator import build


def _square(n: int) -> int:
    return n * n


def _frozen(_: int) -> int:
    return gc.get_freeze_count()


def test_map_takes_tasks_as_results_come_back_and_ends_the_workers() -> None:
    pulled: list[int] = []

    def tasks():
        for n in range(40):
            pulled.append(n)
            yield n

    with build.workers(2) as pool:
        if pool is None:
            pytest.skip("no process pool here (one core, no fork, or other threads)")
        results = pool.map(_square, tasks())
        ahead = build.AHEAD * 2
        assert len(pulled) == ahead  # the first tasks are in the pool before the first result is asked for
        assert next(results) == 0
        assert len(pulled) == ahead + 1  # one more for each result taken
        assert list(results) == [n * n for n in range(1, 40)]
        with pytest.raises(RuntimeError):  # the workers have ended
            pool.submit(_square, 2)


def test_workers_set_aside_what_they_were_forked_with() -> None:
    keep = [[n] for n in range(1000)]  # objects of the parent that a worker's collector would otherwise walk
    with build.workers(2) as pool:
        if pool is None:
            pytest.skip("no process pool here (one core, no fork, or other threads)")
        assert all(count >= len(keep) for count in pool.map(_frozen, range(4)))


def _resident_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_give_back_returns_freed_memory_to_the_system() -> None:
    try:
        _resident_kb()
    except OSError:
        pytest.skip("no /proc here")
    held = [bytes(2000) for _ in range(100_000)]  # ~200 MB on the C heap
    del held[:75_000]  # freed below what is still held: the heap keeps it for reuse, free() does not give it back
    before = _resident_kb()
    build._give_back()
    if before - _resident_kb() < 50_000:
        pytest.skip("the C library here does not give memory back (not glibc)")
    assert len(held) == 25_000 and not any(held[-1])  # what is held is still there
