"""leaderboard_listed_users: the people board without the people marked listed=no, ranked among
themselves now and in the previous period; leaderboard_users and the teams are unchanged."""

from __future__ import annotations

from pathlib import Path

from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, rows, window


def seeded(tmp_path: Path) -> Raw:
    raw = Raw(tmp_path).project(1)
    for uid, name in enumerate(("ann", "ben", "cat", "dan"), start=1):
        raw = raw.user(uid, name)
    # this week: ann 3 commits, ben 2, cat 1, dan 0; the week before: ben 3, ann 2, cat 2, dan 1
    for name, now, before in (("ann", 3, 2), ("ben", 2, 3), ("cat", 1, 2), ("dan", 0, 1)):
        for n in range(now):
            raw = raw.commit(1, f"{name}-now-{n}", f"{name}@{NOREPLY}", days_before(1 + n / 10))
        for n in range(before):
            raw = raw.commit(1, f"{name}-was-{n}", f"{name}@{NOREPLY}", days_before(8 + n / 10))
    return raw


def test_the_listed_people_are_ranked_among_themselves(tmp_path: Path) -> None:
    team = roster(*(member("red", n) for n in ("ann", "ben", "cat", "dan")),
                  unlisted=frozenset({"ben"}))  # fmt: skip
    marts = build(seeded(tmp_path), team)
    columns = ("username", "score", "rank", "prev_rank")
    assert window(marts["leaderboard_users"], "7d", *columns) == [
        ("ann", 3, 1, 2),
        ("ben", 2, 2, 1),
        ("cat", 1, 3, 2),
        ("dan", 0, 4, 3),
    ]
    # without ben: ann first (was second after ben), cat second, dan third (was second, tied)
    assert window(marts["leaderboard_listed_users"], "7d", *columns) == [
        ("ann", 3, 1, 1),
        ("cat", 1, 2, 1),
        ("dan", 0, 3, 2),
    ]
    assert marts["leaderboard_listed_users"].schema == marts["leaderboard_users"].schema
    teams = rows(marts["leaderboard_teams"], "window", "team", "members", "score")
    assert ("7d", "red", 4, 6) in teams  # ben's work still counts for his team


def test_with_everyone_listed_the_two_boards_are_one(tmp_path: Path) -> None:
    marts = build(seeded(tmp_path), roster(*(member("red", n) for n in ("ann", "ben", "cat"))))
    assert marts["leaderboard_listed_users"].equals(marts["leaderboard_users"])


def test_people_listed_names_every_roster_person_and_whether_the_site_may_name_them(
    tmp_path: Path,
) -> None:
    # dan's only membership ended before every window: he has no board row, but is still known
    team = roster(member("red", "ann"), member("red", "ben"), member("blue", "ben"),
                  member("red", "dan", left=days_before(800).date().isoformat()),
                  unlisted=frozenset({"ben", "dan"}))  # fmt: skip
    marts = build(seeded(tmp_path), team)
    assert rows(marts["people_listed"], "username", "listed") == [
        ("ann", True),
        ("ben", False),
        ("dan", False),
    ]
