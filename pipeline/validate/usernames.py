"""validate-teams' optional check that roster usernames are real, active, human GitLab users."""

from __future__ import annotations

from typing import Any

from pipeline.config import Settings
from pipeline.extract.authors import raw_parts, seen_users
from pipeline.extract.gitlab.client import GitLabClient
from pipeline.extract.store.state import read_users
from pipeline.roster import notices
from pipeline.roster.notices import Notice
from pipeline.roster.teams import Roster

INACTIVE = ("blocked", "banned", "deactivated", "blocked_pending_approval", "ldap_blocked")


def check_usernames(settings: Settings, roster: Roster) -> list[Notice]:
    """One warning per roster username GitLab does not know, flags as a bot, or has blocked.

    Records cached by the extractor (data/state/users.json) are used first, so a name is looked
    up at most once; the cache itself is left to the extractor. A name not cached is looked up
    by the id its MRs, issues or review events in data/raw carry, else by username (which
    hides blocked, banned and LDAP-blocked users from a non-admin token).
    """
    assert settings.gitlab_url and settings.gitlab_token
    cache = read_users(settings.extract_dir / "state")
    fresh = [name for name in roster.usernames if name not in cache.users]
    seen = seen_users(raw_parts(settings.extract_dir / "raw"), fresh)
    first_line: dict[str, int] = {}
    for membership in roster.memberships:
        first_line.setdefault(membership.username, membership.line)
    warnings = []
    with GitLabClient(
        settings, base_url=settings.gitlab_url.rstrip("/"), token=settings.gitlab_token
    ) as client:
        for username in roster.usernames:
            if username in cache.users:
                record: dict[str, Any] | None = cache.users[username]
            elif username in seen:
                record = fetch_user(client, username, seen[username].id)
            elif username in cache.unknown:
                record = None
            else:
                record = fetch_user(client, username)
            where = f"{roster.path}:{first_line[username]}:username"
            if problem := user_problem(username, record, where):
                warnings.append(problem)
    return warnings


def fetch_user(
    client: GitLabClient, username: str, user_id: int | None = None
) -> dict[str, Any] | None:
    """The /users/:id record of `username` (by `user_id` when known, else found by username),
    or None when GitLab shows no such user."""
    if user_id is not None:
        record = dict(client.get(f"/users/{user_id}", what=f"user {username}"))
        if str(record.get("username", "")).lower() == username:
            return record
    found = client.get("/users", {"username": username}, what=f"user {username}")
    match = [u for u in found if str(u.get("username", "")).lower() == username]
    if not match:
        return None
    record = client.get(f"/users/{int(match[0]['id'])}", what=f"user {username}")
    return dict(record)


def user_problem(username: str, record: dict[str, Any] | None, where: str) -> Notice | None:
    """Why a roster name will not count as expected, or None for an active human user."""
    if record is None:
        return notices.unknown(username, where)
    if record.get("bot"):
        return notices.bot(username, "is a bot account in GitLab", where)
    state = str(record.get("state") or "active")
    if state in INACTIVE:
        return notices.inactive(username, state, where)
    return None
