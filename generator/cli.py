"""The ``newsdigest`` command: a thin layer that turns library results and errors into one-line messages.

Exit codes: 0 ok, 1 content or config errors, 2 usage.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from generator import __version__
from generator.build import Paths, StrictError, build, site_files
from generator.cli_support import Progress, build_time
from generator.config import CONFIG_NAME, Config, ConfigError, load_config
from generator.load import content_files, load_files
from generator.model import Article, Problem, counted
from generator.export import article_record
from generator.normalize import normalize
from generator.write import OutputError

EXAMPLES = {
    "build": "example:\n  newsdigest build\n  newsdigest build --content articles/ --output public/ --strict",
    "serve": "example:\n  newsdigest serve --port 8000   # then open http://127.0.0.1:8000/",
    "inspect": "example:\n  newsdigest inspect content/000_a6002f4172cd5910.txt\n  newsdigest inspect --json content/",
    "check": "example:\n  newsdigest check\n  newsdigest check --format json   # for the CI of a digest",
    "init": "example:\n  newsdigest init my-digest && cd my-digest && newsdigest build",
    "fetch": "example:\n  newsdigest fetch feeds.opml\n  newsdigest fetch https://www.tagesschau.de/xml/rss2/ --delay 2",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdigest", description="Turn a folder of news articles into a static digest of stories.",
        epilog="example:\n  newsdigest build && python -m http.server -d site", formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"newsdigest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    def site_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--content", type=Path, help="folder of input articles (default: content/)")
        p.add_argument("--output", type=Path, help="folder the site is written to (default: site/)")
        p.add_argument("--config", type=Path, help=f"TOML config file (default: {CONFIG_NAME} if present)")
        p.add_argument("--force", action="store_true",
                       help="replace a non-empty output folder that newsdigest did not make")
        loud = p.add_mutually_exclusive_group()
        loud.add_argument("-v", "--verbose", action="store_true", help="also list what was removed from each article")
        loud.add_argument("-q", "--quiet", action="store_true", help="print problems only")

    p = command("build", "Build the site from the content folder.")
    site_options(p)
    p.add_argument("--strict", action="store_true", help="treat any problem in the content as fatal")
    p.add_argument("--no-cache", action="store_true",
                   help="build everything anew, ignoring the cache of the last build (.newsdigest-cache/)")
    p = command("serve", "Build, serve the site on 127.0.0.1, rebuild when content, templates or config change, "
                         "and reload the open pages.")
    site_options(p)
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p = command("check", "Run the whole pipeline without writing; print every problem and a summary.")
    site_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p = command("init", "Make a new digest folder: a commented config, an empty content/ and templates/.")
    p.add_argument("folder", type=Path, metavar="DIR", help="the folder to make (may exist, if it has no config)")
    p = command("fetch", "Save new articles from feeds (URLs, OPML files or URL lists) into the content folder.")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="feed URL, OPML file or file of URLs")
    p.add_argument("--content", type=Path, help="folder to save articles in (default: content/)")
    p.add_argument("--config", type=Path, help=f"TOML config file (default: {CONFIG_NAME} if present)")
    p.add_argument("--delay", type=float, default=1.0, help="seconds between requests to one host (default: 1)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for an answer (default: 10)")
    p.add_argument("--allow-private", action="store_true",
                   help="also fetch from this machine and private networks (refused by default: a feed could "
                        "point at internal services)")
    p = command("inspect", "Print each article as the build reads it.")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="article files or folders")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    p.add_argument("--config", type=Path, help=f"TOML config file (default: {CONFIG_NAME} if present)")
    return parser


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _config(path: Path | None) -> Config | None:
    try:
        config, warnings = load_config(path)
    except ConfigError as exc:
        for line in exc.problems:
            _err(line)
        return None
    for line in warnings:
        _err("warning: " + line)
    return config


def _paths(args: argparse.Namespace, config: Config) -> Paths:
    base = args.config.parent if args.config else Path(".")
    templates = base / config.templates_dir if config.templates_dir else None
    return Paths(args.content or base / config.content_dir, args.output or base / config.output_dir, templates)


def report_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        _err(str(problem))


def _site_setup(args: argparse.Namespace) -> tuple[Config, Paths] | None:
    """The config and paths of a command that reads the content folder; None (reported) where unusable."""
    config = _config(args.config)
    if config is None:
        return None
    paths = _paths(args, config)
    if not paths.content.is_dir():
        _err(f"{paths.content}: content folder not found")
        return None
    return config, paths


def cmd_build(args: argparse.Namespace) -> int:
    setup = _site_setup(args)
    if setup is None:
        return 1
    config, paths = setup
    progress = Progress(sys.stdout) if sys.stdout.isatty() and not args.quiet else None
    try:
        report = build(config, paths, build_time(), strict=args.strict, force=args.force,
                       use_cache=not args.no_cache, progress=progress, keep=True)  # the process ends after it
    except StrictError as exc:
        report_problems(exc.problems)
        _err(f"--strict: {exc}")
        return 1
    except OutputError as exc:
        _err(str(exc))
        return 1
    finally:
        if progress:
            progress.close()
    report_problems(report.problems)
    if args.verbose:
        for name, removed in report.removed:
            print(f"{name}: removed ({removed.reason}): {removed.line}")
    if not args.quiet:
        if not config.base_url:
            print("note: base_url is not set, so feeds and the sitemap use relative links; "
                  f"set it in {CONFIG_NAME} before publishing")
        print(report.summary() + f" -> {paths.output}")
    return 0


def article_json(article: Article) -> dict:
    """An article as ``stories.json`` lists it, with the clean text and what was removed from it."""
    data = article_record(article)
    del data["adds"]  # a story's view of the article, not the article's own
    return {**data, "text": article.text,
            "removed": [{"line": r.line, "reason": r.reason} for r in article.removed]}


def _article_text(article: Article) -> str:
    data = article_json(article)
    head = [f"== {data['input']}" + (f" [record {data['record']}]" if data["record"] else "")]
    for key in ("title", "kicker", "outlet", "url", "published", "published_inferred", "language", "author",
                "agencies"):
        head.append(f"{key + ':':20}{data[key]}")
    body = ["", article.text, ""]
    removed = [f"removed ({r.reason}): {r.line}" for r in article.removed]
    return "\n".join(head + body + removed)


def cmd_inspect(args: argparse.Namespace) -> int:
    config = _config(args.config)
    if config is None:
        return 1
    files: list[Path] = []
    problems: list[Problem] = []
    for path in args.paths:
        if path.is_dir():
            found, trouble = content_files(path)
            files += found
            problems += trouble
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file"))
    loaded = load_files(files, None, config.normalize.max_file_size)
    articles, trouble = normalize(loaded.articles, config)
    problems += list(loaded.problems) + trouble
    report_problems(problems)
    if args.json:
        print(json.dumps([article_json(a) for a in articles], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(_article_text(a) for a in articles))
    return 1 if problems and not articles else 0


def cmd_check(args: argparse.Namespace) -> int:
    setup = _site_setup(args)
    if setup is None:
        return 1
    config, paths = setup
    files, stories, count, problems = site_files(config, paths, build_time())
    if args.format == "json":
        print(json.dumps({"articles": count, "skipped": sum(p.skipped for p in problems), "stories": len(stories),
                          "files": len(files), "problems": [
                              {"path": p.path, "record": p.record, "field": p.field, "reason": p.reason,
                               "skipped": p.skipped} for p in problems]}, ensure_ascii=False, indent=2))
    else:
        report_problems(problems)
        if not args.quiet:
            print(f"{counted(count, 'article')} read, {sum(p.skipped for p in problems)} skipped, "
                  f"{counted(len(stories), 'story', 'stories')}, {counted(len(files), 'file')} would be written; "
                  f"{counted(len(problems), 'problem')}")
    return 1 if problems else 0


def cmd_init(args: argparse.Namespace) -> int:
    from generator.scaffold import InitError, init

    try:
        made = init(args.folder)
    except InitError as exc:
        _err(str(exc))
        return 1
    for path in made:
        print(f"made {path}")
    print(f"next: put articles into {args.folder / 'content'} (or run newsdigest fetch there), then newsdigest build")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from generator.fetch import Client, fetch  # feedparser and the network code only for this command

    config = _config(args.config)
    if config is None:
        return 1
    content = args.content or (args.config.parent if args.config else Path(".")) / config.content_dir
    report = fetch(args.sources, content, Client(delay=args.delay, timeout=args.timeout,
                                                        allow_private=args.allow_private))
    for line in report.problems:
        _err(line)
    print(f"{len(report.saved)} new articles from {report.feeds} feeds saved in {content}")
    return 1 if report.problems and not report.saved else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    config = _config(args.config)
    if config is None:
        return 1
    return serve(args.config, _paths(args, config), args.port, args.force, args.bind)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {"build": cmd_build, "inspect": cmd_inspect, "serve": cmd_serve, "check": cmd_check,
               "init": cmd_init, "fetch": cmd_fetch}[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours: one line, the traceback only with -v
        if getattr(args, "verbose", False):
            raise
        _err(f"newsdigest: internal error: {exc.__class__.__name__}: {exc} (run with -v for details)")
        return 1


def run() -> NoReturn:
    """The command's entry point: ``main``, then the process ends at once. Everything is written and closed by
    then; what is skipped is the interpreter freeing the build's objects one by one, which took a third of a
    second after a 10,000-article build."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)
