"""Building blocks for generated history: commit graphs, MRs and issues spread over time."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.sim.org.model import Commit, Dataset, Issue, MergeRequest

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Author:
    """Git identity of a commit author: name, email as written, UTC offset in minutes."""

    name: str
    email: str
    offset_min: int = 0


def times_back(
    rng: random.Random, n: int, end: dt.datetime, span_days: float, power: float = 2.0
) -> list[dt.datetime]:
    """`n` ascending instants in (end - span, end], denser towards `end`."""
    ages = sorted((rng.random() ** power) * span_days * 86400.0 for _ in range(n))
    return [(end - dt.timedelta(seconds=int(a) + 1)) for a in reversed(ages)]


class CommitFactory:
    """Mints commits with deterministic SHAs into a dataset."""

    def __init__(self, ds: Dataset, seed: int | str) -> None:
        self.ds = ds
        self._rng = random.Random(f"commits:{seed}")

    def make(
        self,
        author: Author,
        when: dt.datetime,
        parents: list[str],
        title: str,
        committer: Author | None = None,
        committed: dt.datetime | None = None,
    ) -> str:
        """Add one commit and return its SHA."""
        sha = f"{self._rng.getrandbits(160):040x}"
        who = committer or author
        self.ds.commits[sha] = Commit(
            sha=sha,
            author_name=author.name,
            author_email=author.email,
            authored_date=when,
            committer_name=who.name,
            committer_email=who.email,
            committed_date=committed or when,
            parent_ids=parents,
            title=title,
            message=f"{title}\n",
            author_offset_min=author.offset_min,
            committer_offset_min=who.offset_min,
        )
        return sha


@dataclass
class LineSpec:
    """How to grow one branch: authors with weights, titles, how often feature branches merge."""

    authors: Sequence[Author]
    weights: Sequence[float]
    titles: Sequence[str]
    branch: str = "main"
    feature_rate: float = 0.12


def grow(
    factory: CommitFactory,
    rng: random.Random,
    spec: LineSpec,
    times: Sequence[dt.datetime],
    head: str | None,
) -> str | None:
    """Grow a branch from `head` at the given times, sometimes via merged feature branches."""
    feature: str | None = None
    n_feature = 0
    # Drawing all authors at once avoids re-summing the weights per commit.
    authors = rng.choices(spec.authors, spec.weights, k=len(times))
    for when, author in zip(times, authors, strict=True):
        title = rng.choice(spec.titles)
        roll = rng.random()
        if feature is not None and roll < 0.35:
            feature = factory.make(author, when, [feature], title)
        elif feature is not None and roll < 0.6 and head is not None:
            n_feature += 1
            merge_title = f"Merge branch 'feature-{n_feature}' into '{spec.branch}'"
            head = factory.make(author, when, [head, feature], merge_title)
            feature = None
        elif feature is None and head is not None and roll < spec.feature_rate:
            feature = factory.make(author, when, [head], title)
        else:
            head = factory.make(author, when, [head] if head else [], title)
    return head


def add_merge_requests(
    ds: Dataset,
    rng: random.Random,
    project_id: int,
    times: Sequence[dt.datetime],
    authors: Sequence[int],
    weights: Sequence[float],
    titles: Sequence[str],
) -> list[MergeRequest]:
    """MRs created at `times` (ids assigned later); recent ones are more often still open."""
    project = ds.projects[project_id]
    out = []
    for when, author in zip(times, rng.choices(authors, weights, k=len(times)), strict=True):
        other = rng.choice(authors)
        mr = MergeRequest(
            id=0,
            iid=0,
            project_id=project_id,
            title=rng.choice(titles),
            state="opened",
            created_at=when,
            updated_at=when,
            author=author,
            target_branch=project.default_branch,
            source_branch=f"topic-{rng.randrange(10**6)}",
        )
        fresh = ds.now - when < 10 * DAY
        roll = rng.random()
        done = when + dt.timedelta(seconds=rng.randrange(600, 5 * 86400))
        if done < ds.now and roll < (0.45 if fresh else 0.7):
            mr.state, mr.merged_at, mr.merged_by = "merged", done, other
            mr.updated_at = done + dt.timedelta(seconds=1)
        elif done < ds.now and roll < (0.55 if fresh else 0.88):
            mr.state, mr.closed_at = "closed", done
            mr.closed_by = author if rng.random() < 0.5 else other
            mr.updated_at = done
        out.append(mr)
    return out


def add_issues(
    ds: Dataset,
    rng: random.Random,
    project_id: int,
    times: Sequence[dt.datetime],
    authors: Sequence[int],
    weights: Sequence[float],
    titles: Sequence[str],
) -> list[Issue]:
    """Issues created at `times`; many closed, often by someone other than the author."""
    out = []
    for when, author in zip(times, rng.choices(authors, weights, k=len(times)), strict=True):
        issue = Issue(
            id=0,
            iid=0,
            project_id=project_id,
            title=rng.choice(titles),
            state="opened",
            created_at=when,
            updated_at=when,
            author=author,
        )
        done = when + dt.timedelta(seconds=rng.randrange(3600, 20 * 86400))
        if done < ds.now and rng.random() < 0.6:
            issue.state, issue.closed_at = "closed", done
            issue.closed_by = author if rng.random() < 0.5 else rng.choice(authors)
            issue.updated_at = done
        out.append(issue)
    return out


def number_items(ds: Dataset, mrs: list[MergeRequest], issues: list[Issue]) -> None:
    """Give MRs and issues global ids in creation order and per-project iids; store them."""
    iids: dict[tuple[str, int], int] = {}
    mrs.sort(key=lambda it: it.created_at)
    for offset, mr in enumerate(mrs):
        _number(ds, mr, 5001 + offset, "merge_requests", iids)
        ds.merge_requests[mr.id] = mr
    issues.sort(key=lambda it: it.created_at)
    for offset, issue in enumerate(issues):
        _number(ds, issue, 9001 + offset, "issues", iids)
        ds.issues[issue.id] = issue


def _number(
    ds: Dataset,
    item: MergeRequest | Issue,
    item_id: int,
    kind: str,
    iids: dict[tuple[str, int], int],
) -> None:
    key = (kind, item.project_id)
    item.id = item_id
    item.iid = iids[key] = iids.get(key, 0) + 1
    item.web_url = f"{ds.projects[item.project_id].web_url}/-/{kind}/{item.iid}"
