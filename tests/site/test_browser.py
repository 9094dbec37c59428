"""The published page in headless Chromium: boards equal the marts, controls work, nothing runs."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pipeline import metrics, privacy
from pipeline.config import Settings
from pipeline.schema import WINDOWS
from pipeline.site.publish import run_publish
from pipeline.site.tables import METRIC_LABELS, movement
from tests.site.data import (
    AS_OF,
    BOARD_METRICS,
    JS_URL,
    T_IMG,
    T_SCRIPT,
    WEIGHTS,
    contributions,
    marts,
    projects,
    write_data_dir,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
KIND_METRIC = {
    "commit": "commits",
    "mr_opened": "mrs_opened",
    "mr_merged": "mrs_merged",
    "issue_opened": "issues_opened",
    "issue_closed": "issues_closed",
}
#: every kind the drill-down has a section for, review credit last
#: the drill-down's sections: one per metric of one kind (the registry's)
KINDS = [m.kinds[0] for m in metrics.METRICS if len(m.kinds) == 1]


@contextlib.contextmanager
def without_faketime() -> Iterator[None]:
    """Child processes started inside this block do not inherit libfaketime's preload."""
    saved = {k: os.environ[k] for k in ("LD_PRELOAD", "FAKETIME") if k in os.environ}
    kept = [p for p in saved.get("LD_PRELOAD", "").split() if "faketime" not in p]
    os.environ.pop("FAKETIME", None)
    if kept:
        os.environ["LD_PRELOAD"] = " ".join(kept)
    else:
        os.environ.pop("LD_PRELOAD", None)
    try:
        yield
    finally:
        os.environ.pop("LD_PRELOAD", None)
        os.environ.update(saved)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: install Debian's chromium")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # The page's clock is pinned by Playwright (`page.clock`), never the machine's. When the suite
    # runs under libfaketime to prove it does not depend on the date, the preload would be
    # inherited by the driver and Chromium, whose start then hangs; they run on the real clock.
    with without_faketime():
        playwright = sync_playwright().start()
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    try:
        yield launched
    finally:
        launched.close()
        playwright.stop()


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    write_data_dir(root / "data")
    settings = Settings(
        data_dir=root / "data",
        public_dir=root / "public",
        pipeline_url="https://gitlab.example.com/acme/lb/-/pipelines/9",
        project_url="https://gitlab.example.com/acme/lb",
        default_branch="main",
    )
    return run_publish(settings, now=AS_OF + dt.timedelta(hours=1))


class Watched:
    """A page plus everything it logged, every dialog it opened and every URL it requested."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self, origin: str = "file://") -> None:
        assert self.errors == []
        assert self.dialogs == []
        assert self.page.evaluate("typeof window.__pwned") == "undefined"
        assert [u for u in self.requests if not u.startswith(origin)] == []


def open_page(
    browser: Any, site: Path | str, now: dt.datetime | None = None, **options: Any
) -> Iterator[Watched]:
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**options)
    page = context.new_page()
    watched = Watched(page)
    if now is not None:
        page.clock.set_fixed_time(now)
    page.goto(site if isinstance(site, str) else (site / "index.html").as_uri())
    page.wait_for_load_state("load")
    yield watched
    context.close()


@pytest.fixture
def view(browser: Any, site_dir: Path) -> Iterator[Watched]:
    yield from open_page(browser, site_dir, now=AS_OF + dt.timedelta(hours=2))


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def visible_rows(page: Any, table_id: str) -> list[list[str]]:
    return page.evaluate(
        """(id) => Array.from(document.querySelectorAll('#' + id + ' tbody tr'))
            .filter((tr) => tr.offsetParent !== null)
            .map((tr) => Array.from(tr.cells).map((c) => c.textContent))""",
        table_id,
    )


def text_key(value: str) -> tuple[str, str]:
    return (value.lower(), value)


def expected_rows(
    view: str, window: str, sort: tuple[str, str] = ("rank", "asc"), keep: Any = None
) -> list[list[str]]:
    """What the page should show, computed from the marts in Python."""
    rows = [r for r in marts()[f"leaderboard_{view}"] if r["window"] == window]
    ties = {r["rank"]: sum(1 for o in rows if o["rank"] == r["rank"]) for r in rows}
    chosen = [r for r in rows if keep is None or keep(r)]

    def tiebreak(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["rank"], text_key(r["team"]), text_key(r.get("username", "")))

    chosen.sort(key=tiebreak)
    key, direction = sort
    if isinstance(chosen[0][key] if chosen else 0, str):
        chosen.sort(key=lambda r: text_key(r[key]), reverse=direction == "desc")
    else:
        chosen.sort(key=lambda r: r[key], reverse=direction == "desc")
    out = []
    for r in chosen:
        rank = f"{r['rank']} (tied)" if ties[r["rank"]] > 1 else str(r["rank"])
        _, shown, said = movement(r["rank"], r["prev_rank"], f"previous {WINDOWS[window]} days")
        rank += f" {shown}{said}"
        middle = [r["username"], r["team"]] if view == "users" else [r["team"], str(r["members"])]
        out.append([rank, *middle, str(r["score"]), *(str(r[m]) for m in BOARD_METRICS)])
    return out


def test_page_loads_from_disk_with_no_errors_or_network(view: Watched) -> None:
    page = view.page
    assert page.title() == "Team leaderboard"
    assert page.is_visible("#controls")
    assert visible_rows(page, "board-people") == expected_rows("users", "30d")
    assert not page.is_visible("#board-teams")
    assert page.locator("#weekly-chart svg.chart").count() == len(BOARD_METRICS)
    shot(page, "board-30d")
    view.assert_clean()


@pytest.mark.parametrize("window", list(WINDOWS))
def test_window_switch_shows_that_windows_mart(view: Watched, window: str) -> None:
    page = view.page
    page.click(f"#controls button[data-window='{window}']")
    assert page.get_attribute(f"#controls button[data-window='{window}']", "aria-pressed") == "true"
    assert visible_rows(page, "board-people") == expected_rows("users", window)
    page.click("#controls button[data-view='teams']")
    assert visible_rows(page, "board-teams") == expected_rows("teams", window)
    assert not page.is_visible("#board-people")
    view.assert_clean()


def sort_state(page: Any, table: str) -> list[tuple[str, str | None]]:
    return [
        tuple(pair)
        for pair in page.evaluate(
            """(id) => Array.from(document.querySelectorAll('#' + id + ' thead th'))
            .map((th) => [th.dataset.key, th.getAttribute('aria-sort')])""",
            table,
        )
    ]


def test_sorting_by_click(view: Watched) -> None:
    page = view.page
    page.click("#controls button[data-window='365d']")
    page.click("#board-people th[data-key='commits'] button")
    assert visible_rows(page, "board-people") == expected_rows("users", "365d", ("commits", "desc"))
    assert ("commits", "descending") in sort_state(page, "board-people")
    # every other column (rank, person, team, score and each metric) is unsorted
    assert [s for _, s in sort_state(page, "board-people")].count(None) == 3 + len(metrics.NAMES)
    page.click("#board-people th[data-key='commits'] button")
    assert visible_rows(page, "board-people") == expected_rows("users", "365d", ("commits", "asc"))
    page.click("#board-people th[data-key='team'] button")
    assert visible_rows(page, "board-people") == expected_rows("users", "365d", ("team", "asc"))
    assert ("team", "ascending") in sort_state(page, "board-people")
    shot(page, "sorted-by-team-365d")
    view.assert_clean()


def test_sorting_by_keyboard(view: Watched) -> None:
    page = view.page
    page.focus("#board-people th[data-key='mrs_merged'] button")
    page.keyboard.press("Enter")
    assert visible_rows(page, "board-people") == expected_rows(
        "users", "30d", ("mrs_merged", "desc")
    )
    focused = page.evaluate("document.activeElement.closest('th').dataset.key")
    assert focused == "mrs_merged"
    page.keyboard.press("Space")
    assert visible_rows(page, "board-people") == expected_rows(
        "users", "30d", ("mrs_merged", "asc")
    )
    assert ("mrs_merged", "ascending") in sort_state(page, "board-people")
    view.assert_clean()


def test_filter_by_team_and_search(view: Watched) -> None:
    page = view.page
    page.select_option("#team-filter", T_SCRIPT)
    assert visible_rows(page, "board-people") == expected_rows(
        "users", "30d", keep=lambda r: r["team"] == T_SCRIPT
    )
    page.select_option("#team-filter", "")
    page.fill("#search", "FR")
    assert visible_rows(page, "board-people") == expected_rows(
        "users", "30d", keep=lambda r: "fr" in r["username"] or "fr" in r["team"].lower()
    )
    page.fill("#search", "platform")
    page.click("#controls button[data-view='teams']")
    assert visible_rows(page, "board-teams") == expected_rows(
        "teams", "30d", keep=lambda r: r["team"] == "Platform"
    )
    page.fill("#search", "nobody-at-all")
    assert visible_rows(page, "board-teams") == [["Nothing matches the filter."]]
    view.assert_clean()


def open_detail(page: Any, opener: str, title: str) -> None:
    """Click a name and wait until the drill-down shows `title`.

    A drill-down loads its items' data scripts by script tags, so the panel appears
    asynchronously: wait for the condition (Playwright's `expect` polls), never for a time.
    """
    page.click(opener)
    expect(page.locator("#detail h2")).to_have_text(title)
    expect(page.locator("#detail")).to_be_visible()


def detail_items(page: Any) -> dict[str, list[str]]:
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('#detail section.kind'))
            .map((s) => [s.dataset.kind, Array.from(s.querySelectorAll('li'))
            .map((li) => li.textContent)]))"""
    )


def expected_items(window: str, keep: Any, show_user: bool) -> dict[str, list[str]]:
    start = AS_OF - dt.timedelta(days=WINDOWS[window])
    chosen = [c for c in contributions() if start <= c["at"] < AS_OF and keep(c)]
    chosen.sort(key=lambda c: (c["at"], c["item_id"]), reverse=True)
    out: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for c in chosen:
        ident = c["item_id"][:8] if c["kind"] == "commit" else "#" + c["item_id"]
        user = f" · {c['username']}" if show_user else ""
        out[c["kind"]].append(f"{c['at']:%Y-%m-%d} {c['title']} {ident} · {where(c)}{user}")
    return out


def where(item: dict[str, Any]) -> str:
    """A project by its path, or "project N" when the projects mart does not know it."""
    paths = {p["project_id"]: p["path_with_namespace"] for p in projects()}
    return paths.get(item["project_id"], f"project {item['project_id']}")


def test_person_drill_down_lists_the_counted_items(view: Watched) -> None:
    page = view.page
    open_detail(
        page, "#board-people tr[data-username='alice'] th button", "alice in Platform, last 30 days"
    )
    assert page.text_content("#detail .score-line") == (
        "Score 6 = 1 commits × 1 + 1 MRs merged × 3 + 1 issues closed × 2; rank 1 for the last"
        " 30 days (rank 2 in the previous 30). Every item counted is listed below, each linking"
        " to its GitLab page."
    )
    items = detail_items(page)
    assert items == expected_items("30d", lambda c: c["username"] == "alice", show_user=False)
    row = next(
        r for r in marts()["leaderboard_users"] if r["window"] == "30d" and r["username"] == "alice"
    )
    assert {k: len(items[k]) for k in KIND_METRIC} == {k: row[m] for k, m in KIND_METRIC.items()}
    hrefs = page.eval_on_selector_all(
        "#detail a:not(.project)", "(as) => as.map((a) => a.getAttribute('href'))"
    )
    expected_hrefs = [
        c["web_url"]
        for c in sorted(contributions(), key=lambda c: (c["at"], c["item_id"]), reverse=True)
        if c["username"] == "alice" and c["at"] >= AS_OF - dt.timedelta(days=30)
        and c["web_url"] != JS_URL
    ]  # fmt: skip
    assert sorted(hrefs) == sorted(expected_hrefs)
    assert page.locator("#detail a[href^='javascript']").count() == 0
    assert page.evaluate("document.activeElement.id") == "detail-title"
    shot(page, "drill-down-person")
    view.assert_clean()


def test_review_credit_in_the_board_and_drill_down(view: Watched) -> None:
    """erin approved MR 2001 and commented on it twice: 1 approved, 2 comments, 1 reviewed."""
    page = view.page
    headers = page.eval_on_selector_all(
        "#board-people thead th", "(ths) => ths.map((th) => th.dataset.key)"
    )
    # the scored review column beside the other scored ones, the unscored two last
    assert headers == ["rank", "username", "team", "score", *BOARD_METRICS]
    assert BOARD_METRICS[-3:] == ["mrs_reviewed", "mrs_approved", "review_comments"]
    open_detail(
        page, "#board-people tr[data-username='erin'] th button", "erin in Platform, last 30 days"
    )
    # each heading is the metric's label from the registry (its meaning is the title)
    assert page.text_content("#detail section[data-kind='mr_approved'] h3") == "MRs approved: 1"
    assert page.text_content("#detail section[data-kind='review_comment'] h3") == (
        "Review comments: 2"
    )
    assert page.text_content("#detail p.reviewed") == "MRs reviewed: 1"
    hrefs = page.eval_on_selector_all(
        "#detail section[data-kind='review_comment'] a:not(.project)",
        "(as) => as.map((a) => a.href)",
    )
    assert sorted(hrefs) == [
        "https://gitlab.example.com/acme/app/-/merge_requests/1#note_501",
        "https://gitlab.example.com/acme/app/-/merge_requests/1#note_502",
    ]
    view.assert_clean()


def loaded_items(page: Any) -> list[list[str]]:
    """The (team, username) of every membership whose items the page has loaded."""
    return page.evaluate(
        """() => window.LEADERBOARD.items.rows.filter((m) => m[2].some((f) =>
            window.LEADERBOARD_ITEMS && f[0] in window.LEADERBOARD_ITEMS))
            .map((m) => [m[0], m[1]]).sort()"""
    )


def test_items_load_with_their_drill_down_only_and_escape_closes(view: Watched) -> None:
    page = view.page
    assert page.evaluate("typeof window.LEADERBOARD_ITEMS") == "undefined"
    opener = "#board-people tr[data-username='erin'] th button"
    open_detail(page, opener, "erin in Platform, last 30 days")
    assert loaded_items(page) == [["Platform", "erin"]]
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == "erin"
    view.assert_clean()


def test_window_and_view_live_in_the_url(browser: Any, site_dir: Path) -> None:
    url = (site_dir / "index.html").as_uri() + "#window=7d&view=teams"
    for watched in open_page(browser, url, now=AS_OF):
        page = watched.page
        assert visible_rows(page, "board-teams") == expected_rows("teams", "7d")
        page.click("#controls button[data-window='90d']")
        assert page.evaluate("location.hash") == "#window=90d&view=teams"
        watched.assert_clean()


def test_team_drill_down_with_members_and_chart(view: Watched) -> None:
    page = view.page
    page.click("#controls button[data-window='365d']")
    page.click("#controls button[data-view='teams']")
    team_button = f"#board-teams tr[data-team='{T_SCRIPT}'] th button"
    open_detail(page, team_button, f"Team {T_SCRIPT}, last 365 days")
    items = detail_items(page)
    assert items == expected_items("365d", lambda c: c["team"] == T_SCRIPT, show_user=True)
    members = page.eval_on_selector_all(
        "#detail ul.members button", "(b) => b.map((x) => x.textContent)"
    )
    assert members == ["bob", "frank"]
    charts = page.locator("#detail svg.chart")
    assert charts.count() == len(metrics.NAMES)  # one small chart per metric
    assert page.locator("#detail svg.chart polyline").count() == len(metrics.NAMES)
    assert page.locator("#detail svg.chart circle.marker").count() == len(metrics.NAMES) * 26
    open_detail(
        page, "#detail ul.members button:text-is('frank')", f"frank in {T_SCRIPT}, last 365 days"
    )
    assert detail_items(page)["commit"] == [
        f"{AS_OF - dt.timedelta(days=300, hours=1):%Y-%m-%d} moved away later "
        f"{contributions()[13]['item_id'][:8]} · acme/app"
    ]
    shot(page, "drill-down-team")
    view.assert_clean()


def test_weekly_chart_is_one_small_chart_per_metric(view: Watched) -> None:
    """Small multiples: each metric its own chart, titled, one line, a title per point; the
    same numbers as a table, so nothing depends on colour."""
    page = view.page
    page.select_option("#weekly-team", T_IMG)
    assert page.text_content("#weekly-chart .chart-title") == f"Weekly activity of {T_IMG}"
    panels = page.locator("#weekly-chart figure.multiple")
    assert panels.evaluate_all("(fs) => fs.map((f) => f.dataset.metric)") == BOARD_METRICS
    assert panels.locator("figcaption").all_text_contents() == [
        METRIC_LABELS[m] + (" not scored" if not WEIGHTS[m] else "") for m in BOARD_METRICS
    ]
    weekly = [r for r in marts()["weekly_team_activity"] if r["team"] == T_IMG]
    for metric in BOARD_METRICS:
        chart = page.locator(f"#weekly-chart figure[data-metric='{metric}'] svg.chart")
        assert chart.get_attribute("role") == "img"
        assert chart.locator("polyline").count() == 1
        titles = chart.locator("circle.marker title").all_text_contents()
        words = next(m for m in metrics.METRICS if m.name == metric).words
        assert titles == [f"Week of {r['week'].isoformat()}: {r[metric]} {words}" for r in weekly]
    table = page.locator("#weekly-chart table tbody tr")
    assert table.count() == 26
    last = weekly[-1]
    assert table.nth(25).locator("th, td").all_text_contents() == [
        last["week"].isoformat(),
        *(str(last[m]) for m in BOARD_METRICS),
    ]
    view.assert_clean()


def test_no_injected_markup_anywhere_after_using_everything(view: Watched) -> None:
    page = view.page
    for window in WINDOWS:
        page.click(f"#controls button[data-window='{window}']")
        for board in ("people", "teams"):
            page.click(f"#controls button[data-view='{board}']")
            for button in page.locator(f"#board-{board} tbody th button").all():
                button.click()
    for team in page.locator("#weekly-team option").all_text_contents():
        page.select_option("#weekly-team", team)
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    # the page's 8 scripts, then the data scripts of every drill-down opened: all 7 memberships'
    # items (each once, though opened in every window) and the projects' paths
    sources = page.evaluate("Array.from(document.scripts).map((s) => s.getAttribute('src'))")
    items = page.evaluate(
        "window.LEADERBOARD.items.rows.flatMap((m) => m[2].map((f) => `data/items/${f[0]}.js`))"
    )
    assert sorted(sources[8:]) == sorted(["data/projects.js", *items]) and len(items) == 7
    assert page.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
    headers = page.eval_on_selector_all(
        "#board-teams tbody th", "(t) => t.map((x) => x.textContent)"
    )
    assert T_IMG in headers and T_SCRIPT in headers
    view.assert_clean()


def test_stale_is_checked_at_view_time(browser: Any, site_dir: Path) -> None:
    assert (
        'id="stale" ' in (site_dir / "index.html").read_text()
        and " hidden>" in (site_dir / "index.html").read_text()
    )
    for watched in open_page(browser, site_dir, now=AS_OF + dt.timedelta(hours=25)):
        assert not watched.page.is_visible("#stale")
        watched.assert_clean()
    for watched in open_page(browser, site_dir, now=AS_OF + dt.timedelta(hours=30)):
        page = watched.page
        assert page.is_visible("#stale")
        assert page.text_content("#stale-text") == (
            "These numbers are as of 2026-08-23 00:00 UTC, 30 hours ago (the limit is 26 hours);"
            " the scheduled run may have failed."
        )
        shot(page, "stale-banner")
        watched.assert_clean()


def test_javascript_off_renders_the_default_table(browser: Any, site_dir: Path) -> None:
    for watched in open_page(browser, site_dir, java_script_enabled=False):
        page = watched.page
        assert visible_rows(page, "board-people") == expected_rows("users", "30d")
        assert visible_rows(page, "board-teams") == expected_rows("teams", "30d")
        assert not page.is_visible("#controls")
        assert page.is_visible("#unmatched-authors")
        shot(page, "javascript-off")
        assert watched.dialogs == [] and watched.errors == []


def test_empty_marts_load_cleanly(browser: Any, tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data", {name: [] for name in marts()})
    settings = Settings(data_dir=tmp_path / "data", public_dir=tmp_path / "public")
    public = run_publish(settings, now=AS_OF)
    for watched in open_page(browser, public, now=AS_OF):
        page = watched.page
        assert visible_rows(page, "board-people") == [["No one is on the board for this window."]]
        page.click("#controls button[data-view='teams']")
        assert visible_rows(page, "board-teams") == [["No one is on the board for this window."]]
        watched.assert_clean()


def test_dark_colour_scheme(browser: Any, site_dir: Path) -> None:
    for watched in open_page(browser, site_dir, now=AS_OF, color_scheme="dark"):
        page = watched.page
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(20, 23, 27)"
        shot(page, "dark")
        watched.assert_clean()


def test_narrow_screen(browser: Any, site_dir: Path) -> None:
    for watched in open_page(browser, site_dir, now=AS_OF, viewport={"width": 390, "height": 800}):
        assert visible_rows(watched.page, "board-people") == expected_rows("users", "30d")
        shot(watched.page, "narrow")
        watched.assert_clean()


def test_page_works_when_served_over_http(browser: Any, site_dir: Path) -> None:
    """GitLab Pages serves the same files over HTTP(S); only same-origin requests are made."""
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        for watched in open_page(browser, origin, now=AS_OF):
            page = watched.page
            assert visible_rows(page, "board-people") == expected_rows("users", "30d")
            open_detail(
                page,
                "#board-people tr[data-username='erin'] th button",
                "erin in Platform, last 30 days",
            )
            assert len(detail_items(page)["commit"]) == 1
            watched.assert_clean(origin)
            fetched = [u for u in watched.requests if "/data/items/" in u]
            assert fetched == [origin + f for f in erin_files(page)]
            assert origin + "data/projects.js" in watched.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def erin_files(page: Any) -> list[str]:
    """The data scripts board.js names for erin's items in Platform."""
    return page.evaluate(
        """() => window.LEADERBOARD.items.rows.filter((m) => m[0] === 'Platform' &&
            m[1] === 'erin')[0][2].map((f) => window.LEADERBOARD.items.dir + '/' + f[0] + '.js')"""
    )


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def expected_unmatched() -> list[list[str]]:
    """The unmatched section as the page should show it, from the marts, emails masked."""
    data = marts()
    places: dict[str, str] = {}
    for p in sorted(
        data["unmatched_projects"], key=lambda p: (-p["commits"], p["path_with_namespace"])
    ):
        noun = "commit" if p["commits"] == 1 else "commits"
        text = f"{p['path_with_namespace']} ({p['commits']} {noun})"
        places[p["author_email"]] = places.get(p["author_email"], "") + text
    rows = sorted(data["unmatched_authors"], key=lambda r: (-r["commits"], r["author_email"]))
    day = "%Y-%m-%d %H:%M UTC"
    return [
        [privacy.mask_email(r["author_email"]), r["author_name"], str(r["commits"]),
         places[r["author_email"]], r["first_seen"].strftime(day), r["last_seen"].strftime(day),
         "Full address in the scheduled pipeline's artifacts"]
        for r in rows
    ]  # fmt: skip


def test_unmatched_and_bot_sections_show_their_rows(view: Watched) -> None:
    page = view.page
    assert visible_rows(page, "unmatched-authors") == expected_unmatched()
    bots = [
        [r["username"] or privacy.mask_email(r["email"]),
         "GitLab bot flag" if r["source"] == "gitlab_bot_flag" else "bots.txt",
         "yes" if r["on_roster"] else "no", *(str(r[m]) for m in metrics.BOT_NAMES)]
        for r in marts()["bot_activity"]
    ]  # fmt: skip
    bots.sort(key=lambda r: (-sum(int(c) for c in r[3:]), "@" in r[0], r[0]))
    assert visible_rows(page, "bots-table") == bots
    # bots are a section of their own, after the unmatched one
    assert page.evaluate("document.querySelector('#unmatched #bots-table')") is None
    assert page.is_visible("#bots h2") and page.text_content("#bots h2") == "Bots (not counted)"
    view.assert_clean()
