"""The grouping drafts made while reading (inputs.read_content with drafts) are those the grouping would make."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from generator import inputs
from generator.config import Config
from generator.features import Draft, draft, extra_words
from generator.group import group, group_with_memo

from test_cache import make_corpus


def _same(a: Draft, b: Draft) -> bool:
    return (a.language == b.language and a.keys == b.keys and a.surface == b.surface and a.headline == b.headline
            and a.shingles == b.shingles and np.array_equal(a.values, b.values) and np.array_equal(a.info, b.info)
            and np.array_equal(a.signature, b.signature))


def _check(content: inputs.Content, config: Config) -> None:
    extra = extra_words(config.grouping)
    assert content.articles and all(content.draft_of(a) is not None for a in content.articles)
    assert all(_same(content.draft_of(a), draft(a, extra, config.grouping)) for a in content.articles)
    stories, _ = group_with_memo(content.articles, config.grouping, None, key_of=content.group_key_of,
                                 draft_of=content.draft_of)
    assert stories == group(content.articles, config.grouping)


def test_drafts_made_while_reading_serially(tmp_path: Path) -> None:
    make_corpus(tmp_path, 30)
    config = Config()
    content = inputs.read_content(tmp_path, config, drafts=True)
    _check(content, config)
    assert not inputs.read_content(tmp_path, config).drafts  # only when asked for


def test_drafts_made_in_the_reading_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.build import workers
    make_corpus(tmp_path, 40)
    config = Config()
    monkeypatch.setattr(inputs, "PARALLEL_FROM", 4)
    with workers(2) as pool:
        if pool is None:
            pytest.skip("no processes to share the work among here")
        content = inputs.read_content(tmp_path, config, pool=pool, parallel=2, drafts=True)
    _check(content, config)


def test_unchanged_files_bring_no_drafts(tmp_path: Path) -> None:
    make_corpus(tmp_path, 10)
    config = Config()
    first = inputs.read_content(tmp_path, config, drafts=True)
    again = inputs.read_content(tmp_path, config, first.inputs, 2**62, drafts=True)
    assert again.articles == first.articles and not again.drafts  # the group memo keeps theirs
