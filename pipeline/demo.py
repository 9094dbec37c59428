"""`leaderboard demo`: the whole pipeline against the bundled simulator and its sample roster."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from pipeline.config import Secret, Settings
from pipeline.sim import SimConfig, SimServer, sample_bots_txt, sample_teams_csv

log = logging.getLogger("leaderboard")

DEMO_DIR = Path("demo-output")
DEMO_GROUPS = ("acme",)
DEMO_PROJECTS = ("partners/shared-lib",)  # shared into acme, so named one by one


def demo_settings(settings: Settings, sim: SimServer, out: Path) -> Settings:
    """Settings pointed at the simulator, with the demo's own roster and output folders."""
    return settings.replace(
        gitlab_url=sim.url,
        gitlab_token=Secret(sim.token),
        groups=DEMO_GROUPS,
        projects=DEMO_PROJECTS,
        noreply_domain=None,
        full_refresh=True,  # each demo starts a fresh simulator, so nothing is incremental
        teams_file=out / "teams.csv",
        bots_file=out / "bots.txt",
        data_dir=out / "data",
        public_dir=out / "public",
        pipeline_url=None,
        node_index=1,
        node_total=1,
    )


def write_roster(sim: SimServer, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "teams.csv").write_text(sample_teams_csv(sim.dataset.now), encoding="utf-8")
    (out / "bots.txt").write_text(sample_bots_txt(), encoding="utf-8")


def run_demo(settings: Settings, keep_serving: bool = False, out: Path = DEMO_DIR) -> int:
    from pipeline.extract.command import run_extract
    from pipeline.marts.build import run_build
    from pipeline.site.publish import run_publish
    from pipeline.validate.command import validate_teams

    started = time.monotonic()
    with SimServer(SimConfig(profile="demo")) as sim:
        log.info("simulator listening on %s (sample organisation 'acme')", sim.url)
        write_roster(sim, out)
        local = demo_settings(settings, sim, out)
        run_extract(local)
        # validated after the extraction, so that its check of the roster's usernames finds
        # the leavers GitLab's username search hides through the work they left behind
        if validate_teams(local, junit=None) != 0:
            return 1
        run_build(local, as_of=None)
        index = run_publish(local) / "index.html"
        print(f"demo finished in {time.monotonic() - started:.1f}s")
        print(f"  raw data and manifest: {local.data_dir}/")
        print(f"  marts:                 {local.data_dir / 'marts'}/")
        print(f"  open the board:        {index.resolve().as_uri()}")
        if keep_serving:
            print(f"  the board's links to GitLab pages go to the simulator at {sim.url},")
            print("  which serves them until you press Ctrl-C")
            _serve_until_interrupted()
        else:
            print(f"  the board's links to GitLab pages go to the simulator at {sim.url},")
            print(f"  which stops now; `{_this_command()} --keep-serving` keeps it up for them")
    return 0


def _this_command() -> str:
    """How to run this demo again, as typed from here (`make demo` runs .venv/bin/leaderboard)."""
    script = Path(sys.argv[0])
    if script.name != "leaderboard":
        return "leaderboard demo"
    try:
        return f"{script.resolve().relative_to(Path.cwd().resolve())} demo"
    except ValueError:
        return "leaderboard demo"


def _serve_until_interrupted() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return
