"""LEADERBOARD_PEOPLE=hide and teams.csv's listed=no on the demo organisation: every file under
public/ and the MR preview name no hidden person, and the team totals are those of `show`."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.privacy import mask_email
from pipeline.sim import SimConfig, SimServer, sample_teams_csv
from tests.run_support import AS_OF, NOW, demo_env

#: marked listed=no in the unlisted run: people with work in the last 30 days in two teams, one
#: of them (nadia) in both after a move, one (chloe) known by noreply addresses only
HIDDEN = ("alice", "chloe", "nadia")
#: the roster's bots (sample_bots.txt): accounts, not people; the bots section still lists them
BOTS = ("renovate-bot",)


@dataclasses.dataclass(frozen=True)
class Run:
    public: Path
    preview: str


@dataclasses.dataclass(frozen=True)
class Demo:
    show: Run
    unlisted: Run
    hide: Run
    #: every roster person (lower-cased username) -> the strings that would identify them
    needles: dict[str, set[str]]


def roster_with_listed(hidden: tuple[str, ...]) -> str:
    """The demo teams.csv with a `listed` column: `no` for the hidden people."""
    rows = list(csv.reader(io.StringIO(sample_teams_csv(NOW))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rows[0], "listed"])
    for row in rows[1:]:
        writer.writerow([*row, "no" if row[1].lower() in hidden else ""])
    return out.getvalue()


def moved(teams: str) -> str:
    """The same roster with alice moved to Data: a change the MR preview would name her for."""
    return teams.replace("Platform,alice,", "Data,alice,")


def identities(sim: SimServer, teams: str) -> dict[str, set[str]]:
    """Per roster person: username, name, every email (teams.csv, public, commit, noreply), each
    masked as the site masks, and their md5/sha1/sha256 hex as-is and lower-cased."""
    noreply = sim.dataset.noreply_domain
    users = {u.username.lower(): u for u in sim.dataset.users.values()}
    out: dict[str, set[str]] = {}
    for row in list(csv.DictReader(io.StringIO(teams))):
        username = row["username"].lower()
        if username in BOTS:
            continue
        emails = {e.strip() for e in row["emails"].split(";") if e.strip()}
        user = users.get(username)
        needles = out.setdefault(username, {username})
        # a name that is one of the simulator's hostile strings ("+cmd", "<script>…") is also an
        # item title: it identifies no one, so only names that read as names are looked for
        if user is not None and re.fullmatch(r"[^\W\d_][\w .,'\"-]*", user.name):
            needles.add(user.name)
        if user is not None:
            emails |= {*user.commit_emails, f"{user.username}@{noreply}",
                       f"{user.id}-{user.username}@{noreply}"}  # fmt: skip
            emails |= {user.public_email} if user.public_email else set()
        for email in emails:
            needles |= {email, email.lower(), str(mask_email(email))}
            for raw in {email, email.lower()}:
                for algo in ("md5", "sha1", "sha256"):
                    needles.add(hashlib.new(algo, raw.encode()).hexdigest())
    return out


def texts(path: Path) -> Iterator[str]:
    """What a reader of the file sees: its text (gzip opened), or every string a Parquet holds."""
    if path.suffix == ".parquet":
        for row in pq.read_table(path).to_pylist():
            yield from strings(row)
        return
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = data.decode("utf-8", errors="replace")
    yield text
    yield html.unescape(text)
    unescaped = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    yield unescaped.replace('\\"', '"')


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def pattern(needle: str) -> re.Pattern[str]:
    """The needle as a whole token (`ines` is not in `lines`), case-insensitive."""
    return re.compile(rf"(?<![\w.+-]){re.escape(needle)}(?![\w-])", re.IGNORECASE)


def leaks(run: Run, people: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each person any file under public/ (or the preview) names, with what named them there."""
    found: dict[str, set[str]] = {}
    patterns = {p: [(n, pattern(n)) for n in needles] for p, needles in people.items()}
    sources = [("preview.md", run.preview)]
    for path in sorted(run.public.rglob("*")):
        if path.is_file():
            rel = str(path.relative_to(run.public))
            sources += [(rel, rel)] + [(rel, text) for text in texts(path)]
    for where, text in sources:
        for person, checks in patterns.items():
            for needle, regex in checks:
                if regex.search(text):
                    found.setdefault(person, set()).add(f"{where}: {needle}")
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """One extraction; a build with everyone listed published as `show` and as `hide`, and one
    with HIDDEN marked listed=no published as `show`; an MR preview of erin's move for each."""
    work = tmp_path_factory.mktemp("people")
    with SimServer(SimConfig(profile="demo", now=NOW)) as sim:
        env = demo_env(sim, work)
        assert main(["extract"], env) == 0
        listed = roster_with_listed(HIDDEN)
        everyone = roster_with_listed(())
        needles = identities(sim, listed)
    (work / "teams-all.csv").write_text(everyone, encoding="utf-8")
    (work / "teams-listed.csv").write_text(listed, encoding="utf-8")

    def run(name: str, teams: str, people: str) -> Run:
        (work / f"{name}.csv").write_text(moved(teams), encoding="utf-8")
        extra = {"LEADERBOARD_PUBLIC_DIR": str(work / name), "LEADERBOARD_PEOPLE": people}
        assert main(["publish"], {**env, **extra}) == 0
        out = work / f"{name}.md"
        args = ["preview", "--base-teams", str(work / f"{name}-base.csv"), "--out", str(out),
                "--as-of", AS_OF]  # fmt: skip
        (work / f"{name}-base.csv").write_text(teams, encoding="utf-8")
        preview_env = {**env, "LEADERBOARD_TEAMS": str(work / f"{name}.csv"), **extra}
        assert main(args, preview_env) == 0
        return Run(work / name, out.read_text(encoding="utf-8"))

    env["LEADERBOARD_TEAMS"] = str(work / "teams-all.csv")
    assert main(["build", "--as-of", AS_OF], env) == 0
    show, hide = run("show", everyone, "show"), run("hide", everyone, "hide")
    env["LEADERBOARD_TEAMS"] = str(work / "teams-listed.csv")
    assert main(["build", "--as-of", AS_OF], env) == 0
    unlisted = run("unlisted", listed, "show")
    return Demo(show=show, unlisted=unlisted, hide=hide, needles=needles)


def test_the_walker_finds_every_person_where_people_are_shown(demo: Demo) -> None:
    found = leaks(demo.show, demo.needles)
    # the check can fail: with everyone shown it finds the hidden ones by username, email and
    # masked email, in the page, its data scripts and the downloads
    for person in HIDDEN:
        hits = found[person]
        assert f"data/board.js: {person}" in hits
        assert any(h.startswith("data/member_emails.parquet") for h in hits)
        assert any("***@" in h for h in hits)
    assert "preview.md: alice" in found["alice"]
    assert any(h.startswith("data/contributions.parquet") for h in found["alice"])
    assert {"Alice Archer", "Chloé Dubois", "Nadia Novak"} <= set().union(
        *(demo.needles[p] for p in HIDDEN)
    )  # names are looked for too


def test_no_file_names_a_person_marked_not_listed(demo: Demo) -> None:
    shown = set().union(*(n for p, n in demo.needles.items() if p not in HIDDEN))
    # a masked address another (listed) person's also masks to (`2***@users.noreply…` is 2-alice's
    # and 20-rosa's) identifies no one; every other needle must be absent
    hidden = {p: demo.needles[p] - {n for n in shown if "***@" in n} for p in HIDDEN}
    assert leaks(demo.unlisted, hidden) == {}
    # the others are still named
    shown = leaks(demo.unlisted, {p: n for p, n in demo.needles.items() if p not in HIDDEN})
    assert {"bob", "erin", "farid"} <= set(shown)


def test_no_file_names_anyone_with_people_hidden(demo: Demo) -> None:
    assert leaks(demo.hide, demo.needles) == {}


def page_data(public: Path) -> dict[str, Any]:
    text = (public / "data" / "board.js").read_text(encoding="utf-8")
    payload: dict[str, Any] = json.loads(text.removeprefix("window.LEADERBOARD = ").rstrip(";\n"))
    return payload


def test_team_totals_are_those_of_show(demo: Demo) -> None:
    runs = {"show": demo.show, "unlisted": demo.unlisted, "hide": demo.hide}
    teams = {
        name: pq.read_table(run.public / "data" / "leaderboard_teams.parquet")
        for name, run in runs.items()
    }
    assert teams["show"].num_rows > 0
    assert teams["unlisted"].equals(teams["show"])
    assert teams["hide"].equals(teams["show"])
    boards = [page_data(run.public) for run in (demo.show, demo.unlisted, demo.hide)]
    assert boards[1]["teams"] == boards[0]["teams"] == boards[2]["teams"]
    assert boards[1]["weekly"] == boards[0]["weekly"] == boards[2]["weekly"]
    # and the people: none with hide; the listed ones, ranked among them, when some are not
    assert boards[2]["users"]["rows"] == []
    names = boards[0]["users"]["columns"].index("username")
    assert {r[names] for r in boards[1]["users"]["rows"]} == {
        r[names] for r in boards[0]["users"]["rows"]
    } - set(HIDDEN)


def test_what_each_run_publishes(demo: Demo) -> None:
    def marts(public: Path) -> set[str]:
        return {p.stem for p in (public / "data").glob("*.parquet")}

    common = {"leaderboard_teams", "contributions", "weekly_team_activity", "bot_activity",
              "projects"}  # fmt: skip
    personal = {"leaderboard_users", "member_emails", "unmatched_authors", "unmatched_projects"}
    assert marts(demo.show.public) == marts(demo.unlisted.public) == common | personal
    assert marts(demo.hide.public) == common | {"unmatched_by_project"}
    hide = pq.read_table(demo.hide.public / "data" / "contributions.parquet")
    show = pq.read_table(demo.show.public / "data" / "contributions.parquet")
    assert hide.column("username").null_count == hide.num_rows
    assert hide.drop_columns(["username"]).equals(show.drop_columns(["username"]))
    assert not list((demo.hide.public / "data").glob("raw"))
    html_text = (demo.hide.public / "index.html").read_text(encoding="utf-8")
    assert "People are not shown." in html_text
    assert 'id="board-people"' not in html_text
    people = page_data(demo.unlisted.public)["meta"]["people"]
    assert (people["mode"], people["unlisted"]) == ("show", len(HIDDEN))
