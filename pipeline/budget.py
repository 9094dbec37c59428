"""What GitLab will take: the Pages site and one job's artifacts, checked before they exist."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import LeaderboardError

#: GitLab's limits are megabytes of 1024 × 1024 bytes (`max_pages_size.megabytes`,
#: `max_artifacts_size ... .megabytes`).
MB = 1024 * 1024
#: GitLab's `pages_file_entries`: the files, folders and links a Pages site may hold, 200,000 by
#: default on every instance and on gitlab.com (db/structure.sql, plan_limits; checked by
#: lib/gitlab/pages/deployment_validations.rb `validate_max_entries`).
PAGES_FILE_ENTRIES = 200_000
#: What a zip archive adds per entry at most beyond the file's bytes (its local and central
#: headers with the path twice, a data descriptor, ZIP64 extras): the runner uploads a zip.
ZIP_ENTRY_BYTES = 512
#: Raw folders of one project (`p<id>`): a share of them moves to each added shard. Group
#: listings (`g<id>`), users, state and the manifest stay with the shard that has them.
SHARDED_TABLES = ("commits", "events", "merge_requests", "issues")


class BudgetError(LeaderboardError):
    """What a job would leave is more than GitLab takes; nothing was changed."""


@dataclass(frozen=True)
class Usage:
    """Bytes, files and entries (files, folders and links) under some folders."""

    bytes: int = 0
    files: int = 0
    entries: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.bytes + other.bytes, self.files + other.files, self.entries + other.entries
        )

    @property
    def archive_bytes(self) -> int:
        """At most what the zip of these files weighs: Parquet is compressed already, so the
        runner's deflate gains nothing there, and stored data costs its headers (plus a few
        bytes a block)."""
        return self.bytes + self.entries * ZIP_ENTRY_BYTES + self.bytes // 1000


def usage(root: Path) -> Usage:
    """Everything under root (root itself not counted; links counted, never followed)."""
    if root.is_file():
        return Usage(root.stat().st_size, 1, 1)
    total = Usage()
    if not root.is_dir():
        return total
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    total += Usage(0, 0, 1)
                elif entry.is_file(follow_symlinks=False):
                    total += Usage(entry.stat(follow_symlinks=False).st_size, 1, 1)
                else:
                    total += Usage(0, 0, 1)
    return total


def megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB"


def at_least(size: int) -> int:
    """The whole number of MB a limit must be set to for size to fit."""
    return max(1, math.ceil(size / MB))


def check_pages(settings: Settings, site: Path, shown: Path) -> Usage:
    """The Pages site about to replace `shown`: GitLab counts its files' bytes (uncompressed)
    and entries; the pages job uploads it as its artifact, so that limit applies too."""
    used = usage(site)
    limit = settings.pages_max_mb
    raw = ", or publish without LEADERBOARD_PUBLISH_RAW=1" if settings.publish_raw else ""
    if limit and used.bytes > limit * MB:
        raise BudgetError(
            f"the Pages site would be {megabytes(used.bytes)} ({shown}/), over the {limit:g} MB "
            f"LEADERBOARD_PAGES_MAX_MB allows (GitLab's maximum Pages size): raise it to at least "
            f"{at_least(used.bytes)} together with the instance's maximum size of Pages sites"
            f"{raw}; the published site was not changed"
        )
    if used.entries > PAGES_FILE_ENTRIES:
        raise BudgetError(
            f"the Pages site would hold {used.entries} files and folders ({shown}/), over "
            f"GitLab's {PAGES_FILE_ENTRIES} (pages_file_entries); the published site was not "
            "changed"
        )
    check_artifact(settings, used, f"pages job's artifact ({shown}/)", "", "the published site")
    return used


def check_extract(settings: Settings, staging: Path, shown: Path) -> Usage:
    """The extract job's artifact: raw/, state/ and manifest.json of its data folder (or its
    shard's), as the staging folder holds them before they replace `shown`."""
    used = usage(staging)
    if fits(settings, used):
        return used
    shards, stays = shard_plan(settings, staging)
    more = (
        f"run the extraction in at least {shards} shards (the CI component's `parallel` input, "
        f"now {settings.node_total}), or "
        if shards
        else f"more shards would not help ({megabytes(stays)} of it stays with one shard: the "
        "group listings, users and state); "
    )
    check_artifact(settings, used, f"extract job's artifact ({shown}/)", more, f"{shown}/")
    return used


def check_build(settings: Settings, marts: Path, shown: Path) -> Usage:
    """The build job's artifact: data/marts/, as written before it replaces `shown`."""
    used = usage(marts)
    check_artifact(settings, used, f"build job's artifact ({shown}/)", "", f"{shown}/")
    return used


def fits(settings: Settings, used: Usage) -> bool:
    limit = settings.artifact_max_mb
    return not limit or used.archive_bytes <= limit * MB


def check_artifact(settings: Settings, used: Usage, what: str, more: str, kept: str) -> None:
    """One job's artifact against LEADERBOARD_ARTIFACT_MAX_MB, as GitLab weighs the archive
    the runner uploads (app/services/ci/job_artifacts/create_service.rb `too_large?`, against
    app/models/ci/job_artifact.rb `max_artifact_size`); `more` is another way out."""
    if fits(settings, used):
        return
    size = used.archive_bytes
    raise BudgetError(
        f"the {what} would be {megabytes(size)}, over the {settings.artifact_max_mb:g} MB "
        f"LEADERBOARD_ARTIFACT_MAX_MB allows (GitLab's maximum artifacts size of a job): {more}"
        f"raise it to at least {at_least(size)} together with the instance's maximum artifacts "
        f"size; {kept} was not changed"
    )


def shard_plan(settings: Settings, staging: Path) -> tuple[int | None, int]:
    """How many extraction shards would keep each one's artifact under the limit if this one's
    projects spread over them (None when what stays with one shard is too much already), and
    the bytes that stay."""
    limit = settings.artifact_max_mb * MB
    raw = staging / "raw"
    split = Usage()
    for table in SHARDED_TABLES:
        folder = raw / table
        if folder.is_dir():
            for part in folder.iterdir():
                if part.name.startswith("p"):
                    split += usage(part) + Usage(0, 0, 1)
    stays = usage(staging).archive_bytes - split.archive_bytes
    if stays >= limit * 0.9:
        return None, stays
    total = split.archive_bytes * settings.node_total
    return max(settings.node_total + 1, math.ceil(total / (limit * 0.9 - stays))), stays
