"""What a first-time viewer of the board trips over, in Chromium at 390, 1280 and 1920 px, light
and dark, on the test marts and on the demo organisation: every table's header matches its
cells, every scored column fits a desktop, the charts' text is never smaller than the page's,
the header says in plain words what was checked, and a phone keeps each row's person and team
in view."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline import metrics
from pipeline.cli import main
from pipeline.schema import WINDOWS
from pipeline.sim import SimConfig, SimServer
from pipeline.site.tables import METRIC_LABELS
from tests.run_support import AS_OF as DEMO_AS_OF
from tests.run_support import NOW as DEMO_NOW
from tests.run_support import demo_env
from tests.site.data import AS_OF, BOARD_METRICS, WEIGHTS
from tests.site.test_browser import (  # noqa: F401 (fixtures)
    Watched,
    browser,
    open_detail,
    open_page,
    site_dir,
)

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "desktop": 1280, "wide": 1920}
SCHEMES = ("light", "dark")


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo organisation's board (the one `make demo` shows), as_of pinned."""
    work = tmp_path_factory.mktemp("demo-site")
    with SimServer(SimConfig(profile="demo", now=DEMO_NOW)) as sim:
        env = demo_env(sim, work)
        assert main(["extract"], env) == 0
    assert main(["build", "--as-of", DEMO_AS_OF], env) == 0
    assert main(["publish"], env) == 0
    return work / "public"


def sites(site_dir: Path, demo_site: Path) -> dict[str, tuple[Path, dt.datetime]]:  # noqa: F811
    return {
        "test marts": (site_dir, AS_OF + dt.timedelta(hours=2)),
        "demo": (demo_site, dt.datetime.fromisoformat(DEMO_AS_OF) + dt.timedelta(hours=2)),
    }


def pages(browser: Any, site: Path, now: dt.datetime, width: int, scheme: str) -> Any:  # noqa: F811
    return open_page(
        browser, site, now=now, viewport={"width": width, "height": 900}, color_scheme=scheme
    )


def each_board(page: Any) -> Any:
    """Every window and view in turn (yields them after switching)."""
    for window in WINDOWS:
        page.click(f"#controls button[data-window='{window}']")
        for board in ("people", "teams"):
            page.click(f"#controls button[data-view='{board}']")
            yield window, board


# ---------- one column list per table ----------

TABLE_SHAPES = """() => Array.from(document.querySelectorAll('table')).filter((t) => t.offsetParent)
    .map((t) => {
        const width = (cells) => Array.from(cells).reduce((n, c) => n + (c.colSpan || 1), 0);
        const head = t.tHead ? width(t.tHead.rows[0].cells) : 0;
        const rows = Array.from(t.tBodies).flatMap((b) => Array.from(b.rows))
            .filter((r) => !r.classList.contains('empty')).map((r) => width(r.cells));
        return [t.id || t.className, head, [...new Set(rows)]];
    })"""


def assert_tables_are_whole(page: Any) -> list[str]:
    """Every visible table: each body row has exactly as many cells as the header columns."""
    shapes = page.evaluate(TABLE_SHAPES)
    for name, head, widths in shapes:
        assert widths in ([], [head]), (name, head, widths)
    return [name for name, _, _ in shapes]


ALL_SIZES = [(w, scheme) for w in WIDTHS.values() for scheme in SCHEMES]


@pytest.mark.parametrize(
    ("data", "width", "scheme"),
    [("test marts", WIDTHS["desktop"], "light")] + [("demo", w, c) for w, c in ALL_SIZES],
)
def test_every_table_has_as_many_cells_as_headers(
    browser: Any,  # noqa: F811
    site_dir: Path,  # noqa: F811
    demo_site: Path,
    data: str,
    width: int,
    scheme: str,
) -> None:
    site, now = sites(site_dir, demo_site)[data]
    for watched in pages(browser, site, now, width, scheme):
        page = watched.page
        seen = set(assert_tables_are_whole(page))
        for _ in each_board(page):
            seen |= set(assert_tables_are_whole(page))
        page.click("#controls button[data-view='teams']")
        page.locator("#board-teams tbody th button").first.click()
        page.wait_for_selector("#detail section.kind")
        page.locator("#weekly-chart details summary").click()
        page.locator("#verification details summary").click()
        seen |= set(assert_tables_are_whole(page))
        assert {"board-people", "board-teams", "bots-table", "listings", "downloads"} <= seen
        # the bots table: five item metrics, no review columns without data under them
        keys = page.eval_on_selector_all(
            "#bots-table thead th", "(t) => t.map((x) => x.dataset.key)"
        )
        assert keys == ["who", "source", "on_roster", *metrics.BOT_NAMES]
        watched.assert_clean()
    for watched in open_page(browser, site, java_script_enabled=False):
        assert {"board-people", "board-teams", "bots-table"} <= set(
            assert_tables_are_whole(watched.page)
        )


# ---------- every scored column on a desktop ----------

BOARD_FIT = """(id) => {
    const table = document.getElementById(id), wrap = table.parentNode;
    return {scroll: wrap.scrollWidth - wrap.clientWidth,
            right: Math.max(...Array.from(table.tHead.rows[0].cells).map((c) =>
                c.getBoundingClientRect().right)),
            keys: Array.from(table.tHead.rows[0].cells).map((c) => c.dataset.key)};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", [WIDTHS["desktop"], WIDTHS["wide"]])
@pytest.mark.parametrize("data", ["test marts", "demo"])
def test_every_column_fits_a_desktop_without_sideways_scrolling(
    browser: Any,  # noqa: F811
    site_dir: Path,  # noqa: F811
    demo_site: Path,
    data: str,
    width: int,
    scheme: str,
) -> None:
    site, now = sites(site_dir, demo_site)[data]
    for watched in pages(browser, site, now, width, scheme):
        page = watched.page
        for window, board in each_board(page):
            fit = page.evaluate(BOARD_FIT, f"board-{board}")
            assert fit["scroll"] <= 0, (window, board, fit)
            assert fit["right"] <= width, (window, board, fit)
            first = (
                ["rank", "username", "team"] if board == "people" else ["rank", "team", "members"]
            )
            assert fit["keys"] == [*first, "score", *BOARD_METRICS]
        # the scored columns sit next to Score; their headers say what each adds
        notes = page.eval_on_selector_all(
            "#board-teams thead th .weight", "(w) => w.map((x) => x.textContent)"
        )
        assert notes == [f"×{WEIGHTS[m]}" if WEIGHTS[m] else "not scored" for m in BOARD_METRICS]
        watched.assert_clean()


@pytest.mark.parametrize("width", [WIDTHS["desktop"], WIDTHS["wide"]])
def test_a_short_team_name_stays_on_one_line(
    browser: Any,  # noqa: F811
    demo_site: Path,
    width: int,
) -> None:
    """ "Apps, Web & Mobile" wrapped onto three lines while the table overflowed its box."""
    now = dt.datetime.fromisoformat(DEMO_AS_OF)
    for watched in pages(browser, demo_site, now, width, "light"):
        page = watched.page
        for _, board in each_board(page):
            if board != "people":
                continue
            heights = page.eval_on_selector_all(
                "#board-people tbody td.team button",
                """(bs) => bs.map((b) => [b.textContent,
                    b.getClientRects().length, b.getBoundingClientRect().height])""",
            )
            assert any(name == "Apps, Web & Mobile" for name, _, _ in heights)
            line = page.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('#board-people td.team "
                "button')).lineHeight)"
            )
            for name, boxes, height in heights:
                assert boxes == 1 and height <= line + 1, name
        watched.assert_clean()


# ---------- the charts' text, at every width ----------

SMALLEST_TEXT = """() => {
    const sizes = [];
    for (const node of document.querySelectorAll('main *:not(svg):not(svg *)')) {
        if (!node.offsetParent || node.closest('.visually-hidden, svg, [hidden]')) continue;
        const own = Array.from(node.childNodes).some((c) => c.nodeType === 3 && c.data.trim());
        if (own) sizes.push(parseFloat(getComputedStyle(node).fontSize));
    }
    return Math.min(...sizes);
}"""

CHART_TEXT = """(selector) => Array.from(document.querySelectorAll(selector + ' svg'))
    .flatMap((svg) => {
    const box = svg.getBoundingClientRect();
    const view = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width;
    const scale = view ? box.width / view : 1;
    return Array.from(svg.querySelectorAll('text')).map((t) =>
        [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale]);
})"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", list(WIDTHS.values()))
def test_chart_text_is_never_smaller_than_the_pages(
    browser: Any,  # noqa: F811
    site_dir: Path,  # noqa: F811
    demo_site: Path,
    width: int,
    scheme: str,
) -> None:
    site, now = sites(site_dir, demo_site)["demo"]
    for watched in pages(browser, site, now, width, scheme):
        page = watched.page
        smallest = page.evaluate(SMALLEST_TEXT)
        assert 11 <= smallest <= 15
        page.wait_for_selector("#weekly-chart svg.chart")
        for selector in ("#weekly-chart", "#bars"):
            texts = page.evaluate(CHART_TEXT, selector)
            assert texts, selector
            too_small = [(t, round(px, 1)) for t, px in texts if px < smallest - 0.01]
            assert too_small == [], (selector, smallest)
        # the bars speak in points, with the unit; a metric weighted 0 has no swatch
        labels = page.eval_on_selector_all("#bars .seg-label, #bars .bar-score",
                                           "(t) => t.map((x) => x.textContent)")  # fmt: skip
        assert labels and all(re.fullmatch(r"\d+ pts?", label) for label in labels), labels
        legend = " ".join(page.locator("#bars ul.bar-legend li").all_text_contents())
        assert "MRs approved" not in legend and "Review comments" not in legend
        # no chart is wider than its box, so none is scaled down to fit
        widths = page.eval_on_selector_all(
            "#weekly-chart svg.chart",
            "(s) => s.map((x) => [x.getBoundingClientRect().width, x.parentNode.clientWidth])",
        )
        assert all(w <= box + 0.5 for w, box in widths), widths
        # in a team's drill-down too
        page.click("#controls button[data-view='teams']")
        page.locator("#board-teams tbody th button").first.click()
        page.wait_for_selector("#detail svg.chart")
        texts = page.evaluate(CHART_TEXT, "#detail")
        assert texts and min(px for _, px in texts) >= smallest - 0.01
        # one line per chart: eight metrics, eight small charts
        assert page.locator("#detail figure.multiple").count() == len(BOARD_METRICS)
        assert page.locator("#detail svg.chart polyline").count() == len(BOARD_METRICS)
        watched.assert_clean()


def test_charts_are_redrawn_to_a_new_width(
    browser: Any,  # noqa: F811
    demo_site: Path,
) -> None:
    now = dt.datetime.fromisoformat(DEMO_AS_OF)
    for watched in pages(browser, demo_site, now, WIDTHS["wide"], "light"):
        page = watched.page
        page.wait_for_selector("#weekly-chart svg.chart")
        page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll('#weekly-chart svg.chart')).every(
                (s) => s.getBoundingClientRect().width <= s.parentNode.clientWidth + 0.5)"""
        )
        page.wait_for_function(
            "document.querySelector('#bars svg.bars').getBoundingClientRect().width <= 390"
        )
        watched.assert_clean()


# ---------- the header and the status line say what they mean ----------


@pytest.mark.parametrize(("width", "scheme"), ALL_SIZES)
def test_the_header_says_in_plain_words_what_was_checked(
    browser: Any,  # noqa: F811
    demo_site: Path,
    width: int,
    scheme: str,
) -> None:
    manifest = json.loads((demo_site / "data" / "manifest.json").read_text(encoding="utf-8"))
    now = dt.datetime.fromisoformat(DEMO_AS_OF)
    for watched in pages(browser, demo_site, now, width, scheme):
        page = watched.page
        facts = page.eval_on_selector_all(
            "header .facts div",
            "(ds) => ds.map((d) => [d.querySelector('dt').textContent, "
            "d.querySelector('dd').textContent])",
        )
        checked = dict(facts)["Checked"]
        requests = manifest["requests"]
        assert checked == (
            f"All {len(manifest['listings'])} lists fetched from GitLab (projects, merge requests,"
            f" issues, commits and review events) were read to the end and checked complete; "
            f"{requests['total']} requests, {requests['retried']} retried. Details"
        )
        for jargon in ("x-total", "proved", "Link rel", "distinct rows"):
            assert jargon not in checked
        assert page.get_attribute("header .facts a[href='#verification']", "href")
        box = page.locator("header .facts").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        watched.assert_clean()


@pytest.mark.parametrize(("width", "scheme"), ALL_SIZES)
def test_the_status_counts_people_not_rows(
    browser: Any,  # noqa: F811
    site_dir: Path,  # noqa: F811
    width: int,
    scheme: str,
) -> None:
    """frank is in two teams: 7 rows are 6 people."""
    for watched in pages(browser, site_dir, AS_OF, width, scheme):
        page = watched.page
        assert page.text_content("#status") == (
            "Showing 7 of 7 rows: 6 people, 1 of them in more than one team (a row per team) "
            "for the last 30 days, sorted by Rank ascending."
        )
        page.fill("#search", "alice")
        assert page.text_content("#status") == (
            "Showing 1 of 7 rows: 1 person for the last 30 days, sorted by Rank ascending."
        )
        page.fill("#search", "")
        page.click("#controls button[data-view='teams']")
        page.click("#board-teams th[data-key='mrs_merged'] button")
        assert page.text_content("#status") == (
            "Showing 4 of 4 teams for the last 30 days, sorted by MRs merged descending."
        )
        watched.assert_clean()


# ---------- a phone ----------

STICKY = """() => {
    const row = document.querySelector('#board-people tbody tr');
    const rank = row.querySelector('td.rank').getBoundingClientRect();
    const name = row.querySelector('th').getBoundingClientRect();
    return {right: name.right, width: window.innerWidth,
            teams: Array.from(document.querySelectorAll('#board-people tbody th')).map((th) =>
                [th.parentNode.dataset.team,
                 getComputedStyle(th, '::after').content, th.getBoundingClientRect().left])};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("data", ["test marts", "demo"])
def test_a_phone_keeps_person_and_team_in_view_and_every_link_on_screen(
    browser: Any,  # noqa: F811
    site_dir: Path,  # noqa: F811
    demo_site: Path,
    data: str,
    scheme: str,
) -> None:
    site, now = sites(site_dir, demo_site)[data]
    for watched in pages(browser, site, now, WIDTHS["phone"], scheme):
        page = watched.page
        before = page.evaluate(STICKY)
        # the sticky rank and person leave most of the width to the numbers
        assert before["right"] <= before["width"] / 2, before["right"]
        for team, content, _ in before["teams"]:
            assert content == f'{json.dumps(team)} / ""' or content.startswith(json.dumps(team))
        page.locator("#board-people").locator("xpath=..").evaluate("(w) => { w.scrollLeft = 300; }")
        page.wait_for_function("document.querySelector('#board-people').parentNode.scrollLeft > 0")
        after = page.evaluate(STICKY)
        assert [left for _, _, left in after["teams"]] == [left for _, _, left in before["teams"]]
        # every download link fits the screen, none cut at its edge
        links = page.eval_on_selector_all(
            "#downloads a",
            "(as) => as.map((a) => a.getBoundingClientRect()).map((r) => [r.left, r.right])",
        )
        assert links and all(left >= 0 and right <= 390 for left, right in links), links
        wrap = page.locator("#downloads .table-wrap")
        assert wrap.evaluate("(w) => w.scrollWidth <= w.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        watched.assert_clean()


def test_the_sticky_team_is_not_read_twice(browser: Any, site_dir: Path) -> None:  # noqa: F811
    """The team under a phone's sticky name is for the eye (its alt text is empty): a screen
    reader hears each row as on a desktop, where the Team column names the team."""
    for watched in pages(browser, site_dir, AS_OF, WIDTHS["phone"], "light"):
        page = watched.page
        row = page.locator("#board-people tbody tr[data-username='alice']")
        phone = row.aria_snapshot()
        assert '- rowheader "Show what alice did in Platform":' in phone
        page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
        assert row.aria_snapshot() == phone
        watched.assert_clean()


def test_labels_come_from_the_one_list(site_dir: Path) -> None:  # noqa: F811
    """board.js carries each board's columns and the metrics: the page keeps no list of its own."""
    text = (site_dir / "data" / "board.js").read_text(encoding="utf-8")
    meta = json.loads(text.split("=", 1)[1].rstrip().rstrip(";"))["meta"]
    assert [c["key"] for c in meta["columns"]["people"]] == [
        "rank", "username", "team", "score", *BOARD_METRICS,
    ]  # fmt: skip
    assert [(m["key"], m["label"]) for m in meta["metrics"]] == [
        (m, METRIC_LABELS[m]) for m in BOARD_METRICS
    ]
    assets = Path(__file__).resolve().parents[2] / "pipeline" / "site" / "assets"
    for name in ("app.js", "items.js", "bars.js", "chart.js"):
        source = (assets / name).read_text(encoding="utf-8")
        for label in ("MRs opened", "Issues closed", "Review comments"):
            assert label not in source, (name, label)


# ---------- co-author credit in the drill-down ----------


@pytest.mark.parametrize("width", [WIDTHS["phone"], WIDTHS["desktop"]])
def test_a_coauthored_commit_is_linked_and_marked_in_the_drill_down(
    browser: Any,  # noqa: F811
    demo_site: Path,
    width: int,
) -> None:
    """bob is named by a Co-authored-by trailer of one of alice's commits (the demo): his
    drill-down lists it under the metric's label, linked to the commit, marked "co-author"."""
    now = dt.datetime.fromisoformat(DEMO_AS_OF)
    for watched in pages(browser, demo_site, now, width, "light"):
        page = watched.page
        page.click("#controls button[data-window='365d']")
        open_detail(
            page,
            "#board-people tr[data-username='bob'] th button",
            "bob in Platform, last 365 days",
        )
        section = page.locator("#detail section[data-kind='commit_coauthored']")
        assert section.locator("h3").text_content() == "Commits co-authored: 1"
        item = section.locator("li")
        assert item.count() == 1
        assert item.locator(".item-marker").text_content() == "co-author"
        href = item.locator("a:not(.project)").get_attribute("href")
        assert href is not None and "/acme/app/-/commit/" in href
        watched.assert_clean()
