"""Commits of one project: a full listing of its default branch, or only what landed since the
stored head (branch read, merge_base, `OLD..NEW`), falling back to a full re-list.

A project without a repository has no commits: `lib/api/commits.rb` answers 404 "Repository Not
Found" (`not_found! 'Repository' unless user_project.repository_exists?`), which ends its listing
empty with that reason in the manifest. An empty repository still reports a default branch
(`default_branch_or_main` in `lib/api/entities/basic_project_details.rb`); its listing is one
empty page, and with no head stored the next run lists it again, one request each time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import RequestError
from pipeline.extract.columns import Item, table_of, timestamps
from pipeline.extract.extraction import Extraction, Listed, Order, ProjectInfo
from pipeline.extract.listing import Listing
from pipeline.extract.scheduler import Call, Source
from pipeline.extract.store.state import Head
from pipeline.extract.trailers import coauthors
from pipeline.times import format_utc

log = logging.getLogger("leaderboard.extract")

#: merge_base answers these when the old head is gone (400 "Could not find ref") or shares no
#: history with the new one (404): the branch was rewritten, so the project is re-listed.
REWRITTEN = ("HTTP 400", "HTTP 404")
#: GitLab's message for a project whose repository does not exist (`lib/api/commits.rb`)
NO_REPOSITORY = "404 Repository Not Found"


def commit_sources(ex: Extraction, info: ProjectInfo) -> list[Source]:
    """What this run does for the project's commits."""
    branch = info.default_branch
    if branch is None:
        return []  # no default branch (older GitLab, empty repository): no commits
    old = ex.previous.heads.get(info.id) if ex.previous and not ex.full else None
    if old is None or old.branch != branch:
        if old is not None:
            log.info("%s: default branch is now %s; listing it again", info.path, branch)
        return [full_listing(ex, info, branch)]
    return [_read_branch(ex, info, old)]


def full_listing(ex: Extraction, info: ProjectInfo, branch: str, *, ahead: bool = True) -> Listing:
    """Every commit of the default branch since LEADERBOARD_SINCE; replaces the project's folder."""

    def done(listing: Listing) -> Iterable[Source]:
        head = listing.first_item
        if head is None:
            ex.heads.pop(info.id, None)
            return ()
        # The first commit of page 1 is the branch head (git log starts at the tip), so a full
        # run needs no branch reads; any commit on the branch is a safe OLD for next time.
        ex.heads[info.id] = Head(branch, str(head["id"]))
        if listing.fetched_ahead:
            return [_verify(ex, info, branch, listing)]
        return ()

    return ex.start(_listed(ex, info, branch, on_done=done, ahead=ahead))


def _listed(
    ex: Extraction,
    info: ProjectInfo,
    ref: str,
    on_done: Callable[[Listing], Iterable[Source]],
    **how: Any,
) -> Listed:
    """The commits listing of `ref` (a branch, or `OLD..NEW`): git log order, newest first. The
    manifest counts the malformed `Co-authored-by` values it ignored (`trailers`)."""
    malformed = [0]

    def observe(new: pa.Table) -> None:
        malformed[0] += pc.sum(new.column("coauthors_malformed")).as_py() or 0

    def done(listing: Listing) -> Iterable[Source]:
        listing.spec.record.counts["malformed_coauthors"] = malformed[0]
        return on_done(listing)

    return Listed(
        table="commits",
        key=f"p{info.id}",
        path=f"/projects/{info.id}/repository/commits",
        # trailers=true: GitLab fills `trailers`/`extended_trailers` (lib/api/commits.rb)
        params={"ref_name": ref, "since": format_utc(ex.since, "seconds"), "trailers": "true"},
        what=f"commits of {info.path}",
        owner=("project", info.path),
        columns=lambda items: commits_table(items, info.id, ex.extracted_at),
        order=Order("committed_date", descending=True, floor=ex.since),
        nothing_to_list=no_repository,
        observe=observe,
        on_done=done,
        **how,
    )


def no_repository(error: BaseException) -> str | None:
    """GitLab's message when the project has no repository (nothing to list), else None."""
    message = getattr(error, "message", None) if isinstance(error, RequestError) else None
    return message if message and message.strip() == NO_REPOSITORY else None


def _verify(ex: Extraction, info: ProjectInfo, branch: str, listing: Listing) -> Source:
    """Pages fetched ahead by number are consistent only if nothing was pushed meanwhile: one
    branch read checks that; if the head moved, the project is listed again, one page at a time."""

    def then(body: Mapping[str, Any]) -> Iterable[Source]:
        head = ex.heads.get(info.id)
        if head is not None and _commit_id(body) == head.sha:
            return ()
        log.warning("%s: pushed to while its pages were fetched; listing it again", info.path)
        ex.drop_record(listing.spec.record)
        return [full_listing(ex, info, branch, ahead=False)]

    return Call(lambda: _get_branch(ex, info, branch), then)


def _read_branch(ex: Extraction, info: ProjectInfo, old: Head) -> Source:
    """Incremental: one branch read; if the head moved, check ancestry before listing a range."""
    ex.kept.add(("commits", f"p{info.id}"))  # its parts are kept, whatever the branch says

    def then(body: Mapping[str, Any]) -> Iterable[Source]:
        new = _commit_id(body)
        ex.heads[info.id] = old
        if new == old.sha:
            return ()
        return [_merge_base(ex, info, old, new)]

    def tolerate(error: BaseException) -> Iterable[Source] | None:
        # the branch (or the whole repository) is gone: a full listing says what is left
        if isinstance(error, RequestError) and error.reason == "HTTP 404":
            log.info("%s: branch %s not found; listing the project again", info.path, old.branch)
            return [full_listing(ex, info, old.branch)]
        return None

    return Call(lambda: _get_branch(ex, info, old.branch), then, tolerate=tolerate)


def _merge_base(ex: Extraction, info: ProjectInfo, old: Head, new: str) -> Source:
    client = ex.client

    def fetch() -> Any:
        params = {"refs[]": [old.sha, new]}
        return client.get(
            f"/projects/{info.id}/repository/merge_base", params, what=f"merge base of {info.path}"
        )

    def then(body: Mapping[str, Any]) -> Iterable[Source]:
        if _commit_id(body) == old.sha:
            return [_range_listing(ex, info, old, new)]
        log.info("%s: default branch was rewritten (force push); listing it again", info.path)
        return [full_listing(ex, info, old.branch)]

    def tolerate(error: BaseException) -> Iterable[Source] | None:
        if isinstance(error, RequestError) and error.reason in REWRITTEN:
            log.info("%s: old head gone (%s); listing it again", info.path, error.reason)
            return [full_listing(ex, info, old.branch)]
        return None

    return Call(fetch, then, tolerate=tolerate)


def _range_listing(ex: Extraction, info: ProjectInfo, old: Head, new: str) -> Listing:
    """Exactly the commits that landed since the old head, old-dated merges included; its rows
    are added beside the project's earlier parts."""

    def done(listing: Listing) -> Iterable[Source]:
        ex.heads[info.id] = Head(old.branch, new)
        return ()

    ref = f"{old.sha}..{new}"
    return ex.start(
        _listed(ex, info, ref, on_done=done, ahead=False, replaces=False, check="range")
    )


def _get_branch(ex: Extraction, info: ProjectInfo, branch: str) -> Any:
    return ex.client.get(
        f"/projects/{info.id}/repository/branches/{quote(branch, safe='')}",
        what=f"branch {branch} of {info.path}",
    )


def _commit_id(body: Mapping[str, Any]) -> str:
    """The SHA of a branch (`commit.id`) or of a commit object (`id`)."""
    commit = body.get("commit")
    return str(commit["id"] if isinstance(commit, Mapping) else body["id"])


def commits_table(items: Sequence[Item], project_id: int, extracted_at: dt.datetime) -> pa.Table:
    """Items of /projects/:id/repository/commits as rows of `schema.COMMITS`, plus
    `coauthors_malformed` (per commit, for the manifest's count; not stored). A commit's web_url
    is not kept: it is `<project web_url>/-/commit/<sha>` (`queries/10_stg_commits.sql`)."""
    gets = [item.get for item in items]
    columns = {
        "project_id": [project_id] * len(items),
        "id": [item["id"] for item in items],
        "title": [get("title") for get in gets],
        "author_name": [get("author_name") for get in gets],
        "author_email": [get("author_email") for get in gets],
        "authored_date": timestamps([get("authored_date") for get in gets]),
        "parent_count": [len(get("parent_ids") or ()) for get in gets],
    }
    found = [coauthors(item) for item in items]
    columns["coauthors"] = [people for people, _ in found]
    table = table_of("commits", columns, len(items), extracted_at)
    malformed = pa.array([count for _, count in found], pa.int32())
    return table.append_column("coauthors_malformed", malformed)
