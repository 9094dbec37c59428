"""`python -m pipeline.sim serve ...`: run the simulator in this process until killed."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import signal
import sys
from typing import Any

from pipeline.sim.org.config import SimConfig
from pipeline.sim.server import SimServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline.sim")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the simulated GitLab on 127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--profile", choices=["demo", "bench"], default="demo")
    serve.add_argument("--scale", type=float, default=1.0)
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument("--now", help="ISO 8601 instant, e.g. 2026-08-23T00:00:00Z")
    serve.add_argument("--token", default="sim-token")
    serve.add_argument("--noreply-domain")
    serve.add_argument("--latency-ms", type=float, default=0.0)
    serve.add_argument("--latency-per-item-ms", type=float, default=0.0)
    serve.add_argument("--max-concurrency", type=int, default=0)
    serve.add_argument("--concurrency-mode", choices=["queue", "502", "503"], default="queue")
    serve.add_argument("--rate-limit-rpm", type=int, default=0)
    serve.add_argument("--rate-limit-burst", type=int, default=0)
    serve.add_argument("--rate-limit-http-date", action="store_true")
    serve.add_argument("--fault-rate", type=float, default=0.0)
    serve.add_argument("--fault-kinds", default="503", help="comma-separated fault kinds")
    serve.add_argument("--fault-seed", type=int, default=0)
    serve.add_argument("--fault-routes", default="", help="comma-separated route names")
    serve.add_argument("--hang-seconds", type=float, default=30.0)
    serve.add_argument("--scripted-faults", default="[]", help="JSON list of fault rules")
    serve.add_argument("--max-offset", type=int, default=0, help="GitLab's max offset (0: none)")
    serve.add_argument("--events-count-cap", type=int, default=10_000)
    serve.add_argument("--hidden-events", type=float, default=0.0, help="share of unseen events")
    serve.add_argument("--time-zone", default="UTC", help="instance time zone, e.g. Etc/GMT+8")
    serve.add_argument(
        "--no-commit-trailers",
        dest="commit_trailers",
        action="store_false",
        help="commits without trailers fields, as older GitLab versions answer",
    )
    serve.add_argument(
        "--users-get-by-id-limit", type=int, default=300, help="/users/:id per interval (0: off)"
    )
    serve.add_argument("--users-get-by-id-interval", type=int, default=600, help="seconds")
    serve.add_argument(
        "--no-users-get-by-id-retry-after",
        dest="users_get_by_id_retry_after",
        action="store_false",
        help="its 429 without Retry-After, as older GitLab versions answer",
    )
    serve.add_argument("--warm", action="store_true", help="pre-render all items before serving")
    return parser


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """A SimConfig from parsed `serve` flags."""
    now = dt.datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else None
    knobs: dict[str, Any] = {
        "fault_kinds": [k for k in args.fault_kinds.split(",") if k],
        "fault_routes": [r for r in args.fault_routes.split(",") if r],
        "scripted_faults": json.loads(args.scripted_faults),
    }
    plain = (
        "latency_ms",
        "latency_per_item_ms",
        "max_concurrency",
        "concurrency_mode",
        "rate_limit_rpm",
        "rate_limit_burst",
        "rate_limit_http_date",
        "fault_rate",
        "fault_seed",
        "hang_seconds",
        "max_offset",
        "events_count_cap",
        "hidden_events",
        "time_zone",
        "commit_trailers",
        "users_get_by_id_limit",
        "users_get_by_id_interval",
        "users_get_by_id_retry_after",
    )
    knobs.update({name: getattr(args, name) for name in plain})
    cfg = SimConfig(
        profile=args.profile,
        scale=args.scale,
        seed=args.seed,
        now=now,
        token=args.token,
        port=args.port,
        noreply_domain=args.noreply_domain,
    )
    cfg.apply(knobs)
    return cfg


def main(argv: list[str] | None = None) -> int:
    """Parse flags, start serving, print `{"url", "token"}` once listening."""
    args = _parser().parse_args(argv)
    sim = SimServer(config_from_args(args))
    if args.warm:
        sim.warm()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(json.dumps({"url": sim.url, "token": sim.token}), flush=True)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        sim.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
