"""`.gitlab-ci.yml` runs end to end under gitlab-ci-local (shell mode) against the simulator."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
GCL = "npx -y -p node@22 -p gitlab-ci-local@4.75.1 -c"
NOW = "2026-11-28T00:00:00Z"
AS_OF = "2026-11-27T12:00:00Z"
LATER_AS_OF = "2026-11-28T02:00:00Z"
GIT = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.org", "-c", "commit.gpgsign=false"]
# Jobs reuse this interpreter's environment (which has `leaderboard`) instead of a pip install each.
VENV = sys.prefix

pytestmark = [pytest.mark.gitlab_ci_local, pytest.mark.timeout(900)]


def _missing_tools() -> list[str]:
    return [tool for tool in ("npx", "rsync", "git") if shutil.which(tool) is None]


@pytest.fixture(scope="module", autouse=True)
def _gitlab_ci_local() -> None:
    """Skip locally without the tools; under CI=true they are required, so fail instead."""
    missing = _missing_tools()
    if missing:
        message = (
            f"gitlab-ci-local needs {', '.join(missing)} (apt-get install rsync; Node for npx)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # The first npx run downloads Node 22 and gitlab-ci-local; do it once, outside any pipeline.
    warm = subprocess.run(
        [*shlex.split(GCL), "gitlab-ci-local --version"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert warm.returncode == 0, warm.stdout + warm.stderr


@dataclass
class Sim:
    url: str
    token: str


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    log = tmp_path_factory.mktemp("sim") / "stderr.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipeline.sim",
                "serve",
                "--port",
                "0",
                "--profile",
                "demo",
                "--now",
                NOW,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first, f"the simulator did not start: {log.read_text()}"
        line = json.loads(first)
        yield Sim(url=line["url"], token=line["token"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _project_files() -> list[str]:
    """What a clone would hold: tracked plus new, not ignored files (the lead commits later)."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({name for name in out.split("\0") if name and (ROOT / name).is_file()})


def _make_repo(where: Path) -> Path:
    """A git repo on `main` with this project's files and the simulator's roster."""
    repo = where / "repo"
    for name in _project_files():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    shutil.copy(ROOT / "pipeline/sim/sample_teams.csv", repo / "teams.csv")
    shutil.copy(ROOT / "pipeline/sim/sample_bots.txt", repo / "bots.txt")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "leaderboard"], cwd=repo, check=True)
    return repo


@dataclass
class Pipeline:
    repo: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def artifacts(self) -> Path:
        return self.repo / ".gitlab-ci-local" / "artifacts"

    def job_artifacts(self, holding: str) -> list[Path]:
        """Artifact folders (one per job instance) that contain the path `holding`."""
        found = {
            p.relative_to(self.artifacts).parts[0] for p in self.artifacts.glob(f"*/{holding}")
        }
        return [self.artifacts / job for job in sorted(found)]


def _run_pipeline(repo: Path, source: str, variables: dict[str, str], *extra: str) -> Pipeline:
    args = [
        "gitlab-ci-local",
        "--shell-isolation",
        "--force-shell-executor",
        "--no-artifacts-to-source",
        "--ignore-predefined-vars",
        "CI_PIPELINE_SOURCE",
        "--variable",
        f"CI_PIPELINE_SOURCE={source}",
        *extra,
    ]
    for key, value in variables.items():
        args += ["--variable", f"{key}={value}"]
    result = subprocess.run(
        [*shlex.split(GCL), shlex.join(args)],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return Pipeline(repo, result.returncode, result.stdout, result.stderr)


def _schedule_variables(sim: Sim, previous: Path, **more: str) -> dict[str, str]:
    return {
        "GITLAB_URL": sim.url,
        "GITLAB_TOKEN": sim.token,
        "LEADERBOARD_GROUPS": "acme",
        "LEADERBOARD_VENV": VENV,
        # gitlab-ci-local has no job artifacts API: the fetch step reads this folder instead,
        # laid out like the previous run's extract artifacts (empty: there was no previous run).
        "LEADERBOARD_PREVIOUS_ARTIFACTS": str(previous),
        **more,
    }


def _no_previous(repo: Path) -> Path:
    empty = repo.parent / "no-previous-artifacts"
    empty.mkdir(exist_ok=True)
    return empty


def _manifests(run: Pipeline) -> list[dict[str, object]]:
    paths = sorted(run.artifacts.glob("*/data/**/manifest.json"))
    return [json.loads(p.read_text()) for p in paths]


def _marts(run: Pipeline) -> dict[str, pl.DataFrame]:
    (build,) = run.job_artifacts("data/marts/build.json")
    return {p.stem: pl.read_parquet(p) for p in sorted((build / "data/marts").glob("*.parquet"))}


@pytest.fixture(scope="module")
def first_run(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    repo = _make_repo(tmp_path_factory.mktemp("first"))
    variables = _schedule_variables(sim, _no_previous(repo), LEADERBOARD_AS_OF=AS_OF)
    run = _run_pipeline(repo, "schedule", variables)
    assert run.returncode == 0, run.output
    return run


@pytest.fixture(scope="module")
def sharded_run(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    repo = _make_repo(tmp_path_factory.mktemp("sharded"))
    variables = _schedule_variables(sim, _no_previous(repo), LEADERBOARD_AS_OF=AS_OF)
    run = _run_pipeline(repo, "schedule", variables, "--input", "parallel=3")
    assert run.returncode == 0, run.output
    return run


def test_a_schedule_pipeline_publishes_the_site(first_run: Pipeline) -> None:
    (pages,) = first_run.job_artifacts("public/index.html")
    assert pages.name == "pages"
    page = (pages / "public/index.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert sorted(p.name for p in (pages / "public/data").iterdir())
    (manifest,) = _manifests(first_run)
    assert (manifest["status"], manifest["mode"]) == ("complete", "full")
    assert manifest["scope"] == {"groups": ["acme"], "projects": []}


def test_three_shards_give_the_marts_of_an_unsharded_run(
    first_run: Pipeline, sharded_run: Pipeline
) -> None:
    shards = sharded_run.job_artifacts("data/shard-*/manifest.json")
    assert len(shards) == 3, sharded_run.output
    # Each shard extracted its own, non-empty share of the six projects.
    shares = [
        sorted(pl.read_parquet(path)["id"].to_list())
        for path in sorted(sharded_run.artifacts.glob("*/data/shard-*/raw/projects/*.parquet"))
    ]
    assert len(shares) == 3 and all(shares), shares
    assert sorted(pid for share in shares for pid in share) == list(range(101, 109))
    unsharded, sharded = _marts(first_run), _marts(sharded_run)
    assert {"leaderboard_users", "leaderboard_teams", "contributions"} <= set(unsharded)
    assert sorted(sharded) == sorted(unsharded)
    for name, frame in unsharded.items():
        assert sharded[name].equals(frame), name
    assert len(unsharded["contributions"]) > 0


def test_a_failed_extraction_publishes_nothing(
    sim: Sim, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = _make_repo(tmp_path_factory.mktemp("failed"))
    variables = _schedule_variables(sim, _no_previous(repo), GITLAB_TOKEN="wrong-token-value")
    run = _run_pipeline(repo, "schedule", variables)
    assert run.returncode != 0
    assert "401" in run.output and "wrong-token-value" not in run.output
    # needs: keeps build and pages from running, so the live site stays as it was.
    assert not run.job_artifacts("data/marts/build.json")
    assert not run.job_artifacts("public/index.html")


def _mutate(sim: Sim, op: str, **args: object) -> object:
    response = requests.post(
        f"{sim.url}/_sim/mutate",
        headers={"PRIVATE-TOKEN": sim.token},
        json={"op": op, **args},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def test_a_second_schedule_pipeline_runs_incrementally(
    first_run: Pipeline, sharded_run: Pipeline, sim: Sim, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The org moves on after the runs that compare against the unchanged org (sharded_run).
    _mutate(sim, "advance", seconds=3600)
    new_commits = _mutate(sim, "add_commits", project="acme/app", n=3, author="alice")
    merged = _mutate(sim, "merge_old_branch", project="acme/platform/api", n=2, author="bob")
    assert isinstance(new_commits, list) and isinstance(merged, dict)
    # Where the fetch step finds the previous state: the first run's extract job artifacts.
    (extract,) = first_run.job_artifacts("data/manifest.json")
    repo = _make_repo(tmp_path_factory.mktemp("second"))
    variables = _schedule_variables(sim, extract, LEADERBOARD_AS_OF=LATER_AS_OF)
    run = _run_pipeline(repo, "schedule", variables)
    assert run.returncode == 0, run.output
    (manifest,) = _manifests(run)
    assert (manifest["status"], manifest["mode"]) == ("complete", "incremental")
    assert run.job_artifacts("public/index.html")
    # The new work, including old-dated commits merged from a long-lived branch, is on the board.
    commits = _marts(run)["contributions"].filter(pl.col("kind") == "commit")
    counted = dict(zip(commits["item_id"].to_list(), commits["username"].to_list(), strict=True))
    expected = {sha: "alice" for sha in new_commits} | {sha: "bob" for sha in merged["commits"]}
    assert {sha: counted.get(sha) for sha in expected} == expected


def _branch(repo: Path, name: str, path: str, line: str) -> None:
    """A branch off main that appends `line` to `path`, as an MR would change it."""
    subprocess.run(["git", "checkout", "-q", "-b", name, "main"], cwd=repo, check=True)
    with (repo / path).open("a", encoding="utf-8") as handle:
        handle.write(line)
    subprocess.run([*GIT, "commit", "-q", "-am", f"Change {path}"], cwd=repo, check=True)


def _listed_jobs(run: Pipeline) -> set[str]:
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith("name "))
    return {line.split("  ")[0].strip() for line in lines[start + 1 :]}


@pytest.fixture(scope="module")
def rules_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = _make_repo(tmp_path_factory.mktemp("rules"))
    # rules:changes compares an MR branch against origin/main, the MR's target.
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=repo, check=True)
    _branch(repo, "roster-change", "teams.csv", "Platform,newbie,,,\n")
    _branch(repo, "bots-change", "bots.txt", "another-bot\n")
    _branch(repo, "code-change", "pipeline/__init__.py", "\n")
    return repo


SCHEDULED = {
    "leaderboard:validate",
    "leaderboard:extract: [1/1]",
    "leaderboard:build",
    "pages",
}


@pytest.mark.parametrize(
    ("branch", "source", "expected"),
    [
        ("main", "schedule", SCHEDULED),
        ("main", "web", SCHEDULED),
        ("main", "api", SCHEDULED),
        ("main", "trigger", SCHEDULED),
        ("main", "push", {"test"}),
        ("roster-change", "merge_request_event", {"leaderboard:validate", "leaderboard:preview"}),
        ("bots-change", "merge_request_event", {"leaderboard:validate", "leaderboard:preview"}),
        ("code-change", "merge_request_event", {"test"}),
        ("code-change", "schedule", set()),
    ],
)
def test_rules_pick_the_jobs_for_each_pipeline_source(
    rules_repo: Path, branch: str, source: str, expected: set[str]
) -> None:
    subprocess.run(["git", "checkout", "-q", branch], cwd=rules_repo, check=True)
    run = _run_pipeline(rules_repo, source, {}, "--list")
    assert run.returncode == 0, run.output
    assert _listed_jobs(run) == expected, run.output


def test_a_merge_request_with_a_broken_roster_fails_validation(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    repo = _make_repo(tmp_path_factory.mktemp("mr"))
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=repo, check=True)
    _branch(repo, "broken-roster", "teams.csv", "Platform,not a user,,2026-01-01,2025-01-01\n")
    variables = {
        "LEADERBOARD_VENV": VENV,
        "CI_MERGE_REQUEST_IID": "7",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
    }
    run = _run_pipeline(repo, "merge_request_event", variables)
    assert run.returncode != 0, run.output
    (validate,) = run.job_artifacts("reports/teams-junit.xml")
    report = ET.parse(validate / "reports/teams-junit.xml").getroot()
    failures = [(f.get("message") or "") + (f.text or "") for f in report.iter("failure")]
    assert any("teams.csv:" in failure for failure in failures), failures
    # The preview needs a valid roster, so it never ran.
    assert not run.job_artifacts("preview/leaderboard-preview.md")


def test_a_merge_request_with_a_valid_roster_change_gets_a_preview(
    first_run: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = _make_repo(tmp_path_factory.mktemp("preview"))
    # The preview job fetches the target branch from origin, as in a GitLab MR pipeline.
    subprocess.run(["git", "remote", "add", "origin", str(repo)], cwd=repo, check=True)
    subprocess.run(["git", "fetch", "-q", "origin"], cwd=repo, check=True)
    _branch(repo, "add-mallory", "teams.csv", "Data,mallory,,,\n")
    (extract,) = first_run.job_artifacts("data/manifest.json")
    variables = {
        "LEADERBOARD_VENV": VENV,
        "LEADERBOARD_PREVIOUS_ARTIFACTS": str(extract),
        "CI_MERGE_REQUEST_IID": "7",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
    }
    run = _run_pipeline(repo, "merge_request_event", variables)
    assert run.returncode == 0, run.output
    (preview,) = run.job_artifacts("preview/leaderboard-preview.md")
    report = (preview / "preview/leaderboard-preview.md").read_text(encoding="utf-8")
    assert "mallory" in report


def _repo_without_roster_on_main(where: Path) -> Path:
    """main has no teams.csv yet; the branch `add-roster` adds it, as the set-up's first MR."""
    repo = _make_repo(where)
    subprocess.run(["git", "rm", "-q", "teams.csv"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "No roster yet"], cwd=repo, check=True)
    subprocess.run(["git", "remote", "add", "origin", str(repo)], cwd=repo, check=True)
    subprocess.run(["git", "fetch", "-q", "origin"], cwd=repo, check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "add-roster", "main"], cwd=repo, check=True)
    shutil.copy(ROOT / "pipeline/sim/sample_teams.csv", repo / "teams.csv")
    subprocess.run(["git", "add", "teams.csv"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "Add the roster"], cwd=repo, check=True)
    return repo


def _mr_variables(previous: Path) -> dict[str, str]:
    return {
        "LEADERBOARD_VENV": VENV,
        "LEADERBOARD_PREVIOUS_ARTIFACTS": str(previous),
        "CI_MERGE_REQUEST_IID": "1",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
    }


def test_the_merge_request_that_adds_the_roster_gets_a_preview(
    first_run: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The target branch has no teams.csv: `git show` of it used to stop the job (exit 128)
    before the preview, which compares against an empty roster in that case, could run."""
    repo = _repo_without_roster_on_main(tmp_path_factory.mktemp("add-roster"))
    (extract,) = first_run.job_artifacts("data/manifest.json")
    run = _run_pipeline(repo, "merge_request_event", _mr_variables(extract))
    assert run.returncode == 0, run.output
    assert "teams.csv is not on main yet: the preview compares against an empty roster" in (
        run.output
    )
    (preview,) = run.job_artifacts("preview/leaderboard-preview.md")
    report = (preview / "preview/leaderboard-preview.md").read_text(encoding="utf-8")
    assert "preview/base-teams.csv does not exist on the base branch" in report
    assert "| alice | joins | — | Platform |" in report


def test_a_merge_request_before_the_first_scheduled_run_passes_with_a_note(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A new project's first MR: no extraction to preview against yet is not a failure."""
    repo = _repo_without_roster_on_main(tmp_path_factory.mktemp("first-mr"))
    run = _run_pipeline(repo, "merge_request_event", _mr_variables(_no_previous(repo)))
    assert run.returncode == 0, run.output
    (preview,) = run.job_artifacts("preview/leaderboard-preview.md")
    assert (preview / "preview/leaderboard-preview.md").read_text(encoding="utf-8") == (
        "No scheduled run has extracted data yet, so this change cannot be previewed.\n"
        "The roster is valid (see leaderboard:validate); run the pipeline on the default branch "
        "once to get previews.\n"
    )


def test_gitlab_ci_local_keeps_artifacts_that_name_people_for_developers(
    rules_repo: Path,
) -> None:
    """gitlab-ci-local expands the component as GitLab does: the extract, build and preview
    jobs' artifacts carry `access: developer` (tests/test_ci_schema.py: the schema's values)."""
    subprocess.run(["git", "checkout", "-q", "main"], cwd=rules_repo, check=True)
    run = _run_pipeline(rules_repo, "schedule", {}, "--preview")
    assert run.returncode == 0, run.output
    config = yaml.safe_load(run.stdout[run.stdout.index("---") :] if "---" in run.stdout
                            else run.stdout)  # fmt: skip
    access = {
        name: job["artifacts"].get("access")
        for name, job in config.items()
        if isinstance(job, dict) and "artifacts" in job
    }
    assert access["leaderboard:extract"] == "developer"
    assert access["leaderboard:build"] == "developer"
    assert access["leaderboard:preview"] == "developer"
    assert access["pages"] is None
