"""Declared Arrow schemas of raw tables and marts: a null-heavy page never changes a type."""

from __future__ import annotations

import pyarrow as pa

from pipeline import metrics

TS = pa.timestamp("us", tz="UTC")

USER_REF = pa.struct(
    [
        pa.field("id", pa.int64()),
        pa.field("username", pa.string()),
        pa.field("state", pa.string()),
    ]
)

# Raw tables keep GitLab's field names, and of them only what the build reads (the extraction's
# user-id scan reads the user references too, `extract/authors`); `_`-prefixed columns are ours.
# A page's web_url is not kept: staging SQL derives it from its project's web_url (raw/projects)
# and its SHA or iid. Parts an older extraction wrote with more columns still load: the build
# reads only these (`marts/raw_tables`).
PROJECTS = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("path_with_namespace", pa.string()),
        pa.field("default_branch", pa.string()),
        pa.field("forked_from_project_id", pa.int64()),
        pa.field("web_url", pa.string()),
        pa.field("_extracted_at", TS),
    ]
)

#: a person a commit names besides its author (`Name <email>` of a trailer)
PERSON = pa.struct([pa.field("name", pa.string()), pa.field("email", pa.string())])

COMMITS = pa.schema(
    [
        pa.field("project_id", pa.int64(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("author_name", pa.string()),
        pa.field("author_email", pa.string()),
        pa.field("authored_date", TS),
        # not GitLab fields: how many `parent_ids` it has (more than one: a merge commit), all
        # the build needs of them; and what `extract/trailers` reads from its
        # `extended_trailers` (or the message): the `Co-authored-by` people
        pa.field("parent_count", pa.int16()),
        pa.field("coauthors", pa.list_(PERSON)),
        pa.field("_extracted_at", TS),
    ]
)

MERGE_REQUESTS = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("iid", pa.int64()),
        pa.field("project_id", pa.int64()),
        pa.field("title", pa.string()),
        pa.field("created_at", TS),
        pa.field("updated_at", TS),
        pa.field("merged_at", TS),
        pa.field("author", USER_REF),
        pa.field("merged_by", USER_REF),
        pa.field("closed_by", USER_REF),
        pa.field("_extracted_at", TS),
    ]
)

ISSUES = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("iid", pa.int64()),
        pa.field("project_id", pa.int64()),
        pa.field("title", pa.string()),
        pa.field("created_at", TS),
        pa.field("updated_at", TS),
        pa.field("closed_at", TS),
        pa.field("author", USER_REF),
        pa.field("closed_by", USER_REF),
        pa.field("_extracted_at", TS),
    ]
)

# A comment event's `note`, reduced to what says which MR it is on and whether a person wrote it.
EVENT_NOTE = pa.struct(
    [
        pa.field("id", pa.int64()),
        pa.field("system", pa.bool_()),
        pa.field("noteable_type", pa.string()),
        pa.field("noteable_id", pa.int64()),
    ]
)

# /projects/:id/events with action=approved or action=commented (review credit).
EVENTS = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("project_id", pa.int64()),
        pa.field("action_name", pa.string()),
        pa.field("target_type", pa.string()),
        pa.field("target_id", pa.int64()),
        pa.field("author_id", pa.int64()),
        pa.field("author_username", pa.string()),
        pa.field("created_at", TS),
        pa.field("note", EVENT_NOTE),
        pa.field("_extracted_at", TS),
    ]
)

USERS = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("username", pa.string()),
        pa.field("public_email", pa.string()),
        pa.field("bot", pa.bool_()),
        pa.field("_extracted_at", TS),
    ]
)

RAW = {
    "projects": PROJECTS,
    "commits": COMMITS,
    "merge_requests": MERGE_REQUESTS,
    "issues": ISSUES,
    "users": USERS,
    "events": EVENTS,
}

#: Columns parts of an older extraction hold in place of a declared one, which staging SQL still
#: reads where a kept part has them (the build loads them too; new parts have none): until the
#: next full run replaces them, such parts tell a merge commit by its `parent_ids`.
RAW_FORMER = {"commits": pa.schema([pa.field("parent_ids", pa.list_(pa.string()))])}

#: The board's metric columns, from the registry (pipeline/metrics.py), in its order.
_METRICS = [pa.field(name, pa.int64()) for name in metrics.NAMES]
#: The metrics bot_activity lists (the registry's `bots` ones).
_BOT_METRICS = [pa.field(name, pa.int64()) for name in metrics.BOT_NAMES]

_PEOPLE_BOARD = pa.schema(
    [
        pa.field("window", pa.string()),
        pa.field("team", pa.string()),
        pa.field("username", pa.string()),
        *_METRICS,
        pa.field("score", pa.int64()),
        pa.field("rank", pa.int64()),
        pa.field("prev_rank", pa.int64()),
    ]
)

MARTS = {
    "leaderboard_users": _PEOPLE_BOARD,
    #: the people board of the listed people only (teams.csv `listed`), ranked among themselves:
    #: what the site shows in place of leaderboard_users (an extra mart, not the contract's)
    "leaderboard_listed_users": _PEOPLE_BOARD,
    "leaderboard_teams": pa.schema(
        [
            pa.field("window", pa.string()),
            pa.field("team", pa.string()),
            pa.field("members", pa.int64()),
            *_METRICS,
            pa.field("score", pa.int64()),
            pa.field("rank", pa.int64()),
            pa.field("prev_rank", pa.int64()),
        ]
    ),
    "contributions": pa.schema(
        [
            pa.field("team", pa.string()),
            pa.field("username", pa.string()),
            pa.field("kind", pa.string()),
            pa.field("item_id", pa.string()),
            pa.field("project_id", pa.int64()),
            pa.field("title", pa.string()),
            pa.field("web_url", pa.string()),
            pa.field("at", TS),
        ]
    ),
    "member_emails": pa.schema(
        [
            pa.field("username", pa.string()),
            pa.field("email", pa.string()),
            pa.field("source", pa.string()),
        ]
    ),
    "unmatched_authors": pa.schema(
        [
            pa.field("author_email", pa.string()),
            pa.field("author_name", pa.string()),
            pa.field("commits", pa.int64()),
            pa.field("projects", pa.int64()),
            pa.field("first_seen", TS),
            pa.field("last_seen", TS),
        ]
    ),
    "weekly_team_activity": pa.schema(
        [
            pa.field("week", pa.date32()),
            pa.field("team", pa.string()),
            *_METRICS,
        ]
    ),
    # Beyond the contract's six: where unmatched emails appear, and bots listed apart.
    "unmatched_projects": pa.schema(
        [
            pa.field("author_email", pa.string()),
            pa.field("project_id", pa.int64()),
            pa.field("path_with_namespace", pa.string()),
            pa.field("web_url", pa.string()),
            pa.field("commits", pa.int64()),
        ]
    ),
    "bot_activity": pa.schema(
        [
            pa.field("username", pa.string()),
            pa.field("email", pa.string()),
            pa.field("source", pa.string()),
            pa.field("on_roster", pa.bool_()),
            *_BOT_METRICS,
        ]
    ),
    #: each roster username and whether the site may name it (teams.csv `listed`): publish reads
    #: it and never publishes it
    "people_listed": pa.schema(
        [
            pa.field("username", pa.string()),
            pa.field("listed", pa.bool_()),
        ]
    ),
    "projects": pa.schema(
        [
            pa.field("project_id", pa.int64()),
            pa.field("path_with_namespace", pa.string()),
            pa.field("web_url", pa.string()),
        ]
    ),
}

# Integer columns that may be empty: null means "no such row in the previous period".
NULLABLE_INTEGERS = frozenset({"prev_rank"})

# The marts ARCHITECTURE.md names; the others are extra outputs for people.
CONTRACT_MARTS = (
    "leaderboard_users",
    "leaderboard_teams",
    "contributions",
    "member_emails",
    "unmatched_authors",
    "weekly_team_activity",
)

WINDOWS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
