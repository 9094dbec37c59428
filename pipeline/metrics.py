"""The board's metrics, declared once: what each counts, its label, meaning, weight and place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Counting(StrEnum):
    """How a metric counts the contribution rows of its kinds (for one person)."""

    EACH = "each"  # every row: two comments on one MR are two
    DISTINCT = "distinct"  # distinct item ids: an MR approved twice is one approved MR


@dataclass(frozen=True)
class Metric:
    """One board column.

    Spelling rule: a metric is named for what its column counts, in the plural (`mrs_opened`,
    `review_comments`); a kind names one contribution row, in the singular (`mr_opened`,
    `review_comment`, the `kind` column of the contributions mart). The two never share a spelling.
    """

    name: str  # the mart column
    kinds: tuple[str, ...]  # the contribution kinds it counts
    counting: Counting
    label: str  # as the page and the MR preview show it
    meaning: str  # one line, for the page's legend and docs/metrics.md's table
    weight: int  # points per count in `score`; 0 shows the metric without scoring it
    bots: bool = False  # also listed in bot_activity (what bots did, never counted)
    #: a word the drill-down shows beside each counted item, e.g. "co-author"
    marker: str = ""

    @property
    def scores(self) -> bool:
        return self.weight > 0

    @property
    def words(self) -> str:
        """The label inside a sentence: `commits`, `issues opened`, but `MRs opened`."""
        first = self.label.split()[0]
        if first[1:] != first[1:].lower():  # an abbreviation keeps its capitals
            return self.label
        return self.label[:1].lower() + self.label[1:]

    def record(self, position: int) -> dict[str, Any]:
        """The metric as plain data (build.json): what the page needs to show it."""
        return {
            "name": self.name,
            "label": self.label,
            "meaning": self.meaning,
            "weight": self.weight,
            "scores": self.scores,
            "kinds": list(self.kinds),
            "counting": str(self.counting),
            "bots": self.bots,
            "marker": self.marker,
            "order": position,
        }


EACH, DISTINCT = Counting.EACH, Counting.DISTINCT

#: Every metric of the board, in page order (the order of the marts' columns too).
METRICS: tuple[Metric, ...] = (
    Metric(
        name="commits",
        kinds=("commit",),
        counting=EACH,
        label="Commits",
        meaning="distinct commits on in-scope default branches (a fork and its upstream count "
        "once), merge commits excluded",
        weight=1,
        bots=True,
    ),
    Metric(
        name="commits_coauthored",
        kinds=("commit_coauthored",),
        counting=DISTINCT,
        label="Commits co-authored",
        meaning="distinct counted commits of others that name the person in a Co-authored-by "
        "trailer",
        weight=1,
        marker="co-author",
    ),
    Metric(
        name="mrs_opened",
        kinds=("mr_opened",),
        counting=EACH,
        label="MRs opened",
        meaning="merge requests the person opened",
        weight=1,
        bots=True,
    ),
    Metric(
        name="mrs_merged",
        kinds=("mr_merged",),
        counting=EACH,
        label="MRs merged",
        meaning="merge requests the person authored that were merged",
        weight=3,
        bots=True,
    ),
    Metric(
        name="issues_opened",
        kinds=("issue_opened",),
        counting=EACH,
        label="Issues opened",
        meaning="issues the person opened",
        weight=1,
        bots=True,
    ),
    Metric(
        name="issues_closed",
        kinds=("issue_closed",),
        counting=EACH,
        label="Issues closed",
        meaning="issues the person closed",
        weight=2,
        bots=True,
    ),
    # Review credit: reviewing an MR earns points; approvals and comments are shown, not scored.
    Metric(
        name="mrs_approved",
        kinds=("mr_approved",),
        counting=DISTINCT,
        label="MRs approved",
        meaning="distinct merge requests of others the person approved",
        weight=0,
    ),
    Metric(
        name="review_comments",
        kinds=("review_comment",),
        counting=EACH,
        label="Review comments",
        meaning="the person's comments on others' merge requests, system notes excluded",
        weight=0,
    ),
    Metric(
        name="mrs_reviewed",
        kinds=("mr_approved", "review_comment"),
        counting=DISTINCT,
        label="MRs reviewed",
        meaning="distinct merge requests of others the person approved or commented on",
        weight=2,
    ),
)

#: The metric columns of the board's marts, in order.
NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
#: The metrics bot_activity lists.
BOT_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS if m.bots)
#: Every contribution kind some metric counts, first use first.
KINDS: tuple[str, ...] = tuple(dict.fromkeys(k for m in METRICS for k in m.kinds))


def weights() -> dict[str, int]:
    """metric -> weight, in page order: what build.json records and the score uses."""
    return {m.name: m.weight for m in METRICS}


def records() -> list[dict[str, Any]]:
    """The registry as plain data, in page order."""
    return [m.record(position) for position, m in enumerate(METRICS, start=1)]


_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
#: Columns the marts have besides their metrics: no metric may take one of these names.
_TAKEN = {"window", "week", "team", "username", "email", "source", "on_roster", "members"}
_TAKEN |= {"score", "rank", "prev_rank", "metric", "value"}


def check(metrics: tuple[Metric, ...]) -> None:
    """The registry's own rules; names become SQL column names, so they must be plain words."""
    names = [m.name for m in metrics]
    kinds = {k for m in metrics for k in m.kinds}
    problems = [f"duplicate metric {n}" for n in sorted({n for n in names if names.count(n) > 1})]
    problems += [
        f"{n} is not a lower_snake_case name"
        for n in [*names, *kinds]
        if not _IDENTIFIER.fullmatch(n)
    ]
    problems += [
        f"{k} is spelt like a metric; a kind is singular" for k in sorted(kinds & set(names))
    ]
    problems += [f"{n} is a column the marts already have" for n in names if n in _TAKEN]
    for m in metrics:
        if not m.kinds or len(set(m.kinds)) != len(m.kinds):
            problems.append(f"{m.name} needs distinct kinds")
        if m.weight < 0 or not m.label or not m.meaning or "\n" in m.meaning or "|" in m.meaning:
            problems.append(f"{m.name} needs a weight >= 0, a label and a one-line meaning")
    if problems:
        raise ValueError("pipeline/metrics.py: " + "; ".join(problems))


check(METRICS)
