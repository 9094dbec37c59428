"""docs/ci-setup.md stays in step with the settings, the component's inputs and the CI variables."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETUP = (ROOT / "docs" / "ci-setup.md").read_text(encoding="utf-8")
COMPONENT = (ROOT / "templates" / "leaderboard.yml").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    source = (ROOT / "pipeline" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:GITLAB|LEADERBOARD|CI)_[A-Z_]+)"', source))
    assert names, "config.py reads no variables?"
    assert sorted(n for n in names if f"`{n}`" not in SETUP) == []


def test_every_variable_the_pipeline_reads_is_documented() -> None:
    pipeline = COMPONENT + (ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"\b(LEADERBOARD_[A-Z_]+)", pipeline))
    internal = {"LEADERBOARD_FETCH_MODE", "LEADERBOARD_PARALLEL", "LEADERBOARD_PACKAGE"}
    assert sorted(n for n in names - internal if f"`{n}`" not in SETUP) == []


def test_every_component_input_is_documented() -> None:
    header = next(yaml.safe_load_all(COMPONENT.split("\n---\n", 1)[0]))
    assert sorted(n for n in header["spec"]["inputs"] if f"`{n}`" not in SETUP) == []


def test_the_setup_is_numbered_and_names_the_minimal_scopes() -> None:
    steps = re.findall(r"^(\d+)\. \*\*", SETUP, flags=re.M)
    assert steps[:10] == [str(i) for i in range(1, 11)]
    for needle in (
        "`read_api`",
        "**Masked**",
        "**Protect variable**",
        "`api`",
        "Pipeline schedules",
        "Pages access control",
        "parallel",
        "include:",
        "- component:",
    ):
        assert needle in SETUP, needle
