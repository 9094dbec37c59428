"""The one settings object, built once at the entry point from flags and the environment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import ConfigError
from pipeline.times import default_since

#: Every variable `settings_from_env` reads, in one line each (README: Settings).
VARIABLES = {
    "GITLAB_URL": "instance URL, e.g. https://gitlab.example.com (default CI_SERVER_URL)",
    "CI_SERVER_URL": "set by GitLab CI: the instance, when GITLAB_URL is not set",
    "GITLAB_TOKEN": "token with the read_api scope",
    "LEADERBOARD_GROUPS": "comma-separated group ids or full paths, subgroups included",
    "LEADERBOARD_PROJECTS": "comma-separated project ids or full paths",
    "LEADERBOARD_SINCE": "history start, YYYY-MM-DD (default two years back)",
    "LEADERBOARD_WORKERS": "requests in flight at most (default 8)",
    "LEADERBOARD_MAX_RPM": "request-rate cap per minute for the whole job",
    "LEADERBOARD_MAX_OFFSET": "GitLab's maximum offset in rows (default 50000; 0 for none)",
    "LEADERBOARD_NOREPLY_DOMAIN": "domain of private commit emails (default users.noreply.HOST)",
    "LEADERBOARD_FULL_REFRESH": "1 forces a full extraction",
    "LEADERBOARD_FULL_REFRESH_DAYS": "a run turns full when the last full one is older (7)",
    "LEADERBOARD_TEAMS": "roster file (default teams.csv)",
    "LEADERBOARD_BOTS": "bot list (default bots.txt)",
    "LEADERBOARD_DATA_DIR": "raw data, state, manifest and marts (default data)",
    "LEADERBOARD_PUBLIC_DIR": "the site (default public)",
    "LEADERBOARD_BUILD_MEMORY_MB": "DuckDB's memory for build and preview, in MB (default 512)",
    "LEADERBOARD_PUBLISH_EMAILS": "1 shows author emails on the site; otherwise masked",
    "LEADERBOARD_PEOPLE": "show (default) names people on the site and in the MR preview; hide "
    "publishes team-level figures only",
    "LEADERBOARD_PUBLISH_RAW": "1 also publishes the raw tables",
    "LEADERBOARD_STALE_HOURS": "the page calls the data stale past this age (default 26)",
    "LEADERBOARD_PAGES_MAX_MB": "GitLab's maximum Pages site size in MB (default 100; 0: none)",
    "LEADERBOARD_ARTIFACT_MAX_MB": "GitLab's maximum artifacts of one job in MB (100; 0: none)",
    "LEADERBOARD_NOTE_TOKEN": "token with the api scope, only to post the MR preview note",
    "LEADERBOARD_RETRY_ATTEMPTS": "attempts per request before the run fails (default 6)",
    "LEADERBOARD_USER_LOOKUP_LIMIT": "GitLab's users_get_by_id limit per 10 minutes (default "
    "300; 0 when the token is exempt)",
    "LEADERBOARD_BACKOFF_BASE": "first retry backoff in seconds (default 0.5)",
    "LEADERBOARD_BACKOFF_CAP": "longest retry backoff in seconds (default 60)",
    "REQUESTS_CA_BUNDLE": "CA bundle for a private certificate authority (or CURL_CA_BUNDLE)",
    "CURL_CA_BUNDLE": "as REQUESTS_CA_BUNDLE",
    "CI_NODE_INDEX": "set by GitLab's parallel: this job's shard",
    "CI_NODE_TOTAL": "set by GitLab's parallel: the number of shards",
    "CI_PIPELINE_URL": "set by GitLab CI: the page links the run",
    "CI_PROJECT_URL": "set by GitLab CI: the page links the teams.csv editor",
    "CI_DEFAULT_BRANCH": "set by GitLab CI: the branch the teams.csv editor opens",
    "CI_PROJECT_ID": "set by GitLab CI: where the preview note is posted",
    "CI_MERGE_REQUEST_IID": "set by GitLab CI: the merge request the note goes on",
}


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


def _people(env: Mapping[str, str]) -> str:
    value = env.get("LEADERBOARD_PEOPLE", "").strip().lower() or "show"
    if value not in ("show", "hide"):
        raise ConfigError(
            f"LEADERBOARD_PEOPLE must be show or hide, not {value!r} (hide publishes teams only)"
        )
    return value


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


def _refs(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Group or project ids and full paths; a pasted URL or stray slash is refused with the fix."""
    refs = _list(env, name)
    for ref in refs:
        path = urlsplit(ref).path if "://" in ref else ref
        fixed = path.strip("/").removesuffix(".git")
        if fixed != ref or not fixed:
            raise ConfigError(
                f"{name} takes ids or full paths such as acme/web, not {ref!r}"
                + (f": use {fixed!r}" if fixed else "")
            )
        if any(c.isspace() for c in ref) or ";" in ref:
            raise ConfigError(
                f"{name} is comma-separated ids or full paths, not {ref!r}: e.g. acme,acme/web"
            )
    return refs


def _gitlab_url(env: Mapping[str, str]) -> str | None:
    """GITLAB_URL (else CI_SERVER_URL): the instance's address, checked so a typo fails here."""
    name = "GITLAB_URL" if (env.get("GITLAB_URL") or "").strip() else "CI_SERVER_URL"
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    scheme, _, rest = raw.rpartition("://")
    host = rest.split("/", 1)[0]
    if "@" in host:  # never echoed: the password may be the token itself
        bare = f"{scheme or 'https'}://{host.rsplit('@', 1)[1]}"
        raise ConfigError(
            f"{name} must not hold a user name or password (the token goes in GITLAB_TOKEN): "
            f"use {bare!r}"
        )
    if not scheme:  # requests would say "MissingSchema" on the first request
        raise ConfigError(
            f"{name} must start with https:// (or http://): use 'https://{raw.strip('/')}'"
        )
    parts = urlsplit(raw)
    example = "e.g. https://gitlab.example.com"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL, not {raw!r} ({example})")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name} must be the instance's address only, not {raw!r} ({example})")
    base = raw.rstrip("/")
    if base.endswith("/api/v4"):
        raise ConfigError(
            f"{name} is the instance's address without /api/v4: use {base[: -len('/api/v4')]!r}"
        )
    return base


def _token(env: Mapping[str, str], name: str) -> Secret | None:
    """A token as pasted, minus the surrounding blanks; never shown in the error."""
    secret = _secret(env, name)
    value = secret.reveal() if secret else ""
    if any(c.isspace() or c in "\"'" for c in value):
        raise ConfigError(
            f"{name} holds a space or a quote: set it to the token alone "
            "(no 'Bearer ', no quotes, one line)"
        )
    return secret


def _noreply_domain(env: Mapping[str, str]) -> str | None:
    raw = env.get("LEADERBOARD_NOREPLY_DOMAIN", "").strip()
    if raw and ("@" in raw or "/" in raw or " " in raw or "." not in raw.strip(".")):
        fixed = raw.rsplit("@", 1)[-1].split("/")[-1]
        raise ConfigError(
            f"LEADERBOARD_NOREPLY_DOMAIN is a domain such as users.noreply.gitlab.example.com, "
            f"not {raw!r}" + (f": use {fixed!r}" if fixed and fixed != raw else "")
        )
    return raw or None


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
    if since > today:
        raise ConfigError(
            f"LEADERBOARD_SINCE={raw} is in the future: history must start before today "
            "(leave it empty for two years back)"
        )
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
        gitlab_url=_gitlab_url(env),
        gitlab_token=_token(env, "GITLAB_TOKEN"),
        groups=_refs(env, "LEADERBOARD_GROUPS"),
        projects=_refs(env, "LEADERBOARD_PROJECTS"),
        since=since,
        workers=int(_number(env, "LEADERBOARD_WORKERS", 8, 1)),
        max_rpm=_number(env, "LEADERBOARD_MAX_RPM", 0, 1) if max_rpm_raw else None,
        max_offset=_max_offset(env),
        user_lookup_limit=int(_number(env, "LEADERBOARD_USER_LOOKUP_LIMIT", 300, 0)),
        noreply_domain=_noreply_domain(env),
        full_refresh=_flag(env, "LEADERBOARD_FULL_REFRESH"),
        full_refresh_days=_number(env, "LEADERBOARD_FULL_REFRESH_DAYS", 7, 0),
        teams_file=Path(env.get("LEADERBOARD_TEAMS", "").strip() or "teams.csv"),
        bots_file=Path(env.get("LEADERBOARD_BOTS", "").strip() or "bots.txt"),
        data_dir=Path(env.get("LEADERBOARD_DATA_DIR", "").strip() or "data"),
        public_dir=Path(env.get("LEADERBOARD_PUBLIC_DIR", "").strip() or "public"),
        publish_emails=_flag(env, "LEADERBOARD_PUBLISH_EMAILS"),
        people=_people(env),
        publish_raw=_flag(env, "LEADERBOARD_PUBLISH_RAW"),
        build_memory_mb=int(_number(env, "LEADERBOARD_BUILD_MEMORY_MB", 512, 64)),
        note_token=_token(env, "LEADERBOARD_NOTE_TOKEN"),
        stale_hours=_number(env, "LEADERBOARD_STALE_HOURS", 26, 0),
        pages_max_mb=_number(env, "LEADERBOARD_PAGES_MAX_MB", 100, 0),
        artifact_max_mb=_number(env, "LEADERBOARD_ARTIFACT_MAX_MB", 100, 0),
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
