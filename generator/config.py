"""Settings: every default works with no config file; an optional TOML file overrides only the keys it sets.

The TOML file is read, never executed. Every problem in it is reported at once, unknown keys give a warning.
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_NAME = "newsdigest.toml"


def _doc(text: str, default: Any) -> Any:
    return field(default=default, metadata={"doc": text})


@dataclass(frozen=True, slots=True)
class NormalizeConfig:
    """How articles are read. [normalize] in the config file."""

    timezone: str = _doc("Time zone for dates that carry none (IANA name).", "Europe/Berlin")
    max_file_size: int = _doc("Largest input file read, in bytes; larger files are skipped.", 20_000_000)
    patterns_file: str | None = _doc("A TOML file of extra page-furniture patterns, added to the built-in ones.", None)
    outlets_file: str | None = _doc("A TOML file of extra outlets (name, domains, signatures), added to the built-in table.", None)


@dataclass(frozen=True, slots=True)
class GroupingConfig:
    """How articles are grouped into stories. [grouping] in the config file."""

    threshold: float = _doc("Similarity (0-1) at which two articles, or on average two groups of articles, count "
                            "as one event.", 0.12)
    max_days: float = _doc("Articles further apart than this many days are never one story; within it, "
                           "similarity fades by up to half with the distance.", 10.0)
    undated_factor: float = _doc("Similarity counts this much (0-1) where an article has no date: undated articles "
                                 "join only on strong content evidence.", 0.8)
    title_weight: float = _doc("How much a word in the headline counts against one in the body.", 2.0)
    terms_per_article: int = _doc("The most informative terms kept per article for comparing.", 64)
    copy_similarity: float = _doc("Share (0-1) of word 4-grams two texts must have in common to count as copies.",
                                  0.8)
    candidates_per_article: int = _doc("Most similar-looking articles (by the rare-term index) that each article is "
                                       "compared with.", 30)
    ignore_file: str | None = _doc("A TOML file with an 'ignore' list of extra words that say nothing about the "
                                   "event (agencies, credits), added to the built-in one.", None)


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration of one digest."""

    site_title: str = _doc("The digest's name, shown on every page and in the feeds.", "News digest")
    description: str = _doc("One sentence about the digest, for the feeds and the front page.",
                            "Stories from many outlets, grouped by event.")
    base_url: str = _doc("Where the site will be published (http:// or https://). Feeds and the sitemap need it "
                         "for absolute links; empty keeps them relative.", "")
    language: str = _doc("The site's interface language (ISO 639-1); 'auto' takes the most common article language.",
                         "auto")
    timezone: str = _doc("Time zone in which dates are shown (IANA name).", "Europe/Berlin")
    stories_per_page: int = _doc("Stories on one front page before it continues on the next.", 50)
    content_dir: str = _doc("Folder of input articles, relative to the config file.", "content")
    output_dir: str = _doc("Folder the site is written to, relative to the config file.", "site")
    templates_dir: str | None = _doc("A folder of templates that shadow the built-in ones file by file.", None)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig, metadata={"doc": "[normalize] table"})
    grouping: GroupingConfig = field(default_factory=GroupingConfig, metadata={"doc": "[grouping] table"})


class ConfigError(Exception):
    """The config file cannot be used; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _check(cls: type, values: dict[str, Any], where: str, problems: list[str], warnings: list[str]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        f = fields.get(key)
        if f is None:
            warnings.append(f"{where}'{key}': unknown key, ignored")
            continue
        if dataclasses.is_dataclass(f.default_factory if f.default_factory is not dataclasses.MISSING else None):
            if not isinstance(value, dict):
                problems.append(f"{where}'{key}': must be a table")
                continue
            kwargs[key] = _check(f.default_factory, value, f"{where}{key}.", problems, warnings)
            continue
        want = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        ok = {
            "str": isinstance(value, str),
            "str | None": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        }.get(want, True)
        if not ok:
            problems.append(f"{where}'{key}': must be {want.replace(' | None', '')}, not {type(value).__name__}")
            continue
        kwargs[key] = float(value) if want == "float" else value
    try:
        return cls(**kwargs)
    except TypeError as exc:  # pragma: no cover - guarded by the checks above
        problems.append(f"{where}{exc}")
        return cls()


def _validate(config: Config, problems: list[str]) -> None:
    if config.base_url and not config.base_url.startswith(("http://", "https://")):
        problems.append("'base_url': must start with http:// or https://")
    for key, zone in (("timezone", config.timezone), ("normalize.timezone", config.normalize.timezone)):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"'{key}': unknown time zone {zone!r}")
    if config.language != "auto" and not (len(config.language) == 2 and config.language.isalpha()):
        problems.append(f"'language': must be a two-letter code or 'auto', not {config.language!r}")
    if config.stories_per_page < 1:
        problems.append("'stories_per_page': must be at least 1")
    if config.normalize.max_file_size < 1:
        problems.append("'normalize.max_file_size': must be at least 1")
    if not 0 < config.grouping.threshold <= 1:
        problems.append("'grouping.threshold': must be above 0 and at most 1")


def parse_config(text: str, name: str = CONFIG_NAME) -> tuple[Config, list[str]]:
    """Config from TOML text, and the warnings. Raises ConfigError listing every problem."""
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{name}: not valid TOML ({exc})"]) from None
    problems: list[str] = []
    warnings: list[str] = []
    config = _check(Config, values, "", problems, warnings)
    _validate(config, problems)
    if problems:
        raise ConfigError([f"{name}: {p}" for p in problems])
    return config, [f"{name}: {w}" for w in warnings]


def load_config(path: Path | None) -> tuple[Config, list[str]]:
    """The config in ``path``; with None, ``newsdigest.toml`` in the working folder if there is one, else defaults."""
    if path is None:
        path = Path(CONFIG_NAME)
        if not path.is_file():
            return Config(), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read ({exc.__class__.__name__})"]) from None
    return parse_config(text, str(path))


def field_docs(cls: type = Config, prefix: str = "") -> list[tuple[str, str, Any]]:
    """(key, doc, default) for every setting, for the configuration reference."""
    rows: list[tuple[str, str, Any]] = []
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING and dataclasses.is_dataclass(f.default_factory):
            rows += field_docs(f.default_factory, f"{prefix}{f.name}.")
        else:
            rows.append((prefix + f.name, f.metadata.get("doc", ""), f.default))
    return rows


def _toml_value(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def reference_toml(**active: Any) -> str:
    """A commented config file listing every setting with its default; ``active`` keys are set, not commented."""
    lines = ["# newsdigest configuration. Every key is optional; a commented line shows the default.", ""]
    table = ""
    for key, doc, default in field_docs():
        section, _, name = key.rpartition(".")
        if section != table:
            lines += ["", f"[{section}]"]
            table = section
        lines.append(f"# {doc}")
        if name in active and not section:
            lines.append(f"{name} = {_toml_value(active[name])}")
        else:
            lines.append(f"# {name} = {_toml_value(default)}")
    return "\n".join(lines) + "\n"


def reference_markdown() -> str:
    """The configuration reference for docs/configuration.md, made from the dataclasses' own docs."""
    rows = ["# Configuration reference", "",
            f"Settings of `{CONFIG_NAME}` (or the file given with `--config`). Every key is optional; tables",
            "(`[normalize]`, `[grouping]`) group the keys written with a dot below. This page is generated from",
            "`generator/config.py`; a test fails when the two drift apart.", "",
            "| key | default | meaning |", "|---|---|---|"]
    for key, doc, default in field_docs():
        rows.append(f"| `{key}` | `{_toml_value(default)}` | {doc} |")
    return "\n".join(rows) + "\n"
