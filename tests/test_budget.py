"""GitLab's size limits: publish, extract and build fail before passing them, one line naming the
size, the limit and the way out, and leave public/ and data/ exactly as they were."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest

from pipeline import budget
from pipeline.cli import main
from pipeline.config import Settings
from pipeline.sim import SimConfig, SimServer
from pipeline.site.publish import run_publish
from tests.run_support import AS_OF, NOW, demo_env, tree_hashes
from tests.site.data import write_data_dir

SOON = dt.datetime(2026, 8, 23, 1, tzinfo=dt.UTC)


def test_usage_counts_bytes_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.parquet").write_bytes(b"x" * 3000)
    (tmp_path / "a" / "y.json").write_bytes(b"{}")
    (tmp_path / "a" / "link").symlink_to(tmp_path / "a" / "b" / "x.parquet")
    assert budget.usage(tmp_path) == budget.Usage(bytes=3002, files=2, entries=5)
    assert budget.usage(tmp_path / "missing") == budget.Usage()
    assert budget.Usage(3002, 2, 5).archive_bytes == 3002 + 5 * 512 + 3


def published_size(tmp_path: Path) -> budget.Usage:
    """What the test site weighs, from a publish with no limit."""
    write_data_dir(tmp_path / "reference" / "data")
    site = run_publish(
        Settings(data_dir=tmp_path / "reference" / "data", public_dir=tmp_path / "reference" / "p"),
        now=SOON,
    )
    return budget.usage(site)


def old_site(tmp_path: Path) -> dict[str, str]:
    """data/ with the test marts and a public/ already published; their hashes."""
    write_data_dir(tmp_path / "data")
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text("the live site", encoding="utf-8")
    return tree_hashes(tmp_path)


def test_publish_past_the_pages_limit_names_size_limit_and_setting(tmp_path: Path) -> None:
    size = published_size(tmp_path).bytes
    before = old_site(tmp_path)
    limit = size / budget.MB * 0.9
    settings = Settings(
        data_dir=tmp_path / "data", public_dir=tmp_path / "public", pages_max_mb=limit
    )
    with pytest.raises(budget.BudgetError) as caught:
        run_publish(settings, now=SOON)
    assert str(caught.value) == (
        f"the Pages site would be {size / budget.MB:.1f} MB ({tmp_path / 'public'}/), over the "
        f"{limit:g} MB LEADERBOARD_PAGES_MAX_MB allows (GitLab's maximum Pages size): raise it "
        f"to at least {math.ceil(size / budget.MB)} together with the instance's maximum size of "
        "Pages sites; the published site was not changed"
    )
    assert tree_hashes(tmp_path) == before


def test_publish_past_the_artifact_limit_names_its_setting(tmp_path: Path) -> None:
    used = published_size(tmp_path)
    before = old_site(tmp_path)
    limit = used.bytes / budget.MB  # the files fit; with the archive's headers they do not
    settings = Settings(
        data_dir=tmp_path / "data",
        public_dir=tmp_path / "public",
        pages_max_mb=limit,
        artifact_max_mb=limit,
    )
    with pytest.raises(budget.BudgetError) as caught:
        run_publish(settings, now=SOON)
    archive = used.archive_bytes
    assert str(caught.value) == (
        f"the pages job's artifact ({tmp_path / 'public'}/) would be "
        f"{archive / budget.MB:.1f} MB, over the {limit:g} MB LEADERBOARD_ARTIFACT_MAX_MB allows "
        f"(GitLab's maximum artifacts size of a job): raise it to at least "
        f"{math.ceil(archive / budget.MB)} together with the instance's maximum artifacts size; "
        "the published site was not changed"
    )
    assert tree_hashes(tmp_path) == before


def test_publish_past_the_file_entries_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = published_size(tmp_path).entries
    before = old_site(tmp_path)
    monkeypatch.setattr(budget, "PAGES_FILE_ENTRIES", entries - 1)
    with pytest.raises(budget.BudgetError) as caught:
        run_publish(Settings(data_dir=tmp_path / "data", public_dir=tmp_path / "public"), SOON)
    assert str(caught.value) == (
        f"the Pages site would hold {entries} files and folders ({tmp_path / 'public'}/), over "
        f"GitLab's {entries - 1} (pages_file_entries); the published site was not changed"
    )
    assert tree_hashes(tmp_path) == before


def test_the_cli_says_it_in_one_error_line_and_zero_turns_the_check_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = old_site(tmp_path)
    env = {
        "LEADERBOARD_DATA_DIR": str(tmp_path / "data"),
        "LEADERBOARD_PUBLIC_DIR": str(tmp_path / "public"),
        "LEADERBOARD_PAGES_MAX_MB": "0.01",
    }
    assert main(["publish"], env) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: the Pages site would be 0.")
    assert "over the 0.01 MB LEADERBOARD_PAGES_MAX_MB allows" in err[0]
    assert tree_hashes(tmp_path) == before
    assert main(["publish"], {**env, "LEADERBOARD_PAGES_MAX_MB": "0"}) == 0
    assert main(["publish"], {**env, "LEADERBOARD_PAGES_MAX_MB": "-1"}) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: LEADERBOARD_PAGES_MAX_MB must be at least 0, not -1"
    )


def write_parts(root: Path, parts: dict[str, int]) -> None:
    for name, size in parts.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * size)


def test_the_shards_that_would_do_spread_the_projects_not_what_stays_with_one(
    tmp_path: Path,
) -> None:
    """Projects' folders spread over the shards; group listings, users, state and the
    manifest stay with one shard (group listings go to shard 1)."""
    mb = budget.MB
    write_parts(
        tmp_path,
        {
            "raw/commits/p1/r.parquet": 30 * mb,
            "raw/commits/p2/r.parquet": 30 * mb,
            "raw/events/p1/approved/r.parquet": 20 * mb,
            "raw/merge_requests/g9/r.parquet": 15 * mb,
            "raw/users/users.parquet": mb,
            "state/state.json": mb,
        },
    )
    one = Settings(artifact_max_mb=100)
    # 80 MB spread over shards that each hold at most 90 MB less the 17 that stay: 80 / 73
    # 17 MB in 10 entries (raw, its four tables' folders, g9, state and the three files) stay
    stays = 17 * mb + 10 * 512 + 97 * mb // 1000 - 80 * mb // 1000
    assert budget.shard_plan(one, tmp_path) == (2, stays)
    assert budget.shard_plan(Settings(artifact_max_mb=50, node_total=2), tmp_path) == (6, stays)
    assert budget.shard_plan(Settings(artifact_max_mb=18), tmp_path) == (None, stays)


@pytest.mark.parametrize("shards", [1, 2])
def test_extract_past_the_artifact_limit_names_the_shards_and_keeps_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shards: int
) -> None:
    ci = {"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": str(shards)} if shards > 1 else {}
    with SimServer(SimConfig(profile="demo", now=NOW)) as sim:
        env = demo_env(sim, tmp_path, **ci)
        assert main(["extract"], env) == 0
        before = tree_hashes(tmp_path / "data")
        own = tmp_path / "data" / ("shard-1" if shards > 1 else "")
        used = budget.usage(own)
        limit = round(used.archive_bytes / budget.MB * 0.8, 3)
        capsys.readouterr()
        assert main(["extract"], {**env, "LEADERBOARD_ARTIFACT_MAX_MB": str(limit)}) == 1
        (line,) = capsys.readouterr().err.splitlines()[-1:]
        # under what the group listings, users and state weigh, shards cannot help
        assert main(["extract"], {**env, "LEADERBOARD_ARTIFACT_MAX_MB": "0.01"}) == 1
        (tiny,) = capsys.readouterr().err.splitlines()[-1:]
    assert tree_hashes(tmp_path / "data") == before  # no staging folder left either
    assert re.search(
        r"allows \(GitLab's maximum artifacts size of a job\): more shards would not help "
        r"\(0\.\d MB of it stays with one shard: the group listings, users and state\); raise it "
        r"to at least 1 together",
        tiny,
    ), tiny
    shown = str(own).rstrip("/")
    found = re.fullmatch(
        rf"error: the extract job's artifact \({re.escape(shown)}/\) would be (\d+\.\d) MB, over "
        rf"the {limit:g} MB LEADERBOARD_ARTIFACT_MAX_MB allows \(GitLab's maximum artifacts "
        rf"size of a job\): run the extraction in at least (\d+) shards \(the CI component's "
        rf"`parallel` input, now {shards}\), or raise it to at least (\d+) together with the "
        rf"instance's maximum artifacts size; {re.escape(shown)}/ was not changed",
        line,
    )
    assert found, line
    # the incremental run weighs what a full one did, within the parts it carries over
    assert abs(float(found[1]) - used.archive_bytes / budget.MB) <= 0.1
    assert int(found[2]) > shards
    assert float(found[1]) - 0.05 <= int(found[3]) < float(found[1]) + 1.05


def test_build_past_the_artifact_limit_keeps_the_marts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SimServer(SimConfig(profile="demo", now=NOW)) as sim:
        env = demo_env(sim, tmp_path)
        assert main(["extract"], env) == 0
    assert main(["build", "--as-of", AS_OF], env) == 0
    marts = tmp_path / "data" / "marts"
    before = tree_hashes(tmp_path / "data")
    used = budget.usage(marts)
    limit = round(used.archive_bytes / budget.MB * 0.8, 3)
    capsys.readouterr()
    assert (
        main(["build", "--as-of", AS_OF], {**env, "LEADERBOARD_ARTIFACT_MAX_MB": str(limit)}) == 1
    )
    assert tree_hashes(tmp_path / "data") == before
    (line,) = capsys.readouterr().err.splitlines()[-1:]
    size = used.archive_bytes / budget.MB
    assert line == (
        f"error: the build job's artifact ({marts}/) would be {size:.1f} MB, over the {limit:g} MB "
        "LEADERBOARD_ARTIFACT_MAX_MB allows (GitLab's maximum artifacts size of a job): raise it "
        f"to at least {math.ceil(size)} together with the instance's maximum artifacts size; "
        f"{marts}/ was not changed"
    )
