"""The board people open every week, in headless Chromium: movement on every row, the bar chart,
phone widths, the view in the URL, axe-core and the keyboard, screenshots in light and dark."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from pipeline.schema import WINDOWS
from pipeline.site.tables import METRIC_LABELS, METRIC_WORDS, movement
from tests.site.data import AS_OF, BOARD_METRICS, T_IMG, T_SCRIPT, WEIGHTS, marts
from tests.site.test_browser import (  # noqa: F401 (fixtures)
    Watched,
    browser,
    detail_items,
    expected_rows,
    open_detail,
    open_page,
    site_dir,
    visible_rows,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def view(browser: Any, site_dir: Path) -> Any:  # noqa: F811
    yield from open_page(browser, site_dir, now=AS_OF + dt.timedelta(hours=2))


def mart_rows(board: str, window: str) -> list[dict[str, Any]]:
    name = "leaderboard_users" if board == "people" else "leaderboard_teams"
    return [r for r in marts()[name] if r["window"] == window]


def row_key(board: str, row: dict[str, Any]) -> tuple[str, str]:
    return (row["team"], row.get("username", "") if board == "people" else "")


def test_every_row_shows_its_movement_in_symbols_and_words(view: Watched) -> None:
    page = view.page
    for window, days in WINDOWS.items():
        page.click(f"#controls button[data-window='{window}']")
        for board in ("people", "teams"):
            page.click(f"#controls button[data-view='{board}']")
            shown = page.eval_on_selector_all(
                f"#board-{board} tbody tr",
                """(trs) => trs.map((tr) => [tr.dataset.team, tr.dataset.username || '',
                    tr.querySelector('.move').className,
                    tr.querySelector('.move [aria-hidden=true]').textContent,
                    tr.querySelector('.move .visually-hidden').textContent])""",
            )
            want = {}
            for r in mart_rows(board, window):
                kind, symbol, words = movement(r["rank"], r["prev_rank"], f"previous {days} days")
                want[row_key(board, r)] = [f"move {kind}", symbol, words]
            assert {(t, u): rest for t, u, *rest in shown} == want
            assert len(shown) == len(want)
    page.click("#controls button[data-window='30d']")
    page.click("#controls button[data-view='people']")
    alice = page.locator("#board-people tr[data-username='alice'] .move")
    assert alice.locator("[aria-hidden=true]").text_content() == "↑1"
    assert alice.locator(".visually-hidden").text_content() == (
        "up 1 place from rank 2 in the previous 30 days"
    )
    new = page.locator("#board-people tr[data-username='frank'][data-team='Platform'] .move")
    assert new.text_content() == "newnew: not on the board in the previous 30 days"
    box = alice.locator(".visually-hidden").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    view.assert_clean()


def chart_bars(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#bars svg.bars g.bar-row')).map((g) => ({
            name: g.querySelector('.bar-name title').textContent,
            score: g.querySelector('.bar-score').textContent,
            segments: Array.from(g.querySelectorAll('g.segment')).map((s) => [
                s.dataset.metric, Number(s.querySelector('rect.seg').getAttribute('width')),
                s.querySelector('rect.overlay').getAttribute('fill'),
                s.querySelector('title').textContent])}))"""
    )


def expected_bars(board: str, window: str, keep: Any = None) -> list[dict[str, Any]]:
    rows = [r for r in mart_rows(board, window) if keep is None or keep(r)]
    rows.sort(key=lambda r: (r["rank"], r["team"].lower(), r["team"], r.get("username", "")))
    out = []
    for r in rows[:10]:
        name = f"{r['username']} · {r['team']}" if board == "people" else r["team"]
        # a metric weighted 0 (MRs approved, review comments) earns no points: no segment
        segments = [(m, r[m]) for m in BOARD_METRICS if r[m] * WEIGHTS[m]]
        score = f"{r['score']} {'pt' if r['score'] == 1 else 'pts'}"
        out.append({"name": name, "score": score, "segments": segments})
    return out


def assert_chart_is(page: Any, board: str, window: str, keep: Any = None) -> None:
    got, want = chart_bars(page), expected_bars(board, window, keep)
    assert [(b["name"], b["score"]) for b in got] == [(b["name"], b["score"]) for b in want]
    scales = set()
    for bar, expected in zip(got, want, strict=True):
        assert [s[0] for s in bar["segments"]] == [s[0] for s in expected["segments"]]
        for (metric, width, fill, title), (_, count) in zip(
            bar["segments"], expected["segments"], strict=True
        ):
            points = count * WEIGHTS[metric]
            assert fill == f"url(#bar-pattern-{BOARD_METRICS.index(metric)})"
            unit = "pt" if points == 1 else "pts"
            said = f"{count} {METRIC_WORDS[metric]} × {WEIGHTS[metric]} = {points} {unit}"
            assert title == f"{bar['name']}: {said}"
            scales.add(round(width / points, 6))
    assert len(scales) <= 1, "every segment is drawn to the same scale"


def test_bar_chart_shows_the_top_rows_split_by_metric(view: Watched) -> None:
    page = view.page
    assert page.text_content("#bars .chart-title") == (
        "Top 7 people by score, last 30 days: the points each metric adds (count × points each)"
    )
    assert_chart_is(page, "people", "30d")
    # only metrics that earn points have a swatch; those weighted 0 are named once, as such
    legend = page.locator("#bars ul.bar-legend li").all_text_contents()
    scored = [m for m in BOARD_METRICS if WEIGHTS[m]]
    assert [item.strip() for item in legend] == [
        f"{METRIC_LABELS[m]}: {WEIGHTS[m]} {'pt' if WEIGHTS[m] == 1 else 'pts'} each"
        for m in scored
    ]
    assert page.text_content("#bars .unscored-note") == (
        "Not scored, so not drawn: MRs approved, review comments (their counts are in the table)."
    )
    chart = page.locator("#bars svg.bars")
    assert chart.get_attribute("role") == "img"
    assert (
        "alice · Platform: score 6 pts (1 pt from 1 commits, 3 pts from 1 MRs merged, 2 pts from "
        "1 issues closed)" in (page.text_content("#bars-desc") or "")
    )
    # a segment wide enough says its points with the unit: "3 pts" is never read as 3 merges
    labels = page.eval_on_selector(
        "#bars g.bar-row",
        """(row) => Array.from(row.querySelectorAll('g.segment')).map((g) =>
            [g.dataset.metric, (g.querySelector('text') || {}).textContent || null])""",
    )
    assert [metric for metric, _ in labels] == ["commits", "mrs_merged", "issues_closed"]
    assert {label for _, label in labels} <= {"1 pt", "3 pts", "2 pts", None}
    assert ["mrs_merged", "3 pts"] in labels
    # each metric its own pattern, also on the legend's swatches
    patterns = page.eval_on_selector_all(
        "#bars pattern", "(ps) => ps.map((p) => p.id + ':' + p.children.length)"
    )
    assert patterns == [f"bar-pattern-{i}:{n}" for i, n in enumerate((0, 1, 1, 1, 1, 1, 1, 1))]
    page.click("#controls button[data-window='7d']")
    page.click("#controls button[data-view='teams']")
    assert_chart_is(page, "teams", "7d")
    page.click("#controls button[data-view='people']")
    page.select_option("#team-filter", "Platform")
    assert_chart_is(page, "people", "7d", keep=lambda r: r["team"] == "Platform")
    assert "(filtered)" in (page.text_content("#bars .chart-title") or "")
    names = page.eval_on_selector_all("#bars .bar-name title", "(t) => t.map((x) => x.textContent)")
    assert T_SCRIPT not in " ".join(names)
    view.assert_clean()


def test_view_lives_in_the_url_and_a_shared_link_opens_it(browser: Any, site_dir: Path) -> None:  # noqa: F811
    hash_ = "#window=365d&view=people&team=Platform&q=fr&sort=commits-desc"
    hash_ += "&open=person&in=Platform&who=frank"
    for watched in open_page(browser, site_dir, now=AS_OF):
        page = watched.page
        page.click("#controls button[data-window='365d']")
        page.select_option("#team-filter", "Platform")
        page.fill("#search", "fr")
        page.click("#board-people th[data-key='commits'] button")
        open_detail(
            page,
            "#board-people tr[data-username='frank'] th button",
            "frank in Platform, last 365 days",
        )
        assert page.evaluate("location.hash") == hash_
        rows, items = visible_rows(page, "board-people"), detail_items(page)
        watched.assert_clean()
    assert rows == expected_rows(
        "users", "365d", ("commits", "desc"), keep=lambda r: r["team"] == "Platform"
        and "fr" in r["username"]
    )  # fmt: skip
    shared = (site_dir / "index.html").as_uri() + hash_
    for watched in open_page(browser, shared, now=AS_OF):
        page = watched.page
        for _ in range(2):  # as opened from the link, then after a reload
            page.wait_for_selector("#detail section.kind")
            assert visible_rows(page, "board-people") == rows
            assert detail_items(page) == items
            assert page.text_content("#detail h2") == "frank in Platform, last 365 days"
            assert page.input_value("#search") == "fr"
            assert page.input_value("#team-filter") == "Platform"
            assert page.get_attribute("button[data-window='365d']", "aria-pressed") == "true"
            assert page.get_attribute("th[data-key='commits']", "aria-sort") == "descending"
            page.reload()
        page.wait_for_selector("#detail section.kind")
        page.keyboard.press("Escape")
        assert page.evaluate("location.hash") == hash_.split("&open=")[0]
        # a link pasted into the same tab (hashchange), with a hostile team name
        page.evaluate("(h) => { location.hash = h; }", f"#window=7d&view=teams&team={quote(T_IMG)}")
        page.wait_for_function("document.querySelector('#board-teams').offsetParent !== null")
        assert visible_rows(page, "board-teams") == expected_rows(
            "teams", "7d", keep=lambda r: r["team"] == T_IMG
        )
        watched.assert_clean()


def test_a_team_drill_down_follows_the_window(browser: Any, site_dir: Path) -> None:  # noqa: F811
    url = (
        site_dir / "index.html"
    ).as_uri() + f"#window=30d&view=teams&open=team&in={quote(T_SCRIPT)}"
    for watched in open_page(browser, url, now=AS_OF):
        page = watched.page
        page.wait_for_selector("#detail section.kind")
        assert page.text_content("#detail h2") == f"Team {T_SCRIPT}, last 30 days"
        page.focus("#controls button[data-window='365d']")
        page.keyboard.press("Enter")
        # the longer window loads the team's older files first (the page's CSP forbids the
        # eval a polled wait_for_function needs, so Playwright's expect polls instead)
        expect(page.locator("#detail h2")).to_have_text(re.compile("365 days$"))
        assert page.evaluate("document.activeElement.dataset.window") == "365d"  # focus stays
        assert "window=365d" in page.evaluate("location.hash")
        assert "open=team" in page.evaluate("location.hash")
        watched.assert_clean()


def overflow(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
            outside: Array.from(document.querySelectorAll('body *')).filter((e) => {
                const r = e.getBoundingClientRect();
                return r.width && r.right > window.innerWidth + 0.5
                    && !e.closest('.table-wrap, .chart-table-wrap, pre, svg.defs');
            }).map((e) => e.tagName + '.' + e.className).slice(0, 5)})"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_width_scrolls_the_table_not_the_page(
    browser: Any,  # noqa: F811
    site_dir: Path,  # noqa: F811
    scheme: str,
) -> None:
    for watched in open_page(browser, site_dir, now=AS_OF, viewport=PHONE, color_scheme=scheme):
        page = watched.page
        for window in WINDOWS:
            page.click(f"#controls button[data-window='{window}']")
            for board in ("people", "teams"):
                page.click(f"#controls button[data-view='{board}']")
                assert overflow(page) == {"page": 390, "view": 390, "outside": []}
        page.click("#controls button[data-view='people']")
        wrap = page.locator("#board-people").locator("xpath=..")
        assert wrap.evaluate("(w) => w.scrollWidth > w.clientWidth")
        first = "#board-people tbody tr:first-child"
        before = [
            page.locator(f"{first} {c}").bounding_box() for c in ("td.rank", "th", "td.score")
        ]
        wrap.evaluate("(w) => { w.scrollLeft = 250; }")
        page.wait_for_function("document.querySelector('#board-people').parentNode.scrollLeft > 0")
        after = [page.locator(f"{first} {c}").bounding_box() for c in ("td.rank", "th", "td.score")]
        assert after[0]["x"] == before[0]["x"] and after[1]["x"] == before[1]["x"]  # kept in view
        assert after[2]["x"] < before[2]["x"]  # the other columns scrolled
        page.click("#board-people tr[data-username='carol'] th button")
        page.wait_for_selector("#detail section.kind")
        assert overflow(page)["outside"] == [] and overflow(page)["page"] == 390
        for item in page.locator("#detail ol.items li").all():
            box = item.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        watched.assert_clean()


def axe_source() -> str:
    spec = importlib.util.find_spec("axe_playwright_python")
    path = Path(spec.origin).parent / "axe.min.js" if spec and spec.origin else None
    if path is None or not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true but axe-core is missing: `make install` adds axe-playwright-python"
            )
        pytest.skip("axe-core (axe-playwright-python) is not installed: run `make install`")
    return path.read_text(encoding="utf-8")


def serious_violations(page: Any, source: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=source)
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations'], preload: false}))
            .violations.map((v) => ({id: v.id, impact: v.impact,
                          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}))"""
    )
    return [v for v in found if v["impact"] in ("critical", "serious")]


@pytest.mark.parametrize(
    ("viewport", "scheme"), [(DESKTOP, "light"), (DESKTOP, "dark"), (PHONE, "light")]
)
def test_axe_finds_no_critical_or_serious_violation(
    browser: Any,  # noqa: F811
    site_dir: Path,  # noqa: F811
    viewport: dict[str, int],
    scheme: str,
) -> None:
    source = axe_source()
    # axe is injected as a script tag, which the page's CSP would refuse: bypassed for the check
    for watched in open_page(
        browser, site_dir, now=AS_OF, viewport=viewport, color_scheme=scheme, bypass_csp=True
    ):
        page = watched.page
        assert serious_violations(page, source) == []
        page.click("#controls button[data-view='teams']")
        open_detail(
            page, "#board-teams tr[data-team='Platform'] th button", "Team Platform, last 30 days"
        )
        page.locator("#weekly-chart details summary").click()
        assert serious_violations(page, source) == []
        assert watched.errors == []


def focused(page: Any) -> str:
    return page.evaluate(
        """() => { const a = document.activeElement;
            return a.id || a.dataset.window || a.dataset.view || a.dataset.key
                || (a.closest('th') && a.closest('th').dataset.key) || a.textContent; }"""
    )


def test_every_control_works_by_keyboard(view: Watched) -> None:
    page = view.page
    page.focus("#controls button[data-window='7d']")
    seen = []
    for _ in range(30):
        seen.append(focused(page))
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", seen[-1]
        page.keyboard.press("Tab")
    for stop in ("7d", "30d", "90d", "365d", "people", "teams", "team-filter", "search", "rank"):
        assert stop in seen, (stop, seen)
    page.focus("#controls button[data-window='90d']")
    page.keyboard.press("Enter")
    assert page.get_attribute("button[data-window='90d']", "aria-pressed") == "true"
    page.focus("#controls button[data-view='teams']")
    page.keyboard.press("Space")
    assert visible_rows(page, "board-teams") == expected_rows("teams", "90d")
    page.focus("#controls button[data-view='people']")
    page.keyboard.press("Enter")
    page.focus("#team-filter")
    page.keyboard.press("ArrowDown")
    first_team = page.input_value("#team-filter")
    assert first_team != ""
    assert visible_rows(page, "board-people") == expected_rows(
        "users", "90d", keep=lambda r: r["team"] == first_team
    )
    page.keyboard.press("Home")
    page.focus("#search")
    page.keyboard.type("erin")
    assert [row[1] for row in visible_rows(page, "board-people")] == ["erin"]
    page.focus("#board-people tr[data-username='erin'] th button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#detail section.kind")
    assert page.evaluate("document.activeElement.id") == "detail-title"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Close"
    page.keyboard.press("Enter")
    assert not page.is_visible("#detail")
    assert page.evaluate("document.activeElement.textContent") == "erin"
    view.assert_clean()


def test_screenshots_desktop_and_phone_in_light_and_dark(
    browser: Any,  # noqa: F811
    site_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    shots: dict[tuple[str, str], bytes] = {}
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for scheme in ("light", "dark"):
            for watched in open_page(
                browser, site_dir, now=AS_OF, viewport=viewport, color_scheme=scheme
            ):
                page = watched.page
                page.wait_for_selector("#bars svg.bars")
                assert overflow(page)["page"] == viewport["width"]
                for part in ("#bars", "#board-people >> xpath=..", "#controls"):
                    box = page.locator(part).bounding_box()
                    assert box is not None and box["x"] >= 0 and box["width"] > 100
                    assert box["x"] + box["width"] <= viewport["width"]
                path = tmp_path / f"board-{size}-{scheme}.png"
                page.screenshot(path=str(path))
                shots[(size, scheme)] = path.read_bytes()
                open_detail(
                    page,
                    "#board-people tr[data-username='alice'] th button",
                    "alice in Platform, last 30 days",
                )
                page.locator("#detail").screenshot(
                    path=str(tmp_path / f"detail-{size}-{scheme}.png")
                )
                watched.assert_clean()
    for size in ("desktop", "phone"):
        light, dark = shots[(size, "light")], shots[(size, "dark")]
        assert light[:8] == b"\x89PNG\r\n\x1a\n" and len(light) > 20_000 and len(dark) > 20_000
        assert light != dark
