"""The "bench" organisation: ~200 skewed projects, 200k commits, 50k MRs and issues at scale 1."""

from __future__ import annotations

import random

from pipeline.sim.org.history import (
    DAY,
    Author,
    CommitFactory,
    LineSpec,
    add_issues,
    add_merge_requests,
    grow,
    number_items,
    times_back,
)
from pipeline.sim.org.model import Dataset, Group, Issue, MergeRequest, Project, User

PROJECTS, COMMITS, MRS, ISSUES, USERS, SUBGROUPS = 200, 200_000, 50_000, 50_000, 600, 9
TITLES = ["Fix bug", "Add feature", "Refactor", "Update docs", "Bump deps", "Tune query", "=1+1"]


def _shares(total: int, n: int) -> list[int]:
    """Split `total` over `n` projects: the first holds a third, the rest fall off like 1/i^0.8."""
    first = total // 3
    weights = [1.0 / (i + 1) ** 0.8 for i in range(n - 1)]
    norm = sum(weights) or 1.0
    rest = [int((total - first) * w / norm) for w in weights]
    return [first, *rest][:n]


def _users(ds: Dataset, n_users: int) -> list[User]:
    """Users with one to three commit emails (mixed case, laptop hosts, noreply forms); 1% bots."""
    users = []
    for i in range(1, n_users + 1):
        uid, name = 100 + i, f"user{i:04d}"
        emails = [f"{name}@bench.example"]
        if i % 3 == 0:
            emails.append(f"{name.upper()}@Laptop")
        if i % 5 == 0:
            emails.append(f"{uid}-{name}@{ds.noreply_domain}")
        user = User(
            uid,
            name,
            f"User {i}",
            "active",
            emails[0] if i % 4 == 0 else None,
            i % 100 == 0,
            emails,
        )
        ds.users[uid] = user
        users.append(user)
    return users


def _structure(ds: Dataset, n_projects: int) -> None:
    ds.groups[1000] = Group(1000, "bench", "Bench")
    for g in range(1, SUBGROUPS + 1):
        ds.groups[1000 + g] = Group(1000 + g, f"bench/g{g:02d}", f"G{g:02d}", 1000)
    for i in range(n_projects):
        gid = 1000 + (i % (SUBGROUPS + 1))
        path = f"{ds.groups[gid].full_path}/p{i:03d}"
        ds.projects[2000 + i] = Project(
            2000 + i,
            path,
            f"P{i:03d}",
            gid,
            "main",
            archived=(i % 50 == 49),
            web_url=f"{ds.base_url}/{path}",
            created_at=ds.now - 800 * DAY,
        )


def build_bench(ds: Dataset, seed: int, scale: float) -> None:
    """Fill `ds` with the benchmark organisation; `scale` multiplies every count."""
    rng = random.Random(seed)
    factory = CommitFactory(ds, seed)
    n_projects = max(3, round(PROJECTS * scale))
    users = _users(ds, max(20, round(USERS * scale)))
    _structure(ds, n_projects)
    strangers = [Author(f"Stranger {i}", f"stranger{i}@else.example") for i in range(20)]
    mrs: list[MergeRequest] = []
    issues: list[Issue] = []
    plan = zip(
        sorted(ds.projects),
        _shares(round(COMMITS * scale), n_projects),
        _shares(round(MRS * scale), n_projects),
        _shares(round(ISSUES * scale), n_projects),
        strict=True,
    )
    for pid, n_commits, n_mrs, n_issues in plan:
        team = rng.sample(users, min(25, len(users)))
        authors = [Author(u.name, rng.choice(u.commit_emails)) for u in team] + strangers[:2]
        weights = [1.0 / (1 + i) for i in range(len(authors))]
        head = grow(
            factory,
            rng,
            LineSpec(authors, weights, TITLES, feature_rate=0.03),
            times_back(rng, max(1, n_commits), ds.now, 730),
            None,
        )
        assert head is not None
        ds.projects[pid].branches["main"] = head
        ids = [u.id for u in team]
        id_weights = weights[: len(ids)]
        mrs += add_merge_requests(
            ds, rng, pid, times_back(rng, n_mrs, ds.now, 730), ids, id_weights, TITLES
        )
        issues += add_issues(
            ds, rng, pid, times_back(rng, n_issues, ds.now, 730), ids, id_weights, TITLES
        )
    number_items(ds, mrs, issues)
