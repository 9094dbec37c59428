"""`leaderboard publish` without a browser: files, escaping, privacy, staleness, exact tables."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import metrics, privacy
from pipeline.cli import main
from pipeline.config import Settings
from pipeline.schema import MARTS
from pipeline.site import exports, files
from pipeline.site import index as site_index
from pipeline.site.people import INTERNAL
from pipeline.site.publish import PublishError, run_publish
from pipeline.site.tables import movement
from tests.site.data import (
    AS_OF,
    BOARD_METRICS,
    HOSTILE,
    JS_URL,
    T_FORMULA,
    T_IMG,
    T_SCRIPT,
    cells,
    manifest,
    marts,
    write_data_dir,
    write_raw,
)

SOON = AS_OF + dt.timedelta(hours=1)
#: the marts public/ holds: publish reads the others (site/people.py) and never writes them
PUBLISHED = [m for m in MARTS if m not in INTERNAL]


def published_marts() -> dict[str, list[dict[str, Any]]]:
    return {name: rows for name, rows in marts().items() if name not in INTERNAL}


class TableParser(HTMLParser):
    """Rows of cell texts of every <table id=...> in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.current = dict(attrs).get("id") or ""
            self.tables[self.current] = []
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and self.current is not None and not self.in_head:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.current is not None:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    parser = TableParser()
    parser.feed(html)
    return parser.tables


def settings_for(tmp_path: Path, **changes: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", public_dir=tmp_path / "public", **changes)


@pytest.fixture
def published(tmp_path: Path) -> Path:
    write_data_dir(tmp_path / "data")
    return run_publish(settings_for(tmp_path), now=SOON)


def rank_text(rows: list[dict[str, Any]], row: dict[str, Any]) -> str:
    """The rank, "(tied)", then the movement: the arrow shown and the words read out."""
    tied = sum(1 for other in rows if other["rank"] == row["rank"]) > 1
    rank = f"{row['rank']} (tied)" if tied else str(row["rank"])
    _, shown, said = movement(row["rank"], row["prev_rank"], "previous 30 days")
    return f"{rank} {shown}{said}"


def board_data(public: Path) -> dict[str, Any]:
    """data/board.js's payload."""
    text = (public / "data" / "board.js").read_text(encoding="utf-8")
    prefix = "window.LEADERBOARD = "
    assert text.startswith(prefix) and text.endswith(";\n")
    payload: dict[str, Any] = json.loads(text[len(prefix) : -2])
    return payload


def item_files(public: Path) -> list[str]:
    """Every drill-down data script board.js names."""
    index = board_data(public)["items"]
    return [f"{index['dir']}/{f[0]}.js" for row in index["rows"] for f in row[2]]


def test_publish_writes_the_page_and_every_mart(published: Path) -> None:
    """Parquet of every mart, CSV and JSON of all but the item-level one; the page's files each
    with the gzip copy GitLab Pages serves."""
    names = sorted(str(p.relative_to(published)) for p in published.rglob("*") if p.is_file())
    data = [
        f"data/{m}.{ext}"
        for m in PUBLISHED
        for ext in (("parquet",) if m == "contributions" else ("csv", "json", "parquet"))
    ]
    assets = [
        f"assets/{n}"
        for n in (
            "app.js",
            "bars.js",
            "chart.js",
            "dom.js",
            "favicon.svg",
            "items.js",
            "stale.js",
            "state.js",
            "style.css",
        )
    ]
    page = [*assets, "data/board.js", "data/projects.js", "index.html", *item_files(published)]
    assert len(item_files(published)) == 7  # one per membership with items, all small
    expected = [*page, *(f"{p}.gz" for p in page), "data/manifest.json", *data]
    assert names == sorted(expected)
    for path in page:
        zipped = (published / f"{path}.gz").read_bytes()
        assert gzip.decompress(zipped) == (published / path).read_bytes()
    assert not list(published.parent.glob(".public.*")), "staging folders left behind"


def test_people_table_rows_equal_the_30d_mart(published: Path) -> None:
    users = [r for r in marts()["leaderboard_users"] if r["window"] == "30d"]
    expected = [
        [rank_text(users, r), r["username"], r["team"], str(r["score"]),
         *(str(r[m]) for m in BOARD_METRICS)]
        for r in users
    ]  # fmt: skip
    tables = tables_of((published / "index.html").read_text(encoding="utf-8"))
    assert tables["board-people"] == expected
    up, same = "↑1up 1 place from rank 2", "=same rank as"
    assert expected[:3] == [
        [f"1 {up} in the previous 30 days", "alice", "Platform", "6",
         *cells(commits=1, mrs_merged=1, issues_closed=1)],
        [f"2 (tied) {same} in the previous 30 days", "carol", T_IMG, "5",
         *cells(commits=1, issues_closed=1, mrs_reviewed=1, review_comments=1)],
        [f"2 (tied) {same} in the previous 30 days", "erin", "Platform", "5",
         *cells(commits=1, mrs_opened=1, issues_opened=1, mrs_reviewed=1, mrs_approved=1,
                review_comments=2)],
    ]  # fmt: skip
    frank = next(row for row in expected if row[1:3] == ["frank", "Platform"])
    assert frank[0] == "3 (tied) newnew: not on the board in the previous 30 days"
    assert '<span class="move down"><span aria-hidden="true">↓2</span>' in (
        published / "index.html"
    ).read_text(encoding="utf-8")


def test_team_table_rows_equal_the_30d_mart(published: Path) -> None:
    teams = [r for r in marts()["leaderboard_teams"] if r["window"] == "30d"]
    tables = tables_of((published / "index.html").read_text(encoding="utf-8"))
    up, same = "↑1up 1 place from rank 2", "=same rank as"
    down = "↓2down 2 places from rank"
    assert tables["board-teams"] == [
        [f"1 {up} in the previous 30 days", "Platform", "3", "14",
         *cells(commits=2, mrs_opened=1, mrs_merged=2, issues_opened=1, issues_closed=1,
                mrs_reviewed=1, mrs_approved=1, review_comments=2)],
        [f"2 {same} in the previous 30 days", T_IMG, "1", "5",
         *cells(commits=1, issues_closed=1, mrs_reviewed=1, review_comments=1)],
        [f"3 {down} 1 in the previous 30 days", T_SCRIPT, "2", "3", *cells(mrs_merged=1)],
        [f"4 {down} 2 in the previous 30 days", T_FORMULA, "1", "1", *cells(commits=1)],
    ]  # fmt: skip
    assert [rank_text(teams, r) for r in teams] == [row[0] for row in tables["board-teams"]]
    assert len(teams) == 4


def test_tables_have_captions_and_scoped_headers(published: Path) -> None:
    html = (published / "index.html").read_text(encoding="utf-8")
    assert '<caption id="board-people-caption">People, last 30 days: 7 rows</caption>' in html
    terms = [f"{m.weight} × {m.words}" for m in metrics.METRICS if m.weight]
    assert f"Score = {' + '.join(terms)}." in html
    assert "1 × commits + " in html and " + 2 × MRs reviewed." in html
    assert '<th scope="col" data-key="rank" class="num">Rank</th>' in html
    assert (
        '<th scope="col" data-key="mrs_merged" class="num"><span class="label">MRs merged '
        '<span class="weight">×3</span></span></th>' in html
    )
    assert (
        '<th scope="col" data-key="review_comments" class="num unscored"><span class="label">'
        'Review comments <span class="weight">not scored</span></span></th>' in html
    )
    assert '<th scope="row" data-team="Platform">alice</th>' in html


def text_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.suffix in (".html", ".js", ".json")]


def test_no_hostile_string_survives_unescaped(published: Path) -> None:
    files = text_files(published)
    # the page, 7 scripts, board.js, projects.js, the items, each mart's JSON but the items'
    assert len(files) == 1 + 7 + 2 + len(item_files(published)) + len(PUBLISHED) - 1 + 1
    for path in files:
        text = path.read_text(encoding="utf-8")
        for needle in (*HOSTILE, "<script>window", "<img", "<svg", "\u2028", "\u2029"):
            if path.parent.name == "assets":
                continue
            if any(c in needle for c in "<>&\u2028\u2029"):
                assert needle not in text, (path.name, needle)
    html = (published / "index.html").read_text(encoding="utf-8")
    assert html.count("<script") == 8
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert JS_URL not in html


def test_csv_cells_are_neutralised_exactly(published: Path) -> None:
    for name, rows in published_marts().items():
        if name == "contributions":
            assert not (published / "data" / f"{name}.csv").exists()
            continue
        masked = privacy.mask_emails(pa.Table.from_pylist(rows, schema=MARTS[name]))
        expected = [[exports.csv_cell(v) for v in row] for row in exports.iter_rows(masked)]
        with (published / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            got = list(csv.reader(f))
        assert got[0] == MARTS[name].names
        assert got[1:] == expected, name
    with (published / "data" / "leaderboard_users.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    teams = {row["team"] for row in rows}
    assert "'" + T_FORMULA in teams and T_FORMULA not in teams
    with (published / "data" / "unmatched_authors.csv").open(encoding="utf-8", newline="") as f:
        assert "'@SUM(A1)" in {row["author_name"] for row in csv.DictReader(f)}


def test_parquet_and_json_exports_hold_the_marts(published: Path) -> None:
    for name, rows in published_marts().items():
        table = pq.read_table(published / "data" / f"{name}.parquet")
        assert table.schema == MARTS[name]
        if not privacy.EMAIL_COLUMNS & set(MARTS[name].names):  # masked ones differ
            assert table.to_pylist() == rows
        if name == "contributions":  # item-level: Parquet only
            assert not (published / "data" / f"{name}.json").exists()
            continue
        loaded = json.loads((published / "data" / f"{name}.json").read_text(encoding="utf-8"))
        assert len(loaded) == len(rows)
        assert list(loaded[0]) == MARTS[name].names


def test_downloads_carry_prev_rank_null_when_new(published: Path) -> None:
    """frank joined Platform 26 days ago: no 30-day prev_rank; alice was 2nd before."""
    data = published / "data"
    for name in ("leaderboard_users", "leaderboard_teams"):
        with (data / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            assert next(csv.reader(f))[-2:] == ["rank", "prev_rank"]
    with (data / "leaderboard_users.csv").open(encoding="utf-8", newline="") as f:
        rows = {(r["window"], r["team"], r["username"]): r for r in csv.DictReader(f)}
    assert rows[("30d", "Platform", "frank")]["prev_rank"] == ""
    assert rows[("30d", "Platform", "alice")]["prev_rank"] == "2"
    loaded = json.loads((data / "leaderboard_users.json").read_text(encoding="utf-8"))
    frank = [
        r for r in loaded if (r["window"], r["team"], r["username"]) == ("30d", "Platform", "frank")
    ]
    assert [r["prev_rank"] for r in frank] == [None]
    table = pq.read_table(data / "leaderboard_users.parquet")
    assert table.schema.field("prev_rank").type == pa.int64()
    assert (
        table.column("prev_rank").null_count
        == sum(1 for r in marts()["leaderboard_users"] if r["prev_rank"] is None)
        > 0
    )


def test_emails_are_masked_on_the_page_and_in_the_downloads(published: Path) -> None:
    everything = "".join(p.read_text(encoding="utf-8") for p in text_files(published))
    everything += "".join(p.read_text(encoding="utf-8") for p in published.rglob("*.csv"))
    for email in ("alice@example.org", "bob.smith@corp.example", "zed@laptop"):
        assert email not in everything
    emails = pq.read_table(published / "data" / "member_emails.parquet").column("email")
    assert emails.to_pylist() == ["a***@example.org", "b***@corp.example",
                                  "4***@users.noreply.gitlab.example.com"]  # fmt: skip
    html = (published / "index.html").read_text(encoding="utf-8")
    assert tables_of(html)["unmatched-authors"][0][:3] == ["z***@laptop", T_IMG, "3"]
    assert "Emails are masked" in html


def test_emails_shown_when_publishing_them_is_allowed(tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data")
    public = run_publish(settings_for(tmp_path, publish_emails=True), now=SOON)
    html = (public / "index.html").read_text(encoding="utf-8")
    assert tables_of(html)["unmatched-authors"][0][0] == "zed@laptop"
    emails = pq.read_table(public / "data" / "member_emails.parquet").column("email")
    assert emails.to_pylist()[0] == "alice@example.org"


def test_raw_tables_only_with_the_flag(tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data")
    write_raw(tmp_path / "data")
    public = run_publish(settings_for(tmp_path), now=SOON)
    assert not (public / "data" / "raw").exists()
    assert "data/raw/" not in (public / "index.html").read_text(encoding="utf-8")
    public = run_publish(settings_for(tmp_path, publish_raw=True), now=SOON)
    raw = sorted(str(p.relative_to(public / "data" / "raw")) for p in public.rglob("raw/**/*.*"))
    assert raw == ["commits/p12/r1.parquet", "users/users.parquet"]
    row = pq.read_table(public / "data" / "raw" / "commits" / "p12" / "r1.parquet").to_pylist()[0]
    assert row["author_email"] == "z***@laptop"


def stale_div(html: str) -> str:
    start = html.index('<div id="stale"')
    return html[start : html.index("</div>", start)]


@pytest.mark.parametrize(
    ("hours", "stale_hours", "stale"),
    [(1, 26, False), (26, 26, False), (27, 26, True), (3, 2, True)],
)
def test_stale_banner(tmp_path: Path, hours: int, stale_hours: float, stale: bool) -> None:
    write_data_dir(tmp_path / "data")
    settings = settings_for(tmp_path, stale_hours=stale_hours)
    public = run_publish(settings, now=AS_OF + dt.timedelta(hours=hours))
    banner = stale_div((public / "index.html").read_text(encoding="utf-8"))
    assert (" hidden>" not in banner) is stale
    assert 'data-as-of="2026-08-23T00:00:00Z"' in banner
    assert f'data-stale-hours="{stale_hours:g}"' in banner
    assert f"more than {stale_hours:g} hours ago" in banner


def test_header_links_pipeline_and_teams_editor(tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data")
    settings = settings_for(
        tmp_path,
        pipeline_url="https://gitlab.example.com/acme/lb/-/pipelines/9",
        project_url="https://gitlab.example.com/acme/lb",
        default_branch="main",
    )
    html = (run_publish(settings, now=SOON) / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://gitlab.example.com/acme/lb/-/pipelines/9"' in html
    assert '<a href="https://gitlab.example.com/acme/lb/-/edit/main/teams.csv"' in html
    assert '<time datetime="2026-08-23T00:00:04Z">2026-08-23 00:00 UTC</time>' in html
    # the header says in plain words what was checked; how, list by list, is in Details
    checked = html.split("<dt>Checked</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert checked == (
        "All 3 lists fetched from GitLab (commits and merge requests) were read to the end and "
        'checked complete; 41 requests, 3 retried. <a href="#verification">Details</a>'
    )
    assert (
        "How each list was proved complete: 1 read to the last page (GitLab gives no total for "
        "these); 1 only the commits new since the last run (an OLD..NEW range); 1 counted: at "
        "least as many distinct items as GitLab said the list holds." in html
    )
    # a listing of a known project links to it; the hostile path of an unknown one stays text
    assert (
        '<a href="https://gitlab.example.com/acme/lib" rel="noopener noreferrer">acme/lib</a>'
        in html
    )
    assert "<td>acme/&lt;b&gt;app&lt;/b&gt;</td>" in html


def test_no_links_when_ci_urls_are_unknown(published: Path) -> None:
    html = (published / "index.html").read_text(encoding="utf-8")
    assert "/-/edit/" not in html and "Pipeline</dt>" not in html


def test_data_scripts_carry_the_marts(published: Path) -> None:
    payload = board_data(published)
    assert payload["meta"]["as_of"] == "2026-08-23T00:00:00.000000Z"
    assert payload["meta"]["windows"][0] == {
        "name": "7d", "days": 7, "start": "2026-08-16T00:00:00.000000Z"
    }  # fmt: skip
    users = [
        dict(zip(payload["users"]["columns"], r, strict=True)) for r in payload["users"]["rows"]
    ]
    assert users == marts()["leaderboard_users"]


def test_duckdb_examples_run_on_the_downloads(published: Path, tmp_path: Path) -> None:
    board, items = site_index.DUCKDB_EXAMPLE.split("\n\n")
    path = str(published / "data" / "leaderboard_users.parquet")
    rows = (
        duckdb.connect()
        .execute(board.split("\n", 1)[1].replace("'leaderboard_users.parquet'", f"'{path}'"))
        .fetchall()
    )
    assert rows[:2] == [("Platform", "alice", 6, 1), (T_IMG, "carol", 5, 2)]
    # the counted items, Parquet only on the page, turned into CSV as the page says
    source = published / "data" / "contributions.parquet"
    copy = items.split("\n", 1)[1].replace("'contributions.parquet'", f"'{source}'")
    duckdb.connect().execute(copy.replace("'contributions.csv'", f"'{tmp_path / 'c.csv'}'"))
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as f:
        got = list(csv.DictReader(f))
    assert [r["item_id"] for r in got] == [c["item_id"] for c in marts()["contributions"]]


def big_marts(people: int, teams: int) -> dict[str, list[dict[str, Any]]]:
    rows = marts()
    rows["leaderboard_users"] = [
        {"window": w, "team": f"Team {i % teams} <&>", "username": f"user.{i:04d}",
         **dict.fromkeys(metrics.NAMES, 12345), "score": 99999, "rank": i + 1}
        for w in ("7d", "30d", "90d", "365d") for i in range(people)
    ]  # fmt: skip
    return rows


def test_page_stays_under_500_kb_for_500_people(tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data", big_marts(500, 50))
    public = run_publish(settings_for(tmp_path), now=SOON)
    html = (public / "index.html").read_text(encoding="utf-8")
    assert len(tables_of(html)["board-people"]) == 500
    assert (public / "index.html").stat().st_size < 500_000


def test_refuses_without_marts_and_keeps_the_old_site(tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data")
    (tmp_path / "data" / "marts" / "contributions.parquet").unlink()
    old = tmp_path / "public"
    old.mkdir()
    (old / "index.html").write_text("old site")
    with pytest.raises(
        PublishError, match=r"marts missing in .*: contributions; run `leaderboard build`"
    ):
        run_publish(settings_for(tmp_path), now=SOON)
    assert (old / "index.html").read_text() == "old site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "public"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (None, "no extraction manifest"),
        ({"status": "failed"}, "status 'failed': only a complete extraction is published"),
        ({"listings": ...}, "lacks listings"),
    ],
)
def test_refuses_without_a_complete_manifest(tmp_path: Path, change: Any, message: str) -> None:
    write_data_dir(tmp_path / "data")
    path = tmp_path / "data" / "manifest.json"
    if change is None:
        path.unlink()
    else:
        data = manifest() | change
        path.write_text(json.dumps({k: v for k, v in data.items() if v is not ...}))
    with pytest.raises(PublishError, match=message):
        run_publish(settings_for(tmp_path), now=SOON)
    assert not (tmp_path / "public").exists()


def test_refuses_a_mart_with_the_wrong_columns(tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data")
    table = pq.read_table(tmp_path / "data" / "marts" / "leaderboard_teams.parquet")
    pq.write_table(
        table.drop_columns(["members"]), tmp_path / "data" / "marts" / "leaderboard_teams.parquet"
    )
    with pytest.raises(PublishError, match=r"leaderboard_teams\.parquet has columns"):
        run_publish(settings_for(tmp_path), now=SOON)


def test_refuses_a_mart_with_null_counts(tmp_path: Path) -> None:
    rows = marts()
    rows["leaderboard_teams"][0]["score"] = None
    write_data_dir(tmp_path / "data", rows)
    with pytest.raises(PublishError, match=r"leaderboard_teams\.parquet has empty values in score"):
        run_publish(settings_for(tmp_path), now=SOON)


def test_empty_marts_publish_a_page_that_says_so(tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data", {name: [] for name in MARTS})
    public = run_publish(settings_for(tmp_path), now=SOON)
    tables = tables_of((public / "index.html").read_text(encoding="utf-8"))
    assert tables["board-people"] == tables["board-teams"] == tables["unmatched-authors"] == []
    assert pq.read_table(public / "data" / "contributions.parquet").num_rows == 0
    assert board_data(public)["items"]["rows"] == []
    assert not list((public / "data" / "items").iterdir())


def test_failure_while_writing_leaves_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_data_dir(tmp_path / "data")
    first = run_publish(settings_for(tmp_path), now=SOON)
    before = (first / "index.html").read_text(encoding="utf-8")

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files, "write_site_files", broken)
    with pytest.raises(OSError, match="disk full"):
        run_publish(settings_for(tmp_path), now=SOON + dt.timedelta(days=3))
    assert (first / "index.html").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "public"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o027, 0o750), (0o002, 0o775)])
def test_public_follows_the_umask_like_everything_else(
    tmp_path: Path, umask: int, mode: int
) -> None:
    """The staging folder swapped in as public/ was a mkdtemp (0700): no one else could read
    the site. It follows the umask now, as data/ and every file in public/ do."""
    write_data_dir(tmp_path / "data")
    old = os.umask(umask)
    try:
        public = run_publish(settings_for(tmp_path), now=SOON)
        again = run_publish(settings_for(tmp_path), now=SOON)  # swapped over an old one
    finally:
        os.umask(old)
    assert again == public
    folders = [public, *(p for p in public.rglob("*") if p.is_dir())]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in folders} == {oct(mode)}
    files_ = [p for p in public.rglob("*") if p.is_file()]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files_} == {oct(mode & 0o666)}


def test_sharded_manifests_are_combined(tmp_path: Path) -> None:
    write_data_dir(tmp_path / "data")
    path = tmp_path / "data" / "manifest.json"
    for index in (1, 2):
        shard = tmp_path / "data" / f"shard-{index}"
        shard.mkdir()
        (shard / "manifest.json").write_text(path.read_text())
    path.unlink()
    html = (run_publish(settings_for(tmp_path), now=SOON) / "index.html").read_text()
    assert "All 6 lists fetched from GitLab" in html and "82 requests" in html


def test_cli_publish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = {"LEADERBOARD_DATA_DIR": str(tmp_path / "data"),
           "LEADERBOARD_PUBLIC_DIR": str(tmp_path / "public")}  # fmt: skip
    assert main(["publish"], env=env) == 1
    assert capsys.readouterr().err.startswith("error: no extraction manifest at ")
    write_data_dir(tmp_path / "data")
    assert main(["publish"], env=env) == 0
    assert (tmp_path / "public" / "index.html").is_file()


def test_publish_never_imports_the_gitlab_client() -> None:
    code = (
        "import sys, pipeline.site.publish, pipeline.site.files, pipeline.site.exports;"
        "bad = [m for m in sys.modules if m == 'gitlab' or m.startswith(('gitlab.', 'requests',"
        " 'pipeline.extract.gitlab.client'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
