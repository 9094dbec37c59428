"""The `validate-teams` command: roster errors, a JUnit report, an optional GitLab user check."""

from __future__ import annotations

import logging
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from pipeline.config import Settings
from pipeline.roster import notices
from pipeline.roster.notices import Notice
from pipeline.roster.teams import Bots, Roster, check_bots, check_roster

log = logging.getLogger(__name__)

SUITE = "validate-teams"


def validate_teams(settings: Settings, junit: Path | None) -> int:
    """Check teams.csv and bots.txt; print every error and return 1, or print a summary and 0."""
    roster, errors = check_roster(settings.teams_file)
    bots, bot_errors = check_bots(settings.bots_file)
    errors += bot_errors
    for line in errors:
        print(line, file=sys.stderr)
    if roster is None or bots is None:
        noun = "error" if len(errors) == 1 else "errors"
        print(f"{settings.teams_file}: {len(errors)} {noun}; fix the lines above", file=sys.stderr)
        if junit:
            write_junit(junit, settings.teams_file, errors, summary="")
        return 1
    notes = gitlab_notes(settings, roster, bots)
    for note in notes:
        note.log(log)
    summary = summarize(settings.teams_file, roster, bots)
    print(summary)
    if junit:
        lines = [note.line for note in notes]
        write_junit(junit, settings.teams_file, [], summary=summary, notes=lines)
    return 0


def summarize(path: Path, roster: Roster, bots: Bots) -> str:
    """One line: how many members and teams the valid roster has."""
    members = len(roster.usernames)
    teams = len({m.team for m in roster.memberships})
    listed = len(bots.usernames) + len(bots.emails)
    return (
        f"{path}: OK, {members} member{'s' * (members != 1)} in {teams} "
        f"team{'s' * (teams != 1)}; {listed} bots.txt entr{'ies' if listed != 1 else 'y'}"
    )


def gitlab_notes(settings: Settings, roster: Roster, bots: Bots) -> list[Notice]:
    """Warnings about members who will not count as written (bots, unknown or blocked users)."""
    notes = [
        notices.bot(name, "is listed in bots.txt", f"{roster.path}:{line}:username")
        for name, line in _first_lines(roster).items()
        if name in bots.usernames
    ]
    if not (settings.gitlab_url and settings.gitlab_token):
        text = (
            "GITLAB_URL and GITLAB_TOKEN are not both set: skipped checking that "
            "the usernames exist in GitLab"
        )
        return [*notes, Notice("", "skipped", text)]
    from pipeline.validate.usernames import check_usernames  # the only path that speaks HTTP

    listed = {note.username for note in notes}
    return notes + [n for n in check_usernames(settings, roster) if n.username not in listed]


def _first_lines(roster: Roster) -> dict[str, int]:
    lines: dict[str, int] = {}
    for membership in roster.memberships:
        lines.setdefault(membership.username, membership.line)
    return lines


def write_junit(
    path: Path,
    teams_file: Path,
    errors: Sequence[str],
    summary: str,
    notes: Sequence[str] = (),
) -> None:
    """JUnit XML: one failing test case per error (or one passing case), for GitLab's MR widget."""
    suite = ET.Element(
        "testsuite",
        name=SUITE,
        tests=str(max(len(errors), 1)),
        failures=str(len(errors)),
        errors="0",
        skipped="0",
    )
    for error in errors:
        case = ET.SubElement(
            suite, "testcase", classname=SUITE, name=error, file=_file_of(error, teams_file)
        )
        failure = ET.SubElement(case, "failure", message=error, type="RosterError")
        failure.text = error
    if not errors:
        case = ET.SubElement(suite, "testcase", classname=SUITE, name=summary, file=str(teams_file))
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(f"warning: {n}" for n in notes)
    root = ET.Element("testsuites", name=SUITE, tests=suite.get("tests", "1"))
    root.set("failures", str(len(errors)))
    root.append(suite)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _file_of(error: str, teams_file: Path) -> str:
    """The file an error line names (teams.csv or bots.txt)."""
    return error.split(":", 1)[0] if ":" in error else str(teams_file)
