"""An offline GitLab simulator (stdlib only): the REST routes the leaderboard uses, with knobs."""

from pipeline.sim.org.config import SimConfig
from pipeline.sim.org.roster import bench_roster_csv, sample_bots_txt, sample_teams_csv
from pipeline.sim.server import SimServer

__all__ = ["SimConfig", "SimServer", "bench_roster_csv", "sample_bots_txt", "sample_teams_csv"]
