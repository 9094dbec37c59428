"""The benchmark's processes: the simulator in its own process, and the measured commands."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pipeline.bench.scenario import GROUP, SCENARIO_FILE, Scenario
from pipeline.config import Settings
from pipeline.errors import LeaderboardError
from pipeline.sim.control import SimControl
from pipeline.times import format_utc

log = logging.getLogger("leaderboard.bench")

SEED = 7
ROSTER_PEOPLE = 500

#: The repository root, so `python -m pipeline` works from any working directory.
ROOT = str(Path(__file__).resolve().parents[2])
#: Variables of the calling environment that would change what the child extracts.
_OURS = ("LEADERBOARD_", "GITLAB_", "CI_")
_ELAPSED = re.compile(r"extract \((?:full|incremental)\) complete in ([0-9.]+)s")


def _tail(log: Path) -> str:
    lines = log.read_text("utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else "(no output)"


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """The caller's environment without any leaderboard or CI settings, plus `extra`.

    Not settings: the child processes inherit the machine's environment (PATH, proxies, CA
    bundle) as any subprocess would; what they extract is set only by `extra`.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


def start(
    work: Path,
    scale: float,
    latency_ms: float,
    max_rpm: float | None,
    now: dt.datetime,
    since: dt.date,
) -> tuple[Scenario, SimProcess]:
    """Generate the scenario and start the simulator side by side (each builds the dataset)."""
    stamp = format_utc(now, "seconds")
    common = ["--scale", f"{scale:g}", "--seed", str(SEED), "--now", stamp]
    scenario_args = ["--out", str(work), "--since", since.isoformat()]
    scenario_args += ["--people", str(ROSTER_PEOPLE)]
    prepare = subprocess.Popen(
        [sys.executable, "-m", "pipeline.bench.scenario", *scenario_args, *common],
        env=child_env({}),
    )
    # --warm: items are rendered once before serving, so the timed run measures the extractor
    args = ["--profile", "bench", "--warm", *common, "--latency-ms", f"{latency_ms:g}"]
    args += ["--users-get-by-id-limit", "0"]
    if max_rpm:
        # a small burst: a tenth of a minute's quota, as GitLab's limiter allows a little
        burst = max(1, round(max_rpm / 60))
        args += ["--rate-limit-rpm", str(round(max_rpm)), "--rate-limit-burst", str(burst)]
    log.info("generating the bench organisation (scale %g) in two processes", scale)
    try:
        sim = SimProcess(args, work / "sim.log")
    finally:
        code = prepare.wait()
    if code != 0:
        sim.stop()
        raise LeaderboardError(f"generating the bench scenario failed (exit {code})")
    return Scenario.load(work / SCENARIO_FILE), sim


def bench_env(
    sim: SimProcess, work: Path, workers: int, since: dt.date, settings: Settings
) -> dict[str, str]:
    """What every measured command runs with: the simulator, the bench roster, folders in
    `work`, and only the caller's retry settings."""
    return child_env(
        {
            "GITLAB_URL": sim.url,
            "GITLAB_TOKEN": sim.token,
            "LEADERBOARD_GROUPS": GROUP,
            "LEADERBOARD_TEAMS": str(work / "teams.csv"),
            "LEADERBOARD_BOTS": str(work / "bots.txt"),
            "LEADERBOARD_DATA_DIR": str(work / "data"),
            "LEADERBOARD_PUBLIC_DIR": str(work / "public"),
            "LEADERBOARD_WORKERS": str(workers),
            "LEADERBOARD_SINCE": since.isoformat(),
            "LEADERBOARD_RETRY_ATTEMPTS": str(settings.retry_attempts),
            "LEADERBOARD_BACKOFF_BASE": str(settings.backoff_base),
            "LEADERBOARD_BACKOFF_CAP": str(settings.backoff_cap),
            # the simulator's users_get_by_id limit is off (`start`): as for a token on the
            # instance's allowlist, or 500 first look-ups would wait 10 minutes
            "LEADERBOARD_USER_LOOKUP_LIMIT": "0",
        }
    )


class SimProcess:
    """`python -m pipeline.sim serve ...` in a child process, driven through its control routes."""

    def __init__(self, args: list[str], log: Path) -> None:
        self._log: IO[bytes] = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.sim", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=child_env({}),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise LeaderboardError(f"the benchmark's simulator did not start: {_tail(log)}")
        hello = json.loads(line)
        self.url: str = hello["url"]
        self.token: str = hello["token"]
        self._control = SimControl(self.url, self.token)

    def control(self, route: str, body: dict[str, Any] | None = None) -> Any:
        return self._control.call(route, body)

    def stats(self) -> dict[str, Any]:
        return self._control.stats()

    def reset(self) -> None:
        self._control.reset()

    def mutate(self, op: str, **args: Any) -> Any:
        return self._control.mutate(op, **args)

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the simulator process so far (Linux /proc), else None."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass
class Timeline:
    """/_sim/stats sampled while the extractor runs: when each route was busy, how full the
    pool was. Says where the wall time went without asking the extractor anything."""

    samples: list[tuple[float, dict[str, int], int]] = field(default_factory=list)

    def spans(self) -> dict[str, tuple[float, float]]:
        """Route -> (first, last) second at which its request count grew."""
        out: dict[str, tuple[float, float]] = {}
        before: dict[str, int] = {}
        for at, by_route, _ in self.samples:
            for route, count in by_route.items():
                if count > before.get(route, 0):
                    first = out.get(route, (at, at))[0]
                    out[route] = (first, at)
            before = by_route
        return out

    def mean_in_flight(self) -> float:
        values = [in_flight for _, _, in_flight in self.samples]
        return sum(values) / len(values) if values else 0.0


class Sampler(threading.Thread):
    """Polls the simulator's stats every `interval` seconds until stopped."""

    def __init__(self, sim: SimProcess, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.sim, self.interval = sim, interval
        self.timeline = Timeline()
        self._stop_event = threading.Event()
        self._start = time.monotonic()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            stats = self.sim.stats()
            at = time.monotonic() - self._start
            self.timeline.samples.append((at, stats["by_route"], int(stats["in_flight"])))

    def stop(self) -> Timeline:
        self._stop_event.set()
        self.join()
        return self.timeline


@dataclass
class ChildRun:
    """One measured `python -m pipeline extract`."""

    returncode: int
    wall: float  # seconds, process start to exit
    peak_rss_mb: float
    cpu: float  # user + system seconds of the extractor process
    stderr: str
    manifest: dict[str, Any] | None
    server: dict[str, Any] = field(default_factory=dict)  # /_sim/stats after the run
    server_cpu: float | None = None  # CPU seconds the simulator spent during the run
    timeline: Timeline | None = None
    #: each line of its output and the seconds after the start it came (`run_measured(timed=)`)
    lines: list[tuple[float, str]] = field(default_factory=list)

    def longest_gap(self, marker: str) -> float:
        """The longest the command went without a line holding `marker`: from its start to the
        first, between two, from the last to its exit."""
        marks = [0.0, *(at for at, text in self.lines if marker in text), self.wall]
        return max(b - a for a, b in itertools.pairwise(marks))

    @property
    def extract_seconds(self) -> float | None:
        """The extractor's own account of its run (without interpreter start-up), if logged."""
        found = _ELAPSED.findall(self.stderr)
        return float(found[-1]) if found else None

    def error_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.startswith("error:")]
        return lines[-1] if lines else (self.stderr.strip().splitlines() or ["(no output)"])[-1]


def run_measured(
    args: list[str], env: dict[str, str], cwd: Path, log: Path, *, timed: bool = False
) -> ChildRun:
    """Run `python -m pipeline ARGS` and measure wall time and peak RSS from its rusage; with
    `timed`, also when each line of its output came (read through a pipe as it is written)."""
    lines: list[tuple[float, str]] = []
    with log.open("wb") as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if timed else err,
            stderr=subprocess.STDOUT,
        )
        if proc.stdout is not None:
            with proc.stdout:
                for line in proc.stdout:
                    lines.append((time.monotonic() - started, line.decode("utf-8", "replace")))
                    err.write(line)
        # wait4 reaps the child and returns its own resource usage (ru_maxrss in KiB on Linux)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    manifest_path = Path(env["LEADERBOARD_DATA_DIR"]) / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else None
    return ChildRun(
        returncode=proc.returncode,
        wall=wall,
        peak_rss_mb=usage.ru_maxrss / 1024,
        cpu=usage.ru_utime + usage.ru_stime,
        stderr=log.read_text("utf-8", errors="replace"),
        manifest=manifest,
        lines=lines,
    )
