"""The shared rate gate on a fake clock: pacing, header pacing, the shared pause, route caps."""

from __future__ import annotations

import pytest

from pipeline.extract.gitlab.throttle import Pace, Throttle, read_quota, route_of

WALL0 = 1_800_000_000.0  # epoch seconds at fake time 0


class FakeTime:
    """A clock that only moves when someone sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.reports: list[tuple[int, float]] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return WALL0 + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds

    def report(self, pauses: int, seconds: float) -> None:
        self.reports.append((pauses, round(seconds, 6)))

    def throttle(self, **kwargs: object) -> Throttle:
        return Throttle(
            clock=self.clock, wall=self.wall, sleep=self.sleep, report=self.report, **kwargs
        )  # type: ignore[arg-type]

    def starts(self, throttle: Throttle, n: int, route: str | None = None) -> list[float]:
        """Send n requests one after another (each finishing at once); their start times."""
        out = []
        for _ in range(n):
            throttle.acquire(route)
            out.append(round(self.now, 6))
            throttle.release(None)
        return out


def quota_headers(t: FakeTime, remaining: int, reset_in: float, limit: int = 600) -> dict[str, str]:
    return {
        "ratelimit-limit": str(limit),
        "ratelimit-remaining": str(remaining),
        "ratelimit-reset": str(int(WALL0 + t.now + reset_in)),
    }


def test_pace_allows_a_burst_then_one_request_per_interval() -> None:
    pace = Pace(interval=0.5, burst=3)
    assert [pace.reserve(0.0) for _ in range(6)] == [0.0, 0.0, 0.0, 0.5, 1.0, 1.5]
    # After an idle spell the burst is available again, but no more than the burst.
    assert [pace.reserve(10.0) for _ in range(4)] == [10.0, 10.0, 10.0, 10.5]


def test_no_limits_means_no_waiting() -> None:
    t = FakeTime()
    assert t.starts(t.throttle(), 5) == [0.0] * 5
    assert t.sleeps == []


def test_max_rpm_paces_smoothly_with_a_small_burst() -> None:
    t = FakeTime()
    # 60/min: one a second, burst of one second's share (1).
    assert t.starts(t.throttle(max_rpm=60, workers=8), 4) == [0.0, 1.0, 2.0, 3.0]
    t = FakeTime()
    # 240/min = 4/s: burst 4 (capped at the worker count), then 0.25 s apart.
    assert t.starts(t.throttle(max_rpm=240, workers=8), 6) == [0.0, 0.0, 0.0, 0.0, 0.25, 0.5]
    t = FakeTime()
    assert t.starts(t.throttle(max_rpm=240, workers=2), 4) == [0.0, 0.0, 0.25, 0.5]


def test_max_rpm_of_100_fits_the_free_plan_limit_over_any_minute() -> None:
    t = FakeTime()
    starts = t.starts(t.throttle(max_rpm=100, workers=8), 300)
    # No 60-second window holds more than 100 requests.
    worst = max(sum(1 for s in starts if a <= s < a + 60) for a in starts)
    assert worst == 100


def test_plenty_of_quota_left_does_not_slow_anything() -> None:
    t = FakeTime()
    throttle = t.throttle()
    throttle.acquire()
    throttle.release(quota_headers(t, remaining=500, reset_in=30))
    assert t.starts(throttle, 3) == [0.0, 0.0, 0.0]


def test_low_quota_is_spread_until_the_reset() -> None:
    t = FakeTime()
    throttle = t.throttle()
    throttle.acquire()
    throttle.acquire()  # a second request still in flight: kept in reserve
    throttle.release(quota_headers(t, remaining=11, reset_in=30))
    # 11 left, 1 in flight: 10 usable over 30 s -> one every 3 s.
    assert t.starts(throttle, 3) == [0.0, 3.0, 6.0]


def test_exhausted_quota_pauses_everyone_until_the_reset_and_counts_one_wait() -> None:
    t = FakeTime()
    throttle = t.throttle()
    throttle.acquire()
    throttle.release(quota_headers(t, remaining=0, reset_in=20))
    assert throttle.paused_until == 20.0
    assert t.starts(throttle, 2) == [20.0, 20.0]
    assert t.reports == [(1, 0.0), (0, 20.0)]


def test_a_429_pause_is_shared_and_counted_once() -> None:
    t = FakeTime()
    throttle = t.throttle()
    # Three workers get a 429 from the same burst: one pause, extended, not three.
    assert throttle.pause(5.0) is True
    t.now = 0.5
    assert throttle.pause(5.0) is False
    assert throttle.pause(2.0) is False
    assert throttle.paused_until == 5.5
    assert t.starts(throttle, 2) == [5.5, 5.5]
    assert t.sleeps == [5.0]
    # Once the pause is over, the next 429 is a new pause.
    assert throttle.pause(1.0) is True
    assert [p for p, _ in t.reports].count(1) == 2


def test_a_pause_that_begins_while_waiting_for_a_slot_still_holds_the_request() -> None:
    t = FakeTime()
    throttle = t.throttle(max_rpm=60, workers=1)
    t.starts(throttle, 1)
    original_sleep = t.sleep

    def sleep_and_get_a_429_elsewhere(seconds: float) -> None:
        original_sleep(seconds)
        if t.now < 2:
            throttle.pause(10.0)  # another worker hits a 429 while we wait for our slot

    throttle._sleep = sleep_and_get_a_429_elsewhere
    throttle.acquire()
    assert t.now == 11.0
    assert t.sleeps == [1.0, 10.0]


def test_seconds_waiting_is_wall_time_with_someone_held_back() -> None:
    t = FakeTime()
    throttle = t.throttle(max_rpm=60, workers=1)
    t.starts(throttle, 3)
    assert sum(seconds for _, seconds in t.reports) == 2.0


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/users/42", "users/:id"),
        ("/users", None),
        ("/groups/acme%2Fplatform/projects", "groups/:id/projects"),
        ("/groups/7", "groups/:id"),
        ("/groups/7/merge_requests", None),
        ("/projects/acme%2Fapp", "projects/:id"),
        ("/projects/12/repository/commits", None),
        ("/version", None),
    ],
)
def test_routes_with_gitlab_com_caps(path: str, route: str | None) -> None:
    assert route_of(path) == route


def most_in_a_window(starts: list[float], window: float = 600.0) -> int:
    """The most starts any `window` seconds hold, whatever the phase of a server's windows."""
    return max(sum(1 for s in starts if a <= s < a + window) for a in starts)


@pytest.mark.parametrize("gitlab_com", [False, True])
def test_users_by_id_is_kept_under_gitlabs_limit_on_every_instance(gitlab_com: bool) -> None:
    """lib/api/users.rb limits `GET /users/:id` for a non-admin on every instance
    (`check_rate_limit! :users_get_by_id`); lib/gitlab/application_rate_limiter.rb allows the
    setting `users_get_by_id_limit` (300 by default) per 10-minute fixed window."""
    t = FakeTime()
    throttle = t.throttle(gitlab_com=gitlab_com, users_limit=300)
    starts = t.starts(throttle, 700, route="users/:id")
    assert most_in_a_window(starts) == 290  # a margin of 10 for what our clock cannot see
    assert starts[:290] == [0.0] * 290  # a run under the limit is not slowed at all
    assert (starts[290], starts[580], starts[-1]) == (600.0, 1200.0, 1200.0)
    # Other routes are not held back by the users limit.
    now = round(t.now, 6)
    assert t.starts(throttle, 3, route=None) == [now] * 3


def test_a_long_hold_for_the_users_limit_is_announced_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = FakeTime()
    throttle = t.throttle(users_limit=3)
    assert t.starts(throttle, 5, route="users/:id") == [0.0, 0.0, 0.0, 600.0, 600.0]
    said = [r.getMessage() for r in caplog.records]
    assert said == [
        "waiting 600 s before more GET /users/:id requests: GitLab's limit on user look-ups by "
        "id for a non-admin token (users_get_by_id; LEADERBOARD_USER_LOOKUP_LIMIT per 10 minutes)"
    ]


def test_no_users_limit_no_pacing_and_other_caps_only_on_gitlab_com() -> None:
    t = FakeTime()
    assert t.starts(t.throttle(users_limit=0), 400, route="users/:id") == [0.0] * 400
    assert t.starts(t.throttle(gitlab_com=False), 20, route="projects/:id") == [0.0] * 20
    starts = t.starts(t.throttle(gitlab_com=True), 420, route="projects/:id")
    assert most_in_a_window(starts, 60.0) <= 400  # gitlab.com: 400 a minute


def test_a_users_limit_429_holds_that_route_alone(caplog: pytest.LogCaptureFixture) -> None:
    """A 429 of `users_get_by_id` waits as GitLab says: Retry-After (the newest
    lib/api/helpers/rate_limiter.rb sends the interval), else the limit's 10 minutes."""
    t = FakeTime()
    throttle = t.throttle(users_limit=300)
    throttle.route_refused("users/:id", 42.0, "GET /api/v4/users/7 (user alice)")
    throttle.route_refused("users/:id", 42.0, "GET /api/v4/users/8 (user bob)")  # same hold
    assert t.starts(throttle, 2, route=None) == [0.0, 0.0]
    assert t.starts(throttle, 2, route="users/:id") == [42.0, 42.0]
    throttle.route_refused("users/:id", None, "GET /api/v4/users/9 (user carl)")  # older GitLab
    assert t.starts(throttle, 1, route="users/:id") == [642.0]
    waits = [r.getMessage() for r in caplog.records if "HTTP 429" in r.getMessage()]
    assert len(waits) == 2 and t.reports == [(1, 0.0), (0, 42.0), (1, 0.0), (0, 600.0)]
    assert waits[0].startswith("GET /api/v4/users/7 (user alice): HTTP 429 from GitLab's limit")
    assert "waiting 42 s (its Retry-After)" in waits[0]
    assert "waiting 600 s (the limit's window)" in waits[1]


def test_read_quota_needs_remaining_and_reset() -> None:
    headers = {"ratelimit-remaining": "7", "ratelimit-reset": str(int(WALL0) + 12)}
    quota = read_quota(headers, WALL0)
    assert quota is not None
    assert (quota.limit, quota.remaining, quota.reset_in) == (None, 7, 12.0)
    assert read_quota({"ratelimit-remaining": "7"}, WALL0) is None
    assert read_quota({"ratelimit-remaining": "x", "ratelimit-reset": "1"}, WALL0) is None


def test_a_refilling_bucket_is_paced_at_its_announced_rate_once_low() -> None:
    t = FakeTime()
    throttle = t.throttle(workers=2)
    headers = quota_headers(t, remaining=3, reset_in=1, limit=600)
    headers["ratelimit-observed"] = "40"  # 40 + 3 != 600: not GitLab's fixed window
    throttle.acquire()
    throttle.release(headers)
    # 600/min -> one request every 0.1 s, whatever the (short) reset says.
    assert t.starts(throttle, 3) == [0.0, 0.1, 0.2]


def test_a_drained_bucket_is_let_to_refill_without_counting_a_pause() -> None:
    t = FakeTime()
    throttle = t.throttle(workers=2)
    headers = quota_headers(t, remaining=1, reset_in=1, limit=600)
    headers["ratelimit-observed"] = "40"
    throttle.acquire()
    throttle.acquire()
    throttle.acquire()
    throttle.release(headers)  # 1 left, 2 still in flight: 1 short
    throttle.release(None)
    throttle.release(None)
    assert t.starts(throttle, 2) == [0.2, 0.3]
    assert sum(p for p, _ in t.reports) == 0
    assert round(sum(s for _, s in t.reports), 6) == 0.3


def test_after_a_pause_the_held_requests_go_at_the_max_rpm_pace_not_all_at_once() -> None:
    t = FakeTime()
    throttle = t.throttle(max_rpm=60, workers=4)
    throttle.pause(10.0)
    assert t.starts(throttle, 3) == [10.0, 11.0, 12.0]


def test_a_wait_cut_short_by_cancel_does_not_count_as_a_request_in_flight() -> None:
    t = FakeTime()
    throttle = t.throttle()
    throttle.pause(5.0)

    def cancelled(seconds: float) -> None:
        raise KeyboardInterrupt  # stands in for the client's cancel signal

    throttle._sleep = cancelled
    with pytest.raises(KeyboardInterrupt):
        throttle.acquire()
    throttle._sleep = t.sleep
    t.now = 5.0
    throttle.acquire()
    throttle.release(quota_headers(t, remaining=11, reset_in=33))
    # 11 usable (nothing in flight) over 33 s: one every 3 s.
    assert t.starts(throttle, 2) == [5.0, 8.0]
