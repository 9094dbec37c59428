"""The extract stage: GitLab in (only through extract/gitlab/); data/raw Parquet, data/state and
data/manifest.json out, swapped in whole when the run succeeds."""
