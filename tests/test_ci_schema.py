"""`.gitlab-ci.yml` and the CI/CD component pass GitLab's CI schema and keep their shape."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
COMPONENT = ROOT / "templates" / "leaderboard.yml"
INPUT = re.compile(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]")
JOBS = ("leaderboard:validate", "leaderboard:extract", "leaderboard:build", "leaderboard:preview")


class _Loader(yaml.SafeLoader):
    """GitLab YAML: `!reference [job, key]` becomes the plain list check-jsonschema expects."""


_Loader.add_constructor("!reference", lambda loader, node: loader.construct_sequence(node))


def _check_jsonschema(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.gitlab-ci", *extra, str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)


def _documents() -> tuple[dict[str, Any], dict[str, Any]]:
    docs = list(yaml.load_all(COMPONENT.read_text(encoding="utf-8"), Loader=_Loader))
    assert len(docs) == 2, "the component is a spec header and a job document"
    return docs[0], docs[1]


def _interpolate(value: Any, inputs: dict[str, Any]) -> Any:
    """GitLab's input interpolation: a whole `$[[ inputs.x ]]` keeps its type, else it is text."""
    if isinstance(value, dict):
        return {_interpolate(k, inputs): _interpolate(v, inputs) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, inputs) for v in value]
    if not isinstance(value, str):
        return value
    whole = INPUT.fullmatch(value.strip())
    if whole:
        return inputs[whole.group(1)]
    return INPUT.sub(lambda m: str(inputs[m.group(1)]), value)


def _rendered(**overrides: Any) -> dict[str, Any]:
    header, body = _documents()
    inputs = {name: spec["default"] for name, spec in header["spec"]["inputs"].items()}
    inputs.update(overrides)
    rendered: dict[str, Any] = _interpolate(body, inputs)
    return rendered


def _rules_text(job: dict[str, Any]) -> str:
    return json.dumps(job.get("rules", []))


def test_gitlab_ci_yml_passes_the_gitlab_ci_schema() -> None:
    result = _check_jsonschema(ROOT / ".gitlab-ci.yml", "--data-transform", "gitlab-ci")
    assert result.returncode == 0, result.stdout + result.stderr


def test_component_spec_header_passes_the_schema(tmp_path: Path) -> None:
    header, _ = _documents()
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(header), encoding="utf-8")
    result = _check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "overrides",
    [{}, {"parallel": 3, "groups": "acme", "max_rpm": "600", "stage_pages": "deploy"}],
    ids=["defaults", "sharded"],
)
def test_component_jobs_pass_the_schema_with_inputs_substituted(
    tmp_path: Path, overrides: dict[str, Any]
) -> None:
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(_rendered(**overrides)), encoding="utf-8")
    result = _check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_component_inputs_are_declared_used_and_well_formed() -> None:
    header, body = _documents()
    assert set(header) == {"spec"} and set(header["spec"]) == {"inputs"}
    inputs = header["spec"]["inputs"]
    used = set(INPUT.findall(COMPONENT.read_text(encoding="utf-8").split("\n---\n", 1)[1]))
    assert used == set(inputs), "every input is used and every use is declared"
    for name, spec in inputs.items():
        assert set(spec) <= {"description", "default", "type", "options", "regex"}, name
        assert "default" in spec, f"{name}: the component works with no inputs given"
        kind = spec.get("type", "string")
        assert kind in ("string", "number", "boolean", "array"), name
        python_type = {"string": str, "number": int, "boolean": bool, "array": list}[kind]
        assert isinstance(spec["default"], python_type), name
        if "regex" in spec:
            assert re.search(spec["regex"], str(spec["default"])), name
    assert inputs["parallel"] == {
        "description": inputs["parallel"]["description"],
        "type": "number",
        "default": 1,
    }
    assert body["leaderboard:extract"]["parallel"] == "$[[ inputs.parallel ]]"


def test_component_pipeline_shape() -> None:
    jobs = _rendered()
    assert set(JOBS) | {"pages"} <= set(jobs)
    image = jobs[".leaderboard-job"]["image"]
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+", image), f"pin the image: {image}"
    assert jobs[".leaderboard-job"]["cache"]["paths"] == [".cache/pip"]
    # Roster MRs validate and preview; only default-branch schedule/web/api/trigger runs extract.
    assert "merge_request_event" in _rules_text(jobs[".leaderboard-roster-mr-rules"])
    scheduled = _rules_text(jobs[".leaderboard-scheduled-rules"])
    assert "schedule|web|api|trigger" in scheduled and "CI_DEFAULT_BRANCH" in scheduled
    validate = jobs["leaderboard:validate"]
    assert validate["artifacts"]["reports"]["junit"] == "reports/teams-junit.xml"
    assert validate["artifacts"]["when"] == "always"
    assert jobs["leaderboard:preview"]["artifacts"]["expose_as"] == "leaderboard preview"
    needs = [n["job"] for n in jobs["pages"]["needs"]]
    assert needs == ["leaderboard:extract", "leaderboard:build"]
    assert jobs["pages"]["artifacts"]["paths"] == ["public"]
    # State writers and the publisher are never cancelled half-way; read-only jobs may be.
    interruptible = {name: jobs[name]["interruptible"] for name in (*JOBS, "pages")}
    assert interruptible == {
        "leaderboard:validate": True,
        "leaderboard:extract": False,
        "leaderboard:build": False,
        "leaderboard:preview": True,
        "pages": False,
    }
    for name in ("leaderboard:extract", "leaderboard:build", "pages"):
        assert jobs[name]["resource_group"].startswith("leaderboard-"), name
    for name in (*JOBS, "pages"):
        assert jobs[name]["artifacts"]["expire_in"], name


def test_gitlab_ci_yml_includes_the_component_with_valid_inputs() -> None:
    config = yaml.load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"), Loader=_Loader)
    header, body = _documents()
    (include,) = [i for i in config["include"] if i.get("local") == "templates/leaderboard.yml"]
    assert set(include["inputs"]) <= set(header["spec"]["inputs"])
    stages = {
        _interpolate(job["stage"], {k: v["default"] for k, v in header["spec"]["inputs"].items()})
        for name, job in body.items()
        if not name.startswith(".")
    }
    assert stages <= set(config["stages"]), "every component stage is declared"


def test_artifacts_that_name_people_are_for_developers_only(tmp_path: Path) -> None:
    """The extract, build and preview jobs' artifacts name people (raw emails, every person's
    marts, the preview): `artifacts:access: developer` (GitLab 16.11+) keeps them from everyone
    on a public project; the site's own artifact stays public. The schema knows the keyword's
    values, so a wrong one fails it (checked here, so the first check means something)."""
    jobs = _rendered()
    access = {name: job["artifacts"].get("access") for name, job in jobs.items()
              if isinstance(job, dict) and "artifacts" in job}  # fmt: skip
    assert access == {
        "leaderboard:validate": None,
        "leaderboard:extract": "developer",
        "leaderboard:build": "developer",
        "leaderboard:preview": "developer",
        "pages": None,
    }
    wrong = json.loads(json.dumps(jobs))
    wrong["leaderboard:build"]["artifacts"]["access"] = "members"
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(wrong), encoding="utf-8")
    result = _check_jsonschema(path)
    assert result.returncode != 0 and "'members' is not one of" in result.stdout
