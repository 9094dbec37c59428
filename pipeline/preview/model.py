"""What a preview is: the roster and marts before and after a teams.csv change (plain data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.marts.runner import MartBuild
from pipeline.roster.teams import Roster


@dataclass(frozen=True)
class Side:
    """One roster and the marts it gives over the raw data."""

    roster: Roster
    build: MartBuild
    note: str = ""  # why the roster is shown as empty, if it is


@dataclass(frozen=True)
class Preview:
    """Everything the report shows: the base branch's roster (before) and this change's (after)."""

    before: Side
    after: Side
    as_of: dt.datetime
    run_id: str | None
    publish_emails: bool = False  # commit emails in the report are masked unless allowed
    people: str = "show"  # LEADERBOARD_PEOPLE: "hide" reports team-level effects only

    @property
    def hidden(self) -> frozenset[str]:
        """People the report never names: marked `listed=no` before or after the change."""
        return self.before.roster.unlisted | self.after.roster.unlisted
