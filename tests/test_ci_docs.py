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


def _steps() -> list[str]:
    """The numbered set-up steps, each as its text."""
    body = SETUP.split("## Set-up, step by step", 1)[1].split("\n## ", 1)[0]
    return [s.strip() for s in re.split(r"^\d+\. ", body, flags=re.M)[1:]]


def test_the_first_step_brings_the_project_in_and_replaces_the_sample_roster() -> None:
    first, second = _steps()[:2]
    assert first.startswith("**Bring the leaderboard into a GitLab project.**")
    for needle in ("Import project", "include its component", "`teams.csv`", "`bots.txt`"):
        assert needle in first, needle
    assert second.startswith("**Create the read token.**")
    # the sample roster the step tells an admin to replace is the one in the repository
    assert "alice" in (ROOT / "teams.csv").read_text(encoding="utf-8")


def test_the_runners_needs_name_the_package_index_and_its_mirror_setting() -> None:
    needs = SETUP.split("**What the runners must reach.**", 1)[1].split("**Jobs you may drop.**")[0]
    for needle in ("pip install", "pypi.org", "PIP_INDEX_URL", "python_image", "CA_BUNDLE"):
        assert needle in needs, needle
    assert "pip install" in COMPONENT  # every job installs the package, as the table says


def test_the_jobs_an_admin_may_drop_are_the_projects_own() -> None:
    """Dropping them leaves every leaderboard job, and nothing needs or extends them."""
    droppable = SETUP.split("**Jobs you may drop.**", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"`([a-z-]+)` \(", droppable))
    assert named == {"test", "release-package"}
    project = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert named <= set(project)
    kept = {k: v for k, v in project.items() if k not in named and k != "stages"}
    text = yaml.safe_dump(kept)
    for job in named:
        assert f"- {job}\n" not in text and f"job: {job}" not in text, job
    jobs = COMPONENT.split("\n---\n", 1)[1]
    component_jobs = set(re.findall(r"^([a-z.][\w:.-]*):$", jobs, flags=re.M))
    assert {"leaderboard:validate", "leaderboard:extract", "pages"} <= component_jobs
