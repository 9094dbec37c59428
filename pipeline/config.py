"""The one settings object, built once at the entry point from flags and the environment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import ConfigError


class Secret:
    """A token that never shows itself in repr, str, logs or exception text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Settings:
    """Everything a stage may need; no other module reads the environment."""

    gitlab_url: str | None = None
    gitlab_token: Secret | None = field(default=None, repr=False)
    groups: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    since: dt.date = field(default_factory=lambda: default_since(dt.datetime.now(dt.UTC).date()))
    workers: int = 8
    max_rpm: float | None = None
    #: GitLab's maximum offset in rows (0: none); a 405 stating a lower one lowers it for a run
    max_offset: int = 50_000
    #: GitLab's `users_get_by_id_limit`: GET /users/:id per 10 minutes for a non-admin token
    #: (0: none, e.g. an admin token or one on the instance's allowlist)
    user_lookup_limit: int = 300
    noreply_domain: str | None = None
    full_refresh: bool = False
    full_refresh_days: float = 7.0
    teams_file: Path = Path("teams.csv")
    bots_file: Path = Path("bots.txt")
    data_dir: Path = Path("data")
    public_dir: Path = Path("public")
    publish_emails: bool = False
    publish_raw: bool = False
    note_token: Secret | None = field(default=None, repr=False)
    stale_hours: float = 26.0
    node_index: int = 1
    node_total: int = 1
    pipeline_url: str | None = None
    project_url: str | None = None
    default_branch: str | None = None
    merge_request_iid: str | None = None
    project_id: str | None = None
    retry_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 60.0
    ca_bundle: str | None = None  # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, for a private CA
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    warnings: tuple[str, ...] = ()

    @property
    def noreply(self) -> str:
        """Domain of GitLab's private commit emails: `users.noreply.<host of GITLAB_URL>`."""
        if self.noreply_domain:
            return self.noreply_domain.lower()
        host = urlsplit(self.gitlab_url or "").hostname or "gitlab.com"
        return f"users.noreply.{host.lower()}"

    @property
    def shard_rpm(self) -> float | None:
        """Each of CI_NODE_TOTAL sharded jobs takes an equal share of LEADERBOARD_MAX_RPM."""
        return None if self.max_rpm is None else self.max_rpm / self.node_total

    @property
    def sharded(self) -> bool:
        return self.node_total > 1

    @property
    def extract_dir(self) -> Path:
        """Where this job's extraction writes: the data dir, or its shard's own part of it."""
        return self.data_dir / f"shard-{self.node_index}" if self.sharded else self.data_dir

    def require_gitlab(self) -> tuple[str, Secret]:
        """The URL and token for a real GitLab; fail fast naming the missing variable."""
        if not self.gitlab_url:
            raise ConfigError(
                "GITLAB_URL is not set (nor CI_SERVER_URL): set it to your GitLab instance, "
                "e.g. https://gitlab.example.com; `leaderboard demo` runs against the simulator"
            )
        if not self.gitlab_token:
            raise ConfigError("GITLAB_TOKEN is not set: create a token with the read_api scope")
        if not self.groups and not self.projects:
            raise ConfigError("nothing to extract: set LEADERBOARD_GROUPS or LEADERBOARD_PROJECTS")
        return self.gitlab_url.rstrip("/"), self.gitlab_token

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def default_since(today: dt.date) -> dt.date:
    """Two years back, so the 365-day window is always covered with room to spare."""
    try:
        return today.replace(year=today.year - 2)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 2, day=28)


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}")


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum:g}, not {raw}")
    return value


def _max_offset(env: Mapping[str, str]) -> int:
    """0 turns it off (as on GitLab); otherwise at least one page of 100 rows."""
    value = int(_number(env, "LEADERBOARD_MAX_OFFSET", 50_000, 0))
    if 0 < value < 100:
        raise ConfigError(f"LEADERBOARD_MAX_OFFSET must be 0 or at least 100, not {value}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def _since(env: Mapping[str, str], today: dt.date) -> tuple[dt.date, tuple[str, ...]]:
    raw = env.get("LEADERBOARD_SINCE", "").strip()
    if not raw:
        return default_since(today), ()
    try:
        since = dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"LEADERBOARD_SINCE must be YYYY-MM-DD, not {raw!r}") from None
    if len(raw) != 10:
        raise ConfigError(f"LEADERBOARD_SINCE must be YYYY-MM-DD, not {raw!r}")
    warnings: tuple[str, ...] = ()
    if since > today - dt.timedelta(days=366):
        warnings = (
            f"LEADERBOARD_SINCE={raw} is later than the 365-day window needs; "
            "the 365d board will undercount",
        )
    return since, warnings


def _secret(env: Mapping[str, str], name: str) -> Secret | None:
    value = env.get(name, "").strip()
    return Secret(value) if value else None


def settings_from_env(env: Mapping[str, str], today: dt.date | None = None) -> Settings:
    """Build Settings from environment variables (GitLab CI names first, see README)."""
    today = today or dt.datetime.now(dt.UTC).date()
    since, warnings = _since(env, today)
    node_total = int(_number(env, "CI_NODE_TOTAL", 1, 1))
    node_index = int(_number(env, "CI_NODE_INDEX", 1, 1))
    if node_index > node_total:
        raise ConfigError(f"CI_NODE_INDEX={node_index} is larger than CI_NODE_TOTAL={node_total}")
    max_rpm_raw = env.get("LEADERBOARD_MAX_RPM", "").strip()
    return Settings(
        gitlab_url=(env.get("GITLAB_URL") or env.get("CI_SERVER_URL") or "").strip() or None,
        gitlab_token=_secret(env, "GITLAB_TOKEN"),
        groups=_list(env, "LEADERBOARD_GROUPS"),
        projects=_list(env, "LEADERBOARD_PROJECTS"),
        since=since,
        workers=int(_number(env, "LEADERBOARD_WORKERS", 8, 1)),
        max_rpm=_number(env, "LEADERBOARD_MAX_RPM", 0, 1) if max_rpm_raw else None,
        max_offset=_max_offset(env),
        user_lookup_limit=int(_number(env, "LEADERBOARD_USER_LOOKUP_LIMIT", 300, 0)),
        noreply_domain=env.get("LEADERBOARD_NOREPLY_DOMAIN", "").strip() or None,
        full_refresh=_flag(env, "LEADERBOARD_FULL_REFRESH"),
        full_refresh_days=_number(env, "LEADERBOARD_FULL_REFRESH_DAYS", 7, 0),
        teams_file=Path(env.get("LEADERBOARD_TEAMS", "").strip() or "teams.csv"),
        bots_file=Path(env.get("LEADERBOARD_BOTS", "").strip() or "bots.txt"),
        data_dir=Path(env.get("LEADERBOARD_DATA_DIR", "").strip() or "data"),
        public_dir=Path(env.get("LEADERBOARD_PUBLIC_DIR", "").strip() or "public"),
        publish_emails=_flag(env, "LEADERBOARD_PUBLISH_EMAILS"),
        publish_raw=_flag(env, "LEADERBOARD_PUBLISH_RAW"),
        note_token=_secret(env, "LEADERBOARD_NOTE_TOKEN"),
        stale_hours=_number(env, "LEADERBOARD_STALE_HOURS", 26, 0),
        node_index=node_index,
        node_total=node_total,
        pipeline_url=env.get("CI_PIPELINE_URL", "").strip() or None,
        project_url=env.get("CI_PROJECT_URL", "").strip() or None,
        default_branch=env.get("CI_DEFAULT_BRANCH", "").strip() or None,
        merge_request_iid=env.get("CI_MERGE_REQUEST_IID", "").strip() or None,
        project_id=env.get("CI_PROJECT_ID", "").strip() or None,
        retry_attempts=int(_number(env, "LEADERBOARD_RETRY_ATTEMPTS", 6, 1)),
        backoff_base=_number(env, "LEADERBOARD_BACKOFF_BASE", 0.5, 0),
        backoff_cap=_number(env, "LEADERBOARD_BACKOFF_CAP", 60, 0),
        ca_bundle=(env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or "").strip()
        or None,
        warnings=warnings,
    )
