"""read_content's ``meanwhile``: called once, with the articles of the first files, while the workers read."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator import inputs
from generator.build import workers
from generator.config import Config

from test_cache import make_corpus


def test_meanwhile_hears_the_first_articles_while_the_workers_read(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    make_corpus(tmp_path, 40)
    heard: list[list] = []
    serial = inputs.read_content(tmp_path, Config(), meanwhile=heard.append)
    assert not heard  # no workers: nothing to do meanwhile
    monkeypatch.setattr(inputs, "PARALLEL_FROM", 4)
    with workers(2) as pool:
        if pool is None:
            pytest.skip("no processes to share the work among here")
        parallel = inputs.read_content(tmp_path, Config(), pool=pool, parallel=2, meanwhile=heard.append)
    assert parallel.articles == serial.articles
    assert len(heard) == 1 and heard[0] and heard[0] == list(serial.articles[:len(heard[0])])
