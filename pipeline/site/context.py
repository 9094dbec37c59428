"""What the page knows: publish's Inputs from data/ and the SiteContext every page part reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from pipeline.config import Settings
from pipeline.roster import identities
from pipeline.site.people import Audience


@dataclass(frozen=True)
class Inputs:
    """Everything publish reads from data/: the marts, the manifest and the marts' as_of."""

    marts: dict[str, pa.Table]
    manifest: dict[str, Any]
    as_of: dt.datetime
    weights: dict[str, int]


@dataclass(frozen=True)
class SiteContext:
    """Everything the page shows; marts here already have emails masked unless allowed."""

    marts: dict[str, pa.Table]
    manifest: dict[str, Any]
    as_of: dt.datetime
    weights: dict[str, int]
    now: dt.datetime
    stale_hours: float
    publish_emails: bool
    publish_raw: bool
    pipeline_url: str | None
    edit_teams_url: str | None
    # Joined on full addresses before masking, so two masked look-alikes never merge.
    unmatched: tuple[identities.UnmatchedEmail, ...] = ()
    bots: tuple[identities.Bot, ...] = ()
    #: what publish wrote of each mart: its formats and their sizes in bytes
    downloads: dict[str, dict[str, int]] = field(default_factory=dict)
    #: who the page may name (LEADERBOARD_PEOPLE, teams.csv's listed)
    audience: Audience = field(default_factory=lambda: Audience("show"))

    @classmethod
    def create(
        cls,
        settings: Settings,
        marts: dict[str, pa.Table],
        inputs: Inputs,
        now: dt.datetime,
        downloads: dict[str, dict[str, int]] | None = None,
        audience: Audience | None = None,
    ) -> SiteContext:
        audience = audience or Audience("show")
        # with people hidden there are no addresses to list: counts per project instead
        found = not audience.hidden
        return cls(
            marts=marts,
            manifest=inputs.manifest,
            as_of=inputs.as_of,
            weights=inputs.weights,
            now=now,
            stale_hours=settings.stale_hours,
            publish_emails=settings.publish_emails,
            publish_raw=settings.publish_raw,
            pipeline_url=settings.pipeline_url,
            edit_teams_url=edit_teams_url(settings),
            unmatched=(
                tuple(identities.unmatched_emails(inputs.marts, settings.publish_emails))
                if found
                else ()
            ),
            bots=tuple(identities.bots(inputs.marts, settings.publish_emails)),
            downloads=downloads or {},
            audience=audience,
        )

    @property
    def stale(self) -> bool:
        """Stale at publish time; the page checks again when it is viewed."""
        return self.now - self.as_of > dt.timedelta(hours=self.stale_hours)

    def rows(self, mart: str) -> list[dict[str, Any]]:
        """A mart's rows; none for a mart this site does not publish (people's, with hide)."""
        table = self.marts.get(mart)
        return [] if table is None else list(table.to_pylist())


def edit_teams_url(settings: Settings) -> str | None:
    """GitLab's web editor for teams.csv, when the project and its default branch are known."""
    if not settings.project_url or not settings.default_branch:
        return None
    return f"{settings.project_url.rstrip('/')}/-/edit/{settings.default_branch}/teams.csv"
