"""extract + build against the simulator equal the independent oracle, mart by mart, row for row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

from pipeline.cli import main
from pipeline.extract.store.state import read_users
from pipeline.roster.teams import read_bots, read_roster
from pipeline.schema import MARTS
from pipeline.sim import SimConfig, SimServer
from tests.oracle import Oracle

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
SIM_DIR = Path(__file__).parent.parent / "pipeline" / "sim"
# Marts whose row order the contract fixes (window, rank, team, username); others compare as sets.
ORDERED = ("leaderboard_users", "leaderboard_teams")

# A harder roster over the same extraction: a public email claimed in teams.csv by someone else
# (teams.csv wins), a gap between two memberships (work in the gap counts nowhere), a roster
# member listed in bots.txt, a case variant, a stranger's email claimed, a person whose only
# activity is out of scope, a membership that starts after as_of, a non-midnight as_of.
TRICKY_TEAMS = """\
team,username,emails,joined,left
Platform,ALICE,alice@LAPTOP,,
Platform,bob,Bob.OBrien@Acme.Example,,
Data,chloe,,2025-01-01,2026-10-01
Platform,chloe,,2026-11-01,
Platform,dmitri,,,
Data,farid,,,
Data,hiro,Farid@acme.example;hiro@acme.example,,2026-11-20
Apps,hiro,,2026-11-20,
Apps,kim,ext@contractor.example;kim@acme.example,,
Apps,mallory,,,
Apps,pat,,,
Apps,okhan,,2026-12-01,
Data,nadia,nadia@acme.example,,
"The ""Web"" team",lena,,,
"""
TRICKY_BOTS = "# bots\ndmitri\nproject_101_bot_9f2c\nci-bot@acme.example\n"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimServer, Path]]:
    """One extraction of the demo organisation, shared by the builds below."""
    work = tmp_path_factory.mktemp("e2e")
    # The extractor resolves the roster's users; extract for every name either roster uses.
    names = read_roster(SIM_DIR / "sample_teams.csv").usernames
    everyone = work / "everyone.csv"
    everyone.write_text(
        "team,username\n" + "".join(f"all,{n}\n" for n in sorted({*names, "mallory", "pat"})),
        encoding="utf-8",
    )
    with SimServer(SimConfig(profile="demo", now=NOW)) as sim:
        assert main(["extract"], env_for(sim, work, everyone)) == 0
        yield sim, work


def env_for(sim: SimServer, work: Path, teams: Path, bots: Path | None = None) -> dict[str, str]:
    return {
        "GITLAB_URL": sim.url,
        "GITLAB_TOKEN": sim.token,
        "LEADERBOARD_GROUPS": "acme",
        "LEADERBOARD_SINCE": (NOW - dt.timedelta(days=730)).date().isoformat(),
        "LEADERBOARD_DATA_DIR": str(work / "data"),
        "LEADERBOARD_TEAMS": str(teams),
        "LEADERBOARD_BOTS": str(bots or SIM_DIR / "sample_bots.txt"),
    }


def build_and_compare(
    sim: SimServer,
    work: Path,
    teams: Path,
    bots: Path,
    as_of: dt.datetime,
    *,
    hidden_events: float = 0.0,
) -> dict[str, int]:
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert main(["build", "--as-of", stamp], env_for(sim, work, teams, bots)) == 0
    oracle = Oracle(
        sim.dataset,
        read_roster(teams),
        read_bots(bots),
        as_of,
        sim.dataset.noreply_domain,
        groups=["acme"],
        hidden_events=hidden_events,
    )
    sizes = {}
    for name, rows in oracle.marts().items():
        expected = pl.from_arrow(pa.Table.from_pylist(rows, schema=MARTS[name]))
        actual = pl.read_parquet(work / "data" / "marts" / f"{name}.parquet")
        assert isinstance(expected, pl.DataFrame)
        assert actual.schema == expected.schema, name
        if name not in ORDERED:
            actual, expected = actual.sort(actual.columns), expected.sort(expected.columns)
        assert_frame_equal(actual, expected, check_exact=True)
        sizes[name] = expected.height
    return sizes


def test_sample_roster_marts_equal_the_oracle(extracted: tuple[SimServer, Path]) -> None:
    sim, work = extracted
    sizes = build_and_compare(
        sim, work, SIM_DIR / "sample_teams.csv", SIM_DIR / "sample_bots.txt", NOW
    )
    # guard against a vacuous pass: every mart has rows
    assert all(sizes.values()), sizes


def test_tricky_roster_marts_equal_the_oracle(
    extracted: tuple[SimServer, Path], tmp_path: Path
) -> None:
    sim, work = extracted
    teams, bots = tmp_path / "teams.csv", tmp_path / "bots.txt"
    teams.write_text(TRICKY_TEAMS, encoding="utf-8")
    bots.write_text(TRICKY_BOTS, encoding="utf-8")
    as_of = NOW - dt.timedelta(days=2, hours=11, minutes=30)

    sizes = build_and_compare(sim, work, teams, bots, as_of)

    assert all(sizes.values()), sizes


def test_oracle_sees_the_rules_it_is_meant_to_check(extracted: tuple[SimServer, Path]) -> None:
    """The oracle itself, on facts of the demo dataset that the rules decide."""
    sim, _ = extracted
    teams = SIM_DIR / "sample_teams.csv"
    oracle = Oracle(
        sim.dataset,
        read_roster(teams),
        read_bots(SIM_DIR / "sample_bots.txt"),
        NOW,
        sim.dataset.noreply_domain,
        groups=["acme"],
    )
    marts = oracle.marts()
    emails = {(r["username"], r["email"]): r["source"] for r in marts["member_emails"]}
    noreply = sim.dataset.noreply_domain
    assert emails[("chloe", f"4-chloe@{noreply}")] == "noreply"
    assert emails[("alice", "alice@acme.example")] == "teams_csv"  # also her public email
    assert not any(user == "renovate-bot" for user, _ in emails)
    unmatched = {r["author_email"] for r in marts["unmatched_authors"]}
    assert "ext@contractor.example" in unmatched
    assert unmatched.isdisjoint(
        {"ci-bot@acme.example", "bot@renovateapp.example", f"14-renovate-bot@{noreply}"}
    )
    # a blocked and a banned leaver (hidden from the username search) and a renamed user: their
    # private commit emails count, the renamed one's older `22-tbaker@` ones too
    assert emails[("tara", f"22-tbaker@{noreply}")] == "noreply"
    assert {("rosa", f"20-rosa@{noreply}"), ("sam", f"21-sam@{noreply}")} <= set(emails)
    year = {r["username"]: r for r in marts["leaderboard_users"] if r["window"] == "365d"}
    assert all(year[name]["commits"] > 0 for name in ("rosa", "sam", "tara")), year
    assert year["rosa"]["prev_rank"] is not None and year["sam"]["mrs_opened"] > 0
    assert not unmatched & {f"20-rosa@{noreply}", f"21-sam@{noreply}", f"22-tbaker@{noreply}"}
    users = marts["leaderboard_users"]
    assert {r["window"] for r in users if r["username"] == "rosa"} == {"365d"}  # left 150 days ago
    assert {r["window"] for r in users if r["username"] == "sam"} == {"90d", "365d"}
    nadia = {(r["window"], r["team"]) for r in users if r["username"] == "nadia"}
    assert {("7d", "Platform"), ("30d", "Platform"), ("30d", "Apps, Web & Mobile")} <= nadia
    assert ("7d", "Apps, Web & Mobile") not in nadia


def test_hidden_and_renamed_users_are_found_by_the_extraction(
    extracted: tuple[SimServer, Path],
) -> None:
    """The blocked and banned leavers are hidden from `/users?username=`
    (app/finders/users_finder.rb), so their records come from the ids their MRs, issues and
    events carry; the build above matched their commits through them."""
    _, work = extracted
    users = pl.read_parquet(work / "data" / "raw" / "users" / "users.parquet")
    cache = read_users(work / "data" / "state").users  # GitLab's whole record, state included
    found = {
        r["username"]: (r["id"], cache[r["username"].lower()]["state"])
        for r in users.iter_rows(named=True)
    }
    assert {k: found[k] for k in ("rosa", "sam", "tara")} == {
        "rosa": (20, "blocked"),
        "sam": (21, "banned"),
        "tara": (22, "active"),
    }
    assert "ghost-user" not in found


def test_review_credit_is_exercised_by_the_demo_data(extracted: tuple[SimServer, Path]) -> None:
    """The oracle comparison above decides review credit: within the 365-day horizon the demo
    holds counted reviews in every metric and, on members' and in-scope MRs, each kind of event
    that must not count."""
    sim, _ = extracted
    ds = sim.dataset
    roster = read_roster(SIM_DIR / "sample_teams.csv")
    oracle = Oracle(ds, roster, read_bots(SIM_DIR / "sample_bots.txt"), NOW,
                    ds.noreply_domain, groups=["acme"])  # fmt: skip
    year = [r for r in oracle.marts()["leaderboard_users"] if r["window"] == "365d"]
    for metric in ("mrs_approved", "review_comments", "mrs_reviewed"):
        assert sum(r[metric] for r in year) > 0, metric
    assert any(r["review_comments"] > r["mrs_reviewed"] for r in year)  # several on one MR
    recent = [e for e in ds.events.values() if e.created_at >= NOW - dt.timedelta(days=365)]
    recent = [e for e in recent if e.project_id in oracle.scope]
    names = {e.id: ds.users[e.author].username.lower() for e in recent}
    mr_author = {
        e.id: ds.users[ds.merge_requests[e.target_id].author].username.lower()
        for e in recent
        if e.action == "approved"
    }
    members = set(roster.usernames)
    assert any(names[i] == mr_author[i] in members for i in mr_author)  # self-approvals
    assert any(e.system and names[e.id] in members for e in recent)
    assert any(e.noteable_type == "Issue" and names[e.id] in members for e in recent)
    assert any(names[e.id] == "renovate-bot" and e.action == "commented" for e in recent)


def test_preview_over_the_extraction_makes_no_request(
    extracted: tuple[SimServer, Path], tmp_path: Path
) -> None:
    sim, work = extracted
    teams, bots = tmp_path / "teams.csv", tmp_path / "bots.txt"
    teams.write_text(TRICKY_TEAMS, encoding="utf-8")
    bots.write_text(TRICKY_BOTS, encoding="utf-8")
    before = sim.stats()["requests"]
    out = tmp_path / "preview.md"

    env = env_for(sim, work, teams, bots)
    base = str(SIM_DIR / "sample_teams.csv")
    # as_of pinned to the simulator's clock: the extraction's own as_of is the wall clock.
    assert (
        main(
            [
                "preview",
                "--base-teams",
                base,
                "--out",
                str(out),
                "--as-of",
                f"{NOW:%Y-%m-%dT%H:%M:%SZ}",
            ],
            env,
        )
        == 0
    )

    assert sim.stats()["requests"] == before
    report = out.read_text(encoding="utf-8")
    # all 13 of farid@acme.example's counted commits in the 365 days before NOW (see the raw data)
    assert "| farid@acme.example | now matches hiro | 13 commits move from farid |" in report
    assert "| ext@contractor.example | now matches kim | +" in report
    assert "| mallory | joins | — | Apps |" in report


def test_coauthor_credit_is_exercised_by_the_demo_data(extracted: tuple[SimServer, Path]) -> None:
    """The oracle comparison above decides co-author credit: the demo's trailers (several,
    mixed case, folded, malformed, the author naming themselves, bots, a stranger, blocks that
    are not trailer blocks) credit exactly these people, once per commit."""
    sim, work = extracted
    oracle = Oracle(sim.dataset, read_roster(SIM_DIR / "sample_teams.csv"),
                    read_bots(SIM_DIR / "sample_bots.txt"), NOW, sim.dataset.noreply_domain,
                    groups=["acme"])  # fmt: skip
    year = [r for r in oracle.marts()["leaderboard_users"] if r["window"] == "365d"]
    credited = {r["username"]: r["commits_coauthored"] for r in year if r["commits_coauthored"]}
    # jules commits as jules@acme.example, which neither teams.csv nor his public email gives
    # him: matched strictly, his co-authorship is unmatched like his authorship
    assert credited == {
        "bob": 1, "chloe": 1, "erin": 1, "grace": 1, "hiro": 1, "kim": 1, "nadia": 1
    }  # fmt: skip
    unmatched = {r["author_email"]: r["commits"] for r in oracle.marts()["unmatched_authors"]}
    assert unmatched["quinn@contractor.example"] == 1 and "jules@acme.example" in unmatched
    built = pl.read_parquet(work / "data" / "marts" / "unmatched_authors.parquet")
    assert "quinn@contractor.example" in built["author_email"].to_list()
