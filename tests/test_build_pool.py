"""The build's worker pools (generator/build.py ``workers``): a map keeps only a few tasks in the pool and ends the
workers when its last result is in; a worker does not look through what it was forked with."""
from __future__ import annotations

import gc
import platform
import time
from pathlib import Path

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
    build._give_back()  # never raises, whatever the C library
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("the C library here is not glibc: nothing is given back")
    assert before - _resident_kb() >= 50_000  # most of the ~150 MB freed is the system's again
    assert len(held) == 25_000 and not any(held[-1])  # what is held is still there


def _mark(path: str) -> str:
    time.sleep(0.2)
    Path(path).touch()
    return path


def test_a_pool_serves_one_map_and_a_failure_stops_its_waiting_tasks(tmp_path: Path) -> None:
    with build.workers(2) as pool:
        if pool is None:
            pytest.skip("no process pool here (one core, no fork, or other threads)")
        assert list(pool.map(_square, range(3))) == [0, 1, 4]
        with pytest.raises(RuntimeError):
            pool.map(_square, range(3))
    with pytest.raises(KeyError), build.workers(2) as pool:
        results = pool.map(_mark, (str(tmp_path / str(n)) for n in range(100)))
        next(results)
        raise KeyError("a failure while the map runs")
    # the window held 2 * AHEAD + 1 tasks; those the pool had not begun were cancelled, not run
    assert len(list(tmp_path.iterdir())) < 2 * build.AHEAD + 1
