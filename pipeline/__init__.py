"""GitLab Team Leaderboard: extract GitLab activity to Parquet, build marts in DuckDB, publish."""

__version__ = "0.1.0"
