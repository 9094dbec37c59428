"""The "demo" organisation: small, hand-shaped to hit every identity, scope and escaping edge."""

from __future__ import annotations

import datetime as dt
import random

from pipeline.sim.org.accounts import add_accounts
from pipeline.sim.org.coauthors import add_coauthors
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
from pipeline.sim.org.reviews import add_review_history

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://x")',
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\tleading tab",
    'Fix "quoted, with commas", too',
    "Réparer l'œuvre — 修正 ✓",
]
PLAIN = [
    "Fix flaky test",
    "Add pagination to list view",
    "Refactor settings loader",
    "Bump dependencies",
    "Improve error messages",
    "Update README",
    "Speed up the importer",
    "Handle empty input",
    "Tidy logging",
    "Add metrics endpoint",
]
TITLES = PLAIN * 3 + HOSTILE

# id, username, name, public_email, commit emails ({nr}/{nrid} = noreply forms), UTC offset, bot
PEOPLE: list[tuple[int, str, str, str | None, list[str], int, bool]] = [
    (
        2,
        "alice",
        "Alice Archer",
        "alice@acme.example",
        ["alice@acme.example", "Alice@Acme.Example", "alice@laptop"],
        60,
        False,
    ),
    (
        3,
        "bob",
        'Bob "Bobby" O\'Brien, Jr.',
        "",
        ["Bob.OBrien@Acme.Example", "bob@laptop"],
        -300,
        False,
    ),
    (4, "chloe", "Chloé Dubois", None, ["{nr}", "{nrid}"], 60, False),
    (5, "dmitri", "Дмитрий Иванов", "dmitri@acme.example", ["dmitri@acme.example"], 180, False),
    (6, "erin", "<script>alert(1)</script>", None, ["erin@acme.example"], 0, False),
    (
        7,
        "farid",
        '=HYPERLINK("http://x")',
        "Farid@Acme.Example",
        ["farid@acme.example"],
        330,
        False,
    ),
    (8, "grace", "+cmd", None, ["grace@acme.example"], -480, False),
    (9, "hiro", "-2+3", None, ["hiro@acme.example", "HIRO@ACME.EXAMPLE"], 540, False),
    (10, "ines", "@SUM(A1)", None, ["ines@acme.example"], 60, False),
    (11, "jules", "\tJules Tab", None, ["jules@acme.example"], 0, False),
    (12, "kim", "Kim <img src=x onerror=alert(1)>", None, ["kim@acme.example"], 600, False),
    (13, "lena", "Lena Idle", "lena@acme.example", [], 0, False),
    (14, "renovate-bot", "Renovate Bot", None, ["{nrid}", "bot@renovateapp.example"], 0, True),
    (15, "project_101_bot_9f2c", "app deploy bot", None, ["{nr}"], 0, True),
    (16, "mallory", "Mallory Outsider", None, ["mallory@elsewhere.example"], -180, False),
    (17, "nadia", "Nadia Novak", None, ["nadia@acme.example"], 120, False),
    (
        18,
        "OKhan",
        "Omar Khan",
        "omar.khan@acme.example",
        ["Omar.Khan@Acme.Example", "{nr}"],
        345,
        False,
    ),
    (19, "pat", "Pat Partner", "pat@partners.example", ["pat@partners.example"], -420, False),
]
# Commit authors with no GitLab account.
STRANGERS = [
    Author("Outside Contributor", "ext@contractor.example", -240),
    Author("=cmd|' /C calc'!A0", "Weird@External.Example", 0),
    Author("Ghost Roster", "ghost@acme.example", 0),
    Author("CI Bot", "ci-bot@acme.example", 0),
    Author("Legacy Importer", "importer@legacy", 0),
]

# id, path, name, group, default branch, commits, MRs, issues, author usernames (weight order)
PROJECTS = [
    (
        101,
        "acme/app",
        "App",
        10,
        "main",
        320,
        90,
        60,
        ["alice", "bob", "chloe", "OKhan", "renovate-bot", "erin", "Outside Contributor", "nadia"],
    ),
    (
        102,
        "acme/platform/api",
        "API",
        11,
        "develop",
        140,
        40,
        30,
        ["dmitri", "hiro", "alice", "farid", "ines", "mallory", "Weird@External.Example"],
    ),
    (
        104,
        "acme/legacy",
        "Legacy",
        10,
        "master",
        80,
        20,
        15,
        ["grace", "jules", "Legacy Importer", "bob"],
    ),
    (
        105,
        "acme/platform/infra",
        "Infra",
        11,
        "main",
        60,
        15,
        20,
        ["kim", "nadia", "Ghost Roster", "CI Bot", "project_101_bot_9f2c", "hiro"],
    ),
    (
        106,
        "acme/docs",
        'Docs, "Guides" & <b>notes</b>',
        10,
        "main",
        25,
        10,
        10,
        ["erin", "farid", "grace", "ines", "jules", "kim"],
    ),
    (201, "partners/shared-lib", "Shared Lib", 20, "main", 40, 10, 10, ["pat", "alice", "bob"]),
]


def _users(ds: Dataset) -> dict[str, Author]:
    """Create the users; return every commit identity by username or stranger name."""
    idents: dict[str, Author] = {}
    for uid, username, name, public, emails, offset, bot in PEOPLE:
        real = [
            e.replace("{nrid}", f"{uid}-{username}@{ds.noreply_domain}").replace(
                "{nr}", f"{username}@{ds.noreply_domain}"
            )
            for e in emails
        ]
        ds.users[uid] = User(uid, username, name, "active", public, bot, real)
        if real:
            idents[username] = Author(name, real[0], offset)
    for who in STRANGERS:
        idents[who.name] = who
        idents[who.email] = who
    return idents


def _structure(ds: Dataset) -> None:
    """Groups and projects (the fork is added with its history)."""
    for gid, path, name, parent in (
        (10, "acme", "Acme", None),
        (11, "acme/platform", "Platform", 10),
        (20, "partners", "Partners", None),
    ):
        ds.groups[gid] = Group(gid, path, name, parent)
    for pid, path, name, gid, branch, *_ in PROJECTS:
        ds.projects[pid] = Project(
            pid,
            path,
            name,
            gid,
            branch,
            web_url=f"{ds.base_url}/{path}",
            created_at=ds.now - 800 * DAY,
        )
    ds.projects[104].archived = True
    ds.projects[201].shared_with = [10]


_PEOPLE_BY_NAME = {p[1]: p for p in PEOPLE}


def _histories(ds: Dataset, factory: CommitFactory, rng: random.Random) -> None:
    """Default branches for every listed project; the release branch and the fork."""
    idents = _users(ds)
    for pid, _, _, _, branch, n_commits, *_rest, names in PROJECTS:
        authors = [a for n in names for a in _expand(ds, idents, n)]
        weights = [1.0 / (1 + i // 2) for i in range(len(authors))]
        spec = LineSpec(authors, weights, TITLES, branch)
        end = ds.now - (60 * DAY if pid == 104 else dt.timedelta(0))
        times = times_back(rng, n_commits, end, 730)
        if pid != 104:
            times += sorted(ds.now - dt.timedelta(hours=rng.randrange(2, 70)) for _ in range(3))
        head = grow(factory, rng, spec, times, None)
        assert head is not None
        ds.projects[pid].branches[branch] = head
    _release_branch(ds, factory, idents)
    _fork(ds, factory, rng, idents)


def _expand(ds: Dataset, idents: dict[str, Author], name: str) -> list[Author]:
    """Every commit identity of a username (all its emails), or the one of a stranger."""
    person = _PEOPLE_BY_NAME.get(name)
    if person is None:
        return [idents[name]]
    user = ds.users[person[0]]
    return [Author(user.name, email, person[5]) for email in user.commit_emails]


def _release_branch(ds: Dataset, factory: CommitFactory, idents: dict[str, Author]) -> None:
    """acme/app `release/1.x`: forked from main ~60 days ago, with commits found nowhere else."""
    app = ds.projects[101]
    base = next(
        s for s in ds.log(app.branches["main"]) if ds.commits[s].committed_date < ds.now - 60 * DAY
    )
    head = base
    for i, who in enumerate(["alice", "bob", "alice", "chloe"]):
        when = ds.now - dt.timedelta(days=20 - 4 * i, hours=3)
        head = factory.make(idents[who], when, [head], f"Backport fix #{i + 1} to 1.x")
    app.branches["release/1.x"] = head


def _fork(
    ds: Dataset, factory: CommitFactory, rng: random.Random, idents: dict[str, Author]
) -> None:
    """acme/app-fork: shares acme/app's history up to ~180 days ago, then goes its own way."""
    app = ds.projects[101]
    base = next(
        s for s in ds.log(app.branches["main"]) if ds.commits[s].committed_date < ds.now - 180 * DAY
    )
    fork = Project(
        103,
        "acme/app-fork",
        "App fork",
        10,
        "main",
        forked_from_project_id=101,
        web_url=f"{ds.base_url}/acme/app-fork",
        created_at=ds.now - 180 * DAY,
    )
    ds.projects[103] = fork
    authors = [idents["mallory"], idents["bob"], idents["Outside Contributor"]]
    spec = LineSpec(authors, [3, 1, 1], TITLES, "main", 0.0)
    times = times_back(rng, 20, ds.now - DAY, 170)
    head = grow(factory, rng, spec, times, base)
    assert head is not None
    fork.branches["main"] = head


def _items(ds: Dataset, rng: random.Random) -> None:
    """MRs and issues for every project (the fork gets a few MRs, no issues)."""
    by_name = {u.username: u.id for u in ds.users.values()}
    mrs: list[MergeRequest] = []
    issues: list[Issue] = []
    plan = [(p[0], p[6], p[7], p[8]) for p in PROJECTS] + [(103, 5, 0, ["mallory", "bob"])]
    for pid, n_mrs, n_issues, names in plan:
        people = [by_name[n] for n in names if n in by_name]
        weights = [1.0 / (1 + i) for i in range(len(people))]
        end = ds.now - (60 * DAY if pid == 104 else dt.timedelta(0))
        mr_times = times_back(rng, n_mrs, end, 730)
        mrs += add_merge_requests(ds, rng, pid, mr_times, people, weights, TITLES)
        issue_times = times_back(rng, n_issues, end, 730)
        issues += add_issues(ds, rng, pid, issue_times, people, weights, TITLES)
    number_items(ds, mrs, issues)


def build_demo(ds: Dataset, seed: int) -> None:
    """Fill `ds` with the demo organisation (scale is ignored: it is hand-shaped)."""
    rng = random.Random(seed)
    factory = CommitFactory(ds, seed)
    _structure(ds)
    _histories(ds, factory, rng)
    _items(ds, rng)
    add_review_history(ds, seed)
    add_accounts(ds, seed)
    add_coauthors(ds, seed)
    _without_history(ds)


def _without_history(ds: Dataset) -> None:
    """An empty repository and a project without one (an issue tracker, a wiki): GitLab still
    reports a default branch for both (`default_branch_or_main`), and answers the second's
    commits with 404 "Repository Not Found". Added last, so nothing else drawn changes."""
    for pid, path, name, has_repository in (
        (107, "acme/empty", "Empty", True),
        (108, "acme/handbook", "Handbook", False),
    ):
        ds.projects[pid] = Project(
            pid,
            path,
            name,
            10,
            "main",
            web_url=f"{ds.base_url}/{path}",
            created_at=ds.now - 30 * DAY,
            repository=has_repository,
        )
