"""`data/manifest.json`: what the last complete extraction fetched, checked and cost."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pipeline.times import format_utc

MANIFEST_FILE = "manifest.json"

#: `check` values: rows checked against x-total; no total, ended on the last Link; OLD..NEW range;
#: a newest-first listing stopped at the last run's watermark (incremental review events); a
#: project without a repository (GitLab's 404 "Repository Not Found": no commits to list).
CHECKS = ("x-total", "end-of-list", "range", "watermark", "no-repository")


@dataclass
class SliceRecord:
    """One slice of a listing (see `slices`): where it starts and how its end was proven."""

    start: dict[str, Any]  # the parameter that starts it ({} for the first slice)
    pages: int = 0
    rows: int = 0  # distinct ids it returned, its edge item included
    x_total: int | None = None
    #: "x-total" / "end-of-list" / "range" / "watermark" for the last slice; "continued" for one
    #: that went on as the next slice (past the maximum offset, or an events range at the cap)
    check: str = "end-of-list"
    #: events only: how many events x-total counted that this token could not see
    unseen: int | None = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "start": dict(self.start),
            "pages": self.pages,
            "rows": self.rows,
            "x_total": self.x_total,
            "check": self.check,
        }
        return out if self.unseen is None else out | {"unseen": self.unseen}


@dataclass
class ListingRecord:
    """One listing as the manifest shows it."""

    what: str
    owner_kind: str  # "project" or "group"
    owner: str  # full path
    pages: int = 0
    rows: int = 0
    x_total: int | None = None
    check: str = "end-of-list"
    retries: int = 0
    slices: list[SliceRecord] = field(default_factory=list)
    #: events only: events x-total counted that this token could not see (an expected shortfall)
    unseen: int | None = None
    #: why a listing has nothing to list (GitLab's own message, e.g. "404 Repository Not Found")
    reason: str | None = None
    #: what a resource counted on the way, e.g. {"malformed_coauthors": 2} (shown as keys)
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = {
            "what": self.what,
            self.owner_kind: self.owner,
            "pages": self.pages,
            "rows": self.rows,
            "x_total": self.x_total,
            "check": self.check,
            "retries": self.retries,
            "slices": [piece.to_json() for piece in self.slices],
        }
        if self.unseen is not None:
            out["unseen"] = self.unseen
        if self.reason is not None:
            out["reason"] = self.reason
        return out | self.counts


def new_run_id(started_at: dt.datetime) -> str:
    """`2026-08-23T00:00:00Z-1a2b`: the start time plus a random suffix."""
    return f"{format_utc(started_at, 'seconds')}-{secrets.token_hex(2)}"


def run_tag(run_id: str) -> str:
    """The run id made file-safe: `20260823T000000Z-1a2b`."""
    return run_id.replace("-", "").replace(":", "").replace("Z", "Z-", 1).rstrip("-")


def public_url(url: str) -> str:
    """The instance URL without credentials, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def build_manifest(
    *,
    run_id: str,
    mode: str,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    gitlab_url: str,
    gitlab_version: str,
    scope: dict[str, list[str]],
    since: dt.date,
    last_full_refresh: dt.datetime,
    rows: dict[str, int],
    requests: dict[str, Any],
    listings: list[ListingRecord],
) -> dict[str, Any]:
    """The manifest in the contract's shape and key order."""
    return {
        "run_id": run_id,
        "status": "complete",
        "mode": mode,
        "started_at": format_utc(started_at, "seconds"),
        "finished_at": format_utc(finished_at, "seconds"),
        "as_of": format_utc(finished_at, "seconds"),
        "gitlab_url": public_url(gitlab_url),
        "gitlab_version": gitlab_version,
        "scope": scope,
        "since": since.isoformat(),
        "last_full_refresh": format_utc(last_full_refresh, "seconds"),
        "rows": {
            key: int(rows.get(key, 0))
            for key in ("commits", "merge_requests", "issues", "projects", "users", "events")
        },
        "requests": {
            "total": int(requests["total"]),
            "retried": int(requests["retried"]),
            "rate_limit_waits": int(requests["rate_limit_waits"]),
            "seconds_waiting": round(float(requests["seconds_waiting"]), 1),
        },
        "listings": [listing.to_json() for listing in listings],
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def read_manifest(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
