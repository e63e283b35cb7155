"""Config: defaults without a file, a TOML file overrides only what it sets, every problem reported at once."""
from __future__ import annotations

import pytest

from generator.config import Config, ConfigError, field_docs, parse_config


def test_defaults_work_without_a_file() -> None:
    config, warnings = parse_config("")
    assert config == Config() and warnings == []


def test_file_overrides_only_its_keys() -> None:
    config, _ = parse_config('site_title = "Syrien-Monitor"\n[grouping]\nmax_days = 5\n')
    assert config.site_title == "Syrien-Monitor"
    assert config.grouping.max_days == 5.0
    assert config.grouping.threshold == Config().grouping.threshold
    assert config.timezone == "Europe/Berlin"


def test_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config('base_url = "example.org"\nstories_per_page = "ten"\nlanguage = "deutsch"\n', "my.toml")
    problems = info.value.problems
    assert "my.toml: 'base_url': must start with http:// or https://" in problems
    assert "my.toml: 'stories_per_page': must be int, not str" in problems
    assert any("'language'" in p for p in problems)
    assert len(problems) == 3


def test_unknown_keys_warn() -> None:
    _, warnings = parse_config('colour = "blue"\n[grouping]\nfoo = 1\n', "c.toml")
    assert warnings == ["c.toml: 'colour': unknown key, ignored", "c.toml: grouping.'foo': unknown key, ignored"]


def test_invalid_toml_is_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("title = ", "x.toml")
    assert len(info.value.problems) == 1 and info.value.problems[0].startswith("x.toml: not valid TOML")


def test_every_setting_is_documented() -> None:
    rows = field_docs()
    assert {"site_title", "base_url", "language", "timezone", "grouping.threshold"} <= {r[0] for r in rows}
    assert all(doc for _key, doc, _default in rows)
