"""Random raw data and rosters: the SQL marts equal the plain-Python reading in reference.py."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from pipeline.roster.teams import Bots, Membership, Roster
from tests.queries.reference import leaderboards
from tests.queries.seed import AS_OF, NOREPLY, Raw, build, rows

PEOPLE = ["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal"]
TEAMS = ["red", "blue", "Green, Team"]
# edges worth hitting: window starts, previous periods' starts, as_of itself, moves at midnight
EDGES = [AS_OF - dt.timedelta(days=d) for d in (0, 7, 14, 30, 60, 90, 180, 365, 730)]


def _time(rng: random.Random) -> dt.datetime:
    if rng.random() < 0.25:
        edge = rng.choice(EDGES)
        return edge + dt.timedelta(microseconds=rng.choice((-1, 0, 1)))
    moment = AS_OF - dt.timedelta(seconds=rng.randint(-86400, 800 * 86400))
    offset = dt.timezone(dt.timedelta(hours=rng.choice((-7, 0, 2, 9))))
    return moment.astimezone(offset)


def _day(rng: random.Random) -> dt.date:
    return (
        AS_OF - dt.timedelta(days=rng.choice((1, 6, 7, 8, 14, 29, 30, 31, 60, 100, 364, 366, 500)))
    ).date()


def _roster(rng: random.Random) -> Roster:
    memberships = []
    for i, person in enumerate(PEOPLE):
        if rng.random() < 0.3:  # a team move on a date
            day = _day(rng)
            memberships.append(Membership(rng.choice(TEAMS), person, None, day, i))
            memberships.append(Membership(rng.choice(TEAMS), person, day, None, i))
        else:
            memberships.append(Membership(rng.choice(TEAMS), person, None, None, i))
    memberships.append(Membership("red", "zed", None, None, 99))  # unknown to GitLab
    emails = {p: (f"{p}@work.example",) for p in PEOPLE[:4]}
    emails["zed"] = ("zed@work.example",)
    emails["ben"] = ("ben@work.example", "ann@public.example")  # beats ann's public email
    return Roster(Path("teams.csv"), tuple(memberships), emails)


def _author_email(rng: random.Random) -> str:
    p = rng.choice([*PEOPLE, "zed", "stranger", "bot"])
    uid = PEOPLE.index(p) + 1 if p in PEOPLE else 77
    email = rng.choice(
        [
            f"{p}@work.example",
            f"{p}@public.example",
            f"{p}@{NOREPLY}",
            f"{uid}-{p}@{NOREPLY}",
            f"{uid}-{p}-renamed@{NOREPLY}",  # an older username: GitLab matches by the id
            f"{uid + 1}-{p}@{NOREPLY}",  # the next person's id: theirs
            "ci@bots.example",
        ]
    )
    return rng.choice([email, email.upper(), f" {email}\t"])


def _raw(tmp_path: Path, rng: random.Random) -> Raw:
    raw = Raw(tmp_path).project(1).project(2, fork_of=1).project(3)
    for i, p in enumerate(PEOPLE, start=1):
        raw.user(
            i, p.upper() if i == 3 else p, public_email=f"{p}@public.example", bot=(p == "hal")
        )
    for n in range(120):
        # one commit object, listed by one or two projects' default branches
        email, when, parents = _author_email(rng), _time(rng), rng.choice((1, 1, 1, 2, 0))
        for project in rng.sample([1, 2, 3, 9], rng.choice((1, 1, 2))):
            raw.commit(project, f"s{n}", email, when, parents=parents)
    people = [*PEOPLE, "zed", "outsider", "Ann"]
    for n in range(60):
        created = _time(rng)
        merged = created + dt.timedelta(hours=rng.randint(0, 400)) if rng.random() < 0.6 else None
        raw.mr(
            n,
            rng.choice([1, 2, 3, 3, 9]),
            rng.choice(people),
            created,
            merged=merged,
            updated=created + dt.timedelta(hours=rng.randint(0, 3)),
        )
        raw.issue(
            1000 + n,
            rng.choice([1, 3, 9]),
            rng.choice(people),
            _time(rng),
            closed=_time(rng) if rng.random() < 0.5 else None,
            closed_by=rng.choice(people),
        )
    return raw


@pytest.mark.parametrize("seed", range(6))
def test_sql_marts_equal_reference(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    team_roster = _roster(rng)
    bots = Bots(usernames=frozenset({"bot", "gus"}), emails=frozenset({"ci@bots.example"}))
    raw = _raw(tmp_path, rng)
    marts = build(raw, team_roster, bots)
    want_users, want_teams = leaderboards(raw.tables, team_roster, bots, AS_OF, NOREPLY)
    assert rows(marts["leaderboard_users"]) == want_users
    assert rows(marts["leaderboard_teams"]) == want_teams
