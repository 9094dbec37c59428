"""`data/state`: watermarks, default-branch heads, last full refresh, cached user records."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import LeaderboardError
from pipeline.times import format_utc, parse_utc

STATE_FILE = "state.json"
USERS_FILE = "users.json"
VERSION = 1


@dataclass(frozen=True)
class Head:
    """A project's default branch and the commit it pointed at when last listed."""

    branch: str
    sha: str


@dataclass
class State:
    """What the next incremental run needs from this one."""

    last_full_refresh: dt.datetime
    since: str
    scope: dict[str, list[str]]
    #: listing key (e.g. "merge_requests/g12") -> max updated_at seen
    watermarks: dict[str, dt.datetime] = field(default_factory=dict)
    #: project id -> default-branch head
    heads: dict[int, Head] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "last_full_refresh": format_utc(self.last_full_refresh, "seconds"),
            "since": self.since,
            "scope": self.scope,
            "watermarks": {
                k: format_utc(v, "microseconds") for k, v in sorted(self.watermarks.items())
            },
            "heads": {
                str(pid): {"branch": h.branch, "sha": h.sha}
                for pid, h in sorted(self.heads.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        return cls(
            last_full_refresh=parse_utc(data["last_full_refresh"]),
            since=data["since"],
            scope={k: list(v) for k, v in data["scope"].items()},
            watermarks={k: parse_utc(v) for k, v in data.get("watermarks", {}).items()},
            heads={
                int(pid): Head(h["branch"], h["sha"]) for pid, h in data.get("heads", {}).items()
            },
        )


@dataclass
class UserCache:
    """Roster usernames (lower-case) -> their /users/:id record, and names GitLab did not know."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: username -> when GitLab last answered that it has no such user
    unknown: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "users": dict(sorted(self.users.items())),
            "unknown": dict(sorted(self.unknown.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UserCache:
        return cls(users=dict(data.get("users", {})), unknown=dict(data.get("unknown", {})))


def read_state(state_dir: Path) -> State | None:
    """The state of the last complete run, or None when there is none (first run)."""
    path = state_dir / STATE_FILE
    if not path.exists():
        return None
    data = _read_json(path, "delete it and the next run extracts in full")
    if data.get("version") != VERSION:
        return None  # an unknown layout: the run goes full and rewrites it
    return State.from_json(data)


def read_users(state_dir: Path) -> UserCache:
    path = state_dir / USERS_FILE
    if not path.exists():
        return UserCache()
    return UserCache.from_json(_read_json(path, "delete it and user records are fetched again"))


def _read_json(path: Path, fix: str) -> dict[str, Any]:
    """A state file as a JSON object; a damaged one (a disk full mid-write, a bad restore) is
    one error naming it and the fix, never a traceback."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LeaderboardError(f"cannot read {path} ({_reason(exc)}): {fix}") from None
    if not isinstance(data, dict):
        raise LeaderboardError(f"{path} is not a JSON object: {fix}")
    return data


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).split(":")[0]


def write_state(state_dir: Path, state: State, users: UserCache) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    _write_json(state_dir / STATE_FILE, state.to_json())
    _write_json(state_dir / USERS_FILE, users.to_json())


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
