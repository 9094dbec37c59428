"""The `leaderboard` command: parses flags, builds Settings once, and wires the stages."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from pipeline.config import VARIABLES, Settings, settings_from_env
from pipeline.errors import ConfigError, LeaderboardError, RosterError
from pipeline.roster import notices
from pipeline.times import parse_utc

log = logging.getLogger("leaderboard")


def parse_timestamp(raw: str) -> dt.datetime:
    """`--as-of`: ISO 8601 in UTC, e.g. 2026-08-23T00:00:00Z."""
    try:  # the contract's TS is UTC; a missing Z means UTC, not local time
        return parse_utc(raw, bare_is_utc=True)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 UTC time: {raw!r}") from None


_HTTP = (
    "GITLAB_URL",
    "CI_SERVER_URL",
    "GITLAB_TOKEN",
    "LEADERBOARD_RETRY_ATTEMPTS",
    "LEADERBOARD_USER_LOOKUP_LIMIT",
    "LEADERBOARD_BACKOFF_BASE",
    "LEADERBOARD_BACKOFF_CAP",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)
_ROSTER = ("LEADERBOARD_TEAMS", "LEADERBOARD_BOTS")
_EXTRACT = (
    *_HTTP,
    "LEADERBOARD_GROUPS",
    "LEADERBOARD_PROJECTS",
    "LEADERBOARD_SINCE",
    "LEADERBOARD_WORKERS",
    "LEADERBOARD_MAX_RPM",
    "LEADERBOARD_MAX_OFFSET",
    "LEADERBOARD_FULL_REFRESH",
    "LEADERBOARD_FULL_REFRESH_DAYS",
    *_ROSTER,
    "LEADERBOARD_DATA_DIR",
    "LEADERBOARD_ARTIFACT_MAX_MB",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
)
_BUILD = (*_ROSTER, "LEADERBOARD_DATA_DIR", "LEADERBOARD_NOREPLY_DOMAIN", "GITLAB_URL",
          "LEADERBOARD_BUILD_MEMORY_MB")  # fmt: skip
_PUBLISH = (
    "LEADERBOARD_DATA_DIR",
    "LEADERBOARD_PUBLIC_DIR",
    "LEADERBOARD_PUBLISH_EMAILS",
    "LEADERBOARD_PUBLISH_RAW",
    "LEADERBOARD_PEOPLE",
    "LEADERBOARD_STALE_HOURS",
    "LEADERBOARD_PAGES_MAX_MB",
    "LEADERBOARD_ARTIFACT_MAX_MB",
    "CI_PIPELINE_URL",
    "CI_PROJECT_URL",
    "CI_DEFAULT_BRANCH",
)

#: What each command reads from the environment (a flag of the same meaning wins over its variable).
BY_COMMAND: dict[str, tuple[str, ...]] = {
    "validate-teams": (*_ROSTER, *_HTTP, "LEADERBOARD_DATA_DIR"),
    "extract": _EXTRACT,
    "build": (*_BUILD, "LEADERBOARD_ARTIFACT_MAX_MB"),
    "publish": _PUBLISH,
    "run": tuple(dict.fromkeys((*_EXTRACT, *_BUILD, *_PUBLISH))),
    "preview": (
        *_BUILD,
        "LEADERBOARD_PUBLISH_EMAILS",
        "LEADERBOARD_PEOPLE",
        "LEADERBOARD_NOTE_TOKEN",
        "CI_PROJECT_ID",
        "CI_MERGE_REQUEST_IID",
        "CI_SERVER_URL",
        *_HTTP[3:],
    ),
    "bench": ("LEADERBOARD_WORKERS", *_HTTP[3:6]),
    "demo": (
        "LEADERBOARD_WORKERS",
        "LEADERBOARD_PUBLISH_EMAILS",
        "LEADERBOARD_PUBLISH_RAW",
        "LEADERBOARD_STALE_HOURS",
        "LEADERBOARD_PAGES_MAX_MB",
        "LEADERBOARD_ARTIFACT_MAX_MB",
    ),
}

NOTES = {
    "demo": "It runs against the bundled simulator into demo-output/, so GITLAB_URL, the "
    "scope, the roster and the folders set in the environment are not used.",
    "bench": "The simulator, scope and roster are the benchmark's own.",
}


def epilog(command: str) -> str:
    """The `--help` text after the options: each variable the command reads, and what it is."""
    names = BY_COMMAND[command]
    width = max(len(name) for name in names)
    lines = ["environment variables (a flag wins over its variable):"]
    lines += [f"  {name.ljust(width)}  {VARIABLES[name]}" for name in names]
    if command in NOTES:
        lines += ["", NOTES[command]]
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """argparse with one `error: ...` line for a usage mistake, like every other failure."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}; see `{self.prog} --help`\n")


def _command(sub: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with the environment variables it reads."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=epilog(name),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _positive(kind: type[float] | type[int], zero: bool = False) -> Any:
    """An argparse type: a number above zero (or at least zero)."""

    def parse(raw: str) -> float | int:
        try:
            value = kind(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from None
        if value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(f"must be {'0 or more' if zero else 'above 0'}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="leaderboard",
        description="GitLab Team Leaderboard: extract GitLab activity, build the marts, publish.",
        epilog="`leaderboard COMMAND --help` lists the environment variables COMMAND reads.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each stage in detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    teams = {"type": Path, "metavar": "FILE", "help": "roster file (LEADERBOARD_TEAMS)"}
    bots = {"type": Path, "metavar": "FILE", "help": "bot list (LEADERBOARD_BOTS)"}
    data = {"type": Path, "metavar": "DIR", "help": "data folder (LEADERBOARD_DATA_DIR)"}
    as_of = {"type": parse_timestamp, "metavar": "TS", "help": "pin as_of (UTC)"}

    p = _command(sub, "validate-teams", "check teams.csv; exit 1 with every error listed")
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report")
    p.add_argument("--teams", **teams)  # type: ignore[arg-type]
    p.add_argument("--bots", **bots)  # type: ignore[arg-type]

    p = _command(sub, "extract", "GitLab -> data/raw (incremental when state exists)")
    p.add_argument("--full", action="store_true", help="force a full extraction")

    p = _command(sub, "build", "raw + roster -> data/marts via queries/*.sql")
    p.add_argument("--as-of", **as_of)  # type: ignore[arg-type]
    p.add_argument("--teams", **teams)  # type: ignore[arg-type]
    p.add_argument("--bots", **bots)  # type: ignore[arg-type]
    p.add_argument("--data-dir", **data)  # type: ignore[arg-type]

    p = _command(sub, "publish", "marts -> public/ (Pages site and downloads)")
    p.add_argument("--data-dir", **data)  # type: ignore[arg-type]
    p.add_argument("--public-dir", type=Path, metavar="DIR", help="LEADERBOARD_PUBLIC_DIR")

    p = _command(sub, "run", "extract, build, publish")
    p.add_argument("--full", action="store_true", help="force a full extraction")

    p = _command(sub, "preview", "Markdown report: a teams.csv change over existing raw data")
    p.add_argument("--base-teams", type=Path, required=True, metavar="FILE",
                   help="the roster to compare with (the target branch's)")  # fmt: skip
    p.add_argument("--out", type=Path, metavar="FILE", help="report path (default DIR/preview.md)")
    p.add_argument("--as-of", **as_of)  # type: ignore[arg-type]
    p.add_argument("--teams", **teams)  # type: ignore[arg-type]
    p.add_argument("--bots", **bots)  # type: ignore[arg-type]
    p.add_argument("--data-dir", **data)  # type: ignore[arg-type]

    p = _command(sub, "bench", "benchmark against the simulator: extraction, or --pipeline")
    p.add_argument("--pipeline", action="store_true",
                   help="extract, build and publish: sizes and peaks")  # fmt: skip
    p.add_argument("--scale", type=_positive(float), default=1.0, metavar="S",
                   help="1.0 = reference scenario")  # fmt: skip
    p.add_argument("--latency-ms", type=_positive(float, zero=True), default=50.0, metavar="L")
    p.add_argument("--workers", type=_positive(int), default=None, metavar="N")
    p.add_argument("--max-rpm", type=_positive(float), default=None, metavar="R",
                   help="server rate limit")  # fmt: skip
    p.add_argument("--max-offset", type=_positive(int, zero=True), default=0, metavar="ROWS",
                   help="server's maximum offset")  # fmt: skip

    p = _command(sub, "demo", "the whole pipeline against the bundled simulator")
    p.add_argument("--keep-serving", action="store_true", help="keep the simulator up afterwards")
    return parser


#: flag -> Settings field: a flag wins over its environment variable
FLAGS = {
    "teams": "teams_file",
    "bots": "bots_file",
    "data_dir": "data_dir",
    "public_dir": "public_dir",
}


def _settings(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    settings = settings_from_env(env)
    changes: dict[str, object] = {
        field: getattr(args, flag) for flag, field in FLAGS.items() if getattr(args, flag, None)
    }
    if getattr(args, "full", False):
        changes["full_refresh"] = True
    settings = settings.replace(**changes)
    for warning in settings.warnings:
        log.warning(warning)
    return settings


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command
    if command == "validate-teams":
        from pipeline.validate.command import validate_teams

        return validate_teams(settings, junit=args.junit)
    if command == "extract":
        from pipeline.extract.command import run_extract

        run_extract(settings)
        return 0
    if command == "build":
        from pipeline.marts.build import run_build

        run_build(settings, as_of=args.as_of)
        return 0
    if command == "publish":
        from pipeline.site.publish import run_publish

        run_publish(settings)
        return 0
    if command == "run":
        return run_all(settings)
    if command == "preview":
        from pipeline.preview.command import run_preview

        run_preview(settings, base_teams=args.base_teams, out=args.out, as_of=args.as_of)
        return 0
    if command == "bench" and args.pipeline:
        from pipeline.bench.whole import run_whole

        if args.max_rpm or args.max_offset:
            raise ConfigError("bench --pipeline takes --scale, --latency-ms and --workers only")
        return run_whole(settings, args.scale, args.latency_ms, args.workers)
    if command == "bench":
        from pipeline.bench.command import run_bench

        return run_bench(
            settings,
            scale=args.scale,
            latency_ms=args.latency_ms,
            workers=args.workers,
            max_rpm=args.max_rpm,
            max_offset=args.max_offset,
        )
    if command == "demo":
        from pipeline.demo import run_demo

        return run_demo(settings, keep_serving=args.keep_serving)
    raise ConfigError(f"unknown command {command!r}")


def run_all(settings: Settings) -> int:
    """extract, build, publish: each stage only after the previous one fully succeeded."""
    from pipeline.extract.command import run_extract
    from pipeline.marts.build import run_build
    from pipeline.site.publish import run_publish

    run_extract(settings)
    run_build(settings, as_of=None)
    run_publish(settings)
    return 0


class _Formatter(logging.Formatter):
    """Plain lines for progress; `warning:`/`error:` prefixes like the rest of the CLI."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        if record.levelno == logging.INFO:
            return message
        return f"{record.levelname.lower()}: {message}"


def main(argv: Sequence[str] | None = None, env: dict[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    handler.addFilter(notices.OncePerRun())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    try:
        settings = _settings(args, dict(os.environ) if env is None else env)
        return dispatch(args, settings)
    except LeaderboardError as exc:
        if isinstance(exc, RosterError):
            for line in exc.errors:
                print(line, file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was published", file=sys.stderr)
        return 130
    except Exception as exc:  # a failure nobody foresaw is still one line, not a traceback
        if args.verbose:
            traceback.print_exc()
        print(f"error: {unexpected(exc)}", file=sys.stderr)
        return 1
    finally:
        root.removeHandler(handler)


def unexpected(exc: Exception) -> str:
    """One line for an exception no stage turned into a LeaderboardError."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror}; check the path, its permissions and free space"
    first = (str(exc).splitlines() or [""])[0][:200]
    return (
        f"unexpected {type(exc).__name__}: {first}; nothing was published. Run again with -v "
        "for the details and report them"
    )
