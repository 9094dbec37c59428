"""The metrics registry: its own rules, and docs/metrics.md's table and formula kept equal to it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from pipeline import metrics
from pipeline.metrics import DISTINCT, EACH, Metric

DOCS = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"
GOOD = Metric("mrs_opened", ("mr_opened",), EACH, "MRs opened", "merge requests opened", 1)


def _section(title: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def _counts(m: Metric) -> str:
    kinds = ", ".join(f"`{k}`" for k in m.kinds)
    return f"every {kinds}" if m.counting == EACH else f"distinct ids of {kinds}"


def expected_table_rows() -> list[str]:
    """The docs table's rows as the registry says them (the `time` cell is the docs' own)."""
    return [
        f"| `{m.name}` | {m.label} | {m.weight} | {_counts(m)} | {m.meaning} |"
        for m in metrics.METRICS
    ]


def test_docs_metrics_table_is_the_registry() -> None:
    lines = [line for line in _section("Metrics").splitlines() if line.startswith("| `")]
    # every column but the last (time), which says which field of the item dates it
    found = [line[: line.rstrip(" |").rindex(" |")] + " |" for line in lines]
    expected = expected_table_rows()
    assert found == expected, "docs/metrics.md's Metrics table should read:\n" + "\n".join(
        f"{row} <time> |" for row in expected
    )


def test_docs_score_formula_is_the_registry() -> None:
    block = re.search(r"```\n(score = .*?)```", _section("Score and rank"), flags=re.S)
    assert block is not None
    terms = " + ".join(f"{m.weight} × {m.name}" for m in metrics.METRICS if m.scores)
    assert " ".join(block[1].split()) == f"score = {terms}"


def test_docs_name_every_kind_of_the_contributions_mart() -> None:
    marts = _section("The marts")
    entry = marts[marts.index("- **`contributions`**") :].split("\n- **")[0]
    listed = re.search(r"`kind` is (.*?);", entry, flags=re.S)
    assert listed is not None
    assert re.findall(r"`(\w+)`", listed[1]) == list(metrics.KINDS)


def test_records_are_plain_data_in_page_order() -> None:
    assert [r["order"] for r in metrics.records()] == list(range(1, len(metrics.METRICS) + 1))
    assert [r["name"] for r in metrics.records()] == list(metrics.NAMES)
    reviewed = Metric("mrs_reviewed", ("mr_approved", "review_comment"), DISTINCT, "R", "m", 0)
    assert reviewed.record(6) == {
        "name": "mrs_reviewed",
        "label": "R",
        "meaning": "m",
        "weight": 0,
        "scores": False,
        "kinds": ["mr_approved", "review_comment"],
        "counting": "distinct",
        "bots": False,
        "marker": "",
        "order": 6,
    }
    assert metrics.weights() == {m.name: m.weight for m in metrics.METRICS}


def test_kinds_are_each_metrics_kinds_once_first_use_first() -> None:
    seen = [k for m in metrics.METRICS for k in m.kinds]
    assert list(metrics.KINDS) == sorted(set(seen), key=seen.index)
    assert tuple(m.name for m in metrics.METRICS if m.bots) == metrics.BOT_NAMES


@pytest.mark.parametrize(
    ("label", "words"),
    [("Commits", "commits"), ("MRs opened", "MRs opened"), ("Review comments", "review comments")],
)
def test_words_keep_abbreviations(label: str, words: str) -> None:
    assert dataclasses.replace(GOOD, label=label).words == words


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"name": "MRs_opened"}, "MRs_opened is not a lower_snake_case name"),
        ({"name": "mrs opened"}, "mrs opened is not a lower_snake_case name"),
        ({"kinds": ("mr_opened", "commits")}, "commits is spelt like a metric"),
        ({"name": "score"}, "score is a column the marts already have"),
        ({"kinds": ()}, "needs distinct kinds"),
        ({"kinds": ("mr_opened", "mr_opened")}, "needs distinct kinds"),
        ({"weight": -1}, "needs a weight >= 0"),
        ({"meaning": "two\nlines"}, "one-line meaning"),
        ({"meaning": "a | b"}, "one-line meaning"),
        ({"label": ""}, "a label"),
    ],
)
def test_check_refuses_a_bad_entry(change: dict[str, object], problem: str) -> None:
    commits = metrics.METRICS[0]
    bad = dataclasses.replace(GOOD, **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=re.escape(problem)):
        metrics.check((commits, bad))


def test_check_refuses_a_duplicate_name_and_accepts_the_registry() -> None:
    metrics.check(metrics.METRICS)
    with pytest.raises(ValueError, match="duplicate metric mrs_opened"):
        metrics.check((GOOD, GOOD))
