"""The `leaderboard` command: parses flags, builds Settings once, and wires the stages."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.config import Settings, settings_from_env
from pipeline.errors import ConfigError, LeaderboardError, RosterError
from pipeline.times import parse_utc

log = logging.getLogger("leaderboard")


def parse_timestamp(raw: str) -> dt.datetime:
    """`--as-of`: ISO 8601 in UTC, e.g. 2026-08-23T00:00:00Z."""
    try:  # the contract's TS is UTC; a missing Z means UTC, not local time
        return parse_utc(raw, bare_is_utc=True)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 UTC time: {raw!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leaderboard",
        description="GitLab Team Leaderboard: extract GitLab activity, build the marts, publish.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each stage in detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate-teams", help="check teams.csv; exit 1 with every error listed")
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report")
    p.add_argument("--teams", type=Path, metavar="FILE", help="roster file (LEADERBOARD_TEAMS)")

    p = sub.add_parser("extract", help="GitLab -> data/raw (incremental when state exists)")
    p.add_argument("--full", action="store_true", help="force a full extraction")

    p = sub.add_parser("build", help="raw + roster -> data/marts via queries/*.sql")
    p.add_argument("--as-of", type=parse_timestamp, metavar="TS", help="pin as_of (UTC)")

    sub.add_parser("publish", help="marts -> public/ (Pages site and downloads)")

    p = sub.add_parser("run", help="extract, build, publish")
    p.add_argument("--full", action="store_true", help="force a full extraction")

    p = sub.add_parser("preview", help="Markdown report: a teams.csv change over existing raw data")
    p.add_argument("--base-teams", type=Path, required=True, metavar="FILE")
    p.add_argument("--out", type=Path, metavar="FILE", help="report path (default data/preview.md)")
    p.add_argument("--as-of", type=parse_timestamp, metavar="TS", help="pin as_of (UTC)")

    p = sub.add_parser("bench", help="extraction benchmark against the simulator")
    p.add_argument("--scale", type=float, default=1.0, metavar="S", help="1.0 = reference scenario")
    p.add_argument("--latency-ms", type=float, default=50.0, metavar="L")
    p.add_argument("--workers", type=int, default=None, metavar="N")
    p.add_argument("--max-rpm", type=float, default=None, metavar="R", help="server rate limit")
    p.add_argument(
        "--max-offset", type=int, default=0, metavar="ROWS", help="server's maximum offset"
    )

    p = sub.add_parser("demo", help="the whole pipeline against the bundled simulator")
    p.add_argument("--keep-serving", action="store_true", help="keep the simulator up afterwards")
    return parser


def _settings(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    settings = settings_from_env(env)
    if getattr(args, "teams", None):
        settings = settings.replace(teams_file=args.teams)
    if getattr(args, "full", False):
        settings = settings.replace(full_refresh=True)
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
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, handlers=[handler])
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
