"""The one settings object, built once at the entry point from flags and the environment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pipeline import env as read
from pipeline.env import VARIABLES, Secret
from pipeline.errors import ConfigError
from pipeline.times import default_since

__all__ = ["VARIABLES", "Secret", "Settings", "settings_from_env"]


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
    #: "show": people on the site and in the MR preview; "hide": teams only (works councils)
    people: str = "show"
    publish_raw: bool = False
    build_memory_mb: int = 512  # DuckDB's limit (marts/runner); what does not fit spills to disk
    note_token: Secret | None = field(default=None, repr=False)
    stale_hours: float = 26.0
    pages_max_mb: float = 100.0
    artifact_max_mb: float = 100.0
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
        if self.ca_bundle and not Path(self.ca_bundle).exists():
            raise ConfigError(
                f"REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) names {self.ca_bundle}, which does not "
                "exist: point it at your certificate authority's PEM file, or unset it"
            )
        return self.gitlab_url.rstrip("/"), self.gitlab_token

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def settings_from_env(env: Mapping[str, str], today: dt.date | None = None) -> Settings:
    """Build Settings from environment variables (GitLab CI names first, see README)."""
    today = today or dt.datetime.now(dt.UTC).date()
    since, warnings = read.since(env, today)
    node_total = int(read.number(env, "CI_NODE_TOTAL", 1, 1))
    node_index = int(read.number(env, "CI_NODE_INDEX", 1, 1))
    if node_index > node_total:
        raise ConfigError(f"CI_NODE_INDEX={node_index} is larger than CI_NODE_TOTAL={node_total}")
    max_rpm_raw = env.get("LEADERBOARD_MAX_RPM", "").strip()
    return Settings(
        gitlab_url=read.gitlab_url(env),
        gitlab_token=read.token(env, "GITLAB_TOKEN"),
        groups=read.refs(env, "LEADERBOARD_GROUPS"),
        projects=read.refs(env, "LEADERBOARD_PROJECTS"),
        since=since,
        workers=int(read.number(env, "LEADERBOARD_WORKERS", 8, 1)),
        max_rpm=read.number(env, "LEADERBOARD_MAX_RPM", 0, 1) if max_rpm_raw else None,
        max_offset=read.max_offset(env),
        user_lookup_limit=int(read.number(env, "LEADERBOARD_USER_LOOKUP_LIMIT", 300, 0)),
        noreply_domain=read.noreply_domain(env),
        full_refresh=read.flag(env, "LEADERBOARD_FULL_REFRESH"),
        full_refresh_days=read.number(env, "LEADERBOARD_FULL_REFRESH_DAYS", 7, 0),
        teams_file=Path(env.get("LEADERBOARD_TEAMS", "").strip() or "teams.csv"),
        bots_file=Path(env.get("LEADERBOARD_BOTS", "").strip() or "bots.txt"),
        data_dir=Path(env.get("LEADERBOARD_DATA_DIR", "").strip() or "data"),
        public_dir=Path(env.get("LEADERBOARD_PUBLIC_DIR", "").strip() or "public"),
        publish_emails=read.flag(env, "LEADERBOARD_PUBLISH_EMAILS"),
        people=read.people(env),
        publish_raw=read.flag(env, "LEADERBOARD_PUBLISH_RAW"),
        build_memory_mb=int(read.number(env, "LEADERBOARD_BUILD_MEMORY_MB", 512, 64)),
        note_token=read.token(env, "LEADERBOARD_NOTE_TOKEN"),
        stale_hours=read.number(env, "LEADERBOARD_STALE_HOURS", 26, 0),
        pages_max_mb=read.number(env, "LEADERBOARD_PAGES_MAX_MB", 100, 0),
        artifact_max_mb=read.number(env, "LEADERBOARD_ARTIFACT_MAX_MB", 100, 0),
        node_index=node_index,
        node_total=node_total,
        pipeline_url=env.get("CI_PIPELINE_URL", "").strip() or None,
        project_url=env.get("CI_PROJECT_URL", "").strip() or None,
        default_branch=env.get("CI_DEFAULT_BRANCH", "").strip() or None,
        merge_request_iid=env.get("CI_MERGE_REQUEST_IID", "").strip() or None,
        project_id=env.get("CI_PROJECT_ID", "").strip() or None,
        retry_attempts=int(read.number(env, "LEADERBOARD_RETRY_ATTEMPTS", 6, 1)),
        backoff_base=read.number(env, "LEADERBOARD_BACKOFF_BASE", 0.5, 0),
        backoff_cap=read.number(env, "LEADERBOARD_BACKOFF_CAP", 60, 0),
        ca_bundle=(env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or "").strip()
        or None,
        warnings=warnings,
    )
