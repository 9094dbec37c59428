"""An independent plain-Python computation of the marts from the simulator's own dataset.

It follows ARCHITECTURE ("Identity matching", "Metrics and marts") and docs/internals.md's
readings, and GitLab's own rules where they decide (users hidden from the username search,
private commit emails matched by id); it shares no code with extract, build or queries/: the
end-to-end test compares `leaderboard build` with it row for row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline import metrics
from pipeline.roster.teams import Bots, Membership, Roster
from pipeline.sim.org.model import Commit, Dataset, User
from tests.oracle_reviews import review_counts, review_items

WINDOWS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
WEIGHTS = metrics.weights()  # configuration, not a rule: the oracle counts on its own
KIND_METRIC = {
    "commit": "commits",
    "commit_coauthored": "commits_coauthored",  # one item per person and commit: distinct
    "mr_opened": "mrs_opened",
    "mr_merged": "mrs_merged",
    "issue_opened": "issues_opened",
    "issue_closed": "issues_closed",
}
SOURCE_STRENGTH = ("teams_csv", "public_email", "noreply")
Row = dict[str, Any]


def midnight(day: dt.date | None, default: dt.datetime) -> dt.datetime:
    return default if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


LONG_AGO = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
FAR_AHEAD = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def covers(m: Membership, t: dt.datetime) -> bool:
    return midnight(m.joined, LONG_AGO) <= t < midnight(m.left, FAR_AHEAD)


def overlaps(m: Membership, start: dt.datetime, end: dt.datetime) -> bool:
    return midnight(m.joined, LONG_AGO) < end and midnight(m.left, FAR_AHEAD) > start


@dataclass(frozen=True)
class Item:
    """One counted contribution before windowing."""

    username: str
    kind: str
    item_id: str
    project_id: int
    title: str
    web_url: str
    at: dt.datetime


class Oracle:
    """The marts for one (dataset, roster, bots, as_of, noreply, scope)."""

    def __init__(
        self,
        ds: Dataset,
        roster: Roster,
        bots: Bots,
        as_of: dt.datetime,
        noreply: str,
        groups: Iterable[str] = (),
        projects: Iterable[str] = (),
        hidden_events: float = 0.0,
    ) -> None:
        self.ds, self.roster, self.bots, self.as_of = ds, roster, bots, as_of
        self.noreply = noreply.lower()
        self.horizon = as_of - dt.timedelta(days=365)
        self.scope = self._scope(list(groups), list(projects))
        self.named = self._named_in_scope()
        self.observed = self._private_addresses()
        by_name = {u.username.lower(): u for u in ds.users.values() if self._findable(u)}
        self.records: dict[str, User] = {
            name: by_name[name] for name in roster.usernames if name in by_name
        }
        self.bot_members = {
            name
            for name in roster.usernames
            if name in bots.usernames or (name in self.records and self.records[name].bot)
        }
        self.members = [m for m in roster.memberships if m.username not in self.bot_members]
        self.emails = self._member_emails()
        self.owner = {email: user for (user, email) in self.emails}
        self.items = self._commits() + self._coauthored() + self._merge_requests() + self._issues()
        # events the token cannot see (the server's `hidden_events`) count for nobody
        reviews = review_items(ds, self.scope, self._member_name, hidden_events)
        self.items += [Item(*r) for r in reviews]

    # -- scope and identities ------------------------------------------------------------------

    def _scope(self, groups: list[str], projects: list[str]) -> set[int]:
        ids: set[int] = set()
        for ref in groups:
            group = next(
                g
                for g in self.ds.groups.values()
                if ref.lower() in (g.full_path.lower(), str(g.id))
            )
            namespaces = self.ds.subgroup_ids(group.id)
            ids |= {p.id for p in self.ds.projects.values() if p.namespace_id in namespaces}
        for ref in projects:
            ids |= {
                p.id
                for p in self.ds.projects.values()
                if ref.lower() in (p.path_with_namespace.lower(), str(p.id))
            }
        return ids

    def _named_in_scope(self) -> set[int]:
        """Users an in-scope MR, issue or review event names (author, merged_by, closed_by)."""
        ds, named = self.ds, set()
        for mr in ds.merge_requests.values():
            if mr.project_id in self.scope:
                named |= {mr.author, mr.merged_by, mr.closed_by}
        for issue in ds.issues.values():
            if issue.project_id in self.scope:
                named |= {issue.author, issue.closed_by}
        named |= {e.author for e in ds.events.values() if e.project_id in self.scope}
        return {uid for uid in named if uid is not None}

    def _findable(self, user: User) -> bool:
        """GitLab's username search hides blocked, banned and LDAP-blocked users from a
        non-admin token (app/finders/users_finder.rb), so such a user is known only through
        what the data names them in."""
        hidden = user.state in ("blocked", "banned", "ldap_blocked")
        return not hidden or user.id in self.named

    def _private_addresses(self) -> dict[str, int]:
        """Every commit email `ID-anything@NOREPLY` on an in-scope default branch, with the id
        GitLab reads from it (lib/gitlab/private_commit_email.rb: the digits, `to_i`)."""
        found = {}
        for pid in self.scope:
            project = self.ds.projects[pid]
            if project.default_branch not in project.branches:
                continue  # an empty repository, or none
            for sha in self.ds.reachable(pid, project.default_branch):
                email = self.ds.commits[sha].author_email.strip().lower()
                local, _, domain = email.rpartition("@")
                digits = re.fullmatch(r"([0-9]+)-[^@]+", local)
                if domain == self.noreply and digits:
                    found[email] = int(digits.group(1))
        return found

    def _noreply_forms(self, user: User) -> list[str]:
        name = user.username.lower()
        own = sorted(e for e, uid in self.observed.items() if uid == user.id)
        return [f"{name}@{self.noreply}", f"{user.id}-{name}@{self.noreply}", *own]

    def is_bot_email(self, email: str) -> bool:
        if email in self.bots.emails:
            return True
        for name in self.bot_members:
            own = set(self.roster.emails.get(name, ()))
            if name in self.records:
                user = self.records[name]
                own |= {(user.public_email or "").strip().lower(), *self._noreply_forms(user)}
            if email in own:
                return True
        domain = re.escape(self.noreply)
        return any(
            re.fullmatch(rf"([0-9]+-)?{re.escape(name)}@{domain}", email)
            for name in self.bots.usernames
        )

    def _member_emails(self) -> dict[tuple[str, str], str]:
        """(username, email) -> strongest source, for non-bot members; bot emails excluded."""
        names = sorted({m.username for m in self.members})
        written = {e: u for u in names for e in self.roster.emails.get(u, ())}
        found: dict[tuple[str, str], str] = {}
        for name in names:
            candidates = [(e, "teams_csv") for e in self.roster.emails.get(name, ())]
            if name in self.records:
                user = self.records[name]
                public = (user.public_email or "").strip().lower()
                if public:
                    candidates.append((public, "public_email"))
                candidates += [(e, "noreply") for e in self._noreply_forms(user)]
            for email, source in candidates:
                if written.get(email, name) != name or self.is_bot_email(email):
                    continue
                found.setdefault((name, email), source)  # candidates come strongest first
        return found

    # -- counted items ---------------------------------------------------------------------------

    def counted_commits(self) -> dict[str, list[int]]:
        """SHA -> in-scope projects whose default branch holds it (merge commits excluded)."""
        holders: dict[str, list[int]] = defaultdict(list)
        for pid in sorted(self.scope):
            project = self.ds.projects[pid]
            if project.default_branch not in project.branches:
                continue  # an empty repository, or none: no commits
            for sha in self.ds.reachable(pid, project.default_branch):
                if len(self.ds.commits[sha].parent_ids) <= 1:
                    holders[sha].append(pid)
        return holders

    def _commits(self) -> list[Item]:
        items = []
        for sha, pids in self.counted_commits().items():
            commit = self.ds.commits[sha]
            name = self.owner.get(commit.author_email.strip().lower())
            if name is None:
                continue
            pid, url = self._shown_under(sha, pids)
            items.append(Item(name, "commit", sha, pid, commit.title, url, commit.authored_date))
        return items

    def _shown_under(self, sha: str, pids: list[int]) -> tuple[int, str]:
        """The project a commit is shown under (the lowest non-fork holder) and its link."""
        upstream = [p for p in pids if self.ds.projects[p].forked_from_project_id is None]
        pid = min(upstream or pids)
        return pid, f"{self.ds.projects[pid].web_url}/-/commit/{sha}"

    def coauthor_emails(self, commit: Commit) -> dict[str, str]:
        """The commit's co-authors as the dataset records what git reads (`Commit.coauthors`):
        email (trimmed, lower case) -> name (the greatest, for one named twice), without its
        author's own email."""
        found: dict[str, str] = {}
        author = commit.author_email.strip().lower()
        for name, email in commit.coauthors:
            key = email.strip().lower()
            if key and key != author:
                found[key] = max(found.get(key, name), name)
        return found

    def _coauthored(self) -> list[Item]:
        """Co-author credit: a member named by a counted commit's trailers who is not its author
        (by email or as another address of the same member), once per commit."""
        items = []
        for sha, pids in self.counted_commits().items():
            commit = self.ds.commits[sha]
            author = self.owner.get(commit.author_email.strip().lower())
            names = {self.owner.get(email) for email in self.coauthor_emails(commit)}
            for name in sorted(n for n in names if n is not None and n != author):
                pid, url = self._shown_under(sha, pids)
                items.append(
                    Item(name, "commit_coauthored", sha, pid, commit.title, url,
                         commit.authored_date)
                )  # fmt: skip
        return items

    def _member_name(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        name = self.ds.users[user_id].username.lower()
        return name if any(m.username == name for m in self.members) else None

    def _merge_requests(self) -> list[Item]:
        items = []
        for mr in self.ds.merge_requests.values():
            name = self._member_name(mr.author)
            if mr.project_id not in self.scope or name is None:
                continue
            base = (str(mr.id), mr.project_id, mr.title, mr.web_url)
            items.append(Item(name, "mr_opened", *base, mr.created_at))
            if mr.merged_at is not None:
                items.append(Item(name, "mr_merged", *base, mr.merged_at))
        return items

    def _issues(self) -> list[Item]:
        items = []
        for issue in self.ds.issues.values():
            if issue.project_id not in self.scope:
                continue
            base = (str(issue.id), issue.project_id, issue.title, issue.web_url)
            if author := self._member_name(issue.author):
                items.append(Item(author, "issue_opened", *base, issue.created_at))
            closer = self._member_name(issue.closed_by)
            if closer and issue.closed_at is not None:
                items.append(Item(closer, "issue_closed", *base, issue.closed_at))
        return items

    def team_of(self, item: Item) -> str | None:
        return next(
            (m.team for m in self.members if m.username == item.username and covers(m, item.at)),
            None,
        )

    # -- marts -----------------------------------------------------------------------------------

    def marts(self) -> dict[str, list[Row]]:
        return {
            "leaderboard_users": self.leaderboard_users(),
            "leaderboard_teams": self.leaderboard_teams(),
            "contributions": self.contributions(),
            "member_emails": self.member_emails(),
            "unmatched_authors": self.unmatched_authors(),
            "weekly_team_activity": self.weekly_team_activity(),
            "projects": self.projects(),
        }

    def projects(self) -> list[Row]:
        """Every in-scope project by id, with its path and page."""
        return [
            {"project_id": p.id, "path_with_namespace": p.path_with_namespace, "web_url": p.web_url}
            for p in sorted(
                (self.ds.projects[i] for i in self.scope),
                key=lambda p: (p.path_with_namespace, p.id),
            )
        ]

    def contributions(self) -> list[Row]:
        rows = []
        for item in self.items:
            team = self.team_of(item)
            if team is not None and self.horizon <= item.at < self.as_of:
                rows.append(
                    {"team": team, "username": item.username, "kind": item.kind,
                     "item_id": item.item_id, "project_id": item.project_id,
                     "title": item.title, "web_url": item.web_url, "at": item.at}
                )  # fmt: skip
        return sorted(rows, key=lambda r: (r["team"], r["username"], r["kind"], r["item_id"]))

    def _user_board(self, start: dt.datetime, end: dt.datetime) -> list[Row]:
        """Ranked rows of every membership overlapping [start, end), with its `_joined`."""
        live = [m for m in self.members if overlaps(m, start, end)]
        counts = {m: dict.fromkeys(WEIGHTS, 0) for m in live}
        reviews: dict[Membership, list[tuple[str, str]]] = defaultdict(list)
        for item in self.items:
            if not start <= item.at < end:
                continue
            for m in live:
                if m.username == item.username and covers(m, item.at):
                    if item.kind in KIND_METRIC:
                        counts[m][KIND_METRIC[item.kind]] += 1
                    else:
                        reviews[m].append((item.kind, item.item_id))
        for m in live:
            counts[m] |= review_counts(reviews[m])
        scored = [
            {"team": m.team, "username": m.username, **n, "score": score(n),
             "_joined": m.joined or dt.date.min}
            for m, n in counts.items()
        ]  # fmt: skip
        return ranked(scored, ("team", "username", "_joined"))

    def _team_board(self, users: list[Row]) -> list[Row]:
        teams: dict[str, Row] = {}
        people: dict[str, set[str]] = defaultdict(set)
        for r in users:
            t = teams.setdefault(
                r["team"], {"team": r["team"], "members": 0, **dict.fromkeys(WEIGHTS, 0)}
            )
            people[r["team"]].add(r["username"])
            t["members"] = len(people[r["team"]])
            for metric in WEIGHTS:
                t[metric] += r[metric]
        return ranked([{**t, "score": score(t)} for t in teams.values()], ("team",))

    def _boards(self, window: str) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
        """Users and teams of the window, then of the previous period of the same length."""
        n = dt.timedelta(days=WINDOWS[window])
        users = self._user_board(self.as_of - n, self.as_of)
        before = self._user_board(self.as_of - 2 * n, self.as_of - n)
        return users, self._team_board(users), before, self._team_board(before)

    def leaderboard_users(self) -> list[Row]:
        rows = []
        for window in WINDOWS:
            users, _, before, _ = self._boards(window)
            was = {(r["team"], r["username"], r["_joined"]): r["rank"] for r in before}
            for r in users:
                key = (r["team"], r["username"], r["_joined"])
                rows.append(
                    {"window": window, **{k: v for k, v in r.items() if k != "_joined"},
                     "prev_rank": was.get(key)}
                )  # fmt: skip
        return rows

    def leaderboard_teams(self) -> list[Row]:
        rows = []
        for window in WINDOWS:
            _, teams, _, before = self._boards(window)
            was = {t["team"]: t["rank"] for t in before}
            rows += [{"window": window, **t, "prev_rank": was.get(t["team"])} for t in teams]
        return rows

    def member_emails(self) -> list[Row]:
        return [
            {"username": u, "email": e, "source": s} for (u, e), s in sorted(self.emails.items())
        ]

    def unmatched_authors(self) -> list[Row]:
        """Emails a counted commit of the horizon names, as author or co-author, that belong to
        no member and no bot."""
        seen: dict[str, dict[str, tuple[str, dt.datetime, list[int]]]] = defaultdict(dict)
        for sha, pids in self.counted_commits().items():
            commit = self.ds.commits[sha]
            if not self.horizon <= commit.authored_date < self.as_of:
                continue
            named = {commit.author_email.strip().lower(): commit.author_name}
            named |= self.coauthor_emails(commit)
            for email, name in named.items():
                if email not in self.owner and not self.is_bot_email(email):
                    seen[email][sha] = (name, commit.authored_date, pids)
        rows = []
        for email, shas in seen.items():
            latest = max(shas, key=lambda sha: (shas[sha][1], sha))
            rows.append(
                {"author_email": email, "author_name": shas[latest][0], "commits": len(shas),
                 "projects": len({p for _, _, pids in shas.values() for p in pids}),
                 "first_seen": min(at for _, at, _ in shas.values()),
                 "last_seen": max(at for _, at, _ in shas.values())}
            )  # fmt: skip
        return sorted(rows, key=lambda r: (-r["commits"], r["author_email"]))

    def weekly_team_activity(self) -> list[Row]:
        day = self.as_of.date()
        last = day - dt.timedelta(days=day.weekday())
        weeks = [last - dt.timedelta(weeks=n) for n in range(25, -1, -1)]
        start = midnight(weeks[0], LONG_AGO)
        teams = sorted({m.team for m in self.members if overlaps(m, start, self.as_of)})
        counts = {(w, t): dict.fromkeys(WEIGHTS, 0) for w in weeks for t in teams}
        reviews: dict[tuple[dt.date, str, str], list[tuple[str, str]]] = defaultdict(list)
        for item in self.items:
            team = self.team_of(item)
            if team is None or not start <= item.at < self.as_of:
                continue
            week = item.at.date() - dt.timedelta(days=item.at.date().weekday())
            if item.kind in KIND_METRIC:
                counts[(week, team)][KIND_METRIC[item.kind]] += 1
            else:  # per person and week, summed over the team's people
                reviews[(week, team, item.username)].append((item.kind, item.item_id))
        for (week, team, _), pairs in reviews.items():
            for metric, n in review_counts(pairs).items():
                counts[(week, team)][metric] += n
        return [{"week": w, "team": t, **counts[(w, t)]} for w in weeks for t in teams]


def score(counts: Row) -> int:
    return sum(weight * counts[metric] for metric, weight in WEIGHTS.items())


def ranked(rows: list[Row], tie_keys: tuple[str, ...]) -> list[Row]:
    """Dense rank by score, highest first; sorted by rank then the tie keys."""
    scores = sorted({r["score"] for r in rows}, reverse=True)
    for r in rows:
        r["rank"] = scores.index(r["score"]) + 1
    return sorted(rows, key=lambda r: (r["rank"], *(r[k] for k in tie_keys)))
