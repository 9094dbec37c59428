"""`leaderboard preview`: the marts of two rosters over existing raw data, as a Markdown report."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import LeaderboardError
from pipeline.marts.build import default_as_of, read_manifests, resolve_noreply
from pipeline.marts.raw_tables import raw_dirs_of
from pipeline.marts.runner import build_marts
from pipeline.preview.model import Preview, Side
from pipeline.preview.report import render_report
from pipeline.roster.teams import Roster, check_roster, read_bots, read_roster
from pipeline.times import Heartbeat

log = logging.getLogger("leaderboard.preview")


def run_preview(
    settings: Settings, base_teams: Path, out: Path | None, as_of: dt.datetime | None = None
) -> Path:
    """Write the Markdown report (default data/preview.md); post it on the MR when configured."""
    preview = compute_preview(settings, base_teams, as_of)
    report = render_report(preview)
    path = out or settings.data_dir / "preview.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report, encoding="utf-8")
    log.info("wrote the teams.csv preview to %s", path)
    if settings.note_token and settings.project_id and settings.merge_request_iid:
        from pipeline.preview.notes import post_preview_note  # the only HTTP a preview may make

        post_preview_note(settings, report)
    return path


def compute_preview(
    settings: Settings, base_teams: Path, as_of: dt.datetime | None = None
) -> Preview:
    """Build the marts for the current roster and the base one; no request leaves the machine.

    `as_of` defaults to the last extraction's, as for `build`.
    """
    data_dir = settings.data_dir
    raw_dirs = raw_dirs_of(data_dir)
    if not any(d.is_dir() for d in raw_dirs):
        raise LeaderboardError(
            f"no raw data under {data_dir}/raw: the preview needs the last extraction's data "
            "folder (an artifact of the scheduled pipeline's extract job); point --data-dir or "
            "LEADERBOARD_DATA_DIR at it"
        )
    manifests = read_manifests(data_dir)
    last = default_as_of(manifests, data_dir)
    if as_of and as_of > last:
        raise LeaderboardError(
            f"--as-of {_iso(as_of)} is after the data in {data_dir}, which ends at {_iso(last)}: "
            "the report would miss everything since; leave --as-of out, or pick a time up to "
            "the extraction's end"
        )
    as_of = as_of.astimezone(dt.UTC) if as_of else last
    noreply = resolve_noreply(settings, manifests)
    bots = read_bots(settings.bots_file)
    after = read_roster(settings.teams_file)
    base, note = base_roster(base_teams)

    def side(roster: Roster, why: str, steps: Heartbeat) -> Side:
        memory = settings.build_memory_mb
        built = build_marts(raw_dirs, roster, bots, as_of, noreply, memory_mb=memory, steps=steps)
        return Side(roster, built, why)

    run_ids = [m.run_id for m in manifests if m.run_id]
    with Heartbeat(log, "preview (the base roster)") as before:
        base_side = side(base, note, before)
    with Heartbeat(log, "preview (this roster)") as now:
        after_side = side(after, "", now)
    return Preview(
        base_side,
        after_side,
        as_of,
        run_ids[0] if run_ids else None,
        publish_emails=settings.publish_emails,
        people=settings.people,
    )


def base_roster(path: Path) -> tuple[Roster, str]:
    """The base branch's roster; a missing or invalid one is shown as empty, with the reason."""
    if not path.exists():
        return Roster(path, ()), f"{path} does not exist on the base branch"
    roster, errors = check_roster(path)
    if roster is None:
        log.warning("base roster %s is invalid (%d errors); compared as empty", path, len(errors))
        return Roster(path, ()), f"{path} on the base branch is invalid ({errors[0]})"
    return roster, ""


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
