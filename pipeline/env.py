"""The environment the settings are read from: every variable's one-line help (VARIABLES), the
token wrapper that never shows itself, and one checked parser per kind of value, each failing with
a ConfigError that names the variable and the fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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


def people(env: Mapping[str, str]) -> str:
    value = env.get("LEADERBOARD_PEOPLE", "").strip().lower() or "show"
    if value not in ("show", "hide"):
        raise ConfigError(
            f"LEADERBOARD_PEOPLE must be show or hide, not {value!r} (hide publishes teams only)"
        )
    return value


def flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}")


def number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
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


def max_offset(env: Mapping[str, str]) -> int:
    """0 turns it off (as on GitLab); otherwise at least one page of 100 rows."""
    value = int(number(env, "LEADERBOARD_MAX_OFFSET", 50_000, 0))
    if 0 < value < 100:
        raise ConfigError(f"LEADERBOARD_MAX_OFFSET must be 0 or at least 100, not {value}")
    return value


def names(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def refs(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Group or project ids and full paths; a pasted URL or stray slash is refused with the fix."""
    refs = names(env, name)
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


def gitlab_url(env: Mapping[str, str]) -> str | None:
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


def token(env: Mapping[str, str], name: str) -> Secret | None:
    """A token as pasted, minus the surrounding blanks; never shown in the error."""
    found = secret(env, name)
    value = found.reveal() if found else ""
    if any(c.isspace() or c in "\"'" for c in value):
        raise ConfigError(
            f"{name} holds a space or a quote: set it to the token alone "
            "(no 'Bearer ', no quotes, one line)"
        )
    return found


def noreply_domain(env: Mapping[str, str]) -> str | None:
    raw = env.get("LEADERBOARD_NOREPLY_DOMAIN", "").strip()
    if raw and ("@" in raw or "/" in raw or " " in raw or "." not in raw.strip(".")):
        fixed = raw.rsplit("@", 1)[-1].split("/")[-1]
        raise ConfigError(
            f"LEADERBOARD_NOREPLY_DOMAIN is a domain such as users.noreply.gitlab.example.com, "
            f"not {raw!r}" + (f": use {fixed!r}" if fixed and fixed != raw else "")
        )
    return raw or None


def since(env: Mapping[str, str], today: dt.date) -> tuple[dt.date, tuple[str, ...]]:
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


def secret(env: Mapping[str, str], name: str) -> Secret | None:
    value = env.get(name, "").strip()
    return Secret(value) if value else None
