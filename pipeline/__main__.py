"""`python -m pipeline` is the same as the `leaderboard` console script."""

from pipeline.cli import main

raise SystemExit(main())
